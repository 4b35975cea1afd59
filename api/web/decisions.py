"""Decision pages (quyết định khen thưởng): drafted by the board's specialist from a
submitted round, sent to the UBND tỉnh's leaders, signed with the PIN by the Chủ tịch or a
Phó Chủ tịch ("KT. CHỦ TỊCH"), or uploaded signed from the province's e-office; the
awardees with their prize money and the configured values it used; the certificates.

Every change goes through the API's own use cases (api/decisions/): the same rules,
audit events and refusals, shown next to what they are about."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from api.decisions import actions, amendments, certificates, service, upload
from api.decisions.schemas import DecisionCreate
from api.deps import RuntimeDep
from api.documents import service as documents
from api.dossiers.progress import StepProgress, subject_progress
from api.dossiers.schemas import ActionIn
from api.exports import service as exports
from api.exports.lists import DECISION_AWARDS, DECISIONS, DecisionFilter, NoFilter
from api.web.dossiers import PIN_CODES
from api.web.forms import text
from api.web.pages import WebRoute, redirect, render
from api.web.session import CheckedForm, Visitor, VisitorDep, set_flash
from api.web.views import DocView, doc_view
from domain.decisions import CORRECTABLE_FIELDS
from domain.errors import DomainError, InvalidInput, NotFound, PayloadTooLarge
from domain.process import DECISION_ISSUANCE, Action
from issuing.runtime import Runtime
from storage.models import AwardDecision

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def _docs(s: Session, visitor: Visitor, d: AwardDecision) -> list[DocView]:
    shown = []
    for doc, draft in documents.decision_documents(s, visitor.actor, d):
        view = doc_view(doc)
        if draft and doc.transition_seq == d.transition_seq + 1:
            view.state, view.state_label = "to_sign", "Bản dự thảo chờ ký"
        elif draft:
            view.state, view.state_label = "unused", "Bản chuẩn bị, không được ký"
        shown.append(view)
    return shown


def _page(
    request: Request,
    visitor: Visitor,
    rt: Runtime,
    decision_id: int,
    *,
    status_code: int = 200,
    action_error: dict[str, Any] | None = None,
    upload_error: dict[str, str] | None = None,
    amend_error: dict[str, Any] | None = None,
) -> HTMLResponse:
    with rt.db.read() as s:
        d = service.visible_decision(s, visitor.actor, decision_id)
        out = service.decision_out(s, visitor.actor, d)
        events = service.history(s, visitor.actor, decision_id)
        docs = _docs(s, visitor, d)
        progress = subject_progress(s, service.subject_of(d)) if out.processing else None
    groups: dict[str, list[Any]] = {}
    for a in out.awardees:
        groups.setdefault(a.award_name, []).append(a)
    return render(
        request,
        "decision.html",
        visitor,
        status_code=status_code,
        d=out,
        groups=groups,
        events=events,
        docs=docs,
        to_sign=[x for x in docs if x.state == "to_sign"],
        progress=progress,
        action_error=action_error or {},
        upload_error=upload_error or {},
        amend_error=amend_error or {},
        correctable=CORRECTABLE_FIELDS,
        signing_label=DECISION_ISSUANCE.state_labels["signing"],
    )


@router.get("/quyet-dinh/{decision_id:int}", response_class=HTMLResponse)
def decision_page(
    request: Request, decision_id: int, visitor: VisitorDep, rt: RuntimeDep
) -> HTMLResponse:
    return _page(request, visitor, rt, decision_id)


@router.get("/quyet-dinh/{decision_id:int}/xuat", response_model=None)
def export_awards(
    decision_id: int,
    visitor: VisitorDep,
    rt: RuntimeDep,
    fmt: Annotated[str | None, Query(alias="dinh-dang", max_length=8)] = None,
) -> Response:
    """«Xuất Excel» / «Xuất CSV» of the decision's list of collectives and individuals."""
    f = DecisionFilter(decision_id)
    return exports.export(rt, visitor.caller, DECISION_AWARDS.name, fmt, f)


@router.get("/quyet-dinh/{decision_id:int}/tien-do")
def progress_of(decision_id: int, visitor: VisitorDep, rt: RuntimeDep) -> StepProgress:
    with rt.db.read() as s:
        d = service.visible_decision(s, visitor.actor, decision_id)
        return subject_progress(s, service.subject_of(d))


@router.post("/dot-xet/{round_id:int}/quyet-dinh", response_model=None)
async def create_decision(
    request: Request, round_id: int, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep
) -> Response:
    def create() -> int:
        with rt.db.write() as s:
            body = DecisionCreate(round_id=round_id)
            return service.create(s, visitor.user, visitor.actor, body).id

    try:
        decision_id = await run_in_threadpool(create)
    except DomainError as e:
        if isinstance(e, NotFound):
            raise
        response = redirect(f"/dot-xet/{round_id}")
        set_flash(response, e.message)
        return response
    response = redirect(f"/quyet-dinh/{decision_id}")
    set_flash(response, "Đã lập dự thảo quyết định khen thưởng từ danh sách của đợt.")
    return response


DONE = {
    Action.SUBMIT: "Đã trình ký quyết định. Hệ thống đang lập bản Quyết định để lãnh đạo "
    "UBND tỉnh ký.",
    Action.WITHDRAW: "Đã rút dự thảo quyết định về.",
    Action.APPROVE: "Đã ký. Hệ thống đang cấp số, đóng dấu của UBND tỉnh, lưu trữ Quyết "
    "định và ghi nhận khen thưởng.",
    Action.RETURN: "Đã trả lại dự thảo quyết định.",
}


@router.post("/quyet-dinh/{decision_id:int}/thao-tac/{action}", response_model=None)
async def act(
    request: Request,
    decision_id: int,
    action: Action,
    visitor: VisitorDep,
    form: CheckedForm,
    rt: RuntimeDep,
    background: BackgroundTasks,
) -> Response:
    raw = text(form, "version").strip()
    body = ActionIn(
        reason=text(form, "reason", 4000) or None,
        signing_pin=text(form, "signing_pin", 64) or None,
        version=int(raw) if raw.isdigit() else None,
    )
    try:
        _, outbox_id = await run_in_threadpool(
            actions.take_action,
            rt,
            visitor.caller,
            decision_id,
            action,
            body,
            [],
            lambda s, d: service.decision_out(s, visitor.actor, d),
        )
    except NotFound:
        raise
    except DomainError as e:
        field = (
            "signing_pin"
            if e.code in PIN_CODES
            else "reason"
            if e.code == "reason_required"
            else None
        )
        error = {
            "action": str(action),
            "field": field,
            "message": e.message,
            "code": e.code,
            "reason": body.reason or "",
        }
        return await run_in_threadpool(
            _page, request, visitor, rt, decision_id, status_code=e.status, action_error=error
        )
    if rt.dispatcher is not None:
        background.add_task(rt.dispatcher.start_soon, outbox_id)
    response = redirect(f"/quyet-dinh/{decision_id}")
    set_flash(response, DONE.get(action, "Đã ghi nhận."))
    return response


def _date(form: FormData, name: str) -> tuple[str, date | None]:
    """The typed date as typed (to show it again) and as a date, None when not one."""
    raw = text(form, name, 20).strip()
    try:
        return raw, date.fromisoformat(raw) if raw else None
    except ValueError:
        return raw, None


async def _file(form: FormData, limit: int) -> bytes:
    """The form's `file`, empty when none was chosen; 413 beyond `limit`."""
    file = form.get("file")
    data = await file.read(limit + 1) if isinstance(file, UploadFile) else b""
    if len(data) > limit:
        raise PayloadTooLarge()
    return data


UPLOAD_FIELDS = {
    "decision_number_required": "number",
    "decision_date_required": "decided_on",
    "decision_date_future": "decided_on",
}


@router.post("/quyet-dinh/{decision_id:int}/tai-len", response_model=None)
async def upload_decision(
    request: Request, decision_id: int, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep
) -> Response:
    number = text(form, "number", 100)
    raw_date, decided_on = _date(form, "decided_on")
    try:
        data = await _file(form, rt.settings.max_upload_bytes)
        if not data:
            raise InvalidInput("Hãy chọn tệp PDF của quyết định đã ký.", code="file_required")
        await run_in_threadpool(
            upload.upload, rt, visitor.caller, decision_id, data, number, decided_on, None
        )
    except NotFound:
        raise
    except DomainError as e:
        error = {
            "field": UPLOAD_FIELDS.get(e.code, "file"),
            "message": e.message,
            "code": e.code,
            "number": number,
            "decided_on": raw_date,
        }
        return await run_in_threadpool(
            _page,
            request,
            visitor,
            rt,
            decision_id,
            status_code=e.status,
            upload_error=error,
        )
    response = redirect(f"/quyet-dinh/{decision_id}")
    set_flash(response, "Đã nhận quyết định đã ký và ghi nhận khen thưởng.")
    return response


@router.get("/quyet-dinh", response_class=HTMLResponse)
def decisions_page(request: Request, visitor: VisitorDep, rt: RuntimeDep) -> HTMLResponse:
    """Every decision the visitor may see (the UBND's leaders, the board, the Sở's
    leaders, auditors), newest first, and those waiting for them."""
    with rt.db.read() as s:
        rows = service.list_decisions(s, visitor.actor)
        waiting = {d.id for d in service.list_decisions(s, visitor.actor, waiting=True)}
    return render(request, "decisions.html", visitor, rows=rows, waiting=waiting)


AMEND_FIELDS = {
    "decision_number_required": "number",
    "decision_date_required": "decided_on",
    "decision_date_future": "decided_on",
    "amendment_date_before_original": "decided_on",
    "reason_required": "reason",
    "reason_too_long": "reason",
    "amendment_kind_invalid": "kind",
    "changes_required": "records",
    "record_not_in_decision": "records",
    "record_not_awarded": "records",
    "record_revoked": "records",
    "duplicate_change": "records",
    "unknown_field": "field",
    "new_value_required": "new_value",
    "new_value_too_long": "new_value",
    "new_value_unchanged": "new_value",
}

AMENDED = {
    "dinh_chinh": "Đã nhận quyết định đính chính và ghi nhận nội dung đính chính.",
    "thu_hoi": "Đã nhận quyết định thu hồi và ghi nhận việc thu hồi khen thưởng.",
}


@router.post("/quyet-dinh/{decision_id:int}/dinh-chinh", response_model=None)
async def amend_decision(
    request: Request, decision_id: int, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep
) -> Response:
    """The form «Đính chính / thu hồi quyết định»: the records chosen by checkbox, one
    field and its new value for a correction (applied to each record chosen)."""
    kind = text(form, "kind", 16)
    reason = text(form, "reason", 4000)
    number = text(form, "number", 100)
    field = text(form, "field", 32)
    new_value = text(form, "new_value", 255)
    raw_date, decided_on = _date(form, "decided_on")
    ids = [int(v) for v in form.getlist("record_id") if isinstance(v, str) and v.isdigit()][:500]
    changes = [
        {"record_id": i, "field": field, "new_value": new_value}
        if kind == "dinh_chinh"
        else {"record_id": i}
        for i in ids
    ]
    try:
        data = await _file(form, rt.settings.max_upload_bytes)
        await run_in_threadpool(
            lambda: amendments.amend(
                rt,
                visitor.caller,
                decision_id,
                kind=kind,
                reason=reason,
                number=number,
                decided_on=decided_on,
                changes=json.dumps(changes),
                pdf=data,
            )
        )
    except NotFound:
        raise
    except DomainError as e:
        error = {
            "field": AMEND_FIELDS.get(e.code, "file"),
            "message": e.message,
            "code": e.code,
            "kind": kind,
            "reason": reason,
            "number": number,
            "decided_on": raw_date,
            "records": ids,
            "change_field": field,
            "new_value": new_value,
        }
        return await run_in_threadpool(
            _page,
            request,
            visitor,
            rt,
            decision_id,
            status_code=e.status,
            amend_error=error,
        )
    response = redirect(f"/quyet-dinh/{decision_id}")
    set_flash(response, AMENDED.get(kind, "Đã ghi nhận."))
    return response


@router.get("/quyet-dinh/{decision_id:int}/bang-khen.pdf")
def certificates_pdf(
    decision_id: int,
    visitor: VisitorDep,
    rt: RuntimeDep,
    thu: Annotated[bool, Query()] = False,
) -> Response:
    """«In bằng khen» for the signed-in page user (the API's `certificates.pdf` takes a
    bearer token): every awardee's Bằng khen, or with `thu=1` the alignment page; each
    download on the decision's chain, as through the API."""
    pdf, name = certificates.for_decision(rt, visitor.caller, decision_id, test_page=thu)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


@router.get("/quyet-dinh/xuat", response_model=None)
def export_decisions(
    visitor: VisitorDep,
    rt: RuntimeDep,
    fmt: Annotated[str | None, Query(alias="dinh-dang", max_length=8)] = None,
) -> Response:
    """«Xuất Excel» / «Xuất CSV» of the decisions as the page lists them."""
    return exports.export(rt, visitor.caller, DECISIONS.name, fmt, NoFilter())
