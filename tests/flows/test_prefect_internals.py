"""Prefect's internals as flows/prefect_internals.py replaces them: only install()
replaces anything, what it replaces makes the local API's SQLite writers wait for each
other, and the installed Prefect is the one the module was written against."""

from __future__ import annotations

import asyncio
import inspect
import sqlite3
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet
from sqlalchemy import text

from flows import prefect_internals
from tests.fixtures.internals import ROOT, pinned, resolve


@pytest.mark.parametrize("distribution", sorted(prefect_internals.VERSIONS))
def test_installed_version_is_the_one_the_internals_were_written_against(
    distribution: str,
) -> None:
    """A Prefect upgrade past the range fails here, not in the embedded mode at run time:
    read the new version's internals, adjust the module, then move the range and the pin."""
    declared = prefect_internals.VERSIONS[distribution]
    assert version(distribution) in SpecifierSet(declared), (distribution, version(distribution))
    assert declared in pinned(distribution), "pyproject.toml pins another range"


@pytest.mark.parametrize(
    ("name", "parameters"),
    sorted({**prefect_internals.REPLACED, **prefect_internals.RELIED_ON}.items()),
)
def test_the_internals_still_exist_with_the_expected_parameters(
    name: str, parameters: tuple[str, ...]
) -> None:
    found = resolve(name)
    if name.endswith(".begin_transaction") and prefect_internals._deferred_begin is not None:
        found = prefect_internals._deferred_begin  # Prefect's own, as install() kept it
    assert tuple(inspect.signature(found).parameters) == parameters


def test_importing_the_modules_that_use_prefect_replaces_nothing() -> None:
    """In a fresh interpreter: the modules load, Prefect is as shipped; install() twice
    wraps Prefect's own transaction once."""
    code = (
        "import api.app, flows.local_prefect, flows.prefect_local_app, flows.server_mode\n"
        "from prefect.server.database.configurations import AioSqliteConfiguration as C\n"
        "from prefect.utilities.dispatch import lookup_type\n"
        "from prefect.workers.base import BaseWorker\n"
        "from prefect.workers.process import ProcessWorker\n"
        "from flows import prefect_internals as p\n"
        "shipped = C.begin_transaction\n"
        "assert shipped.__module__ == 'prefect.server.database.configurations', shipped\n"
        "assert lookup_type(BaseWorker, 'process') is ProcessWorker\n"
        "p.install(); p.install()\n"
        "assert C.begin_transaction is p._begin_immediate and p._deferred_begin is shipped\n"
        "p.restore()\n"
        "assert C.begin_transaction is shipped\n"
    )
    done = subprocess.run(
        [sys.executable, "-W", "error::UserWarning", "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr


async def _write_locked_inside_a_transaction(path: Path) -> bool:
    """Whether another connection is kept from writing while the Prefect server's
    configuration holds a transaction that has only read."""
    from prefect.server.database.configurations import AioSqliteConfiguration

    configuration = AioSqliteConfiguration(connection_url=f"sqlite+aiosqlite:///{path}")
    engine = await configuration.engine()
    session = await configuration.session(engine)
    try:
        async with configuration.begin_transaction(session):
            await session.execute(text("select 1"))
            other = sqlite3.connect(path, timeout=0)
            try:
                other.execute("BEGIN IMMEDIATE")
                other.rollback()
                return False
            except sqlite3.OperationalError as exc:
                assert "locked" in str(exc)
                return True
            finally:
                other.close()
    finally:
        await session.close()
        await engine.dispose()


def test_installed_the_local_apis_transactions_take_the_write_lock_first(
    tmp_path: Path,
) -> None:
    """Taken at BEGIN, a second writer waits on the busy timeout instead of failing later
    with SQLITE_BUSY_SNAPSHOT (the 503s of the embedded mode)."""
    path = tmp_path / "prefect.db"
    with sqlite3.connect(path) as db:
        db.execute("create table t (x)")
    assert not asyncio.run(_write_locked_inside_a_transaction(path))  # Prefect's DEFERRED
    prefect_internals.install()
    try:
        assert asyncio.run(_write_locked_inside_a_transaction(path))
    finally:
        prefect_internals.restore()
    assert not asyncio.run(_write_locked_inside_a_transaction(path))
