"""Meeting endpoints: thin wrappers over the service, one transaction each."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Request, Response
from fastapi.concurrency import run_in_threadpool

from api.deps import (
    CurrentReader,
    CurrentWriter,
    ReadSession,
    RuntimeDep,
    SettingsDep,
    WriteSession,
)
from api.dossiers.approvals import read_action
from api.dossiers.routes import ACTION_BODY
from api.meetings import actions, service
from api.meetings.schemas import (
    AttendanceIn,
    EligibleMemberOut,
    MeetingCreate,
    MeetingEventOut,
    MeetingOut,
    MeetingSummary,
    MembersIn,
    SecretarySignIn,
    VotesIn,
)
from domain.process import Action

router = APIRouter(prefix="/api/v1", tags=["meetings"])


@router.post("/meetings", status_code=201, response_model=MeetingOut)
def create_meeting(
    body: MeetingCreate,
    caller: CurrentWriter,
    s: WriteSession,
    response: Response,
    settings: SettingsDep,
) -> MeetingOut:
    """The board's specialist opens the council's meeting about an open round: one
    question per nominee of the round's list."""
    m = service.create(s, caller.user, caller.actor, body, settings.council_thresholds)
    response.headers["Location"] = f"/api/v1/meetings/{m.id}"
    return service.meeting_out(s, caller.actor, m)


@router.get("/meetings", response_model=list[MeetingSummary])
def list_meetings(caller: CurrentReader, s: ReadSession) -> list[MeetingSummary]:
    return service.list_meetings(s, caller.actor)


@router.get("/meetings/{meeting_id}", response_model=MeetingOut)
def get_meeting(meeting_id: int, caller: CurrentReader, s: ReadSession) -> MeetingOut:
    """The meeting: members and attendance, questions (with the caller's own ballots),
    the rules in force, and once closed the tally and every named ballot."""
    m = service.visible_meeting(s, caller.actor, meeting_id)
    return service.meeting_out(s, caller.actor, m)


@router.get("/meetings/{meeting_id}/eligible-members", response_model=list[EligibleMemberOut])
def eligible_members(
    meeting_id: int, caller: CurrentReader, s: ReadSession
) -> list[EligibleMemberOut]:
    """The accounts that may sit on the council of the meeting's authority."""
    return service.eligible_out(s, caller.actor, meeting_id)


@router.put("/meetings/{meeting_id}/members", response_model=MeetingOut)
def set_members(
    meeting_id: int, body: MembersIn, caller: CurrentWriter, s: WriteSession
) -> MeetingOut:
    """The members with their role (chu_tich, thu_ky, thanh_vien), before any ballot."""
    m = service.set_members(s, caller.user, caller.actor, meeting_id, body)
    return service.meeting_out(s, caller.actor, m)


@router.put("/meetings/{meeting_id}/attendance", response_model=MeetingOut)
def set_attendance(
    meeting_id: int, body: AttendanceIn, caller: CurrentWriter, s: WriteSession
) -> MeetingOut:
    """Who is present (the others absent), before any ballot."""
    m = service.set_attendance(s, caller.user, caller.actor, meeting_id, body)
    return service.meeting_out(s, caller.actor, m)


@router.post("/meetings/{meeting_id}/votes", response_model=MeetingOut)
def vote(meeting_id: int, body: VotesIn, caller: CurrentWriter, s: WriteSession) -> MeetingOut:
    """The caller's own named ballots (dong_y, khong_dong_y, khong_bieu_quyet), all or
    none: a member present, once per question, while the meeting is open."""
    m = service.vote(s, caller.user, caller.actor, meeting_id, body)
    return service.meeting_out(s, caller.actor, m)


@router.post("/meetings/{meeting_id}/minutes/sign", response_model=MeetingOut)
async def sign_minutes(
    meeting_id: int, caller: CurrentReader, rt: RuntimeDep, body: SecretarySignIn | None = None
) -> MeetingOut:
    """The secretary signs the prepared Biên bản with their signing PIN, before the
    chair's approval (which signs on top)."""
    return await run_in_threadpool(
        actions.sign_as_secretary,
        rt,
        caller,
        meeting_id,
        body or SecretarySignIn(),
        lambda s, m: service.meeting_out(s, caller.actor, m),
    )


@router.get("/meetings/{meeting_id}/history", response_model=list[MeetingEventOut])
def meeting_history(
    meeting_id: int, caller: CurrentReader, s: ReadSession
) -> list[MeetingEventOut]:
    return service.history(s, caller.actor, meeting_id)


@router.post(
    "/meetings/{meeting_id}/actions/{action}",
    response_model=MeetingOut,
    openapi_extra=ACTION_BODY,
)
async def act(
    meeting_id: int,
    action: Action,
    request: Request,
    caller: CurrentReader,
    rt: RuntimeDep,
    background: BackgroundTasks,
) -> MeetingOut:
    """`submit`: the secretary closes the meeting (refused without quorum: 409
    no_quorum); the tally is counted and stored and the Biên bản prepared. `approve`: the
    chair signs the Biên bản (`signing_pin`) after the secretary; the flow numbers and
    seals it."""
    body, files = await read_action(request, rt.settings.max_upload_bytes)
    out, outbox_id = await run_in_threadpool(
        actions.take_action,
        rt,
        caller,
        meeting_id,
        action,
        body,
        files,
        lambda s, m: service.meeting_out(s, caller.actor, m),
    )
    if rt.dispatcher is not None:
        background.add_task(rt.dispatcher.start_soon, outbox_id)
    return out
