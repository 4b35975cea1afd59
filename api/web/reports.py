"""The statistics reports' pages (/bao-cao): the forms in force for a year (legal basis,
dates, where their layout comes from), a scope picker (the board: the province, a
cluster, a unit; a cluster's head: its cluster; a unit: itself), XLSX and PDF downloads
(recorded), and the board's entry page for what the database does not hold. The rules
and audit events are api/reports/service.py's and issuing/reports/'s."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import RuntimeDep
from api.reports import service
from api.web.forms import text
from api.web.pages import WebRoute, redirect, render
from api.web.session import CheckedForm, VisitorDep, set_flash
from documents.vn import today_vn
from domain import report_forms as rf
from domain.errors import DomainError, Forbidden
from issuing.reports import build as reports
from storage import reports as store

router = APIRouter(prefix="/bao-cao", route_class=WebRoute, include_in_schema=False)

Year = Annotated[int | None, Query(ge=2000, le=2200)]
ScopeQ = Annotated[str | None, Query(alias="pham-vi", max_length=32)]


def _default_scope(scopes: list[dict[str, str]], asked: str | None) -> str:
    values = [s["value"] for s in scopes]
    if asked in values:
        return str(asked)
    if not values:
        raise Forbidden("Bạn không có phạm vi báo cáo thống kê nào.", code="report_scope_forbidden")
    return values[0]


@router.get("", response_class=HTMLResponse)
def reports_page(
    request: Request, visitor: VisitorDep, rt: RuntimeDep, nam: Year = None, scope: ScopeQ = None
) -> HTMLResponse:
    year = nam or today_vn().year
    with rt.db.read() as s:
        cat = service.catalogue(s, visitor.caller, year)
    chosen = _default_scope(cat["scopes"], scope)
    return render(
        request,
        "reports.html",
        visitor,
        year=year,
        cat=cat,
        scope=chosen,
        may_enter=reports.may_enter(visitor.actor),
        q=lambda **kw: urlencode(kw),
    )


@router.get("/{form}/tai-ve", response_model=None)
async def download(
    form: str,
    visitor: VisitorDep,
    rt: RuntimeDep,
    nam: Annotated[int, Query(ge=2000, le=2200)],
    scope: ScopeQ = None,
    dinh_dang: Annotated[str, Query(alias="dinh-dang", max_length=8)] = "xlsx",
) -> Response:
    data, media, name = await service.download(rt, visitor.caller, form, nam, scope, dinh_dang)
    return Response(
        data, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


def _entry_url(form: str, year: int, scope: str | None) -> str:
    return f"/bao-cao/{form}/nhap?" + urlencode({"nam": year, "pham-vi": scope or "province"})


def _entry_page(
    request: Request,
    visitor: VisitorDep,
    rt: RuntimeDep,
    form: str,
    year: int,
    scope: str | None,
    *,
    sent: dict[str, Any] | None = None,
    error: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    sc = reports.parse_scope(scope)
    with rt.db.read() as s:
        report = reports.build(
            s, visitor.actor, form, year, sc, place=rt.settings.place_name, today=today_vn()
        )
        e = store.entry(s, report.authority_id, report.form.form, year, str(sc))
        saved = service.entries_out(e)
    values = sent if sent is not None else saved
    return render(
        request,
        "report_entry.html",
        visitor,
        status_code=status_code,
        form=report.form,
        report=report,
        year=year,
        scope=str(sc),
        values=values,
        version=saved["version"],
        error=error,
        kinds=rf.CellKind,
        cell_kind=rf.cell_kind,
        may_enter=reports.may_enter(visitor.actor),
        may_issue=bool(visitor.actor.roles() & service.ISSUERS),
        issued_at=e.issued_at if e else None,
    )


@router.get("/{form}/nhap", response_class=HTMLResponse)
def entry_page(
    form: str,
    request: Request,
    visitor: VisitorDep,
    rt: RuntimeDep,
    nam: Year = None,
    scope: ScopeQ = None,
) -> HTMLResponse:
    return _entry_page(request, visitor, rt, form, nam or today_vn().year, scope)


@router.post("/{form}/nhap", response_model=None)
def save_entries(
    form: str,
    request: Request,
    visitor: VisitorDep,
    data: CheckedForm,
    rt: RuntimeDep,
    nam: Annotated[int, Query(ge=2000, le=2200)],
    scope: ScopeQ = None,
) -> Response:
    v = reports.version(form, nam)
    cells = {f"{r}|{c}": text(data, f"cell-{r}|{c}", 12) for r, c in v.entered_cells()}
    body: dict[str, Any] = {
        "cells": cells,
        "signer_title": text(data, "signer_title", 255),
        "signer_name": text(data, "signer_name", 255),
        "preparer_name": text(data, "preparer_name", 255),
    }
    raw_version = text(data, "version", 12)
    body["version"] = int(raw_version) if raw_version.isdigit() else None
    try:
        with rt.db.write() as s:
            service.save(s, visitor.caller, form, nam, scope, body)
    except DomainError as e:
        if e.status == 403:
            raise
        return _entry_page(
            request,
            visitor,
            rt,
            form,
            nam,
            scope,
            sent=body,
            error=e.message,
            status_code=e.status,
        )
    response = redirect(_entry_url(form, nam, scope))
    set_flash(response, f"Đã lưu số liệu nhập tay của biểu {v.form} năm {nam}.")
    return response


@router.post("/{form}/ky", response_model=None)
async def issue_report(
    form: str,
    request: Request,
    visitor: VisitorDep,
    data: CheckedForm,
    rt: RuntimeDep,
    nam: Annotated[int, Query(ge=2000, le=2200)],
    scope: ScopeQ = None,
) -> Response:
    """The board's head signs the report with their PIN; the authority's seal follows."""
    pin = text(data, "signing_pin", 64) or None
    back = _entry_url(form, nam, scope)
    try:
        out = await service.issue_report(rt, visitor.caller, form, nam, scope, pin)
    except DomainError as e:
        if e.status == 403 and e.code == "report_scope_forbidden":
            raise
        response = redirect(back)
        set_flash(response, f"Chưa ký được báo cáo: {e.message}")
        return response
    response = redirect(back)
    set_flash(
        response,
        f"Đã ký và đóng dấu biểu {out['form']} năm {nam} (SHA-256 {out['sha256'][:12]}…).",
    )
    return response


@router.get("/{form}/da-ky", response_model=None)
async def issued(
    form: str,
    visitor: VisitorDep,
    rt: RuntimeDep,
    nam: Annotated[int, Query(ge=2000, le=2200)],
    scope: ScopeQ = None,
) -> Response:
    data, name = await service.issued_pdf(rt, visitor.caller, form, nam, scope)
    return Response(
        data,
        media_type=service.PDF_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
