"""The demo driver's plan (tdkt/demo_cluster_year.py) is one the plan's own rules accept
on any day it may be run, and lets members register on time whenever the year still can."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain import cluster_plan as rules
from tdkt.demo_cluster_year import CRITERIA, GOALS, YEAR, calendar


def plan_on(day: date) -> rules.PlanDraft:
    return rules.PlanDraft(
        year=YEAR,
        goals=GOALS,
        **calendar(day),
        criteria=tuple(
            rules.Criterion(
                c["group_name"],
                c["code"],
                c["title"],
                Decimal(c["max_points"]),
                c["mandatory"],
                c["evidence"],
            )
            for c in CRITERIA
        ),
    )


@pytest.mark.parametrize(
    "day",
    [
        date(2025, 11, 3),
        date(2026, 1, 5),
        date(2026, 3, 15),
        date(2026, 3, 16),
        date(2026, 7, 14),
        date(2026, 12, 4),
        date(2026, 12, 28),
        date(2026, 12, 29),
        date(2027, 1, 20),
    ],
)
def test_the_plan_may_be_issued_on_any_day(day: date) -> None:
    plan = plan_on(day)
    assert rules.problems(plan) == []
    assert rules.total_points(plan.criteria) == 100


@pytest.mark.parametrize(
    ("day", "on_time"),
    [
        (date(2026, 1, 5), True),
        (date(2026, 3, 15), True),
        (date(2026, 9, 1), True),  # the deadline moves to the day of the run
        (date(2026, 12, 28), True),
        (date(2026, 12, 29), False),  # no room left for the reviews after it
        (date(2027, 1, 20), False),  # the year is over
    ],
)
def test_members_register_on_time_while_the_year_allows_it(day: date, on_time: bool) -> None:
    deadline = calendar(day)["registration_deadline"]
    assert (day <= deadline) is on_time
    if day.year == YEAR and day > date(YEAR, 3, 15) and on_time:
        assert deadline == day
