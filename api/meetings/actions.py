"""A meeting's steps on the engine: the secretary closes it (`submit`: the tally counted
and stored, the Biên bản prepared by the flow), signs the Biên bản first in a request of
theirs, and the chair's `approve` signs on top; the flow then numbers it in the council's
series and seals it.

The same order as a round's actions (api/rounds/actions.py): every refusal that needs no
secret first, in a read-only look; then the PIN and the signatures; last the one
transaction with the signed PDF, the new state, the transition, the audit event and the
outbox row.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from sqlalchemy.orm import Session

from api.deps import Caller
from api.dossiers import approvals, signing
from api.dossiers.schemas import ActionIn
from api.dossiers.service import Signed, ToSign, flush
from api.meetings import service
from api.meetings.schemas import MeetingOut, SecretarySignIn
from documents import fields
from domain import meetings as rules
from domain.errors import (
    Conflict,
    DocumentsNotReady,
    Forbidden,
    IllegalTransition,
    SigningPinRequired,
    StaleVersion,
)
from domain.meetings import MeetingStatus, MemberRole
from domain.process import PROCESSES, Action, Transition, decide
from domain.roles import Actor
from issuing import issue
from issuing.forms import plan_next
from issuing.issue import personal_key, record_in
from issuing.runtime import Runtime
from storage import audit, outbox
from storage.models import (
    DocumentVersion,
    DossierTransition,
    Meeting,
    OutboxItem,
    User,
    subject_columns,
)
from storage.repositories import documents as documents_repo
from storage.repositories import users as users_repo


def _decide(s: Session, actor: Actor, m: Meeting, action: Action, body: ActionIn) -> Transition:
    if body.version is not None and body.version != m.version:
        raise StaleVersion("Cuộc họp đã được người khác thay đổi. Hãy tải lại rồi thử lại.")
    t = decide(
        PROCESSES[m.process], m.status, actor, service.scope_of(m), action, reason=body.reason
    )
    # The process says which kind of person takes the step; the meeting says which one.
    wanted = MemberRole.SECRETARY if t.action == Action.SUBMIT else MemberRole.CHAIR
    me = service.member_of(m, actor.user_id)
    if me is None or me.role != wanted:
        who = "thư ký" if wanted == MemberRole.SECRETARY else "chủ tịch Hội đồng"
        raise Forbidden(
            f"Chỉ {who} của cuộc họp được «{PROCESSES[m.process].action_labels[action]}».",
            code="not_secretary" if wanted == MemberRole.SECRETARY else "not_chair",
        )
    if outbox.is_processing(s, service.subject_of(m)):
        raise StaleVersion(
            "Bước trước của cuộc họp đang được xử lý. Hãy thử lại sau ít phút.", code="processing"
        )
    if t.action == Action.SUBMIT:
        rules.check_close(service.store.members_of(m), m.held_on)
    if t.action == Action.APPROVE:
        _, _, signed = service.minutes_document(s, m)
        if signed is None:
            raise Conflict(
                "Thư ký chưa ký Biên bản: chủ tịch Hội đồng ký sau thư ký.",
                code="secretary_not_signed",
            )
    return t


def to_sign(s: Session, m: Meeting, t: Transition) -> list[ToSign]:
    """The Biên bản the chair signs: on top of the secretary's signed copy."""
    if t.action != Action.APPROVE or not t.forms:
        return []
    items = []
    for job in plan_next(s, service.subject_of(m), m.transition_seq):
        doc_id, prepared, signed = service.minutes_document(s, m)
        if doc_id is None or prepared is None or signed is None:
            raise DocumentsNotReady()
        items.append(ToSign(doc_id, prepared, job, signed))
    return items


def act(
    s: Session,
    user: User,
    actor: Actor,
    meeting_id: int,
    action: Action,
    body: ActionIn,
    signed: Sequence[Signed] = (),
) -> tuple[Meeting, OutboxItem]:
    m = service.visible_meeting(s, actor, meeting_id, for_update=True)
    t = _decide(s, actor, m, action, body)
    if {i.document_id for i in to_sign(s, m, t)} != {x.document_id for x in signed}:
        raise SigningPinRequired()
    for x in signed:
        record_in(
            s, x.document_id, "pdf-personal", x.stored, "application/pdf", signatures=x.signatures
        )
    scope = service.scope_of(m)
    role = next(role for role in sorted(t.roles) if actor.holds(role, scope))
    data: dict[str, object] = {"meeting_id": m.id, "forms": [f.form for f in t.forms]}
    if t.action == Action.SUBMIT:
        # Counted once, at the close, and stored: the Biên bản and the round read it.
        m.tally = service.count(s, m, m.held_on)
        m.closed_at = service.utcnow()
        results = m.tally["results"]
        data |= {
            "questions": len(results),
            "passed": sum(1 for r in results if r["passed"]),
            "results": [
                {k: r[k] for k in ("key", "agree", "disagree", "abstain", "passed")}
                for r in results
            ],
        }
    m.status = str(t.target)
    m.transition_seq += 1
    reason = body.reason.strip() if body.reason else None
    subject = service.subject_of(m)
    s.add(
        DossierTransition(
            **subject_columns(subject),
            seq=m.transition_seq,
            action=t.action,
            from_status=t.source,
            to_status=t.target,
            actor_id=user.id,
            actor_role=role,
            reason=reason,
        )
    )
    flush(s)
    data["signed"] = [
        {
            "document_id": x.document_id,
            "object_key": x.stored.key,
            "version_id": x.stored.version_id,
            "sha256": x.stored.sha256,
        }
        for x in signed
    ]
    audit.append(
        s,
        kind=t.action,
        subject=subject,
        who=service._who(s, user, str(role), m.authority_id),
        from_status=t.source,
        to_status=t.target,
        reason=reason,
        data=data,
    )
    return m, outbox.add_step(s, subject, m.transition_seq)


def take_action(
    rt: Runtime,
    caller: Caller,
    meeting_id: int,
    action: Action,
    body: ActionIn,
    files: list[bytes],
    render: Callable[[Session, Meeting], MeetingOut],
) -> tuple[MeetingOut, int]:
    """Runs in a worker thread. Returns the answer and the outbox row to dispatch."""
    with rt.db.read() as s:
        m = service.visible_meeting(s, caller.actor, meeting_id)
        t = _decide(s, caller.actor, m, action, body)
        items = to_sign(s, m, t)
    signed = approvals.signatures(rt, caller, items, files, body.signing_pin)
    with rt.db.write() as s:
        user = users_repo.user_by_id(s, caller.user.id)
        assert user is not None
        m, item = act(s, user, caller.actor, meeting_id, action, body, signed)
        return render(s, m), item.id


def sign_as_secretary(
    rt: Runtime,
    caller: Caller,
    meeting_id: int,
    body: SecretarySignIn,
    render: Callable[[Session, Meeting], MeetingOut],
) -> MeetingOut:
    """The secretary signs the prepared Biên bản with their PIN, in their own request (the
    meeting does not move); the chair's approval then signs on top of it."""
    with rt.db.read() as s:
        m = service.visible_meeting(s, caller.actor, meeting_id)
        doc_id, prepared = _secretary_waiting(s, m, caller.user.id, body.version)
        title = f"Biên bản họp Hội đồng – {m.title}"
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
        m = service.visible_meeting(s, caller.actor, meeting_id, for_update=True)
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
        flush(s)
        audit.append(
            s,
            kind="minutes_signed_by_secretary",
            subject=service.subject_of(m),
            who=service._who(s, user, "meeting:thu_ky", m.authority_id),
            data={
                "meeting_id": m.id,
                "document_id": doc_id,
                "object_key": stored.key,
                "version_id": stored.version_id,
                "sha256": stored.sha256,
            },
        )
        return render(s, m)


def _secretary_waiting(
    s: Session, m: Meeting, user_id: int, version: int | None
) -> tuple[int, DocumentVersion]:
    if version is not None and version != m.version:
        raise StaleVersion("Cuộc họp đã được người khác thay đổi. Hãy tải lại rồi thử lại.")
    if m.status != MeetingStatus.CLOSED:
        raise IllegalTransition("Chỉ ký Biên bản khi cuộc họp đã kết thúc, chờ ký Biên bản.")
    me = service.member_of(m, user_id)
    if me is None or me.role != MemberRole.SECRETARY:
        raise Forbidden("Chỉ thư ký của cuộc họp ký Biên bản trước.", code="not_secretary")
    if outbox.is_processing(s, service.subject_of(m)):
        raise StaleVersion(
            "Biên bản đang được chuẩn bị. Hãy thử lại sau ít phút.", code="processing"
        )
    doc_id, prepared, signed = service.minutes_document(s, m)
    if signed is not None:
        raise IllegalTransition("Bạn đã ký Biên bản.", code="already_signed")
    if doc_id is None or prepared is None:
        raise DocumentsNotReady()
    return doc_id, prepared
