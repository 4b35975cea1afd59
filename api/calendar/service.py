"""Use cases of the working calendar: the administrator enters (and removes) the days off
and make-up working days the government or the province announced; the year's days off
and "N working days after D" on the calendar every deadline is counted on. The rules are
domain/calendar.py's; the queries storage/calendar.py's."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from api.calendar.schemas import CalendarDayOut, CalendarOut, DayOffOut, DueOut
from domain import calendar as cal
from domain.errors import Forbidden, InvalidInput, NotFound
from domain.roles import Actor, Role
from storage import audit
from storage import calendar as store
from storage.models import CalendarDay, User

MAX_DUE_DAYS = 1000
FIRST_YEAR, LAST_YEAR = 2000, 2100
"""The years the calendar answers for (the pages' and the API's year range)."""


def _require_admin(actor: Actor) -> None:
    if Role.ADMIN not in actor.roles():
        raise Forbidden("Chỉ quản trị hệ thống nhập ngày nghỉ, ngày làm bù.", code="admin_only")


def _who(user: User) -> audit.Who:
    return audit.Who(user.id, user.full_name, str(Role.ADMIN), "")


def set_day(
    s: Session, user: User, actor: Actor, day: date, kind: str, note: str, basis: str = ""
) -> CalendarDay:
    """The administrator enters a day off or a make-up working day (replacing what was
    entered for that day)."""
    _require_admin(actor)
    if kind not in ("off", "work"):
        raise InvalidInput("Loại ngày là «off» (nghỉ) hoặc «work» (làm bù).", code="day_kind")
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise InvalidInput(
            f"Ngày trong các năm {FIRST_YEAR}–{LAST_YEAR}.", code="date_out_of_range"
        )
    row = store.calendar_day(s, day)
    if row is None:
        row = CalendarDay(
            day=day, kind=kind, note=note.strip(), basis=basis.strip(), created_by=user.id
        )
        s.add(row)
    else:
        row.kind, row.note, row.basis, row.created_by = kind, note.strip(), basis.strip(), user.id
    s.flush()
    audit.append(
        s,
        kind="calendar_day_set",
        who=_who(user),
        data={"day": day.isoformat(), "kind": kind, "note": row.note, "basis": row.basis},
    )
    return row


def remove_day(s: Session, user: User, actor: Actor, day: date) -> None:
    """The administrator removes an entry (entered by mistake, or the announcement was
    withdrawn): the day counts as the statutory calendar says again."""
    _require_admin(actor)
    row = store.calendar_day(s, day)
    if row is None:
        raise NotFound(
            f"Chưa nhập ngày {day:%d/%m/%Y} vào lịch làm việc.", code="calendar_day_not_found"
        )
    data = {"day": day.isoformat(), "kind": row.kind, "note": row.note, "basis": row.basis}
    s.delete(row)
    s.flush()
    audit.append(s, kind="calendar_day_removed", who=_who(user), data=data)


def days_of_year(s: Session, year: int) -> tuple[list[DayOffOut], list[DayOffOut]]:
    """The year's days off (statutory and announced, without the ordinary weekends) and
    its make-up working days, as every deadline counts them."""
    entered = {d.day: d for d in store.calendar_days(s, date(year, 1, 1), date(year, 12, 31))}
    work = store.work_calendar(s, date(year, 1, 1), date(year, 12, 31))
    off: dict[date, DayOffOut] = {}
    for day, name in cal.statutory_days_off([year]).items():
        if work.is_working_day(day):
            continue
        off[day] = DayOffOut(day=day, name=name, source="statutory")
    for day, e in entered.items():
        if e.kind == "off":
            off[day] = DayOffOut(
                day=day, name=e.note or "Ngày nghỉ", source="announced", basis=e.basis
            )
    made: dict[date, DayOffOut] = {
        day: DayOffOut(day=day, name="Ngày làm bù", source="statutory")
        for day in cal.statutory_make_up_days(year)
        if work.is_working_day(day)
    }
    for day, e in entered.items():
        if e.kind == "work":
            made[day] = DayOffOut(
                day=day, name=e.note or "Ngày làm bù", source="announced", basis=e.basis
            )
    return [off[d] for d in sorted(off)], [made[d] for d in sorted(made)]


def calendar_of(s: Session, year: int) -> CalendarOut:
    entered = store.calendar_days(s, date(year, 1, 1), date(year, 12, 31))
    work = store.work_calendar(s, date(year, 1, 1), date(year, 12, 31))
    days_off, make_up = days_of_year(s, year)
    return CalendarOut(
        year=year,
        entered=[
            CalendarDayOut(day=d.day, kind=d.kind, note=d.note, source="admin", basis=d.basis)
            for d in entered
        ],
        statutory_days_off=[
            CalendarDayOut(day=d, kind="off", note=name, source="statutory")
            for d, name in cal.statutory_days_off([year]).items()
        ],
        statutory_make_up_days=sorted(cal.statutory_make_up_days(year)),
        days_off=days_off,
        make_up_days=make_up,
        working_days=sum(
            1
            for k in range((date(year, 12, 31) - date(year, 1, 1)).days + 1)
            if work.is_working_day(date(year, 1, 1) + timedelta(days=k))
        ),
    )


def due(s: Session, start: date, n: int) -> DueOut:
    """The n-th working day after `start`, on the calendar with the administrator's
    entries, and the days off (not ordinary weekends) the count went over."""
    if not 0 <= n <= MAX_DUE_DAYS:
        raise InvalidInput(
            f"Số ngày làm việc từ 0 đến {MAX_DUE_DAYS}.", code="working_days_out_of_range"
        )
    if not FIRST_YEAR <= start.year <= LAST_YEAR:
        raise InvalidInput(
            f"Ngày bắt đầu trong các năm {FIRST_YEAR}–{LAST_YEAR}.", code="date_out_of_range"
        )
    work = store.work_calendar(s, start, start)
    end = cal.add_working_days(start, n, work.days_off, work.make_up_days)
    names: dict[date, DayOffOut] = {}
    for year in range(start.year, end.year + 1):
        names.update({d.day: d for d in days_of_year(s, year)[0]})
    skipped = [
        names[start + timedelta(days=k)]
        for k in range(1, (end - start).days + 1)
        if start + timedelta(days=k) in names
    ]
    return DueOut(start=start, working_days=n, due=end, skipped=skipped)
