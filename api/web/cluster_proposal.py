"""The cluster's proposal pages (Tờ trình của Cụm): its section on the year page, and its
own page (/cum-thi-dua/{id}/{year}/to-trinh) where the head unit drafts it from the vote
and its leader signs it, and the board appraises it (strikes a nominee with a reason),
approves it or returns it, and puts its dossiers into a round.

Every change goes through the API's own use cases (api/clusters/proposal_service.py):
the same rules, audit events and refusals, shown on the page."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from api.clusters import proposal_service as service
from api.clusters.proposal_schemas import BoardActionIn, ProposalOut
from api.clusters.service import YearContext, load_year
from api.deps import RuntimeDep
from api.rounds import service as rounds_service
from api.web.forms import text
from api.web.pages import WebRoute, redirect, render
from api.web.session import CheckedForm, Visitor, VisitorDep, set_flash
from domain.cluster_proposal import ProposalStatus
from domain.errors import DomainError, NotFound
from domain.process import Action
from domain.roles import Role
from domain.rounds import RoundStatus
from issuing.runtime import Runtime

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def section(s: Session, ctx: YearContext, visitor: Visitor) -> dict[str, Any]:
    """What the year page's proposal section shows (cluster_year/_proposal.html)."""
    return {"proposal": service.proposal_out(s, visitor.actor, ctx)}


def pdf_links(p: ProposalOut) -> dict[str, str]:
    if p.document_id is None:
        return {}
    doc = f"/van-ban/{p.document_id}"
    return {
        "view_url": f"{doc}?ban=pdf-signed",
        "download_url": f"{doc}?ban=pdf-signed&tai=1",
        "signatures_url": f"{doc}/chu-ky",
    }


def _open_rounds(s: Session, visitor: Visitor, ctx: YearContext, p: ProposalOut) -> list[Any]:
    """The open rounds an approved proposal's dossiers may enter (its specialist's)."""
    if (
        p.status != ProposalStatus.APPROVED
        or p.round_id is not None
        or Role.BOARD_SPECIALIST not in service.board_roles(visitor.actor, ctx)
    ):
        return []
    return [
        r
        for r in rounds_service.list_rounds(s, visitor.actor, year=None)
        if r.status == RoundStatus.OPEN
    ]


def _page(
    request: Request,
    visitor: Visitor,
    rt: Runtime,
    cluster_id: int,
    year: int,
    *,
    status_code: int = 200,
    error: str = "",
    problems: list[str] | None = None,
) -> HTMLResponse:
    with rt.db.read() as s:
        ctx = load_year(s, visitor.actor, cluster_id, year)
        p = service.proposal_out(s, visitor.actor, ctx)
        rounds = _open_rounds(s, visitor, ctx, p)
    return render(
        request,
        "cluster_proposal.html",
        visitor,
        status_code=status_code,
        ctx=ctx,
        p=p,
        links=pdf_links(p),
        rounds=rounds,
        error=error,
        problems=problems or [],
    )


@router.get("/cum-thi-dua/{cluster_id:int}/{year:int}/to-trinh", response_class=HTMLResponse)
def proposal_page(
    request: Request, cluster_id: int, year: int, visitor: VisitorDep, rt: RuntimeDep
) -> HTMLResponse:
    return _page(request, visitor, rt, cluster_id, year)


@router.get("/cum-thi-dua/to-trinh/{proposal_id:int}", response_model=None)
def proposal_by_id(proposal_id: int, visitor: VisitorDep, rt: RuntimeDep) -> Response:
    """Where a notification about a cluster's proposal leads (api/notifications.py)."""
    with rt.db.read() as s:
        ctx = service.year_of_proposal(s, visitor.actor, proposal_id)
        return redirect(f"/cum-thi-dua/{ctx.cluster.id}/{ctx.year}/to-trinh")


def _version(form: FormData) -> int | None:
    raw = text(form, "version", 12).strip()
    return int(raw) if raw.isdigit() else None


async def _change(
    request: Request,
    visitor: Visitor,
    rt: Runtime,
    cluster_id: int,
    year: int,
    work: Callable[[], None],
    done: str,
) -> Response:
    try:
        await run_in_threadpool(work)
    except NotFound:
        raise
    except DomainError as e:
        listed = e.extra().get("problems")
        return await run_in_threadpool(
            functools.partial(
                _page,
                request,
                visitor,
                rt,
                cluster_id,
                year,
                status_code=e.status,
                error=e.message,
                problems=listed if isinstance(listed, list) else None,
            )
        )
    response = redirect(f"/cum-thi-dua/{cluster_id}/{year}/to-trinh")
    set_flash(response, done)
    return response


BASE = "/cum-thi-dua/{cluster_id:int}/{year:int}/to-trinh"


@router.post(BASE + "/lap", response_model=None)
async def refresh(
    request: Request,
    cluster_id: int,
    year: int,
    visitor: VisitorDep,
    form: CheckedForm,
    rt: RuntimeDep,
) -> Response:
    version = _version(form)

    def work() -> None:
        with rt.db.write() as s:
            service.refresh(s, visitor.user, visitor.actor, cluster_id, year, version)

    return await _change(
        request,
        visitor,
        rt,
        cluster_id,
        year,
        work,
        "Đã lập danh sách Tờ trình của Cụm từ kết quả bình xét.",
    )


@router.post(BASE + "/ky", response_model=None)
async def sign(
    request: Request,
    cluster_id: int,
    year: int,
    visitor: VisitorDep,
    form: CheckedForm,
    rt: RuntimeDep,
    background: BackgroundTasks,
) -> Response:
    pin = text(form, "signing_pin", 64) or None
    version = _version(form)
    outbox_ids: list[int] = []

    def work() -> None:
        outbox_ids.append(service.sign(rt, visitor.caller, cluster_id, year, pin, version))

    response = await _change(
        request,
        visitor,
        rt,
        cluster_id,
        year,
        work,
        "Đã ký Tờ trình của Cụm. Hệ thống đang cấp số, đóng dấu và gửi Phòng Thi đua – Khen"
        " thưởng.",
    )
    if outbox_ids and rt.dispatcher is not None:
        background.add_task(rt.dispatcher.start_soon, outbox_ids[0])
    return response


@router.post(BASE + "/loai", response_model=None)
async def strike(
    request: Request,
    cluster_id: int,
    year: int,
    visitor: VisitorDep,
    form: CheckedForm,
    rt: RuntimeDep,
) -> Response:
    raw = text(form, "dossier_id", 20).strip()
    dossier_id = int(raw) if raw.isdigit() else 0
    reason, version = text(form, "reason", 2000), _version(form)

    def work() -> None:
        with rt.db.write() as s:
            service.strike(
                s, visitor.user, visitor.actor, cluster_id, year, dossier_id, reason, version
            )

    return await _change(
        request,
        visitor,
        rt,
        cluster_id,
        year,
        work,
        f"Đã loại hồ sơ số {dossier_id} khỏi Tờ trình của Cụm.",
    )


async def _board(
    request: Request,
    visitor: Visitor,
    rt: Runtime,
    background: BackgroundTasks,
    cluster_id: int,
    year: int,
    action: Action,
    body: BoardActionIn,
    done: str,
) -> Response:
    outbox_ids: list[int] = []

    def work() -> None:
        outbox_ids.append(service.board_act(rt, visitor.caller, cluster_id, year, action, body))

    response = await _change(request, visitor, rt, cluster_id, year, work, done)
    if outbox_ids and rt.dispatcher is not None:
        background.add_task(rt.dispatcher.start_soon, outbox_ids[0])
    return response


@router.post(BASE + "/duyet", response_model=None)
async def approve(
    request: Request,
    cluster_id: int,
    year: int,
    visitor: VisitorDep,
    form: CheckedForm,
    rt: RuntimeDep,
    background: BackgroundTasks,
) -> Response:
    body = BoardActionIn(version=_version(form))
    return await _board(
        request,
        visitor,
        rt,
        background,
        cluster_id,
        year,
        Action.APPROVE,
        body,
        "Đã duyệt Tờ trình của Cụm: các hồ sơ còn lại đã được duyệt, trình khen thưởng.",
    )


@router.post(BASE + "/tra-lai", response_model=None)
async def give_back(
    request: Request,
    cluster_id: int,
    year: int,
    visitor: VisitorDep,
    form: CheckedForm,
    rt: RuntimeDep,
    background: BackgroundTasks,
) -> Response:
    body = BoardActionIn(reason=text(form, "reason", 2000), version=_version(form))
    return await _board(
        request,
        visitor,
        rt,
        background,
        cluster_id,
        year,
        Action.RETURN,
        body,
        "Đã trả lại Tờ trình cho Cụm.",
    )


@router.post(BASE + "/vao-dot", response_model=None)
async def enter_round(
    request: Request,
    cluster_id: int,
    year: int,
    visitor: VisitorDep,
    form: CheckedForm,
    rt: RuntimeDep,
) -> Response:
    raw = text(form, "round_id", 20).strip()
    round_id = int(raw) if raw.isdigit() else 0
    version = _version(form)

    def work() -> None:
        with rt.db.write() as s:
            service.enter_round(s, visitor.user, visitor.actor, cluster_id, year, round_id, version)

    return await _change(
        request,
        visitor,
        rt,
        cluster_id,
        year,
        work,
        "Đã đưa các hồ sơ đã duyệt vào đợt xét khen thưởng.",
    )
