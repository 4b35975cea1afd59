"""People and collectives as records of the awards registry: the checks of a national
identity number (số định danh cá nhân, on the CCCD), who may see, edit, restrict and
merge a record, and the forms a restriction takes. No I/O.

Who sees what (Nghị định 13/2023/NĐ-CP on personal data): a person's record is seen by
their unit (its clerk and head), the board of the unit's authority, auditors and the
approvers of the cluster the unit belongs to in the years their unit leads it (they meet
the person in a dossier). The personal data (identity number, date of birth, ethnicity)
and the restrictions only by the unit, the board and auditors; a read of them by the
board or an auditor is recorded in the person's history, like a document download.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from domain.nominee_details import Gender
from domain.roles import BOARD_ROLES, UNIT_ROLES, Actor, Role

# Số định danh cá nhân: 12 digits — the code of the province (or centrally-run city)
# where the birth was registered (3), the gender and century of birth (1), the last two
# digits of the year of birth (2), then a random number (6). Thông tư 59/2021/TT-BCA,
# Phụ lục I (as Thông tư 07/2016/TT-BCA before it) lists the province codes: the 63
# provinces before the 2025 merger; cards issued since keep these codes.
PROVINCE_CODES = frozenset(
    {
        "001", "002", "004", "006", "008", "010", "011", "012", "014", "015", "017",
        "019", "020", "022", "024", "025", "026", "027", "030", "031", "033", "034",
        "035", "036", "037", "038", "040", "042", "044", "045", "046", "048", "049",
        "051", "052", "054", "056", "058", "060", "062", "064", "066", "067", "068",
        "070", "072", "074", "075", "077", "079", "080", "082", "083", "084", "086",
        "087", "089", "091", "092", "093", "094", "095", "096",
    }
)  # fmt: skip


def _century_digit(birth: date, gender: str | None) -> set[str]:
    """The 4th digit a person born on `birth` may have: 0/1 for the 20th century, 2/3 the
    21st, 4/5 the 22nd … (male/female); both when the gender is not known."""
    base = ((birth.year - 1900) // 100) * 2
    if gender == Gender.MALE:
        return {str(base)}
    if gender == Gender.FEMALE:
        return {str(base + 1)}
    return {str(base), str(base + 1)}


def identity_no_problem(
    value: str, birth_date: date | None = None, gender: str | None = None
) -> str | None:
    """Why `value` cannot be a person's identity number (in Vietnamese), or None. With the
    date of birth (and gender) known, the 4th to 6th digits must agree with them."""
    if len(value) != 12 or not value.isascii() or not value.isdigit():
        return "Số định danh cá nhân (CCCD) phải gồm đúng 12 chữ số."
    if value[:3] not in PROVINCE_CODES:
        return (
            f"Số định danh cá nhân không hợp lệ: «{value[:3]}» không phải mã tỉnh, thành phố "
            "nơi đăng ký khai sinh (3 chữ số đầu, Thông tư 59/2021/TT-BCA)."
        )
    if birth_date is not None and 1900 <= birth_date.year < 2400:
        if value[3] not in _century_digit(birth_date, gender):
            return (
                "Số định danh cá nhân không khớp với giới tính và thế kỷ sinh (chữ số thứ 4) "
                "đã nhập."
            )
        if value[4:6] != f"{birth_date.year % 100:02d}":
            return (
                "Số định danh cá nhân không khớp với năm sinh (chữ số thứ 5 và 6 là hai số "
                "cuối của năm sinh)."
            )
    return None


class CollectiveKind(StrEnum):
    UNIT = "unit"
    """The unit itself (one record per unit, made when first needed)."""
    PART = "part"
    """A part of a unit: a phòng, a tổ, a khoa …, with its parent unit."""


COLLECTIVE_KIND_LABELS = {
    CollectiveKind.UNIT: "Đơn vị",
    CollectiveKind.PART: "Bộ phận trực thuộc đơn vị (phòng, tổ …)",
}


class RestrictionKind(StrEnum):
    DISCIPLINE = "discipline"
    INVESTIGATION = "investigation"
    COMPLAINT = "complaint"


RESTRICTION_KIND_LABELS = {
    RestrictionKind.DISCIPLINE: "Kỷ luật",
    RestrictionKind.INVESTIGATION: "Đang bị điều tra, thanh tra, kiểm tra",
    RestrictionKind.COMPLAINT: "Có đơn thư khiếu nại, tố cáo đang xem xét",
}


class DisciplineLevel(StrEnum):
    """The forms of discipline of cán bộ, công chức, viên chức (Nghị định 112/2020/NĐ-CP,
    amended by Nghị định 71/2023/NĐ-CP), lightest first."""

    REPRIMAND = "khien_trach"
    WARNING = "canh_cao"
    SALARY_DOWN = "ha_bac_luong"
    DEMOTION = "giang_chuc"
    DISMISSAL_FROM_POST = "cach_chuc"
    DISMISSAL = "buoc_thoi_viec"


DISCIPLINE_LEVEL_LABELS = {
    DisciplineLevel.REPRIMAND: "Khiển trách",
    DisciplineLevel.WARNING: "Cảnh cáo",
    DisciplineLevel.SALARY_DOWN: "Hạ bậc lương",
    DisciplineLevel.DEMOTION: "Giáng chức",
    DisciplineLevel.DISMISSAL_FROM_POST: "Cách chức",
    DisciplineLevel.DISMISSAL: "Buộc thôi việc",
}


def restriction_problem(
    kind: RestrictionKind, level: str | None, starts_on: date, ends_on: date | None
) -> tuple[str, str] | None:
    """(code, Vietnamese message) of what is wrong with a restriction, or None."""
    if kind is RestrictionKind.DISCIPLINE:
        if level is None:
            return "level_required", "Hãy chọn hình thức kỷ luật."
        if level not in {lv.value for lv in DisciplineLevel}:
            return "level_invalid", f"Không có hình thức kỷ luật «{level}»."
    elif level is not None:
        return "level_invalid", "Chỉ kỷ luật mới có hình thức kỷ luật."
    if ends_on is not None and ends_on < starts_on:
        return "dates_invalid", "Ngày kết thúc phải sau hoặc bằng ngày bắt đầu."
    return None


def restriction_label(kind: str, level: str | None) -> str:
    try:
        label = RESTRICTION_KIND_LABELS[RestrictionKind(kind)]
    except ValueError:
        label = kind
    if level:
        try:
            return f"{label}: {DISCIPLINE_LEVEL_LABELS[DisciplineLevel(level)]}"
        except ValueError:
            return f"{label}: {level}"
    return label


def restriction_running(starts_on: date, ends_on: date | None, today: date) -> bool:
    return starts_on <= today and (ends_on is None or today <= ends_on)


@dataclass(frozen=True)
class HolderScope:
    """Where a person's or collective's record sits: its unit, the unit's authority, and
    the units leading the unit's cluster this year."""

    unit_id: int | None
    authority_id: int | None
    cluster_leader_unit_ids: frozenset[int] = frozenset()


def _unit_role(actor: Actor, scope: HolderScope, roles: frozenset[Role] = UNIT_ROLES) -> bool:
    return scope.unit_id is not None and any(
        g.role in roles and g.unit_id == scope.unit_id for g in actor.grants
    )


def _board(actor: Actor, scope: HolderScope) -> bool:
    return scope.authority_id is not None and any(
        g.role in BOARD_ROLES and g.authority_id == scope.authority_id for g in actor.grants
    )


def _auditor(actor: Actor) -> bool:
    return any(g.role == Role.AUDITOR for g in actor.grants)


def sees_record(actor: Actor, scope: HolderScope) -> bool:
    """Whether the actor may see the record (name, position, unit, awards)."""
    if sees_personal(actor, scope):
        return True
    return any(
        g.role == Role.CLUSTER_APPROVER and g.unit_id in scope.cluster_leader_unit_ids
        for g in actor.grants
    )


def sees_personal(actor: Actor, scope: HolderScope) -> bool:
    """Whether the actor may read the personal data and the restrictions."""
    return _auditor(actor) or _unit_role(actor, scope) or _board(actor, scope)


def read_is_recorded(actor: Actor, scope: HolderScope) -> bool:
    """Whether the actor's read of the full record goes into the person's history: the
    board's and auditors' (the unit keeps its own people's records)."""
    return sees_personal(actor, scope) and not _unit_role(actor, scope)


def may_edit(actor: Actor, scope: HolderScope) -> bool:
    """Create or correct a record: the unit's clerk, or the board."""
    return _unit_role(actor, scope, frozenset({Role.UNIT_CLERK})) or _board(actor, scope)


def may_restrict(actor: Actor, scope: HolderScope) -> bool:
    """Record a discipline, investigation or complaint: the unit (clerk, head) or the board."""
    return _unit_role(actor, scope) or _board(actor, scope)


def may_merge(actor: Actor, scope: HolderScope) -> bool:
    """Merge two records of the same person: the board only."""
    return _board(actor, scope)


def viewer_role(actor: Actor, scope: HolderScope) -> Role:
    """The role in which the actor reads or acts on the record (for the history)."""
    for g in actor.grants:
        if g.role in UNIT_ROLES and g.unit_id == scope.unit_id:
            return g.role
    for g in actor.grants:
        if g.role in BOARD_ROLES and g.authority_id == scope.authority_id:
            return g.role
    if _auditor(actor):
        return Role.AUDITOR
    return sorted(actor.roles())[0] if actor.grants else Role.AUDITOR
