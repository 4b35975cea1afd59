"""The machinery an app process runs beside its requests: Prefect's local API (embedded
mode), the outbox dispatcher and its re-drive loop, the audit checkpoints' and the
reminders' schedules,
LibreOffice and the signing processes warmed up, the start-up heap frozen.

`api.app.create_app` takes `machinery` as its `background` (tdkt/app.py plugs it in), so
the API itself never imports Prefect or this package.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from issuing import runtime as flow_runtime
from issuing.runtime import Runtime

from . import heap, local_prefect
from .dispatch import dispatcher_for


async def _warm_up(rt: Runtime) -> None:
    """LibreOffice and the signing processes, started before the first step needs them."""
    await asyncio.gather(rt.converter.warm_up(), asyncio.to_thread(rt.signing.start))


@asynccontextmanager
async def machinery(rt: Runtime) -> AsyncIterator[None]:
    settings = rt.settings
    prefect_server = await asyncio.to_thread(local_prefect.start, settings.prefect_mode)
    dispatcher = dispatcher_for(rt)  # in-process flows, or deployment runs on workers
    rt.dispatcher = dispatcher
    flow_runtime.install(rt)
    stopping = asyncio.Event()
    clients = asyncio.create_task(dispatcher.serve_clients(stopping))
    # The first conversion should not pay LibreOffice's start (seconds). In the server
    # mode the workers convert; the app only when a deputy signs instead of the head.
    warm = asyncio.create_task(_warm_up(rt)) if settings.prefect_mode == "embedded" else None
    heap.freeze_startup_objects()
    redrive = asyncio.create_task(dispatcher.redrive_forever(settings.outbox_redrive_seconds))
    from .checkpoint import checkpoint_forever  # Prefect loads on first use

    # In the server mode the checkpoint is a scheduled deployment run by the workers.
    checkpoints = (
        asyncio.create_task(checkpoint_forever(settings.checkpoint_minutes))
        if settings.checkpoint_minutes > 0 and settings.prefect_mode == "embedded"
        else None
    )
    from .reminders import reminders_forever

    # The daily digest and the escalations; in the server mode a deployment with a cron.
    reminders = (
        asyncio.create_task(reminders_forever(settings.digest_hour))
        if settings.reminders_enabled and settings.prefect_mode == "embedded"
        else None
    )
    try:
        yield
    finally:
        for task in (redrive, checkpoints, reminders):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await dispatcher.drain()
        stopping.set()
        await clients
        if warm is not None:
            warm.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await warm
        await asyncio.to_thread(local_prefect.stop, prefect_server)
