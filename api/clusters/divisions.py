"""Clusters as dated records and the division decisions that set them (quyết định phân
cụm, khối thi đua): who sees which clusters on a day, the decisions with what each
changed, and recording a new one (the admin), with its audit event and notifications.
The rules are domain/cluster_divisions.py's."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy.orm import Session

from api.clusters.division_schemas import (
    ChangeOut,
    ClusterMemberOut,
    ClusterOut,
    DivisionIn,
    DivisionOut,
    OperationIn,
    RefOut,
)
from domain import cluster_divisions as rules
from domain.clusters import Membership
from domain.errors import Forbidden, InvalidInput, NotFound
from domain.roles import AUTHORITY_ROLES, Actor, Role
from domain.subjects import Subject, SubjectKind
from storage import audit
from storage import cluster_divisions as store
from storage import clusters as cluster_store
from storage.models import Cluster, ClusterDivision, ClusterTerm, Unit, User
from storage.repositories import notifications as notifications_repo

ALL = frozenset({Role.ADMIN, Role.AUDITOR})
UNIT_SIDE = frozenset({Role.UNIT_CLERK, Role.UNIT_HEAD, Role.UNIT_MEMBER, Role.CLUSTER_APPROVER})


def require_admin(actor: Actor) -> None:
    if Role.ADMIN not in actor.roles():
        raise Forbidden("Chỉ quản trị hệ thống được ghi quyết định phân cụm.", code="admin_only")


def _reads_all(actor: Actor) -> bool:
    return bool(actor.roles() & ALL)


def _board_authorities(actor: Actor) -> set[int]:
    return {g.authority_id for g in actor.grants if g.role in AUTHORITY_ROLES and g.authority_id}


def _unit_ids(actor: Actor) -> set[int]:
    return {g.unit_id for g in actor.grants if g.role in UNIT_SIDE and g.unit_id}


def _term_clusters(s: Session, actor: Actor) -> set[int]:
    out: set[int] = set()
    for g in actor.grants:
        if g.cluster_term_id is not None and (t := s.get(ClusterTerm, g.cluster_term_id)):
            out.add(t.cluster_id)
    return out


def _sees(s: Session, actor: Actor, cluster: Cluster, member_ids: Collection[int]) -> bool:
    return (
        _reads_all(actor)
        or cluster.authority_id in _board_authorities(actor)
        or bool(_unit_ids(actor) & set(member_ids))
        or cluster.id in _term_clusters(s, actor)
    )


def _authority_ids(s: Session, actor: Actor) -> list[int]:
    if _reads_all(actor):
        return [a.id for a in store.authorities(s)]
    ids = _board_authorities(actor)
    for uid in _unit_ids(actor):
        if (u := s.get(Unit, uid)) is not None:
            ids.add(u.authority_id)
    return sorted(ids)


def _alive(c: Cluster, day: date) -> bool:
    started = c.valid_from is None or c.valid_from <= day
    return started and (c.valid_to is None or c.valid_to > day)


def _cluster_out(s: Session, c: Cluster, day: date) -> ClusterOut:
    members = []
    for u in cluster_store.members_on(s, c.id, day):
        m = store.membership_on(s, u.id, day)
        d = s.get(ClusterDivision, m.division_id) if m and m.division_id else None
        members.append(
            ClusterMemberOut(
                unit_id=u.id,
                code=u.code,
                name=u.name,
                since=m.valid_from if m else day,
                division_number=d.number if d else None,
            )
        )
    return ClusterOut(
        id=c.id,
        code=c.code,
        name=c.name,
        valid_from=c.valid_from,
        valid_to=c.valid_to,
        on=day,
        members=members,
    )


def clusters_on(s: Session, actor: Actor, day: date) -> list[ClusterOut]:
    """The clusters in being on `day` that the caller may see, with their members then:
    the board, the admin, the auditor every cluster of their authority; a unit's people
    their own unit's cluster (or the one their cluster approver's term is of)."""
    out = []
    for authority_id in _authority_ids(s, actor):
        for c in store.clusters(s, authority_id):
            if not _alive(c, day):
                continue
            view = _cluster_out(s, c, day)
            if _sees(s, actor, c, [m.unit_id for m in view.members]):
                out.append(view)
    return out


def members_of(s: Session, actor: Actor, cluster_id: int, day: date) -> ClusterOut:
    c = s.get(Cluster, cluster_id)
    if c is None:
        raise NotFound("Không có cụm thi đua này.", code="cluster_not_found")
    view = _cluster_out(s, c, day)
    if not _sees(s, actor, c, [m.unit_id for m in view.members]):
        raise NotFound("Không có cụm thi đua này.", code="cluster_not_found")
    return view


# ---------------------------------------------------------------- the decisions


def division_out(s: Session, d: ClusterDivision) -> DivisionOut:
    """A decision with what it changed: the memberships it opened, those that ended on
    its effective date, the clusters it formed and ended."""
    opened = {m.unit_id: m for m in store.opened_by(s, d.id)}
    closed = {m.unit_id: m for m in store.closed_on(s, d.authority_id, d.effective_from)}
    names: dict[int, str] = {}

    def ref(cluster_id: int | None) -> RefOut | None:
        if cluster_id is None:
            return None
        if cluster_id not in names:
            c = s.get(Cluster, cluster_id)
            names[cluster_id] = c.name if c else str(cluster_id)
        return RefOut(id=cluster_id, name=names[cluster_id])

    changes = []
    for uid in sorted(set(opened) | set(closed)):
        before = closed.get(uid)
        after = opened.get(uid)
        if before is not None and after is not None and before.cluster_id == after.cluster_id:
            continue
        unit = s.get(Unit, uid)
        changes.append(
            ChangeOut(
                unit_id=uid,
                unit_name=unit.name if unit else str(uid),
                before=ref(before.cluster_id if before else None),
                after=ref(after.cluster_id if after else None),
            )
        )
    clusters = store.clusters(s, d.authority_id)
    return DivisionOut(
        id=d.id,
        number=d.number,
        signed_on=d.signed_on,
        effective_from=d.effective_from,
        title=d.title,
        note=d.note,
        created_at=d.created_at,
        changes=changes,
        clusters_formed=[
            RefOut(id=c.id, name=c.name) for c in clusters if c.valid_from == d.effective_from
        ],
        clusters_ended=[
            RefOut(id=c.id, name=c.name) for c in clusters if c.valid_to == d.effective_from
        ],
    )


def divisions(s: Session, actor: Actor) -> list[DivisionOut]:
    """The decisions of the caller's authorities, newest first."""
    return [division_out(s, d) for d in store.divisions(s, _authority_ids(s, actor))]


def _incomplete(what: str) -> InvalidInput:
    return InvalidInput(what, code="division_operation_incomplete")


def _target(op: OperationIn) -> rules.Target:
    if op.new_cluster is not None and (op.new_cluster.code.strip() or op.new_cluster.name.strip()):
        return rules.NewCluster(op.new_cluster.code.strip(), op.new_cluster.name.strip())
    if op.to_cluster_id is None:
        raise _incomplete("Hãy chọn cụm đến (hoặc nhập mã và tên cụm mới).")
    return op.to_cluster_id


def operation(op: OperationIn) -> rules.Operation:
    """The domain's operation from what the caller sent."""
    if op.op == "copy":
        return rules.Copy()
    if op.op == "move":
        if op.unit_id is None:
            raise _incomplete("Hãy chọn đơn vị cần chuyển.")
        return rules.Move(op.unit_id, _target(op))
    if op.op == "merge":
        return rules.Merge(tuple(op.cluster_ids), _target(op))
    if op.op == "dissolve":
        if op.cluster_id is None:
            raise _incomplete("Hãy chọn cụm giải thể.")
        return rules.Dissolve(op.cluster_id)
    if op.new_cluster is None:
        raise InvalidInput("Cụm mới cần có mã và tên.", code="division_new_cluster_incomplete")
    return rules.Create(
        rules.NewCluster(op.new_cluster.code.strip(), op.new_cluster.name.strip()),
        tuple(op.unit_ids),
    )


def _authority_of(s: Session, body: DivisionIn) -> int:
    # The authorities whose units clusters group (not the UBND tỉnh, which has none).
    ids = [a.id for a in store.authorities(s) if store.units(s, a.id)]
    if body.authority_id is not None:
        if body.authority_id not in ids:
            raise InvalidInput("Không có cơ quan này.", code="authority_required")
        return body.authority_id
    if len(ids) != 1:
        raise InvalidInput("Hãy chọn cơ quan ra quyết định.", code="authority_required")
    return ids[0]


def record(s: Session, user: User, actor: Actor, body: DivisionIn, *, today: date) -> DivisionOut:
    """Record a division decision: refuse what the rules refuse, apply it, write the
    audit event `cluster_division_recorded` and tell the moved units' clerks and the
    head units of the clusters it touches."""
    require_admin(actor)
    authority_id = _authority_of(s, body)
    decision = rules.Decision(
        number=body.number,
        signed_on=body.signed_on,
        effective_from=body.effective_from,
        operations=[operation(op) for op in body.changes],
    )
    clusters = store.clusters(s, authority_id)
    outcome = rules.apply(
        decision,
        [
            Membership(m.unit_id, m.cluster_id, m.valid_from, m.valid_to)
            for m in store.membership_rows(s, authority_id)
        ],
        clusters={c.id: (c.valid_from, c.valid_to) for c in clusters},
        cluster_codes=store.cluster_codes(s),
        unit_ids=[u.id for u in store.units(s, authority_id)],
        latest_effective=store.latest_effective(s, authority_id),
    )
    d, formed = store.record(
        s,
        authority_id=authority_id,
        number=body.number,
        signed_on=body.signed_on,
        effective_from=body.effective_from,
        title=body.title,
        note=body.note,
        outcome=outcome,
        created_by=user.id,
        today=today,
    )
    out = division_out(s, d)
    audit.append(
        s,
        kind="cluster_division_recorded",
        who=audit.Who(user.id, user.full_name, Role.ADMIN, ""),
        data={
            "division_id": d.id,
            "authority_id": authority_id,
            "number": d.number,
            "signed_on": d.signed_on.isoformat(),
            "effective_from": d.effective_from.isoformat(),
            "title": d.title,
            "operations": [op.model_dump(exclude_none=True) for op in body.changes],
            "changes": [
                {
                    "unit_id": c.unit_id,
                    "unit": c.unit_name,
                    "from": c.before.name if c.before else None,
                    "to": c.after.name if c.after else None,
                }
                for c in out.changes
            ],
            "clusters_formed": [c.name for c in out.clusters_formed],
            "clusters_ended": [c.name for c in out.clusters_ended],
        },
    )
    _notify(s, d, out, [c.id for c in formed.values()])
    return out


def _notify(s: Session, d: ClusterDivision, out: DivisionOut, formed: list[int]) -> None:
    year = d.effective_from.year
    when = f"{d.effective_from:%d/%m/%Y}"
    for c in out.changes:
        where = c.after or c.before
        if where is None:
            continue
        subject = Subject(SubjectKind.CLUSTER_YEAR, cluster_store.ensure_year(s, where.id, year).id)
        moved = (
            f"chuyển từ {c.before.name} sang {c.after.name}"
            if c.before and c.after
            else f"là thành viên {c.after.name}"
            if c.after
            else f"không còn là thành viên {c.before.name}"
            if c.before
            else ""
        )
        message = f"Theo Quyết định {d.number}, đơn vị {c.unit_name} {moved} từ ngày {when}."
        for uid in store.users_with_role(s, Role.UNIT_CLERK, [c.unit_id]):
            notifications_repo.notify_once(s, uid, subject, -d.id, message[:500])
    touched = {r.id for c in out.changes for r in (c.before, c.after) if r is not None}
    touched -= set(formed)
    for cid in sorted(touched):
        cluster = s.get(Cluster, cid)
        # The head unit of the effective year, or, not yet chosen, the one leading now.
        term = cluster_store.term(s, cid, year) or cluster_store.term(s, cid, year - 1)
        if cluster is None or term is None:
            continue
        users = set(store.users_with_role(s, Role.CLUSTER_APPROVER, [term.head_unit_id]))
        users |= set(store.users_of_term(s, term.id))
        subject = Subject(SubjectKind.CLUSTER_YEAR, cluster_store.ensure_year(s, cid, year).id)
        message = f"Quyết định {d.number} thay đổi thành viên {cluster.name} từ ngày {when}."
        for uid in sorted(users):
            notifications_repo.notify_once(s, uid, subject, -d.id, message[:500])
