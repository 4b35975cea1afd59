"""The server mode: the same flows as Prefect deployments on a work pool, the dispatcher
that starts their runs, and the worker process that runs them.

- `register` (`tdkt deploy`, run by the compose `prestart`) creates the process work pool
  and three deployments on it: `subject_transition_flow/tdkt`, `audit_checkpoint_flow/tdkt`
  (scheduled every TDKT_CHECKPOINT_MINUTES, one run at a time) and `reminders_flow/tdkt`
  (a cron at TDKT_DIGEST_HOUR daily, Asia/Ho_Chi_Minh, one run at a time).
- `ServerDispatcher` (the app) claims an outbox row exactly as the embedded dispatcher
  does, then creates a run of the deployment with `run_deployment(..., timeout=0)` and
  the row's id as the only parameter, and announces it to the workers
  (flows/handover.py). The flow run takes the row and renews its lease
  while it lives (flows/transition.py); the re-drive loop asks Prefect about rows whose
  run ended without finishing them, or whose lease ran out, and starts a new run.
- `TdktWorker` (`tdkt worker`): a Prefect process worker on the pool that runs each flow
  run inside its own long-lived process, where the runtime (database pool, S3 client,
  warm LibreOffice profiles) is built once, instead of a fresh subprocess per run
  (ADR 0005). Several workers share a pool: each run is given to exactly one of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar
from uuid import UUID

from prefect.client.schemas.objects import FlowRun, StateType
from prefect.workers.process import ProcessJobConfiguration, ProcessWorker, ProcessWorkerResult

from core.settings import Settings
from documents import pyhanko_internals
from issuing import runtime as flow_runtime
from issuing.runtime import Runtime
from storage import outbox

from . import handover, heap
from .dispatch import Dispatcher
from .prefect_clients import open_clients

if TYPE_CHECKING:
    import anyio.abc
    from prefect import Flow

log = logging.getLogger("tdkt.server_mode")

DEPLOYMENT = "tdkt"
TRANSITION = f"subject_transition_flow/{DEPLOYMENT}"
CHECKPOINT = f"audit_checkpoint_flow/{DEPLOYMENT}"


def require_api_url() -> str:
    """The Prefect server's API; the server mode has no local one to fall back on."""
    from prefect.settings import get_current_settings

    url = get_current_settings().api.url
    if not url:
        raise RuntimeError(
            "TDKT_PREFECT_MODE=server needs PREFECT_API_URL "
            "(the Prefect server's API, e.g. http://prefect-server:4200/api)"
        )
    return url


def _flows() -> dict[str, Flow[..., Any]]:
    from .checkpoint import audit_checkpoint_flow
    from .reminders import reminders_flow
    from .transition import subject_transition_flow

    return {f.name: f for f in (subject_transition_flow, audit_checkpoint_flow, reminders_flow)}


async def register(settings: Settings) -> list[str]:
    """Create the work pool (if missing) and create or update the deployments."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.deployments.runner import EntrypointType
    from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound

    require_api_url()
    pool = settings.prefect_work_pool
    async with get_client() as client:
        try:
            await client.read_work_pool(pool)
        except ObjectNotFound:
            with contextlib.suppress(ObjectAlreadyExists):  # another prestart was first
                await client.create_work_pool(
                    WorkPoolCreate(
                        name=pool,
                        type=ProcessWorker.type,
                        base_job_template=ProcessWorker.get_default_base_job_template(),
                        description="tdkt: one flow run per dossier step (tdkt worker)",
                    )
                )
    flows = _flows()
    # Module paths, not file paths: any process with tdkt installed can load them, also a
    # stock `prefect worker start --pool tdkt` (one subprocess per run, slower).
    common: dict[str, Any] = {
        "work_pool_name": pool,
        "entrypoint_type": EntrypointType.MODULE_PATH,
        "version": _version(),
    }
    transition = await flows["subject_transition_flow"].ato_deployment(
        name=DEPLOYMENT,
        description="The machine work of one committed step of a dossier (outbox row id).",
        **common,
    )
    every = settings.checkpoint_minutes
    checkpoint = await flows["audit_checkpoint_flow"].ato_deployment(
        name=DEPLOYMENT,
        description="Sign the head of the audit chain into the archive.",
        interval=timedelta(minutes=every) if every > 0 else None,
        paused=every <= 0,
        concurrency_limit=1,
        **common,
    )
    from prefect.schedules import Cron

    from .reminders import TIMEZONE, reminder_cron

    reminders = await flows["reminders_flow"].ato_deployment(
        name=DEPLOYMENT,
        description="The daily digest of what waits, and the escalation of overdue steps.",
        schedule=Cron(reminder_cron(settings.digest_hour), timezone=TIMEZONE),
        paused=not settings.reminders_enabled,
        concurrency_limit=1,
        **common,
    )
    return [str(await d.aapply()) for d in (transition, checkpoint, reminders)]


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("tdkt")
    except PackageNotFoundError:
        return "dev"


class ServerDispatcher(Dispatcher):
    """Claims rows like `Dispatcher`, but a worker on the work pool runs their flow."""

    async def _start(self, outbox_id: int) -> None:
        from prefect.deployments import run_deployment

        try:
            run: FlowRun = await run_deployment(  # type: ignore[misc]  # async in a loop
                TRANSITION,
                parameters={"outbox_id": outbox_id},  # an id only: Prefect stores parameters
                timeout=0,
                as_subflow=False,
            )
        except Exception as e:
            log.exception("could not start a run for outbox row %s; re-driven later", outbox_id)
            await asyncio.to_thread(self._release, outbox_id, f"{type(e).__name__}: {e}")
            return
        await asyncio.to_thread(self._record_run, outbox_id, str(run.id))

    def _record_run(self, outbox_id: int, run_id: str) -> None:
        with self.rt.db.write() as s:
            outbox.record_run(s, outbox_id, run_id)
            handover.announce(s, self.rt.settings.prefect_work_pool)

    def _release(self, outbox_id: int, error: str) -> None:
        with self.rt.db.write() as s:
            outbox.release(s, outbox_id, error)

    def _running(self) -> list[tuple[int, str, datetime]]:
        with self.rt.db.read() as s:
            return outbox.running_runs(s)

    def _renew(self, outbox_id: int, run_id: str) -> None:
        with self.rt.db.write() as s:
            outbox.keep_waiting(s, outbox_id, run_id)

    async def redrive_once(self) -> None:
        """Rows whose run is known dead are run again; rows never started, failed, or
        claimed by a process that died before creating a run, as in the embedded mode."""
        from prefect.client.orchestration import get_client
        from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
        from prefect.states import Crashed

        running = await asyncio.to_thread(self._running)
        runs: dict[str, FlowRun] = {}
        if running:
            async with get_client() as client:
                found = await client.read_flow_runs(
                    flow_run_filter=FlowRunFilter(
                        id=FlowRunFilterId(any_=[UUID(run_id) for _, run_id, _ in running])
                    ),
                    limit=len(running),
                )
                runs = {str(r.id): r for r in found}
                now = datetime.now(UTC)
                for outbox_id, run_id, renewed in running:
                    run = runs.get(run_id)
                    state = run.state if run is not None else None
                    leased = _as_utc(renewed) > now - self.lease
                    if state is None:
                        if leased:
                            continue  # unknown to Prefect (yet): its lease decides
                    elif not state.is_final():
                        if leased:
                            continue  # alive: it renews its lease
                        handed = state.type == StateType.PENDING
                        if state.type == StateType.SCHEDULED or (
                            handed and _as_utc(state.timestamp) > now - self.lease
                        ):
                            # Queued for a free worker, however long there is none, or just
                            # handed to one that is starting it: keep waiting.
                            await asyncio.to_thread(self._renew, outbox_id, run_id)
                            continue
                        # Its process died (killed worker, lost machine): say so in Prefect.
                        await client.set_flow_run_state(
                            UUID(run_id),
                            Crashed(message="tdkt: no lease renewal, the worker is gone"),
                            force=True,
                        )
                    log.warning("outbox row %s: run %s ended unfinished; again", outbox_id, run_id)
                    self.submit(outbox_id, dead_run=run_id)
        await super().redrive_once()


def _as_utc(t: datetime) -> datetime:
    return t if t.tzinfo is not None else t.replace(tzinfo=UTC)


class TdktWorker(ProcessWorker):
    """A process worker whose flow runs run in the worker's own process.

    Prefect's process worker starts a Python subprocess per flow run, which then imports
    Prefect and tdkt and builds its runtime: seconds of CPU per dossier step (ADR 0005).
    Polling, claiming runs, concurrency limits, heartbeats and the health check are the
    stock worker's; only `run` differs. The work pool stays a standard process pool.
    """

    _known: ClassVar[dict[UUID, Flow[..., Any]]] = {}  # flow id → our flow object

    @classmethod
    def __dispatch_key__(cls) -> str:
        # Prefect registers worker classes by this key, which defaults to the type. The
        # type stays "process" (a standard process pool); under its own key, defining
        # this class leaves Prefect's ProcessWorker the "process" worker of this process
        # (flows/prefect_internals.py).
        return "tdkt-process"

    async def run(
        self,
        flow_run: FlowRun,
        configuration: ProcessJobConfiguration,
        task_status: anyio.abc.TaskStatus[int] | None = None,
    ) -> ProcessWorkerResult:
        from prefect.flow_engine import run_flow

        flow = self._known.get(flow_run.flow_id)
        if flow is None:
            api_flow = await self.client.read_flow(flow_run.flow_id)
            flow = _flows().get(api_flow.name)
            if flow is None:
                raise LookupError(f"tdkt worker has no flow named {api_flow.name!r}")
            self._known[flow_run.flow_id] = flow
        if task_status is not None:
            task_status.started(os.getpid())
        status = 0
        try:
            result = run_flow(flow, flow_run=flow_run, return_type="state")
            if isinstance(result, Awaitable):
                await result
        except Exception:
            # The engine records the flow's own failures as its final state; an error
            # here is the engine's (API unreachable…): report the run as crashed.
            log.exception("flow run %s could not be run", flow_run.id)
            status = 1
        return ProcessWorkerResult(status_code=status, identifier=str(os.getpid()))


async def serve_worker(settings: Settings, *, limit: int) -> None:
    """`tdkt worker`: build the runtime once, warm LibreOffice, serve the work pool."""
    require_api_url()
    pyhanko_internals.install()  # its runs seal and check PDFs in this process
    rt = Runtime.from_settings(settings)
    await asyncio.to_thread(rt.store.ensure_ready)
    flow_runtime.install(rt)
    await rt.converter.warm_up()
    heap.freeze_startup_objects()
    name = f"tdkt {socket.gethostname()} {os.getpid()}"
    # `docker compose stop` sends SIGTERM: cancel the runs in flight (each gives its
    # outbox row back, flows/transition.py) instead of dying with them.
    main = asyncio.current_task()
    assert main is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, main.cancel)
    try:
        # The runs the worker starts inherit this context: they share Prefect's clients.
        async with (
            open_clients(),
            TdktWorker(work_pool_name=settings.prefect_work_pool, name=name, limit=limit) as worker,
        ):
            log.warning("worker %r serving work pool %r", name, settings.prefect_work_pool)
            hear = asyncio.create_task(
                handover.listen(
                    settings.database_url,
                    settings.prefect_work_pool,
                    worker.get_and_submit_flow_runs,
                )
            )
            try:
                await worker.start(with_healthcheck=True)
            finally:
                hear.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await hear
    finally:
        rt.close()
