"""Round endpoints: thin wrappers over the service, one transaction each."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from api.deps import CurrentReader, CurrentWriter, ReadSession, RuntimeDep, WriteSession
from api.dossiers.approvals import read_action
from api.dossiers.routes import ACTION_BODY
from api.rounds import actions, service
from api.rounds.schemas import (
    RoundCreate,
    RoundDossiersIn,
    RoundEventOut,
    RoundOut,
    RoundSummary,
)
from domain.process import Action

router = APIRouter(prefix="/api/v1", tags=["rounds"])


@router.post("/rounds", status_code=201, response_model=RoundOut)
def create_round(
    body: RoundCreate, caller: CurrentWriter, s: WriteSession, response: Response
) -> RoundOut:
    """A board specialist opens a round of their authority (đợt xét khen thưởng)."""
    r = service.create(s, caller.user, caller.actor, body)
    response.headers["Location"] = f"/api/v1/rounds/{r.id}"
    return service.round_out(s, caller.actor, r)


@router.get("/rounds", response_model=list[RoundSummary])
def list_rounds(
    caller: CurrentReader,
    s: ReadSession,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    waiting: Annotated[bool, Query()] = False,
) -> list[RoundSummary]:
    """The rounds the caller may see (their authority's board and leaders; auditors);
    `waiting=true`: those waiting for an action of the caller (the rounds of their inbox,
    the longest-waiting first)."""
    return service.list_rounds(s, caller.actor, year=year, waiting=waiting)


@router.get("/rounds/{round_id}", response_model=RoundOut)
def get_round(round_id: int, caller: CurrentReader, s: ReadSession) -> RoundOut:
    """The round with its dossiers and the list of every nominee across them."""
    return service.round_out(s, caller.actor, service.visible_round(s, caller.actor, round_id))


@router.post("/rounds/{round_id}/dossiers", response_model=RoundOut)
def add_dossiers(
    round_id: int, body: RoundDossiersIn, caller: CurrentWriter, s: WriteSession
) -> RoundOut:
    """Add approved dossiers, all or none (409 with the first that may not go in)."""
    r = service.add_dossiers(s, caller.user, caller.actor, round_id, body.dossier_ids, body.version)
    return service.round_out(s, caller.actor, r)


@router.delete("/rounds/{round_id}/dossiers/{dossier_id}", response_model=RoundOut)
def remove_dossier(
    round_id: int,
    dossier_id: int,
    caller: CurrentWriter,
    s: WriteSession,
    version: Annotated[int | None, Query()] = None,
) -> RoundOut:
    r = service.remove_dossier(s, caller.user, caller.actor, round_id, dossier_id, version)
    return service.round_out(s, caller.actor, r)


@router.get("/rounds/{round_id}/history", response_model=list[RoundEventOut])
def round_history(round_id: int, caller: CurrentReader, s: ReadSession) -> list[RoundEventOut]:
    """The round's own events in the order of its own hash chain (each with its hash)."""
    return service.history(s, caller.actor, round_id)


@router.post(
    "/rounds/{round_id}/actions/{action}", response_model=RoundOut, openapi_extra=ACTION_BODY
)
async def act(
    round_id: int,
    action: Action,
    request: Request,
    caller: CurrentReader,
    rt: RuntimeDep,
    background: BackgroundTasks,
) -> RoundOut:
    """The same body as a dossier's actions: `submit` and `withdraw` (the board's
    specialist), `approve` (the Phòng's head; the Sở's leader, who signs the Tờ trình with
    `signing_pin` or multipart `file`s signed elsewhere), `return` (with a `reason`)."""
    body, files = await read_action(request, rt.settings.max_upload_bytes)
    out, outbox_id = await run_in_threadpool(
        actions.take_action,
        rt,
        caller,
        round_id,
        action,
        body,
        files,
        lambda s, r: service.round_out(s, caller.actor, r),
    )
    # The flow starts after the commit and after the response.
    if rt.dispatcher is not None:
        background.add_task(rt.dispatcher.start_soon, outbox_id)
    return out
