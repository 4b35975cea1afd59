"""Use cases of a cluster's registrations (đăng ký thi đua, domain/cluster_scores.py):
read them (every member's to whoever runs the year, the board and auditors; its own to a
member), write a member's own, the board's table of every cluster. Never commits."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from api.clusters.score_schemas import (
    RegistrationIn,
    RegistrationItemOut,
    RegistrationOut,
    RegistrationsOut,
)
from api.clusters.service import YearContext, load_year
from documents.vn import today_vn
from domain import cluster_scores as rules
from domain.awards import NomineeKind
from domain.errors import Conflict, Forbidden, NotFound, StaleVersion
from domain.registry import award_name
from domain.roles import AUTHORITY_ROLES, Actor, Role
from storage import audit
from storage import cluster_scores as store
from storage.models import Cluster, ClusterRegistration, ClusterRegistrationItem, User
from storage.people import person as person_row


def sees_all(ctx: YearContext, actor: Actor) -> bool:
    """Whoever runs the year, the board and auditors see every member's."""
    return ctx.access.runs or ctx.access.board or Role.AUDITOR in actor.roles()


def member_who(s: Session, user: User, actor: Actor, ctx: YearContext, unit_id: int) -> audit.Who:
    role = next(
        (
            g.role
            for g in actor.grants
            if g.unit_id == unit_id and g.role in (Role.UNIT_CLERK, Role.UNIT_HEAD)
        ),
        Role.UNIT_CLERK,
    )
    unit = next(u for u in ctx.members if u.id == unit_id)
    return audit.Who(user.id, user.full_name, str(role), unit.name, unit.name)


def deadline(s: Session, ctx: YearContext) -> date | None:
    """The issued plan's registration deadline (none before the plan is issued)."""
    plan = store.issued_plan(s, ctx.row.id if ctx.row else None)
    return plan.registration_deadline if plan else None


def _out(ctx: YearContext, unit_id: int, reg: ClusterRegistration | None) -> RegistrationOut:
    unit = next(u for u in ctx.members if u.id == unit_id)
    state = rules.state_of(reg is not None, bool(reg and reg.late))
    return RegistrationOut(
        unit_id=unit.id,
        unit_code=unit.code,
        unit_name=unit.name,
        state=state.value,
        state_label=rules.REGISTRATION_STATE_LABELS[state],
        submitted_on=reg.submitted_on if reg else None,
        version=reg.version if reg else None,
        note=reg.note if reg else "",
        items=[
            RegistrationItemOut(
                kind=i.kind,
                award=i.award,
                award_name=award_name(i.award),
                person_id=i.person_id,
                person_name=i.person_name,
                count=i.count,
            )
            for i in (reg.items if reg else [])
        ],
    )


def registrations_out(s: Session, actor: Actor, ctx: YearContext) -> RegistrationsOut:
    regs = {r.unit_id: r for r in store.registrations(s, ctx.row.id if ctx.row else None)}
    shown = [u.id for u in ctx.members if sees_all(ctx, actor) or u.id in ctx.access.member_units]
    due = deadline(s, ctx)
    return RegistrationsOut(
        cluster_id=ctx.cluster.id,
        cluster_name=ctx.cluster.name,
        year=ctx.year,
        deadline=due,
        deadline_passed=rules.is_late(today_vn(), due),
        registrations=[_out(ctx, uid, regs.get(uid)) for uid in shown],
    )


def register(
    s: Session, user: User, actor: Actor, ctx: YearContext, unit_id: int, body: RegistrationIn
) -> ClusterRegistration:
    """A member unit's people register its titles: the whole list, replacing what it had.
    Refused to a unit that is not a member (403); a person who is not of the unit's
    records is not found (404); after the deadline, written late or refused to a unit
    that registered on time (409 registration_closed)."""
    ctx.require_member(unit_id)
    items = [rules.RegistrationItem(i.kind, i.award, i.person_id, i.count) for i in body.items]
    rules.check_items(items)
    note = rules.check_text(body.note, "Ghi chú")
    names: dict[int, str] = {}
    for i in items:
        if i.person_id is not None:
            p = person_row(s, i.person_id)
            if p is None or p.unit_id != unit_id or p.merged_into_id is not None:
                raise NotFound("Không tìm thấy người này trong đơn vị.", code="person_not_found")
            names[p.id] = p.full_name
    year_row = ctx.ensure(s)
    reg = store.registration(s, year_row.id, unit_id, for_update=True)
    if reg is not None and body.version is not None and body.version != reg.version:
        raise StaleVersion(
            "Bản đăng ký đã được người khác thay đổi. Hãy tải lại rồi thử lại.",
            code="stale_version",
        )
    today, due = today_vn(), deadline(s, ctx)
    if not rules.may_write(today, due, registered_on_time=reg is not None and not reg.late):
        raise Conflict(
            "Đã quá hạn đăng ký thi đua: bản đăng ký đã gửi đúng hạn không sửa được nữa.",
            code="registration_closed",
        )
    late = rules.is_late(today, due)
    if reg is None:
        reg = ClusterRegistration(
            cluster_year_id=year_row.id, unit_id=unit_id, submitted_on=today, version=1
        )
        s.add(reg)
    else:
        reg.version += 1
        reg.items.clear()
        s.flush()
    reg.submitted_on, reg.late, reg.note, reg.updated_by = today, late, note, user.id
    for n, i in enumerate(items, 1):
        reg.items.append(
            ClusterRegistrationItem(
                position_no=n,
                kind=i.kind.value,
                award=i.award,
                person_id=i.person_id,
                person_name=names.get(i.person_id or 0, ""),
                count=i.count,
            )
        )
    s.flush()
    audit.append(
        s,
        kind="cluster_registration_submitted",
        subject=year_row.subject,
        who=member_who(s, user, actor, ctx, unit_id),
        data={
            "cluster_id": ctx.cluster.id,
            "year": ctx.year,
            "unit_id": unit_id,
            "late": late,
            "deadline": due.isoformat() if due else None,
            "collective": [i.award for i in items if i.kind is NomineeKind.COLLECTIVE],
            "individual": [
                {"award": i.award, "person_id": i.person_id, "count": i.count}
                for i in items
                if i.kind is NomineeKind.INDIVIDUAL
            ],
        },
    )
    return reg


def board_registrations(s: Session, actor: Actor, year: int) -> list[RegistrationsOut]:
    """Every cluster's registrations of the year, for the board (and the authority's
    leaders, auditors) over the clusters of its authority; 403 to anyone else."""
    allowed = Role.AUDITOR in actor.roles() or any(g.role in AUTHORITY_ROLES for g in actor.grants)
    if not allowed:
        raise Forbidden(
            "Chỉ Ban Thi đua – Khen thưởng xem đăng ký thi đua của mọi cụm.", code="board_only"
        )
    out = []
    for c in s.query(Cluster).order_by(Cluster.id).all():
        try:
            ctx = load_year(s, actor, c.id, year)
        except NotFound:
            continue
        if ctx.access.board or Role.AUDITOR in actor.roles():
            out.append(registrations_out(s, actor, ctx))
    return out
