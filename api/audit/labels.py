"""How the history names things for its readers, in Vietnamese: statuses, roles, the
kinds of read events, renditions of a document, and the system as an actor."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar

from domain.delegation import DELEGATED
from domain.process import STATUS_LABELS, Status
from domain.roles import BOARD_ROLES, ROLE_LABELS, UNIT_ROLES, ClusterPost, Place, Role, role_title

READ_LABELS = {
    "document_downloaded": "Tải, đọc văn bản",
    "history_exported": "Xuất lịch sử hồ sơ",
    "list_exported": "Xuất danh sách (Excel, CSV)",
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


def actor_title(
    role: str | None,
    unit: str | None,
    on_behalf_of: str | None,
    *,
    year: int,
    cluster_post: ClusterPost | None = None,
    board: str | None = None,
) -> str | None:
    """The role an event's actor acted in, with where it is held, said as the pages say
    a person's role: for a cluster's leader, the post their unit had in the cluster in
    the dossier's year ("Trưởng cụm, Cụm I – … (2026)"). An unknown role: None."""
    try:
        r = Role(role) if role is not None else None
    except ValueError:
        return None
    if r is None:
        return None
    if r == Role.CLUSTER_APPROVER:
        place = Place(unit=unit, cluster=on_behalf_of, year=year, cluster_post=cluster_post)
        if cluster_post is None:  # the post is not known any more: say what was recorded
            place = Place(unit=unit)
    elif r in UNIT_ROLES:
        place = Place(unit=unit)
    elif r in BOARD_ROLES:
        place = Place(board=board, authority=unit)
    else:
        place = Place(authority=unit)
    return role_title(r, place)


def actor_line(
    name: str | None,
    title: str | None,
    role: str | None,
    unit: str | None,
    on_behalf_of: str | None,
) -> str:
    """Who did it, once: "name, role and where" (the unit of a cluster's leader after
    it), and whom they acted for when the title does not say it already."""
    if name is None:
        return SYSTEM_ACTOR
    said = title or role_label(role) or ""
    text = f"{name}, {said}" if said else name
    if unit and unit not in said:
        text += f"; đơn vị {unit}" if title else f" – {unit}"
    if on_behalf_of and on_behalf_of.startswith(DELEGATED):  # storage/delegations.py
        text += f"; {on_behalf_of}"
    elif on_behalf_of and on_behalf_of != unit and on_behalf_of not in said:
        text += f"; thay mặt {on_behalf_of}"
    return text
