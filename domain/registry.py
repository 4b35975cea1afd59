"""What the awards registry records: the catalogue of award and title codes a record may
carry (those decided by the province, those a unit decides itself, and the higher ones a
past award may be), with their kind and level, and the occasions an award is given on.
No I/O.

Luật Thi đua, khen thưởng 2022 distinguishes titles (danh hiệu thi đua) from forms of
commendation (hình thức khen thưởng); an article is cited only where DOMAIN.md confirms
it. "Hoàn thành xuất sắc
nhiệm vụ" is the yearly rating of a civil servant or a collective, not an award; it is
recorded here because the consecutive-year conditions of the awards count it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain.awards import NomineeKind


class RegistryKind(StrEnum):
    TITLE = "danh_hieu"
    """Danh hiệu thi đua."""
    COMMENDATION = "hinh_thuc"
    """Hình thức khen thưởng."""
    RATING = "xep_loai"
    """A yearly rating (Hoàn thành xuất sắc nhiệm vụ) the conditions count."""


REGISTRY_KIND_LABELS = {
    RegistryKind.TITLE: "Danh hiệu thi đua",
    RegistryKind.COMMENDATION: "Hình thức khen thưởng",
    RegistryKind.RATING: "Xếp loại hằng năm",
}


class Level(StrEnum):
    UNIT = "co_so"
    """Decided by the head of the unit (or the body that manages it)."""
    PROVINCE = "tinh"
    STATE = "nha_nuoc"


LEVEL_LABELS = {Level.UNIT: "Cơ sở", Level.PROVINCE: "Cấp tỉnh", Level.STATE: "Nhà nước"}


class Occasion(StrEnum):
    """Why an award was given. Only yearly ones build the consecutive-year chains: awards
    for a campaign (chuyên đề) or a sudden feat (đột xuất) are no basis for a higher award
    (Nghị định 152/2025/NĐ-CP Điều 4)."""

    YEARLY = "yearly"
    CAMPAIGN = "chuyen_de"
    SUDDEN = "dot_xuat"
    OTHER = "khac"


OCCASION_LABELS = {
    Occasion.YEARLY: "Thường xuyên (hằng năm)",
    Occasion.CAMPAIGN: "Theo chuyên đề",
    Occasion.SUDDEN: "Đột xuất",
    Occasion.OTHER: "Khác",
}


class Source(StrEnum):
    DECISION = "decision"
    """An award decision issued or uploaded in tdkt (its award record)."""
    IMPORT = "import"
    """A row of an imported file of past awards."""
    UNIT = "unit"
    """A title the unit decided itself, entered with its decision uploaded."""


SOURCE_LABELS = {
    Source.DECISION: "Quyết định trên tdkt",
    Source.IMPORT: "Nhập từ tệp",
    Source.UNIT: "Đơn vị nhập (quyết định của đơn vị)",
}


@dataclass(frozen=True)
class RegistryAwardKind:
    code: str
    name: str
    kind: RegistryKind
    level: Level
    holders: frozenset[NomineeKind]
    legal_basis: str

    @property
    def unit_decides(self) -> bool:
        """Whether a unit enters it itself, with its own decision."""
        return self.level is Level.UNIT


_I = frozenset({NomineeKind.INDIVIDUAL})
_C = frozenset({NomineeKind.COLLECTIVE})
_BOTH = frozenset(NomineeKind)
_LAW = "Luật Thi đua, khen thưởng số 06/2022/QH15"

CATALOGUE: dict[str, RegistryAwardKind] = {
    k.code: k
    for k in (
        # Decided by the unit itself.
        RegistryAwardKind(
            "lao_dong_tien_tien",
            "Lao động tiên tiến",
            RegistryKind.TITLE,
            Level.UNIT,
            _I,
            _LAW,
        ),
        RegistryAwardKind(
            "chien_si_thi_dua_co_so",
            "Chiến sĩ thi đua cơ sở",
            RegistryKind.TITLE,
            Level.UNIT,
            _I,
            _LAW,
        ),
        RegistryAwardKind(
            "tap_the_lao_dong_tien_tien",
            "Tập thể lao động tiên tiến",
            RegistryKind.TITLE,
            Level.UNIT,
            _C,
            _LAW,
        ),
        RegistryAwardKind(
            "hoan_thanh_xuat_sac_nhiem_vu",
            "Hoàn thành xuất sắc nhiệm vụ",
            RegistryKind.RATING,
            Level.UNIT,
            _BOTH,
            "Kết quả đánh giá, xếp loại hằng năm (Nghị định 90/2020/NĐ-CP)",
        ),
        RegistryAwardKind(
            "giay_khen",
            "Giấy khen",
            RegistryKind.COMMENDATION,
            Level.UNIT,
            _BOTH,
            _LAW,
        ),
        # Decided by the Chủ tịch UBND tỉnh (domain/awards.py proposes them).
        RegistryAwardKind(
            "tap_the_lao_dong_xuat_sac",
            "Tập thể lao động xuất sắc",
            RegistryKind.TITLE,
            Level.PROVINCE,
            _C,
            _LAW,
        ),
        RegistryAwardKind(
            "chien_si_thi_dua_cap_tinh",
            "Chiến sĩ thi đua cấp tỉnh",
            RegistryKind.TITLE,
            Level.PROVINCE,
            _I,
            _LAW,
        ),
        RegistryAwardKind(
            "bang_khen_ubnd_tinh",
            "Bằng khen của Chủ tịch UBND tỉnh",
            RegistryKind.COMMENDATION,
            Level.PROVINCE,
            _BOTH,
            _LAW + " (Điều 74)",
        ),
        RegistryAwardKind(
            "co_thi_dua_ubnd_tinh",
            "Cờ thi đua của UBND tỉnh",
            RegistryKind.TITLE,
            Level.PROVINCE,
            _C,
            _LAW + " (Điều 26)",
        ),
        # Higher awards a past record may hold.
        RegistryAwardKind(
            "chien_si_thi_dua_toan_quoc",
            "Chiến sĩ thi đua toàn quốc",
            RegistryKind.TITLE,
            Level.STATE,
            _I,
            _LAW,
        ),
        RegistryAwardKind(
            "co_thi_dua_chinh_phu",
            "Cờ thi đua của Chính phủ",
            RegistryKind.TITLE,
            Level.STATE,
            _C,
            _LAW,
        ),
        RegistryAwardKind(
            "bang_khen_thu_tuong",
            "Bằng khen của Thủ tướng Chính phủ",
            RegistryKind.COMMENDATION,
            Level.STATE,
            _BOTH,
            _LAW,
        ),
        RegistryAwardKind(
            "huan_chuong_lao_dong_hang_ba",
            "Huân chương Lao động hạng Ba",
            RegistryKind.COMMENDATION,
            Level.STATE,
            _BOTH,
            _LAW,
        ),
    )
}


def award_name(code: str) -> str:
    kind = CATALOGUE.get(code)
    return kind.name if kind else code
