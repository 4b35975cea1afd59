"""Every Prefect internal tdkt replaces or reaches into, in one place.

Written against prefect >=3.8,<3.9 (the range pinned in pyproject.toml;
tests/flows/test_prefect_internals.py fails when the installed version leaves it or an
internal below changes its signature).

Nothing is replaced when this module is imported. :func:`install` replaces the one
library attribute tdkt replaces, and is called at start-up by the process that needs
it: the embedded mode's local Prefect API (flows/prefect_local_app.py). The app, the
server-mode worker and the tests run no Prefect server of their own on SQLite, so
they have nothing to install.

Replaced:

- ``AioSqliteConfiguration.begin_transaction(self, session, with_for_update)``: every
  transaction of the local API begins IMMEDIATE. Prefect's SQLite configuration begins
  most transactions DEFERRED. When two of them read and then write at once, SQLite
  cannot let the second one wait (its snapshot is stale) and fails it at once with
  SQLITE_BUSY_SNAPSHOT; the server answers 503 and the client backs off 2, 4, 8…
  seconds. With a few dossiers at once that turned 0.5 s steps into 3–30 s ones
  (bench/burst.py). Beginning IMMEDIATE, a writer takes the write lock first, and the
  next one waits on SQLite's busy timeout (milliseconds) instead. Prefect's own
  ``with_for_update=True`` is exactly that: every transaction asks for it.

Overridden in a subclass (:func:`local_api_server`):

- ``SubprocessASGIServer._run_uvicorn_command(self)``: the local API runs
  flows/prefect_local_app.py's app instead of Prefect's, while Prefect's clients still
  find the server as their own (one instance per port) and stop it the same way.

Relied on without being replaced (their signatures are checked by the same test):

- ``SubprocessASGIServer(port)`` and ``.start(timeout)`` (flows/local_prefect.py);
- ``AsyncClientContext`` / ``SyncClientContext``, entered once per process so that all
  flow runs share one pair of API clients (flows/prefect_clients.py);
- ``prefect.flow_engine.run_flow(flow, flow_run=…, return_type="state")``, with which
  the server-mode worker runs a flow run in its own process (flows/server_mode.py);
- ``BaseWorker.__dispatch_key__``: that worker keeps the type "process" (a standard
  process pool) but registers under a key of its own, so Prefect's ProcessWorker stays
  the "process" worker of the process that defines it;
- ``PREFECT__SERVER_EPHEMERAL`` / ``PREFECT__SERVER_FINAL``: the private settings
  Prefect's own temporary server is started with (flows/local_prefect.py).
"""

from __future__ import annotations

import subprocess
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from prefect.server.api.server import SubprocessASGIServer

__all__ = ["RELIED_ON", "REPLACED", "VERSIONS", "install", "local_api_server", "restore"]

# The distribution and the version range this module was written against.
VERSIONS = {"prefect": ">=3.8,<3.9"}

# "module:qualified name" → the parameters it is expected to take.
REPLACED = {
    "prefect.server.database.configurations:AioSqliteConfiguration.begin_transaction": (
        "self",
        "session",
        "with_for_update",
    ),
    "prefect.server.api.server:SubprocessASGIServer._run_uvicorn_command": ("self",),
}
RELIED_ON = {
    "prefect.server.api.server:SubprocessASGIServer.__init__": ("self", "port"),
    "prefect.server.api.server:SubprocessASGIServer.start": ("self", "timeout"),
    "prefect.context:AsyncClientContext": ("httpx_settings",),
    "prefect.context:SyncClientContext": ("httpx_settings",),
    "prefect.flow_engine:run_flow": (
        "flow",
        "flow_run",
        "parameters",
        "wait_for",
        "return_type",
        "error_logger",
        "context",
    ),
    "prefect.workers.base:BaseWorker.__dispatch_key__": (),
}

_deferred_begin: Any = None  # Prefect's own begin_transaction, kept by install()


def _configuration() -> Any:
    from prefect.server.database.configurations import AioSqliteConfiguration

    return AioSqliteConfiguration


@asynccontextmanager
async def _begin_immediate(
    self: Any, session: Any, with_for_update: bool = False
) -> AsyncIterator[Any]:
    async with _deferred_begin(self, session, with_for_update=True) as transaction:
        yield transaction


def install() -> None:
    """Make the local API's SQLite transactions begin IMMEDIATE (idempotent)."""
    global _deferred_begin
    configuration = _configuration()
    if _deferred_begin is None:
        _deferred_begin = configuration.begin_transaction
    configuration.begin_transaction = _begin_immediate


def restore() -> None:
    """Prefect's own transactions again."""
    if _deferred_begin is not None:
        _configuration().begin_transaction = _deferred_begin


def local_api_server(
    command: Callable[[int | None], subprocess.Popen[Any]],
) -> SubprocessASGIServer:
    """Prefect's temporary-server object, whose process is ``command(port)``: the instance
    Prefect's clients look up (one per port), started and stopped as Prefect's own."""
    from prefect.server.api.server import SubprocessASGIServer

    class LocalServer(SubprocessASGIServer):
        def _run_uvicorn_command(self) -> subprocess.Popen[Any]:
            return command(self.port)

    return LocalServer()
