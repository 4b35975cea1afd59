"""Working days in Việt Nam: what a deadline counted «ngày làm việc» skips.

A day is a working day unless it is a Saturday or Sunday, a statutory day off, or a day
off the administration announced; a weekend day the government moved work to (ngày làm
bù) is a working day. The statutory days off of each year — with the lunar Tết and Giỗ
Tổ Hùng Vương, and the days swapped by the government's announcements that the package
knows — come from the maintained `holidays` package (its Vietnam calendar), so that no
lunar date is computed here; what it does not know (a province's own day off, an
announcement newer than the package) the administrator enters as data
(`days_off`, `make_up_days`). No I/O.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

import holidays

SATURDAY = 5


@functools.cache
def _vietnam(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("VN", years=year, language="vi")


def statutory_days_off(years: Iterable[int]) -> dict[date, str]:
    """The statutory days off of these years with their Vietnamese names."""
    out: dict[date, str] = {}
    for year in years:
        out.update({d: str(name) for d, name in _vietnam(year).items() if d.year == year})
    return dict(sorted(out.items()))


def statutory_make_up_days(year: int) -> frozenset[date]:
    """The weekend days of `year` the package knows were made working days (ngày làm bù
    for a day off moved next to a holiday)."""
    weekend_workdays: Collection[date] = getattr(_vietnam(year), "weekend_workdays", set())
    return frozenset(d for d in weekend_workdays if d.year == year)


@dataclass(frozen=True)
class WorkCalendar:
    """The statutory calendar plus the administration's own entries: `days_off` are more
    days off (a weekday made a holiday), `make_up_days` are days worked although they
    would be off (a Saturday made a working day, or a statutory day kept at work)."""

    days_off: frozenset[date] = field(default_factory=frozenset)
    make_up_days: frozenset[date] = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        if day in self.make_up_days:
            return True
        if day in self.days_off:
            return False
        if day in _vietnam(day.year):
            return False
        if day.weekday() >= SATURDAY:
            return day in statutory_make_up_days(day.year)
        return True


def _calendar(days_off: Collection[date], make_up_days: Collection[date]) -> WorkCalendar:
    return WorkCalendar(frozenset(days_off), frozenset(make_up_days))


def is_working_day(
    day: date, days_off: Collection[date] = (), make_up_days: Collection[date] = ()
) -> bool:
    return _calendar(days_off, make_up_days).is_working_day(day)


MAX_SPAN = 3660
"""Days searched before giving up: ten years, far beyond any deadline."""


def add_working_days(
    start: date, n: int, days_off: Collection[date] = (), make_up_days: Collection[date] = ()
) -> date:
    """The n-th working day after `start` (`start` itself not counted, whatever it is):
    the last day of a period of n working days that begins the day after `start`. n = 0
    gives `start`; a negative n counts back."""
    cal = _calendar(days_off, make_up_days)
    step = 1 if n >= 0 else -1
    day, left = start, abs(n)
    for _ in range(MAX_SPAN):
        if left == 0:
            return day
        day += timedelta(days=step)
        if cal.is_working_day(day):
            left -= 1
    raise ValueError(f"{n} working days from {start} lie beyond {MAX_SPAN} days")


def working_days_between(
    a: date, b: date, days_off: Collection[date] = (), make_up_days: Collection[date] = ()
) -> int:
    """How many working days lie after `a` up to and including `b` (negative when `b` is
    before `a`): `working_days_between(a, add_working_days(a, n)) == n`."""
    if b < a:
        return -working_days_between(b, a, days_off, make_up_days)
    cal = _calendar(days_off, make_up_days)
    return sum(1 for k in range(1, (b - a).days + 1) if cal.is_working_day(a + timedelta(days=k)))
