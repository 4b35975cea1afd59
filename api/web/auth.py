"""Sign in and sign out of the pages."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from api.auth import routes as auth
from api.deps import RuntimeDep
from api.web.pages import WebRoute, redirect, render
from api.web.session import (
    ANON_COOKIE,
    CSRF_FIELD,
    CheckedForm,
    VisitorDep,
    anon_binding,
    csrf_token,
    end_session,
    set_anon,
    set_flash,
    set_session,
    visitor_of,
)
from domain.errors import DomainError

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def safe_next(target: str | None) -> str:
    """Only a path of this site is followed after sign-in: no scheme, no other host, and
    none of what browsers drop or read as a slash (tabs, newlines, backslashes)."""
    if (
        not target
        or not target.startswith("/")
        or target.startswith("//")
        or any(c == "\\" or c.isspace() or not c.isprintable() for c in target)
    ):
        return "/"
    return target


def _login_page(
    request: Request,
    rt: RuntimeDep,
    *,
    status_code: int = 200,
    username: str = "",
    error: str | None = None,
    field_errors: dict[str, str] | None = None,
    target: str = "/",
    notice: str | None = None,
) -> HTMLResponse:
    binding, new = anon_binding(request)
    response = render(
        request,
        "login.html",
        None,
        status_code=status_code,
        login_csrf=csrf_token(rt.settings.secret_key, "anon:" + binding),
        username=username,
        error=error,
        errors=field_errors or {},
        target=target,
        notice=notice,
    )
    if new:
        set_anon(response, request, binding)
    return response


@router.get("/dang-nhap", response_class=HTMLResponse)
def login_form(request: Request, rt: RuntimeDep, tiep: str | None = None) -> Response:
    if visitor_of(request, rt) is not None:
        return redirect(safe_next(tiep))
    expired = "het-han" in request.query_params
    notice = "Phiên làm việc đã hết hạn. Hãy đăng nhập lại." if expired else None
    return _login_page(request, rt, target=safe_next(tiep), notice=notice)


@router.post("/dang-nhap", response_class=HTMLResponse)
async def login(request: Request, rt: RuntimeDep) -> Response:
    form: FormData = await request.form(max_files=0, max_fields=10)
    username = str(form.get("username") or "").strip()
    password = str(form.get("password") or "")
    target = safe_next(str(form.get("tiep") or "/"))
    binding = request.cookies.get(ANON_COOKIE, "")
    sent = str(form.get(CSRF_FIELD) or "")
    expected = csrf_token(rt.settings.secret_key, "anon:" + binding)
    if not binding or not hmac.compare_digest(sent, expected):
        return _login_page(
            request,
            rt,
            status_code=403,
            username=username,
            target=target,
            error="Trang đăng nhập đã hết hạn (hoặc trình duyệt chặn cookie). "
            "Hãy đăng nhập lại trên trang này.",
        )
    missing = {}
    if not username:
        missing["username"] = "Hãy nhập tên đăng nhập."
    if not password:
        missing["password"] = "Hãy nhập mật khẩu."
    if len(username) > 64 or len(password) > 256:
        missing["username"] = "Tên đăng nhập hoặc mật khẩu quá dài."
    if missing:
        return _login_page(
            request, rt, status_code=422, username=username, target=target, field_errors=missing
        )

    address = request.client.host if request.client else "?"

    def sign_in() -> str:
        # The API's own sign-in (password check, throttling of wrong passwords).
        with rt.db.write() as s:
            return auth.sign_in(s, rt.settings, username, password, address)

    try:
        token = await run_in_threadpool(sign_in)
    except DomainError as e:
        return _login_page(
            request, rt, status_code=e.status, username=username, target=target, error=e.message
        )
    response = redirect(target)
    set_session(response, request, token, rt.settings.token_minutes * 60)
    return response


@router.post("/dang-xuat")
def logout(visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep) -> RedirectResponse:
    with rt.db.write() as s:
        auth.sign_out(s, visitor.caller)  # the token cannot be used again
    response = redirect("/dang-nhap")
    end_session(response)
    set_flash(response, "Bạn đã đăng xuất.")
    return response
