"""The dashboards' pure rules (domain/stats.py): median and nearest-rank 90th percentile,
working days across Tết, the small-group rule for women and ethnic minorities, and whose
numbers each reader's grants show."""

from __future__ import annotations

from datetime import date

import pytest

from domain.calendar import WorkCalendar
from domain.errors import Forbidden
from domain.roles import Actor, Role, RoleGrant
from domain.stats import (
    HIDDEN,
    Level,
    StepWait,
    dashboard_scope,
    median,
    people_share,
    percentile,
    summarise,
    working_days_between,
)


def test_median_and_nearest_rank_percentile():
    assert median([]) is None and percentile([], 90) is None
    assert median([7, 1, 4]) == 4 and median([1, 2, 3, 10]) == 2.5
    ten = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3]  # sorted: 1 1 2 3 3 4 5 5 6 9
    assert percentile(ten, 90) == 6  # rank ⌈9⌉ = 9
    assert percentile([*ten, 10], 90) == 9  # 11 values: rank ⌈9.9⌉ = 10
    assert percentile([5], 90) == 5


def test_working_days_across_tet_2026_and_an_announced_day():
    cal = WorkCalendar()
    # Fri 13/02/2026 → Mon 23/02/2026: Tết Bính Ngọ off from 14 to 22/02: one working day.
    assert working_days_between(cal, date(2026, 2, 13), date(2026, 2, 23)) == 1
    assert working_days_between(cal, date(2026, 2, 23), date(2026, 2, 13)) == 0
    worked = WorkCalendar(make_up_days=frozenset({date(2026, 2, 21)}))
    assert working_days_between(worked, date(2026, 2, 13), date(2026, 2, 23)) == 2


def test_summary_counts_late_and_overdue_steps():
    cal = WorkCalendar()
    waits = [
        StepWait("x", date(2025, 10, 6), date(2025, 10, 10), due=date(2025, 10, 9)),  # late
        StepWait("x", date(2025, 10, 6), date(2025, 10, 7), due=date(2025, 10, 9)),
        StepWait("x", date(2025, 10, 6), None, due=date(2025, 10, 9)),  # overdue now
        StepWait("x", date(2025, 10, 6), None, due=None),
    ]
    sm = summarise(cal, waits, today=date(2025, 10, 20))
    assert (sm.steps, sm.late, sm.waiting, sm.overdue) == (2, 1, 2, 1)
    assert (sm.median_working, sm.p90_working) == (2.5, 4)


def test_a_small_group_shows_no_count_of_women_or_minorities():
    four = [("nu", "Tày"), ("nu", "Kinh"), ("nam", "Kinh"), ("nam", None)]
    small = people_share(four, 5)
    assert (small.total, small.women, small.minorities) == (4, None, None)
    assert small.share(small.women) == HIDDEN
    five = people_share([*four, ("nu", "Nùng")], 5)
    assert (five.women, five.minorities) == (3, 2)
    assert five.share(five.women) == "60,0%" and five.share(five.minorities) == "40,0%"


def test_whose_numbers_each_reader_sees():
    board = Actor(1, (RoleGrant(Role.BOARD_HEAD, authority_id=7),))
    assert dashboard_scope(board, frozenset()).authority_ids == {7}
    auditor = Actor(2, (RoleGrant(Role.AUDITOR),))
    assert dashboard_scope(auditor, frozenset()).all_units
    head = Actor(
        3, (RoleGrant(Role.CLUSTER_APPROVER, unit_id=5), RoleGrant(Role.UNIT_HEAD, unit_id=5))
    )
    led = dashboard_scope(head, frozenset({9}))
    assert (led.level, led.cluster_ids) == (Level.CLUSTER, {9})
    # A year the unit leads no cluster: its own unit only.
    assert dashboard_scope(head, frozenset()).unit_ids == {5}
    member = Actor(4, (RoleGrant(Role.UNIT_MEMBER, unit_id=5),))
    with pytest.raises(Forbidden):
        dashboard_scope(member, frozenset())
