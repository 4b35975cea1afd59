"""The configuration of public consultation: state-level awards must publish for at
least 10 working days (NĐ 98/2023 Điều 46.2, repealed, kept as a labelled default);
provincial awards need not, but a board may; a round waits for its period to end."""

from __future__ import annotations

from datetime import date

import pytest

from domain import consultation as c
from domain.errors import Conflict, InvalidInput

TODAY = date(2026, 12, 3)


def test_provincial_awards_need_no_consultation_and_say_it_is_unconfirmed():
    rule = c.round_rule(["bang_khen_ubnd_tinh", "co_thi_dua_ubnd_tinh"], TODAY)
    assert not rule.required and rule.min_working_days == 1 and rule.default_working_days == 10
    assert len(rule.labels) == 1 and "không bắt buộc" in rule.labels[0]
    assert "chưa xác nhận" in rule.labels[0]


def test_state_level_awards_keep_ten_working_days_with_their_basis_and_dates():
    levels = {**c.AWARD_LEVELS, "huan_chuong_lao_dong_hang_ba": c.AwardLevel.STATE}
    old = c.rule_for("huan_chuong_lao_dong_hang_ba", date(2025, 6, 30), levels=levels)
    new = c.rule_for("huan_chuong_lao_dong_hang_ba", date(2025, 7, 1), levels=levels)
    assert old.required and old.min_working_days == 10 and old.confirmed
    assert "98/2023" in old.label and "chưa xác nhận" not in old.label
    assert new.required and new.min_working_days == 10 and not new.confirmed
    assert "hết hiệu lực" in new.label and "chưa xác nhận" in new.label
    mixed = c.round_rule(
        ["bang_khen_ubnd_tinh", "huan_chuong_lao_dong_hang_ba"], TODAY, levels=levels
    )
    assert mixed.required and mixed.min_working_days == 10 and len(mixed.labels) == 2


def test_the_period_is_never_under_the_minimum():
    rule = c.RoundRule(True, 10, 10, ())
    assert c.check_period(None, rule) == 10
    assert c.check_period(15, rule) == 15
    with pytest.raises(InvalidInput) as e:
        c.check_period(9, rule)
    assert e.value.code == "consultation_too_short" and "10 ngày làm việc" in e.value.message


def test_a_round_waits_until_the_day_after_the_last_day():
    end = date(2026, 12, 16)
    with pytest.raises(Conflict) as e:
        c.check_submittable(end, False, end, opened=True)
    assert e.value.code == "consultation_open" and "16/12/2026" in e.value.message
    c.check_submittable(date(2026, 12, 17), False, end, opened=True)
    c.check_submittable(TODAY, False, None, opened=False)  # provincial, never published
    with pytest.raises(Conflict) as e:
        c.check_submittable(TODAY, True, None, opened=False)
    assert e.value.code == "consultation_required"


def test_a_comment_needs_a_name_and_a_text_and_has_limits():
    got = c.check_comment("  Nguyễn  Văn A ", " a@b.vn ", ' <b>&"{{ x }}" ')
    assert got == c.CommentIn("Nguyễn Văn A", "a@b.vn", '<b>&"{{ x }}"')
    # Control characters go (a NUL would fail in PostgreSQL); line breaks stay.
    assert c.check_comment("A\x00B", "", "dòng 1\r\ndòng\x07 2").text == "dòng 1\ndòng 2"
    assert c.check_comment("A\x00B", "", "x").name == "AB"
    for args, code in (
        (("", "", "x"), "comment_name_required"),
        (("A", "", "  "), "comment_text_required"),
        (("A", "", "x" * (c.TEXT_MAX + 1)), "comment_text_too_long"),
    ):
        with pytest.raises(InvalidInput) as e:
            c.check_comment(*args)
        assert e.value.code == code
