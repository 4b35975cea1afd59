"""Deadlines per process step on the real 2025 and 2026 calendars (domain/deadlines.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.calendar import WorkCalendar
from domain.deadlines import (
    STEP_DEADLINES,
    VN,
    DueState,
    StepDeadline,
    StepTaken,
    due_date,
    due_state,
    lateness,
    step_deadline,
)
from domain.process import PROCESSES, Action, Status

CAL = WorkCalendar()
APPRAISAL = ("commendation_proposal", str(Status.BOARD_APPRAISAL))


def at_vn(y: int, m: int, d: int, hour: int = 9) -> datetime:
    """A moment of that day in Việt Nam (UTC+7), stored in UTC."""
    return datetime(y, m, d, hour, tzinfo=VN).astimezone(UTC)


def test_every_rule_names_a_state_of_its_process_with_a_basis():
    for r in STEP_DEADLINES:
        p = PROCESSES[r.process]
        assert r.state in p.state_labels, r
        assert r.basis and r.effective_from
    # DOMAIN.md: 20 working days to appraise is confirmed for CSTĐCS and the central
    # level only; the provincial awards under NĐ 152 are not: shown as configuration.
    rule = step_deadline(*APPRAISAL, date(2026, 2, 13))
    assert rule is not None and rule.working_days == 20 and rule.return_working_days == 5
    assert not rule.confirmed and "chưa xác nhận" in rule.basis
    assert step_deadline("commendation_proposal", str(Status.RETURNED), date(2026, 2, 13)) is None


def test_a_dossier_arriving_on_13_february_2026_across_tet():
    # Tết Bính Ngọ 2026: the government's days off run from Saturday 14/02 to Sunday
    # 22/02 (the `holidays` package: weekdays 16–20/02 off, no make-up Saturday for them).
    # Arriving Friday 13/02, the count begins the day after: Mon 23–Fri 27/02 (5),
    # 02–06/03 (10), 09–13/03 (15), 16–20/03 (20): due Friday 20/03/2026.
    assert due_date(*APPRAISAL, at_vn(2026, 2, 13), CAL) == date(2026, 3, 20)
    # Late in the evening of 13/02 in Việt Nam is still 13/02 (UTC 13/02 16:00 is 23:00).
    assert due_date(*APPRAISAL, datetime(2026, 2, 13, 16, tzinfo=UTC), CAL) == date(2026, 3, 20)
    # An ineligible dossier goes back within 5: 23–27/02.
    assert due_date(*APPRAISAL, at_vn(2026, 2, 13), CAL, action=Action.RETURN) == date(2026, 2, 27)


def test_an_administrators_make_up_day_moves_the_due_date():
    # Saturday 07/03/2026 entered as a make-up working day: the 20th day is Thursday 19/03.
    cal = WorkCalendar(make_up_days=frozenset({date(2026, 3, 7)}))
    assert due_date(*APPRAISAL, at_vn(2026, 2, 13), cal) == date(2026, 3, 19)
    # A province's own day off on Monday 16/03 pushes it to Monday 23/03.
    cal = WorkCalendar(days_off=frozenset({date(2026, 3, 16)}))
    assert due_date(*APPRAISAL, at_vn(2026, 2, 13), cal) == date(2026, 3, 23)


def test_tet_2025_and_the_swapped_day_of_may_2025():
    # Tết Ất Tỵ 2025: off Sat 25/01–Sun 02/02 (weekdays 27–31/01). Arriving Friday
    # 24/01: 03–07/02 (5), 10–14/02 (10), 17–21/02 (15), 24–28/02 (20).
    assert due_date(*APPRAISAL, at_vn(2025, 1, 24), CAL) == date(2025, 2, 28)
    # Friday 02/05/2025 off, worked on Saturday 26/04 instead; 30/04, 01/05 off.
    # Arriving Thursday 24/04: Fri 25, Sat 26 (worked), Mon 28, Tue 29, Mon 05/05 (5).
    assert due_date(*APPRAISAL, at_vn(2025, 4, 24), CAL, action=Action.RETURN) == date(2025, 5, 5)


def test_the_year_end_date_before_the_board():
    for process, state in (
        ("commendation_proposal", Status.CLUSTER_REVIEW),
        ("cluster_voted_proposal", Status.CLUSTER_VOTE),
    ):
        due = due_date(process, str(state), at_vn(2026, 11, 20), CAL, year=2026)
        assert due == date(2026, 12, 10)
        rule = step_deadline(process, str(state), date(2026, 11, 20))
        assert rule is not None and rule.confirmed and rule.text.startswith("trước ngày 10/12")


def test_due_soon_and_overdue():
    due = date(2026, 3, 20)  # a Friday
    assert due_state(CAL, due, date(2026, 3, 10), 3) == DueState.ON_TIME
    assert due_state(CAL, due, date(2026, 3, 17), 3) == DueState.DUE_SOON  # 18, 19, 20 left
    assert due_state(CAL, due, date(2026, 3, 16), 3) == DueState.ON_TIME  # 4 left
    assert due_state(CAL, due, date(2026, 3, 20), 3) == DueState.DUE_SOON
    assert due_state(CAL, due, date(2026, 3, 21), 3) == DueState.OVERDUE


def test_a_late_step_counts_its_working_days_late():
    arrived = at_vn(2026, 2, 13)
    on_time = StepTaken(str(Status.BOARD_APPRAISAL), Action.APPROVE, arrived, at_vn(2026, 3, 20))
    assert lateness("commendation_proposal", on_time, CAL) == (date(2026, 3, 20), 0)
    # Taken Tuesday 24/03: Mon 23 and Tue 24 after Friday 20/03: 2 working days late.
    late = StepTaken(str(Status.BOARD_APPRAISAL), Action.APPROVE, arrived, at_vn(2026, 3, 24))
    assert lateness("commendation_proposal", late, CAL) == (date(2026, 3, 20), 2)
    # Returned on 02/03 — after the 5 days of a return (27/02): 1 working day late.
    back = StepTaken(str(Status.BOARD_APPRAISAL), Action.RETURN, arrived, at_vn(2026, 3, 2))
    assert lateness("commendation_proposal", back, CAL) == (date(2026, 2, 27), 1)
    # A step without a deadline is never late.
    none = StepTaken(str(Status.BOARD_DECISION), Action.APPROVE, arrived, at_vn(2026, 6, 1))
    assert lateness("commendation_proposal", none, CAL) is None


def test_the_rule_in_force_on_the_arrival_day_counts():
    old = StepDeadline(*APPRAISAL, date(2020, 1, 1), None, "cũ", True, working_days=15)
    new = StepDeadline(*APPRAISAL, date(2026, 3, 1), None, "mới", False, working_days=20)
    rules = (old, new)
    assert due_date(*APPRAISAL, at_vn(2026, 2, 13), CAL, rules=rules) == date(2026, 3, 13)
    assert due_date(*APPRAISAL, at_vn(2026, 3, 2), CAL, rules=rules) == date(2026, 3, 30)
    with pytest.raises(ValueError, match="either"):
        StepDeadline(*APPRAISAL, date(2020, 1, 1), None, "", True)
