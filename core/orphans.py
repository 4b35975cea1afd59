"""Helper processes (Prefect's local API, the signing processes) end when the app is gone.

An app stopped normally stops its helpers itself; one that is killed (SIGKILL, the
out-of-memory killer) cannot, and they would run on beside the next app: a second Prefect
server on var/prefect, signing processes waiting on a queue nobody closes. Each helper
is handed the app's pid when it is started, not the parent it finds once running: an app
that died while the helper was still starting would otherwise be missed (the helper,
re-parented by then, would watch its new parent).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

PARENT_ENV = "TDKT_APP_PID"


def exit_with_parent(parent: int, stop: Callable[[], None], every: float = 1.0) -> None:
    """Call `stop` (in a daemon thread) once this process's parent is no longer `parent`."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(every)
        stop()

    threading.Thread(target=watch, name="tdkt-exit-with-parent", daemon=True).start()
