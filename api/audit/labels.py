"""How the history names things for its readers, in Vietnamese: statuses, roles, the
kinds of read events, renditions of a document, and the system as an actor."""

from __future__ import annotations

from domain.process import STATUS_LABELS, Status
from domain.roles import ROLE_LABELS, Role

READ_LABELS = {
    "document_downloaded": "Tải, đọc văn bản",
    "history_exported": "Xuất lịch sử hồ sơ",
}
SYSTEM_ACTOR = "Hệ thống tdkt (tự động)"
RENDITION_LABELS = {
    "docx": "bản DOCX",
    "pdf-prepared": "bản PDF chuẩn bị ký",
    "pdf-personal": "bản PDF có chữ ký cá nhân",
    "pdf-signed": "bản PDF đã ký số",
    "upload": "tệp đính kèm",
}


def status_label(status: str | None) -> str | None:
    if status is None:
        return None
    try:
        return STATUS_LABELS[Status(status)]
    except ValueError:
        return status


def role_label(role: str | None) -> str | None:
    if role is None:
        return None
    try:
        return ROLE_LABELS[Role(role)]
    except ValueError:
        return role
