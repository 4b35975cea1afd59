"""Public consultation of a round's list (lấy ý kiến công khai) before it goes further.

Whether a list must be published for comment, and for how many working days, is
configuration with its legal basis and effective dates, never a constant in code:
NĐ 98/2023/NĐ-CP Điều 46.2 asked at least 10 working days for state-level awards (read in a
text quoting it; NĐ 98/2023 was repealed by NĐ 152/2025 from 01/07/2025), kept here as a
labelled default; for the provincial awards no duty has been confirmed, so publishing is
off by default for them — a board may still publish. What a public page may show of a
nominee is also here. No I/O.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from domain.errors import Conflict, DomainError, InvalidInput


class AwardLevel(StrEnum):
    STATE = "nha_nuoc"
    """Awards of the State (Huân chương, Bằng khen của Thủ tướng …), proposed through the
    province."""
    PROVINCE = "tinh"
    """Awards the Chủ tịch UBND tỉnh decides."""


AWARD_LEVEL_LABELS = {
    AwardLevel.STATE: "Khen thưởng cấp Nhà nước",
    AwardLevel.PROVINCE: "Khen thưởng cấp tỉnh",
}

AWARD_LEVELS: Mapping[str, AwardLevel] = {
    "bang_khen_ubnd_tinh": AwardLevel.PROVINCE,
    "co_thi_dua_ubnd_tinh": AwardLevel.PROVINCE,
    "tap_the_lao_dong_xuat_sac": AwardLevel.PROVINCE,
    "chien_si_thi_dua_cap_tinh": AwardLevel.PROVINCE,
}
"""The level of each award code (an award not named here is taken as provincial: the
awards the system handles today are all the Chủ tịch UBND tỉnh's)."""


UNCONFIRMED = "chưa xác nhận"


@dataclass(frozen=True)
class ConsultationRule:
    level: AwardLevel
    required: bool
    """Whether the list must be published before the round is submitted."""
    min_working_days: int
    """The shortest period the board may give (when it publishes at all)."""
    default_working_days: int
    """The period offered on the publishing form."""
    effective_from: date | None
    effective_to: date | None
    legal_basis: str
    confirmed: bool
    """False: no text in force was read that fixes it (the page says «chưa xác nhận»)."""

    def in_force(self, on: date) -> bool:
        return (self.effective_from is None or self.effective_from <= on) and (
            self.effective_to is None or on <= self.effective_to
        )

    @property
    def label(self) -> str:
        duty = (
            f"bắt buộc, ít nhất {self.min_working_days} ngày làm việc"
            if self.required
            else "không bắt buộc (Phòng có thể công khai nếu thấy cần)"
        )
        basis = self.legal_basis + ("" if self.confirmed else f" — {UNCONFIRMED}")
        return f"{AWARD_LEVEL_LABELS[self.level]}: {duty}. Căn cứ: {basis}"


NDS_98_REPEALED = date(2025, 7, 1)

RULES: tuple[ConsultationRule, ...] = (
    ConsultationRule(
        AwardLevel.STATE,
        required=True,
        min_working_days=10,
        default_working_days=10,
        effective_from=None,
        effective_to=date(2025, 6, 30),
        legal_basis="Nghị định 98/2023/NĐ-CP, Điều 46 khoản 2",
        confirmed=True,
    ),
    ConsultationRule(
        AwardLevel.STATE,
        required=True,
        min_working_days=10,
        default_working_days=10,
        effective_from=NDS_98_REPEALED,
        effective_to=None,
        legal_basis=(
            "mặc định giữ theo Nghị định 98/2023/NĐ-CP, Điều 46 khoản 2 (đã hết hiệu lực từ "
            "01/07/2025, Nghị định 152/2025/NĐ-CP thay thế); quy định hiện hành"
        ),
        confirmed=False,
    ),
    ConsultationRule(
        AwardLevel.PROVINCE,
        required=False,
        min_working_days=1,
        default_working_days=10,
        effective_from=None,
        effective_to=None,
        legal_basis="không tìm thấy quy định bắt buộc công khai đối với khen thưởng cấp tỉnh",
        confirmed=False,
    ),
)


def rule_for(
    award: str,
    on: date,
    rules: Iterable[ConsultationRule] = RULES,
    levels: Mapping[str, AwardLevel] = AWARD_LEVELS,
) -> ConsultationRule:
    level = levels.get(award, AwardLevel.PROVINCE)
    for rule in rules:
        if rule.level == level and rule.in_force(on):
            return rule
    raise LookupError(f"no consultation rule for {level} on {on}")


@dataclass(frozen=True)
class RoundRule:
    """What a round of several awards must do: the strictest of its awards' rules."""

    required: bool
    min_working_days: int
    default_working_days: int
    rules: tuple[ConsultationRule, ...]

    @property
    def labels(self) -> list[str]:
        return [r.label for r in self.rules]


def round_rule(
    awards: Iterable[str],
    on: date,
    rules: Iterable[ConsultationRule] = RULES,
    levels: Mapping[str, AwardLevel] = AWARD_LEVELS,
) -> RoundRule:
    found = tuple(dict.fromkeys(rule_for(a, on, rules, levels) for a in awards))
    required = [r for r in found if r.required]
    deciding = required or list(found)
    return RoundRule(
        required=bool(required),
        min_working_days=max((r.min_working_days for r in deciding), default=1),
        default_working_days=max((r.default_working_days for r in deciding), default=10),
        rules=found,
    )


MAX_WORKING_DAYS = 60


def check_period(working_days: int | None, rule: RoundRule) -> int:
    """The period the board gives, or the configured one; never under the minimum."""
    days = rule.default_working_days if working_days is None else working_days
    if days < rule.min_working_days:
        raise InvalidInput(
            f"Thời gian lấy ý kiến ít nhất {rule.min_working_days} ngày làm việc.",
            code="consultation_too_short",
        )
    if days > MAX_WORKING_DAYS:
        raise InvalidInput(
            f"Thời gian lấy ý kiến không quá {MAX_WORKING_DAYS} ngày làm việc.",
            code="consultation_too_long",
        )
    return days


def vn_date(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def check_submittable(today: date, required: bool, end_date: date | None, *, opened: bool) -> None:
    """A round whose list is under consultation goes on only once the period has ended
    (the day after its last day); one that must be published, only once published."""
    if opened and end_date is not None and today <= end_date:
        raise Conflict(
            "Danh sách của đợt đang được lấy ý kiến công khai đến hết ngày "
            f"{vn_date(end_date)}. Chỉ trình đợt sau khi hết thời gian này.",
            code="consultation_open",
        )
    if required and not opened:
        raise Conflict(
            "Đợt này phải công khai danh sách để lấy ý kiến trước khi trình.",
            code="consultation_required",
        )


def is_open(today: date, end_date: date) -> bool:
    return today <= end_date


# ------------------------------------------------------------------ public comments

NAME_MAX, CONTACT_MAX, TEXT_MAX = 200, 200, 4000

COMMENTS_PER_WINDOW = 3
WINDOW_MINUTES = 10
"""At most this many comments from one address in this many minutes (rate limit)."""


@dataclass(frozen=True)
class CommentIn:
    name: str
    contact: str
    text: str


def _printable(value: str) -> str:
    """Without control characters but line breaks and tabs (a NUL is refused by
    PostgreSQL; a public form gets whatever anyone sends)."""
    return "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch) != "Cc")


def check_comment(name: str, contact: str, text: str) -> CommentIn:
    clean_name = " ".join(_printable(name or "").split())
    clean_contact = " ".join(_printable(contact or "").split())
    body = _printable((text or "").replace("\r\n", "\n")).strip()
    if not clean_name:
        raise InvalidInput("Hãy nhập họ và tên.", code="comment_name_required")
    if not body:
        raise InvalidInput("Hãy nhập nội dung ý kiến.", code="comment_text_required")
    if len(clean_name) > NAME_MAX:
        raise InvalidInput(f"Họ và tên dài quá {NAME_MAX} ký tự.", code="comment_name_too_long")
    if len(clean_contact) > CONTACT_MAX:
        raise InvalidInput(
            f"Thông tin liên hệ dài quá {CONTACT_MAX} ký tự.", code="comment_contact_too_long"
        )
    if len(body) > TEXT_MAX:
        raise InvalidInput(
            f"Nội dung ý kiến dài quá {TEXT_MAX} ký tự.", code="comment_text_too_long"
        )
    return CommentIn(clean_name, clean_contact, body)


@dataclass(frozen=True)
class PublicNominee:
    """All a public page shows of a nominee: nothing else of the dossier (no date of
    birth, identity number, achievements or files — NĐ 13/2023/NĐ-CP)."""

    name: str
    position: str
    unit_name: str
    award_name: str
    kind: str


class TooManyComments(DomainError):
    status, code = 429, "too_many_comments"
    message = (
        f"Bạn đã gửi {COMMENTS_PER_WINDOW} ý kiến trong {WINDOW_MINUTES} phút. "
        f"Hãy gửi tiếp sau {WINDOW_MINUTES} phút."
    )


class ConsultationClosed(DomainError):
    status, code = 409, "consultation_closed"
    message = "Thời gian lấy ý kiến về danh sách này đã kết thúc."
