"""The cluster's covenant (Giao ước thi đua, domain/covenant.py): the members' commitments,
the head unit opening it for signing, each member head's signature on the same PDF, the
head unit's seal.

Signing and sealing follow the meeting's Biên bản (api/meetings/actions.py): every
refusal that needs no secret first, in a read-only look; then the PIN and the signature
(`issue.sign_personally`, on top of the latest signed version); last one transaction with
the signed PDF, the signature row, the audit event and the notifications. Two heads
signing at once: the second finds a newer version than the one it signed on and signs
again on top of it (its PIN already checked).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.clusters.service import YearContext, load_year
from api.deps import Caller
from api.dossiers import signing
from domain import covenant as rules
from domain.covenant import STATUS_LABELS, Commitment, CovenantStatus
from domain.errors import Conflict, DocumentsNotReady, Forbidden, SigningPinRequired
from domain.roles import Actor, Role
from issuing import covenant_forms, issue
from issuing.issue import personal_key, record_in
from issuing.runtime import Runtime
from storage import audit
from storage import covenant as store
from storage.models import (
    ClusterCovenant,
    CovenantCommitment,
    CovenantSignature,
    Document,
    DocumentVersion,
    RoleAssignment,
    Unit,
    User,
    utcnow,
)
from storage.repositories import documents as documents_repo
from storage.repositories import notifications as notifications_repo
from storage.repositories import org as org_repo
from storage.repositories import users as users_repo

NOTICE_OPENED, NOTICE_ALL_SIGNED, NOTICE_SEALED = 26_001, 26_002, 26_003
"""The covenant's notices on the cluster year (its own numbers: the year's other parts
notify on the same subject)."""
SIGN_ATTEMPTS = 3


# ---------------------------------------------------------------- schemas


class CommitmentIn(BaseModel):
    indicator: str = Field(max_length=rules.MAX_INDICATOR)
    target: str = Field(max_length=rules.MAX_TARGET)
    criterion_id: int | None = None


class CommitmentsIn(BaseModel):
    items: list[CommitmentIn] = Field(max_length=rules.MAX_COMMITMENTS)
    version: int | None = None


class SignIn(BaseModel):
    signing_pin: str | None = Field(default=None, max_length=64)


class CommitmentOut(BaseModel):
    position: int
    indicator: str
    target: str
    criterion_id: int | None
    criterion_code: str | None


class MemberCovenantOut(BaseModel):
    unit_id: int
    code: str
    name: str
    commitments: list[CommitmentOut]
    signer_user_id: int | None
    signer_name: str | None
    signed: bool
    signed_at: datetime | None
    signed_by: str | None


class CovenantOut(BaseModel):
    cluster_id: int
    year: int
    status: str
    status_label: str
    version: int | None
    document_id: int | None
    prepared_version: int | None
    """The document's version the first member signs (its `pdf-prepared`)."""
    latest_version: int | None
    """The document's latest PDF version: the one the next member signs on."""
    opened_at: datetime | None
    sealed_at: datetime | None
    members: list[MemberCovenantOut]
    signed_count: int
    waiting: list[str]
    """The members whose head has not signed yet, by name."""
    can_edit_units: list[int]
    """The units whose commitments the caller may enter now."""
    can_open: bool
    can_sign_units: list[int]
    can_seal: bool


# ---------------------------------------------------------------- reading


@dataclass
class Loaded:
    ctx: YearContext
    row: ClusterCovenant | None


def _load(s: Session, actor: Actor, cluster_id: int, year: int) -> Loaded:
    ctx = load_year(s, actor, cluster_id, year)
    row = store.covenant_of(s, ctx.row.id if ctx.row else None)
    return Loaded(ctx, row)


def _status(row: ClusterCovenant | None) -> CovenantStatus:
    return CovenantStatus(row.status) if row else CovenantStatus.DRAFT


def _signers(row: ClusterCovenant | None) -> list[covenant_forms.Signer]:
    return [covenant_forms.Signer(**x) for x in (row.signers or [])] if row else []


def _document(s: Session, row: ClusterCovenant | None) -> Document | None:
    return documents_repo.document(s, row.document_id) if row and row.document_id else None


def _latest_pdf(doc: Document | None) -> DocumentVersion | None:
    if doc is None:
        return None
    return issue.latest(list(doc.versions), "pdf-prepared", "pdf-personal", "pdf-signed")


def covenant_out(s: Session, actor: Actor, ctx: YearContext) -> CovenantOut:
    row = store.covenant_of(s, ctx.row.id if ctx.row else None)
    status = _status(row)
    plan = store.plan_of(s, ctx.row.id if ctx.row else None)
    codes = {c.id: c.code for c in store.criteria_of(s, plan)}
    items = store.commitments(s, row.id if row else None)
    sigs = {x.unit_id: x for x in store.signatures(s, row.id if row else None)}
    signers = {x.unit_id: x for x in _signers(row)}
    users = users_repo.users_by_ids(s, {x.user_id for x in sigs.values()})
    # Once open, the members are those the covenant was opened with.
    units: list[Unit] = [org_repo.unit(s, u) for u in signers] if signers else list(ctx.members)
    members = []
    for u in units:
        sig = sigs.get(u.id)
        signer = signers.get(u.id)
        members.append(
            MemberCovenantOut(
                unit_id=u.id,
                code=u.code,
                name=u.name,
                commitments=[
                    CommitmentOut(
                        position=c.position_no,
                        indicator=c.indicator,
                        target=c.target,
                        criterion_id=c.criterion_id,
                        criterion_code=codes.get(c.criterion_id) if c.criterion_id else None,
                    )
                    for c in items
                    if c.unit_id == u.id
                ],
                signer_user_id=signer.user_id if signer else None,
                signer_name=signer.full_name if signer else None,
                signed=sig is not None,
                signed_at=sig.signed_at if sig else None,
                signed_by=users[sig.user_id].full_name if sig else None,
            )
        )
    doc = _document(s, row)
    prepared = issue.latest(list(doc.versions), "pdf-prepared") if doc else None
    latest = _latest_pdf(doc)
    access = ctx.access
    return CovenantOut(
        cluster_id=ctx.cluster.id,
        year=ctx.year,
        status=status,
        status_label=STATUS_LABELS[status],
        version=row.version if row else None,
        document_id=doc.id if doc else None,
        prepared_version=prepared.seq if prepared else None,
        latest_version=latest.seq if latest else None,
        opened_at=row.opened_at if row else None,
        sealed_at=row.sealed_at if row else None,
        members=members,
        signed_count=len(sigs),
        waiting=[m.name for m in members if not m.signed] if status != "draft" else [],
        can_edit_units=sorted(access.member_units) if status == CovenantStatus.DRAFT else [],
        can_open=access.runs and status == CovenantStatus.DRAFT,
        can_sign_units=sorted(
            u
            for u, x in signers.items()
            if status == CovenantStatus.SIGNING
            and u in access.signs_for
            and x.user_id == actor.user_id
            and u not in sigs
        ),
        can_seal=rules.seals(actor, ctx.head_unit_id, ctx.term.id if ctx.term else None)
        and status == CovenantStatus.SIGNING
        and bool(signers)
        and set(signers) <= set(sigs),
    )


def get(s: Session, actor: Actor, cluster_id: int, year: int) -> CovenantOut:
    return covenant_out(s, actor, load_year(s, actor, cluster_id, year))


# ---------------------------------------------------------------- commitments


def _who(s: Session, user: User, role: str, ctx: YearContext) -> audit.Who:
    return audit.Who(user.id, user.full_name, role, ctx.cluster.name, ctx.cluster.name)


def set_commitments(
    s: Session,
    user: User,
    actor: Actor,
    cluster_id: int,
    year: int,
    unit_id: int,
    body: CommitmentsIn,
) -> CovenantOut:
    """A member's clerk or head enters its own unit's commitments (all of them at once),
    while the covenant is a draft."""
    ctx = load_year(s, actor, cluster_id, year)
    ctx.require_member(unit_id)
    year_row = ctx.ensure(s)
    row = store.ensure_covenant(s, year_row.id)
    if body.version is not None and body.version != row.version:
        raise Conflict(
            "Giao ước đã được người khác thay đổi. Hãy tải lại rồi thử lại.", code="stale_version"
        )
    rules.check_editable(row.status)
    plan = store.plan_of(s, year_row.id)
    criteria = {c.id for c in store.criteria_of(s, plan)}
    items = rules.clean_commitments(
        [Commitment(x.indicator, x.target, x.criterion_id) for x in body.items], criteria
    )
    for old in store.commitments(s, row.id):
        if old.unit_id == unit_id:
            s.delete(old)
    s.flush()
    for i, c in enumerate(items, 1):
        s.add(
            CovenantCommitment(
                covenant_id=row.id,
                unit_id=unit_id,
                position_no=i,
                indicator=c.indicator,
                target=c.target,
                criterion_id=c.criterion_id,
                updated_by=user.id,
            )
        )
    row.updated_at = utcnow()
    s.flush()
    unit = org_repo.unit(s, unit_id)
    audit.append(
        s,
        kind="covenant_commitments_set",
        subject=year_row.subject,
        who=_who(s, user, "unit", ctx),
        data={
            "unit_id": unit_id,
            "unit": unit.name,
            "commitments": [{"indicator": c.indicator, "target": c.target} for c in items],
        },
    )
    return covenant_out(s, actor, ctx)


# ---------------------------------------------------------------- open


@dataclass(frozen=True)
class OpenPlan:
    subject: Any
    context: dict[str, Any]
    signers: list[covenant_forms.Signer]
    head_name: str
    title: str
    issuer_name: str


def _open_plan(s: Session, actor: Actor, cluster_id: int, year: int, place: str) -> OpenPlan:
    ctx = load_year(s, actor, cluster_id, year)
    ctx.require_runs()
    row = store.covenant_of(s, ctx.row.id if ctx.row else None)
    items = store.commitments(s, row.id if row else None)
    rules.check_open(_status(row), [u.id for u in ctx.members], {c.unit_id for c in items})
    assert ctx.row is not None and row is not None  # commitments exist
    if ctx.head_unit_id is None:
        raise Conflict("Cụm chưa có đơn vị Trưởng cụm năm này.", code="cluster_no_head_unit")
    plan = store.plan_of(s, ctx.row.id)
    issued = plan is not None and plan.status == "issued"
    codes = {c.id: c.code for c in store.criteria_of(s, plan)}
    signers = []
    for u in ctx.members:
        head = store.unit_head(s, u.id)
        if head is None:
            raise Conflict(
                f"{u.name} chưa có tài khoản Thủ trưởng để ký giao ước.",
                code="covenant_member_without_head",
            )
        signers.append(
            covenant_forms.Signer(
                u.id, u.name, head.id, head.full_name, head.position, rules.field_name(u.code)
            )
        )
    if len({x.full_name for x in signers}) != len(signers):
        raise Conflict(
            "Hai Thủ trưởng trùng họ tên: không đặt được chữ ký đúng chỗ.",
            code="covenant_signer_names_clash",
        )
    members = [
        covenant_forms.MemberCommitments(
            u.name,
            [
                (c.indicator, c.target, codes.get(c.criterion_id, "") if c.criterion_id else "")
                for c in items
                if c.unit_id == u.id
            ],
        )
        for u in ctx.members
    ]
    head_unit = org_repo.unit(s, ctx.head_unit_id)
    context = covenant_forms.covenant_context(
        cluster_name=ctx.cluster.name,
        parent_name=head_unit.parent_name,
        year=year,
        place=place,
        plan_number=plan.number if issued and plan else None,
        goals=plan.goals if issued and plan else "",
        members=members,
        signers=signers,
    )
    head_name = next(x.full_name for x in signers if x.unit_id == ctx.head_unit_id)
    return OpenPlan(
        ctx.row.subject,
        context,
        signers,
        head_name,
        f"Giao ước thi đua năm {year} – {ctx.cluster.name}",
        ctx.cluster.name,
    )


def open_for_signing(rt: Runtime, caller: Caller, cluster_id: int, year: int) -> CovenantOut:
    """Runs in a worker thread: the head unit opens the covenant; the PDF is prepared
    (filled, converted, its fields laid) before the commit."""
    with rt.db.read() as s:
        plan = _open_plan(s, caller.actor, cluster_id, year, rt.settings.place_name)
    doc_id = asyncio.run(
        covenant_forms.prepare(
            rt,
            plan.subject,
            plan.context,
            plan.signers,
            plan.head_name,
            title=plan.title,
            issuer_name=plan.issuer_name,
        )
    )
    with rt.db.write() as s:
        user = _user(s, caller)
        ctx = load_year(s, caller.actor, cluster_id, year)
        ctx.require_runs()
        assert ctx.row is not None
        row = store.covenant_of(s, ctx.row.id, for_update=True)
        assert row is not None
        items = store.commitments(s, row.id)
        rules.check_open(row.status, [u.id for u in ctx.members], {c.unit_id for c in items})
        if [x.unit_id for x in plan.signers] != [u.id for u in ctx.members]:
            raise Conflict("Thành viên của Cụm vừa thay đổi. Hãy thử lại.", code="stale_version")
        row.status = CovenantStatus.SIGNING
        row.document_id = doc_id
        row.signers = [x.__dict__ for x in plan.signers]
        row.opened_at = utcnow()
        row.opened_by = user.id
        s.flush()
        audit.append(
            s,
            kind="covenant_opened",
            subject=ctx.row.subject,
            who=_who(s, user, Role.CLUSTER_APPROVER, ctx),
            data={
                "document_id": doc_id,
                "signers": [
                    {"unit_id": x.unit_id, "user_id": x.user_id, "name": x.full_name}
                    for x in plan.signers
                ],
            },
        )
        for x in plan.signers:
            notifications_repo.notify_once(
                s,
                x.user_id,
                ctx.row.subject,
                NOTICE_OPENED,
                f"Giao ước thi đua năm {year} của {ctx.cluster.name} đã mở để ký: "
                f"mời đồng chí ký cho {x.unit_name}.",
            )
        return covenant_out(s, caller.actor, ctx)


# ---------------------------------------------------------------- sign


def _user(s: Session, caller: Caller) -> User:
    user = users_repo.user_by_id(s, caller.user.id)
    assert user is not None
    return user


def _waiting_signature(
    s: Session, actor: Actor, cluster_id: int, year: int, *, for_update: bool = False
) -> tuple[YearContext, ClusterCovenant, covenant_forms.Signer, DocumentVersion]:
    """The unit the caller signs for, and the version they sign on; or why not."""
    ctx = load_year(s, actor, cluster_id, year)
    if not ctx.access.signs_for:
        raise Forbidden(
            "Chỉ Thủ trưởng đơn vị thành viên ký giao ước cho đơn vị mình.",
            code="covenant_member_head_only",
        )
    row = store.covenant_of(s, ctx.row.id if ctx.row else None, for_update=for_update)
    mine = [x for x in _signers(row) if x.unit_id in ctx.access.signs_for]
    signed = {x.unit_id for x in store.signatures(s, row.id if row else None)}
    if row is None or not mine:
        rules.check_sign(_status(row), -1, signed)
        raise Forbidden("Đơn vị của bạn không có trong giao ước.", code="covenant_not_a_signer")
    signer = mine[0]
    rules.check_sign(row.status, signer.unit_id, signed)
    if signer.user_id != actor.user_id:
        raise Forbidden(
            f"Giao ước ghi tên {signer.full_name} ký cho {signer.unit_name}.",
            code="covenant_not_the_named_head",
        )
    base = _latest_pdf(_document(s, row))
    if base is None or base.rendition == "pdf-signed":
        raise DocumentsNotReady()
    return ctx, row, signer, base


def sign(rt: Runtime, caller: Caller, cluster_id: int, year: int, body: SignIn) -> CovenantOut:
    """Runs in a worker thread: the member head signs with their PIN, on top of the
    latest signed version."""
    with rt.db.read() as s:
        ctx, row, signer, base = _waiting_signature(s, caller.actor, cluster_id, year)
        title = f"Giao ước thi đua năm {year} – {ctx.cluster.name}"
    if not body.signing_pin:
        raise SigningPinRequired()
    material = signing.unlock(rt.db, caller.user.id, body.signing_pin, rt.settings.secret_key)
    for _ in range(SIGN_ATTEMPTS):
        stored, reports = asyncio.run(
            issue.sign_personally(
                rt,
                title,
                base,
                caller.user,
                material,
                field_name=signer.field,
                rendition="pdf-personal",
                reason=f"Ký giao ước thi đua cho {signer.unit_name}",
            )
        )
        with rt.db.write() as s:
            user = _user(s, caller)
            ctx, row, signer, now = _waiting_signature(
                s, caller.actor, cluster_id, year, for_update=True
            )
            if personal_key(now, user.id) != stored.key:
                base = now  # another member signed meanwhile: sign again on top of theirs
                continue
            assert row.document_id is not None and ctx.row is not None
            record_in(
                s, row.document_id, "pdf-personal", stored, "application/pdf", signatures=reports
            )
            version = s.scalar(
                select(DocumentVersion).where(DocumentVersion.object_key == stored.key)
            )
            assert version is not None
            s.add(
                CovenantSignature(
                    covenant_id=row.id,
                    unit_id=signer.unit_id,
                    user_id=user.id,
                    document_version_id=version.id,
                )
            )
            row.updated_at = utcnow()
            s.flush()
            audit.append(
                s,
                kind="covenant_signed_by_member",
                subject=ctx.row.subject,
                who=audit.Who(user.id, user.full_name, Role.UNIT_HEAD, signer.unit_name),
                data={
                    "unit_id": signer.unit_id,
                    "document_id": row.document_id,
                    "version": version.seq,
                    "object_key": stored.key,
                    "version_id": stored.version_id,
                    "sha256": stored.sha256,
                },
            )
            signed = {x.unit_id for x in store.signatures(s, row.id)}
            if {x.unit_id for x in _signers(row)} <= signed:
                for runner in _runners(s, ctx):
                    notifications_repo.notify_once(
                        s,
                        runner.id,
                        ctx.row.subject,
                        NOTICE_ALL_SIGNED,
                        f"Mọi đơn vị thành viên đã ký Giao ước thi đua năm {year}: "
                        "mời đóng dấu của đơn vị Trưởng cụm.",
                    )
            return covenant_out(s, caller.actor, ctx)
    raise Conflict("Nhiều đơn vị đang ký cùng lúc. Hãy thử lại sau ít giây.", code="covenant_busy")


def _runners(s: Session, ctx: YearContext) -> list[User]:
    """The head unit's cluster approvers (they seal)."""
    if ctx.head_unit_id is None:
        return []
    return list(
        s.scalars(
            select(User)
            .join(RoleAssignment, RoleAssignment.user_id == User.id)
            .where(
                RoleAssignment.role == Role.CLUSTER_APPROVER,
                RoleAssignment.unit_id == ctx.head_unit_id,
            )
        )
    )


def _board(s: Session, ctx: YearContext) -> list[User]:
    return list(
        s.scalars(
            select(User)
            .join(RoleAssignment, RoleAssignment.user_id == User.id)
            .where(
                RoleAssignment.role.in_([Role.BOARD_SPECIALIST, Role.BOARD_HEAD]),
                RoleAssignment.authority_id == ctx.cluster.authority_id,
            )
        )
    )


# ---------------------------------------------------------------- seal


def _sealable(
    s: Session, actor: Actor, cluster_id: int, year: int, *, for_update: bool = False
) -> tuple[YearContext, ClusterCovenant, DocumentVersion]:
    ctx = load_year(s, actor, cluster_id, year)
    ctx.require_runs()
    if not rules.seals(actor, ctx.head_unit_id, ctx.term.id if ctx.term else None):
        raise Forbidden("Chỉ đơn vị Trưởng cụm đóng dấu Giao ước.", code="covenant_head_unit_only")
    row = store.covenant_of(s, ctx.row.id if ctx.row else None, for_update=for_update)
    signed = {x.unit_id for x in store.signatures(s, row.id if row else None)}
    rules.check_seal(_status(row), [x.unit_id for x in _signers(row)], signed)
    assert row is not None
    base = _latest_pdf(_document(s, row))
    if base is None or base.rendition != "pdf-personal":
        raise DocumentsNotReady()
    return ctx, row, base


def seal(rt: Runtime, caller: Caller, cluster_id: int, year: int) -> CovenantOut:
    """Runs in a worker thread: the head unit seals the covenant every member signed."""
    with rt.db.read() as s:
        ctx, row, base = _sealable(s, caller.actor, cluster_id, year)
        assert ctx.head_unit_id is not None and row.document_id is not None
        head = org_repo.unit(s, ctx.head_unit_id)
        doc_id = row.document_id
    stored, reports, day = asyncio.run(covenant_forms.seal(rt, doc_id, head.id, head.name))
    with rt.db.write() as s:
        user = _user(s, caller)
        ctx, row, now = _sealable(s, caller.actor, cluster_id, year, for_update=True)
        if now.id != base.id:
            raise Conflict("Giao ước vừa thay đổi. Hãy thử lại.", code="stale_version")
        assert ctx.row is not None
        record_in(s, doc_id, "pdf-signed", stored, "application/pdf", signatures=reports)
        row.status = CovenantStatus.SEALED
        row.sealed_at = utcnow()
        row.sealed_by = user.id
        s.flush()
        audit.append(
            s,
            kind="covenant_sealed",
            subject=ctx.row.subject,
            who=_who(s, user, Role.CLUSTER_APPROVER, ctx),
            data={
                "document_id": doc_id,
                "seal_of": head.name,
                "dated": day.isoformat(),
                "object_key": stored.key,
                "version_id": stored.version_id,
                "sha256": stored.sha256,
            },
        )
        told: set[int] = set()
        message = (
            f"Giao ước thi đua năm {year} của {ctx.cluster.name} đã được các đơn vị ký đủ "
            "và đóng dấu."
        )
        people = [store.unit_head(s, x.unit_id) for x in _signers(row)]
        for person in [*people, *_board(s, ctx)]:
            if person is None or person.id in told:
                continue
            told.add(person.id)
            notifications_repo.notify_once(s, person.id, ctx.row.subject, NOTICE_SEALED, message)
        return covenant_out(s, caller.actor, ctx)
