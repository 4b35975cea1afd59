"""Dossier endpoints: thin wrappers over the service, one transaction each."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from api.audit import service as audit_service
from api.audit.schemas import HistoryEntry
from api.deps import CurrentReader, CurrentWriter, ReadSession, RuntimeDep, WriteSession
from api.dossiers import approvals, service
from api.dossiers.approvals import read_action
from api.dossiers.schemas import (
    ActionOut,
    DossierCreate,
    DossierOut,
    DossierPage,
    DossierPatch,
    DossierSummary,
    NomineeOut,
)
from domain.awards import AWARDS
from domain.errors import InvalidInput
from domain.personal_data import sees_personal_data
from domain.process import STAGE_LABELS, STATUS_LABELS, STATUS_STAGE, Action, Status
from domain.roles import Actor
from storage import repositories as repo
from storage.models import Dossier, Nominee

router = APIRouter(prefix="/api/v1", tags=["dossiers"])

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
    "documents_issued": "Phát hành văn bản (điền mẫu, ký số, lưu trữ)",
    "routed": "Chuyển bước tiếp theo",
}


def nominee_out(n: Nominee, personal: bool) -> NomineeOut:
    """`personal`: whether the reader may see the date of birth and ethnicity
    (domain/personal_data.py)."""
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
    )


def dossier_out(s: Session, actor: Actor, d: Dossier) -> DossierOut:
    status = Status(d.status)
    stage = STATUS_STAGE[status]
    processing = repo.is_processing(s, d.id)
    personal = sees_personal_data(actor, repo.scope_of(s, d))
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
        allowed_actions=service.actions_for(s, actor, d, processing=processing),
        nominees=[nominee_out(n, personal) for n in d.nominees],
        created_at=d.created_at,
        updated_at=d.updated_at,
    )


def summary(d: Dossier) -> DossierSummary:
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
    f = repo.DossierFilter(
        status=status, year=year, award=award, unit_id=unit_id, cluster_id=cluster_id, q=q
    )
    rows, total = repo.list_dossiers(s, caller.actor, f, offset=offset, limit=limit)
    return DossierPage(items=[summary(d) for d in rows], total=total, offset=offset, limit=limit)


@router.get("/dossiers/{dossier_id}", response_model=DossierOut)
def get_dossier(dossier_id: int, caller: CurrentReader, s: ReadSession) -> DossierOut:
    return dossier_out(s, caller.actor, service.visible_dossier(s, caller.actor, dossier_id))


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
) -> list[DossierSummary]:
    """What waits for the caller, the longest-waiting first, one page at a time; the
    `X-Total-Count` header says how many wait in all."""
    rows, total = repo.inbox(s, caller.actor, offset=offset, limit=limit)
    response.headers["X-Total-Count"] = str(total)
    return [summary(d) for d in rows]


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
