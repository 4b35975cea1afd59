"""A decision's actions on the engine: submit and withdraw (the board's specialist), sign
or return (a leader of the UBND tỉnh), in the same order as a round's (api/rounds/
actions.py): refusals that need no secret first, then the PIN and the signature, last the
one transaction with the signed PDF, the new state, the transition, the audit event and
the outbox row whose flow numbers, seals and stores the Quyết định and records the awards.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy.orm import Session

from api.decisions import service
from api.decisions.schemas import DecisionOut
from api.deps import Caller
from api.dossiers import approvals
from api.dossiers.schemas import ActionIn
from api.dossiers.service import Signed, ToSign, flush
from domain import decisions as rules
from domain import prize_money
from domain.errors import SigningPinRequired, StaleVersion
from domain.process import DECISION_ISSUANCE, Action, Transition, decide
from domain.roles import Actor
from issuing.decision_forms import today_vn
from issuing.issue import record_in
from issuing.jobs import issued_at
from issuing.runtime import Runtime
from storage import audit, delegations, outbox
from storage.models import AwardDecision, DossierTransition, OutboxItem, User, subject_columns
from storage.repositories import org as org_repo
from storage.repositories import steps as steps_repo
from storage.repositories import users as users_repo


def _decide(
    s: Session, actor: Actor, d: AwardDecision, action: Action, body: ActionIn
) -> Transition:
    if body.version is not None and body.version != d.version:
        raise StaleVersion("Quyết định đã được người khác thay đổi. Hãy tải lại rồi thử lại.")
    t = decide(DECISION_ISSUANCE, d.status, actor, service.scope_of(d), action, reason=body.reason)
    if outbox.is_processing(s, service.subject_of(d)):
        raise StaleVersion(
            "Bước trước của quyết định đang được xử lý. Hãy thử lại sau ít phút.",
            code="processing",
        )
    if action == Action.APPROVE:
        prepared = steps_repo.transition(s, service.subject_of(d), d.transition_seq)
        if prepared is not None:
            awards = service.round_awards(s, d)
            rules.check_prize_values(
                prize_money.values_changed(awards, issued_at(prepared).date(), today_vn())
            )
    return t


def to_sign(s: Session, d: AwardDecision, t: Transition) -> list[ToSign]:
    """The prepared Quyết định the signer signs (prepared when it came to their desk)."""
    return approvals.prepared_to_sign(s, service.subject_of(d), d.transition_seq, t)


def act(
    s: Session,
    user: User,
    actor: Actor,
    decision_id: int,
    action: Action,
    body: ActionIn,
    signed: Sequence[Signed] = (),
) -> tuple[AwardDecision, OutboxItem]:
    d = service.visible_decision(s, actor, decision_id, for_update=True)
    t = _decide(s, actor, d, action, body)
    if {i.document_id for i in to_sign(s, d, t)} != {x.document_id for x in signed}:
        raise SigningPinRequired()
    for x in signed:
        record_in(
            s, x.document_id, "pdf-personal", x.stored, "application/pdf", signatures=x.signatures
        )
    scope = service.scope_of(d)
    role = next(role for role in sorted(t.roles) if actor.holds(role, scope))
    d.status = str(t.target)
    d.transition_seq += 1
    reason = body.reason.strip() if body.reason else None
    subject = service.subject_of(d)
    s.add(
        DossierTransition(
            **subject_columns(subject),
            seq=d.transition_seq,
            action=t.action,
            from_status=t.source,
            to_status=t.target,
            actor_id=user.id,
            actor_role=role,
            reason=reason,
        )
    )
    flush(s)
    where = org_repo.authority(
        s, d.decider_authority_id if action in (Action.APPROVE, Action.RETURN) else d.authority_id
    ).name
    audit.append(
        s,
        kind=t.action,
        subject=subject,
        who=audit.Who(
            user.id,
            user.full_name,
            str(role),
            where,
            delegations.on_behalf(s, actor, role, scope, where),
        ),
        from_status=t.source,
        to_status=t.target,
        reason=reason,
        data={
            "decision_id": d.id,
            "transition_seq": d.transition_seq,
            "forms": [f.form for f in t.forms],
            "signed": [
                {
                    "document_id": x.document_id,
                    "object_key": x.stored.key,
                    "version_id": x.stored.version_id,
                    "sha256": x.stored.sha256,
                }
                for x in signed
            ],
        },
    )
    return d, outbox.add_step(s, subject, d.transition_seq)


def take_action(
    rt: Runtime,
    caller: Caller,
    decision_id: int,
    action: Action,
    body: ActionIn,
    files: list[bytes],
    render: Callable[[Session, AwardDecision], DecisionOut],
) -> tuple[DecisionOut, int]:
    """Runs in a worker thread. Returns the answer and the outbox row to dispatch."""
    with rt.db.read() as s:
        d = service.visible_decision(s, caller.actor, decision_id)
        t = _decide(s, caller.actor, d, action, body)
        items = to_sign(s, d, t)
    signed = approvals.signatures(rt, caller, items, files, body.signing_pin)
    with rt.db.write() as s:
        user = users_repo.user_by_id(s, caller.user.id)
        assert user is not None
        d, item = act(s, user, caller.actor, decision_id, action, body, signed)
        return render(s, d), item.id
