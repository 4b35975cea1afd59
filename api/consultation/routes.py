"""Public consultation endpoints: the board publishes a round's list and reads the
comments; anyone reads a published list and comments (no sign-in, rate-limited); the
administrator enters days off and make-up working days. Thin wrappers over the service."""

from __future__ import annotations

from fastapi import APIRouter, Request

from api.consultation import service
from api.consultation.schemas import (
    CommentIn,
    ConsultationOut,
    PublicCommentOut,
    PublicConsultationOut,
    PublicDecisionListingOut,
    PublicDecisionOut,
    PublicListingOut,
    PublishIn,
)
from api.deps import CurrentReader, CurrentWriter, ReadSession, RuntimeDep, WriteSession

router = APIRouter(prefix="/api/v1", tags=["consultation"])

RECEIVED = "Đã nhận ý kiến của bạn. Cảm ơn bạn đã góp ý."


def client_address(request: Request) -> str:
    return request.client.host if request.client else "?"


@router.post("/rounds/{round_id}/consultation", status_code=201, response_model=ConsultationOut)
def publish(
    round_id: int, body: PublishIn, caller: CurrentWriter, s: WriteSession
) -> ConsultationOut:
    """The board's specialist publishes the round's list for public comment: the public
    page opens today; its last day is `working_days` working days later (by default the
    configured period; never under the configured minimum)."""
    service.publish(s, caller.user, caller.actor, round_id, body.working_days, body.version)
    return service.view(s, caller.actor, round_id)


@router.get("/rounds/{round_id}/consultation", response_model=ConsultationOut)
def consultation(round_id: int, caller: CurrentReader, s: ReadSession) -> ConsultationOut:
    """The configuration that applies to the round, and once published its period, the
    public page's address and every comment (with the senders' contacts)."""
    return service.view(s, caller.actor, round_id)


@router.get("/public/consultations", response_model=list[PublicListingOut])
def register(s: ReadSession) -> list[PublicListingOut]:
    """Every published list (no sign-in)."""
    return service.register(s)


@router.get("/public/consultations/{token}", response_model=PublicConsultationOut)
def public_list(token: str, s: ReadSession) -> PublicConsultationOut:
    """A published list: per nominee only name, position, unit and proposed award."""
    return service.public_view(s, token)


@router.get("/public/decisions", response_model=list[PublicDecisionListingOut])
def decision_register(s: ReadSession) -> list[PublicDecisionListingOut]:
    """Every issued award decision (no sign-in): number, date, signer's title, how many."""
    return service.decision_register(s)


@router.get("/public/decisions/{decision_id}", response_model=PublicDecisionOut)
def public_decision(decision_id: int, s: ReadSession) -> PublicDecisionOut:
    """An issued decision's public list: per awardee only name, position, unit and award
    (404 `decision_not_found` for a draft)."""
    return service.public_decision(s, decision_id)


@router.post(
    "/public/consultations/{token}/comments", status_code=201, response_model=PublicCommentOut
)
def public_comment(
    token: str, body: CommentIn, request: Request, rt: RuntimeDep, s: WriteSession
) -> PublicCommentOut:
    """A comment on a published list while it is open (no sign-in). At most
    3 comments per address in 10 minutes (429 `too_many_comments`)."""
    digest = service.address_digest(rt.settings.secret_key, client_address(request))
    service.comment(s, token, body.name, body.contact, body.text, digest)
    return PublicCommentOut(received=True, message=RECEIVED)
