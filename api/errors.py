"""Every error answers `{"detail": <Vietnamese message>, "code": <stable code>}`."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from domain.errors import DomainError
from storage.objects import ObjectStoreUnavailable

log = logging.getLogger("tdkt.api")

_HTTP_CODES = {
    400: ("bad_request", "Yêu cầu không hợp lệ."),
    401: ("not_authenticated", "Chưa đăng nhập hoặc phiên đã hết hạn."),
    403: ("forbidden", "Bạn không có quyền thực hiện thao tác này."),
    404: ("not_found", "Không tìm thấy."),
    405: ("method_not_allowed", "Phương thức không được hỗ trợ."),
    413: ("payload_too_large", "Dữ liệu gửi lên quá lớn."),
    415: ("unsupported_media_type", "Loại dữ liệu không được chấp nhận."),
}

_FIELD_MESSAGES = {
    "missing": "thiếu trường bắt buộc",
    "extra_forbidden": "trường không được phép",
    "int_type": "phải là số nguyên",
    "string_type": "phải là chuỗi ký tự",
    "list_type": "phải là danh sách",
    "enum": "giá trị không thuộc danh sách cho phép",
    "greater_than_equal": "giá trị quá nhỏ",
    "less_than_equal": "giá trị quá lớn",
    "string_too_long": "quá dài",
    "string_too_short": "không được để trống",
    "too_long": "quá nhiều phần tử",
    "json_invalid": "JSON không hợp lệ",
    "model_attributes_type": "phải là một đối tượng JSON",
    "dict_type": "phải là một đối tượng JSON",
    "date_from_datetime_parsing": "phải là ngày dạng YYYY-MM-DD",
    "date_parsing": "phải là ngày dạng YYYY-MM-DD",
    "date_type": "phải là ngày dạng YYYY-MM-DD",
    "birth_date_future": "ngày sinh phải là một ngày trong quá khứ",
    "birth_date_age": "ngày sinh không hợp lý: tuổi phải từ 15 đến 100",
    "not_individual": "chỉ cá nhân có ngày sinh, giới tính, dân tộc",
    "ethnicity": "hãy chọn một dân tộc trong danh sách 54 dân tộc (hoặc «Khác»)",
}


MAX_INTEGER = 2**63 - 1  # the largest integer the databases store


def error_body(detail: str, code: str, **extra: object) -> dict[str, object]:
    return {"detail": detail, "code": code, **extra}


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        return JSONResponse(
            error_body(exc.message, exc.code, **exc.extra()), status_code=exc.status
        )

    @app.exception_handler(ObjectStoreUnavailable)
    async def _store_down(_: Request, exc: ObjectStoreUnavailable) -> JSONResponse:
        return JSONResponse(
            error_body(
                "Kho lưu trữ tạm thời không truy cập được. Chưa có gì thay đổi; "
                "hãy thử lại sau ít phút.",
                "storage_unavailable",
            ),
            status_code=503,
            headers={"Retry-After": "60"},
        )

    def busy() -> JSONResponse:
        return JSONResponse(
            error_body(
                "Hệ thống đang bận, chưa thực hiện được yêu cầu. Hãy thử lại sau ít giây.",
                "busy",
            ),
            status_code=503,
            headers={"Retry-After": "5"},
        )

    @app.exception_handler(PoolTimeout)
    async def _no_turn(_: Request, exc: PoolTimeout) -> JSONResponse:
        # No database connection, or no turn to write, within a minute (a year-end burst
        # on SQLite): the transaction never began; the client may try again.
        return busy()

    @app.exception_handler(OperationalError)
    async def _locked(_: Request, exc: OperationalError) -> JSONResponse:
        # SQLite's own lock, held by another process (a CLI command) for a minute.
        if "database is locked" in str(exc.orig):
            return busy()
        log.error("database error", exc_info=exc)
        return JSONResponse(
            error_body("Lỗi cơ sở dữ liệu. Chưa có gì thay đổi; hãy thử lại.", "database_error"),
            status_code=500,
        )

    @app.exception_handler(OverflowError)
    async def _too_large(_: Request, exc: OverflowError) -> JSONResponse:
        # SQLite cannot even compare an integer beyond 64 bits (an id such as 2**63 in a
        # path or a body): no row can have it, and nothing was changed.
        if "SQLite INTEGER" not in str(exc):
            raise exc
        return JSONResponse(
            error_body(
                f"Dữ liệu không hợp lệ – số vượt quá giới hạn (tối đa {MAX_INTEGER}).",
                "invalid_input",
            ),
            status_code=422,
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        fields = []
        for e in exc.errors():
            where = ".".join(str(p) for p in e.get("loc", ()) if p != "body")
            what = _FIELD_MESSAGES.get(e.get("type", ""), "giá trị không hợp lệ")
            fields.append({"field": where, "message": what, "type": e.get("type")})
        summary = "; ".join(f"{f['field'] or 'dữ liệu'}: {f['message']}" for f in fields[:5])
        return JSONResponse(
            error_body(f"Dữ liệu không hợp lệ – {summary}.", "invalid_input", errors=fields),
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, message = _HTTP_CODES.get(exc.status_code, ("http_error", "Lỗi yêu cầu."))
        return JSONResponse(
            error_body(message, code),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )
