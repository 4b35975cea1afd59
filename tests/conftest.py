"""Shared fixtures: databases on SQLite and on the real PostgreSQL server."""

from __future__ import annotations

import os
import tempfile

# Prefect reads its settings on import: keep its home (and its local server's database)
# out of the developer's ~/.prefect, one per test session.
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="tdkt-test-prefect-"))
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
# Tests that run a flow directly let Prefect start its own temporary server: 20 s by
# default, which a busy 2-core machine exceeded once in a full run.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
# The eligibility rules advisory in tests that take actions in this process, as in the
# app the fixtures start (tests/fixtures/server.py says why); the rules' own tests start
# an app that holds them.
os.environ.setdefault("TDKT_ELIGIBILITY_ENFORCED", "false")

from collections.abc import Iterator
from pathlib import Path

import pytest

from documents import pyhanko_internals
from storage.db import Database
from storage.migrate import upgrade
from tests.fixtures.pg import fresh_database

# As the processes that sign and check PDFs do at start-up.
pyhanko_internals.install()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database of each kind the product runs on."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'tdkt.sqlite3'}"
        upgrade(url)
        yield url
    else:
        with fresh_database() as url:
            upgrade(url)
            yield url


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    yield database
    database.dispose()
