"""The deadline of the step a subject waits at, as the API and the pages show it: its
last day, whether it is due soon or overdue, how many working days are left (or late),
and the rule with its legal basis. The rules are domain/deadlines.py's; the calendar is
storage/calendar.py's (with the administrator's entries)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from pydantic import BaseModel
from sqlalchemy.orm import Session

from core.settings import get_settings
from documents.vn import today_vn
from domain import deadlines as rules
from domain.calendar import WorkCalendar
from domain.process import Action
from storage.calendar import work_calendar
from storage.models import Dossier
from storage.repositories import dossiers as dossiers_repo


class DeadlineOut(BaseModel):
    due_date: date
    """The last day (Vietnam time) for the step the subject waits at."""
    state: str
    """`on_time`, `due_soon` (TDKT_DUE_SOON_WORKING_DAYS or fewer working days left),
    `overdue`."""
    state_label: str
    working_days_left: int
    """Working days after today up to the last day; negative: working days overdue."""
    rule: str
    basis: str
    confirmed: bool
    """Whether /work/shared/DOMAIN.md confirms the rule; if not, it is configuration."""

    @property
    def text(self) -> str:
        day = f"{self.due_date:%d/%m/%Y}"
        if self.working_days_left < 0:
            return f"{day} — quá hạn {-self.working_days_left} ngày làm việc"
        if self.working_days_left == 0:
            return f"{day} — hạn là hôm nay"
        return f"{day} — còn {self.working_days_left} ngày làm việc"


def calendar_for(s: Session, arrived: datetime) -> WorkCalendar:
    """The working calendar a deadline counted from `arrived` is computed on."""
    return work_calendar(s, min(rules.vn_day(arrived), today_vn()), today_vn())


def subject_deadline(
    s: Session,
    process: str,
    state: str,
    arrived_at: datetime,
    *,
    year: int | None = None,
    today: date | None = None,
    cal: WorkCalendar | None = None,
) -> DeadlineOut | None:
    """The deadline of the step a subject of `process` waits at in `state`, having
    arrived at `arrived_at` (its last transition); None when the step has none."""
    cal = cal or calendar_for(s, arrived_at)
    due = rules.due_date(process, state, arrived_at, cal, year=year)
    rule = rules.step_deadline(process, state, rules.vn_day(arrived_at))
    if due is None or rule is None:
        return None
    today = today or today_vn()
    state_ = rules.due_state(cal, due, today, get_settings().due_soon_working_days)
    left = rules.working_days_left(cal, today, due)
    return DeadlineOut(
        due_date=due,
        state=state_,
        state_label=rules.DUE_STATE_LABELS[state_],
        working_days_left=left,
        rule=rule.text,
        basis=rule.basis,
        confirmed=rule.confirmed,
    )


def dossier_deadlines(s: Session, dossiers: Sequence[Dossier]) -> dict[int, DeadlineOut]:
    """The deadline of each dossier that waits at a step with one, by id."""
    if not dossiers:
        return {}
    arrived = dossiers_repo.entered_state_at(s, [d.id for d in dossiers])
    cal = calendar_for(s, min(arrived.values()))
    out: dict[int, DeadlineOut] = {}
    for d in dossiers:
        found = subject_deadline(s, d.process, d.status, arrived[d.id], year=d.year, cal=cal)
        if found is not None:
            out[d.id] = found
    return out


def step_lateness(s: Session, d: Dossier) -> list[tuple[str, str, date, int] | None]:
    """For each committed step of a dossier (its transitions, in order): the action, the
    state it left, its last day and how many working days late it was taken (0: on
    time), or None when the step had no deadline. A step's arrival is the previous
    step's time (or the dossier's creation)."""
    steps = dossiers_repo.transitions(s, d.id)
    if not steps:
        return []
    times = [d.created_at, *(t.created_at for t in steps)]
    cal = work_calendar(s, rules.vn_day(min(times)), rules.vn_day(max(times)))
    out: list[tuple[str, str, date, int] | None] = []
    arrived = d.created_at
    for t in steps:
        found = None
        if t.action in ACTIONS:
            taken = rules.StepTaken(t.from_status, Action(t.action), arrived, t.created_at)
            late = rules.lateness(d.process, taken, cal, year=d.year)
            found = (t.action, t.from_status, *late) if late is not None else None
        out.append(found)
        arrived = t.created_at
    return out


ACTIONS = frozenset(a.value for a in Action)
