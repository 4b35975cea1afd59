"""Errors met outside any page's own handling, answered as pages for the pages' addresses:
an unknown address (404), a method an address does not take (405: a POST address opened
or reloaded), a server error (500). The JSON API under /api/ (and /healthz, the OpenAPI
document) keeps the JSON answers of api/errors.py."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.errors import error_body
from api.web.pages import error_page, is_page_path, nearest_page

log = logging.getLogger("tdkt.web")

MESSAGES = {
    404: "Không có trang này. Địa chỉ có thể đã gõ sai hoặc trang đã được chuyển đi.",
    405: "Địa chỉ này chỉ dùng để gửi biểu mẫu, không mở trực tiếp được.",
}


def is_page_request(request: Request) -> bool:
    return is_page_path(request.url.path)


Handler = Callable[[Request, Any], Awaitable[Response]]


def install(app: FastAPI) -> None:
    json_http: Handler = app.exception_handlers[StarletteHTTPException]  # type: ignore[assignment]

    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if not is_page_request(request):
            return await json_http(request, exc)
        status = exc.status_code
        back = nearest_page(request.app, request.url.path) if status == 405 else None
        response = error_page(
            request, status, MESSAGES.get(status, "Yêu cầu không thực hiện được."), back=back
        )
        if status == 405 and exc.headers and "Allow" in exc.headers:
            response.headers["Allow"] = exc.headers["Allow"]
        return response

    async def server_error(request: Request, exc: Exception) -> Response:
        # Starlette logs the exception and re-raises it after this answer is sent.
        if not is_page_request(request):
            return JSONResponse(
                error_body(
                    "Lỗi hệ thống, chưa thực hiện được yêu cầu. Hãy thử lại; nếu vẫn lỗi, "
                    "báo cho quản trị hệ thống.",
                    "internal_error",
                ),
                status_code=500,
            )
        return error_page(
            request,
            500,
            "Hệ thống gặp lỗi khi mở trang này. Hãy thử lại sau ít phút; nếu vẫn lỗi, "
            "báo cho quản trị hệ thống.",
        )

    app.add_exception_handler(StarletteHTTPException, http_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, server_error)
