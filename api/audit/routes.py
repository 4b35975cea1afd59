"""The auditor's endpoints: verify the whole history, export one dossier's history."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.audit import service
from api.audit.schemas import AuditVerifyOut, HistoryExport
from api.deps import CurrentReader, ReadSession, RuntimeDep
from api.dossiers.routes import EVENT_LABELS
from domain.errors import Forbidden
from domain.roles import Role
from storage.integrity import verify_all

router = APIRouter(prefix="/api/v1", tags=["audit"])


@router.get("/audit/verify", response_model=AuditVerifyOut)
def audit_verify(caller: CurrentReader, s: ReadSession, rt: RuntimeDep) -> AuditVerifyOut:
    """Recompute every chain, compare every stored file with its recorded SHA-256 and the
    chain with the signed checkpoints; `ok`, or the first bad event or object and why."""
    if Role.AUDITOR not in caller.actor.roles() and Role.ADMIN not in caller.actor.roles():
        raise Forbidden(
            "Chỉ thanh tra, kiểm tra hoặc quản trị được kiểm tra toàn bộ lịch sử.",
            code="forbidden_action",
        )
    return AuditVerifyOut.model_validate(verify_all(s, rt.store, rt.crls()).to_dict())


@router.get(
    "/dossiers/{dossier_id}/history/export",
    response_model=None,
    responses={
        200: {
            "model": HistoryExport,
            "content": {"application/pdf": {}},
            "description": "JSON (format=json) or the sealed PDF «Lịch sử hồ sơ» (format=pdf)",
        }
    },
)
async def export_history(
    dossier_id: int,
    caller: CurrentReader,
    rt: RuntimeDep,
    format: Annotated[Literal["json", "pdf"], Query()] = "json",
) -> Response:
    """One dossier's full history for an auditor. The export itself is recorded in the
    history (with the SHA-256 of the file handed out) before it is returned."""
    body, media, digest = await service.export_file(
        rt, caller.user.id, dossier_id, format, EVENT_LABELS
    )
    return Response(
        body,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="lich-su-ho-so-{dossier_id}.{format}"',
            "X-Content-SHA256": digest,
        },
    )
