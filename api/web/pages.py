"""Rendering the pages: the Jinja2 environment, the page context every template gets,
and the route class that answers errors with a page instead of JSON."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from api.audit.labels import RENDITION_LABELS
from api.web import format as fmt
from api.web.session import FLASH_COOKIE, LoginRequired, Visitor, pop_flash
from domain.awards import AWARDS, NOMINEE_KIND_LABELS
from domain.errors import DomainError, NotAuthenticated
from domain.nominee_details import ETHNICITIES, GENDER_LABELS
from domain.process import ACTION_LABELS, STAGE_LABELS, STATUS_LABELS
from domain.required_documents import ATTACHMENT_KIND_LABELS
from domain.roles import ROLE_LABELS, Role

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
)


def nav_items(visitor: Visitor | None, path: str) -> list[tuple[str, str, bool]]:
    """The menu: what the visitor's roles let them do, and which item the page is under
    (the longest matching one)."""
    if visitor is None:
        return []
    roles = visitor.actor.roles()
    items = [("/", "Trang chủ")]
    if roles - {Role.ADMIN}:
        items.append(("/ho-so", "Hồ sơ"))
    if Role.UNIT_CLERK in roles:
        items.append(("/ho-so/moi", "Lập hồ sơ"))
    if Role.AUDITOR in roles or Role.ADMIN in roles:
        items.append(("/kiem-tra", "Kiểm tra lịch sử"))
    if Role.ADMIN in roles:
        items += [("/quan-tri/nguoi-dung", "Người dùng"), ("/quan-tri/cum-thi-dua", "Cụm thi đua")]
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
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    url = f"/dang-nhap?tiep={quote(target, safe='')}"
    return url + ("&het-han=1" if expired else "")


ERROR_TITLES = {
    403: "Không có quyền",
    404: "Không tìm thấy",
    409: "Chưa thực hiện được",
    413: "Tệp quá lớn",
    415: "Loại tệp không được chấp nhận",
    422: "Dữ liệu chưa hợp lệ",
    429: "Thử lại sau",
}


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    visitor = getattr(request.state, "visitor", None)
    return render(
        request,
        "error.html",
        visitor,
        status_code=status,
        title=ERROR_TITLES.get(status, "Có lỗi"),
        message=message,
    )


class WebRoute(APIRoute):
    """Errors of a page are pages: sign-in when there is no session, a Vietnamese message
    with the right status otherwise (the JSON API keeps its JSON errors)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except LoginRequired as e:
                return redirect(login_url(request, expired=e.expired))
            except NotAuthenticated:
                return redirect(login_url(request, expired=True))
            except DomainError as e:
                return error_page(request, e.status, e.message)
            except RequestValidationError:
                return error_page(request, 422, "Địa chỉ hoặc dữ liệu gửi lên không hợp lệ.")

        return route
