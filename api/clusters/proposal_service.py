"""The cluster's one proposal of the year (domain/cluster_proposal.py) as the API and the
pages use it: drafted from the closed vote by the head or deputy unit, signed by the head
unit's leader (TM. CỤM THI ĐUA) and sent to the board as ONE item; the board's specialist
strikes a nominee with a reason, the board's head approves it as a whole (each remaining
dossier approved, a round may take them) or returns it to the cluster. Services never
commit: the request's session does.

Signing runs in a worker thread in the order of every signed action (api/clusters/
plan_service.py issue_plan): the refusals that need no secret first, then the PIN, then
the Tờ trình prepared with the signer's name and signed personally, last one transaction
with the signed PDF, the transition, the audit event and the outbox row whose flow numbers
it in the cluster's series and seals it (issuing/cluster_proposal_forms.py).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

import anyio.from_thread
from sqlalchemy.orm import Session

from api.clusters.plan_service import leads
from api.clusters.proposal_schemas import (
    AwardGroupOut,
    BoardActionIn,
    EntryOut,
    ProposalOut,
    ProposalSummary,
)
from api.clusters.service import YearContext, load_year
from api.deps import Caller
from api.dossiers import approvals
from api.dossiers.service import flush
from api.rounds import service as rounds_service
from domain import cluster_proposal as rules
from domain import cluster_vote as vote_rules
from domain import rounds as rounds_rules
from domain.appraisal import Result
from domain.awards import AWARDS
from domain.errors import (
    Conflict,
    DocumentsNotReady,
    Forbidden,
    InvalidInput,
    NotFound,
    StaleVersion,
)
from domain.meetings import MeetingStatus
from domain.process import CLUSTER_PROPOSAL, STATUS_STAGE, Action, Stage, Status, decide
from domain.roles import Actor, Role
from domain.rounds import RoundScope
from domain.subjects import Subject, SubjectKind
from issuing import issue
from issuing.forms import jobs_for
from issuing.jobs import FormJob
from issuing.runtime import Runtime
from storage import audit, outbox
from storage import cluster_proposals as store
from storage import cluster_vote as vote_store
from storage.models import (
    AppraisalResult,
    ClusterProposal,
    ClusterProposalDossier,
    ClusterYear,
    Dossier,
    Meeting,
    User,
    utcnow,
)
from storage.repositories import documents as documents_repo
from storage.repositories import org as org_repo
from storage.repositories import steps
from storage.repositories import users as users_repo

NOT_FOUND = "Cụm chưa lập Tờ trình năm này."
STALE = "Tờ trình của Cụm đã được người khác thay đổi. Hãy tải lại rồi thử lại."


class ProposalInvalid(InvalidInput):
    """The proposal may not be signed yet: every problem listed."""

    code = "proposal_invalid"

    def __init__(self, problems: list[str], code: str = "proposal_invalid") -> None:
        self.problems = problems
        super().__init__("Tờ trình của Cụm chưa gửi được: " + " ".join(problems), code=code)

    def extra(self) -> dict[str, object]:
        return {"problems": self.problems}


VOTE_COUNTED = frozenset({MeetingStatus.CLOSED, MeetingStatus.SIGNED})
"""The vote is closed and counted (its Biên bản signed or not yet)."""


def _vote(s: Session, ctx: YearContext) -> Meeting | None:
    if ctx.row is None:
        return None
    return vote_store.vote_about(
        s, Subject(SubjectKind.CLUSTER_YEAR, ctx.row.id), vote_rules.PROCESS
    )


def _head_name(ctx: YearContext) -> str:
    head = next((u for u in ctx.members if u.id == ctx.head_unit_id), None)
    return head.name if head else ""


def _cluster_who(user: User, ctx: YearContext) -> audit.Who:
    return audit.Who(
        user.id,
        user.full_name,
        Role.CLUSTER_APPROVER.value,
        _head_name(ctx),
        f"Trưởng cụm, {ctx.cluster.name} ({ctx.year})",
    )


def _board_who(s: Session, user: User, role: Role, authority_id: int) -> audit.Who:
    place = org_repo.authority(s, authority_id).name
    return audit.Who(user.id, user.full_name, role.value, place, place)


def board_roles(actor: Actor, ctx: YearContext) -> frozenset[Role]:
    return rounds_rules.roles_over(actor, ctx.cluster.authority_id)


def minutes_document_id(s: Session, meeting: Meeting | None) -> int | None:
    """The signed Biên bản of the vote (storage/cluster_proposals.py `signed_minutes`)."""
    if meeting is None:
        return None
    doc = store.signed_minutes(s, meeting.id)
    return doc.id if doc is not None else None


def issued_document_id(s: Session, p: ClusterProposal) -> int | None:
    """The Tờ trình of the proposal's last signing, once numbered and sealed."""
    seq = _signed_seq(s, p)
    if seq is None:
        return None
    doc = documents_repo.document_of(s, p.subject, seq, rules.FORM, 0)
    if doc is None or not any(v.rendition == "pdf-signed" for v in doc.versions):
        return None
    return doc.id


def _signed_seq(s: Session, p: ClusterProposal) -> int | None:
    """The seq of the proposal's last signing step (draft/returned → board appraisal)."""
    for seq in range(p.transition_seq, 0, -1):
        t = steps.transition(s, p.subject, seq)
        if t is not None and t.to_status == rules.ProposalStatus.BOARD_APPRAISAL:
            return seq
    return None


def _problems(s: Session, p: ClusterProposal | None, meeting: Meeting | None) -> list[str]:
    live = [e for e in p.entries] if p is not None else []
    return rules.problems(len(live), minutes_document_id(s, meeting) is not None)


def _entries_out(s: Session, p: ClusterProposal, meeting: Meeting | None) -> list[AwardGroupOut]:
    results = rules.vote_results(meeting.tally if meeting is not None else None)
    settled = rules.settled_outcomes(meeting.tally if meeting is not None else None)
    by_id = {e.dossier_id: e for e in p.entries}
    groups = rules.by_award(
        (rules.Entry(e.dossier_id, e.award, "", e.struck_reason is not None) for e in p.entries),
        list(AWARDS),
    )
    out = []
    for award, entries in groups:
        rows = []
        for entry in entries:
            e = by_id[entry.dossier_id]
            d = s.get(Dossier, e.dossier_id)
            assert d is not None
            v = results.get(d.id)
            rows.append(
                EntryOut(
                    dossier_id=d.id,
                    title=d.title,
                    unit_name=d.unit.name,
                    nominees=[n.name for n in d.nominees],
                    dossier_status=d.status,
                    vote_passed=v.passed if v else settled.get(d.id, (None, ""))[0],
                    tally_text=rules.tally_text(v) if v else settled.get(d.id, (None, ""))[1],
                    struck=e.struck_reason is not None,
                    struck_reason=e.struck_reason,
                )
            )
        out.append(
            AwardGroupOut(
                award=award,
                award_name=AWARDS[award].name if award in AWARDS else award,
                entries=rows,
            )
        )
    return out


def proposal_out(s: Session, actor: Actor, ctx: YearContext) -> ProposalOut:
    p = store.proposal_of(s, ctx.row.id) if ctx.row is not None else None
    meeting = s.get(Meeting, p.meeting_id) if p is not None else _vote(s, ctx)
    closed = meeting is not None and meeting.status in VOTE_COUNTED
    status = rules.ProposalStatus(p.status) if p else rules.ProposalStatus.DRAFT
    editable = status in rules.EDITABLE
    board = board_roles(actor, ctx)
    minutes_id = minutes_document_id(s, meeting)
    doc_id = issued_document_id(s, p) if p is not None else None
    waiting = len(store.voted_dossiers(s, ctx.cluster.id, ctx.year, [u.id for u in ctx.members]))
    appraising = status == rules.ProposalStatus.BOARD_APPRAISAL
    return ProposalOut(
        cluster_id=ctx.cluster.id,
        cluster_name=ctx.cluster.name,
        year=ctx.year,
        exists=p is not None,
        id=p.id if p else None,
        status=status.value,
        status_label=rules.PROPOSAL_STATUS_LABELS[status],
        version=p.version if p else 0,
        number=p.number if p else None,
        issued_at=p.issued_at if p else None,
        meeting_id=meeting.id if meeting is not None else None,
        vote_closed=closed,
        minutes_document_id=minutes_id,
        minutes_url=f"/api/v1/documents/{minutes_id}/content" if minutes_id else None,
        waiting=waiting,
        groups=_entries_out(s, p, meeting) if p is not None else [],
        problems=_problems(s, p, meeting) if editable else [],
        return_reason=p.return_reason if p else None,
        round_id=p.round_id if p else None,
        document_id=doc_id,
        document_url=f"/api/v1/documents/{doc_id}/content" if doc_id else None,
        can_refresh=editable and ctx.access.runs and closed,
        can_sign=editable and p is not None and leads(actor, ctx),
        can_strike=appraising and Role.BOARD_SPECIALIST in board,
        can_approve=appraising and Role.BOARD_HEAD in board,
        can_return=appraising and bool(board & {Role.BOARD_HEAD, Role.BOARD_SPECIALIST}),
    )


def summaries(s: Session, actor: Actor) -> list[ProposalSummary]:
    """The proposals waiting at the boards the caller works for (their list of things
    to do)."""
    out: list[ProposalSummary] = []
    authorities = {
        g.authority_id
        for g in actor.grants
        if g.authority_id is not None and g.role in (Role.BOARD_SPECIALIST, Role.BOARD_HEAD)
    }
    for authority_id in sorted(authorities):
        for p in store.waiting_at_board(s, authority_id):
            year = s.get(ClusterYear, p.cluster_year_id)
            assert year is not None
            out.append(
                ProposalSummary(
                    id=p.id,
                    cluster_id=year.cluster_id,
                    cluster_name=year.cluster.name,
                    year=year.year,
                    status=p.status,
                    status_label=rules.PROPOSAL_STATUS_LABELS[rules.ProposalStatus(p.status)],
                    number=p.number,
                    dossiers=sum(1 for e in p.entries if e.struck_reason is None),
                )
            )
    return out


def year_of_proposal(s: Session, actor: Actor, proposal_id: int) -> YearContext:
    """The cluster year of a proposal, as `actor` may see it (404 otherwise)."""
    p = store.proposal(s, proposal_id)
    year = s.get(ClusterYear, p.cluster_year_id) if p is not None else None
    if year is None:
        raise NotFound(NOT_FOUND, code="proposal_not_found")
    return load_year(s, actor, year.cluster_id, year.year)


def _check_version(p: ClusterProposal | None, version: int | None) -> None:
    if version is not None and version != (p.version if p else 0):
        raise StaleVersion(STALE)


def _load(s: Session, ctx: YearContext, *, for_update: bool = False) -> ClusterProposal:
    p = store.proposal_of(s, ctx.row.id, for_update=for_update) if ctx.row is not None else None
    if p is None:
        raise NotFound(NOT_FOUND, code="proposal_not_found")
    return p


# ---------------------------------------------------------------- the cluster's draft


def refresh(
    s: Session, user: User, actor: Actor, cluster_id: int, year: int, version: int | None
) -> YearContext:
    """Create the draft, or refresh its list, from the closed vote: every dossier of the
    member units that passed it (status `cluster_voted`), grouped by award."""
    ctx = load_year(s, actor, cluster_id, year)
    ctx.require_runs()
    meeting = _vote(s, ctx)
    rules.check_vote_closed(
        meeting is not None, meeting is not None and meeting.status in VOTE_COUNTED
    )
    assert meeting is not None
    cy = ctx.ensure(s)
    p = store.proposal_of(s, cy.id, for_update=True)
    if p is not None:
        rules.check_editable(p.status)
    _check_version(p, version)
    dossiers = store.voted_dossiers(s, ctx.cluster.id, year, [u.id for u in ctx.members])
    rules.check_nominees(len(dossiers))
    created = p is None
    if p is None:
        p = ClusterProposal(
            cluster_year_id=cy.id,
            meeting_id=meeting.id,
            status=rules.ProposalStatus.DRAFT.value,
            created_by=user.id,
        )
        s.add(p)
    p.meeting_id = meeting.id
    p.entries.clear()
    flush(s)
    for i, d in enumerate(dossiers, 1):
        p.entries.append(ClusterProposalDossier(dossier_id=d.id, position_no=i, award=d.award))
    p.updated_at = utcnow()  # the list changed: a new version
    flush(s)
    audit.append(
        s,
        kind="cluster_proposal_created" if created else "cluster_proposal_refreshed",
        subject=p.subject,
        who=_cluster_who(user, ctx),
        data={
            "proposal_id": p.id,
            "cluster_id": ctx.cluster.id,
            "year": year,
            "meeting_id": meeting.id,
            "dossier_ids": [d.id for d in dossiers],
            "version": p.version,
        },
    )
    return ctx


# ---------------------------------------------------------------- signing


@dataclass(frozen=True)
class _Sign:
    subject: Subject
    seq: int
    job: FormJob
    version: int
    changed_at: datetime
    source: str


def _check_sign(s: Session, actor: Actor, cluster_id: int, year: int, version: int | None) -> _Sign:
    ctx = load_year(s, actor, cluster_id, year)
    p = store.proposal_of(s, ctx.row.id) if ctx.row is not None else None
    if p is not None:
        rules.check_editable(p.status)
    if not leads(actor, ctx):
        raise Forbidden(
            "Chỉ lãnh đạo đơn vị Trưởng cụm của năm ký Tờ trình của Cụm.",
            code="cluster_head_only",
        )
    if p is None:
        raise NotFound(NOT_FOUND, code="proposal_not_found")
    _check_version(p, version)
    meeting = s.get(Meeting, p.meeting_id)
    if meeting is None or meeting.status not in VOTE_COUNTED:
        raise Conflict("Cuộc bỏ phiếu bình xét chưa kết thúc.", code="vote_not_closed")
    rules.check_nominees(len(p.entries))
    if minutes_document_id(s, meeting) is None:
        raise ProposalInvalid(_problems(s, p, meeting), code="minutes_not_signed")
    _check_entries_waiting(s, p)
    if ctx.term is None:
        raise Conflict("Cụm chưa có đơn vị Trưởng cụm năm này.", code="no_cluster_term")
    step = CLUSTER_PROPOSAL.find(Action.APPROVE, p.status)
    assert step is not None
    seq = p.transition_seq + 1
    (job,) = jobs_for(s, p.subject, step, seq)
    return _Sign(p.subject, seq, job, p.version, p.updated_at, p.status)


def _check_entries_waiting(s: Session, p: ClusterProposal) -> None:
    """Every dossier of the list still waits for the Tờ trình (none returned meanwhile)."""
    moved = [
        e.dossier_id
        for e in p.entries
        if (d := s.get(Dossier, e.dossier_id)) is None or d.status != rules.VOTED_STATUS
    ]
    if moved:
        raise Conflict(
            "Hồ sơ số "
            + ", ".join(str(i) for i in moved)
            + " không còn chờ Tờ trình của Cụm: hãy lập lại danh sách.",
            code="proposal_outdated",
        )


def sign(
    rt: Runtime, caller: Caller, cluster_id: int, year: int, pin: str | None, version: int | None
) -> int:
    """Runs in a worker thread. The head unit's leader signs the Tờ trình; returns the
    outbox row to dispatch (the flow numbers it in the cluster's series and seals it)."""
    with rt.db.read() as s:
        plan = _check_sign(s, caller.actor, cluster_id, year, version)
    material = approvals.unlock(rt, caller, pin)
    anyio.from_thread.run(
        functools.partial(issue.prepare, rt, plan.job, caller.user.id, newer_than=plan.changed_at)
    )
    with rt.db.read() as s:
        doc = documents_repo.document_of(s, plan.subject, plan.seq, plan.job.form, 0)
        prepared = issue.latest(list(doc.versions), "pdf-prepared") if doc else None
        if doc is None or prepared is None:
            raise DocumentsNotReady()
        doc_id = doc.id
    stored, reports = anyio.from_thread.run(
        functools.partial(
            issue.sign_personally, rt, plan.job.title, prepared, caller.user, material
        )
    )
    with rt.db.write() as s:
        user = users_repo.user_by_id(s, caller.user.id)
        assert user is not None
        ctx = load_year(s, caller.actor, cluster_id, year)
        p = _load(s, ctx, for_update=True)
        if p.status != plan.source or p.version != plan.version:
            raise StaleVersion(STALE)
        issue.record_in(s, doc_id, "pdf-personal", stored, "application/pdf", signatures=reports)
        target = rules.ProposalStatus.BOARD_APPRAISAL.value
        p.status = target
        p.transition_seq = plan.seq
        p.return_reason = None
        p.number, p.issued_at = None, None  # this signing's number, once the flow gives it
        # The members' dossiers go with the Tờ trình: the board sees them from now on
        # (their status stays «Cụm đã bình xét» until the board decides the whole).
        for e in p.entries:
            d = s.get(Dossier, e.dossier_id)
            if d is not None and d.furthest_stage in (Stage.UNIT, Stage.CLUSTER):
                d.furthest_stage = Stage.BOARD.value
        steps.add(
            s,
            plan.subject,
            plan.seq,
            action=Action.APPROVE.value,
            source=plan.source,
            target=target,
            actor_id=user.id,
            role=Role.CLUSTER_APPROVER.value,
            reason=None,
        )
        flush(s)
        audit.append(
            s,
            kind="cluster_proposal_signed",
            subject=plan.subject,
            who=_cluster_who(user, ctx),
            from_status=plan.source,
            to_status=target,
            data={
                "proposal_id": p.id,
                "transition_seq": plan.seq,
                "meeting_id": p.meeting_id,
                "minutes_document_id": minutes_document_id(s, s.get(Meeting, p.meeting_id)),
                "dossier_ids": [e.dossier_id for e in p.entries],
                "signed": [
                    {
                        "document_id": doc_id,
                        "object_key": stored.key,
                        "version_id": stored.version_id,
                        "sha256": stored.sha256,
                    }
                ],
            },
        )
        return outbox.add_step(s, plan.subject, plan.seq).id


# ---------------------------------------------------------------- the board


def _appraising(
    s: Session, actor: Actor, cluster_id: int, year: int, version: int | None
) -> tuple[YearContext, ClusterProposal]:
    ctx = load_year(s, actor, cluster_id, year)
    p = _load(s, ctx, for_update=True)
    _check_version(p, version)
    if outbox.is_processing(s, p.subject):
        raise StaleVersion(
            "Tờ trình của Cụm đang được cấp số, đóng dấu. Hãy thử lại sau ít phút.",
            code="processing",
        )
    return ctx, p


def strike(
    s: Session,
    user: User,
    actor: Actor,
    cluster_id: int,
    year: int,
    dossier_id: int,
    reason: str,
    version: int | None,
) -> YearContext:
    """The board's specialist strikes one dossier of the proposal, with a reason."""
    ctx, p = _appraising(s, actor, cluster_id, year, version)
    if Role.BOARD_SPECIALIST not in board_roles(actor, ctx):
        raise Forbidden(
            "Chỉ chuyên viên Phòng Thi đua – Khen thưởng thẩm định Tờ trình của Cụm.",
            code="forbidden_action",
        )
    entry = next((e for e in p.entries if e.dossier_id == dossier_id), None)
    if entry is None:
        raise NotFound(
            f"Hồ sơ số {dossier_id} không có trong Tờ trình của Cụm.",
            code="dossier_not_in_proposal",
        )
    remaining = sum(1 for e in p.entries if e.struck_reason is None)
    rules.check_strikable(p.status, entry.struck_reason is not None, remaining)
    clean = rules.check_reason(reason)
    entry.struck_reason, entry.struck_by, entry.struck_at = clean, user.id, utcnow()
    p.updated_at = utcnow()
    flush(s)
    who = _board_who(s, user, Role.BOARD_SPECIALIST, ctx.cluster.authority_id)
    audit.append(
        s,
        kind="cluster_proposal_struck",
        subject=p.subject,
        who=who,
        reason=clean,
        data={"proposal_id": p.id, "dossier_id": dossier_id, "version": p.version},
    )
    audit.append(
        s,
        kind="struck_from_cluster_proposal",
        dossier_id=dossier_id,
        who=who,
        reason=clean,
        data={"proposal_id": p.id, "cluster_id": ctx.cluster.id, "year": year},
    )
    return ctx


def _move_dossier(
    s: Session,
    d: Dossier,
    target: Status,
    who: audit.Who,
    kind: str,
    data: dict[str, object],
    reason: str | None = None,
) -> None:
    source = d.status
    d.status = target.value
    d.furthest_stage = max(
        (Stage(d.furthest_stage), STATUS_STAGE[target]),
        key=lambda st: list(Stage).index(st),
    ).value
    flush(s)
    audit.append(
        s,
        kind=kind,
        dossier_id=d.id,
        who=who,
        from_status=source,
        to_status=target.value,
        reason=reason,
        data=data,
    )


def board_act(
    rt: Runtime, caller: Caller, cluster_id: int, year: int, action: Action, body: BoardActionIn
) -> int:
    """Runs in a worker thread: the board's head approves the proposal as a whole, or the
    board returns it to the cluster with a reason. Returns the outbox row to dispatch."""
    with rt.db.write() as s:
        user = users_repo.user_by_id(s, caller.user.id)
        assert user is not None
        actor = caller.actor
        ctx, p = _appraising(s, actor, cluster_id, year, body.version)
        scope = RoundScope(ctx.cluster.authority_id)
        t = decide(CLUSTER_PROPOSAL, p.status, actor, scope, action, reason=body.reason)
        role = next(r for r in sorted(t.roles) if actor.holds(r, scope))
        reason = rules.check_reason(body.reason) if t.needs_reason else None
        who = _board_who(s, user, role, ctx.cluster.authority_id)
        seq = p.transition_seq + 1
        base = {"proposal_id": p.id, "cluster_id": ctx.cluster.id, "year": year}
        approved: list[int] = []
        if t.action == Action.APPROVE:
            for e in p.entries:
                d = s.get(Dossier, e.dossier_id, with_for_update=True)
                assert d is not None
                if d.status != rules.VOTED_STATUS:
                    raise Conflict(
                        f"Hồ sơ số {d.id} không còn chờ Tờ trình của Cụm.",
                        code="proposal_outdated",
                    )
                if e.struck_reason is not None:
                    _move_dossier(
                        s,
                        d,
                        Status.REJECTED,
                        who,
                        "cluster_proposal_struck_rejected",
                        {**base, "number": p.number},
                        e.struck_reason,
                    )
                    continue
                for n in d.nominees:
                    if n.appraisal is None:
                        s.add(
                            AppraisalResult(
                                dossier_id=d.id,
                                nominee_id=n.id,
                                result=Result.PASSED.value,
                                note=f"Cụm bình xét đạt; Tờ trình của Cụm"
                                f"{' số ' + p.number if p.number else ''} được duyệt.",
                                recorded_by=user.id,
                            )
                        )
                _move_dossier(
                    s,
                    d,
                    Status.APPROVED,
                    who,
                    "cluster_proposal_approved",
                    {**base, "number": p.number},
                )
                approved.append(d.id)
        else:
            p.return_reason = reason
        p.status = str(t.target)
        p.transition_seq = seq
        p.updated_at = utcnow()
        steps.add(
            s,
            p.subject,
            seq,
            action=t.action,
            source=t.source,
            target=t.target,
            actor_id=user.id,
            role=role,
            reason=reason,
        )
        flush(s)
        audit.append(
            s,
            kind=f"cluster_proposal_{'approved' if t.action == Action.APPROVE else 'returned'}",
            subject=p.subject,
            who=who,
            from_status=t.source,
            to_status=t.target,
            reason=reason,
            data={
                **base,
                "transition_seq": seq,
                "approved": approved,
                "struck": [e.dossier_id for e in p.entries if e.struck_reason is not None],
            },
        )
        if t.action == Action.APPROVE and body.round_id is not None:
            _enter_round(s, user, actor, ctx, p, body.round_id, approved)
        return outbox.add_step(s, p.subject, seq).id


def _enter_round(
    s: Session,
    user: User,
    actor: Actor,
    ctx: YearContext,
    p: ClusterProposal,
    round_id: int,
    dossier_ids: list[int],
) -> None:
    if p.round_id is not None:
        raise Conflict(
            "Các hồ sơ của Tờ trình đã vào đợt xét khen thưởng.", code="already_in_round"
        )
    rounds_service.add_dossiers(s, user, actor, round_id, dossier_ids, None)
    p.round_id = round_id
    p.updated_at = utcnow()
    flush(s)
    audit.append(
        s,
        kind="cluster_proposal_entered_round",
        subject=p.subject,
        who=_board_who(s, user, Role.BOARD_SPECIALIST, ctx.cluster.authority_id),
        data={"proposal_id": p.id, "round_id": round_id, "dossier_ids": dossier_ids},
    )


def enter_round(
    s: Session,
    user: User,
    actor: Actor,
    cluster_id: int,
    year: int,
    round_id: int,
    version: int | None,
) -> YearContext:
    """The board's specialist puts an approved proposal's dossiers into an open round."""
    ctx = load_year(s, actor, cluster_id, year)
    p = _load(s, ctx, for_update=True)
    _check_version(p, version)
    if p.status != rules.ProposalStatus.APPROVED:
        raise Conflict(
            "Tờ trình của Cụm chưa được duyệt: chưa đưa vào đợt được.", code="proposal_not_approved"
        )
    ids = [e.dossier_id for e in p.entries if e.struck_reason is None]
    _enter_round(s, user, actor, ctx, p, round_id, ids)
    return ctx
