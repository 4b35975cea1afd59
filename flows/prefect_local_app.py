"""The embedded mode's Prefect API app: Prefect's own server, with SQLite writes that wait
for each other instead of failing.

Prefect's SQLite configuration begins most transactions DEFERRED. When two of them read
and then write at once, SQLite cannot let the second one wait (its snapshot is stale) and
fails it at once with SQLITE_BUSY_SNAPSHOT; the server answers 503 and the client backs
off 2, 4, 8… seconds. With a few dossiers at once that turned 0.5 s steps into 3–30 s
ones (bench/burst.py). Here every transaction begins IMMEDIATE: a writer takes the write
lock first, and the next one waits on SQLite's busy timeout (milliseconds) instead.
Reads outside transactions are untouched (WAL lets them run beside a writer). A 503 that
still happens asks the client to retry in 0.2 s rather than in seconds.

Started by flows/local_prefect.py as `uvicorn --factory flows.prefect_local_app:create_app`.
"""

from __future__ import annotations

import os
import signal
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from typing import Any

from core.orphans import PARENT_ENV, exit_with_parent

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

RETRY_AFTER_SECONDS = b"0.2"


def _immediate_transactions() -> None:
    from prefect.server.database.configurations import AioSqliteConfiguration

    deferred = AioSqliteConfiguration.begin_transaction

    @asynccontextmanager
    async def begin_transaction(
        self: AioSqliteConfiguration, session: Any, with_for_update: bool = False
    ) -> AsyncIterator[Any]:
        async with deferred(self, session, with_for_update=True) as transaction:
            yield transaction

    AioSqliteConfiguration.begin_transaction = begin_transaction  # type: ignore[method-assign]


class RetrySoon:
    """Adds `Retry-After: 0.2` to the server's 503 answers that have none."""

    def __init__(self, app: Callable[[MutableMapping[str, Any], Receive, Send], Awaitable[None]]):
        self.app = app

    async def __call__(self, scope: MutableMapping[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_retry_after(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 503:
                headers = list(message.get("headers", []))
                if not any(name.lower() == b"retry-after" for name, _ in headers):
                    headers.append((b"retry-after", RETRY_AFTER_SECONDS))
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_retry_after)


def create_app() -> RetrySoon:
    from prefect.server.api.server import create_app as prefect_app

    _immediate_transactions()
    # Handed the app's pid (flows/local_prefect.py); stops gracefully, as on SIGTERM.
    parent = int(os.environ.get(PARENT_ENV) or os.getppid())
    exit_with_parent(parent, lambda: os.kill(os.getpid(), signal.SIGTERM))
    return RetrySoon(prefect_app())
