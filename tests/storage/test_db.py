"""The database layer on SQLite and on PostgreSQL: migrations, the audit chain, numbering."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from alembic import command

from storage import audit
from storage import repositories as repo
from storage.db import Database
from storage.migrate import alembic_config


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
            return repo.next_number(s, "unit:BDT", "TTr", 2026)

    with ThreadPoolExecutor(10) as pool:
        numbers = list(pool.map(take, range(50)))
    assert sorted(numbers) == list(range(1, 51))
    with db.write() as s:  # another series starts at 1
        assert repo.next_number(s, "unit:BDT", "TB", 2026) == 1
        assert repo.next_number(s, "unit:BDT", "TTr", 2027) == 1
