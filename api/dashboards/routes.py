"""Dashboard endpoints: `GET /api/v1/dashboards/{overview|waiting-times}` as JSON (the
tables) or, with `?format=xlsx`, as a workbook (one table with `table=KEY`, else all),
recorded in the audit chain before it is sent; each table's chart as SVG."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from api.dashboards import charts, service, xlsx
from api.dashboards.tables import Dashboard
from api.deps import CurrentReader, ReadSession, RuntimeDep
from domain.errors import NotFound

router = APIRouter(prefix="/api/v1/dashboards", tags=["dashboards"])

YearQuery = Annotated[int | None, Query(description="Năm thống kê (mặc định: năm nay)")]


@router.get("/{board}", response_model=Dashboard)
def dashboard(
    board: str,
    caller: CurrentReader,
    s: ReadSession,
    rt: RuntimeDep,
    year: YearQuery = None,
    format: Literal["json", "xlsx"] = "json",
    table: Annotated[str | None, Query(max_length=64)] = None,
) -> Dashboard | Response:
    found = service.build(
        s, caller.actor, board, service.check_year(s, year), rt.settings.stats_min_group
    )
    if format == "json":
        return found
    tables = service.pick_tables(found, table)
    body = xlsx.workbook(found, tables)
    service.record_export(rt.db, user_id=caller.user.id, dashboard=found, table=table, body=body)
    name = xlsx.file_name(found, table)
    return Response(
        body,
        media_type=xlsx.MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/{board}/charts/{table}.svg")
def chart(
    board: str,
    table: str,
    caller: CurrentReader,
    s: ReadSession,
    rt: RuntimeDep,
    year: YearQuery = None,
) -> Response:
    found = service.build(
        s, caller.actor, board, service.check_year(s, year), rt.settings.stats_min_group
    )
    svg = charts.chart_svg(service.pick_tables(found, table)[0])
    if svg is None:
        raise NotFound("Bảng này không có biểu đồ hoặc chưa có số liệu.", code="chart_empty")
    return Response(
        '<?xml version="1.0" encoding="utf-8"?>\n' + svg,
        media_type="image/svg+xml",
        headers={"Cache-Control": "no-store"},
    )
