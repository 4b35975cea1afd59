"""`tdkt reminders run [--now ISO] [--json]` on an empty database: nothing waits, nothing
is sent; a wrong --now is refused with exit 2. (The command in a real run, killed between
its claim and its send: tests/flows/test_reminders_smtp.py.)"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.settings import get_settings
from storage.migrate import upgrade
from tdkt.cli import main
from tdkt.reminders_cli import parse_now


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    url = f"sqlite:///{tmp_path / 'tdkt.sqlite3'}"
    upgrade(url)
    monkeypatch.setenv("TDKT_DATABASE_URL", url)
    monkeypatch.setenv("TDKT_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("TDKT_SMTP_HOST", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_a_run_with_nothing_waiting(env: None, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["reminders", "run", "--now", "2026-12-04T10:00:00+07:00", "--json"])
    assert done.value.code == 0
    out = json.loads(capsys.readouterr().out)
    assert out == {
        "sent": {"digest": 0, "escalation": 0},
        "emailed": 0,
        "skipped": 0,
        "failed": 0,
    }
    with pytest.raises(SystemExit) as done:
        main(["reminders", "run", "--now", "hôm nay"])
    assert done.value.code == 2
    assert "không hợp lệ" in capsys.readouterr().err


def test_now_is_read_as_utc_without_a_zone() -> None:
    assert parse_now("2026-12-04T03:00:00") == datetime(2026, 12, 4, 3, tzinfo=UTC)
