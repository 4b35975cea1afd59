"""Dossier use cases: create, edit, act. Each runs inside the caller's transaction and
never commits; an action writes the new state, the transition, the audit event and the
outbox row together, so the flow starts only for what was committed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from api.dossiers import eligibility
from api.dossiers.schemas import ActionIn, DossierCreate, DossierPatch, NomineeIn
from api.people import service as people
from core.settings import get_settings
from documents.vn import today_vn
from domain import appraisal
from domain import cluster_vote as vote_rules
from domain.awards import AWARDS, NomineeFacts, NomineeKind, dossier_problems
from domain.cluster_plan import PlanStatus
from domain.delegation import DelegationEnded
from domain.errors import (
    CertificateNotAttached,
    DocumentsNotReady,
    Forbidden,
    IllegalTransition,
    InvalidInput,
    NotEditable,
    NotFound,
    OwnReportsUnsigned,
    SigningPinRequired,
    StaleVersion,
)
from domain.process import (
    CLUSTER_VOTED_PROPOSAL,
    COMMENDATION_PROPOSAL,
    EDITABLE,
    PROCESSES,
    STAGE_ORDER,
    STATUS_STAGE,
    Action,
    Stage,
    Status,
    Transition,
    allowed_actions,
    decide,
)
from domain.roles import Actor, Role
from domain.search import fold
from issuing.forms import FormJob, plan_next
from issuing.issue import personal_key, record_in
from storage import audit, delegations, outbox
from storage import cluster_plans as plans_store
from storage import clusters as clusters_store
from storage.models import (
    DocumentVersion,
    Dossier,
    Nominee,
    NomineeInitiative,
    OutboxItem,
    User,
    utcnow,
)
from storage.objects import StoredObject
from storage.repositories import appraisal as appraisal_repo
from storage.repositories import documents as documents_repo
from storage.repositories import dossiers as dossiers_repo
from storage.repositories import org as org_repo
from storage.repositories import steps
from storage.repositories import users as users_repo


def visible_dossier(
    s: Session, actor: Actor, dossier_id: int, *, for_update: bool = False
) -> Dossier:
    """The dossier if the actor may see it; otherwise 404, so ids cannot be probed."""
    d = dossiers_repo.dossier(s, dossier_id, for_update=for_update)
    if d is None or not actor.can_view(dossiers_repo.scope_of(s, d)):
        raise NotFound("Không tìm thấy hồ sơ.", code="dossier_not_found")
    return d


def actions_for(
    s: Session, actor: Actor, d: Dossier, *, processing: bool | None = None
) -> list[str]:
    """What the actor may do now (nothing while the previous step is being processed)."""
    if outbox.is_processing(s, d.id) if processing is None else processing:
        return []
    process = PROCESSES[d.process]
    return [
        str(a)
        for a in allowed_actions(process, Status(d.status), actor, dossiers_repo.scope_of(s, d))
    ]


def _award(code: str) -> None:
    if code not in AWARDS:
        raise InvalidInput(f"Không có loại khen thưởng «{code}».", code="unknown_award")


def _nominees(
    s: Session,
    user: User,
    actor: Actor,
    unit_id: int,
    items: list[NomineeIn],
    previous: dict[tuple[str, str], int] | None = None,
) -> list[Nominee]:
    """The nominees, each linked to its record in the registry (api/people/service.py:
    found, or made from the nominee's details)."""
    accounts = _accounts(s, unit_id, items)
    links = people.link_nominees(s, user, actor, unit_id, items, previous or {})
    nominees = [
        Nominee(
            position_no=i,
            kind=n.kind.value,
            name=n.name,
            job_title=n.job_title,
            unit_name=n.unit_name,
            achievements=n.achievements,
            user_id=accounts[n.account].id if n.account else None,
            birth_date=n.birth_date,
            gender=n.gender.value if n.gender else None,
            ethnicity=n.ethnicity,
            opinion_category=str(n.opinion_category) if n.opinion_category else None,
            person_id=link.person_id,
            collective_id=link.collective_id,
        )
        for i, (n, link) in enumerate(zip(items, links, strict=True), start=1)
    ]
    return nominees


def _linked(d: Dossier) -> dict[tuple[str, str], int]:
    """The records the dossier's nominees refer to, by kind and folded name: a save that
    names them again keeps them."""
    out: dict[tuple[str, str], int] = {}
    for n in d.nominees:
        holder = n.person_id if n.kind == NomineeKind.INDIVIDUAL else n.collective_id
        if holder is not None:
            out[n.kind, fold(n.name)] = holder
    return out


_Kept = dict[tuple[str, str], tuple[list[dict[str, Any]], dict[str, Any] | None]]


def _eligibility_kept(nominees: list[Nominee]) -> _Kept:
    """The initiatives and counts of the nominees about to be replaced, by kind and name:
    a nominee sent again without them (the page's editor has no such fields) keeps them."""
    return {
        (n.kind, fold(n.name)): (
            [
                {
                    "title": i.title,
                    "scope": i.scope,
                    "recognized_by": i.recognized_by,
                    "recognized_on": i.recognized_on,
                    "applied": i.applied,
                    "document_id": i.document_id,
                }
                for i in n.initiatives
            ],
            n.collective_counts,
        )
        for n in nominees
    }


def _eligibility_inputs(
    s: Session,
    dossier_id: int | None,
    nominees: list[Nominee],
    items: list[NomineeIn],
    before: _Kept | None = None,
) -> None:
    """What the eligibility rules read from the proposal (domain/eligibility.py): a
    collective's counts, the initiatives (a certificate must be an attachment of this
    dossier). A field not sent keeps what the same nominee had (`before`)."""
    attached = (
        {a.id for a in documents_repo.attachments_of(s, dossier_id, current=True)}
        if dossier_id is not None and any(i.document_id for n in items for i in n.initiatives)
        else set()
    )
    for index, (n, item) in enumerate(zip(nominees, items, strict=True)):
        old_initiatives, old_counts = (before or {}).get((n.kind, fold(n.name)), ([], None))
        if "collective_counts" in item.model_fields_set or not old_counts:
            n.collective_counts = (
                item.collective_counts.model_dump() if item.collective_counts else None
            )
        else:
            n.collective_counts = old_counts
        if "initiatives" not in item.model_fields_set and old_initiatives:
            for data in old_initiatives:
                n.initiatives.append(NomineeInitiative(title_key=fold(str(data["title"])), **data))
            continue
        for j, i in enumerate(item.initiatives):
            if i.document_id is not None and i.document_id not in attached:
                raise CertificateNotAttached(
                    i.title, f"nominees.{index}.initiatives.{j}.document_id"
                )
            n.initiatives.append(
                NomineeInitiative(
                    title=i.title,
                    title_key=fold(i.title),
                    scope=i.scope,
                    recognized_by=i.recognized_by,
                    recognized_on=i.recognized_on,
                    applied=i.applied,
                    document_id=i.document_id,
                )
            )


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _accounts(s: Session, unit_id: int, items: list[NomineeIn]) -> dict[str, User]:
    """The accounts individual nominees are linked to: of the dossier's unit, and the
    person the report is about (the same full name), each at most once."""
    wanted = [n for n in items if n.account]
    if not wanted:
        return {}
    found = {u.username: u for u in users_repo.unit_accounts(s, unit_id)}
    seen: set[str] = set()
    for n in wanted:
        assert n.account is not None
        user = found.get(n.account.lower())
        if n.kind != NomineeKind.INDIVIDUAL:
            raise InvalidInput(
                f"Chỉ cá nhân mới gắn với tài khoản; «{n.name}» là tập thể.",
                code="account_for_collective",
            )
        if user is None:
            raise InvalidInput(
                f"Không có tài khoản «{n.account}» trong đơn vị để gắn với «{n.name}».",
                code="account_not_in_unit",
            )
        if not _same_name(user.full_name, n.name):
            raise InvalidInput(
                f"Tài khoản «{n.account}» là của «{user.full_name}», không phải «{n.name}».",
                code="account_name_mismatch",
            )
        if user.username in seen:
            raise InvalidInput(
                f"Tài khoản «{n.account}» đã gắn với một cá nhân khác trong hồ sơ.",
                code="account_repeated",
            )
        seen.add(user.username)
    return {n.account: found[n.account.lower()] for n in wanted if n.account}


def _default_title(award_code: str, year: int, unit_name: str) -> str:
    return f"Đề nghị tặng {AWARDS[award_code].name} năm {year} – {unit_name}"


def create(s: Session, user: User, actor: Actor, body: DossierCreate) -> Dossier:
    _award(body.award)
    clerk_units = [g.unit_id for g in actor.grants if g.role == Role.UNIT_CLERK and g.unit_id]
    if not clerk_units:
        raise Forbidden(
            "Chỉ cán bộ phụ trách TĐKT của đơn vị được lập hồ sơ.", code="forbidden_action"
        )
    unit_id = body.unit_id or clerk_units[0]
    if unit_id not in clerk_units:
        raise Forbidden("Bạn không phụ trách TĐKT của đơn vị này.", code="forbidden_action")
    unit = org_repo.unit(s, unit_id)
    d = Dossier(
        process=AWARDS[body.award].process,
        award=body.award,
        year=body.year,
        title=body.title or _default_title(body.award, body.year, unit.name),
        unit_id=unit.id,
        # The cluster the unit belongs to on the day the dossier is made (a division
        # decision may already be recorded for a later day): it stays with the dossier.
        cluster_id=clusters_store.cluster_id_of(s, unit.id, today_vn()) or unit.cluster_id,
        authority_id=unit.authority_id,
        status=Status.DRAFT,
        furthest_stage=Stage.UNIT,
        created_by=user.id,
        nominees=_nominees(s, user, actor, unit.id, body.nominees),
    )
    _eligibility_inputs(s, None, d.nominees, body.nominees)
    s.add(d)
    s.flush()
    audit.append(
        s,
        kind="created",
        dossier_id=d.id,
        who=_who(user, Role.UNIT_CLERK, unit.name),
        to_status=d.status,
        data={"title": d.title, "nominees": len(d.nominees)},
    )
    return d


def update(s: Session, user: User, actor: Actor, dossier_id: int, body: DossierPatch) -> Dossier:
    d = visible_dossier(s, actor, dossier_id, for_update=True)
    if not actor.holds(Role.UNIT_CLERK, dossiers_repo.scope_of(s, d)):
        raise Forbidden(
            "Chỉ cán bộ phụ trách TĐKT của đơn vị được sửa hồ sơ.", code="forbidden_action"
        )
    if Status(d.status) not in EDITABLE:
        raise NotEditable()
    if outbox.is_processing(s, d.id):
        raise NotEditable("Hồ sơ đang được xử lý, chưa sửa được.", code="processing")
    if body.version != d.version:
        raise StaleVersion()
    changed: list[str] = []
    if body.award is not None and body.award != d.award:
        _award(body.award)
        d.award, d.process = body.award, AWARDS[body.award].process
        changed.append("award")
    if body.year is not None and body.year != d.year:
        d.year = body.year
        changed.append("year")
    if body.title is not None and body.title != d.title:
        d.title = body.title
        changed.append("title")
    if body.nominees is not None:
        previous = _linked(d)
        before = _eligibility_kept(d.nominees)
        d.nominees.clear()
        s.flush()
        d.nominees.extend(_nominees(s, user, actor, d.unit_id, body.nominees, previous))
        _eligibility_inputs(s, d.id, d.nominees, body.nominees, before)
        changed.append("nominees")
    d.updated_at = utcnow()  # also bumps `version` when only nominees changed
    _flush(s)
    audit.append(
        s,
        kind="edited",
        dossier_id=d.id,
        who=_who(user, Role.UNIT_CLERK, d.unit.name),
        from_status=d.status,
        to_status=d.status,
        data={"changed": changed},
    )
    return d


@dataclass(frozen=True)
class ToSign:
    """A prepared PDF the approver must sign to approve, and the job that made it."""

    document_id: int
    prepared: DocumentVersion
    job: FormJob
    base: DocumentVersion
    """What the approver signs on: the prepared PDF, or the copy the individual it is
    about signed first (then the approver's signature is not the certifying one)."""
    fresh_after: datetime | None = None
    """The data the form prints changed then (appraisal results): a PDF prepared before
    is prepared again."""


@dataclass(frozen=True)
class OwnReport:
    """An individual nominee's own report, where the process asks them to sign it."""

    nominee: Nominee
    document_id: int | None
    prepared: DocumentVersion | None
    signed: DocumentVersion | None
    """Their signed copy of the current prepared version, once they signed."""


def own_reports(s: Session, d: Dossier) -> list[OwnReport]:
    """The reports that linked individuals sign in the dossier's current state (none in
    any other state)."""
    own = PROCESSES[d.process].own_signature(Status(d.status))
    if own is None:
        return []
    found = []
    for n in d.nominees:
        if n.kind != NomineeKind.INDIVIDUAL or n.user_id is None:
            continue
        doc = documents_repo.find_document(s, d.id, d.transition_seq + 1, own.form, n.position_no)
        versions = list(doc.versions) if doc else []
        prepared = next((v for v in reversed(versions) if v.rendition == "pdf-prepared"), None)
        signed = next(
            (
                v
                for v in reversed(versions)
                if v.rendition == documents_repo.REPORTER_RENDITION
                and prepared is not None
                and v.seq > prepared.seq
            ),
            None,
        )
        found.append(OwnReport(n, doc.id if doc else None, prepared, signed))
    return found


def reports_to_sign_by(s: Session, d: Dossier, user_id: int) -> list[OwnReport]:
    """The caller's own reports that wait for their signature, or why they cannot sign."""
    if PROCESSES[d.process].own_signature(Status(d.status)) is None:
        raise IllegalTransition(
            "Chỉ ký báo cáo thành tích của mình khi hồ sơ đang chờ thủ trưởng đơn vị duyệt."
        )
    mine = [r for r in own_reports(s, d) if r.nominee.user_id == user_id]
    if not mine:
        raise Forbidden(
            "Bạn không phải cá nhân được đề nghị trong hồ sơ này.", code="forbidden_action"
        )
    if outbox.is_processing(s, d.id):
        raise StaleVersion("Hồ sơ đang được xử lý. Hãy thử lại sau ít phút.", code="processing")
    waiting = [r for r in mine if r.signed is None]
    if not waiting:
        raise IllegalTransition("Bạn đã ký báo cáo thành tích của mình.", code="already_signed")
    if any(r.prepared is None or r.document_id is None for r in waiting):
        raise DocumentsNotReady()
    return waiting


def record_own_signatures(
    s: Session, user: User, actor: Actor, dossier_id: int, signed: Sequence[Signed]
) -> Dossier:
    """Record the individual's signed reports and the event, in the caller's transaction;
    refused if the dossier moved or its reports were prepared again meanwhile."""
    d = visible_dossier(s, actor, dossier_id, for_update=True)
    expected = {
        r.document_id: personal_key(r.prepared, user.id, documents_repo.REPORTER_RENDITION)
        for r in reports_to_sign_by(s, d, user.id)
        if r.prepared is not None
    }
    if expected != {x.document_id: x.stored.key for x in signed}:
        raise DocumentsNotReady(
            "Báo cáo thành tích vừa được chuẩn bị lại. Hãy tải lại trang rồi ký lại."
        )
    for x in signed:
        record_in(
            s,
            x.document_id,
            documents_repo.REPORTER_RENDITION,
            x.stored,
            "application/pdf",
            signatures=x.signatures,
        )
    role = next((Role(g.role) for g in actor.grants if g.unit_id == d.unit_id), Role.UNIT_MEMBER)
    audit.append(
        s,
        kind="report_signed",
        dossier_id=d.id,
        who=_who(user, role, d.unit.name),
        from_status=d.status,
        to_status=d.status,
        data={"signed": [x.as_data() for x in signed]},
    )
    return d


@dataclass(frozen=True)
class Signed:
    """The approver's signed PDF of one document, stored, not yet recorded."""

    document_id: int
    stored: StoredObject
    signatures: list[dict[str, object]]

    def as_data(self) -> dict[str, object]:
        """The signed file as the history records it."""
        return {
            "document_id": self.document_id,
            "object_key": self.stored.key,
            "version_id": self.stored.version_id,
            "sha256": self.stored.sha256,
        }


def check(
    s: Session, actor: Actor, dossier_id: int, action: Action, body: ActionIn
) -> tuple[Dossier, Transition]:
    """Every refusal of an action, without changing anything (so that a wrong person or
    a wrong state is answered before a PIN is tried or a file is signed)."""
    d = visible_dossier(s, actor, dossier_id)
    return d, _decide(s, actor, d, action, body)


def to_sign(s: Session, d: Dossier, t: Transition) -> list[ToSign]:
    """The prepared PDFs an approval signs: the forms of step `transition_seq + 1`."""
    if t.action != Action.APPROVE or not t.forms:
        return []
    fresh_after = appraisal_repo.appraisal_changed_at(s, d.id) if t.checks_appraisal else None
    own = {r.document_id: r.signed for r in own_reports(s, d) if r.signed is not None}
    items = []
    for job in plan_next(s, d.id, d.transition_seq):
        doc = documents_repo.find_document(s, d.id, job.seq, job.form, job.copy_no)
        prepared = [v for v in (doc.versions if doc else []) if v.rendition == "pdf-prepared"]
        if doc is None or not prepared:
            raise DocumentsNotReady()
        base = own.get(doc.id) or prepared[-1]
        items.append(ToSign(doc.id, prepared[-1], job, base, fresh_after))
    return items


def check_signable(items: Sequence[ToSign], user: User) -> None:
    """A report its individual signed on a copy prepared for another approver cannot be
    prepared again for this one without losing that signature: refused before the PIN."""
    for item in items:
        if item.base is not item.prepared and item.prepared.prepared_for_id != user.id:
            raise DocumentsNotReady(
                f"«{item.job.title}» đã được cá nhân ký trên bản chuẩn bị cho một thủ trưởng "
                "khác; chỉ người đó duyệt được bản này (hoặc trả lại hồ sơ để lập lại).",
                code="prepared_for_another_signer",
            )


def completeness_problems(s: Session, d: Dossier) -> list[str]:
    """What keeps the dossier from being submitted today: nominees, and the documents
    its award requires under the rules in force today (domain/required_documents.py)."""
    kinds = {a.kind or "" for a in documents_repo.attachments_of(s, d.id, current=True)}
    return dossier_problems(
        AWARDS[d.award],
        [NomineeFacts(NomineeKind(n.kind), n.name, n.achievements) for n in d.nominees],
        kinds,
        today_vn(),
    )


def route_at_cluster(s: Session, d: Dossier) -> str:
    """The process a dossier takes as its unit head sends it to the cluster: the cluster's
    year-end vote for the awards it votes on, where the cluster runs its year here
    (domain/cluster_vote.py `is_voted`); else one approval at the cluster."""
    if d.process not in (COMMENDATION_PROPOSAL.code, CLUSTER_VOTED_PROPOSAL.code):
        return d.process
    plan = plans_store.plan_of_year(s, d.cluster_id, d.year) if d.cluster_id else None
    voted = vote_rules.is_voted(
        d.award,
        [n.kind for n in d.nominees],
        vote_rules.voted_awards(get_settings().cluster_vote_awards),
        plan_issued=plan is not None and plan.status == PlanStatus.ISSUED,
    )
    return CLUSTER_VOTED_PROPOSAL.code if voted else COMMENDATION_PROPOSAL.code


def _process_for(s: Session, d: Dossier, action: Action) -> str:
    if action == Action.APPROVE and d.status == Status.UNIT_REVIEW:
        return route_at_cluster(s, d)
    return d.process


def _decide(s: Session, actor: Actor, d: Dossier, action: Action, body: ActionIn) -> Transition:
    if body.version is not None and body.version != d.version:
        raise StaleVersion()
    scope = dossiers_repo.scope_of(s, d)
    if action == Action.APPROVE and d.status == Status.CLUSTER_VOTE and actor.can_view(scope):
        vote_rules.check_vote_approval()
    problems = completeness_problems(s, d)
    process = PROCESSES[_process_for(s, d, action)]
    try:
        t = decide(
            process, Status(d.status), actor, scope, action, reason=body.reason, problems=problems
        )
    except (Forbidden, IllegalTransition) as refused:
        _delegation_ended(s, actor, d, action, refused)
        raise
    if outbox.is_processing(s, d.id):
        raise StaleVersion(
            "Bước trước của hồ sơ đang được xử lý. Hãy thử lại sau ít phút.", code="processing"
        )
    if t.action == Action.SUBMIT:
        eligibility.check_submission(s, d, body.eligibility_explanations)
    if t.checks_appraisal:
        results = [(n, appraisal_repo.appraisal_of(n.appraisal)) for n in d.nominees]
        appraisal.check_complete([(n.name, a) for n, a in results])
        eligibility.check_approval(s, d, {n.id for n, a in results if a is not None and a.passed})
    if t.action == Action.APPROVE and process.own_signature(t.source) is not None:
        unsigned = [r.nominee.name for r in own_reports(s, d) if r.signed is None]
        if unsigned:
            listed = ", ".join(f"«{n}»" for n in unsigned)
            raise OwnReportsUnsigned(
                f"Chưa duyệt được: cá nhân chưa ký báo cáo thành tích của mình: {listed}. "
                "Họ thấy hồ sơ trong mục việc cần làm của mình."
            )
    return t


def act(
    s: Session,
    user: User,
    actor: Actor,
    dossier_id: int,
    action: Action,
    body: ActionIn,
    signed: Sequence[Signed] = (),
) -> tuple[Dossier, OutboxItem | None]:
    """Take the action: new state, transition, the approver's signed PDFs, audit event and
    outbox row, in the caller's one transaction."""
    d = visible_dossier(s, actor, dossier_id, for_update=True)
    t = _decide(s, actor, d, action, body)
    scope = dossiers_repo.scope_of(s, d)
    expected = {item.document_id for item in to_sign(s, d, t)}
    if expected != {x.document_id for x in signed}:
        raise SigningPinRequired()
    for x in signed:
        record_in(
            s, x.document_id, "pdf-personal", x.stored, "application/pdf", signatures=x.signatures
        )
    role = next(r for r in t.roles if actor.holds(r, scope))
    acting_unit = _acting_unit_name(s, actor, role, d)
    # Under a delegation the act is the delegate's, for the delegator: the history says both.
    under = delegations.acting_under(s, actor, role, scope)
    explained = (
        eligibility.record_explanations(
            s, user, eligibility.check_submission(s, d, body.eligibility_explanations)
        )
        if t.action == Action.SUBMIT
        else []
    )
    d.process = _process_for(s, d, t.action)
    reason = body.reason.strip() if body.reason else None
    item = record_step(
        s,
        d,
        t,
        actor_id=user.id,
        role=role,
        who=_who(user, role, acting_unit, delegations.on_behalf_text(under) if under else None),
        reason=reason,
        data={
            "signed": [x.as_data() for x in signed],
            **({"eligibility_explanations": explained} if explained else {}),
        },
    )
    return d, item


def record_step(
    s: Session,
    d: Dossier,
    t: Transition,
    *,
    actor_id: int,
    role: Role,
    who: audit.Who,
    reason: str | None,
    data: dict[str, Any],
) -> OutboxItem:
    """Move the dossier by `t` (its process's transition, already decided): the new
    state, the step, the audit event and the outbox row of its flow — whoever takes it, a
    person's action or the cluster vote's close in its chair's name."""
    d.status = t.target
    d.furthest_stage = _furthest(Stage(d.furthest_stage), STATUS_STAGE[Status(t.target)])
    d.transition_seq += 1
    steps.add(
        s,
        d.subject,
        d.transition_seq,
        action=t.action,
        source=t.source,
        target=t.target,
        actor_id=actor_id,
        role=role,
        reason=reason,
    )
    _flush(s)
    audit.append(
        s,
        kind=t.action,
        dossier_id=d.id,
        who=who,
        from_status=t.source,
        to_status=t.target,
        reason=reason,
        data={
            "transition_seq": d.transition_seq,
            "forms": [f.form for f in t.forms],
            **data,
        },
    )
    return _outbox(s, d, t)


def _outbox(s: Session, d: Dossier, t: Transition) -> OutboxItem:
    """Every committed step gets a flow run (documents, routing, notifications)."""
    return outbox.add_step(s, d.subject, d.transition_seq)


def _furthest(a: Stage, b: Stage) -> Stage:
    return max(a, b, key=STAGE_ORDER.index)


def flush(s: Session) -> None:
    """Write pending changes; a row another request changed since it was read is a stale
    version (409)."""
    _flush(s)


def _flush(s: Session) -> None:
    try:
        s.flush()
    except StaleDataError as e:  # another request changed the row since we read it
        raise StaleVersion() from e


def _acting_unit_name(s: Session, actor: Actor, role: Role, d: Dossier) -> str:
    if role in (Role.UNIT_CLERK, Role.UNIT_HEAD):
        return d.unit.name
    if role == Role.CLUSTER_APPROVER:
        scope = dossiers_repo.scope_of(s, d)
        for g in actor.grants:
            if g.role == role and g.unit_id in scope.cluster_leader_unit_ids:
                return org_repo.unit(s, g.unit_id).name
        c = org_repo.cluster(s, d.cluster_id)
        return c.name if c else ""
    return org_repo.authority(s, d.authority_id).name


def _delegation_ended(
    s: Session, actor: Actor, d: Dossier, action: Action, refused: Exception
) -> None:
    """Refused a step whose role the user held only by a delegation that has ended: say
    so (403), rather than that the dossier is at another step."""
    step = PROCESSES[_process_for(s, d, action)].find(action, Status(d.status))
    if step is None or actor.holds_any(step.roles, dossiers_repo.scope_of(s, d)):
        return
    ended = delegations.ended_for(s, actor.user_id, step.roles, today_vn())
    if ended is not None:
        raise DelegationEnded(
            f"Việc ủy quyền của {ended.delegator.full_name} cho bạn "
            f"(từ {ended.valid_from:%d/%m/%Y} đến {ended.valid_to:%d/%m/%Y}) đã "
            + ("bị thu hồi." if ended.revoked_at is not None else "hết hạn.")
        ) from refused


def _who(user: User, role: Role, unit_name: str, on_behalf_of: str | None = None) -> audit.Who:
    return audit.Who(user.id, user.full_name, str(role), unit_name, on_behalf_of)


__all__ = ["Action", "act", "actions_for", "create", "update", "visible_dossier"]
