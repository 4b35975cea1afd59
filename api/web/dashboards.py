"""The dashboards' pages (thống kê): `/thong-ke` (dossiers by status and step, awards by
kind and year, collectives and individuals, women's and ethnic minorities' shares, units
with no proposal) and `/thong-ke/thoi-gian-xu-ly` (waiting time of each step), for the
board, a cluster's head unit and a unit, each over what its scope covers. Every chart is
an SVG drawn on the server beside its table; each table downloads as XLSX, recorded in
the audit chain like a download. The numbers are the API's (api/dashboards/service.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.dashboards import charts, service, xlsx
from api.deps import RuntimeDep
from api.web.pages import WebRoute, render
from api.web.session import Visitor, VisitorDep
from domain.errors import InvalidInput
from issuing.runtime import Runtime

router = APIRouter(route_class=WebRoute, include_in_schema=False)

PAGES = {service.OVERVIEW: "/thong-ke", service.WAITING: "/thong-ke/thoi-gian-xu-ly"}


def _year(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        return None  # service.check_year chooses
    if not raw.isdigit() or len(raw) != 4:
        raise InvalidInput("Năm gồm 4 chữ số, ví dụ 2025.", code="year_invalid")
    return int(raw)


def _page(
    request: Request, visitor: Visitor, rt: Runtime, board: str, nam: str | None
) -> HTMLResponse:
    asked = _year(nam)
    with rt.db.read() as s:
        year = service.check_year(s, asked)
        found = service.build(s, visitor.actor, board, year, rt.settings.stats_min_group)
    sections = [(t, charts.chart_svg(t)) for t in found.tables]
    return render(
        request,
        "dashboard.html",
        visitor,
        d=found,
        sections=sections,
        pages=PAGES,
        here=PAGES[board],
    )


@router.get("/thong-ke", response_class=HTMLResponse)
def overview_page(
    request: Request,
    visitor: VisitorDep,
    rt: RuntimeDep,
    nam: Annotated[str | None, Query(max_length=4)] = None,
) -> HTMLResponse:
    return _page(request, visitor, rt, service.OVERVIEW, nam)


@router.get("/thong-ke/thoi-gian-xu-ly", response_class=HTMLResponse)
def waiting_page(
    request: Request,
    visitor: VisitorDep,
    rt: RuntimeDep,
    nam: Annotated[str | None, Query(max_length=4)] = None,
) -> HTMLResponse:
    return _page(request, visitor, rt, service.WAITING, nam)


@router.get("/thong-ke/tai-xlsx")
def export(
    visitor: VisitorDep,
    rt: RuntimeDep,
    trang: Annotated[str, Query(max_length=32)],
    bang: Annotated[str | None, Query(max_length=64)] = None,
    nam: Annotated[str | None, Query(max_length=4)] = None,
) -> Response:
    asked = _year(nam)
    with rt.db.read() as s:
        year = service.check_year(s, asked)
        found = service.build(s, visitor.actor, trang, year, rt.settings.stats_min_group)
    tables = service.pick_tables(found, bang)
    body = xlsx.workbook(found, tables)
    service.record_export(
        rt.db, user_id=visitor.caller.user.id, dashboard=found, table=bang, body=body
    )
    return Response(
        body,
        media_type=xlsx.MEDIA_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="{xlsx.file_name(found, bang)}"',
            "Cache-Control": "no-store",
        },
    )
