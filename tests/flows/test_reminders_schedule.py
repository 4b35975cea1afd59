"""The reminders' schedule: the embedded mode's wait until the next digest hour (Vietnam
time), the server mode's cron, and the flow among the deployments `tdkt deploy` makes."""

from __future__ import annotations

from datetime import UTC, datetime

from flows.reminders import reminder_cron, seconds_until
from flows.server_mode import _flows


def test_the_next_run_is_at_the_digest_hour_in_vietnam():
    # 23:30 UTC on 03/12 is 06:30 on 04/12 in Việt Nam: 07:01 is 31 minutes away.
    assert seconds_until(7, datetime(2026, 12, 3, 23, 30, tzinfo=UTC)) == 31 * 60
    # 00:30 UTC is 07:30 there: tomorrow at 07:01.
    assert seconds_until(7, datetime(2026, 12, 4, 0, 30, tzinfo=UTC)) == (24 * 60 - 29) * 60
    assert reminder_cron(7) == "0 7 * * *"


def test_the_server_mode_deploys_the_reminders_flow():
    assert "reminders_flow" in _flows()
