"""Hiệp y pages: an agency reviewer's requests, answered in the page; on the round's page
the board asks for the opinions and the board head lists a held-back nominee with a
reason. Every change goes through the API's own use cases (api/opinions/service.py):
the same rules, the same audit events, the same refusals."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from api.deps import RuntimeDep
from api.opinions import service
from api.opinions.schemas import AnswerIn, OverrideIn
from api.web.forms import text
from api.web.pages import WebRoute, redirect, render
from api.web.rounds import _change
from api.web.session import CheckedForm, Visitor, VisitorDep, set_flash
from domain.errors import DomainError
from issuing.runtime import Runtime

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def _inbox_page(
    request: Request,
    visitor: Visitor,
    rt: Runtime,
    *,
    status_code: int = 200,
    error: str = "",
    typed: dict[int, dict[str, str]] | None = None,
) -> HTMLResponse:
    with rt.db.read() as s:
        items = service.inbox(s, visitor.actor)
    return render(
        request,
        "opinions.html",
        visitor,
        status_code=status_code,
        items=items,
        error=error,
        typed=typed or {},
    )


@router.get("/hiep-y", response_class=HTMLResponse)
def inbox_page(request: Request, visitor: VisitorDep, rt: RuntimeDep) -> HTMLResponse:
    return _inbox_page(request, visitor, rt)


@router.post("/hiep-y/{request_id:int}", response_model=None)
async def answer(
    request: Request, request_id: int, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep
) -> Response:
    typed = {"opinion": text(form, "opinion", 16), "note": text(form, "note", 4000)}

    def refused(status: int, message: str) -> Any:
        return run_in_threadpool(
            _inbox_page,
            request,
            visitor,
            rt,
            status_code=status,
            error=message,
            typed={request_id: typed},
        )

    try:
        body = AnswerIn.model_validate(
            {"opinion": typed["opinion"], "note": typed["note"]}, strict=False
        )
    except ValidationError:
        return await refused(422, "Hãy chọn «Đồng ý» hoặc «Không đồng ý».")

    def give() -> None:
        with rt.db.write() as s:
            service.answer(s, visitor.user, visitor.actor, request_id, body)

    try:
        await run_in_threadpool(give)
    except DomainError as e:
        return await refused(e.status, e.message)
    response = redirect("/hiep-y")
    set_flash(response, "Đã gửi ý kiến của cơ quan.")
    return response


@router.post("/dot-xet/{round_id:int}/hiep-y/xin-y-kien", response_model=None)
async def request_opinions(
    request: Request, round_id: int, visitor: VisitorDep, form: CheckedForm, rt: RuntimeDep
) -> Response:
    del form  # checked for its CSRF token

    def ask() -> None:
        with rt.db.write() as s:
            service.request_opinions(s, visitor.user, visitor.actor, round_id)

    return await _change(request, visitor, rt, round_id, ask, "Đã gửi yêu cầu cho ý kiến hiệp y.")


@router.post("/dot-xet/{round_id:int}/hiep-y/{nominee_id:int}/van-dua-vao", response_model=None)
async def override(
    request: Request,
    round_id: int,
    nominee_id: int,
    visitor: VisitorDep,
    form: CheckedForm,
    rt: RuntimeDep,
) -> Response:
    body = OverrideIn(nominee_id=nominee_id, reason=text(form, "reason", 4000).strip())

    def decide() -> None:
        with rt.db.write() as s:
            service.override(s, visitor.user, visitor.actor, round_id, body)

    return await _change(
        request, visitor, rt, round_id, decide, "Đã đưa đối tượng vào danh sách, có ghi lý do."
    )
