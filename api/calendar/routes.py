"""The working calendar's endpoints: the administrator's entries, the year's days off,
"N working days after D"."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.calendar import service
from api.calendar.schemas import CalendarDayIn, CalendarDayOut, CalendarOut, DueOut
from api.deps import CurrentReader, CurrentWriter, ReadSession, WriteSession

router = APIRouter(prefix="/api/v1", tags=["calendar"])


@router.post("/calendar/days", status_code=201, response_model=CalendarDayOut)
def set_day(body: CalendarDayIn, caller: CurrentWriter, s: WriteSession) -> CalendarDayOut:
    """The administrator enters a day off (`off`) or a make-up working day (`work`) the
    government or the province announced, with its name and the announcement."""
    row = service.set_day(s, caller.user, caller.actor, body.day, body.kind, body.note, body.basis)
    return CalendarDayOut(
        day=row.day, kind=row.kind, note=row.note, source="admin", basis=row.basis
    )


@router.delete("/calendar/days/{day}", status_code=204)
def remove_day(day: date, caller: CurrentWriter, s: WriteSession) -> Response:
    """The administrator removes an entry: the day counts as the statutory calendar says."""
    service.remove_day(s, caller.user, caller.actor, day)
    return Response(status_code=204)


@router.get("/calendar/days", response_model=CalendarOut)
def calendar_days(
    caller: CurrentReader,
    s: ReadSession,
    year: Annotated[int, Query(ge=2000, le=2100)],
) -> CalendarOut:
    """The year's statutory days off (the `holidays` package), its make-up days, the
    administrator's entries, every day off and make-up day as deadlines count them, and
    the count of working days."""
    return service.calendar_of(s, year)


@router.get("/calendar/due", response_model=DueOut)
def due(
    caller: CurrentReader,
    s: ReadSession,
    start: Annotated[date, Query(alias="date")],
    n: Annotated[int, Query(ge=0, le=service.MAX_DUE_DAYS)],
) -> DueOut:
    """The n-th working day after `date` (the date itself not counted) and the days off
    the count went over."""
    return service.due(s, start, n)
