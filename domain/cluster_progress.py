"""Where each member of a cluster stands in the year, as the head unit's dashboard and the
board's overview show it: covenant targets entered? covenant signed? registered (on
time)? each period's scores sent before its review? No I/O.

A step is *due* by the date the issued plan's calendar sets for it (the covenant's targets
and signatures by its signing day, the registrations by their deadline, each period's
sheet before the day of its sơ kết / tổng kết); after that day a member that has not done
it is *overdue*. Before the plan is issued (or, for the signature, before the head unit
opens the covenant for signing) a step is *not open*.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Step(StrEnum):
    COMMITMENTS = "commitments"
    COVENANT = "covenant"
    REGISTRATION = "registration"
    MIDYEAR = "midyear"
    YEAREND = "yearend"


STEP_LABELS = {
    Step.COMMITMENTS: "Nhập chỉ tiêu giao ước",
    Step.COVENANT: "Ký giao ước",
    Step.REGISTRATION: "Đăng ký thi đua",
    Step.MIDYEAR: "Chấm điểm sơ kết",
    Step.YEAREND: "Chấm điểm tổng kết",
}


class Mark(StrEnum):
    DONE = "done"
    DONE_LATE = "done_late"
    WAITING = "waiting"
    OVERDUE = "overdue"
    NOT_OPEN = "not_open"


MARK_LABELS = {
    Mark.DONE: "Đã xong",
    Mark.DONE_LATE: "Xong, muộn hạn",
    Mark.WAITING: "Đang chờ",
    Mark.OVERDUE: "Quá hạn",
    Mark.NOT_OPEN: "Chưa mở",
}


@dataclass(frozen=True)
class Calendar:
    """The issued plan's dates (None: the plan is not issued or does not set it)."""

    issued: bool
    covenant_signing_on: date | None = None
    registration_deadline: date | None = None
    midyear_review_on: date | None = None
    yearend_review_on: date | None = None


@dataclass(frozen=True)
class MemberFacts:
    unit_id: int
    name: str
    committed: bool
    """The member entered its covenant targets (all have, once the covenant is open)."""
    covenant_open: bool
    """The covenant is open for signing (or sealed) and this member is among its signers."""
    covenant_signed: bool
    registered: bool
    registered_late: bool
    submitted: Mapping[Step, bool]
    """Per scoring period (Step.MIDYEAR, Step.YEAREND): the sheet sent to the head unit."""


@dataclass(frozen=True)
class MemberProgress:
    unit_id: int
    name: str
    marks: Mapping[Step, Mark]

    @property
    def late(self) -> bool:
        return any(m in (Mark.OVERDUE, Mark.DONE_LATE) for m in self.marks.values())

    @property
    def overdue(self) -> tuple[Step, ...]:
        return tuple(s for s, m in self.marks.items() if m is Mark.OVERDUE)

    @property
    def to_do(self) -> tuple[Step, ...]:
        """What the member can and still must do (open, not done)."""
        return tuple(s for s, m in self.marks.items() if m in (Mark.WAITING, Mark.OVERDUE))


def _pending(due: date | None, today: date) -> Mark:
    return Mark.OVERDUE if due is not None and today > due else Mark.WAITING


def progress(m: MemberFacts, cal: Calendar, today: date) -> MemberProgress:
    marks: dict[Step, Mark] = {}
    if m.committed:
        marks[Step.COMMITMENTS] = Mark.DONE
    elif not cal.issued:
        marks[Step.COMMITMENTS] = Mark.NOT_OPEN
    else:
        marks[Step.COMMITMENTS] = _pending(cal.covenant_signing_on, today)
    if m.covenant_signed:
        marks[Step.COVENANT] = Mark.DONE
    elif not m.covenant_open:
        marks[Step.COVENANT] = Mark.NOT_OPEN
    else:
        marks[Step.COVENANT] = _pending(cal.covenant_signing_on, today)
    if m.registered:
        marks[Step.REGISTRATION] = Mark.DONE_LATE if m.registered_late else Mark.DONE
    elif not cal.issued:
        marks[Step.REGISTRATION] = Mark.NOT_OPEN
    else:
        marks[Step.REGISTRATION] = _pending(cal.registration_deadline, today)
    for step, due in (
        (Step.MIDYEAR, cal.midyear_review_on),
        (Step.YEAREND, cal.yearend_review_on),
    ):
        if m.submitted.get(step):
            marks[step] = Mark.DONE
        elif not cal.issued:
            marks[step] = Mark.NOT_OPEN
        else:
            marks[step] = _pending(due, today)
    return MemberProgress(m.unit_id, m.name, marks)


@dataclass(frozen=True)
class Tally:
    """One step across the members: how many are done, late (done after the deadline or
    still overdue) and how many there are."""

    done: int
    late: int
    of: int


def tally(rows: Iterable[MemberProgress]) -> dict[Step, Tally]:
    rows = list(rows)
    out: dict[Step, Tally] = {}
    for step in Step:
        marks = [r.marks[step] for r in rows]
        out[step] = Tally(
            done=sum(m in (Mark.DONE, Mark.DONE_LATE) for m in marks),
            late=sum(m in (Mark.DONE_LATE, Mark.OVERDUE) for m in marks),
            of=len(marks),
        )
    return out
