"""Starts a flow run for each committed outbox row, and re-drives rows that got stuck.

A row is claimed before its flow runs (pending or failed → running; the queries are in
storage/outbox.py), so two dispatchers (two app processes, or the re-drive loop and a
request) never run the same step at once;
a row left running longer than the lease by a process that died is claimed again. The
flow itself is idempotent, so a second run of the same step creates nothing twice.

`Dispatcher` runs the flow in this process (embedded mode); `ServerDispatcher`
(flows/server_mode.py) starts a deployment run that a worker on the work pool executes.
`dispatcher_for` picks one by TDKT_PREFECT_MODE.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from datetime import timedelta

from issuing.runtime import Runtime
from storage import outbox

log = logging.getLogger("tdkt.dispatch")


class Dispatcher:
    def __init__(self, runtime: Runtime) -> None:
        self.rt = runtime
        # A row left "running" this long by a process that died is claimed again.
        self.lease = timedelta(seconds=runtime.settings.outbox_lease_seconds)
        self._tasks: set[asyncio.Task[None]] = set()
        # Set by `serve_clients`: flow runs started in a copy of it share Prefect's clients.
        self.context: contextvars.Context | None = None

    async def serve_clients(self, stop: asyncio.Event) -> None:
        """Hold Prefect's API clients open until `stop` (flows/prefect_clients.py)."""
        from .prefect_clients import open_clients

        try:
            async with open_clients() as context:
                self.context = context
                try:
                    await stop.wait()
                finally:
                    self.context = None
        except Exception:  # the API is down: every run opens its own clients, as before
            log.exception("could not open Prefect's API clients")

    def submit(self, outbox_id: int, dead_run: str | None = None) -> None:
        """Start the step's flow run in the background of this event loop."""
        task = asyncio.get_running_loop().create_task(
            self.run(outbox_id, dead_run),
            context=self.context.copy() if self.context is not None else None,
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _claim(self, outbox_id: int, dead_run: str | None = None) -> bool:
        with self.rt.db.write() as s:
            return outbox.claim(s, outbox_id, lease=self.lease, dead_run=dead_run)

    async def start_soon(self, outbox_id: int) -> None:
        """A request's background task: the run goes on in its own task (tracked, drained
        at shutdown, in the clients' context) rather than in the request's."""
        self.submit(outbox_id)

    async def run(self, outbox_id: int, dead_run: str | None = None) -> None:
        try:
            claimed = await asyncio.to_thread(self._claim, outbox_id, dead_run)
        except Exception:  # database busy or down: the row stays pending
            log.warning("could not claim outbox row %s; re-driven later", outbox_id, exc_info=True)
            return
        if claimed:
            await self._start(outbox_id)

    async def _start(self, outbox_id: int) -> None:
        """Run the claimed row's flow here, in this event loop."""
        from .transition import subject_transition_flow  # Prefect loads on first use

        try:
            await subject_transition_flow(outbox_id)
        except Exception:
            log.exception("flow run for outbox row %s failed; it will be retried", outbox_id)

    def _due(self) -> list[int]:
        with self.rt.db.read() as s:
            return outbox.due(s, lease=self.lease)

    async def redrive_once(self) -> None:
        for outbox_id in await asyncio.to_thread(self._due):
            self.submit(outbox_id)

    async def redrive_forever(self, every: float) -> None:
        """Pick up rows whose flow never started or failed (crash, store down, restart)."""
        while True:
            try:
                await self.redrive_once()
            except Exception:
                log.exception("outbox re-drive failed")
            await asyncio.sleep(every)

    async def drain(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


def dispatcher_for(runtime: Runtime) -> Dispatcher:
    """The dispatcher of the configured mode (TDKT_PREFECT_MODE)."""
    if runtime.settings.prefect_mode == "server":
        from .server_mode import ServerDispatcher

        return ServerDispatcher(runtime)
    return Dispatcher(runtime)
