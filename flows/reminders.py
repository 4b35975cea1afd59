"""Scheduled flow: the daily reminders (issuing/reminders.py `run_reminders`).

`reminders_flow` takes no parameters: it reads everything from the database and the
settings, like the checkpoint flow. In the embedded mode the app runs it at start (a
digest missed while the app was down goes out then) and every day at
TDKT_DIGEST_HOUR, Vietnam time (`reminders_forever`, a task of the app's lifespan); in
the server mode it is a deployment with the cron schedule `reminder_cron`, in the
Asia/Ho_Chi_Minh time zone. `tdkt reminders run` runs it at once with the same code.
Running it more often never sends twice: each reminder is claimed once.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from domain.deadlines import VN
from flows.prefect_clients import tdkt_flow
from issuing.reminders import run_reminders
from issuing.runtime import current

log = logging.getLogger("tdkt.reminders")

TIMEZONE = "Asia/Ho_Chi_Minh"


def reminder_cron(hour: int) -> str:
    """The server mode's schedule: every day at `hour` (Vietnam time)."""
    return f"0 {hour} * * *"


@tdkt_flow("reminders_flow")
async def reminders_flow() -> dict[str, Any]:
    return await asyncio.to_thread(run_reminders, current(), datetime.now(UTC))


def seconds_until(hour: int, now: datetime) -> float:
    """Seconds from `now` to the next `hour` o'clock in Việt Nam (a minute past it)."""
    local = now.astimezone(VN)
    at = local.replace(hour=hour, minute=1, second=0, microsecond=0)
    if at <= local:
        at += timedelta(days=1)
    return (at - local).total_seconds()


async def reminders_forever(hour: int) -> None:
    """The embedded mode's schedule: once soon after start, then daily at `hour`."""
    await asyncio.sleep(60.0)
    while True:
        try:
            await reminders_flow()
        except Exception:
            log.exception("reminders failed; the next run tries again")
        await asyncio.sleep(seconds_until(hour, datetime.now(UTC)))
