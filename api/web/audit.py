"""The history of a dossier (a timeline; for auditors also who read what, the hashes, the
check of the dossier's own chain and the export), and the check of the whole history."""

from __future__ import annotations

import asyncio
import time
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.audit import service as audit_service
from api.audit.schemas import AuditVerifyOut
from api.deps import RuntimeDep
from api.dossiers import service
from api.dossiers.routes import EVENT_LABELS
from api.exports import service as exports
from api.exports.lists import HISTORY, HistoryFilter
from api.web.pages import WebRoute, render
from api.web.session import VisitorDep
from domain.errors import Forbidden
from domain.roles import Role
from storage import audit
from storage.integrity import verify_all

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.get("/ho-so/{dossier_id:int}/lich-su", response_class=HTMLResponse)
def history_page(
    request: Request,
    dossier_id: int,
    visitor: VisitorDep,
    rt: RuntimeDep,
    luot_doc: Annotated[int, Query(alias="luot-doc", ge=0, le=1)] = 0,
) -> HTMLResponse:
    is_auditor = Role.AUDITOR in visitor.actor.roles()
    with rt.db.read() as s:
        d = service.visible_dossier(s, visitor.actor, dossier_id)
        entries = audit_service.history(
            s, visitor.actor, dossier_id, EVENT_LABELS, include_reads=bool(luot_doc and is_auditor)
        )
        chain = audit.verify_dossier_chain(s, dossier_id) if is_auditor else None
    return render(
        request,
        "history.html",
        visitor,
        d=d,
        entries=entries,
        chain=chain,
        is_auditor=is_auditor,
        with_reads=bool(luot_doc and is_auditor),
    )


@router.get("/ho-so/{dossier_id:int}/lich-su/bang", response_model=None)
def export_table(
    dossier_id: int,
    visitor: VisitorDep,
    rt: RuntimeDep,
    dinh_dang: Annotated[str | None, Query(alias="dinh-dang", max_length=8)] = None,
    luot_doc: Annotated[int, Query(alias="luot-doc", ge=0, le=1)] = 0,
) -> Response:
    """«Xuất Excel» / «Xuất CSV» of the history as the page lists it (api/exports/)."""
    reads = bool(luot_doc and Role.AUDITOR in visitor.actor.roles())
    f = HistoryFilter(dossier_id, reads)
    return exports.export(rt, visitor.caller, HISTORY.name, dinh_dang, f)


@router.get("/ho-so/{dossier_id:int}/lich-su/xuat")
async def export(
    dossier_id: int,
    visitor: VisitorDep,
    rt: RuntimeDep,
    dinh_dang: Annotated[Literal["json", "pdf"], Query(alias="dinh-dang")] = "json",
) -> Response:
    body, media, digest = await audit_service.export_file(
        rt, visitor.user.id, dossier_id, dinh_dang, EVENT_LABELS
    )
    return Response(
        body,
        media_type=media,
        headers={
            "Content-Disposition": (
                f'attachment; filename="lich-su-ho-so-{dossier_id}.{dinh_dang}"'
            ),
            "X-Content-SHA256": digest,
            "Cache-Control": "private, no-store",
        },
    )


@router.get("/kiem-tra", response_class=HTMLResponse)
async def verify_page(
    request: Request,
    visitor: VisitorDep,
    rt: RuntimeDep,
    chay: Annotated[int, Query(ge=0, le=1)] = 0,
) -> HTMLResponse:
    """Recompute every chain, compare every stored file with its SHA-256 and the chain
    with the signed checkpoints (the API's `GET /api/v1/audit/verify`)."""
    roles = visitor.actor.roles()
    if Role.AUDITOR not in roles and Role.ADMIN not in roles:
        raise Forbidden(
            "Chỉ thanh tra, kiểm tra hoặc quản trị được kiểm tra toàn bộ lịch sử.",
            code="forbidden_action",
        )
    report, seconds = None, 0.0
    if chay:

        def run() -> AuditVerifyOut:
            crls = rt.crls()  # a revoked seal's checkpoints read revoked
            with rt.db.read() as s:
                return AuditVerifyOut.model_validate(verify_all(s, rt.store, crls).to_dict())

        started = time.monotonic()
        report = await asyncio.to_thread(run)
        seconds = time.monotonic() - started
    return render(request, "verify.html", visitor, report=report, seconds=seconds)
