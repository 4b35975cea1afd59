"""The database layer on SQLite and on PostgreSQL: migrations, the audit chain, numbering."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy.exc import TimeoutError as BusyTimeout

from storage import audit
from storage.db import Database, FifoLock
from storage.migrate import alembic_config, upgrade
from storage.repositories import documents as documents_repo


def test_migrations_match_the_models(db_url: str):
    # Fails when a model changed without a migration.
    command.check(alembic_config(db_url))


def test_machine_step_event_is_written_once(db: Database):
    with db.write() as s:
        a = audit.append(s, kind="documents_issued", event_key="step:1:1")
        b = audit.append(s, kind="documents_issued", event_key="step:1:1")
    assert a.id == b.id


def test_concurrent_audit_appends_keep_one_linear_chain(db: Database):
    def append(i: int) -> None:
        with db.write() as s:
            audit.append(s, kind="edited", reason=str(i))

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(append, range(40)))
    with db.read() as s:
        report = audit.verify_chain(s)
    assert report.ok and report.events == 40


def test_fifty_documents_issued_concurrently_get_fifty_consecutive_numbers(db: Database):
    def take(_: int) -> int:
        with db.write() as s:
            return documents_repo.next_number(s, "unit:BDT", "TTr", 2026)

    with ThreadPoolExecutor(10) as pool:
        numbers = list(pool.map(take, range(50)))
    assert sorted(numbers) == list(range(1, 51))
    with db.write() as s:  # another series starts at 1
        assert documents_repo.next_number(s, "unit:BDT", "TB", 2026) == 1
        assert documents_repo.next_number(s, "unit:BDT", "TTr", 2027) == 1


def test_writers_of_a_process_take_turns_in_the_order_they_came():
    lock = FifoLock(timeout=30)
    lock.acquire()
    order: list[int] = []

    def writer(i: int) -> None:
        with lock.held():
            order.append(i)

    threads = []
    for i in range(8):
        t = threading.Thread(target=writer, args=(i,))
        t.start()
        threads.append(t)
        while len(lock._waiters) < i + 1:  # queued before the next one comes
            time.sleep(0.001)
    lock.release()
    for t in threads:
        t.join(10)
    assert order == list(range(8))


def test_a_writer_that_waits_too_long_gives_up_and_leaves_the_queue_working():
    lock = FifoLock(timeout=0.2)
    lock.acquire()
    with pytest.raises(BusyTimeout):
        lock.acquire()
    lock.release()
    with lock.held():  # free again at once
        pass
    assert not lock._waiters


def test_sqlite_writers_queue_instead_of_failing(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'tdkt.sqlite3'}"
    upgrade(url)
    db = Database(url)

    def append(i: int) -> None:
        with db.write() as s:
            audit.append(s, kind="edited", reason=str(i))
            time.sleep(0.002)  # hold the write lock a little, as real steps do

    with ThreadPoolExecutor(32) as pool:
        list(pool.map(append, range(200)))
    with db.read() as s:
        assert audit.verify_chain(s).events == 200
    db.dispose()
