"""The embedded mode's Prefect API: a local server started with the app and stopped with it.

Prefect would start the same server lazily on the first flow run and stop it from an
`atexit` hook; but uvicorn re-raises SIGTERM after its graceful shutdown, so that hook
never runs and the server outlives the app. Owning its lifetime here also moves its
start-up (several seconds) from the first user action to the app's start, and lets it
serve Prefect's app with SQLite writes that wait for each other
(flows/prefect_local_app.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from core.orphans import PARENT_ENV

ROOT = Path(__file__).resolve().parents[1]
STARTUP_TIMEOUT_SECONDS = 120


def _server_command(port: int | None) -> subprocess.Popen[Any]:
    """What Prefect's SubprocessASGIServer runs, with flows/prefect_local_app.py's app
    (the private settings are listed in flows/prefect_internals.py)."""
    from prefect.settings import get_current_settings

    return subprocess.Popen(
        args=[
            sys.executable,
            "-m",
            "uvicorn",
            "--app-dir",
            str(ROOT),
            "--factory",
            "flows.prefect_local_app:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "error",
            "--lifespan",
            "on",
        ],
        env={
            **os.environ,
            # As Prefect's own temporary server: no UI, ephemeral settings.
            "PREFECT_UI_ENABLED": "0",
            "PREFECT__SERVER_EPHEMERAL": "1",
            "PREFECT__SERVER_FINAL": "1",
            **get_current_settings().to_environment_variables(exclude_unset=True),
            PARENT_ENV: str(os.getpid()),  # it ends when the app is gone (core/orphans.py)
        },
        # Its own process group: Ctrl-C in the terminal of `make run` (or a signal to the
        # whole group) reaches the app, which finishes the steps under way and then stops
        # this server; stopped by the same signal, the steps' flows lost their API and
        # the app hung on them.
        start_new_session=True,
    )


def start(mode: str = "embedded") -> Any | None:
    """Start the local Prefect API unless a Prefect server is configured (the server
    mode requires one)."""
    if mode == "server":
        from flows.server_mode import require_api_url

        require_api_url()
        return None
    if os.environ.get("PREFECT_API_URL"):
        return None
    from flows.prefect_internals import local_api_server

    server = local_api_server(_server_command)
    # Prefect gives its temporary server 20 s; on a busy 2-core machine its migrations and
    # imports have taken longer (a test failed so), and the app cannot run without it.
    server.start(timeout=STARTUP_TIMEOUT_SECONDS)
    return server


def stop(server: Any | None) -> None:
    if server is not None:
        server.stop()
