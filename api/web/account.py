"""A person's own account pages: change the password (where a temporary one sends them),
set the signing PIN at first use (the key is made then), change it, and see one's
certificates. The rules and the audit events are `api.accounts.service`'s."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.accounts import service
from api.auth.security import MAX_PASSWORD, MIN_PASSWORD
from api.deps import RuntimeDep
from api.web.forms import text
from api.web.pages import WebRoute, redirect, render
from api.web.session import PASSWORD_PAGE, CheckedForm, Visitor, VisitorDep, set_flash, set_session
from domain.credentials import PIN_LENGTH
from domain.errors import DomainError
from issuing.runtime import Runtime
from storage.repositories import users as users_repo

router = APIRouter(prefix="/tai-khoan", route_class=WebRoute, include_in_schema=False)
SIGNING_PAGE = "/tai-khoan/ky-so"

FIELD_OF_CODE = {
    "wrong_password": "current_password",
    "too_many_attempts": "current_password",
    "password_too_short": "new_password",
    "password_too_long": "new_password",
    "password_unchanged": "new_password",
    "wrong_pin": "current_pin",
    "signing_locked": "current_pin",
    "pin_unchanged": "new_pin",
}


def _errors(e: DomainError, pin_field: str = "new_pin") -> dict[str, str]:
    if e.code in ("invalid_pin", "pin_mismatch"):
        field = pin_field if e.code == "invalid_pin" else pin_field + "_repeat"
        return {field: e.message}
    return {FIELD_OF_CODE.get(e.code, "_"): e.message}


# ---------------------------------------------------------------- password


def _password_page(
    request: Request,
    visitor: Visitor,
    *,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    return render(
        request,
        "account_password.html",
        visitor,
        status_code=status_code,
        errors=errors or {},
        forced=visitor.user.must_change_password,
        min_password=MIN_PASSWORD,
        max_password=MAX_PASSWORD,
    )


@router.get("/mat-khau", response_class=HTMLResponse)
def password_page(request: Request, visitor: VisitorDep) -> HTMLResponse:
    return _password_page(request, visitor)


@router.post("/mat-khau", response_model=None)
def change_password(
    request: Request, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep
) -> Response:
    current = text(form, "current_password", MAX_PASSWORD + 1)
    new = text(form, "new_password", MAX_PASSWORD + 1)
    if not current:
        return _password_page(
            request,
            visitor,
            status_code=422,
            errors={"current_password": "Hãy nhập mật khẩu hiện tại."},
        )
    if new != text(form, "new_password_repeat", MAX_PASSWORD + 1):
        return _password_page(
            request,
            visitor,
            status_code=422,
            errors={"new_password_repeat": "Hai lần nhập mật khẩu mới không khớp."},
        )
    address = request.client.host if request.client else "?"
    try:
        with rt.db.write() as s:
            token = service.change_password(s, rt.settings, visitor.user.id, current, new, address)
    except DomainError as e:
        return _password_page(request, visitor, status_code=e.status, errors=_errors(e))
    response = redirect("/")
    # Every session opened with the old password has ended, this one too: a new cookie.
    set_session(response, request, token, rt.settings.token_minutes * 60)
    set_flash(response, "Đã đổi mật khẩu.")
    return response


# ---------------------------------------------------------------- signing PIN, certificates


def _signing_page(
    request: Request,
    visitor: Visitor,
    rt: Runtime,
    *,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    with rt.db.read() as s:
        user = users_repo.user_by_id(s, visitor.user.id)
        assert user is not None
        state = service.signing_state(s, user)
        certificates = service.certificates_of(s, user.id)
        failures = user.pin_failures
    return render(
        request,
        "account_signing.html",
        visitor,
        status_code=status_code,
        errors=errors or {},
        state=state,
        state_label=service.SIGNING_STATES[state],
        certificates=certificates,
        has_key=any(c.held_by_system and c.state == "active" for c in certificates),
        failures=failures,
        pin_length=PIN_LENGTH,
    )


@router.get("/ky-so", response_class=HTMLResponse)
def signing_page(request: Request, visitor: VisitorDep, rt: RuntimeDep) -> HTMLResponse:
    return _signing_page(request, visitor, rt)


def _pin_change(
    request: Request, visitor: Visitor, rt: Runtime, change: Any, done: str
) -> Response:
    try:
        with rt.db.write() as s:
            change(s)
    except DomainError as e:
        pin_field = "pin" if request.url.path.endswith("/dat-pin") else "new_pin"
        return _signing_page(
            request, visitor, rt, status_code=e.status, errors=_errors(e, pin_field)
        )
    response = redirect(SIGNING_PAGE)
    set_flash(response, done)
    return response


@router.post("/ky-so/dat-pin", response_model=None)
def set_pin(request: Request, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep) -> Response:
    pin, repeat = text(form, "pin", 64), text(form, "pin_repeat", 64)
    return _pin_change(
        request,
        visitor,
        rt,
        lambda s: service.set_first_pin(s, rt.settings.secret_key, visitor.user.id, pin, repeat),
        "Đã đặt mã PIN ký số. Khóa ký số của bạn đã được tạo và chứng thực: "
        "bạn có thể duyệt và ký.",
    )


@router.post("/ky-so/doi-pin", response_model=None)
def change_pin(
    request: Request, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep
) -> Response:
    current = text(form, "current_pin", 64)
    new, repeat = text(form, "new_pin", 64), text(form, "new_pin_repeat", 64)
    if not current:
        return _signing_page(
            request,
            visitor,
            rt,
            status_code=422,
            errors={"current_pin": "Hãy nhập mã PIN hiện tại."},
        )
    return _pin_change(
        request,
        visitor,
        rt,
        lambda s: service.change_pin(
            s, rt.settings.secret_key, visitor.user.id, current, new, repeat
        ),
        "Đã đổi mã PIN ký số.",
    )


__all__ = ["PASSWORD_PAGE", "SIGNING_PAGE", "router"]


# ---------------------------------------------------------------- reminders


def _account_page(
    request: Request,
    visitor: Visitor,
    rt: Runtime,
    *,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    email: str | None = None,
) -> HTMLResponse:
    user = visitor.user
    return render(
        request,
        "account.html",
        visitor,
        status_code=status_code,
        errors=errors or {},
        email=(user.email or "") if email is None else email,
        digest=user.digest_enabled,
        email_on=bool(rt.settings.smtp_host),
    )


@router.get("", response_class=HTMLResponse)
def account_page(request: Request, visitor: VisitorDep, rt: RuntimeDep) -> HTMLResponse:
    """The person's account: the reminders (nhắc việc) they receive."""
    return _account_page(request, visitor, rt)


@router.post("/nhac-viec", response_model=None)
def set_reminders(
    request: Request, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep
) -> Response:
    email = text(form, "email", 300)
    digest = form.get("digest") == "on"
    try:
        with rt.db.write() as s:
            service.set_reminders(s, visitor.user.id, email, digest)
    except DomainError as e:
        return _account_page(
            request, visitor, rt, status_code=e.status, errors={"email": e.message}, email=email
        )
    response = redirect("/tai-khoan")
    set_flash(response, "Đã lưu cài đặt nhắc việc.")
    return response
