"""The registry's pages: search (tra cứu khen thưởng) for the board, auditors and units
(a unit: its own records), and the import of past awards (upload, the progress bar while
the rows are checked, the preview of every problem, accept / accept only the clean rows /
discard). Every change goes through the API's own use cases (api/registry/service.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from api.deps import RuntimeDep
from api.exports import service as exports
from api.exports.lists import REGISTRY
from api.registry import service
from api.registry.routes import WEB_IMPORT_PATH
from api.web.pages import WebRoute, redirect, render
from api.web.session import CheckedForm, VisitorDep, set_flash
from domain import registry_import as rules
from domain.errors import DomainError, Forbidden, NotFound, PayloadTooLarge
from domain.registry import CATALOGUE
from domain.roles import Actor
from storage.registry import PAGE_SIZE, SearchFilter
from storage.repositories import org as org_repo

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def _int(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


@router.get("/tra-cuu-khen-thuong", response_class=HTMLResponse)
def search_page(
    request: Request,
    visitor: VisitorDep,
    rt: RuntimeDep,
    q: Annotated[str | None, Query(max_length=200)] = None,
    unit: Annotated[str | None, Query(alias="don-vi", max_length=12)] = None,
    award: Annotated[str | None, Query(alias="khen-thuong", max_length=64)] = None,
    year: Annotated[str | None, Query(alias="nam", max_length=4)] = None,
    number: Annotated[str | None, Query(alias="so-quyet-dinh", max_length=64)] = None,
    page: Annotated[int, Query(alias="trang", ge=1, le=10_000)] = 1,
) -> HTMLResponse:
    scope = rules.registry_scope(visitor.actor)
    f = _filter(scope, q, unit, award, year, number)
    searched = any(v is not None for v in (f.q, f.unit_id, f.award, f.year, f.decision_number))
    with rt.db.read() as s:
        result = service.search(s, visitor.actor, f, page) if searched else None
        units = [u for u in org_repo.all_units(s) if scope.all_units or u.id in scope.unit_ids]
    total = result.total if result else 0
    query = {
        k: v
        for k, v in (
            ("q", q),
            ("don-vi", unit),
            ("khen-thuong", award),
            ("nam", year),
            ("so-quyet-dinh", number),
        )
        if v
    }
    return render(
        request,
        "registry_search.html",
        visitor,
        f=f,
        result=result,
        rows=result.items if result else [],
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        query=query,
        units=units,
        wide=scope.all_units,
        catalogue=CATALOGUE,
        may_import=_may_import(visitor.actor),
    )


def _filter(
    scope: rules.RegistryScope,
    q: str | None,
    unit: str | None,
    award: str | None,
    year: str | None,
    number: str | None,
) -> SearchFilter:
    """The search's filter from the page's address (another unit's `don-vi` left out
    for a unit): the page and its exports read it alike."""
    f = SearchFilter(
        q=q or None,
        unit_id=_int(unit),
        award=award or None,
        year=_int(year),
        decision_number=(number or "").strip() or None,
    )
    if f.unit_id is not None and not scope.all_units and f.unit_id not in scope.unit_ids:
        f = SearchFilter(q=f.q, award=f.award, year=f.year, decision_number=f.decision_number)
    return f


@router.get("/tra-cuu-khen-thuong/xuat", response_model=None)
def export_search(
    visitor: VisitorDep,
    rt: RuntimeDep,
    fmt: Annotated[str | None, Query(alias="dinh-dang", max_length=8)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    unit: Annotated[str | None, Query(alias="don-vi", max_length=12)] = None,
    award: Annotated[str | None, Query(alias="khen-thuong", max_length=64)] = None,
    year: Annotated[str | None, Query(alias="nam", max_length=4)] = None,
    number: Annotated[str | None, Query(alias="so-quyet-dinh", max_length=64)] = None,
) -> Response:
    """«Xuất Excel» / «Xuất CSV» of what the search found (every page of it)."""
    f = _filter(rules.registry_scope(visitor.actor), q, unit, award, year, number)
    return exports.export(rt, visitor.caller, REGISTRY.name, fmt, f)


def _may_import(actor: Actor) -> bool:
    try:
        rules.import_unit(actor)
    except Forbidden:
        return False
    return True


@router.get("/tra-cuu-khen-thuong/nhap", response_class=HTMLResponse)
def import_page(request: Request, visitor: VisitorDep) -> HTMLResponse:
    rules.import_unit(visitor.actor)
    return render(request, "registry_import.html", visitor, imp=None, error=None)


@router.post(WEB_IMPORT_PATH, response_model=None)
async def upload(
    request: Request,
    visitor: VisitorDep,
    form: CheckedForm,
    rt: RuntimeDep,
    background: BackgroundTasks,
) -> Response:
    file = form.get("file")
    limit = rt.settings.max_import_bytes
    try:
        if not isinstance(file, UploadFile) or not file.filename:
            raise DomainError("Hãy chọn tệp .xlsx hoặc .csv theo tệp mẫu.", code="file_required")
        data = await file.read(limit + 1)
        if len(data) > limit:
            raise PayloadTooLarge("Tệp quá lớn để nhập một lần: hãy chia nhỏ.")
        import_id = await run_in_threadpool(service.upload, rt, visitor.caller, file.filename, data)
    except DomainError as e:
        if isinstance(e, Forbidden):
            raise
        return render(
            request,
            "registry_import.html",
            visitor,
            status_code=e.status,
            imp=None,
            error={"message": e.message, "code": e.code},
        )
    background.add_task(service.check, rt, import_id)
    return redirect(f"{WEB_IMPORT_PATH}/{import_id}")


@router.get(WEB_IMPORT_PATH + "/{import_id:int}", response_class=HTMLResponse)
def import_status(
    request: Request,
    import_id: int,
    visitor: VisitorDep,
    rt: RuntimeDep,
    page: Annotated[int, Query(alias="trang", ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    with rt.db.read() as s:
        imp = service.get_import(s, visitor.actor, import_id, page)
    pages = max(1, -(-imp.problems_total // service.PROBLEMS_PAGE))
    return render(
        request,
        "registry_import.html",
        visitor,
        imp=imp,
        error=None,
        page=page,
        pages=pages,
        query={},
    )


@router.post(WEB_IMPORT_PATH + "/{import_id:int}/{what}", response_model=None)
async def finish(
    request: Request,
    import_id: int,
    what: str,
    visitor: VisitorDep,
    form: CheckedForm,
    rt: RuntimeDep,
) -> Response:
    if what not in ("ghi", "ghi-dong-sach", "huy"):
        raise NotFound()
    try:
        if what == "huy":
            await run_in_threadpool(service.discard, rt, visitor.caller, import_id)
            message = "Đã huỷ tệp nhập: không có gì được ghi vào sổ."
        else:
            out = await run_in_threadpool(
                service.accept, rt, visitor.caller, import_id, what == "ghi-dong-sach"
            )
            message = f"Đã ghi {out.rows_written} khen thưởng vào sổ."
    except DomainError as e:
        if isinstance(e, NotFound):
            raise
        message = e.message
    response = redirect(f"{WEB_IMPORT_PATH}/{import_id}")
    set_flash(response, message)
    return response
