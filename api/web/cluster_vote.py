"""The cluster's year-end secret vote pages (bình xét, suy tôn): the chair's one screen
(attendance, open, close, the live count of who has voted — never what), the member
representative's ballot (phone-sized screens), the tally after the close with the
receipt check. Every change goes through api/meetings/cluster_vote.py: the same rules,
audit events and refusals, shown on the page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from api.clusters.service import load_year
from api.deps import RuntimeDep
from api.meetings import cluster_vote as service
from api.meetings import vote_minutes
from api.meetings.vote_schemas import (
    BallotPaperIn,
    ChoiceIn,
    MinutesSignIn,
    SecretaryIn,
    VoteAttendanceIn,
    VoteCreate,
)
from api.web.forms import text
from api.web.pages import WebRoute, redirect, render
from api.web.session import CheckedForm, Visitor, VisitorDep, set_flash
from domain import cluster_vote as vote_rules
from domain.errors import DomainError, InvalidInput, NotFound
from issuing.runtime import Runtime

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def page_url(meeting_id: int) -> str:
    return f"/bo-phieu/{meeting_id}"


def _page(
    request: Request,
    visitor: Visitor,
    rt: Runtime,
    meeting_id: int,
    *,
    status_code: int = 200,
    error: str = "",
    receipt: str = "",
    check: Any = None,
) -> HTMLResponse:
    with rt.db.read() as s:
        m, ctx = service.load(s, visitor.actor, meeting_id)
        v = service.vote_out(s, visitor.actor, m, ctx)
        t = service.tally_out(s, m)
        secretaries = (
            service.secretary_options(s, m, ctx)
            if v.chair and v.status in ("open", "voting")
            else []
        )
    return render(
        request,
        "cluster_vote.html",
        visitor,
        status_code=status_code,
        v=v,
        t=t,
        error=error,
        receipt=receipt,
        check=check,
        secretaries=secretaries,
        url=page_url(meeting_id),
    )


@router.get("/cum-thi-dua/{cluster_id:int}/{year:int}/binh-xet", response_model=None)
def year_vote(
    request: Request, cluster_id: int, year: int, visitor: VisitorDep, rt: RuntimeDep
) -> Response:
    """The year's vote, or the chair's form to convene it."""
    with rt.db.read() as s:
        try:
            m = service.vote_of_year(s, visitor.actor, cluster_id, year)
        except NotFound:
            ctx = load_year(s, visitor.actor, cluster_id, year)
            chair = vote_rules.chairs(
                visitor.actor, ctx.head_unit_id, ctx.term.id if ctx.term else None
            )
            return render(request, "cluster_vote_new.html", visitor, ctx=ctx, chair=chair)
    return redirect(page_url(m.id))


@router.post("/cum-thi-dua/{cluster_id:int}/{year:int}/binh-xet", response_model=None)
async def create_vote(
    request: Request,
    cluster_id: int,
    year: int,
    visitor: VisitorDep,
    form: CheckedForm,
    rt: RuntimeDep,
) -> Response:
    def work() -> int:
        with rt.db.write() as s:
            body = VoteCreate.model_validate(
                {"held_on": text(form, "held_on", 10), "place": text(form, "place", 300)},
                strict=False,
            )
            return service.create(s, visitor.user, visitor.actor, cluster_id, year, body).id

    back = f"/cum-thi-dua/{cluster_id}/{year}/binh-xet"
    try:
        meeting_id = await run_in_threadpool(work)
    except NotFound:
        raise
    except DomainError as e:
        response = redirect(back)
        set_flash(response, e.message)
        return response
    except ValueError:
        response = redirect(back)
        set_flash(response, "Ngày họp không hợp lệ (ngày/tháng/năm).")
        return response
    response = redirect(page_url(meeting_id))
    set_flash(response, "Đã lập cuộc họp bình xét. Hãy điểm danh rồi mở bỏ phiếu.")
    return response


@router.get("/bo-phieu/{meeting_id:int}")
def vote_page(
    request: Request, meeting_id: int, visitor: VisitorDep, rt: RuntimeDep
) -> HTMLResponse:
    return _page(request, visitor, rt, meeting_id)


@router.get("/bo-phieu/{meeting_id:int}/so-phieu")
def live_count(meeting_id: int, visitor: VisitorDep, rt: RuntimeDep) -> dict[str, Any]:
    """What the chair's screen polls: how many have voted, never what."""
    with rt.db.read() as s:
        m, _ctx = service.load(s, visitor.actor, meeting_id)
        t = service.tally_out(s, m)
    return {"voted": t.voted, "present": t.present, "status": t.status}


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
    response = redirect(page_url(meeting_id))
    set_flash(response, done)
    return response


@router.post("/bo-phieu/{meeting_id:int}/diem-danh", response_model=None)
async def attendance(
    request: Request, meeting_id: int, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep
) -> Response:
    present = [int(v) for v in form.getlist("present") if isinstance(v, str) and v.isdigit()]

    def work() -> None:
        with rt.db.write() as s:
            body = VoteAttendanceIn(present_unit_ids=present[:100])
            service.set_attendance(s, visitor.user, visitor.actor, meeting_id, body)

    return await _change(
        request, visitor, rt, meeting_id, work, f"Đã điểm danh: {len(present)} đơn vị có mặt."
    )


@router.post("/bo-phieu/{meeting_id:int}/mo", response_model=None)
async def open_vote(
    request: Request, meeting_id: int, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep
) -> Response:
    def work() -> None:
        with rt.db.write() as s:
            service.open_vote(s, visitor.user, visitor.actor, meeting_id)

    return await _change(request, visitor, rt, meeting_id, work, "Đã mở bỏ phiếu kín.")


@router.post("/bo-phieu/{meeting_id:int}/ket-thuc", response_model=None)
async def close_vote(
    request: Request,
    meeting_id: int,
    visitor: VisitorDep,
    form: CheckedForm,
    rt: RuntimeDep,
    background: BackgroundTasks,
) -> Response:
    """The chair closes the vote, with the secretary chosen on the same form (designated
    first, in the same transaction, when it changes)."""
    chosen = text(form, "secretary", 20)
    closed: list[int] = []

    def work() -> None:
        with rt.db.write() as s:
            if chosen.isdigit():
                m, _ctx = service.load(s, visitor.actor, meeting_id)
                current = service.secretary_member(m)
                if current is None or current.user_id != int(chosen):
                    body = SecretaryIn(user_id=int(chosen))
                    service.set_secretary(s, visitor.user, visitor.actor, meeting_id, body)
            _m, outbox_ids = service.close(s, visitor.user, visitor.actor, meeting_id)
            closed.extend(outbox_ids)

    response = await _change(
        request,
        visitor,
        rt,
        meeting_id,
        work,
        "Đã kết thúc bỏ phiếu và kiểm phiếu. Biên bản đang được lập để thư ký ký.",
    )
    if rt.dispatcher is not None:
        for outbox_id in closed:
            background.add_task(rt.dispatcher.start_soon, outbox_id)
    return response


@router.post("/bo-phieu/{meeting_id:int}/bien-ban/thu-ky", response_model=None)
async def secretary_signs(
    request: Request, meeting_id: int, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep
) -> Response:
    """The secretary signs the Biên bản first, with their PIN."""
    body = MinutesSignIn(signing_pin=text(form, "signing_pin", 64) or None)
    caller = visitor.caller

    def work() -> None:
        vote_minutes.sign_as_secretary(rt, caller, meeting_id, body)

    return await _change(
        request, visitor, rt, meeting_id, work, "Thư ký đã ký Biên bản; chờ chủ trì ký."
    )


@router.post("/bo-phieu/{meeting_id:int}/bien-ban/chu-tri", response_model=None)
async def chair_signs(
    request: Request,
    meeting_id: int,
    visitor: VisitorDep,
    form: CheckedForm,
    rt: RuntimeDep,
    background: BackgroundTasks,
) -> Response:
    """The chair who closed the vote signs the Biên bản on top; the flow numbers and
    seals it."""
    body = MinutesSignIn(signing_pin=text(form, "signing_pin", 64) or None)
    caller = visitor.caller
    done: list[int] = []

    def work() -> None:
        done.append(vote_minutes.approve(rt, caller, meeting_id, body))

    response = await _change(
        request,
        visitor,
        rt,
        meeting_id,
        work,
        "Đã ký Biên bản; Biên bản đang được cấp số và đóng dấu.",
    )
    if done and rt.dispatcher is not None:
        background.add_task(rt.dispatcher.start_soon, done[0])
    return response


@router.post("/bo-phieu/{meeting_id:int}/phieu", response_model=None)
async def cast(
    request: Request, meeting_id: int, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep
) -> Response:
    choices = [
        ChoiceIn(question_id=int(key[2:]), choice=value[:64])
        for key, value in form.multi_items()
        if key.startswith("q_") and key[2:].isdigit() and isinstance(value, str)
    ]

    def work() -> str:
        with rt.db.write() as s:
            if not choices:
                raise InvalidInput("Hãy chọn trên phiếu trước khi gửi.", code="empty_ballot")
            _m, code = service.cast(
                s, visitor.user, visitor.actor, meeting_id, BallotPaperIn(choices=choices[:500])
            )
            return code

    try:
        code = await run_in_threadpool(work)
    except NotFound:
        raise
    except DomainError as e:
        return await run_in_threadpool(
            _page, request, visitor, rt, meeting_id, status_code=e.status, error=e.message
        )
    # Shown once, on this answer only: never stored in clear, never in a redirect.
    return await run_in_threadpool(_page, request, visitor, rt, meeting_id, receipt=code)


@router.post("/bo-phieu/{meeting_id:int}/bien-nhan", response_model=None)
async def check_receipt(
    request: Request, meeting_id: int, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep
) -> Response:
    code = text(form, "code", 64)

    def work() -> Any:
        with rt.db.read() as s:
            m, _ctx = service.load(s, visitor.actor, meeting_id)
            return service.check_receipt(s, m, code)

    try:
        found = await run_in_threadpool(work)
    except NotFound:
        raise
    except DomainError as e:
        return await run_in_threadpool(
            _page, request, visitor, rt, meeting_id, status_code=e.status, error=e.message
        )
    return await run_in_threadpool(_page, request, visitor, rt, meeting_id, check=found)
