"""Round pages (đợt xét khen thưởng): the board's list of rounds and a new one, a round
with its dossiers, the approved dossiers that may join it, and the list of every nominee.

Every change goes through the API's own use cases (api/rounds/service.py): the same rules,
the same audit events, the same refusals, shown next to what they are about."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from api.deps import RuntimeDep
from api.rounds import service
from api.rounds.schemas import RoundCreate
from api.web.forms import text
from api.web.pages import WebRoute, redirect, render
from api.web.session import CheckedForm, Visitor, VisitorDep, set_flash
from domain import rounds as rules
from domain.awards import AWARDS
from domain.errors import DomainError, NotFound
from domain.rounds import ROUND_KIND_LABELS
from issuing.runtime import Runtime
from storage import rounds as store
from storage.models import utcnow

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def _list_page(
    request: Request,
    visitor: Visitor,
    rt: Runtime,
    *,
    year: int | None = None,
    status_code: int = 200,
    typed: dict[str, Any] | None = None,
    error: dict[str, str] | None = None,
) -> HTMLResponse:
    with rt.db.read() as s:
        rows = service.list_rounds(s, visitor.actor, year=year)
    composer = any(g.role == rules.COMPOSER for g in visitor.actor.grants)
    return render(
        request,
        "rounds.html",
        visitor,
        status_code=status_code,
        rows=rows,
        composer=composer,
        year=year,
        this_year=utcnow().year,
        kinds=ROUND_KIND_LABELS,
        typed=typed or {"year": str(utcnow().year), "kind": "thuong_xuyen"},
        errors={error["field"]: error["message"]} if error else {},
    )


@router.get("/dot-xet", response_class=HTMLResponse)
def rounds_page(
    request: Request,
    visitor: VisitorDep,
    rt: RuntimeDep,
    nam: Annotated[str | None, Query(max_length=4)] = None,
) -> HTMLResponse:
    return _list_page(request, visitor, rt, year=int(nam) if nam and nam.isdigit() else None)


FIELD_OF_CODE = {
    "round_name_required": "name",
    "round_name_too_long": "name",
    "round_awards_required": "awards",
    "round_award_unknown": "awards",
}


@router.post("/dot-xet", response_model=None)
async def create_round(
    request: Request, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep
) -> Response:
    year = text(form, "year", 10).strip()
    awards = [a for a in form.getlist("awards") if isinstance(a, str)][:20]
    typed: dict[str, Any] = {
        "name": text(form, "name", 1000),
        "year": year,
        "kind": text(form, "kind", 32),
        "awards": awards,
    }
    try:
        body = RoundCreate.model_validate(
            {**typed, "year": int(year) if year.isdigit() else 0}, strict=False
        )
    except ValidationError as e:
        where = str(e.errors()[0]["loc"][0]) if e.errors() and e.errors()[0]["loc"] else "name"
        message = {
            "year": "Năm gồm 4 chữ số, ví dụ 2026.",
            "kind": "Hãy chọn loại đợt.",
            "awards": "Hãy chọn hình thức khen thưởng.",
        }.get(where, "Giá trị không hợp lệ.")
        return await run_in_threadpool(
            _list_page,
            request,
            visitor,
            rt,
            status_code=422,
            typed=typed,
            error={"field": where, "message": message},
        )

    def create() -> int:
        with rt.db.write() as s:
            return service.create(s, visitor.user, visitor.actor, body).id

    try:
        round_id = await run_in_threadpool(create)
    except DomainError as e:
        return await run_in_threadpool(
            _list_page,
            request,
            visitor,
            rt,
            status_code=e.status,
            typed=typed,
            error={"field": FIELD_OF_CODE.get(e.code, "name"), "message": e.message},
        )
    response = redirect(f"/dot-xet/{round_id}")
    set_flash(response, "Đã lập đợt xét khen thưởng. Hãy chọn các hồ sơ đưa vào đợt.")
    return response


def _round_page(
    request: Request,
    visitor: Visitor,
    rt: Runtime,
    round_id: int,
    *,
    status_code: int = 200,
    error: str = "",
    checked: frozenset[int] = frozenset(),
) -> HTMLResponse:
    with rt.db.read() as s:
        r = service.visible_round(s, visitor.actor, round_id)
        out = service.round_out(s, visitor.actor, r)
        events = service.history(s, visitor.actor, round_id)
        addable = (
            store.candidates(s, r.authority_id, r.award_codes) if out.can_edit_dossiers else []
        )
    groups: list[dict[str, Any]] = []
    for code, name in zip(out.awards, out.award_names, strict=True):
        mine = [n for n in out.nominee_list if n.award == code]
        if mine:
            groups.append(
                {
                    "name": name,
                    "collectives": [n for n in mine if n.kind == "collective"],
                    "individuals": [n for n in mine if n.kind != "collective"],
                }
            )
    return render(
        request,
        "round.html",
        visitor,
        status_code=status_code,
        r=out,
        groups=groups,
        addable=addable,
        error=error,
        checked=checked,
        events=events,
        AWARDS=AWARDS,
    )


@router.get("/dot-xet/{round_id:int}", response_class=HTMLResponse)
def round_page(
    request: Request, round_id: int, visitor: VisitorDep, rt: RuntimeDep
) -> HTMLResponse:
    return _round_page(request, visitor, rt, round_id)


async def _change(
    request: Request,
    visitor: Visitor,
    rt: Runtime,
    round_id: int,
    work: Callable[[], None],
    done: str,
    checked: frozenset[int] = frozenset(),
) -> Response:
    """Run one of the API's use cases on the round: on success back to the round with
    `done`; a refusal shown on the round's page (what was ticked stays ticked, but for a
    dossier not found); a round not found is the not-found page."""
    try:
        await run_in_threadpool(work)
    except DomainError as e:
        if e.code == "round_not_found":
            raise
        keep = frozenset() if isinstance(e, NotFound) else checked
        return await run_in_threadpool(
            _round_page,
            request,
            visitor,
            rt,
            round_id,
            status_code=e.status,
            error=e.message,
            checked=keep,
        )
    response = redirect(f"/dot-xet/{round_id}")
    set_flash(response, done)
    return response


def _version(form: Any) -> int | None:
    raw = text(form, "version").strip()
    return int(raw) if raw.isdigit() else None


@router.post("/dot-xet/{round_id:int}/ho-so", response_model=None)
async def add_dossiers(
    request: Request, round_id: int, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep
) -> Response:
    ids = [int(v) for v in form.getlist("dossier_ids") if isinstance(v, str) and v.isdigit()][:500]
    if not ids:
        return await run_in_threadpool(
            _round_page,
            request,
            visitor,
            rt,
            round_id,
            status_code=422,
            error="Hãy chọn ít nhất một hồ sơ để đưa vào đợt.",
        )

    def add() -> None:
        with rt.db.write() as s:
            service.add_dossiers(s, visitor.user, visitor.actor, round_id, ids, _version(form))

    return await _change(
        request, visitor, rt, round_id, add, f"Đã đưa {len(ids)} hồ sơ vào đợt.", frozenset(ids)
    )


@router.post("/dot-xet/{round_id:int}/ho-so/{dossier_id:int}/bo-ra", response_model=None)
async def remove_dossier(
    request: Request,
    round_id: int,
    dossier_id: int,
    visitor: VisitorDep,
    form: CheckedForm,
    rt: RuntimeDep,
) -> Response:
    def remove() -> None:
        with rt.db.write() as s:
            service.remove_dossier(
                s, visitor.user, visitor.actor, round_id, dossier_id, _version(form)
            )

    return await _change(
        request, visitor, rt, round_id, remove, f"Đã bỏ hồ sơ số {dossier_id} ra khỏi đợt."
    )
