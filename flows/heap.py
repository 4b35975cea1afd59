"""Keep Python's full garbage collections short in the long-lived processes.

A full collection walks every tracked object. With Prefect, SQLAlchemy, FastAPI and
pyHanko loaded that took 140–260 ms in the app, once every few dossier steps, paid by
whichever request or flow run happened to trigger it (measured with gc.callbacks during
`bench/floor_and_stage.py`). The objects made while starting up live as long as the
process: moved to the permanent generation, they are no longer walked.
"""

from __future__ import annotations

import gc


def freeze_startup_objects() -> None:
    """Call once the process has imported and built what it keeps for its lifetime."""
    import prefect.flow_engine  # the engine a flow run imports on first use
    import prefect.task_engine  # noqa: F401

    from . import transition  # noqa: F401  # Prefect's flow and task objects

    gc.collect()
    gc.freeze()
