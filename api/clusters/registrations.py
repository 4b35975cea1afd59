"""The cluster's year: registrations (đăng ký thi đua). A member unit's people register
its titles; whoever runs the year, the board and auditors see every member's (who is
late, who has not registered); the board sees every cluster's."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.clusters import registration_service as service
from api.clusters.score_schemas import BoardRegistrationsOut, RegistrationIn, RegistrationsOut
from api.clusters.service import load_year
from api.deps import CurrentReader, CurrentWriter, ReadSession, WriteSession

router = APIRouter(tags=["clusters"])

YEAR = "/clusters/{cluster_id}/years/{year}"


@router.get(YEAR + "/registrations", response_model=RegistrationsOut)
def get_registrations(
    cluster_id: int, year: int, caller: CurrentReader, s: ReadSession
) -> RegistrationsOut:
    """The year's registrations, with the plan's deadline: every member's (state
    `missing`, `on_time`, `late`) to whoever runs the year, the board and auditors; its
    own to a member unit."""
    ctx = load_year(s, caller.actor, cluster_id, year)
    return service.registrations_out(s, caller.actor, ctx)


@router.put(YEAR + "/registrations/{unit_id}", response_model=RegistrationsOut)
def put_registration(
    cluster_id: int,
    year: int,
    unit_id: int,
    body: RegistrationIn,
    caller: CurrentWriter,
    s: WriteSession,
) -> RegistrationsOut:
    """A member unit's registration, the whole list (it replaces the earlier one): until
    the deadline as often as wished; after it accepted and marked late for a unit that had
    not registered, refused (409 registration_closed) to one that registered on time. 403
    cluster_member_only to a unit that is not a member; 404 person_not_found for a person
    who is not of the unit's records; stale `version` 409."""
    ctx = load_year(s, caller.actor, cluster_id, year)
    service.register(s, caller.user, caller.actor, ctx, unit_id, body)
    return service.registrations_out(s, caller.actor, ctx)


@router.get("/cluster-registrations", response_model=BoardRegistrationsOut)
def board_registrations(
    caller: CurrentReader,
    s: ReadSession,
    year: Annotated[int, Query(ge=2000, le=2100)],
) -> BoardRegistrationsOut:
    """Every cluster's registrations of the year, for the board over its authority's
    clusters (403 board_only to anyone else)."""
    return BoardRegistrationsOut(
        year=year, clusters=service.board_registrations(s, caller.actor, year)
    )
