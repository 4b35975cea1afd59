"""Decision endpoints: thin wrappers over the service, one transaction each."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, File, Form, Query, Request, Response, UploadFile
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from api import notifications
from api.decisions import actions, amendments, certificates, service, upload
from api.decisions.schemas import DecisionCreate, DecisionEventOut, DecisionOut, DecisionSummary
from api.deps import CurrentReader, CurrentWriter, ReadSession, RuntimeDep, WriteSession
from api.dossiers.approvals import read_action
from api.dossiers.routes import ACTION_BODY
from domain.errors import PayloadTooLarge
from domain.process import Action

router = APIRouter(prefix="/api/v1", tags=["decisions"])


@router.post("/decisions", status_code=201, response_model=DecisionOut)
def create_decision(
    body: DecisionCreate, caller: CurrentWriter, s: WriteSession, response: Response
) -> DecisionOut:
    """The board's specialist drafts the award decision of a submitted round (409
    `round_not_submitted`, `round_has_decision`)."""
    d = service.create(s, caller.user, caller.actor, body)
    response.headers["Location"] = f"/api/v1/decisions/{d.id}"
    return service.decision_out(s, caller.actor, d)


@router.get("/decisions", response_model=list[DecisionSummary])
def list_decisions(
    caller: CurrentReader, s: ReadSession, waiting: Annotated[bool, Query()] = False
) -> list[DecisionSummary]:
    return service.list_decisions(s, caller.actor, waiting=waiting)


@router.get("/decisions/{decision_id}", response_model=DecisionOut)
def get_decision(decision_id: int, caller: CurrentReader, s: ReadSession) -> DecisionOut:
    """The decision with every nominee of its round: awarded (prize money, certificate
    number) or not, with the reason; the configured values the prize money used."""
    d = service.visible_decision(s, caller.actor, decision_id)
    return service.decision_out(s, caller.actor, d)


@router.get("/decisions/{decision_id}/history", response_model=list[DecisionEventOut])
def decision_history(
    decision_id: int, caller: CurrentReader, s: ReadSession
) -> list[DecisionEventOut]:
    return service.history(s, caller.actor, decision_id)


@router.post(
    "/decisions/{decision_id}/actions/{action}",
    response_model=DecisionOut,
    openapi_extra=ACTION_BODY,
)
async def act(
    decision_id: int,
    action: Action,
    request: Request,
    caller: CurrentReader,
    rt: RuntimeDep,
    background: BackgroundTasks,
) -> DecisionOut:
    """`submit`, `withdraw` (the board's specialist); `approve` (the Chủ tịch or a Phó
    Chủ tịch UBND tỉnh, who signs the Quyết định with `signing_pin` or a multipart `file`
    signed elsewhere); `return` (with a `reason`)."""
    body, files = await read_action(request, rt.settings.max_upload_bytes)
    out, outbox_id = await run_in_threadpool(
        actions.take_action,
        rt,
        caller,
        decision_id,
        action,
        body,
        files,
        lambda s, d: service.decision_out(s, caller.actor, d),
    )
    if rt.dispatcher is not None:
        background.add_task(rt.dispatcher.start_soon, outbox_id)
    return out


@router.post("/decisions/{decision_id}/upload", response_model=DecisionOut)
async def upload_decision(
    decision_id: int,
    caller: CurrentReader,
    rt: RuntimeDep,
    file: Annotated[UploadFile, File()],
    number: Annotated[str, Form(max_length=100)],
    decided_on: Annotated[date | None, Form()] = None,
    version: Annotated[int | None, Form()] = None,
) -> DecisionOut:
    """A decision signed in the province's e-office: the PDF (`file`), its `number` and
    `decided_on`. Refused unless its signature verifies against the trust roots (422 with
    the code: `decision_unsigned`, `signature_invalid`, `untrusted_certificate`, …)."""
    limit = rt.settings.max_upload_bytes
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge()
    return await run_in_threadpool(
        upload.upload, rt, caller, decision_id, data, number, decided_on, version
    )


@router.post("/decisions/{decision_id}/amendments", response_model=DecisionOut)
async def amend_decision(
    decision_id: int,
    caller: CurrentReader,
    rt: RuntimeDep,
    file: Annotated[UploadFile, File()],
    kind: Annotated[str, Form(max_length=16)],
    reason: Annotated[str, Form(max_length=4000)],
    number: Annotated[str, Form(max_length=100)],
    changes: Annotated[str, Form(max_length=200_000)],
    decided_on: Annotated[date | None, Form()] = None,
) -> DecisionOut:
    """A correcting (`kind=dinh_chinh`) or revoking (`kind=thu_hoi`) decision of an issued
    one, signed in the province's e-office: the PDF (`file`), its `number`, `decided_on`,
    the `reason` and `changes`, a JSON list of `{"record_id", "field", "new_value"}`
    (`field`: `name`, `position`, `unit_name`; a revocation needs only `record_id`).
    Verified as an uploaded decision (422 `decision_unsigned`, `untrusted_certificate`,
    …); 409 `decision_not_issued`, `record_revoked`, `record_not_awarded`; 422
    `record_not_in_decision`, `unknown_field`. Refused, nothing changes."""
    limit = rt.settings.max_upload_bytes
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge()
    return await run_in_threadpool(
        lambda: amendments.amend(
            rt,
            caller,
            decision_id,
            kind=kind,
            reason=reason,
            number=number,
            decided_on=decided_on,
            changes=changes,
            pdf=data,
        )
    )


@router.get("/decisions/{decision_id}/certificates.pdf")
def certificates_pdf(
    decision_id: int,
    caller: CurrentReader,
    rt: RuntimeDep,
    test_page: Annotated[bool, Query()] = False,
) -> Response:
    """Every awardee's Bằng khen, one landscape page each, for printing (on the blanks,
    phôi bằng, with the configured offsets); `test_page=true`: the alignment page."""
    pdf, name = certificates.for_decision(rt, caller, decision_id, test_page=test_page)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


class NotificationOut(BaseModel):
    id: int
    subject_kind: str
    subject_id: int
    message: str
    created_at: datetime
    read: bool
    link: str
    """The page of the subject (/ho-so/{id}, /dot-xet/{id}, /quyet-dinh/{id}, …)."""


@router.get("/notifications", response_model=list[NotificationOut], tags=["notifications"])
def my_notifications(
    caller: CurrentReader, s: ReadSession, unread: Annotated[bool, Query()] = False
) -> list[NotificationOut]:
    """The caller's newest notifications (a step of a subject they act on or follow: a
    dossier awarded by a decision names the decision's number and date); `unread=true`:
    only those not read yet."""
    return [
        NotificationOut(
            id=n.id,
            subject_kind=n.subject_kind,
            subject_id=n.subject_id,
            message=n.message,
            created_at=n.created_at,
            read=n.read,
            link=n.link,
        )
        for n in notifications.latest(s, caller.user.id, unread=unread)
    ]


class MarkReadIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ids: list[int] | None = Field(default=None, max_length=1000)
    """Which of one's notifications to mark read; none given: all of them."""


class MarkReadOut(BaseModel):
    marked: int
    """How many were unread and are now read."""
    unread: int
    """How many are still unread."""


@router.post("/notifications/read", response_model=MarkReadOut, tags=["notifications"])
def mark_notifications_read(
    caller: CurrentWriter, s: WriteSession, body: MarkReadIn | None = None
) -> MarkReadOut:
    """Mark the caller's notifications read: all, or `{"ids": [...]}` — each must be the
    caller's (404 `notification_not_found` otherwise, and nothing is marked)."""
    ids = body.ids if body is not None else None
    marked = notifications.mark_read(s, caller.user.id, ids)
    return MarkReadOut(marked=marked, unread=notifications.unread_count(s, caller.user.id))
