"""Dossier endpoints: thin wrappers over the service, one transaction each."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError
from sqlalchemy.orm import Session

from api.audit import service as audit_service
from api.audit.schemas import HistoryEntry
from api.deps import Caller, CurrentReader, CurrentWriter, ReadSession, RuntimeDep, WriteSession
from api.dossiers import appraisal, approvals, eligibility, service
from api.dossiers.approvals import read_action
from api.dossiers.deadlines import DeadlineOut, dossier_deadlines
from api.dossiers.progress import StepProgress, step_progress
from api.dossiers.schemas import (
    ActionOut,
    AppraisalIn,
    AppraisalOut,
    AwardResultOut,
    BulkApproveIn,
    BulkApproveOut,
    CollectiveCountsOut,
    DossierCreate,
    DossierOut,
    DossierPage,
    DossierPatch,
    DossierSummary,
    InitiativeOut,
    NomineeOut,
    OwnReportSignIn,
    RoundRef,
)
from domain.awards import AWARDS
from domain.decisions import award_result_text, decision_label
from domain.errors import InvalidInput
from domain.personal_data import sees_personal_data
from domain.process import STAGE_LABELS, STATUS_LABELS, STATUS_STAGE, Action, Status
from domain.roles import Actor
from domain.rounds import in_round_label
from issuing.runtime import Runtime
from storage import outbox
from storage import rounds as rounds_store
from storage.decisions import awarded_by, results_of_dossier, revoked_records_of_dossier
from storage.models import AwardRecord, DecisionAmendment, Dossier, Nominee
from storage.repositories import dossiers as dossiers_repo
from storage.repositories import users as users_repo

router = APIRouter(prefix="/api/v1", tags=["dossiers"])
log = logging.getLogger("tdkt.api")

EVENT_LABELS = {
    "created": "Lập hồ sơ",
    "edited": "Sửa hồ sơ",
    "attachment_added": "Thêm tài liệu kèm theo",
    "attachment_removed": "Gỡ bỏ tài liệu kèm theo",
    "attachment_replaced": "Thay tệp tài liệu kèm theo",
    "submit": "Trình hồ sơ",
    "approve": "Duyệt và ký",
    "return": "Trả lại hồ sơ",
    "reject": "Không đề nghị khen thưởng",
    "withdraw": "Rút hồ sơ",
    "appraisal_recorded": "Ghi kết quả thẩm định",
    "report_signed": "Cá nhân ký báo cáo thành tích của mình",
    "documents_issued": "Phát hành văn bản (điền mẫu, ký số, lưu trữ)",
    "routed": "Chuyển bước tiếp theo",
    "added_to_round": "Đưa vào đợt xét khen thưởng",
    "removed_from_round": "Bỏ ra khỏi đợt xét khen thưởng",
    "nominee_category_set": "Ghi loại đối tượng cần lấy ý kiến hiệp y",
    "awarded": "Đã khen thưởng theo quyết định",
    "not_awarded": "Không được khen thưởng theo quyết định",
    "award_revoked": "Thu hồi khen thưởng theo quyết định thu hồi",
    "award_corrected": "Đính chính quyết định khen thưởng",
    "eligibility_overridden": "Chấp thuận điều kiện khen thưởng chưa đạt",
    "overdue_escalated": "Báo quá hạn cho cấp trên (nhắc việc)",
    "struck_from_cluster_proposal": "Bị loại khỏi Tờ trình của Cụm khi thẩm định",
    "cluster_proposal_approved": "Được duyệt theo Tờ trình của Cụm",
    "cluster_proposal_struck_rejected": "Không được đề nghị: bị loại khỏi Tờ trình của Cụm",
}


def award_result_out(rec: AwardRecord, revoked: DecisionAmendment | None) -> AwardResultOut:
    """What the decision did for the nominee (and a revoking decision since), with the
    text the dossier's page shows."""
    book = f"{rec.certificate_no}/{rec.certificate_year}" if rec.certificate_no else None
    revoked_by = decision_label(revoked.number, revoked.decided_on) if revoked else None
    return AwardResultOut(
        awarded=rec.awarded,
        reason=rec.reason,
        decision_number=rec.decision_number,
        decision_date=rec.decision_date,
        certificate_no=rec.certificate_no,
        certificate_year=rec.certificate_year,
        revoked_by=revoked_by,
        text=award_result_text(
            rec.awarded, rec.reason, rec.decision_number, rec.decision_date, book, revoked_by
        ),
    )


def nominee_out(
    n: Nominee,
    personal: bool,
    *,
    account: str | None = None,
    own_report: str | None = None,
    award: AwardRecord | None = None,
    revoked: DecisionAmendment | None = None,
) -> NomineeOut:
    """`personal`: whether the reader may see the date of birth and ethnicity
    (domain/personal_data.py); `account`, `own_report` and `award`: see NomineeOut."""
    return NomineeOut(
        id=n.id,
        kind=n.kind,
        name=n.name,
        job_title=n.job_title,
        unit_name=n.unit_name,
        achievements=n.achievements,
        gender=n.gender,
        birth_date=n.birth_date if personal else None,
        ethnicity=n.ethnicity if personal else None,
        account=account,
        own_report=own_report,
        opinion_category=n.opinion_category,
        award_result=award_result_out(award, revoked) if award is not None else None,
        person_id=n.person_id,
        collective_id=n.collective_id,
        initiatives=[
            InitiativeOut(
                title=i.title,
                scope=i.scope,
                recognized_by=i.recognized_by,
                recognized_on=i.recognized_on,
                applied=i.applied,
                document_id=i.document_id,
            )
            for i in n.initiatives
        ],
        collective_counts=_counts_out(n.collective_counts),
    )


def _counts_out(data: dict[str, Any] | None) -> CollectiveCountsOut | None:
    """The stored counts, or None when absent or not readable (written before the
    fields they need)."""
    if not data:
        return None
    try:
        return CollectiveCountsOut.model_validate(data)
    except ValidationError:
        return None


def dossier_out(s: Session, actor: Actor, d: Dossier) -> DossierOut:
    status = Status(d.status)
    stage = STATUS_STAGE[status]
    processing = outbox.is_processing(s, d.id)
    in_round = rounds_store.round_names_of(s, [d.id]).get(d.id)
    accounts = users_repo.users_by_ids(s, {n.user_id for n in d.nominees if n.user_id is not None})
    own = {r.nominee.id: r for r in service.own_reports(s, d)}
    personal = sees_personal_data(actor, dossiers_repo.scope_of(s, d))
    results = results_of_dossier(s, d.id)
    revoked = revoked_records_of_dossier(s, d.id) if results else {}
    return DossierOut(
        id=d.id,
        title=d.title,
        award=d.award,
        award_name=AWARDS[d.award].name,
        year=d.year,
        unit_id=d.unit_id,
        unit_name=d.unit.name,
        cluster_id=d.cluster_id,
        status=status,
        status_label=STATUS_LABELS[status],
        stage=stage,
        stage_label=STAGE_LABELS[stage],
        version=d.version,
        processing=processing,
        round=RoundRef(
            id=in_round[0], name=in_round[1], label=in_round_label(in_round[1], in_round[2])
        )
        if in_round
        else None,
        award_decision=awarded_by(s, d.id),
        allowed_actions=service.actions_for(s, actor, d, processing=processing),
        can_sign_own_report=not processing
        and any(r.nominee.user_id == actor.user_id and r.signed is None for r in own.values()),
        nominees=[
            nominee_out(
                n,
                personal,
                account=accounts[n.user_id].username if n.user_id in accounts else None,
                own_report=(
                    ("signed" if own[n.id].signed is not None else "waiting")
                    if n.id in own
                    else None
                ),
                award=results.get(n.id),
                revoked=revoked.get(results[n.id].id) if n.id in results else None,
            )
            for n in d.nominees
        ],
        deadline=dossier_deadlines(s, [d]).get(d.id),
        created_at=d.created_at,
        updated_at=d.updated_at,
    )


def summary(d: Dossier, deadline: DeadlineOut | None = None) -> DossierSummary:
    status = Status(d.status)
    return DossierSummary(
        id=d.id,
        title=d.title,
        award=d.award,
        year=d.year,
        unit_id=d.unit_id,
        unit_name=d.unit.name,
        status=status,
        status_label=STATUS_LABELS[status],
        stage=STATUS_STAGE[status],
        deadline=deadline,
        updated_at=d.updated_at,
    )


@router.post("/dossiers", status_code=201, response_model=DossierOut)
def create_dossier(
    body: DossierCreate, caller: CurrentWriter, s: WriteSession, response: Response
) -> DossierOut:
    d = service.create(s, caller.user, caller.actor, body)
    response.headers["Location"] = f"/api/v1/dossiers/{d.id}"
    return dossier_out(s, caller.actor, d)


@router.get("/dossiers", response_model=DossierPage)
def list_dossiers(
    caller: CurrentReader,
    s: ReadSession,
    status: Annotated[Status | None, Query()] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    award: Annotated[str | None, Query(max_length=64)] = None,
    unit_id: Annotated[int | None, Query(ge=1)] = None,
    cluster_id: Annotated[int | None, Query(ge=1)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> DossierPage:
    """Dossiers the caller may see, most recently changed first. `q`: words of the title
    or of a nominee's name, in any order, any case, with or without Vietnamese marks."""
    f = dossiers_repo.DossierFilter(
        status=status, year=year, award=award, unit_id=unit_id, cluster_id=cluster_id, q=q
    )
    rows, total = dossiers_repo.list_dossiers(s, caller.actor, f, offset=offset, limit=limit)
    due = dossier_deadlines(s, rows)
    return DossierPage(
        items=[summary(d, due.get(d.id)) for d in rows], total=total, offset=offset, limit=limit
    )


@router.get("/dossiers/{dossier_id}", response_model=DossierOut)
def get_dossier(dossier_id: int, caller: CurrentReader, s: ReadSession) -> DossierOut:
    return dossier_out(s, caller.actor, service.visible_dossier(s, caller.actor, dossier_id))


@router.get("/dossiers/{dossier_id}/progress", response_model=StepProgress)
def get_progress(dossier_id: int, caller: CurrentReader, s: ReadSession) -> StepProgress:
    """While the machine work of the dossier's last step runs (`processing`): which of the
    documents it issues, and of those it prepares for the next approval, are done."""
    return step_progress(s, service.visible_dossier(s, caller.actor, dossier_id))


@router.patch("/dossiers/{dossier_id}", response_model=DossierOut)
def patch_dossier(
    dossier_id: int, body: DossierPatch, caller: CurrentWriter, s: WriteSession
) -> DossierOut:
    d = service.update(s, caller.user, caller.actor, dossier_id, body)
    return dossier_out(s, caller.actor, d)


ACTION_BODY = {
    "requestBody": {
        "required": False,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/ActionIn"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                            "description": "PDF đã ký bằng công cụ riêng (duyệt bằng tệp)",
                        },
                        "reason": {"type": "string"},
                        "version": {"type": "integer"},
                    },
                }
            },
        },
    }
}


@router.post("/dossiers/actions/approve", response_model=BulkApproveOut)
async def approve_many(
    body: BulkApproveIn, caller: CurrentReader, rt: RuntimeDep, background: BackgroundTasks
) -> BulkApproveOut:
    """Approve several dossiers as one action, each signed with the caller's key (one PIN):
    all or none. A refusal names the dossier (`dossier_id`) and nothing is approved."""
    versions: dict[int, int] = {}
    for key, value in body.versions.items():
        if not key.isdigit():
            raise InvalidInput("Khóa của «versions» phải là số hồ sơ.", code="invalid_input")
        versions[int(key)] = value
    items, outbox_ids = await run_in_threadpool(
        approvals.approve_many,
        rt,
        caller,
        body.dossier_ids,
        body.signing_pin,
        versions,
        lambda s, d: dossier_out(s, caller.actor, d),
    )
    if rt.dispatcher is not None:
        for outbox_id in outbox_ids:
            background.add_task(rt.dispatcher.start_soon, outbox_id)
    return BulkApproveOut(items=items)


@router.post(
    "/dossiers/{dossier_id}/actions/{action}", response_model=ActionOut, openapi_extra=ACTION_BODY
)
async def act(
    dossier_id: int,
    action: Action,
    request: Request,
    caller: CurrentReader,
    rt: RuntimeDep,
    background: BackgroundTasks,
) -> ActionOut:
    """Take an action. Approving signs: either `signing_pin` (the server signs with the
    approver's own key), or multipart `file`s: the prepared PDFs signed elsewhere."""
    body, files = await read_action(request, rt.settings.max_upload_bytes)
    key = request.headers.get("idempotency-key")
    if key is not None and not 1 <= len(key) <= 128:
        raise InvalidInput("Idempotency-Key phải dài từ 1 đến 128 ký tự.", code="invalid_input")
    out, outbox_id = await run_in_threadpool(
        approvals.take_action,
        rt,
        caller,
        dossier_id,
        action,
        body,
        files,
        lambda s, d: dossier_out(s, caller.actor, d),
        key,
    )
    # The flow starts after the commit (take_action has committed) and after the response.
    if outbox_id is not None and rt.dispatcher is not None:
        background.add_task(rt.dispatcher.start_soon, outbox_id)
    return out


@router.post("/dossiers/{dossier_id}/own-report/sign", response_model=DossierOut)
async def sign_own_report(
    dossier_id: int, caller: CurrentReader, rt: RuntimeDep, body: OwnReportSignIn | None = None
) -> DossierOut:
    """An individual nominee linked to the caller's account signs their own achievement
    report with their signing PIN, while the dossier waits for the unit head (whose
    approval waits for it). The dossier does not move."""
    return await run_in_threadpool(
        approvals.sign_own_report,
        rt,
        caller,
        dossier_id,
        body or OwnReportSignIn(),
        lambda s, d: dossier_out(s, caller.actor, d),
    )


@router.get("/dossiers/{dossier_id}/appraisal", response_model=AppraisalOut)
def get_appraisal(dossier_id: int, caller: CurrentReader, s: ReadSession) -> AppraisalOut:
    """The appraisal results recorded per nominee: for the Phòng, the Sở's leadership and
    auditors (403 for the unit and the cluster)."""
    d = service.visible_dossier(s, caller.actor, dossier_id)
    return appraisal.view(s, caller.actor, d)


@router.get("/dossiers/{dossier_id}/eligibility", response_model=eligibility.EligibilityOut)
def get_eligibility(
    dossier_id: int, caller: CurrentReader, s: ReadSession
) -> eligibility.EligibilityOut:
    """Each nominee against each eligibility rule in force on the dossier's date (the day
    it was last submitted, or today): code, title, legal basis, effective period, result
    (pass | fail | not_applicable | needs_confirmation), evidence from the registry, and
    the unit's explanation or the board's override."""
    d = service.visible_dossier(s, caller.actor, dossier_id)
    return eligibility.view(s, caller.actor, d)


@router.post(
    "/dossiers/{dossier_id}/eligibility/overrides",
    status_code=201,
    response_model=eligibility.EligibilityOut,
)
def override_eligibility(
    dossier_id: int, body: eligibility.OverrideIn, caller: CurrentWriter, s: WriteSession
) -> eligibility.EligibilityOut:
    """The board's specialist or head lets a failing rule (or the cluster's lead, not yet
    confirmed) through for one nominee while the dossier is in appraisal, with a reason
    (audited): the approval is then no longer blocked by it."""
    d = service.visible_dossier(s, caller.actor, dossier_id, for_update=True)
    eligibility.override(s, caller.user, caller.actor, d, body)
    service.flush(s)
    return eligibility.view(s, caller.actor, d)


@router.put("/dossiers/{dossier_id}/appraisal", response_model=AppraisalOut)
async def record_appraisal(
    dossier_id: int, body: AppraisalIn, caller: CurrentReader, rt: RuntimeDep
) -> AppraisalOut:
    """The specialist records (replaces) the results of the nominees listed, while the
    dossier is in appraisal; `version` is the dossier's (stale → 409). The Báo cáo thẩm
    định waiting for their signature is then prepared again with what was recorded."""
    await run_in_threadpool(save_appraisal, rt, caller, dossier_id, body)
    await refresh_prepared(rt, caller, dossier_id)

    def read() -> AppraisalOut:
        with rt.db.read() as s:
            d = service.visible_dossier(s, caller.actor, dossier_id)
            return appraisal.view(s, caller.actor, d)

    return await run_in_threadpool(read)


def save_appraisal(rt: Runtime, caller: Caller, dossier_id: int, body: AppraisalIn) -> None:
    """`appraisal.record` in a transaction of its own, committed before the report is
    prepared again (the flow's reading of the results is another session)."""
    with rt.db.write() as s:
        user = users_repo.user_by_id(s, caller.user.id)
        assert user is not None
        appraisal.record(s, user, caller.actor, dossier_id, body)


async def refresh_prepared(rt: Runtime, caller: Caller, dossier_id: int) -> None:
    """Prepare the report again with the recorded results, so that what the specialist
    previews is what they sign. Best effort: the approval prepares it again if this
    fails (a converter that timed out), and the results are saved either way."""
    try:
        await approvals.prepare_for(rt, caller, dossier_id)
    except Exception:
        log.warning(
            "could not prepare the appraisal report of dossier %s", dossier_id, exc_info=True
        )


@router.post("/dossiers/{dossier_id}/prepare", response_model=DossierOut)
async def prepare(dossier_id: int, caller: CurrentReader, rt: RuntimeDep) -> DossierOut:
    """Prepare the step's documents with the caller's name, to sign them elsewhere."""
    await approvals.prepare_for(rt, caller, dossier_id)

    def detail() -> DossierOut:
        with rt.db.read() as s:
            return dossier_out(
                s, caller.actor, service.visible_dossier(s, caller.actor, dossier_id)
            )

    return await run_in_threadpool(detail)


@router.get("/inbox", response_model=list[DossierSummary])
def inbox(
    caller: CurrentReader,
    s: ReadSession,
    response: Response,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> list[DossierSummary]:
    """What waits for the caller, the nearest deadline first (then those without one,
    the longest-waiting first), one page at a time, each with its deadline; the
    `X-Total-Count` header says how many wait in all. `q`: only those whose title or
    nominees' names hold every word of it (any case, with or without Vietnamese marks)."""
    rows, total = dossiers_repo.inbox(s, caller.actor, offset=offset, limit=limit, q=q)
    response.headers["X-Total-Count"] = str(total)
    due = dossier_deadlines(s, rows)
    return [summary(d, due.get(d.id)) for d in rows]


@router.get("/dossiers/{dossier_id}/history", response_model=list[HistoryEntry])
def history(
    dossier_id: int,
    caller: CurrentReader,
    s: ReadSession,
    include_reads: Annotated[bool, Query()] = False,
) -> list[HistoryEntry]:
    """Every step of the dossier with who, in which role, for whom, when, why and which
    files (with their SHA-256). `include_reads=true` (auditors) adds who read what."""
    return audit_service.history(
        s, caller.actor, dossier_id, EVENT_LABELS, include_reads=include_reads
    )
