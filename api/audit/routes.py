"""Verification of the whole history: the hash chain and every stored object's bytes."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from api.deps import CurrentReader, ReadSession, RuntimeDep
from domain.errors import Forbidden
from domain.roles import Role
from storage.integrity import verify_all

router = APIRouter(prefix="/api/v1", tags=["audit"])


class AuditVerifyOut(BaseModel):
    ok: bool
    events: int
    objects: int
    first_bad: int | None
    bad_object: str | None
    detail: str


@router.get("/audit/verify", response_model=AuditVerifyOut)
def audit_verify(caller: CurrentReader, s: ReadSession, rt: RuntimeDep) -> AuditVerifyOut:
    if Role.AUDITOR not in caller.actor.roles() and Role.ADMIN not in caller.actor.roles():
        raise Forbidden(
            "Chỉ thanh tra, kiểm tra hoặc quản trị được kiểm tra toàn bộ lịch sử.",
            code="forbidden_action",
        )
    r = verify_all(s, rt.store)
    return AuditVerifyOut(
        ok=r.ok,
        events=r.events,
        objects=r.objects,
        first_bad=r.first_bad,
        bad_object=r.bad_object,
        detail=r.detail,
    )
