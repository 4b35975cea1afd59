"""What a dossier must hold besides the forms tdkt fills itself: the kinds of attachment a
clerk uploads, and which kinds each award requires, as data with its legal basis and the
dates it is in force (a dossier is judged by the rules in force on the day it is
submitted).

Luật Thi đua, khen thưởng số 06/2022/QH15, Điều 84: the dossier holds the Tờ trình, the
achievement reports and the Biên bản bình xét of the proposing level's council; for the
Chiến sĩ thi đua titles also the document recognising the initiative. tdkt fills the
Tờ trình and the reports; the Biên bản and the initiative's certificate are uploaded.

`confirmed` says whether DOMAIN.md confirms the requirement in a public source (✓) or it
is believed (?); the pages say which.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class AttachmentKind(StrEnum):
    BIEN_BAN_BINH_XET = "bien_ban_binh_xet"
    GIAY_CHUNG_NHAN_SANG_KIEN = "giay_chung_nhan_sang_kien"
    QUYET_DINH_CONG_NHAN_DE_TAI = "quyet_dinh_cong_nhan_de_tai"
    KHAC = "khac"


ATTACHMENT_KIND_LABELS = {
    AttachmentKind.BIEN_BAN_BINH_XET: "Biên bản bình xét của Hội đồng Thi đua – Khen thưởng",
    AttachmentKind.GIAY_CHUNG_NHAN_SANG_KIEN: "Giấy chứng nhận (quyết định công nhận) sáng kiến",
    AttachmentKind.QUYET_DINH_CONG_NHAN_DE_TAI: "Quyết định công nhận đề tài khoa học",
    AttachmentKind.KHAC: "Tài liệu khác",
}

LUAT_2022 = "Luật Thi đua, khen thưởng số 06/2022/QH15"
LUAT_2022_IN_FORCE = date(2024, 1, 1)


@dataclass(frozen=True)
class Requirement:
    """An award's dossier must hold at least one attachment of one of `kinds`."""

    award: str
    kinds: tuple[AttachmentKind, ...]
    label: str
    """What is missing, as the review step says it ("Biên bản bình xét")."""
    legal_basis: str
    effective_from: date
    effective_to: date | None
    confirmed: bool
    """True: confirmed in a public source (DOMAIN.md ✓); False: believed (?)."""
    note: str = ""
    checked_at_submit: bool = True
    """False: another level produces the document (the cluster's own Biên bản); the unit's
    review step shows it, the unit's submit does not wait for it."""

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    def met_by(self, kinds: Collection[str]) -> bool:
        return any(k in kinds for k in self.kinds)

    @property
    def mark(self) -> str:
        return "✓" if self.confirmed else "?"


_BIEN_BAN = "Biên bản bình xét"
_BASIS_84 = f"Điều 84 {LUAT_2022}"


def _minutes(award: str, *, confirmed: bool = True, note: str = "") -> Requirement:
    return Requirement(
        award,
        (AttachmentKind.BIEN_BAN_BINH_XET,),
        _BIEN_BAN,
        _BASIS_84,
        LUAT_2022_IN_FORCE,
        None,
        confirmed,
        note,
    )


REQUIREMENTS: tuple[Requirement, ...] = (
    _minutes("bang_khen_ubnd_tinh"),
    _minutes("tap_the_lao_dong_xuat_sac"),
    _minutes("chien_si_thi_dua_cap_tinh"),
    Requirement(
        "chien_si_thi_dua_cap_tinh",
        (AttachmentKind.GIAY_CHUNG_NHAN_SANG_KIEN, AttachmentKind.QUYET_DINH_CONG_NHAN_DE_TAI),
        "Giấy chứng nhận sáng kiến (hoặc quyết định công nhận đề tài)",
        _BASIS_84,
        LUAT_2022_IN_FORCE,
        None,
        True,
        "Văn bản công nhận sáng kiến: Điều 84 (✓). Quyết định công nhận đề tài khoa học thay "
        "cho sáng kiến: theo tiêu chuẩn Chiến sĩ thi đua (sáng kiến hoặc đề tài), chưa xác "
        "nhận là đủ cho hồ sơ (?).",
    ),
    # Cờ thi đua của UBND tỉnh is voted by the cluster (bình xét, suy tôn): the Biên bản is
    # the cluster's, not one the unit uploads, so the unit's submit does not wait for it.
    Requirement(
        "co_thi_dua_ubnd_tinh",
        (AttachmentKind.BIEN_BAN_BINH_XET,),
        "Biên bản bình xét, suy tôn của Cụm thi đua",
        _BASIS_84,
        LUAT_2022_IN_FORCE,
        None,
        False,
        "Cụm thi đua lập khi bình xét, suy tôn; đơn vị không phải tải lên khi trình (?).",
        checked_at_submit=False,
    ),
)


def requirements_in_force(award: str, on: date) -> list[Requirement]:
    """The documents `award`'s dossier must hold on `on` (none before the rules tdkt
    knows came into force)."""
    return [r for r in REQUIREMENTS if r.award == award and r.in_force(on)]


def missing_documents(award: str, on: date, kinds: Collection[str]) -> list[Requirement]:
    """The requirements in force on `on`, checked at the unit's submit, that the
    attachments' `kinds` do not meet."""
    return [
        r for r in requirements_in_force(award, on) if r.checked_at_submit and not r.met_by(kinds)
    ]


def missing_text(r: Requirement) -> str:
    """ "còn thiếu Biên bản bình xét — Điều 84 Luật Thi đua, khen thưởng số 06/2022/QH15" """
    return f"còn thiếu {r.label} — {r.legal_basis}"
