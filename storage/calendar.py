"""Queries of the working calendar: the days the administrator entered (days off and
make-up working days the government or the province announced) and the calendar every
deadline is counted on."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.calendar import WorkCalendar
from storage.models import CalendarDay

MARGIN = timedelta(days=800)
"""How far past the range an entry still matters: a deadline counted from a day of the
range may end that far after it (domain/calendar.py MAX_SPAN is the hard limit)."""


def calendar_days(
    s: Session, start: date | None = None, end: date | None = None
) -> Sequence[CalendarDay]:
    """The administrator's entries, by day, between `start` and `end` (both included)."""
    q = select(CalendarDay)
    if start is not None:
        q = q.where(CalendarDay.day >= start)
    if end is not None:
        q = q.where(CalendarDay.day <= end)
    return s.scalars(q.order_by(CalendarDay.day)).all()


def calendar_day(s: Session, day: date) -> CalendarDay | None:
    return s.scalar(select(CalendarDay).where(CalendarDay.day == day))


def work_calendar(s: Session, start: date | None = None, end: date | None = None) -> WorkCalendar:
    """The statutory calendar with the administrator's entries: the one every deadline
    is computed on. With `start`/`end`, only the entries a count between those days can
    meet are read (from `start` to `end` plus a margin for the counts that run past it)."""
    rows = calendar_days(s, start, end + MARGIN if end is not None else None)
    return WorkCalendar(
        days_off=frozenset(r.day for r in rows if r.kind == "off"),
        make_up_days=frozenset(r.day for r in rows if r.kind == "work"),
    )
