"""The cluster's year page: its covenant section (Giao ước thi đua), and the section's
own forms — a member's commitments, the head unit opening it for signing, a member
head's signature with their PIN, the head unit's seal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlalchemy.orm import Session

from api.clusters import covenant_service as service
from api.clusters.covenant_service import CommitmentIn, CommitmentsIn, SignIn
from api.clusters.service import YearContext
from api.deps import RuntimeDep
from api.web.forms import text
from api.web.pages import WebRoute, redirect
from api.web.session import CheckedForm, Visitor, VisitorDep, set_flash
from domain.covenant import MAX_COMMITMENTS
from domain.errors import DomainError, NotFound

router = APIRouter(route_class=WebRoute, include_in_schema=False)

BLANK_ROWS = 3
"""Empty rows the commitments form offers beyond those entered."""


def section(s: Session, ctx: YearContext, visitor: Visitor) -> dict[str, Any]:
    """What the year page's covenant section shows (cluster_year/_covenant.html)."""
    cov = service.covenant_out(s, visitor.actor, ctx)
    mine = [m for m in cov.members if m.unit_id in cov.can_edit_units]
    return {
        "cov": cov,
        "editing": [
            {
                "member": m,
                "rows": [{"indicator": c.indicator, "target": c.target} for c in m.commitments]
                + [{"indicator": "", "target": ""}] * BLANK_ROWS,
            }
            for m in mine
        ],
        "signing": [m for m in cov.members if m.unit_id in cov.can_sign_units],
    }


def _page(cluster_id: int, year: int) -> str:
    return f"/cum-thi-dua/{cluster_id}/{year}#giao-uoc"


async def _change(cluster_id: int, year: int, work: Callable[[], object], done: str) -> Response:
    try:
        await run_in_threadpool(work)
    except NotFound:
        raise
    except DomainError as e:
        response = redirect(_page(cluster_id, year))
        set_flash(response, e.message)
        return response
    response = redirect(_page(cluster_id, year))
    set_flash(response, done)
    return response


@router.post("/cum-thi-dua/{cluster_id:int}/{year:int}/giao-uoc/chi-tieu/{unit_id:int}")
async def save_commitments(
    cluster_id: int, year: int, unit_id: int, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep
) -> Response:
    items = []
    for i in range(MAX_COMMITMENTS + BLANK_ROWS):
        indicator = text(form, f"indicator_{i}", 1000).strip()
        target = text(form, f"target_{i}", 300).strip()
        if indicator or target:
            items.append(CommitmentIn(indicator=indicator, target=target))
    body = CommitmentsIn(items=items[:MAX_COMMITMENTS])

    def work() -> None:
        with rt.db.write() as s:
            service.set_commitments(
                s, visitor.caller.user, visitor.actor, cluster_id, year, unit_id, body
            )

    return await _change(cluster_id, year, work, "Đã lưu chỉ tiêu giao ước của đơn vị.")


@router.post("/cum-thi-dua/{cluster_id:int}/{year:int}/giao-uoc/mo-ky")
async def open_for_signing(
    cluster_id: int, year: int, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep
) -> Response:
    del form
    return await _change(
        cluster_id,
        year,
        lambda: service.open_for_signing(rt, visitor.caller, cluster_id, year),
        "Đã mở Giao ước để các đơn vị ký. Thủ trưởng các đơn vị đã được thông báo.",
    )


@router.post("/cum-thi-dua/{cluster_id:int}/{year:int}/giao-uoc/ky")
async def sign(
    cluster_id: int, year: int, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep
) -> Response:
    body = SignIn(signing_pin=text(form, "signing_pin", 64) or None)
    return await _change(
        cluster_id,
        year,
        lambda: service.sign(rt, visitor.caller, cluster_id, year, body),
        "Đã ký Giao ước thi đua cho đơn vị.",
    )


@router.post("/cum-thi-dua/{cluster_id:int}/{year:int}/giao-uoc/dong-dau")
async def seal(
    cluster_id: int, year: int, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep
) -> Response:
    del form
    return await _change(
        cluster_id,
        year,
        lambda: service.seal(rt, visitor.caller, cluster_id, year),
        "Đã đóng dấu Giao ước thi đua. Các đơn vị và Ban Thi đua – Khen thưởng đã được thông báo.",
    )
