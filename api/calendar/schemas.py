"""Shapes of the working-calendar endpoints."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class CalendarDayIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    day: date
    kind: Literal["off", "work"]
    """`off`: a day off beyond the statutory ones; `work`: a day worked (ngày làm bù)."""
    note: str = Field(default="", max_length=300)
    """The day's name, as announced ("Nghỉ bù Quốc khánh", "Làm bù cho ngày 02/01")."""
    basis: str = Field(default="", max_length=300)
    """The announcement: "Thông báo số …/TB-BNV ngày …", a Quyết định of the UBND tỉnh."""


class CalendarDayOut(BaseModel):
    day: date
    kind: str
    note: str
    source: Literal["admin", "statutory"]
    basis: str = ""


class DayOffOut(BaseModel):
    """A day off of the year as every deadline counts it."""

    day: date
    name: str
    source: Literal["statutory", "announced"]
    """`statutory`: the Labour Code's days and the government's swaps the `holidays`
    package knows; `announced`: entered by the administrator."""
    basis: str = ""


class CalendarOut(BaseModel):
    year: int
    entered: list[CalendarDayOut]
    statutory_days_off: list[CalendarDayOut]
    statutory_make_up_days: list[date]
    days_off: list[DayOffOut]
    """Every weekday-or-weekend day off of the year (not the ordinary weekends), with the
    administrator's entries applied."""
    make_up_days: list[DayOffOut]
    """Every weekend or holiday made a working day."""
    working_days: int
    """Working days in the year with every entry counted."""


class DueOut(BaseModel):
    start: date
    working_days: int
    due: date
    skipped: list[DayOffOut]
    """The days off (other than ordinary weekends) the count went over."""
