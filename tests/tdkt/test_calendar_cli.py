"""`tdkt calendar holidays YEAR` and `tdkt calendar due DATE N` on the real 2025 and 2026
calendars, with an administrator's make-up working day read from the database."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from core.settings import Settings
from storage.db import Database
from storage.migrate import upgrade
from storage.models import CalendarDay, User
from tdkt.calendar_cli import due, holidays, parse_day
from tdkt.cli import main


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    url = f"sqlite:///{tmp_path / 'tdkt.sqlite3'}"
    upgrade(url)
    return Settings(var_dir=tmp_path, database_url=url, secret_key="s" * 48).resolved()


def enter(settings: Settings, day: date, kind: str, note: str, basis: str = "") -> None:
    db = Database(settings.database_url)
    with db.write() as s:
        u = User(username=f"qt{day:%m%d}", full_name="Quản trị", password_hash="x")
        s.add(u)
        s.flush()
        s.add(CalendarDay(day=day, kind=kind, note=note, basis=basis, created_by=u.id))
    db.dispose()


def test_the_days_off_of_2026_with_their_names(settings: Settings) -> None:
    out = json.loads(holidays(settings, 2026, as_json=True))
    off = {d["day"]: d for d in out["days_off"]}
    assert [d for d in off if d.startswith("2026-02")] == [f"2026-02-{d}" for d in range(16, 21)]
    assert off["2026-02-17"]["name"] == "Tết Nguyên Đán"
    assert off["2026-02-17"]["source"] == "statutory"
    assert off["2026-04-26"]["name"] == "Ngày Giỗ Tổ Hùng Vương"
    assert [d["day"] for d in out["make_up_days"]] == ["2026-08-22"]
    text = holidays(settings, 2026, as_json=False)
    assert "17/02/2026 Thứ Ba" in text and "(theo luật)" in text


def test_an_announced_day_is_listed_as_announced(settings: Settings) -> None:
    enter(
        settings, date(2026, 12, 24), "off", "Nghỉ theo Quyết định của UBND tỉnh", "QĐ 99/QĐ-UBND"
    )
    out = json.loads(holidays(settings, 2026, as_json=True))
    day = next(d for d in out["days_off"] if d["day"] == "2026-12-24")
    assert day["source"] == "announced" and day["basis"] == "QĐ 99/QĐ-UBND"
    assert "(theo thông báo) — QĐ 99/QĐ-UBND" in holidays(settings, 2026, as_json=False)


def test_due_across_tet_2026_and_a_make_up_day(settings: Settings) -> None:
    # Friday 13/02/2026 + 20 working days: 23–27/02, 02–06/03, 09–13/03, 16–20/03 (Tết
    # Bính Ngọ off 14–22/02): Friday 20/03/2026.
    out = json.loads(due(settings, date(2026, 2, 13), 20, as_json=True))
    assert out["due"] == "2026-03-20"
    assert [d["day"] for d in out["skipped"]] == [f"2026-02-{d}" for d in range(16, 21)]
    # The administrator enters Saturday 07/03/2026 as a make-up working day: Thursday 19/03.
    enter(settings, date(2026, 3, 7), "work", "Làm bù")
    assert json.loads(due(settings, date(2026, 2, 13), 20, as_json=True))["due"] == "2026-03-19"
    assert "Thứ Năm, 19/03/2026" in due(settings, date(2026, 2, 13), 20, as_json=False)


def test_due_across_tet_2025_from_the_command_line(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Friday 24/01/2025 + 20: Tết Ất Tỵ off 25/01–02/02; 03/02 … 28/02/2025.
    assert parse_day("24/01/2025") == parse_day("2025-01-24") == date(2025, 1, 24)
    monkeypatch.setenv("TDKT_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("TDKT_VAR_DIR", str(settings.var_dir))
    with pytest.raises(SystemExit) as done:
        main(["calendar", "due", "24/01/2025", "20", "--json"])
    assert done.value.code == 0
    assert json.loads(capsys.readouterr().out)["due"] == "2025-02-28"
