"""People and collectives of the awards registry: thin wrappers over the service, one
transaction each (a board's or auditor's read of a person's full record adds its own,
committed before the answer)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.concurrency import run_in_threadpool

from api.deps import CurrentReader, CurrentWriter, ReadSession, RuntimeDep, WriteSession
from api.people import service
from api.people.schemas import (
    CollectiveIn,
    CollectiveOut,
    HistoryEntryOut,
    MergeIn,
    PersonIn,
    PersonOut,
    PersonPatch,
    PersonSummary,
    RestrictionIn,
    RestrictionOut,
)

router = APIRouter(prefix="/api/v1", tags=["people"])

Q = Annotated[str | None, Query(max_length=200)]


@router.get("/people", response_model=list[PersonSummary])
def list_people(
    caller: CurrentReader,
    s: ReadSession,
    q: Q = None,
    unit_id: Annotated[int | None, Query()] = None,
) -> list[PersonSummary]:
    """People the caller may list (a unit's clerk and head: the unit's; the board: its
    authority's; auditors: all), at most 50; `q` without diacritics too ("Nguyen Van An"
    finds «Nguyễn Văn An»), names beginning with it first. No personal data."""
    return service.list_people(s, caller.actor, q, unit_id)


@router.post("/people", status_code=201, response_model=PersonOut)
def create_person(
    body: PersonIn, caller: CurrentWriter, s: WriteSession, response: Response
) -> PersonOut:
    """A person's record in a unit (the clerk's own unless `unit_id`): 422
    `identity_no_invalid`, 409 `identity_no_taken`."""
    p = service.create_person(s, caller.user, caller.actor, body)
    response.headers["Location"] = f"/api/v1/people/{p.id}"
    return service.person_out(s, caller.actor, p, service.scope_of(s, p.unit_id))


@router.get("/people/{person_id}", response_model=PersonOut)
async def get_person(person_id: int, caller: CurrentReader, rt: RuntimeDep) -> PersonOut:
    """The record with its registry awards by year; identity number, date of birth,
    ethnicity and restrictions only for the person's unit, the board and auditors (the
    board's and auditors' reads are recorded in the person's history)."""
    return await run_in_threadpool(service.read_person, rt, caller.user, caller.actor, person_id)


@router.patch("/people/{person_id}", response_model=PersonOut)
def update_person(
    person_id: int, body: PersonPatch, caller: CurrentWriter, s: WriteSession
) -> PersonOut:
    """Correct the record (with its `version`: 409 `stale_version` when it changed)."""
    p = service.update_person(s, caller.user, caller.actor, person_id, body)
    return service.person_out(s, caller.actor, p, service.scope_of(s, p.unit_id))


@router.post("/people/{person_id}/merge", response_model=PersonOut)
def merge_person(
    person_id: int, body: MergeIn, caller: CurrentWriter, s: WriteSession
) -> PersonOut:
    """The board merges `other_id` into this record (the same person): its nominees,
    awards and restrictions move here; both histories record it."""
    p = service.merge(s, caller.user, caller.actor, person_id, body)
    return service.person_out(s, caller.actor, p, service.scope_of(s, p.unit_id))


@router.get("/people/{person_id}/restrictions", response_model=list[RestrictionOut])
def list_restrictions(
    person_id: int, caller: CurrentReader, s: ReadSession
) -> list[RestrictionOut]:
    return service.restrictions(s, caller.actor, person_id)


@router.post("/people/{person_id}/restrictions", status_code=201, response_model=RestrictionOut)
def add_restriction(
    person_id: int, body: RestrictionIn, caller: CurrentWriter, s: WriteSession
) -> RestrictionOut:
    """A discipline (with its `level`), investigation or complaint, from `starts_on` to
    `ends_on` (open when left out): set by the unit or the board."""
    r = service.add_restriction(s, caller.user, caller.actor, body, person_id=person_id)
    return service.restrictions_out(s, [r])[0]


@router.get("/people/{person_id}/history", response_model=list[HistoryEntryOut])
def person_history(person_id: int, caller: CurrentReader, s: ReadSession) -> list[HistoryEntryOut]:
    return service.history(s, caller.actor, service.person_subject(person_id))


@router.get("/collectives", response_model=list[CollectiveOut])
def list_collectives(
    caller: CurrentReader,
    s: ReadSession,
    q: Q = None,
    unit_id: Annotated[int | None, Query()] = None,
) -> list[CollectiveOut]:
    return service.list_collectives(s, caller.actor, q, unit_id)


@router.post("/collectives", status_code=201, response_model=CollectiveOut)
def create_collective(
    body: CollectiveIn, caller: CurrentWriter, s: WriteSession, response: Response
) -> CollectiveOut:
    """`kind=unit`: the unit's own record (made once; 200 with the existing one after);
    `kind=part`: a phòng, tổ … named `name` (409 `collective_taken`)."""
    c, new = service.create_collective(s, caller.user, caller.actor, body)
    if not new:
        response.status_code = 200
    response.headers["Location"] = f"/api/v1/collectives/{c.id}"
    return service.collective_out(s, c)


@router.get("/collectives/{collective_id}", response_model=CollectiveOut)
def get_collective(collective_id: int, caller: CurrentReader, s: ReadSession) -> CollectiveOut:
    c, _ = service.visible_collective(s, caller.actor, collective_id)
    return service.collective_out(s, c)


@router.get("/collectives/{collective_id}/history", response_model=list[HistoryEntryOut])
def collective_history(
    collective_id: int, caller: CurrentReader, s: ReadSession
) -> list[HistoryEntryOut]:
    return service.history(s, caller.actor, service.collective_subject(collective_id))
