"""The FastAPI application: JSON API under /api/v1 (OpenAPI at /docs) and the web pages."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import text

from api import docs, errors, web
from api.accounts.routes import router as accounts_router
from api.admin.routes import router as admin_router
from api.audit.routes import router as audit_router
from api.auth.routes import router as auth_router
from api.deps import RuntimeDep
from api.documents.routes import router as documents_router
from api.dossiers.routes import router as dossiers_router
from api.guards import RequestGuard
from api.pki.routes import router as pki_router
from api.rounds.routes import router as rounds_router
from api.templates.routes import router as templates_router
from documents import pyhanko_internals
from flows import heap, local_prefect
from flows import runtime as flow_runtime
from flows.dispatch import dispatcher_for
from flows.runtime import Runtime
from tdkt.settings import Settings, get_settings


async def _warm_up(rt: Runtime) -> None:
    """LibreOffice and the signing processes, started before the first step needs them."""
    await asyncio.gather(rt.converter.warm_up(), asyncio.to_thread(rt.signing.start))


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pyhanko_internals.install()  # signing and checking in this process too (pool of 0)
        rt = Runtime.from_settings(settings)
        await asyncio.to_thread(rt.store.ensure_ready)
        prefect_server = await asyncio.to_thread(local_prefect.start, settings.prefect_mode)
        rt.dispatcher = dispatcher_for(rt)  # in-process flows, or deployment runs on workers
        flow_runtime.install(rt)
        app.state.runtime = rt
        stopping = asyncio.Event()
        clients = asyncio.create_task(rt.dispatcher.serve_clients(stopping))
        # The first conversion should not pay LibreOffice's start (seconds). In the server
        # mode the workers convert; the app only when a deputy signs instead of the head.
        warm = asyncio.create_task(_warm_up(rt)) if settings.prefect_mode == "embedded" else None
        heap.freeze_startup_objects()
        redrive = asyncio.create_task(
            rt.dispatcher.redrive_forever(settings.outbox_redrive_seconds)
        )
        from flows.checkpoint import checkpoint_forever  # Prefect loads on first use

        # In the server mode the checkpoint is a scheduled deployment run by the workers.
        checkpoints = (
            asyncio.create_task(checkpoint_forever(settings.checkpoint_minutes))
            if settings.checkpoint_minutes > 0 and settings.prefect_mode == "embedded"
            else None
        )
        try:
            yield
        finally:
            for task in (redrive, checkpoints):
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
            await rt.dispatcher.drain()
            stopping.set()
            await clients
            if warm is not None:
                warm.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await warm
            await asyncio.to_thread(local_prefect.stop, prefect_server)
            rt.close()

    app = FastAPI(
        title="tdkt – Hồ sơ thi đua, khen thưởng",
        version="0.1.0",
        lifespan=lifespan,
        description="Quy trình đề nghị khen thưởng: đơn vị → Cụm thi đua → Phòng TĐKT.",
        docs_url=None,  # served by api/docs.py, without a CDN
        redoc_url=None,
    )
    errors.install(app)
    app.add_middleware(RequestGuard, upload_limit=settings.max_upload_bytes)
    for router in (
        admin_router,
        pki_router,
        auth_router,
        accounts_router,
        dossiers_router,
        rounds_router,
        documents_router,
        audit_router,
        templates_router,
    ):
        app.include_router(router)
    docs.install(app)  # /docs: Swagger UI from our own files
    web.install(app)  # the Vietnamese web pages and their static files

    @app.get("/healthz", tags=["health"])
    def healthz(rt: RuntimeDep) -> dict[str, str]:
        with rt.db.read() as s:
            s.execute(text("select 1"))
        return {"status": "ok"}

    return app
