"""Who is using the pages, and that a form was sent by our own page.

- The session is an HttpOnly, SameSite=Lax cookie (Secure over https) holding the same
  signed, expiring access token the JSON API issues; it is read with the API's own checks
  (signature, expiry, signed-out tokens, inactive accounts: `api.deps.caller_from_token`),
  so a page and an API call see the same user with the same roles.
- Every POST form carries a CSRF token in a hidden field: an HMAC of the session token
  under the server secret, checked in constant time. It is tied to one session (signing
  in again changes it) and needs no storage. The sign-in form, sent before there is a
  session, is tied the same way to a random cookie set with the form.
- Messages for the next page ("flash") travel in a short-lived cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote, unquote

from fastapi import Depends, Request, Response
from starlette.datastructures import FormData

from api import notifications
from api.accounts import service as accounts
from api.deps import Caller, RuntimeDep, caller_from_token
from domain.errors import DomainError, NotAuthenticated, PasswordChangeRequired
from domain.roles import Actor
from issuing.runtime import Runtime
from storage.models import User

SESSION_COOKIE = "tdkt_session"
ANON_COOKIE = "tdkt_anon"
FLASH_COOKIE = "tdkt_flash"
CSRF_FIELD = "csrf"


class LoginRequired(Exception):
    """No valid session: the page sends the visitor to the sign-in form."""

    def __init__(self, expired: bool = False) -> None:
        super().__init__("login required")
        self.expired = expired


class CsrfRejected(DomainError):
    status, code = 403, "csrf_failed"
    message = (
        "Biểu mẫu đã hết hạn hoặc không gửi từ trang của hệ thống. Hãy tải lại trang rồi thử lại."
    )


def csrf_token(secret: str, binding: str) -> str:
    return hmac.new(
        secret.encode(), b"tdkt-web-csrf\x00" + binding.encode(), hashlib.sha256
    ).hexdigest()


def secure_cookies(request: Request) -> bool:
    """Whether cookies must be Secure: over https, or when the settings say the app is
    served over https by a proxy in front of it."""
    runtime = getattr(request.app.state, "runtime", None)
    forced = bool(runtime and runtime.settings.cookie_secure)
    return forced or request.url.scheme == "https"


@dataclass(frozen=True)
class Visitor:
    """The signed-in user of a page."""

    caller: Caller
    token: str
    csrf: str
    titles: tuple[str, ...] = ()
    """Each role with where it is held, as the header says it."""
    signing: str = "none"
    """How the person signs (accounts.SIGNING_STATES): the menu offers to set the PIN."""
    unread: int = 0
    """How many of the person's notifications are unread: the menu's «Thông báo (n)»."""

    @property
    def user(self) -> User:
        return self.caller.user

    @property
    def actor(self) -> Actor:
        return self.caller.actor


def visitor_of(request: Request, rt: Runtime) -> Visitor | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        with rt.db.read() as s:
            caller = caller_from_token(token, rt, s)
            delegated = [g for g in caller.actor.grants if g.delegation_id is not None]
            titles = tuple(accounts.role_titles(s, caller.user.grants)) + tuple(
                f"{t} (được ủy quyền)" for t in accounts.role_titles(s, delegated)
            )
            signing = accounts.signing_state(s, caller.user)
            unread = notifications.unread_count(s, caller.user.id)  # one COUNT per page
    except NotAuthenticated:
        return None
    csrf = csrf_token(rt.settings.secret_key, token)
    return Visitor(caller, token, csrf, titles, signing, unread)


PASSWORD_PAGE = "/tai-khoan/mat-khau"
# While the password is a temporary one (an admin set it), the pages offer nothing else.
WHILE_PASSWORD_TEMPORARY = frozenset({PASSWORD_PAGE, "/dang-xuat"})


def current_visitor(request: Request, rt: RuntimeDep) -> Visitor:
    visitor = visitor_of(request, rt)
    if visitor is None:
        raise LoginRequired(expired=SESSION_COOKIE in request.cookies)
    request.state.visitor = visitor
    if visitor.user.must_change_password and request.url.path not in WHILE_PASSWORD_TEMPORARY:
        raise PasswordChangeRequired()
    return visitor


VisitorDep = Annotated[Visitor, Depends(current_visitor)]


async def checked_form(request: Request, visitor: VisitorDep) -> FormData:
    """The POSTed form, once its CSRF token is the session's."""
    form = await request.form(max_files=1, max_fields=4000)
    sent = form.get(CSRF_FIELD)
    if not isinstance(sent, str) or not hmac.compare_digest(sent, visitor.csrf):
        raise CsrfRejected()
    return form


CheckedForm = Annotated[FormData, Depends(checked_form)]


def set_session(response: Response, request: Request, token: str, max_age: int) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request),
        path="/",
    )
    response.delete_cookie(ANON_COOKIE, path="/")


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


def anon_binding(request: Request) -> tuple[str, bool]:
    """The random value the sign-in form's CSRF token is tied to, and whether it is new
    (then the answer must set the cookie)."""
    value = request.cookies.get(ANON_COOKIE)
    if value and 20 <= len(value) <= 100:
        return value, False
    return secrets.token_urlsafe(32), True


def set_anon(response: Response, request: Request, value: str) -> None:
    response.set_cookie(
        ANON_COOKIE, value, httponly=True, samesite="lax", secure=secure_cookies(request), path="/"
    )


def set_flash(response: Response, message: str) -> None:
    response.set_cookie(
        FLASH_COOKIE, quote(message[:400]), max_age=60, httponly=True, samesite="lax", path="/"
    )


def pop_flash(request: Request) -> str | None:
    value = request.cookies.get(FLASH_COOKIE)
    return unquote(value) if value else None
