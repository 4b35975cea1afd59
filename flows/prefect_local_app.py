"""The embedded mode's Prefect API app: Prefect's own server, with SQLite writes that wait
for each other instead of failing.

Prefect's SQLite transactions fail instead of waiting when two writers meet (503, the
client backing off for seconds); this process installs flows/prefect_internals.py at its
start, which makes every transaction begin IMMEDIATE, so a writer waits on SQLite's busy
timeout (milliseconds) instead. Reads outside transactions are untouched (WAL lets them
run beside a writer). A 503 that still happens asks the client to retry in 0.2 s rather
than in seconds.

Started by flows/local_prefect.py as `uvicorn --factory flows.prefect_local_app:create_app`.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from core.orphans import PARENT_ENV, exit_with_parent
from flows import prefect_internals

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

RETRY_AFTER_SECONDS = b"0.2"


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

    prefect_internals.install()
    # Handed the app's pid (flows/local_prefect.py); stops gracefully, as on SIGTERM.
    parent = int(os.environ.get(PARENT_ENV) or os.getppid())
    exit_with_parent(parent, lambda: os.kill(os.getpid(), signal.SIGTERM))
    return RetrySoon(prefect_app())
