"""A cluster's registrations of titles and its members' scores, and the ranking computed
from them (never typed). No I/O.

Registration (đăng ký thi đua): each member unit registers, by the plan's registration
deadline, the collective titles it aims for and its individuals' titles (named people or
counts). A registration made on or before the deadline may be edited until the deadline;
after it, a unit that has not registered may still register — accepted and marked late —
and one that registered on time can no longer change it (`registration_closed`).

Scoring (chấm điểm): in each period (sơ kết giữa năm, tổng kết cuối năm) each member
scores itself per criterion of the plan (0 ≤ points ≤ the criterion's maximum, at most
two decimal places) and submits its sheet; the head and deputy units review it and may
set a criterion's points with a reason, the self-score staying next to it — each lead
unit's own sheet reviewed by the other one.

The ranking: a member's total is the sum over the criteria of the reviewed points where
given, else its own; submitted members are ordered by total, descending; equal totals
share a rank (1, 1, 3: standard competition ranking) and are marked tied; a submitted member
whose points on a mandatory criterion are 0 (or missing) is flagged — ranked by its total all
the same, the flag shown beside it; members that have not submitted come last, unranked
(«chưa chấm»).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from domain.awards import NomineeKind
from domain.errors import Forbidden, InvalidInput
from domain.registry import CATALOGUE, Level


class Period(StrEnum):
    MIDYEAR = "midyear"
    YEAREND = "yearend"


PERIOD_LABELS = {Period.MIDYEAR: "Sơ kết 6 tháng đầu năm", Period.YEAREND: "Tổng kết cuối năm"}
PERIOD_SLUGS = {Period.MIDYEAR: "giua-nam", Period.YEAREND: "cuoi-nam"}


class SheetStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


SHEET_STATUS_LABELS = {SheetStatus.DRAFT: "Đang chấm", SheetStatus.SUBMITTED: "Đã gửi"}

MAX_TEXT = 4000
"""The longest evidence, reason or note kept."""

TWO_PLACES = Decimal("0.01")


# ---------------------------------------------------------------- registrations

REGISTRABLE = tuple(
    k
    for k in CATALOGUE.values()
    if k.level in (Level.UNIT, Level.PROVINCE) and k.code != "giay_khen"
)
"""The titles and awards a member may register for the year: those its unit or the
province decides (the higher ones are proposed later, through dossiers)."""
COLLECTIVE_TITLES = tuple(k for k in REGISTRABLE if NomineeKind.COLLECTIVE in k.holders)
INDIVIDUAL_TITLES = tuple(k for k in REGISTRABLE if NomineeKind.INDIVIDUAL in k.holders)


@dataclass(frozen=True)
class RegistrationItem:
    kind: NomineeKind
    award: str
    person_id: int | None = None
    count: int | None = None


def check_item(item: RegistrationItem) -> None:
    """A registered title of the catalogue, for the kind of holder it has; an individual
    one names a person or counts people (1–10 000), never both."""
    codes = {
        k.code
        for k in (COLLECTIVE_TITLES if item.kind is NomineeKind.COLLECTIVE else INDIVIDUAL_TITLES)
    }
    if item.award not in codes:
        raise InvalidInput(
            "Danh hiệu, hình thức khen thưởng không có trong danh mục đăng ký.",
            code="unknown_award",
        )
    if item.kind is NomineeKind.COLLECTIVE:
        if item.person_id is not None or item.count is not None:
            raise InvalidInput("Danh hiệu tập thể không kèm tên người.", code="invalid_item")
        return
    if (item.person_id is None) == (item.count is None):
        raise InvalidInput(
            "Mỗi dòng danh hiệu cá nhân ghi một người hoặc số người.", code="invalid_item"
        )
    if item.count is not None and not 1 <= item.count <= 10_000:
        raise InvalidInput("Số người phải từ 1 đến 10 000.", code="invalid_count")


def check_items(items: Sequence[RegistrationItem]) -> None:
    if not items:
        raise InvalidInput("Hãy đăng ký ít nhất một danh hiệu.", code="registration_empty")
    seen: set[tuple[str, str, int | None]] = set()
    for item in items:
        check_item(item)
        key = (item.kind.value, item.award, item.person_id)
        if key in seen and (item.kind is NomineeKind.COLLECTIVE or item.person_id is not None):
            raise InvalidInput("Một danh hiệu được đăng ký hai lần.", code="duplicate_item")
        seen.add(key)


class RegistrationState(StrEnum):
    MISSING = "missing"
    ON_TIME = "on_time"
    LATE = "late"


REGISTRATION_STATE_LABELS = {
    RegistrationState.MISSING: "Chưa đăng ký",
    RegistrationState.ON_TIME: "Đã đăng ký",
    RegistrationState.LATE: "Đăng ký muộn",
}


def is_late(day: date, deadline: date | None) -> bool:
    """Whether a registration made on `day` misses the deadline (none set: never)."""
    return deadline is not None and day > deadline


def may_write(day: date, deadline: date | None, *, registered_on_time: bool) -> bool:
    """Whether a member may write its registration on `day`: until the deadline always;
    after it only a member with no registration on time (its registration is late)."""
    return not is_late(day, deadline) or not registered_on_time


def state_of(registered: bool, late: bool) -> RegistrationState:
    """A member's registration state as the head unit's table shows it."""
    if not registered:
        return RegistrationState.MISSING
    return RegistrationState.LATE if late else RegistrationState.ON_TIME


# ---------------------------------------------------------------- points


def parse_points(raw: object, max_points: Decimal) -> Decimal:
    """Points as entered ("8,5", "8.5", 8.5): a number with at most two decimal places,
    between 0 and `max_points`; 422 with a code saying what is wrong otherwise."""
    if isinstance(raw, bool):
        raise InvalidInput("Điểm phải là một số.", code="score_not_a_number")
    text = str(raw).strip().replace(",", ".") if not isinstance(raw, Decimal) else None
    try:
        value = raw if isinstance(raw, Decimal) else Decimal(text or "")
    except InvalidOperation as e:
        raise InvalidInput("Điểm phải là một số.", code="score_not_a_number") from e
    if not value.is_finite():
        raise InvalidInput("Điểm phải là một số.", code="score_not_a_number")
    if value < 0:
        raise InvalidInput("Điểm không được âm.", code="score_negative")
    if value > max_points:
        raise InvalidInput(
            f"Điểm vượt quá điểm tối đa của tiêu chí ({points_text(max_points)}).",
            code="score_above_max",
        )
    if value != value.quantize(TWO_PLACES):
        raise InvalidInput("Điểm chỉ có tối đa hai chữ số thập phân.", code="score_too_precise")
    return value.quantize(TWO_PLACES)


def points_text(value: Decimal | None) -> str:
    """Points as the pages write them: "8,5", "10", "" for none."""
    if value is None:
        return ""
    q = value.quantize(TWO_PLACES)
    text = f"{q:f}".rstrip("0").rstrip(".") if "." in f"{q:f}" else f"{q:f}"
    return text.replace(".", ",")


def check_text(value: str, what: str) -> str:
    value = value.strip()
    if len(value) > MAX_TEXT:
        raise InvalidInput(f"{what} dài quá {MAX_TEXT} ký tự.", code="text_too_long")
    return value


def check_reason(reason: str | None) -> str:
    """An adjustment's reason: required, kept as written."""
    text = check_text(reason or "", "Lý do")
    if not text:
        raise InvalidInput("Điều chỉnh điểm phải nêu lý do.", code="reason_required")
    return text


def check_reviewer(reviewer_units: Collection[int], unit_id: int) -> None:
    """A lead unit does not review its own sheet: the other lead unit (Trưởng cụm for the
    deputy's, Phó trưởng cụm for the head's) does."""
    if reviewer_units and set(reviewer_units) == {unit_id}:
        raise Forbidden(
            "Đơn vị không tự thẩm định phiếu chấm điểm của mình: phiếu này do đơn vị Trưởng"
            " cụm hoặc Phó trưởng cụm còn lại thẩm định.",
            code="own_sheet_review",
        )


# ---------------------------------------------------------------- ranking


@dataclass(frozen=True)
class CriterionFacts:
    id: int
    code: str
    max_points: Decimal
    mandatory: bool


@dataclass(frozen=True)
class SheetFacts:
    unit_id: int
    name: str
    submitted: bool
    self_points: Mapping[int, Decimal | None] = field(default_factory=dict)
    """By criterion id."""
    reviewed_points: Mapping[int, Decimal | None] = field(default_factory=dict)
    """By criterion id: set where the head or deputy unit adjusted it."""


@dataclass(frozen=True)
class Ranked:
    unit_id: int
    name: str
    submitted: bool
    rank: int | None
    """1-based; shared by equal totals; None for a member that has not submitted."""
    tied: bool
    self_total: Decimal
    total: Decimal
    """Reviewed points where given, else the member's own."""
    adjusted: bool
    """Whether any criterion was adjusted in the review."""
    failed_mandatory: tuple[str, ...]
    """The codes of the mandatory criteria scored 0 or not scored."""

    @property
    def flagged(self) -> bool:
        return bool(self.failed_mandatory)


def effective(sheet: SheetFacts, criterion_id: int) -> Decimal | None:
    reviewed = sheet.reviewed_points.get(criterion_id)
    return reviewed if reviewed is not None else sheet.self_points.get(criterion_id)


def rank(criteria: Iterable[CriterionFacts], sheets: Iterable[SheetFacts]) -> list[Ranked]:
    """The cluster's ranking for one period (see the module's docstring)."""
    crit = list(criteria)
    rows: list[Ranked] = []
    for sh in sheets:
        self_total = sum((sh.self_points.get(c.id) or Decimal(0) for c in crit), Decimal(0))
        total = sum((effective(sh, c.id) or Decimal(0) for c in crit), Decimal(0))
        failed = tuple(
            c.code for c in crit if sh.submitted and c.mandatory and not effective(sh, c.id)
        )
        adjusted = any(sh.reviewed_points.get(c.id) is not None for c in crit)
        rows.append(
            Ranked(
                sh.unit_id, sh.name, sh.submitted, None, False, self_total, total, adjusted, failed
            )
        )
    done = sorted((r for r in rows if r.submitted), key=lambda r: (-r.total, r.name, r.unit_id))
    waiting = sorted((r for r in rows if not r.submitted), key=lambda r: (r.name, r.unit_id))
    counts: dict[Decimal, int] = {}
    for r in done:
        counts[r.total] = counts.get(r.total, 0) + 1
    out: list[Ranked] = []
    for r in done:
        first = next(j for j, x in enumerate(done) if x.total == r.total)
        out.append(
            Ranked(
                r.unit_id,
                r.name,
                True,
                first + 1,
                counts[r.total] > 1,
                r.self_total,
                r.total,
                r.adjusted,
                r.failed_mandatory,
            )
        )
    return out + waiting
