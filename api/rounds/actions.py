"""A round's actions on the engine: submit, withdraw, approve, return.

The same order as a dossier's approval (api/dossiers/approvals.py): every refusal that
needs no secret first, in a read-only look; then the PIN or the uploaded signed PDFs and
the signatures; last the one transaction with the signed PDFs, the new state, the
transition, the audit event and the outbox row whose flow issues the Tờ trình.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy.orm import Session

from api.consultation import service as consultation
from api.deps import Caller
from api.dossiers import approvals
from api.dossiers.schemas import ActionIn
from api.dossiers.service import Signed, ToSign, flush
from api.meetings import service as council
from api.opinions import service as opinions_service
from api.rounds import service
from api.rounds.schemas import RoundOut
from domain import rounds as rules
from domain.errors import SigningPinRequired, StaleVersion
from domain.process import ROUND_SUBMISSION, Action, Transition, decide
from domain.roles import Actor
from domain.rounds import RoundScope
from issuing.issue import record_in
from issuing.runtime import Runtime
from storage import audit, delegations, outbox
from storage import rounds as store
from storage.models import AwardRound, OutboxItem, User
from storage.repositories import steps
from storage.repositories import users as users_repo


def _decide(
    s: Session,
    actor: Actor,
    r: AwardRound,
    action: Action,
    body: ActionIn,
    council_awards: str = "*",
) -> Transition:
    if body.version is not None and body.version != r.version:
        raise StaleVersion("Đợt đã được người khác thay đổi. Hãy tải lại rồi thử lại.")
    problems = rules.check_submittable(len(store.dossiers_of(s, r.id)))
    t = decide(
        ROUND_SUBMISSION,
        r.status,
        actor,
        RoundScope(r.authority_id),
        action,
        reason=body.reason,
        problems=problems,
    )
    if outbox.is_processing(s, service.subject_of(r)):
        raise StaleVersion(
            "Bước trước của đợt đang được xử lý. Hãy thử lại sau ít phút.", code="processing"
        )
    if t.action == Action.SUBMIT:
        # What must be done before the list goes to the Phòng's head: the public
        # consultation's period over, every required agency's opinion received.
        consultation.check_before_submit(s, r)
        opinions_service.check_no_pending(s, r)
        # The council votes before the list goes on (api/meetings/service.py).
        council.check_round_council(s, r, council_awards)
    return t


def check(
    s: Session,
    actor: Actor,
    round_id: int,
    action: Action,
    body: ActionIn,
    council_awards: str = "*",
) -> tuple[AwardRound, Transition]:
    r = service.visible_round(s, actor, round_id)
    return r, _decide(s, actor, r, action, body, council_awards)


def to_sign(s: Session, r: AwardRound, t: Transition) -> list[ToSign]:
    """The prepared PDFs the approval signs (the Tờ trình, prepared when the round came
    to the leader's desk)."""
    return approvals.prepared_to_sign(s, service.subject_of(r), r.transition_seq, t)


def act(
    s: Session,
    user: User,
    actor: Actor,
    round_id: int,
    action: Action,
    body: ActionIn,
    signed: Sequence[Signed] = (),
    council_awards: str = "*",
) -> tuple[AwardRound, OutboxItem]:
    """Take the action in the caller's one transaction."""
    r = service.visible_round(s, actor, round_id, for_update=True)
    t = _decide(s, actor, r, action, body, council_awards)
    if {i.document_id for i in to_sign(s, r, t)} != {x.document_id for x in signed}:
        raise SigningPinRequired()
    for x in signed:
        record_in(
            s, x.document_id, "pdf-personal", x.stored, "application/pdf", signatures=x.signatures
        )
    scope = RoundScope(r.authority_id)
    role = next(role for role in sorted(t.roles) if actor.holds(role, scope))
    r.status = str(t.target)
    r.transition_seq += 1
    reason = body.reason.strip() if body.reason else None
    subject = service.subject_of(r)
    steps.add(
        s,
        subject,
        r.transition_seq,
        action=t.action,
        source=t.source,
        target=t.target,
        actor_id=user.id,
        role=role,
        reason=reason,
    )
    flush(s)
    authority = service.authority_name(s, r)
    audit.append(
        s,
        kind=t.action,
        subject=subject,
        who=audit.Who(
            user.id,
            user.full_name,
            str(role),
            authority,
            delegations.on_behalf(s, actor, role, scope, authority),
        ),
        from_status=t.source,
        to_status=t.target,
        reason=reason,
        data={
            "round_id": r.id,
            "transition_seq": r.transition_seq,
            "forms": [f.form for f in t.forms],
            "signed": [x.as_data() for x in signed],
        },
    )
    return r, outbox.add_step(s, subject, r.transition_seq)


def take_action(
    rt: Runtime,
    caller: Caller,
    round_id: int,
    action: Action,
    body: ActionIn,
    files: list[bytes],
    render: Callable[[Session, AwardRound], RoundOut],
) -> tuple[RoundOut, int]:
    """Runs in a worker thread. Returns the answer and the outbox row to dispatch."""
    with rt.db.read() as s:
        r, t = check(s, caller.actor, round_id, action, body, rt.settings.council_awards)
        items = to_sign(s, r, t)
    signed = approvals.signatures(rt, caller, items, files, body.signing_pin)
    with rt.db.write() as s:
        user = users_repo.user_by_id(s, caller.user.id)
        assert user is not None
        r, item = act(
            s, user, caller.actor, round_id, action, body, signed, rt.settings.council_awards
        )
        return render(s, r), item.id
