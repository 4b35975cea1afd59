"""A member's progress in its cluster's year, by the plan's calendar: each step done, done
after its deadline, waiting, overdue, or not open yet; and the counts per step."""

from __future__ import annotations

from datetime import date

from domain.cluster_progress import (
    Calendar,
    Mark,
    MemberFacts,
    Step,
    progress,
    tally,
)

CAL = Calendar(
    issued=True,
    covenant_signing_on=date(2026, 2, 20),
    registration_deadline=date(2026, 3, 15),
    midyear_review_on=date(2026, 7, 15),
    yearend_review_on=date(2026, 12, 10),
)


def member(unit_id: int = 1, **kw: object) -> MemberFacts:
    base: dict[str, object] = {
        "unit_id": unit_id,
        "name": f"Đơn vị {unit_id}",
        "committed": True,
        "covenant_open": True,
        "covenant_signed": False,
        "registered": False,
        "registered_late": False,
        "submitted": {},
    }
    base.update(kw)
    return MemberFacts(**base)  # type: ignore[arg-type]


def test_nothing_is_open_before_the_plan_is_issued() -> None:
    row = progress(
        member(committed=False, covenant_open=False), Calendar(issued=False), date(2026, 8, 1)
    )
    assert set(row.marks.values()) == {Mark.NOT_OPEN}
    assert not row.late and row.to_do == ()


def test_each_step_waits_until_its_day_and_is_overdue_the_day_after() -> None:
    on_the_day = progress(member(), CAL, date(2026, 3, 15))
    assert on_the_day.marks[Step.REGISTRATION] is Mark.WAITING
    assert on_the_day.marks[Step.COVENANT] is Mark.OVERDUE  # 20/02 has passed
    day_after = progress(member(), CAL, date(2026, 3, 16))
    assert day_after.marks[Step.REGISTRATION] is Mark.OVERDUE
    assert day_after.marks[Step.MIDYEAR] is Mark.WAITING
    assert day_after.overdue == (Step.COVENANT, Step.REGISTRATION)
    assert day_after.late
    after_midyear = progress(member(), CAL, date(2026, 7, 16))
    assert after_midyear.marks[Step.MIDYEAR] is Mark.OVERDUE
    assert after_midyear.marks[Step.YEAREND] is Mark.WAITING


def test_done_steps_and_a_late_registration() -> None:
    row = progress(
        member(
            covenant_signed=True,
            registered=True,
            registered_late=True,
            submitted={Step.MIDYEAR: True},
        ),
        CAL,
        date(2026, 8, 1),
    )
    assert row.marks == {
        Step.COMMITMENTS: Mark.DONE,
        Step.COVENANT: Mark.DONE,
        Step.REGISTRATION: Mark.DONE_LATE,
        Step.MIDYEAR: Mark.DONE,
        Step.YEAREND: Mark.WAITING,
    }
    assert row.late and row.overdue == () and row.to_do == (Step.YEAREND,)


def test_a_covenant_not_opened_is_not_overdue_and_a_plan_without_dates_never_is() -> None:
    row = progress(member(covenant_open=False), CAL, date(2026, 12, 31))
    assert row.marks[Step.COVENANT] is Mark.NOT_OPEN
    undated = progress(member(), Calendar(issued=True), date(2026, 12, 31))
    assert set(undated.marks.values()) == {Mark.DONE, Mark.WAITING} and not undated.late


def test_targets_are_entered_by_the_covenant_signing_day() -> None:
    waiting = progress(member(committed=False, covenant_open=False), CAL, date(2026, 2, 20))
    assert waiting.marks[Step.COMMITMENTS] is Mark.WAITING
    assert waiting.to_do == (Step.COMMITMENTS, Step.REGISTRATION, Step.MIDYEAR, Step.YEAREND)
    overdue = progress(member(committed=False, covenant_open=False), CAL, date(2026, 2, 21))
    assert overdue.overdue == (Step.COMMITMENTS,)


def test_tally_counts_done_and_late_over_the_members() -> None:
    rows = [
        progress(member(1, registered=True), CAL, date(2026, 4, 1)),
        progress(member(2, registered=True, registered_late=True), CAL, date(2026, 4, 1)),
        progress(member(3), CAL, date(2026, 4, 1)),
    ]
    counts = tally(rows)
    assert (counts[Step.REGISTRATION].done, counts[Step.REGISTRATION].late) == (2, 2)
    assert counts[Step.REGISTRATION].of == 3
    assert (counts[Step.MIDYEAR].done, counts[Step.MIDYEAR].late) == (0, 0)
