"""The FastAPI application: JSON API under /api/v1 (OpenAPI at /docs) and the web pages."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext

from fastapi import FastAPI
from sqlalchemy import text

from api import docs, errors, web
from api.accounts.routes import router as accounts_router
from api.admin.routes import router as admin_router
from api.audit.routes import router as audit_router
from api.auth.routes import router as auth_router
from api.calendar.routes import router as calendar_router
from api.clusters.routes import router as clusters_router
from api.consultation.routes import router as consultation_router
from api.dashboards.routes import router as dashboards_router
from api.decisions.routes import router as decisions_router
from api.delegations.routes import router as delegations_router
from api.deps import RuntimeDep
from api.documents.routes import router as documents_router
from api.dossiers.routes import router as dossiers_router
from api.exports.routes import router as exports_router
from api.guards import RequestGuard
from api.meetings.routes import router as meetings_router
from api.meetings.vote_routes import router as vote_router
from api.opinions.routes import router as opinions_router
from api.people.routes import router as people_router
from api.pki.routes import router as pki_router
from api.registry.routes import LARGE_UPLOAD_PATHS
from api.registry.routes import router as registry_router
from api.reports.routes import router as reports_router
from api.rounds.routes import router as rounds_router
from api.templates.routes import router as templates_router
from core.settings import Settings, get_settings
from documents import pyhanko_internals
from issuing.runtime import Runtime

Background = Callable[[Runtime], AbstractAsyncContextManager[None]]
"""What runs beside the requests while the app lives (the outbox dispatcher, Prefect's
local API: flows/lifecycle.py), given the app's runtime. The API does not know it: the
composition root (tdkt/app.py) passes it in."""


def create_app(settings: Settings | None = None, background: Background | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pyhanko_internals.install()  # signing and checking in this process too (pool of 0)
        rt = Runtime.from_settings(settings)
        await asyncio.to_thread(rt.store.ensure_ready)
        try:
            async with background(rt) if background is not None else nullcontext():
                app.state.runtime = rt
                yield
        finally:
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
    app.add_middleware(
        RequestGuard,
        upload_limit=settings.max_upload_bytes,
        large_uploads=dict.fromkeys(LARGE_UPLOAD_PATHS, settings.max_import_bytes),
    )
    for router in (
        admin_router,
        pki_router,
        auth_router,
        accounts_router,
        dossiers_router,
        rounds_router,
        meetings_router,
        vote_router,
        decisions_router,
        people_router,
        documents_router,
        audit_router,
        templates_router,
        opinions_router,
        consultation_router,
        calendar_router,
        registry_router,
        reports_router,
        clusters_router,
        delegations_router,
        exports_router,
        dashboards_router,
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
