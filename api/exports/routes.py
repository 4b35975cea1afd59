"""Exports of the lists over the API: `GET /api/v1/exports/{dossiers|nominees|registry|
rounds|decisions|meetings|people|inbox}`
with `format=xlsx|csv` and the list's own filters (the same names and checks as
`GET /api/v1/dossiers` and `GET /api/v1/registry`). Thin: api/exports/service.py."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from api.deps import CurrentReader, RuntimeDep
from api.exports import service
from api.exports.lists import (
    DECISION_AWARDS,
    DECISIONS,
    DOSSIERS,
    HISTORY,
    INBOX,
    MEETINGS,
    NOMINEES,
    PEOPLE,
    REGISTRY,
    ROUNDS,
    DecisionFilter,
    HistoryFilter,
    InboxFilter,
    NoFilter,
    PeopleFilter,
    RoundsFilter,
)
from domain.process import Status
from storage.registry import SearchFilter
from storage.repositories.dossiers import DossierFilter

router = APIRouter(prefix="/api/v1/exports", tags=["exports"])

Format = Annotated[str, Query(max_length=8, description="xlsx | csv")]
FILE: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
            "text/csv": {},
        },
        "description": "The list as XLSX, or as CSV in UTF-8 with a BOM; `X-Export-Rows`: rows",
    }
}


def _dossier_filter(
    status: Status | None,
    year: int | None,
    award: str | None,
    unit_id: int | None,
    cluster_id: int | None,
    q: str | None,
) -> DossierFilter:
    return DossierFilter(
        status=status, year=year, award=award, unit_id=unit_id, cluster_id=cluster_id, q=q
    )


@router.get("/dossiers", response_class=StreamingResponse, responses=FILE)
async def export_dossiers(
    caller: CurrentReader,
    rt: RuntimeDep,
    format: Format = "xlsx",
    status: Annotated[Status | None, Query()] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    award: Annotated[str | None, Query(max_length=64)] = None,
    unit_id: Annotated[int | None, Query(ge=1)] = None,
    cluster_id: Annotated[int | None, Query(ge=1)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> StreamingResponse:
    """The dossiers `GET /api/v1/dossiers` lists the caller with these filters, all of
    them (not a page), most recently changed first. Recorded in the history
    (`list_exported`). 422 `export_format_invalid`, `export_too_large`."""
    f = _dossier_filter(status, year, award, unit_id, cluster_id, q)
    return await run_in_threadpool(service.export, rt, caller, DOSSIERS.name, format, f)


@router.get("/nominees", response_class=StreamingResponse, responses=FILE)
async def export_nominees(
    caller: CurrentReader,
    rt: RuntimeDep,
    format: Format = "xlsx",
    status: Annotated[Status | None, Query()] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    award: Annotated[str | None, Query(max_length=64)] = None,
    unit_id: Annotated[int | None, Query(ge=1)] = None,
    cluster_id: Annotated[int | None, Query(ge=1)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> StreamingResponse:
    """The collectives and individuals proposed in those dossiers, a row each. Date of
    birth, identity number and ethnicity only where the caller may read them on the
    dossier (its unit; the board once it reached the board; auditors); for a caller who
    reads them nowhere (a cluster), not even the columns."""
    f = _dossier_filter(status, year, award, unit_id, cluster_id, q)
    return await run_in_threadpool(service.export, rt, caller, NOMINEES.name, format, f)


@router.get("/registry", response_class=StreamingResponse, responses=FILE)
async def export_registry(
    caller: CurrentReader,
    rt: RuntimeDep,
    format: Format = "xlsx",
    q: Annotated[str | None, Query(max_length=200)] = None,
    unit_id: Annotated[int | None, Query()] = None,
    award: Annotated[str | None, Query(max_length=64)] = None,
    year: Annotated[int | None, Query(ge=1900, le=2200)] = None,
    decision_number: Annotated[str | None, Query(max_length=64)] = None,
) -> StreamingResponse:
    """Every award record `GET /api/v1/registry` finds with these filters (not a page),
    newest year first; a unit's people only their unit's (403 `registry_other_unit`)."""
    f = SearchFilter(q=q, unit_id=unit_id, award=award, year=year, decision_number=decision_number)
    return await run_in_threadpool(service.export, rt, caller, REGISTRY.name, format, f)


@router.get("/decisions/{decision_id}/awards", response_class=StreamingResponse, responses=FILE)
async def export_decision_awards(
    decision_id: int, caller: CurrentReader, rt: RuntimeDep, format: Format = "xlsx"
) -> StreamingResponse:
    """A decision's list of collectives and individuals as its page shows it (result,
    prize money, the certificate's number in the book, corrections and revocations);
    404 `decision_not_found` to whoever may not see the decision. Recorded in the
    decision's history too."""
    f = DecisionFilter(decision_id)
    return await run_in_threadpool(service.export, rt, caller, DECISION_AWARDS.name, format, f)


@router.get("/dossiers/{dossier_id}/history", response_class=StreamingResponse, responses=FILE)
async def export_history(
    dossier_id: int,
    caller: CurrentReader,
    rt: RuntimeDep,
    format: Format = "xlsx",
    include_reads: bool = False,
) -> StreamingResponse:
    """A dossier's history as `GET /api/v1/dossiers/{id}/history` lists it, as a table
    (the auditor's JSON and sealed PDF stay `…/history/export`); `include_reads` for
    auditors only (403 `forbidden_action`)."""
    f = HistoryFilter(dossier_id, include_reads)
    return await run_in_threadpool(service.export, rt, caller, HISTORY.name, format, f)


@router.get("/rounds", response_class=StreamingResponse, responses=FILE)
async def export_rounds(
    caller: CurrentReader,
    rt: RuntimeDep,
    format: Format = "xlsx",
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> StreamingResponse:
    """The rounds of awards `GET /api/v1/rounds` lists the caller (of `year`, or all)."""
    f = RoundsFilter(year)
    return await run_in_threadpool(service.export, rt, caller, ROUNDS.name, format, f)


@router.get("/decisions", response_class=StreamingResponse, responses=FILE)
async def export_decisions(
    caller: CurrentReader, rt: RuntimeDep, format: Format = "xlsx"
) -> StreamingResponse:
    """The award decisions `GET /api/v1/decisions` lists the caller, with «Chờ bạn»."""
    f = NoFilter()
    return await run_in_threadpool(service.export, rt, caller, DECISIONS.name, format, f)


@router.get("/meetings", response_class=StreamingResponse, responses=FILE)
async def export_meetings(
    caller: CurrentReader, rt: RuntimeDep, format: Format = "xlsx"
) -> StreamingResponse:
    """The council's meetings `GET /api/v1/meetings` lists the caller."""
    f = NoFilter()
    return await run_in_threadpool(service.export, rt, caller, MEETINGS.name, format, f)


@router.get("/people", response_class=StreamingResponse, responses=FILE)
async def export_people(
    caller: CurrentReader,
    rt: RuntimeDep,
    format: Format = "xlsx",
    q: Annotated[str | None, Query(max_length=200)] = None,
    unit_id: Annotated[int | None, Query()] = None,
) -> StreamingResponse:
    """The people and collectives `GET /api/v1/people` and `GET /api/v1/collectives`
    list the caller with these filters; no identity number, date of birth or ethnicity
    (a list is not where they are read: a person's own record is)."""
    f = PeopleFilter(q, unit_id)
    return await run_in_threadpool(service.export, rt, caller, PEOPLE.name, format, f)


@router.get("/inbox", response_class=StreamingResponse, responses=FILE)
async def export_inbox(
    caller: CurrentReader,
    rt: RuntimeDep,
    format: Format = "xlsx",
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> StreamingResponse:
    """Every dossier `GET /api/v1/dossiers/inbox` finds waiting for the caller (not a
    page), the nearest deadline first, with its deadline."""
    f = InboxFilter((q or "").strip() or None)
    return await run_in_threadpool(service.export, rt, caller, INBOX.name, format, f)
