"""The pages' small rules, without a browser: Vietnamese dates, numbers and waits, where
sign-in may lead back to, the CSRF token, and reading the nominees table of a form."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from starlette.datastructures import FormData

from api.web.auth import safe_next
from api.web.format import date_vn, datetime_vn, number_vn, size_vn, waited
from api.web.forms import Checked, nominee_rows, nominees_in
from api.web.session import csrf_token


def test_dates_are_written_day_month_year_in_vietnam_time():
    t = datetime(2026, 7, 2, 18, 5, tzinfo=UTC)  # 01:05 the next day in Vietnam
    assert date_vn(t) == "03/07/2026"
    assert datetime_vn(t) == "03/07/2026 01:05"
    assert datetime_vn(t.replace(tzinfo=None)) == "03/07/2026 01:05"  # SQLite: naive UTC
    assert datetime_vn("2026-07-02T18:05:00Z") == "03/07/2026 01:05"
    assert datetime_vn(None) == ""


def test_numbers_group_thousands_with_dots_and_decimals_with_a_comma():
    assert number_vn(1234567) == "1.234.567"
    assert number_vn(1234.5, 1) == "1.234,5"
    assert size_vn(812) == "812 byte"
    assert size_vn(2 * 1024 * 1024) == "2,0 MB"
    assert size_vn(12_700) == "12,4 KB"


def test_waiting_time_is_said_in_days_hours_or_minutes():
    now = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    assert waited(now - timedelta(seconds=20), now) == "dưới 1 phút"
    assert waited(now - timedelta(minutes=42), now) == "42 phút"
    assert waited(now - timedelta(hours=5, minutes=3), now) == "5 giờ"
    assert waited(now - timedelta(days=3, hours=4), now) == "3 ngày 4 giờ"
    assert waited(now - timedelta(days=1200), now) == "1.200 ngày"


def test_sign_in_leads_back_only_to_a_page_of_this_site():
    assert safe_next("/ho-so/12?tab=1") == "/ho-so/12?tab=1"
    for bad in (
        None,
        "",
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "ho-so",
    ):
        assert safe_next(bad) == "/", bad


def test_csrf_token_is_tied_to_the_session_and_the_secret():
    a = csrf_token("secret-1", "session-a")
    assert a == csrf_token("secret-1", "session-a")
    assert a != csrf_token("secret-1", "session-b")
    assert a != csrf_token("secret-2", "session-a")
    assert len(a) == 64


def test_nominee_rows_keep_their_order_and_problems_go_to_their_row():
    form = FormData(
        [
            ("n-10-kind", "individual"),
            ("n-10-name", ""),
            ("n-10-achievements", "Chiến sĩ thi đua cơ sở"),
            ("n-2-kind", "collective"),
            ("n-2-name", "Phòng Chính sách"),
            ("n-2-achievements", "Hoàn thành xuất sắc"),
            ("n-3-kind", "collective"),
            ("n-3-name", "Phòng bỏ đi"),
            ("n-3-remove", "1"),
            ("n-4-kind", "collective"),  # the blank row for a new one, left blank
            ("n-4-name", "  "),
            ("csrf", "x"),
        ]
    )
    rows = nominee_rows(form)
    assert [r.index for r in rows] == [2, 3, 4, 10]
    checked = Checked()
    kept = nominees_in(rows, checked)
    assert [n.name for n in kept] == ["Phòng Chính sách"]
    assert checked.errors == {"n-10-name": "Không được để trống."}
