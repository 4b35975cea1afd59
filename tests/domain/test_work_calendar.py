"""Working days on the real calendars of 2025 and 2026: weekends, the statutory days off
the `holidays` package computes (lunar Tết, Giỗ Tổ Hùng Vương), the days the government
swapped, and the administration's own entries."""

from __future__ import annotations

from datetime import date

from domain.calendar import (
    add_working_days,
    is_working_day,
    statutory_days_off,
    statutory_make_up_days,
    working_days_between,
)


def test_tet_2026_is_the_announced_week_of_16_to_20_february():
    off = statutory_days_off([2026])
    assert [d for d in off if d.month == 2] == [date(2026, 2, d) for d in range(16, 21)]
    assert off[date(2026, 2, 17)] == "Tết Nguyên Đán"
    # Friday 13/02 is worked; the next working day after it is Monday 23/02.
    assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 23)
    assert working_days_between(date(2026, 2, 13), date(2026, 2, 23)) == 1


def test_tet_2025_and_the_lunar_hung_kings_day_of_both_years():
    off = statutory_days_off([2025, 2026])
    tet_2025 = [d for d in off if date(2025, 1, 1) < d < date(2025, 3, 1)]
    assert tet_2025 == [date(2025, 1, d) for d in range(27, 32)] + [date(2025, 2, 1)]
    assert off[date(2025, 4, 7)] == "Ngày Giỗ Tổ Hùng Vương"  # 10/3 âm lịch Ất Tỵ
    assert off[date(2026, 4, 26)] == "Ngày Giỗ Tổ Hùng Vương"  # 10/3 âm lịch Bính Ngọ
    assert date(2026, 4, 27) in off  # a Sunday's holiday is taken on the Monday
    assert {date(2025, 9, 1), date(2025, 9, 2), date(2026, 9, 1), date(2026, 9, 2)} <= set(off)


def test_a_swapped_day_off_and_its_make_up_saturday():
    # 2025: Friday 02/05 off, worked on Saturday 26/04 instead (the package knows it).
    assert not is_working_day(date(2025, 5, 2))
    assert date(2025, 4, 26) in statutory_make_up_days(2025)
    assert is_working_day(date(2025, 4, 26))
    assert not is_working_day(date(2025, 4, 27))  # the Sunday stays off
    # Thursday 24/04/2025: Fri 25, Sat 26 (make-up), Mon 28, Tue 29, then 30/04–04/05 off.
    assert add_working_days(date(2025, 4, 24), 4) == date(2025, 4, 29)
    assert add_working_days(date(2025, 4, 24), 5) == date(2025, 5, 5)


def test_ten_working_days_across_tet_2026():
    # Published Thursday 12/02/2026: 13/02, then 23–27/02, then 02–05/03.
    end = add_working_days(date(2026, 2, 12), 10)
    assert end == date(2026, 3, 5)
    assert working_days_between(date(2026, 2, 12), end) == 10
    assert working_days_between(end, date(2026, 2, 12)) == -10
    assert add_working_days(end, -10) == date(2026, 2, 12)


def test_the_administrations_days_off_and_make_up_days_count():
    start = date(2026, 12, 3)  # a Thursday
    assert add_working_days(start, 2) == date(2026, 12, 7)  # Fri 4, Mon 7
    # A province's own day off on Friday 04/12 pushes the end by a day …
    assert add_working_days(start, 2, days_off={date(2026, 12, 4)}) == date(2026, 12, 8)
    # … and a Saturday made a working day pulls it back.
    assert add_working_days(start, 2, make_up_days={date(2026, 12, 5)}) == date(2026, 12, 5)
    # A statutory day kept at work counts too.
    assert is_working_day(date(2026, 9, 2), make_up_days={date(2026, 9, 2)})


def test_a_whole_year_counts_its_working_days():
    # 2026: 261 weekdays, less the 13 statutory days off on weekdays (Giỗ Tổ's 26/04 is a
    # Sunday, taken on Monday 27/04), plus Saturday 22/08 worked for Monday 31/08.
    weekday_holidays = [d for d in statutory_days_off([2026]) if d.weekday() < 5]
    assert len(weekday_holidays) == 13
    assert statutory_make_up_days(2026) == {date(2026, 8, 22)}
    assert working_days_between(date(2025, 12, 31), date(2026, 12, 31)) == 261 - 13 + 1
