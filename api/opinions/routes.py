"""Hiệp y endpoints: thin wrappers over the service, one transaction each."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.concurrency import run_in_threadpool

from api.deps import CurrentReader, CurrentWriter, ReadSession, RuntimeDep, WriteSession
from api.opinions import letters, service
from api.opinions.schemas import (
    AnswerIn,
    CategoryIn,
    InboxItemOut,
    OverrideIn,
    ReplyOut,
    RoundOpinionsOut,
)
from api.rounds import service as rounds_service
from domain.errors import PayloadTooLarge
from domain.opinions import Opinion
from storage.models import Agency

router = APIRouter(prefix="/api/v1", tags=["hiệp y"])


@router.post("/rounds/{round_id}/opinions/request", response_model=RoundOpinionsOut)
def request_opinions(round_id: int, caller: CurrentWriter, s: WriteSession) -> RoundOpinionsOut:
    """The board specialist asks every agency the configuration names
    (domain/opinions.py) for its opinion on each listed nominee that needs one."""
    r = service.request_opinions(s, caller.user, caller.actor, round_id)
    return service.round_opinions(s, caller.actor, r)


@router.get("/rounds/{round_id}/opinions", response_model=RoundOpinionsOut)
def round_opinions(round_id: int, caller: CurrentReader, s: ReadSession) -> RoundOpinionsOut:
    """Every reply with its agency and date, who is held back and why: for everyone who
    sees the round."""
    r = rounds_service.visible_round(s, caller.actor, round_id)
    return service.round_opinions(s, caller.actor, r)


@router.post("/rounds/{round_id}/opinions/overrides", response_model=RoundOpinionsOut)
def override(
    round_id: int, body: OverrideIn, caller: CurrentWriter, s: WriteSession
) -> RoundOpinionsOut:
    """The board head lists a nominee despite a negative opinion, with a reason."""
    r = service.override(s, caller.user, caller.actor, round_id, body)
    return service.round_opinions(s, caller.actor, r)


@router.get("/opinions", response_model=list[InboxItemOut])
def inbox(caller: CurrentReader, s: ReadSession) -> list[InboxItemOut]:
    """An agency reviewer's requests: those addressed to their agency, unanswered first."""
    return service.inbox(s, caller.actor)


@router.post("/opinions/{request_id}/answer", response_model=ReplyOut)
def answer(request_id: int, body: AnswerIn, caller: CurrentWriter, s: WriteSession) -> ReplyOut:
    """The agency's reviewer answers: `agree` or `disagree` (with a `note`)."""
    q = service.answer(s, caller.user, caller.actor, request_id, body)
    agency = s.get(Agency, q.agency_id)
    assert agency is not None
    return service.reply_out(q, agency)


@router.post("/opinions/{request_id}/letter", response_model=ReplyOut)
async def upload_letter(
    request_id: int,
    caller: CurrentReader,
    rt: RuntimeDep,
    file: Annotated[UploadFile, File(description="công văn của cơ quan, PDF đã ký số")],
    opinion: Annotated[Opinion, Form()],
    note: Annotated[str, Form(max_length=4000)] = "",
) -> ReplyOut:
    """The board specialist records an agency's signed letter as its reply (the reply's
    date is the letter's signing time). Refused with its code unless its signature is
    valid and trusted; then nothing changes."""
    limit = rt.settings.max_upload_bytes
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(f"Tệp vượt quá {limit / (1024 * 1024):g} MB.")
    return await run_in_threadpool(
        letters.accept_letter, rt, caller, request_id, opinion, note.strip(), data
    )


@router.put("/nominees/{nominee_id}/opinion-category")
def set_category(
    nominee_id: int, body: CategoryIn, caller: CurrentWriter, s: WriteSession
) -> dict[str, str | None]:
    """The board specialist marks a nominee as an enterprise, an enterprise's leader …
    (whose agencies must give an opinion), or clears it."""
    category = str(body.category) if body.category else None
    n = service.set_category(s, caller.user, caller.actor, nominee_id, category)
    return {"category": n.opinion_category}
