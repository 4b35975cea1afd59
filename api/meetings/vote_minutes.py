"""The Biên bản họp bình xét, suy tôn of a cluster's secret vote, signed as the council's
(api/meetings/actions.py): once the chair closed the vote the flow prepares it (DOCX →
PDF, from the stored tally); the secretary the chair designated signs it first, in a
request of theirs; the chair who closed the vote signs on top (the meeting's `approve`,
domain/process.py CLUSTER_VOTE); then the flow numbers it in the cluster's own series
and seals it with the head unit's seal.

The same order as the council's: every refusal that needs no secret first, in a
read-only look; then the PIN and the signature; last one transaction with the signed
PDF, the new state, the transition, the audit event and the outbox row. Nothing here
reads a ballot.
"""

from __future__ import annotations

import asyncio

from sqlalchemy.orm import Session

from api.clusters.service import YearContext
from api.deps import Caller
from api.dossiers import approvals, signing
from api.dossiers.service import ToSign, flush
from api.meetings import cluster_vote as service
from api.meetings.vote_schemas import MinutesSignIn
from documents import fields
from domain import cluster_vote as rules
from domain.errors import (
    Conflict,
    DocumentsNotReady,
    Forbidden,
    IllegalTransition,
    SigningPinRequired,
    StaleVersion,
)
from domain.meetings import MeetingStatus
from domain.process import Action
from issuing import issue
from issuing.forms import plan_next
from issuing.issue import personal_key, record_in
from issuing.runtime import Runtime
from storage import audit, outbox
from storage import cluster_vote as store
from storage.models import DocumentVersion, DossierTransition, Meeting, subject_columns
from storage.repositories import documents as documents_repo
from storage.repositories import notifications as notifications_repo
from storage.repositories import users as users_repo


def _closed(s: Session, m: Meeting, version: int | None) -> None:
    """Refusals common to both signatures: a stale page, a vote not closed, a Biên bản
    issued already, a step still running."""
    if version is not None and version != m.version:
        raise StaleVersion(
            "Cuộc họp đã được người khác thay đổi. Hãy tải lại rồi thử lại.", code="stale_version"
        )
    if m.status in (MeetingStatus.OPEN, MeetingStatus.VOTING):
        raise Conflict("Chưa kết thúc bỏ phiếu: chưa có Biên bản để ký.", code="vote_not_closed")
    if m.status != MeetingStatus.CLOSED:
        raise Conflict("Biên bản đã được ký, cấp số và đóng dấu.", code="minutes_issued")
    if outbox.is_processing(s, service.subject_of(m)):
        raise StaleVersion(
            "Biên bản đang được chuẩn bị. Hãy thử lại sau ít phút.", code="processing"
        )


def _secretary_waiting(
    s: Session, m: Meeting, user_id: int, version: int | None
) -> tuple[int, DocumentVersion]:
    me = service.secretary_member(m)
    if me is None or me.user_id != user_id:
        raise Forbidden(
            "Chỉ thư ký của cuộc họp bình xét ký Biên bản trước chủ trì.", code="not_secretary"
        )
    _closed(s, m, version)
    found = service.minutes(s, m)
    if found.secretary_signed is not None:
        raise IllegalTransition("Bạn đã ký Biên bản.", code="already_signed")
    if found.document is None or found.prepared is None:
        raise DocumentsNotReady()
    return found.document.id, found.prepared


def sign_as_secretary(rt: Runtime, caller: Caller, meeting_id: int, body: MinutesSignIn) -> None:
    """The secretary signs the prepared Biên bản with their PIN, in their own request (the
    vote does not move); the chair then signs on top of it."""
    with rt.db.read() as s:
        m, ctx = service.load(s, caller.actor, meeting_id)
        doc_id, prepared = _secretary_waiting(s, m, caller.user.id, body.version)
        title = f"Biên bản họp bình xét, suy tôn – {m.title}"
    if not body.signing_pin:
        raise SigningPinRequired()
    material = signing.unlock(rt.db, caller.user.id, body.signing_pin, rt.settings.secret_key)
    stored, reports = asyncio.run(
        issue.sign_personally(
            rt,
            title,
            prepared,
            caller.user,
            material,
            field_name=fields.REPORTER_FIELD,
            rendition=documents_repo.REPORTER_RENDITION,
            reason=f"Thư ký ký: {title}",
        )
    )
    with rt.db.write() as s:
        user = users_repo.user_by_id(s, caller.user.id)
        assert user is not None
        m, ctx = service.load(s, caller.actor, meeting_id, for_update=True)
        doc_now, prepared_now = _secretary_waiting(s, m, user.id, body.version)
        if (
            doc_now != doc_id
            or personal_key(prepared_now, user.id, documents_repo.REPORTER_RENDITION) != stored.key
        ):
            raise DocumentsNotReady("Biên bản vừa được chuẩn bị lại. Hãy tải lại trang rồi ký lại.")
        record_in(
            s,
            doc_id,
            documents_repo.REPORTER_RENDITION,
            stored,
            "application/pdf",
            signatures=reports,
        )
        m.updated_at = service.utcnow()
        closer = store.closed_by(s, service.subject_of(m))
        if closer is not None:
            notifications_repo.notify_once(
                s,
                closer,
                service.subject_of(m),
                m.transition_seq,
                f"Cuộc họp «{m.title}»: thư ký đã ký Biên bản họp bình xét, suy tôn; chờ chủ "
                "trì ký.",
            )
        flush(s)
        audit.append(
            s,
            kind="minutes_signed_by_secretary",
            subject=service.subject_of(m),
            who=audit.Who(user.id, user.full_name, "meeting:thu_ky", ctx.cluster.name),
            data={
                "meeting_id": m.id,
                "document_id": doc_id,
                "object_key": stored.key,
                "version_id": stored.version_id,
                "sha256": stored.sha256,
            },
        )


def _chair_waiting(
    s: Session, caller: Caller, m: Meeting, ctx: YearContext, version: int | None
) -> ToSign:
    """What the chair signs: the secretary's signed copy of the prepared Biên bản."""
    if not rules.chairs(caller.actor, ctx.head_unit_id, ctx.term.id if ctx.term else None):
        raise Forbidden(
            "Chỉ lãnh đạo đơn vị Trưởng cụm chủ trì cuộc họp ký Biên bản.", code="not_vote_chair"
        )
    _closed(s, m, version)
    if store.closed_by(s, service.subject_of(m)) != caller.user.id:
        raise Forbidden(
            "Chỉ người chủ trì đã kết thúc bỏ phiếu ký Biên bản (tên in dưới chữ ký).",
            code="not_minutes_chair",
        )
    found = service.minutes(s, m)
    if found.document is None or found.prepared is None:
        raise DocumentsNotReady()
    if found.secretary_signed is None:
        raise Conflict(
            "Thư ký chưa ký Biên bản: chủ trì ký sau thư ký.", code="secretary_not_signed"
        )
    (job,) = plan_next(s, service.subject_of(m), m.transition_seq)
    return ToSign(found.document.id, found.prepared, job, found.secretary_signed)


def approve(rt: Runtime, caller: Caller, meeting_id: int, body: MinutesSignIn) -> int:
    """The chair signs the Biên bản on top of the secretary's signature, with their PIN;
    the vote is `signed` and the flow numbers and seals it. Answers the outbox row."""
    with rt.db.read() as s:
        m, ctx = service.load(s, caller.actor, meeting_id)
        item = _chair_waiting(s, caller, m, ctx, body.version)
    (signed,) = approvals.signatures(rt, caller, [item], [], body.signing_pin)
    with rt.db.write() as s:
        user = users_repo.user_by_id(s, caller.user.id)
        assert user is not None
        m, ctx = service.load(s, caller.actor, meeting_id, for_update=True)
        again = _chair_waiting(s, caller, m, ctx, body.version)
        if again.document_id != signed.document_id or again.base.id != item.base.id:
            raise DocumentsNotReady("Biên bản vừa thay đổi. Hãy tải lại trang rồi ký lại.")
        record_in(
            s,
            signed.document_id,
            "pdf-personal",
            signed.stored,
            "application/pdf",
            signatures=signed.signatures,
        )
        m.status = str(MeetingStatus.SIGNED)
        m.transition_seq += 1
        m.updated_at = service.utcnow()
        subject = service.subject_of(m)
        role = service.chair_role(caller.actor, ctx)
        s.add(
            DossierTransition(
                **subject_columns(subject),
                seq=m.transition_seq,
                action=str(Action.APPROVE),
                from_status=str(MeetingStatus.CLOSED),
                to_status=str(MeetingStatus.SIGNED),
                actor_id=user.id,
                actor_role=str(role),
            )
        )
        flush(s)
        audit.append(
            s,
            kind=str(Action.APPROVE),
            subject=subject,
            who=audit.Who(user.id, user.full_name, str(role), ctx.cluster.name, ctx.cluster.name),
            from_status=str(MeetingStatus.CLOSED),
            to_status=str(MeetingStatus.SIGNED),
            data={
                "meeting_id": m.id,
                "forms": [service.MINUTES_FORM],
                "signed": [
                    {
                        "document_id": signed.document_id,
                        "object_key": signed.stored.key,
                        "version_id": signed.stored.version_id,
                        "sha256": signed.stored.sha256,
                    }
                ],
            },
        )
        return outbox.add_step(s, subject, m.transition_seq).id
