"""Public consultation pages: the public register of published lists (`/cong-khai`), a
round's published list with its comment form (`/cong-khai/dot/{token}`, no sign-in), the
public register of issued award decisions (`/cong-khai/quyet-dinh[/{id}]`), and the
board's publishing of a round's list from the round's page.

A published page shows per nominee only name, position, unit and proposed award (the
list kept when it was published); the comment form is tied to an anonymous cookie as the
sign-in form is (CSRF), and its refusals (rate limit, a field missing) come back on the
page with their message."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from api.consultation import service
from api.consultation.routes import RECEIVED, client_address
from api.deps import RuntimeDep
from api.web.forms import text
from api.web.pages import WebRoute, redirect, render
from api.web.rounds import _change, _version
from api.web.session import (
    ANON_COOKIE,
    CSRF_FIELD,
    CheckedForm,
    VisitorDep,
    anon_binding,
    csrf_token,
    set_anon,
    set_flash,
    visitor_of,
)
from domain import consultation as rules
from domain.errors import DomainError, NotFound
from issuing.runtime import Runtime

router = APIRouter(route_class=WebRoute, include_in_schema=False)

FIELD_OF_CODE = {
    "comment_name_required": "name",
    "comment_name_too_long": "name",
    "comment_contact_too_long": "contact",
    "comment_text_required": "text",
    "comment_text_too_long": "text",
}


@router.get("/cong-khai", response_class=HTMLResponse)
def register_page(request: Request, rt: RuntimeDep) -> HTMLResponse:
    with rt.db.read() as s:
        rows = service.register(s)
    return render(request, "public_register.html", visitor_of(request, rt), rows=rows)


@router.get("/cong-khai/quyet-dinh", response_class=HTMLResponse)
def decisions_page(request: Request, rt: RuntimeDep) -> HTMLResponse:
    """The public register of issued award decisions."""
    with rt.db.read() as s:
        rows = service.decision_register(s)
    return render(request, "public_decisions.html", visitor_of(request, rt), rows=rows)


@router.get("/cong-khai/quyet-dinh/{decision_id:int}", response_class=HTMLResponse)
def decision_page(request: Request, decision_id: int, rt: RuntimeDep) -> HTMLResponse:
    """An issued decision's public list of awardees."""
    with rt.db.read() as s:
        d = service.public_decision(s, decision_id)
    return render(request, "public_decision.html", visitor_of(request, rt), d=d)


def _round_page(
    request: Request,
    rt: Runtime,
    token: str,
    *,
    status_code: int = 200,
    typed: dict[str, str] | None = None,
    error: DomainError | None = None,
) -> HTMLResponse:
    with rt.db.read() as s:
        out = service.public_view(s, token)
    binding, new = anon_binding(request)
    errors: dict[str, str] = {}
    general = ""
    if error is not None:
        field = FIELD_OF_CODE.get(error.code)
        if field:
            errors[field] = error.message
        else:
            general = error.message
    response = render(
        request,
        "public_round.html",
        visitor_of(request, rt),
        status_code=status_code,
        c=out,
        token=token,
        comment_csrf=csrf_token(rt.settings.secret_key, "comment:" + binding),
        typed=typed or {},
        errors=errors,
        general=general,
        code=error.code if error else "",
        limits={"name": rules.NAME_MAX, "contact": rules.CONTACT_MAX, "text": rules.TEXT_MAX},
    )
    if new:
        set_anon(response, request, binding)
    return response


@router.get("/cong-khai/dot/{token}", response_class=HTMLResponse)
def public_round(request: Request, token: str, rt: RuntimeDep) -> HTMLResponse:
    return _round_page(request, rt, token)


@router.post("/cong-khai/dot/{token}/y-kien", response_model=None)
async def public_comment(request: Request, token: str, rt: RuntimeDep) -> Response:
    form: FormData = await request.form(max_files=0, max_fields=10)
    typed = {
        "name": text(form, "name", 2000),
        "contact": text(form, "contact", 2000),
        "text": text(form, "text", 40000),
    }
    binding = request.cookies.get(ANON_COOKIE, "")
    sent = str(form.get(CSRF_FIELD) or "")
    expected = csrf_token(rt.settings.secret_key, "comment:" + binding)
    if not binding or not hmac.compare_digest(sent, expected):
        expired = DomainError(
            "Trang đã hết hạn (hoặc trình duyệt chặn cookie). Hãy gửi lại ý kiến trên trang này.",
            code="csrf_failed",
        )
        return await run_in_threadpool(
            _round_page, request, rt, token, status_code=403, typed=typed, error=expired
        )
    digest = service.address_digest(rt.settings.secret_key, client_address(request))

    def send() -> None:
        with rt.db.write() as s:
            service.comment(s, token, typed["name"], typed["contact"], typed["text"], digest)

    try:
        await run_in_threadpool(send)
    except NotFound:
        raise
    except DomainError as e:
        return await run_in_threadpool(
            _round_page, request, rt, token, status_code=e.status, typed=typed, error=e
        )
    response = redirect(f"/cong-khai/dot/{token}")
    set_flash(response, RECEIVED)
    return response


@router.post("/dot-xet/{round_id:int}/cong-khai", response_model=None)
async def publish(
    request: Request, round_id: int, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep
) -> Response:
    """The board's specialist publishes the round's list from the round's page."""
    raw = text(form, "working_days", 10).strip()
    days = int(raw) if raw.isdigit() else None

    def publish() -> None:
        with rt.db.write() as s:
            service.publish(s, visitor.user, visitor.actor, round_id, days, _version(form))

    return await _change(
        request,
        visitor,
        rt,
        round_id,
        publish,
        "Đã công khai danh sách để lấy ý kiến. Địa chỉ trang công khai ở mục «Lấy ý kiến "
        "công khai».",
    )
