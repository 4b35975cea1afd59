"""Rendering the pages: the Jinja2 environment, the page context every template gets,
and the route class that answers errors with a page instead of JSON and ends every POST
in a redirect to a GET page."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Coroutine
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from starlette.routing import Match

from api.audit.labels import RENDITION_LABELS
from api.errors import MAX_INTEGER
from api.web import format as fmt
from api.web.session import (
    ANON_COOKIE,
    FLASH_COOKIE,
    PASSWORD_PAGE,
    SESSION_COOKIE,
    LoginRequired,
    Visitor,
    pop_flash,
    secure_cookies,
    set_flash,
    visitor_of,
)
from domain.awards import AWARDS, NOMINEE_KIND_LABELS
from domain.errors import DomainError, NotAuthenticated, PasswordChangeRequired
from domain.nominee_details import ETHNICITIES, GENDER_LABELS
from domain.opinions import CATEGORY_LABELS
from domain.process import ACTION_LABELS, STAGE_LABELS, STATUS_LABELS
from domain.required_documents import ATTACHMENT_KIND_LABELS
from domain.roles import AUTHORITY_ROLES, BOARD_ROLES, ROLE_LABELS, UNIT_ROLES, Role
from domain.stats import DASHBOARD_ROLES
from storage.models import HeldPage, utcnow
from storage.repositories import pages as pages_repo

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.filters.update(fmt.FILTERS)
templates.env.globals.update(
    STATUS_LABELS={str(k): v for k, v in STATUS_LABELS.items()},
    STAGE_LABELS={str(k): v for k, v in STAGE_LABELS.items()},
    ACTION_LABELS={str(k): v for k, v in ACTION_LABELS.items()},
    ROLE_LABELS={str(k): v for k, v in ROLE_LABELS.items()},
    KIND_LABELS={str(k): v for k, v in NOMINEE_KIND_LABELS.items()},
    AWARDS=AWARDS,
    GENDER_LABELS={str(k): v for k, v in GENDER_LABELS.items()},
    ETHNICITIES=ETHNICITIES,
    ATTACHMENT_KIND_LABELS={str(k): v for k, v in ATTACHMENT_KIND_LABELS.items()},
    FILE_RENDITION_LABELS=RENDITION_LABELS,
    CONSULTATION_CATEGORY_LABELS={str(k): v for k, v in CATEGORY_LABELS.items()},
)


def nav_items(visitor: Visitor | None, path: str) -> list[tuple[str, str, bool]]:
    """The menu: what the visitor's roles let them do, and which item the page is under
    (the longest matching one)."""
    if visitor is None:
        return []
    roles = visitor.actor.roles()
    items = [("/", "Trang chủ")]
    if roles - {Role.ADMIN, Role.AGENCY_REVIEWER}:
        items.append(("/ho-so", "Hồ sơ"))
    if Role.AGENCY_REVIEWER in roles:
        items.append(("/hiep-y", "Ý kiến hiệp y"))
    if Role.UNIT_CLERK in roles:
        items.append(("/ho-so/moi", "Lập hồ sơ"))
    if roles & (UNIT_ROLES | BOARD_ROLES | {Role.AUDITOR}):
        items.append(("/ca-nhan", "Cá nhân, tập thể"))
    if roles & (UNIT_ROLES | AUTHORITY_ROLES | {Role.CLUSTER_APPROVER, Role.AUDITOR}):
        items.append(("/cum-thi-dua", "Cụm thi đua"))
    if roles & (AUTHORITY_ROLES | {Role.AUDITOR}):
        items.append(("/dot-xet", "Đợt xét khen thưởng"))
    if roles & (AUTHORITY_ROLES | {Role.AUDITOR, Role.COUNCIL_MEMBER}):
        items.append(("/hop-hoi-dong", "Họp Hội đồng"))
    if roles & (AUTHORITY_ROLES | {Role.AUDITOR, Role.DECISION_MAKER}):
        items.append(("/quyet-dinh", "Quyết định khen thưởng"))
    if roles & (AUTHORITY_ROLES | UNIT_ROLES | {Role.AUDITOR}):
        items.append(("/tra-cuu-khen-thuong", "Tra cứu khen thưởng"))
    if roles & (AUTHORITY_ROLES | UNIT_ROLES | {Role.AUDITOR, Role.CLUSTER_APPROVER}):
        items.append(("/bao-cao", "Báo cáo thống kê"))
    if roles & DASHBOARD_ROLES:
        items.append(("/thong-ke", "Thống kê"))
    if Role.AUDITOR in roles or Role.ADMIN in roles:
        items.append(("/kiem-tra", "Kiểm tra lịch sử"))
    if Role.ADMIN in roles:
        items += [
            ("/quan-tri/nguoi-dung", "Người dùng"),
            ("/quan-tri/cum-thi-dua", "Cụm thi đua"),
            ("/quan-tri/lich-lam-viec", "Lịch làm việc"),
        ]
        items.append(("/quan-tri/vang-mat", "Vắng mặt, người thay"))
    # Everyone's notifications, with how many are unread (counted once with the visitor).
    items.append(("/thong-bao", f"Thông báo ({visitor.unread})" if visitor.unread else "Thông báo"))
    under = [h for h, _ in items if path == h or (h != "/" and path.startswith(h + "/"))]
    current = max(under, key=len) if under else None
    return [(h, label, h == current) for h, label in items]


def render(
    request: Request,
    name: str,
    visitor: Visitor | None,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    flash = pop_flash(request)
    ctx = {
        "request": request,
        "me": visitor,
        "csrf": visitor.csrf if visitor else "",
        "nav": nav_items(visitor, request.url.path),
        "flash": flash,
        **context,
    }
    response = templates.TemplateResponse(request, name, ctx, status_code=status_code)
    if flash:
        response.delete_cookie(FLASH_COOKIE, path="/")
    # Pages show who may do what now: never from a cache, never to another user.
    response.headers["Cache-Control"] = "no-store"
    return response


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def login_url(request: Request, *, expired: bool = False) -> str:
    if request.method == "GET":
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    else:  # after signing in, the page the form was on: a POST address cannot be opened
        target = _target(request)
    url = f"/dang-nhap?tiep={quote(target, safe='')}"
    return url + ("&het-han=1" if expired else "")


ERROR_TITLES = {
    403: "Không có quyền",
    404: "Không tìm thấy",
    405: "Không mở được địa chỉ này",
    409: "Chưa thực hiện được",
    413: "Tệp quá lớn",
    415: "Loại tệp không được chấp nhận",
    422: "Dữ liệu chưa hợp lệ",
    429: "Thử lại sau",
    500: "Lỗi hệ thống",
    503: "Hệ thống đang bận",
}


def error_page(
    request: Request, status: int, message: str, *, back: str | None = None
) -> HTMLResponse:
    """An error as a page of the site: its header, the visitor's menu when the visitor is
    known, the message, and a way back."""
    visitor = getattr(request.state, "visitor", None)
    if visitor is None:
        visitor = _visitor_if_any(request)
    return render(
        request,
        "error.html",
        visitor,
        status_code=status,
        title=ERROR_TITLES.get(status, "Có lỗi"),
        message=message,
        back=back if back and back != "/" else None,
    )


def _visitor_if_any(request: Request) -> Visitor | None:
    """Who is signed in, for an error met before any page's own check ran (an unknown
    address); nobody if that cannot be read (the error may be the database's)."""
    runtime = getattr(request.app.state, "runtime", None)
    if runtime is None or SESSION_COOKIE not in request.cookies:
        return None
    try:
        return visitor_of(request, runtime)
    except Exception:
        return None


# ---------------------------------------------------------------- POST, then redirect, then GET
#
# Every form POST of the pages ends in a 303 to a GET address, so the address bar never
# holds a POST address (a reload would answer 405, or send the form again). A handler that
# answers its POST with a page (the form again with each refusal beside its field and
# what was typed, or a result) needs no care of its own: the route class keeps that page
# in the database for a few minutes, bound to the session and to a random cookie, and
# redirects to the page the form was on (the Referer, this site only) or else to the
# nearest page above the POST address; that GET shows it once, with its status. In the
# database, so that any web process can answer the GET. Secrets typed (PIN, password) are
# never put back in a page's fields, so never kept either.

HELD_COOKIE = "tdkt_held"
HOLD_SECONDS = 300


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _cookie_set_by(response: Response, name: str) -> str | None:
    prefix = f"{name}=".encode()
    for key, value in response.raw_headers:
        if key == b"set-cookie" and value.startswith(prefix):
            found = value[len(prefix) :].split(b";", 1)[0].decode()
            return found or None
    return None


def _binding(request: Request, response: Response | None = None) -> str:
    """The session a held page belongs to: the session cookie, or before sign-in the
    anonymous cookie the sign-in form is tied to (new in the response if it was set now)."""
    session = request.cookies.get(SESSION_COOKIE)
    if session:
        return _digest("session:" + session)
    anon = request.cookies.get(ANON_COOKIE)
    if anon is None and response is not None:
        anon = _cookie_set_by(response, ANON_COOKIE)
    return _digest("anon:" + (anon or ""))


MACHINE_PATHS = ("/healthz", "/openapi.json")


def is_page_path(path: str) -> bool:
    """Whether an address is the pages' rather than the JSON API's (or a machine's)."""
    return not (path.startswith("/api/") or path in MACHINE_PATHS)


def is_page_address(app: Any, path: str) -> bool:
    """Whether a GET of `path` is answered by one of the pages."""
    scope = {"type": "http", "path": path, "root_path": "", "method": "GET"}
    return is_page_path(path) and any(
        route.matches(scope)[0] == Match.FULL for route in app.router.routes
    )


def nearest_page(app: Any, path: str) -> str:
    """The page at `path` or at the closest address above it ("/" at the latest)."""
    parts = [p for p in path.split("/") if p]
    while parts:
        candidate = "/" + "/".join(parts)
        if is_page_address(app, candidate):
            return candidate
        parts.pop()
    return "/"


def _target(request: Request) -> str:
    referer = request.headers.get("referer")
    if referer:
        url = urlsplit(referer)
        if url.netloc == request.url.netloc and is_page_address(request.app, url.path):
            return url.path + (f"?{url.query}" if url.query else "")
    return nearest_page(request.app, request.url.path)


def _hold(request: Request, response: Response) -> Response:
    rt = request.app.state.runtime
    token = secrets.token_urlsafe(32)
    target = _target(request)
    now = utcnow()
    with rt.db.write() as s:
        pages_repo.hold_page(
            s,
            HeldPage(
                id=_digest(token),
                binding=_binding(request, response),
                target=target,
                status=response.status_code,
                body=bytes(response.body),
                created_at=now,
            ),
            expired_before=now - timedelta(seconds=HOLD_SECONDS),
        )
    answer = redirect(target)
    for key, value in response.raw_headers:  # cookies the page set (sign-in's, the flash's)
        if key == b"set-cookie":
            answer.raw_headers.append((key, value))
    answer.set_cookie(
        HELD_COOKIE,
        token,
        max_age=HOLD_SECONDS,
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request),
        path="/",
    )
    return answer


def _held(request: Request) -> tuple[Response | None, bool]:
    """The page held for this GET, if any; and whether the cookie can go (its page was
    taken, is too old, or is another session's)."""
    token = request.cookies.get(HELD_COOKIE, "")
    if not 20 <= len(token) <= 100:
        return None, True
    rt = request.app.state.runtime
    page_id, binding = _digest(token), _binding(request)
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    since = utcnow() - timedelta(seconds=HOLD_SECONDS)
    with rt.db.read() as s:  # most GETs carrying the cookie are not the one it is for
        found = pages_repo.held_page(s, page_id)
        if found is None or found.binding != binding or found.created_at < since:
            return None, True
        if found.target != target:
            return None, False
    with rt.db.write() as s:
        page = pages_repo.take_held_page(s, page_id, binding, target, since=since)
    if page is None:
        return None, True
    response = HTMLResponse(page.body, status_code=page.status)
    response.headers["Cache-Control"] = "no-store"
    response.delete_cookie(HELD_COOKIE, path="/")
    return response, True


def _is_page(response: Response) -> bool:
    kind = response.headers.get("content-type", "")
    return not 300 <= response.status_code < 400 and kind.startswith("text/html")


def _beyond_any_id(request: Request) -> bool:
    """A number in the address no row can have (over 64 bits): the databases would fail
    on it rather than find nothing."""
    for value in request.path_params.values():
        if isinstance(value, int) and not -MAX_INTEGER <= value <= MAX_INTEGER:
            return True
        if isinstance(value, str) and value.isdigit() and int(value) > MAX_INTEGER:
            return True
    return False


class WebRoute(APIRoute):
    """Errors of a page are pages: sign-in when there is no session, a Vietnamese message
    with the right status otherwise (the JSON API keeps its JSON errors). A POST ends in
    a redirect to a GET page (see above)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def answer(request: Request) -> Response:
            if _beyond_any_id(request):
                return error_page(request, 404, "Không tìm thấy.")
            try:
                return await handler(request)
            except LoginRequired as e:
                return redirect(login_url(request, expired=e.expired))
            except NotAuthenticated:
                return redirect(login_url(request, expired=True))
            except PasswordChangeRequired:
                response = redirect(PASSWORD_PAGE)
                set_flash(response, "Hãy đổi mật khẩu tạm thời trước khi làm việc khác.")
                return response
            except DomainError as e:
                return error_page(request, e.status, e.message)
            except RequestValidationError:
                return error_page(request, 422, "Địa chỉ hoặc dữ liệu gửi lên không hợp lệ.")

        async def route(request: Request) -> Response:
            spent = False
            if request.method == "GET" and HELD_COOKIE in request.cookies:
                held, spent = await run_in_threadpool(_held, request)
                if held is not None:
                    return held
            response = await answer(request)
            if spent:
                response.delete_cookie(HELD_COOKIE, path="/")
            if request.method == "POST" and _is_page(response):
                return await run_in_threadpool(_hold, request, response)
            return response

        return route
