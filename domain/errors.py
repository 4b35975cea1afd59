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

    def extra(self) -> dict[str, object]:
        """More fields for the error body, next to `detail` and `code`."""
        return {}


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


class CertificateNotAttached(InvalidInput):
    """An initiative's certificate that is not an attachment of the dossier; `field`
    names it in the request body ("nominees.0.initiatives.1.document_id")."""

    code = "certificate_not_attached"

    def __init__(self, title: str, field: str) -> None:
        self.field = field
        super().__init__(
            f"Giấy chứng nhận sáng kiến «{title}» phải là tài liệu kèm theo của hồ sơ "
            "(thêm tệp trước, rồi chọn nó)."
        )

    def extra(self) -> dict[str, object]:
        return {"field": self.field}


class ReasonRequired(InvalidInput):
    code, message = "reason_required", "Cần nêu lý do."


class DossierIncomplete(InvalidInput):
    code, message = "dossier_incomplete", "Hồ sơ chưa đủ thành phần."


class TooManyAttempts(DomainError):
    status, code = 429, "too_many_attempts"
    message = "Đăng nhập sai quá nhiều lần. Hãy thử lại sau 15 phút."


class PayloadTooLarge(DomainError):
    status, code, message = 413, "payload_too_large", "Tệp quá lớn."


class UnsupportedMediaType(DomainError):
    status, code, message = 415, "unsupported_media_type", "Loại tệp không được chấp nhận."


class SigningPinRequired(InvalidInput):
    code, message = "signing_pin_required", "Cần nhập mã PIN ký số để duyệt và ký."


class WrongPin(DomainError):
    status, code, message = 403, "wrong_pin", "Mã PIN ký số không đúng."


class SigningLocked(DomainError):
    status, code = 403, "signing_locked"
    message = (
        "Chức năng ký số của bạn đã bị khóa do nhập sai mã PIN nhiều lần. Hãy liên hệ quản trị."
    )


class NoSigningKey(DomainError):
    status, code = 409, "no_signing_key"
    message = "Bạn chưa có chứng thư số cá nhân trong hệ thống. Hãy liên hệ quản trị."


class DocumentsNotReady(DomainError):
    status, code = 409, "documents_not_ready"
    message = "Văn bản của bước này chưa được chuẩn bị xong. Hãy thử lại sau ít phút."


class SignatureRejected(DomainError):
    """An uploaded signed PDF that cannot be accepted; `code` says why."""

    status, code, message = 422, "signature_rejected", "Tệp PDF đã ký không được chấp nhận."


class SignerMismatch(DomainError):
    status, code = 403, "signer_mismatch"
    message = "Chữ ký trong tệp không phải của người được giao duyệt hồ sơ này."


class TemplateRejected(InvalidInput):
    """An uploaded form template that fails the checks; `problems` lists each of them."""

    code = "template_invalid"

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        listed = " ".join(f"({i}) {p}" for i, p in enumerate(self.problems, 1))
        super().__init__(f"Mẫu không được chấp nhận: {listed}")

    def extra(self) -> dict[str, object]:
        return {"problems": self.problems}


class TemplateDuplicate(DomainError):
    status, code = 409, "template_duplicate"
    message = "Tệp trùng với một phiên bản đã có của biểu mẫu."


class TemplateVersionConflict(DomainError):
    status, code = 409, "template_version_conflict"
    message = "Vừa có phiên bản khác của biểu mẫu được tải lên. Hãy tải lại danh sách rồi thử lại."


# ---------------------------------------------------------------- accounts, keys, certificates


class PasswordChangeRequired(DomainError):
    status, code = 403, "password_change_required"
    message = (
        "Mật khẩu của bạn là mật khẩu tạm thời: hãy đổi mật khẩu trước khi làm việc khác "
        "(POST /api/v1/me/password)."
    )


class WrongPassword(DomainError):
    status, code, message = 403, "wrong_password", "Mật khẩu hiện tại không đúng."


class SigningPinNotSet(DomainError):
    status, code = 409, "signing_pin_not_set"
    message = (
        "Bạn chưa đặt mã PIN ký số. Khóa ký số của bạn được tạo khi bạn đặt mã PIN: "
        "hãy vào «Đặt mã PIN ký số» rồi duyệt lại."
    )


class CertificateRevoked(DomainError):
    status, code = 409, "certificate_revoked"
    message = "Chứng thư số của bạn đã bị thu hồi, không dùng để ký được nữa. Hãy liên hệ quản trị."


class CaUnavailable(DomainError):
    status, code = 409, "ca_unavailable"
    message = (
        "Hệ thống không giữ khóa của tổ chức chứng thực nào nên không cấp được khóa ký số. "
        "Hãy đăng ký chứng thư của thiết bị ký số (token) của người dùng."
    )


class CertificateRejected(InvalidInput):
    """An uploaded certificate that cannot be registered; `code` says why."""

    code, message = "certificate_invalid", "Chứng thư số không được chấp nhận."


class CertificateConflict(DomainError):
    status, code = 409, "certificate_taken"
    message = "Chứng thư số này đã được đăng ký cho người khác."


class AppraisalInvalid(InvalidInput):
    """Appraisal results that cannot be recorded; `errors` says which field of which
    nominee, each with a Vietnamese message."""

    code = "appraisal_invalid"

    def __init__(self, errors: list[dict[str, str]]) -> None:
        self.errors = list(errors)
        listed = "; ".join(e["message"] for e in self.errors[:5])
        super().__init__(f"Kết quả thẩm định chưa ghi được: {listed}")

    def extra(self) -> dict[str, object]:
        return {"errors": self.errors}


class AppraisalIncomplete(DomainError):
    status, code = 409, "appraisal_incomplete"
    message = "Chưa ghi kết quả thẩm định cho mọi tập thể, cá nhân."


class NobodyPasses(DomainError):
    status, code = 409, "appraisal_nobody_passes"
    message = (
        "Không còn tập thể, cá nhân nào đạt. Nếu không đề nghị khen thưởng, hãy chọn "
        "«Không đề nghị khen thưởng» hoặc trả lại hồ sơ."
    )


class OwnReportsUnsigned(DomainError):
    status, code = 409, "own_report_unsigned"
    message = "Cá nhân được đề nghị chưa ký báo cáo thành tích của mình."


class Conflict(DomainError):
    """The request is fine but what it would do contradicts what is recorded (a dossier
    already in a round, a round already submitted)."""

    status, code, message = 409, "conflict", "Thao tác mâu thuẫn với dữ liệu đã ghi nhận."


class EligibilityFailed(DomainError):
    """Eligibility rules (domain/eligibility.py) the nominees fail: at submission without
    the clerk's explanation, at the board's approval without the specialist's override.
    `failing` lists each (nominee, rule, evidence); "rewarded once" duplicates carry their
    own code (already_awarded, duplicate_proposal) and no explanation lets them through."""

    status, code = 409, "eligibility_failed"
    message = "Có điều kiện khen thưởng không đạt."

    def __init__(
        self, message: str, failing: list[dict[str, object]], *, code: str | None = None
    ) -> None:
        self.failing = list(failing)
        super().__init__(message, code=code)

    def extra(self) -> dict[str, object]:
        return {"failing": self.failing}
