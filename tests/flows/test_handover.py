"""A worker hears of a committed run at once (PostgreSQL NOTIFY), only for its own pool,
and never of a run whose transaction rolled back."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import nullcontext
from pathlib import Path

import pytest

from flows import handover
from storage.db import Database
from tests.fixtures.pg import fresh_database


@pytest.fixture(scope="module")
def pg() -> Iterator[Database]:
    with fresh_database("tdkt_handover") as url:
        db = Database(url)
        try:
            yield db
        finally:
            db.dispose()


class Polls:
    """Counts the polls; waits for a count, so a poll that came before the wait still counts."""

    def __init__(self) -> None:
        self.count = 0
        self.changed = asyncio.Condition()

    async def __call__(self) -> None:
        async with self.changed:
            self.count += 1
            self.changed.notify_all()

    async def reach(self, count: int, timeout: float) -> bool:
        async with self.changed:
            try:
                await asyncio.wait_for(self.changed.wait_for(lambda: self.count >= count), timeout)
            except TimeoutError:
                return False
        return True


async def _announce(db: Database, pool: str, *, commit: bool = True) -> None:
    def work() -> None:
        with pytest.raises(RuntimeError) if not commit else nullcontext(), db.write() as s:
            handover.announce(s, pool)
            if not commit:
                raise RuntimeError("the step's transaction failed")

    await asyncio.to_thread(work)


async def test_a_committed_announcement_wakes_the_workers_of_its_pool(pg: Database) -> None:
    polls = Polls()
    listening = asyncio.create_task(handover.listen(pg.url, "tdkt", polls))
    try:
        # Right after LISTEN it polls once: runs created before it listened are not missed.
        assert await polls.reach(1, 10), "no poll after starting to listen"
        await _announce(pg, "another-pool")
        await _announce(pg, "tdkt", commit=False)
        assert not await polls.reach(2, 1), "woken by another pool or a rolled-back run"
        await _announce(pg, "tdkt")
        assert await polls.reach(2, 5), "the announcement did not wake the worker"
        await asyncio.sleep(0.5)
        assert polls.count == 2, "one announcement, more than one poll"
    finally:
        listening.cancel()
        await asyncio.gather(listening, return_exceptions=True)


async def test_without_postgresql_the_worker_only_polls(tmp_path: Path) -> None:
    polls = Polls()
    sqlite = f"sqlite:///{tmp_path / 'tdkt.sqlite3'}"
    await asyncio.wait_for(handover.listen(sqlite, "tdkt", polls), 5)
    assert polls.count == 0
