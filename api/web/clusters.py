"""Cụm thi đua pages: the clusters the visitor may see (the board: every cluster of its
authority, at a glance; a member unit's people and the head units: their own), and one
cluster's year, whose sections (plan, covenant, registrations, scores, reviews) are filled
by their own modules (api/web/cluster_*.py)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.clusters import service
from api.clusters.progress import progress_out
from api.deps import RuntimeDep
from api.web import (
    cluster_covenant,
    cluster_plan,
    cluster_proposal,
    cluster_registrations,
    cluster_reviews,
    cluster_scores,
)
from api.web.pages import WebRoute, redirect, render
from api.web.session import VisitorDep
from domain.errors import NotFound
from storage import clusters as store
from storage.models import Cluster, ClusterYear

router = APIRouter(route_class=WebRoute, include_in_schema=False)

SECTIONS = (
    cluster_plan,
    cluster_covenant,
    cluster_registrations,
    cluster_scores,
    cluster_reviews,
    cluster_proposal,
)


@router.get("/cum-thi-dua", response_class=HTMLResponse)
def clusters_page(
    request: Request,
    visitor: VisitorDep,
    rt: RuntimeDep,
    nam: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> HTMLResponse:
    year = nam or date.today().year
    rows: list[dict[str, Any]] = []
    with rt.db.read() as s:
        clusters = s.query(Cluster).order_by(Cluster.id).all()
        for c in clusters:
            if (c.valid_to is not None and c.valid_to <= date(year, 1, 1)) or (
                c.valid_from is not None and c.valid_from > date(year, 12, 31)
            ):
                continue  # dissolved before the year began, or formed after it
            try:
                ctx = service.load_year(s, visitor.actor, c.id, year)
            except NotFound:
                continue
            rows.append({"ctx": ctx, "progress": progress_out(s, ctx)})
    return render(request, "clusters.html", visitor, rows=rows, year=year)


@router.get("/cum-thi-dua/nam/{cluster_year_id:int}", response_model=None)
def year_by_id(cluster_year_id: int, visitor: VisitorDep, rt: RuntimeDep) -> Response:
    """Where a notification about a cluster's year leads (api/notifications.py): the
    year's page, 404 to whoever may not see it."""
    with rt.db.read() as s:
        row = s.get(ClusterYear, cluster_year_id)
        if row is None:
            raise NotFound("Không có năm thi đua này.", code="cluster_year_not_found")
        ctx = service.load_year(s, visitor.actor, row.cluster_id, row.year)
        return redirect(f"/cum-thi-dua/{ctx.cluster.id}/{ctx.year}")


@router.get("/cum-thi-dua/{cluster_id:int}/{year:int}", response_class=HTMLResponse)
def cluster_year_page(
    request: Request, cluster_id: int, year: int, visitor: VisitorDep, rt: RuntimeDep
) -> HTMLResponse:
    with rt.db.read() as s:
        ctx = service.load_year(s, visitor.actor, cluster_id, year)
        parts: dict[str, Any] = {}
        for module in SECTIONS:
            parts[module.__name__.rsplit("_", 1)[1]] = module.section(s, ctx, visitor)
        memberships = store.memberships(s, cluster_id=cluster_id)
        progress = progress_out(s, ctx)
    mine = [m for m in progress.members if m.unit_id in ctx.access.member_units]
    return render(
        request,
        "cluster_year.html",
        visitor,
        ctx=ctx,
        parts=parts,
        memberships=memberships,
        progress=progress,
        mine=mine,
    )
