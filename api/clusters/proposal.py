"""The cluster's one proposal of the year (Tờ trình của Cụm). Thin routes over
api/clusters/proposal_service.py, one transaction each."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks
from fastapi.concurrency import run_in_threadpool

from api.clusters import proposal_service as service
from api.clusters.proposal_schemas import (
    BoardActionIn,
    ProposalOut,
    ProposalSummary,
    RefreshIn,
    SignIn,
    StrikeIn,
)
from api.clusters.service import load_year
from api.deps import Caller, CurrentReader, CurrentWriter, ReadSession, RuntimeDep, WriteSession
from domain.errors import InvalidInput
from domain.process import Action
from issuing.runtime import Runtime

router = APIRouter(tags=["clusters"])

BASE = "/clusters/{cluster_id}/years/{year}/proposal"


def _read(rt: Runtime, caller: Caller, cluster_id: int, year: int) -> ProposalOut:
    with rt.db.read() as s:
        ctx = load_year(s, caller.actor, cluster_id, year)
        return service.proposal_out(s, caller.actor, ctx)


@router.get("/cluster-proposals", response_model=list[ProposalSummary])
def list_waiting(caller: CurrentReader, s: ReadSession) -> list[ProposalSummary]:
    """The clusters' proposals waiting at the caller's board (its things to do)."""
    return service.summaries(s, caller.actor)


@router.get(BASE, response_model=ProposalOut)
def get_proposal(cluster_id: int, year: int, caller: CurrentReader, s: ReadSession) -> ProposalOut:
    """The year's proposal: its nominee dossiers grouped by award with each one's tally,
    the vote and its Biên bản, its state, the problems that keep a draft from being sent,
    the signed Tờ trình once out. Whoever sees the year (members, the board, auditors)."""
    ctx = load_year(s, caller.actor, cluster_id, year)
    return service.proposal_out(s, caller.actor, ctx)


@router.post(BASE, response_model=ProposalOut)
def refresh_proposal(
    cluster_id: int,
    year: int,
    caller: CurrentWriter,
    s: WriteSession,
    body: RefreshIn | None = None,
) -> ProposalOut:
    """Create the draft, or refresh its list, from the closed vote (the head or deputy
    unit): 409 `vote_missing`, `vote_not_closed`, `proposal_no_nominee`,
    `proposal_not_editable`, `stale_version`; 403 `cluster_lead_only`."""
    ctx = service.refresh(
        s, caller.user, caller.actor, cluster_id, year, body.version if body else None
    )
    return service.proposal_out(s, caller.actor, ctx)


@router.post(BASE + "/actions/sign", response_model=ProposalOut)
async def sign_proposal(
    cluster_id: int,
    year: int,
    body: SignIn,
    caller: CurrentReader,
    rt: RuntimeDep,
    background: BackgroundTasks,
) -> ProposalOut:
    """The head unit's leader signs the Tờ trình của Cụm with `signing_pin` (TM. CỤM THI
    ĐUA); the flow numbers it in the cluster's series («…/TTr-CỤM I»), seals it with the
    head unit's seal and tells the board. 422 `minutes_not_signed` while the vote's Biên
    bản is not signed; 403 `cluster_head_only`; 409 `proposal_outdated` when a dossier of
    the list moved meanwhile."""
    outbox_id = await run_in_threadpool(
        service.sign, rt, caller, cluster_id, year, body.signing_pin, body.version
    )
    if rt.dispatcher is not None:
        background.add_task(rt.dispatcher.start_soon, outbox_id)
    return await run_in_threadpool(_read, rt, caller, cluster_id, year)


@router.post(BASE + "/strike", response_model=ProposalOut)
def strike_dossier(
    cluster_id: int, year: int, body: StrikeIn, caller: CurrentWriter, s: WriteSession
) -> ProposalOut:
    """The board's specialist strikes one nominee dossier with a reason (422
    `reason_required`; 409 `proposal_not_in_appraisal`, `already_struck`, `last_nominee`;
    404 `dossier_not_in_proposal`; 403 `forbidden_action`)."""
    ctx = service.strike(
        s, caller.user, caller.actor, cluster_id, year, body.dossier_id, body.reason, body.version
    )
    return service.proposal_out(s, caller.actor, ctx)


async def _board(
    rt: Runtime,
    caller: Caller,
    background: BackgroundTasks,
    cluster_id: int,
    year: int,
    action: Action,
    body: BoardActionIn,
) -> ProposalOut:
    outbox_id = await run_in_threadpool(
        service.board_act, rt, caller, cluster_id, year, action, body
    )
    if rt.dispatcher is not None:
        background.add_task(rt.dispatcher.start_soon, outbox_id)
    return await run_in_threadpool(_read, rt, caller, cluster_id, year)


@router.post(BASE + "/actions/approve", response_model=ProposalOut)
async def approve_proposal(
    cluster_id: int,
    year: int,
    body: BoardActionIn,
    caller: CurrentReader,
    rt: RuntimeDep,
    background: BackgroundTasks,
) -> ProposalOut:
    """The board's head approves the proposal as a whole: each remaining dossier
    approved (a round admits it), each struck one not proposed, with the reason; with
    `round_id` (an approver who also composes rounds) its dossiers enter that round."""
    return await _board(rt, caller, background, cluster_id, year, Action.APPROVE, body)


@router.post(BASE + "/actions/return", response_model=ProposalOut)
async def return_proposal(
    cluster_id: int,
    year: int,
    body: BoardActionIn,
    caller: CurrentReader,
    rt: RuntimeDep,
    background: BackgroundTasks,
) -> ProposalOut:
    """The board returns the proposal to the cluster with a reason (422
    `reason_required`); the cluster refreshes and signs it again."""
    return await _board(rt, caller, background, cluster_id, year, Action.RETURN, body)


@router.post(BASE + "/actions/enter-round", response_model=ProposalOut)
def enter_round(
    cluster_id: int, year: int, body: BoardActionIn, caller: CurrentWriter, s: WriteSession
) -> ProposalOut:
    """The board's specialist puts an approved proposal's dossiers into an open round
    (`round_id`; the round's own refusals apply)."""
    if body.round_id is None:
        raise InvalidInput("Cần chọn đợt xét khen thưởng.", code="round_required")
    ctx = service.enter_round(
        s, caller.user, caller.actor, cluster_id, year, body.round_id, body.version
    )
    return service.proposal_out(s, caller.actor, ctx)
