"""Council meeting pages (họp Hội đồng Thi đua – Khen thưởng): the list of meetings, a
meeting with its members and attendance, each member's ballot form, the rules in force,
the tally once closed, its Biên bản and its history; opening a meeting from a round.

Every change goes through the API's own use cases (api/meetings/service.py, actions.py):
the same rules, audit events and refusals, shown on the meeting's page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from api.deps import RuntimeDep
from api.documents import service as documents
from api.dossiers.progress import StepProgress, subject_progress
from api.dossiers.schemas import ActionIn
from api.exports import service as exports
from api.exports.lists import MEETINGS, NoFilter
from api.meetings import actions, service
from api.meetings.schemas import (
    AttendanceIn,
    BallotIn,
    MeetingCreate,
    MemberIn,
    MembersIn,
    SecretarySignIn,
    VotesIn,
)
from api.web.forms import text
from api.web.pages import WebRoute, redirect, render
from api.web.session import CheckedForm, Visitor, VisitorDep, set_flash
from api.web.views import DocView, doc_view
from domain.cluster_vote import PROCESS as CLUSTER_VOTE
from domain.errors import DomainError, NotFound
from domain.meetings import BALLOT_LABELS, MEMBER_ROLE_LABELS, Ballot, MemberRole
from domain.process import Action
from issuing.runtime import Runtime
from storage import meetings as meetings_store
from storage.models import Meeting

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.get("/hop-hoi-dong", response_class=HTMLResponse)
def meetings_page(request: Request, visitor: VisitorDep, rt: RuntimeDep) -> HTMLResponse:
    with rt.db.read() as s:
        rows = service.list_meetings(s, visitor.actor)
    return render(request, "meetings.html", visitor, rows=rows)


@router.get("/hop-hoi-dong/xuat", response_model=None)
def export_meetings(
    visitor: VisitorDep,
    rt: RuntimeDep,
    fmt: Annotated[str | None, Query(alias="dinh-dang", max_length=8)] = None,
) -> Response:
    """«Xuất Excel» / «Xuất CSV» of the meetings as the page lists them."""
    return exports.export(rt, visitor.caller, MEETINGS.name, fmt, NoFilter())


def _documents(s: Session, visitor: Visitor, m: Meeting) -> list[DocView]:
    shown = []
    for doc, draft in documents.meeting_documents(s, visitor.actor, m):
        view = doc_view(doc)
        if draft and doc.transition_seq == m.transition_seq + 1:
            view.state, view.state_label = "to_sign", "Bản dự thảo chờ ký"
        elif draft:
            view.state, view.state_label = "unused", "Bản chuẩn bị, không được ký"
        shown.append(view)
    return shown


def _page(
    request: Request,
    visitor: Visitor,
    rt: Runtime,
    meeting_id: int,
    *,
    status_code: int = 200,
    error: str = "",
) -> HTMLResponse:
    with rt.db.read() as s:
        m = service.visible_meeting(s, visitor.actor, meeting_id)
        out = service.meeting_out(s, visitor.actor, m)
        events = service.history(s, visitor.actor, meeting_id)
        eligible = service.eligible_out(s, visitor.actor, meeting_id) if out.can_manage else []
        docs = _documents(s, visitor, m)
        progress = subject_progress(s, service.subject_of(m)) if out.processing else None
    seats = {x.user_id: x.role for x in out.members}
    questions = {q.id: q for q in out.questions}
    return render(
        request,
        "meeting.html",
        visitor,
        status_code=status_code,
        m=out,
        events=events,
        eligible=eligible,
        seats=seats,
        docs=docs,
        to_sign=[d for d in docs if d.state == "to_sign"],
        progress=progress,
        error=error,
        questions=questions,
        ROLE_LABELS=MEMBER_ROLE_LABELS,
        BALLOT_LABELS=BALLOT_LABELS,
        ballots=list(Ballot),
        roles=list(MemberRole),
    )


@router.get("/hop-hoi-dong/{meeting_id:int}", response_model=None)
def meeting_page(
    request: Request, meeting_id: int, visitor: VisitorDep, rt: RuntimeDep
) -> Response:
    """The council's meeting; a cluster's secret vote has its own page (a notification
    about a meeting leads here)."""
    with rt.db.read() as s:
        found = meetings_store.meeting(s, meeting_id)
        if found is not None and found.process == CLUSTER_VOTE:
            return redirect(f"/bo-phieu/{meeting_id}")
    return _page(request, visitor, rt, meeting_id)


@router.get("/hop-hoi-dong/{meeting_id:int}/tien-do")
def progress_of(meeting_id: int, visitor: VisitorDep, rt: RuntimeDep) -> StepProgress:
    """What the meeting's page polls while its Biên bản is being made."""
    with rt.db.read() as s:
        m = service.visible_meeting(s, visitor.actor, meeting_id)
        return subject_progress(s, service.subject_of(m))


async def _change(
    request: Request,
    visitor: Visitor,
    rt: Runtime,
    meeting_id: int,
    work: Callable[[], None],
    done: str,
) -> Response:
    try:
        await run_in_threadpool(work)
    except NotFound:
        raise
    except DomainError as e:
        return await run_in_threadpool(
            _page, request, visitor, rt, meeting_id, status_code=e.status, error=e.message
        )
    response = redirect(f"/hop-hoi-dong/{meeting_id}")
    set_flash(response, done)
    return response


def _version(form: Any) -> int | None:
    raw = text(form, "version").strip()
    return int(raw) if raw.isdigit() else None


@router.post("/dot-xet/{round_id:int}/hop-hoi-dong", response_model=None)
async def create_meeting(
    request: Request, round_id: int, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep
) -> Response:
    try:
        body = MeetingCreate.model_validate(
            {
                "about_id": round_id,
                "held_on": text(form, "held_on", 10) or service.today().isoformat(),
                "place": text(form, "place", 300),
            },
            strict=False,
        )
    except ValidationError:
        response = redirect(f"/dot-xet/{round_id}")
        set_flash(response, "Ngày họp không hợp lệ (ngày/tháng/năm).")
        return response

    def create() -> int:
        with rt.db.write() as s:
            m = service.create(s, visitor.user, visitor.actor, body, rt.settings.council_thresholds)
            return m.id

    try:
        meeting_id = await run_in_threadpool(create)
    except DomainError as e:
        response = redirect(f"/dot-xet/{round_id}")
        set_flash(response, e.message)
        return response
    response = redirect(f"/hop-hoi-dong/{meeting_id}")
    set_flash(response, "Đã lập cuộc họp Hội đồng. Hãy xác định thành phần và điểm danh.")
    return response


@router.post("/hop-hoi-dong/{meeting_id:int}/thanh-phan", response_model=None)
async def set_members(
    request: Request, meeting_id: int, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep
) -> Response:
    members = []
    for key, value in form.multi_items():
        wanted = key.startswith("role_") and key[5:].isdigit() and isinstance(value, str)
        if wanted and value in set(MemberRole):
            members.append(MemberIn(user_id=int(key[5:]), role=MemberRole(str(value))))

    def work() -> None:
        with rt.db.write() as s:
            body = MembersIn(members=members, version=_version(form))
            service.set_members(s, visitor.user, visitor.actor, meeting_id, body)

    if not members:
        return await run_in_threadpool(
            _page,
            request,
            visitor,
            rt,
            meeting_id,
            status_code=422,
            error="Hãy chọn thành phần cuộc họp.",
        )
    return await _change(
        request, visitor, rt, meeting_id, work, f"Đã ghi thành phần: {len(members)} thành viên."
    )


@router.post("/hop-hoi-dong/{meeting_id:int}/diem-danh", response_model=None)
async def set_attendance(
    request: Request, meeting_id: int, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep
) -> Response:
    present = [int(v) for v in form.getlist("present") if isinstance(v, str) and v.isdigit()]

    def work() -> None:
        with rt.db.write() as s:
            body = AttendanceIn(present_user_ids=present[:100], version=_version(form))
            service.set_attendance(s, visitor.user, visitor.actor, meeting_id, body)

    return await _change(
        request, visitor, rt, meeting_id, work, f"Đã điểm danh: {len(present)} thành viên có mặt."
    )


@router.post("/hop-hoi-dong/{meeting_id:int}/bieu-quyet", response_model=None)
async def vote(
    request: Request, meeting_id: int, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep
) -> Response:
    ballots = []
    for key, value in form.multi_items():
        if key.startswith("q_") and key[2:].isdigit() and value in set(Ballot):
            ballots.append(BallotIn(question_id=int(key[2:]), ballot=Ballot(str(value))))
    if not ballots:
        return await run_in_threadpool(
            _page,
            request,
            visitor,
            rt,
            meeting_id,
            status_code=422,
            error="Hãy chọn ý kiến biểu quyết cho từng nội dung.",
        )

    def work() -> None:
        with rt.db.write() as s:
            service.vote(s, visitor.user, visitor.actor, meeting_id, VotesIn(ballots=ballots))

    return await _change(
        request, visitor, rt, meeting_id, work, "Đã ghi nhận phiếu biểu quyết của bạn."
    )


@router.post("/hop-hoi-dong/{meeting_id:int}/thu-ky-ky", response_model=None)
async def sign_minutes(
    request: Request, meeting_id: int, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep
) -> Response:
    body = SecretarySignIn(signing_pin=text(form, "signing_pin", 64) or None, version=None)

    def work() -> None:
        actions.sign_as_secretary(
            rt,
            visitor.caller,
            meeting_id,
            body,
            lambda s, m: service.meeting_out(s, visitor.actor, m),
        )

    return await _change(
        request,
        visitor,
        rt,
        meeting_id,
        work,
        "Đã ký Biên bản. Chủ tịch Hội đồng sẽ ký tiếp.",
    )


DONE = {
    Action.SUBMIT: "Đã kết thúc cuộc họp và kiểm phiếu. Hệ thống đang lập Biên bản.",
    Action.APPROVE: "Đã ký Biên bản. Hệ thống đang cấp số, đóng dấu và lưu trữ Biên bản.",
}


@router.post("/hop-hoi-dong/{meeting_id:int}/thao-tac/{action}", response_model=None)
async def act(
    request: Request,
    meeting_id: int,
    action: Action,
    visitor: VisitorDep,
    form: CheckedForm,
    rt: RuntimeDep,
    background: BackgroundTasks,
) -> Response:
    body = ActionIn(
        reason=None, signing_pin=text(form, "signing_pin", 64) or None, version=_version(form)
    )
    outbox_ids: list[int] = []

    def work() -> None:
        _, outbox_id = actions.take_action(
            rt,
            visitor.caller,
            meeting_id,
            action,
            body,
            [],
            lambda s, m: service.meeting_out(s, visitor.actor, m),
        )
        outbox_ids.append(outbox_id)

    response = await _change(
        request, visitor, rt, meeting_id, work, DONE.get(action, "Đã ghi nhận.")
    )
    if outbox_ids and rt.dispatcher is not None:
        background.add_task(rt.dispatcher.start_soon, outbox_ids[0])
    return response
