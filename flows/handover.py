"""Server mode: a worker hears of a new flow run at once instead of at its next poll.

A Prefect worker finds runs by polling the Prefect server every
PREFECT_WORKER_QUERY_SECONDS (1 s in compose): on average half an interval of waiting per
dossier step, and a shorter interval costs every worker a query against the Prefect
server all the time (bench/floor_and_stage.py --mode server). The app's database is
PostgreSQL in the server mode, and every worker already talks to it; so the dispatcher
sends a PostgreSQL NOTIFY on `CHANNEL` (payload: the work pool) in the transaction that
records the run's id, and each `tdkt worker` LISTENs and polls Prefect at once when it
hears its pool. Prefect still decides which worker gets the run (the Pending transition);
the regular poll stays as it was, so a lost notification only costs the old wait.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from storage.db import normalise_url

log = logging.getLogger("tdkt.handover")

CHANNEL = "tdkt_flow_runs"
RECONNECT_SECONDS = 5.0


def announce(s: Session, pool: str) -> None:
    """Tell the workers of `pool` that a run waits; delivered when `s` commits."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(select(func.pg_notify(CHANNEL, pool)))


def libpq_url(database_url: str) -> str:
    """The app's SQLAlchemy URL as a plain libpq connection string."""
    url = make_url(normalise_url(database_url)).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


async def listen(database_url: str, pool: str, poll: Callable[[], Awaitable[object]]) -> None:
    """Call `poll` whenever a run is announced for `pool`, until cancelled.

    Announcements that arrive while a poll is under way are folded into one more poll:
    that poll sees every run created before it started.
    """
    if not normalise_url(database_url).startswith("postgresql"):
        log.info("app database is not PostgreSQL: the worker only polls")
        return
    import psycopg

    wake = asyncio.Event()

    async def hear() -> None:
        while True:
            try:
                conn = await psycopg.AsyncConnection.connect(
                    libpq_url(database_url), autocommit=True
                )
                async with conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    wake.set()  # runs announced while we were not listening
                    async for note in conn.notifies():
                        if note.payload == pool:
                            wake.set()
            except (OSError, psycopg.Error):
                log.warning(
                    "lost the run announcements; polling only, reconnecting in %.0f s",
                    RECONNECT_SECONDS,
                    exc_info=True,
                )
                await asyncio.sleep(RECONNECT_SECONDS)

    hearing = asyncio.create_task(hear())
    try:
        while True:
            await wake.wait()
            wake.clear()
            try:
                await poll()
            except Exception:
                log.exception("polling after an announcement failed; the regular poll goes on")
    finally:
        hearing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await hearing
