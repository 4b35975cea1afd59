"""The embedded mode's Prefect API: a local server started with the app and stopped with it.

Prefect would start the same server lazily on the first flow run and stop it from an
`atexit` hook; but uvicorn re-raises SIGTERM after its graceful shutdown, so that hook
never runs and the server outlives the app. Owning its lifetime here also moves its
start-up (several seconds) from the first user action to the app's start.
"""

from __future__ import annotations

import os
from typing import Any


def start(mode: str = "embedded") -> Any | None:
    """Start the local Prefect API unless a Prefect server is configured (the server
    mode requires one)."""
    if mode == "server":
        from flows.server_mode import require_api_url

        require_api_url()
        return None
    if os.environ.get("PREFECT_API_URL"):
        return None
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()  # the instance Prefect's clients look up
    server.start()
    return server


def stop(server: Any | None) -> None:
    if server is not None:
        server.stop()
