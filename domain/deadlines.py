"""Deadlines per process step: how long a subject may wait in a state of its process.

Each rule (`StepDeadline`) is keyed by a process code (domain/process.py `PROCESSES`) and
one of its states: either a number of working days counted from the subject's arrival
in that state (its last transition), or a fixed day of the subject's year (year-end
dossiers due at the board before 10/12). A rule carries its legal basis, the dates it is
in force and whether /work/shared/DOMAIN.md confirms it; unconfirmed numbers are
configuration and the pages say so. A state without a rule has no deadline.

`due_date` is the one function that answers "by when must this step be taken" — the
dossier pages, the inbox's order and marks, the history's «chậm N ngày làm việc» and the
reminders are built on it. No I/O: the working calendar (domain/calendar.py
`WorkCalendar`, with the administrator's entries) is passed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from enum import StrEnum

from domain.calendar import MAX_SPAN, WorkCalendar
from domain.process import Action, Status

VN = timezone(timedelta(hours=7), "ICT")
UNCONFIRMED = "chưa xác nhận, cấu hình mặc định"


@dataclass(frozen=True)
class StepDeadline:
    """The deadline of the step that takes a subject of process `process` out of
    `state`: `working_days` after its arrival, or the fixed day `fixed` (day, month) of
    the subject's year. `return_working_days`: a shorter deadline for returning it
    (an ineligible or incomplete dossier goes back sooner than it is appraised)."""

    process: str
    state: str
    effective_from: date
    effective_to: date | None
    basis: str
    confirmed: bool
    working_days: int | None = None
    fixed: tuple[int, int] | None = None
    return_working_days: int | None = None

    def __post_init__(self) -> None:
        if (self.working_days is None) == (self.fixed is None):
            raise ValueError("a step deadline is either working days or a fixed day")

    @property
    def text(self) -> str:
        if self.fixed is not None:
            day, month = self.fixed
            return f"trước ngày {day:02d}/{month:02d} hằng năm"
        text = f"{self.working_days} ngày làm việc kể từ khi nhận"
        if self.return_working_days is not None:
            text += f"; trả lại hồ sơ không đủ điều kiện trong {self.return_working_days} ngày"
        return text


_YEAR_END = (
    "Hướng dẫn công tác thi đua, khen thưởng cuối năm của UBND tỉnh (một tỉnh yêu cầu hồ sơ "
    "cuối năm gửi về Ban Thi đua – Khen thưởng trước ngày 10/12); ngày cụ thể là cấu hình "
    "theo văn bản của tỉnh"
)
_APPRAISAL = (
    "Thẩm định trong 20 ngày làm việc kể từ khi nhận đủ hồ sơ hợp lệ, trả lại hồ sơ không "
    "đủ điều kiện trong 05 ngày làm việc: thủ tục cấp trung ương và CSTĐCS (QĐ 638/QĐ-BNV "
    "năm 2025); cho Bằng khen, Cờ thi đua, CSTĐ cấp tỉnh theo NĐ 152/2025/NĐ-CP " + UNCONFIRMED
)
_SINCE = date(2025, 1, 1)


def _year_end(process: str, state: StrEnum) -> StepDeadline:
    return StepDeadline(
        process, str(state), _SINCE, None, _YEAR_END, confirmed=True, fixed=(10, 12)
    )


STEP_DEADLINES: tuple[StepDeadline, ...] = (
    # Before the board: the year-end dossier must reach it by the province's date.
    _year_end("commendation_proposal", Status.UNIT_REVIEW),
    _year_end("commendation_proposal", Status.CLUSTER_REVIEW),
    _year_end("cluster_voted_proposal", Status.UNIT_REVIEW),
    _year_end("cluster_voted_proposal", Status.CLUSTER_VOTE),
    _year_end("cluster_voted_proposal", Status.CLUSTER_VOTED),
    # At the board: the appraisal of a complete dossier.
    StepDeadline(
        "commendation_proposal",
        str(Status.BOARD_APPRAISAL),
        _SINCE,
        None,
        _APPRAISAL,
        confirmed=False,
        working_days=20,
        return_working_days=5,
    ),
)


def _in_force(r: StepDeadline, on: date) -> bool:
    return r.effective_from <= on and (r.effective_to is None or on < r.effective_to)


def step_deadline(
    process: str, state: str, on: date, rules: Sequence[StepDeadline] = STEP_DEADLINES
) -> StepDeadline | None:
    """The rule in force on `on` (the arrival day) for the step out of `state`, or None
    when the step has no deadline."""
    found = [r for r in rules if r.process == process and r.state == state and _in_force(r, on)]
    return max(found, key=lambda r: r.effective_from) if found else None


def vn_day(moment: datetime) -> date:
    """The day in Việt Nam of a moment (stored in UTC; a naive one is read as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(VN).date()


def add_working_days(cal: WorkCalendar, start: date, n: int) -> date:
    """The n-th working day of `cal` after `start` (domain/calendar.py's, on a built
    calendar)."""
    day, left = start, n
    for _ in range(MAX_SPAN):
        if left <= 0:
            return day
        day += timedelta(days=1)
        if cal.is_working_day(day):
            left -= 1
    raise ValueError(f"{n} working days from {start} lie beyond {MAX_SPAN} days")


def working_days_late(cal: WorkCalendar, due: date, done: date) -> int:
    """How many working days after `due` the day `done` is (0 when on time)."""
    if done <= due:
        return 0
    return sum(
        1 for k in range(1, (done - due).days + 1) if cal.is_working_day(due + timedelta(days=k))
    )


def due_date(
    process: str,
    state: str,
    arrived_at: datetime,
    cal: WorkCalendar,
    *,
    year: int | None = None,
    action: Action | None = None,
    rules: Sequence[StepDeadline] = STEP_DEADLINES,
) -> date | None:
    """The last day (Vietnam time) for the step out of `state` of a subject of `process`
    that arrived in it at `arrived_at` (its last transition, UTC): None when the step has
    no deadline. `year`: the subject's year, for a fixed day (the arrival's year if not
    given). `action`: the step as taken, when it is a return with a shorter deadline."""
    arrived = vn_day(arrived_at)
    rule = step_deadline(process, state, arrived, rules)
    if rule is None:
        return None
    if rule.fixed is not None:
        day, month = rule.fixed
        return date(year or arrived.year, month, day)
    n = rule.working_days or 0
    if action == Action.RETURN and rule.return_working_days is not None:
        n = rule.return_working_days
    return add_working_days(cal, arrived, n)


class DueState(StrEnum):
    ON_TIME = "on_time"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


DUE_STATE_LABELS = {
    DueState.ON_TIME: "Trong hạn",
    DueState.DUE_SOON: "Sắp đến hạn",
    DueState.OVERDUE: "Quá hạn",
}


def working_days_left(cal: WorkCalendar, today: date, due: date) -> int:
    """Working days after `today` up to the last day `due`; negative: how many working
    days `today` is past it."""
    if today > due:
        return -working_days_late(cal, due, today)
    return working_days_late(cal, today, due)


def due_state(cal: WorkCalendar, due: date, today: date, soon_working_days: int) -> DueState:
    """Overdue after its last day; due soon when at most `soon_working_days` working
    days are left after today."""
    if today > due:
        return DueState.OVERDUE
    left = working_days_left(cal, today, due)
    return DueState.DUE_SOON if left <= soon_working_days else DueState.ON_TIME


@dataclass(frozen=True)
class StepTaken:
    """A step of a subject's history: out of `state` by `action` at `at`, having
    arrived at `arrived_at`."""

    state: str
    action: Action
    arrived_at: datetime
    at: datetime


def lateness(
    process: str,
    step: StepTaken,
    cal: WorkCalendar,
    *,
    year: int | None = None,
    rules: Sequence[StepDeadline] = STEP_DEADLINES,
) -> tuple[date, int] | None:
    """The step's last day and how many working days late it was taken (0: on time),
    or None when the step had no deadline."""
    due = due_date(
        process, step.state, step.arrived_at, cal, year=year, action=step.action, rules=rules
    )
    if due is None:
        return None
    return due, working_days_late(cal, due, vn_day(step.at))
