"""The cluster's year page: its registrations section (who registered, who is late, who
has not), the member's registration form (/cum-thi-dua/{id}/{year}/dang-ky) and the
board's table of every cluster (/cum-thi-dua/dang-ky?nam=). Changes go through the API's
use cases (api/clusters/registration_service.py)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from api.clusters import registration_service as service
from api.clusters.score_schemas import RegistrationIn, RegistrationItemIn
from api.clusters.service import YearContext, load_year
from api.deps import RuntimeDep
from api.web.forms import text
from api.web.pages import WebRoute, redirect, render
from api.web.session import CheckedForm, Visitor, VisitorDep, set_flash
from domain import cluster_scores as rules
from domain.awards import NomineeKind
from domain.errors import DomainError, NotFound
from storage import cluster_scores as store

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def section(s: Session, ctx: YearContext, visitor: Visitor) -> dict[str, Any]:
    """What the year page's registrations section shows (cluster_year/_registrations.html)."""
    out = service.registrations_out(s, visitor.actor, ctx)
    return {
        "out": out,
        "sees_all": service.sees_all(ctx, visitor.actor),
        "mine": sorted(ctx.access.member_units),
        "labels": {k.code: k.name for k in rules.REGISTRABLE},
    }


def _unit_of(ctx: YearContext, don_vi: int | None) -> int:
    mine = sorted(ctx.access.member_units)
    if don_vi in mine:
        return int(don_vi or 0)
    if don_vi is None and mine:
        return mine[0]
    ctx.require_member(don_vi or 0)
    return 0


@router.get("/cum-thi-dua/{cluster_id:int}/{year:int}/dang-ky", response_class=HTMLResponse)
def registration_form(
    request: Request,
    cluster_id: int,
    year: int,
    visitor: VisitorDep,
    rt: RuntimeDep,
    don_vi: Annotated[int | None, Query()] = None,
) -> HTMLResponse:
    with rt.db.read() as s:
        ctx = load_year(s, visitor.actor, cluster_id, year)
        unit_id = _unit_of(ctx, don_vi)
        out = service.registrations_out(s, visitor.actor, ctx)
        reg = next(r for r in out.registrations if r.unit_id == unit_id)
        people = [(p.id, p.full_name, p.position) for p in store.people_of_unit(s, unit_id)]
    return render(
        request,
        "cluster_registration_form.html",
        visitor,
        ctx=ctx,
        out=out,
        reg=reg,
        people=people,
        collective=rules.COLLECTIVE_TITLES,
        individual=rules.INDIVIDUAL_TITLES,
        chosen={i.award for i in reg.items if i.kind == NomineeKind.COLLECTIVE},
        counts={i.award: i.count for i in reg.items if i.count is not None},
        named={(i.award, i.person_id) for i in reg.items if i.person_id is not None},
        closed=out.deadline_passed and reg.state == rules.RegistrationState.ON_TIME,
    )


def _items(form: CheckedForm) -> list[RegistrationItemIn]:
    items = []
    codes = {k.code for k in rules.COLLECTIVE_TITLES}
    for code in form.getlist("tap_the"):
        if isinstance(code, str) and code in codes:
            items.append(RegistrationItemIn(kind=NomineeKind.COLLECTIVE, award=code))
    for k in rules.INDIVIDUAL_TITLES:
        for raw in form.getlist(f"nguoi_{k.code}"):
            if isinstance(raw, str) and raw.isdigit():
                items.append(
                    RegistrationItemIn(
                        kind=NomineeKind.INDIVIDUAL, award=k.code, person_id=int(raw)
                    )
                )
        count = text(form, f"so_{k.code}", 10).strip()
        if count:
            items.append(
                RegistrationItemIn(
                    kind=NomineeKind.INDIVIDUAL,
                    award=k.code,
                    count=int(count) if count.isdigit() else -1,
                )
            )
    return items


@router.post("/cum-thi-dua/{cluster_id:int}/{year:int}/dang-ky", response_model=None)
async def register(
    request: Request,
    cluster_id: int,
    year: int,
    visitor: VisitorDep,
    form: CheckedForm,
    rt: RuntimeDep,
) -> Response:
    raw_unit = text(form, "unit_id", 20)
    unit_id = int(raw_unit) if raw_unit.isdigit() else 0
    version = text(form, "version", 20)
    back = f"/cum-thi-dua/{cluster_id}/{year}/dang-ky?don_vi={unit_id}"
    try:
        body = RegistrationIn(
            items=_items(form),
            note=text(form, "note", 4000),
            version=int(version) if version.isdigit() else None,
        )
    except ValidationError:
        response = redirect(back)
        set_flash(response, "Dữ liệu đăng ký không hợp lệ.")
        return response

    def work() -> None:
        with rt.db.write() as s:
            ctx = load_year(s, visitor.actor, cluster_id, year)
            service.register(s, visitor.user, visitor.actor, ctx, unit_id, body)

    try:
        await run_in_threadpool(work)
    except NotFound:
        raise
    except DomainError as e:
        response = redirect(back)
        set_flash(response, e.message)
        return response
    response = redirect(f"/cum-thi-dua/{cluster_id}/{year}#dang-ky")
    set_flash(response, "Đã gửi bản đăng ký thi đua.")
    return response


@router.get("/cum-thi-dua/dang-ky", response_class=HTMLResponse)
def board_registrations(
    request: Request,
    visitor: VisitorDep,
    rt: RuntimeDep,
    nam: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> HTMLResponse:
    year = nam or date.today().year
    with rt.db.read() as s:
        clusters = service.board_registrations(s, visitor.actor, year)
    return render(
        request,
        "cluster_registrations_board.html",
        visitor,
        clusters=clusters,
        year=year,
    )
