"""The cluster's secret vote endpoints: thin wrappers over api/meetings/cluster_vote.py,
one transaction each."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, BackgroundTasks, Response
from fastapi.concurrency import run_in_threadpool

from api.deps import (
    CurrentReader,
    CurrentWriter,
    ReadSession,
    RuntimeDep,
    WriteSession,
)
from api.meetings import cluster_vote as service
from api.meetings import vote_minutes
from api.meetings.vote_schemas import (
    BallotPaperIn,
    MinutesSignIn,
    ReceiptCheckOut,
    ReceiptIn,
    ReceiptOut,
    SecretaryIn,
    TallyOut,
    VoteAttendanceIn,
    VoteCreate,
    VoteOut,
)

router = APIRouter(prefix="/api/v1", tags=["meetings"])


@router.post("/clusters/{cluster_id}/years/{year}/vote", status_code=201, response_model=VoteOut)
def create_vote(
    cluster_id: int,
    year: int,
    body: VoteCreate,
    caller: CurrentWriter,
    s: WriteSession,
    response: Response,
) -> VoteOut:
    """The head unit's cluster approver (or head) convenes the year-end secret vote: the
    member units' representatives, the leading member, Bằng khen per candidate dossier
    (by the year-end ranking), next year's head and deputy."""
    m = service.create(s, caller.user, caller.actor, cluster_id, year, body)
    response.headers["Location"] = f"/api/v1/meetings/{m.id}/vote"
    m, ctx = service.load(s, caller.actor, m.id)
    return service.vote_out(s, caller.actor, m, ctx)


@router.get("/clusters/{cluster_id}/years/{year}/vote", response_model=VoteOut)
def year_vote(cluster_id: int, year: int, caller: CurrentReader, s: ReadSession) -> VoteOut:
    m = service.vote_of_year(s, caller.actor, cluster_id, year)
    m, ctx = service.load(s, caller.actor, m.id)
    return service.vote_out(s, caller.actor, m, ctx)


@router.get("/meetings/{meeting_id}/vote", response_model=VoteOut)
def get_vote(meeting_id: int, caller: CurrentReader, s: ReadSession) -> VoteOut:
    """The secret vote: members, attendance, who has voted (never what), the questions
    with the caller's unit's marks."""
    m, ctx = service.load(s, caller.actor, meeting_id)
    return service.vote_out(s, caller.actor, m, ctx)


@router.put("/meetings/{meeting_id}/vote/attendance", response_model=VoteOut)
def vote_attendance(
    meeting_id: int, body: VoteAttendanceIn, caller: CurrentWriter, s: WriteSession
) -> VoteOut:
    """The chair records the units present and their representatives, before any ballot."""
    service.set_attendance(s, caller.user, caller.actor, meeting_id, body)
    m, ctx = service.load(s, caller.actor, meeting_id)
    return service.vote_out(s, caller.actor, m, ctx)


@router.put("/meetings/{meeting_id}/vote/secretary", response_model=VoteOut)
def vote_secretary(
    meeting_id: int, body: SecretaryIn, caller: CurrentWriter, s: WriteSession
) -> VoteOut:
    """The chair designates the secretary (a user of a member unit who represents none),
    before the close (422 invalid_secretary, secretary_is_representative; 409
    vote_closed)."""
    service.set_secretary(s, caller.user, caller.actor, meeting_id, body)
    m, ctx = service.load(s, caller.actor, meeting_id)
    return service.vote_out(s, caller.actor, m, ctx)


@router.post("/meetings/{meeting_id}/ballots", status_code=201, response_model=ReceiptOut)
def cast_ballot(
    meeting_id: int, body: BallotPaperIn, caller: CurrentWriter, s: WriteSession
) -> ReceiptOut:
    """A present unit's representative casts a secret paper; the receipt code is shown
    once."""
    _m, code = service.cast(s, caller.user, caller.actor, meeting_id, body)
    m, ctx = service.load(s, caller.actor, meeting_id)
    return ReceiptOut(receipt=code, vote=service.vote_out(s, caller.actor, m, ctx))


@router.post("/meetings/{meeting_id}/vote/open", response_model=VoteOut)
def open_vote(meeting_id: int, caller: CurrentWriter, s: WriteSession) -> VoteOut:
    """The chair opens the ballots once the attendance is recorded (409 no_quorum)."""
    service.open_vote(s, caller.user, caller.actor, meeting_id)
    m, ctx = service.load(s, caller.actor, meeting_id)
    return service.vote_out(s, caller.actor, m, ctx)


@router.post("/meetings/{meeting_id}/vote/close", response_model=TallyOut)
async def close_vote(
    meeting_id: int, caller: CurrentReader, rt: RuntimeDep, background: BackgroundTasks
) -> TallyOut:
    """The chair closes the vote: the tally counted and stored (409 no_quorum,
    no_secretary); the Biên bản is then prepared; each dossier waiting for it passed to
    the cluster's proposal or returned to its unit with the tally as the reason (the flow
    issues the Thông báo and tells the unit)."""

    def work() -> tuple[TallyOut, list[int]]:
        with rt.db.write() as s:
            m, outbox_ids = service.close(s, caller.user, caller.actor, meeting_id)
            return service.tally_out(s, m), outbox_ids

    out, outbox_ids = await run_in_threadpool(work)
    if rt.dispatcher is not None:
        for outbox_id in outbox_ids:
            background.add_task(rt.dispatcher.start_soon, outbox_id)
    return out


@router.post("/meetings/{meeting_id}/vote/minutes/sign", response_model=VoteOut)
async def sign_minutes(
    meeting_id: int, caller: CurrentReader, rt: RuntimeDep, body: MinutesSignIn | None = None
) -> VoteOut:
    """The secretary signs the prepared Biên bản họp bình xét, suy tôn with their signing
    PIN, before the chair (403 not_secretary; 409 vote_not_closed, already_signed)."""
    await run_in_threadpool(
        vote_minutes.sign_as_secretary, rt, caller, meeting_id, body or MinutesSignIn()
    )
    return await run_in_threadpool(_vote_now, rt, caller, meeting_id)


@router.post("/meetings/{meeting_id}/vote/minutes/approve", response_model=VoteOut)
async def approve_minutes(
    meeting_id: int,
    caller: CurrentReader,
    rt: RuntimeDep,
    background: BackgroundTasks,
    body: MinutesSignIn | None = None,
) -> VoteOut:
    """The chair who closed the vote signs the Biên bản on top of the secretary's
    signature (409 secretary_not_signed, vote_not_closed; 403 not_vote_chair,
    not_minutes_chair); the flow numbers it in the cluster's series and seals it with the
    head unit's seal."""
    outbox_id = await run_in_threadpool(
        vote_minutes.approve, rt, caller, meeting_id, body or MinutesSignIn()
    )
    if rt.dispatcher is not None:
        background.add_task(rt.dispatcher.start_soon, outbox_id)
    return await run_in_threadpool(_vote_now, rt, caller, meeting_id)


def _vote_now(rt: Any, caller: Any, meeting_id: int) -> VoteOut:
    with rt.db.read() as s:
        m, ctx = service.load(s, caller.actor, meeting_id)
        return service.vote_out(s, caller.actor, m, ctx)


@router.get("/meetings/{meeting_id}/tally", response_model=TallyOut)
def tally(meeting_id: int, caller: CurrentReader, s: ReadSession) -> TallyOut:
    """Before the close only how many have voted; after it the counts, the results, the
    rules applied and the published ballots (by receipt hash)."""
    m, _ctx = service.load(s, caller.actor, meeting_id)
    return service.tally_out(s, m)


@router.post("/meetings/{meeting_id}/receipts", response_model=ReceiptCheckOut)
def check_receipt(
    meeting_id: int, body: ReceiptIn, caller: CurrentReader, s: ReadSession
) -> ReceiptCheckOut:
    """Whether a receipt code's ballots are in the published tally, and what they say."""
    m, _ctx = service.load(s, caller.actor, meeting_id)
    return service.check_receipt(s, m, body.code)
