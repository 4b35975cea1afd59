"""Round pages (đợt xét khen thưởng): the board's list of rounds and a new one, a round
with its dossiers, the approved dossiers that may join it, the list of every nominee, its
Tờ trình and its actions (submit, withdraw, approve — the Sở's leader signing with the
PIN —, return).

Every change goes through the API's own use cases (api/rounds/service.py, actions.py): the
same rules, the same audit events, the same refusals, shown next to what they are about;
the flow of a step is started after the commit, as the API does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from api.consultation import service as consultation
from api.deps import RuntimeDep
from api.documents import service as documents
from api.dossiers.progress import StepProgress, subject_progress
from api.dossiers.schemas import ActionIn
from api.exports import service as exports
from api.exports.lists import ROUNDS, RoundsFilter
from api.opinions import service as opinions_service
from api.rounds import actions, service
from api.rounds.schemas import RoundCreate
from api.web.forms import text
from api.web.pages import WebRoute, redirect, render
from api.web.refusals import action_error
from api.web.session import CheckedForm, Visitor, VisitorDep, set_flash
from api.web.views import DocView, doc_view
from domain import rounds as rules
from domain.awards import AWARDS
from domain.errors import DomainError, NotFound
from domain.process import ROUND_SUBMISSION, Action
from domain.rounds import ROUND_KIND_LABELS, RoundStatus
from issuing.runtime import Runtime
from storage import decisions as decisions_store
from storage import rounds as store
from storage.models import AuditEvent, AwardRound, utcnow

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
    return _list_page(request, visitor, rt, year=_year(nam))


def _year(nam: str | None) -> int | None:
    return int(nam) if nam and nam.isdigit() else None


@router.get("/dot-xet/xuat", response_model=None)
def export_rounds(
    visitor: VisitorDep,
    rt: RuntimeDep,
    fmt: Annotated[str | None, Query(alias="dinh-dang", max_length=8)] = None,
    nam: Annotated[str | None, Query(max_length=4)] = None,
) -> Response:
    """«Xuất Excel» / «Xuất CSV» of the rounds as the page lists them (the same year)."""
    return exports.export(rt, visitor.caller, ROUNDS.name, fmt, RoundsFilter(_year(nam)))


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


def _round_documents(s: Session, visitor: Visitor, r: AwardRound) -> list[DocView]:
    """The round's Tờ trình the visitor may see: issued ones, and the draft only for the
    leader who can sign it now (and auditors, who also see drafts nobody signed)."""
    shown = []
    for doc, draft in documents.round_documents(s, visitor.actor, r):
        view = doc_view(doc)
        if draft and doc.transition_seq == r.transition_seq + 1:
            view.state, view.state_label = "to_sign", "Bản dự thảo chờ ký"
        elif draft:
            view.state, view.state_label = "unused", "Bản chuẩn bị, không được ký"
        shown.append(view)
    return shown


def _last_return(s: Session, r: AwardRound) -> AuditEvent | None:
    """The return the open list is answering (none once submitted again or withdrawn)."""
    if r.status != RoundStatus.OPEN:
        return None
    for e in reversed(store.round_events(s, r.id)):
        if e.kind == Action.RETURN:
            return e
        if e.kind in (Action.SUBMIT, Action.WITHDRAW):
            return None
    return None


def _round_page(
    request: Request,
    visitor: Visitor,
    rt: Runtime,
    round_id: int,
    *,
    status_code: int = 200,
    error: str = "",
    checked: frozenset[int] = frozenset(),
    action_error: dict[str, Any] | None = None,
) -> HTMLResponse:
    with rt.db.read() as s:
        r = service.visible_round(s, visitor.actor, round_id)
        out = service.round_out(s, visitor.actor, r)
        events = service.history(s, visitor.actor, round_id)
        addable = (
            store.candidates(s, r.authority_id, r.award_codes) if out.can_edit_dossiers else []
        )
        docs = _round_documents(s, visitor, r)
        progress = subject_progress(s, service.subject_of(r)) if out.processing else None
        returned = _last_return(s, r)
        opinions = opinions_service.round_opinions(s, visitor.actor, r)  # hiệp y
        consult = consultation.view(s, visitor.actor, round_id)
        # The award decision made from the round, or whether the visitor may draft it.
        decision = decisions_store.decision_of_round(s, r.id)
        can_decide = (
            decision is None
            and r.status == RoundStatus.SUBMITTED
            and rules.COMPOSER in rules.roles_over(visitor.actor, r.authority_id)
        )
    approve = ROUND_SUBMISSION.find(Action.APPROVE, r.status)
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
        docs=docs,
        returned=returned,
        to_sign=[d for d in docs if d.state == "to_sign"],
        progress=progress,
        approve_signs=bool(approve and approve.forms),
        approve_target=ROUND_SUBMISSION.state_labels[approve.target] if approve else "",
        action_error=action_error or {},
        AWARDS=AWARDS,
        opinions=opinions,
        consultation=consult,
        can_publish=out.can_edit_dossiers and bool(out.nominee_list),
        decision=decision,
        can_decide=can_decide,
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


@router.get("/dot-xet/{round_id:int}/tien-do")
def progress_of(round_id: int, visitor: VisitorDep, rt: RuntimeDep) -> StepProgress:
    """What the round's page polls while its step's Tờ trình is being made."""
    with rt.db.read() as s:
        r = service.visible_round(s, visitor.actor, round_id)
        return subject_progress(s, service.subject_of(r))


DONE_MESSAGES = {
    Action.SUBMIT: "Đã trình duyệt đợt. Lãnh đạo Phòng sẽ xem danh sách.",
    Action.WITHDRAW: "Đã rút đợt về để sửa danh sách.",
    Action.APPROVE: "Đã duyệt. Đợt được chuyển lãnh đạo Sở ký Tờ trình.",
    Action.RETURN: "Đã trả lại đợt để chuyên viên sửa danh sách.",
}
SIGNED = "Đã duyệt và ký. Hệ thống đang cấp số, đóng dấu và lưu trữ Tờ trình."


@router.post("/dot-xet/{round_id:int}/thao-tac/{action}", response_model=None)
async def act(
    request: Request,
    round_id: int,
    action: Action,
    visitor: VisitorDep,
    form: CheckedForm,
    rt: RuntimeDep,
    background: BackgroundTasks,
) -> Response:
    """Submit, withdraw, approve (the leader signing the Tờ trình with the PIN) or return:
    the API's own `take_action`; its refusal is shown next to the field it is about."""
    body = ActionIn(
        reason=text(form, "reason", 4000) or None,
        signing_pin=text(form, "signing_pin", 64) or None,
        version=_version(form),
    )
    try:
        _, outbox_id = await run_in_threadpool(
            actions.take_action,
            rt,
            visitor.caller,
            round_id,
            action,
            body,
            [],
            lambda s, r: service.round_out(s, visitor.actor, r),
        )
    except NotFound:
        raise
    except DomainError as e:
        error = action_error(e, action, body.reason)
        return await run_in_threadpool(
            _round_page,
            request,
            visitor,
            rt,
            round_id,
            status_code=e.status,
            action_error=error,
        )
    if rt.dispatcher is not None:
        background.add_task(rt.dispatcher.start_soon, outbox_id)
    response = redirect(f"/dot-xet/{round_id}")
    signed = action == Action.APPROVE and body.signing_pin is not None
    set_flash(response, SIGNED if signed else DONE_MESSAGES.get(action, "Đã ghi nhận."))
    return response
