"""The administrator's page of the working calendar (/quan-tri/lich-lam-viec): a year's
days off and make-up working days as every deadline counts them — the statutory ones
(the `holidays` package) and those the government or the province announced (nghỉ bù,
làm bù), which the administrator enters and removes here. The rules and the audit events
are `api.calendar.service`'s."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.admin import service as admin_service
from api.calendar import service
from api.deps import RuntimeDep
from api.web.forms import text
from api.web.pages import WebRoute, redirect, render
from api.web.session import CheckedForm, Visitor, VisitorDep, set_flash
from documents.vn import today_vn
from domain.errors import DomainError
from issuing.runtime import Runtime

router = APIRouter(prefix="/quan-tri", route_class=WebRoute, include_in_schema=False)

PAGE = "/quan-tri/lich-lam-viec"
KIND_LABELS = {"off": "Ngày nghỉ", "work": "Ngày làm bù"}
WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


def _page(
    request: Request,
    visitor: Visitor,
    rt: Runtime,
    year: int,
    *,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    sent: dict[str, str] | None = None,
) -> HTMLResponse:
    with rt.db.read() as s:
        out = service.calendar_of(s, year)
    return render(
        request,
        "admin_calendar.html",
        visitor,
        status_code=status_code,
        year=year,
        cal=out,
        weekdays=WEEKDAYS,
        kind_labels=KIND_LABELS,
        errors=errors or {},
        sent=sent or {"kind": "off"},
    )


@router.get("/lich-lam-viec", response_class=HTMLResponse)
def calendar_page(
    request: Request,
    visitor: VisitorDep,
    rt: RuntimeDep,
    nam: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> HTMLResponse:
    admin_service.require_admin(visitor.actor)
    return _page(request, visitor, rt, nam or today_vn().year)


def _day(raw: str) -> date | None:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(raw.strip(), fmt).date()
        except ValueError:
            continue
    return None


@router.post("/lich-lam-viec", response_model=None)
def enter_day(request: Request, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep) -> Response:
    admin_service.require_admin(visitor.actor)
    sent: dict[str, Any] = {
        "day": text(form, "day", 20),
        "kind": text(form, "kind", 8),
        "note": text(form, "note", 300),
        "basis": text(form, "basis", 300),
    }
    day = _day(sent["day"])
    year = day.year if day else today_vn().year
    if day is None or not 2000 <= day.year <= 2100:
        errors = {"day": "Hãy nhập ngày (ngày/tháng/năm)."}
        return _page(request, visitor, rt, year, status_code=422, errors=errors, sent=sent)
    try:
        with rt.db.write() as s:
            service.set_day(
                s, visitor.user, visitor.actor, day, sent["kind"], sent["note"], sent["basis"]
            )
    except DomainError as e:
        field = "kind" if e.code == "day_kind" else "_"
        return _page(
            request, visitor, rt, year, status_code=e.status, errors={field: e.message}, sent=sent
        )
    response = redirect(f"{PAGE}?nam={year}")
    label = KIND_LABELS.get(sent["kind"], "").lower()
    set_flash(response, f"Đã ghi ngày {day:%d/%m/%Y} là {label}.")
    return response


@router.post("/lich-lam-viec/{day}/xoa", response_model=None)
def remove_day(
    day: date, request: Request, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep
) -> Response:
    admin_service.require_admin(visitor.actor)
    with rt.db.write() as s:
        service.remove_day(s, visitor.user, visitor.actor, day)
    response = redirect(f"{PAGE}?nam={day.year}")
    set_flash(response, f"Đã bỏ ngày {day:%d/%m/%Y} khỏi lịch do quản trị nhập.")
    return response
