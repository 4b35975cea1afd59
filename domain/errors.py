"""Named domain errors. Each carries a stable code, a Vietnamese message and the HTTP
status the API answers with, so that routes never translate errors by hand."""

from __future__ import annotations


class DomainError(Exception):
    status: int = 400
    code: str = "error"
    message: str = "Yêu cầu không hợp lệ."

    def __init__(self, message: str | None = None, *, code: str | None = None) -> None:
        self.message = message or self.message
        if code:
            self.code = code
        super().__init__(self.message)


class NotAuthenticated(DomainError):
    status, code, message = 401, "not_authenticated", "Chưa đăng nhập hoặc phiên đã hết hạn."


class Forbidden(DomainError):
    status, code, message = 403, "forbidden", "Bạn không có quyền thực hiện thao tác này."


class NotFound(DomainError):
    status, code, message = 404, "not_found", "Không tìm thấy."


class IllegalTransition(DomainError):
    status, code, message = (
        409,
        "illegal_transition",
        "Thao tác không hợp lệ ở trạng thái hiện tại.",
    )


class StaleVersion(DomainError):
    status, code = 409, "stale_version"
    message = "Hồ sơ đã được người khác thay đổi. Hãy tải lại rồi thử lại."


class NotEditable(DomainError):
    status, code, message = 409, "not_editable", "Hồ sơ không còn ở trạng thái được sửa."


class InvalidInput(DomainError):
    status, code, message = 422, "invalid_input", "Dữ liệu không hợp lệ."


class ReasonRequired(InvalidInput):
    code, message = "reason_required", "Cần nêu lý do."


class DossierIncomplete(InvalidInput):
    code, message = "dossier_incomplete", "Hồ sơ chưa đủ thành phần."


class PayloadTooLarge(DomainError):
    status, code, message = 413, "payload_too_large", "Tệp quá lớn."


class UnsupportedMediaType(DomainError):
    status, code, message = 415, "unsupported_media_type", "Loại tệp không được chấp nhận."
