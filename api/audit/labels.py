"""How the history names things for its readers, in Vietnamese: statuses, roles, the
kinds of read events, renditions of a document, and the system as an actor."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar

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

E = TypeVar("E", bound=StrEnum)


def _label(value: str | None, kind: type[E], labels: Mapping[E, str]) -> str | None:
    """The Vietnamese label of a recorded value; an unknown value (an older version's)
    as recorded."""
    if value is None:
        return None
    try:
        return labels[kind(value)]
    except ValueError:
        return value


def status_label(status: str | None) -> str | None:
    return _label(status, Status, STATUS_LABELS)


def role_label(role: str | None) -> str | None:
    return _label(role, Role, ROLE_LABELS)
