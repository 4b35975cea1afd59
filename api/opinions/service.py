"""Use cases of hiệp y: the board asks the configured agencies for their opinion on a
round's nominees; each agency's reviewer answers in tdkt, or the board uploads the
agency's signed letter; a negative reply holds the nominee back until the board head
overrides it with a reason. Every change is an event on the round's own chain.

Why the board head overrides and not the specialist: the specialist asks for and records
the opinions; letting the same person also waive a negative reply leaves no second pair
of eyes on it, and the head (Lãnh đạo Phòng TĐKT) approves the round's list anyway.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from api.opinions import replies
from api.opinions.schemas import (
    AnswerIn,
    InboxItemOut,
    OverrideIn,
    RoundOpinionsOut,
)
from api.rounds import service as rounds_service
from domain import opinions as cfg
from domain import rounds as round_rules
from domain.awards import AWARDS
from domain.errors import (
    Forbidden,
    IllegalTransition,
    NotFound,
    ReasonRequired,
    SignatureRejected,
)
from domain.roles import Actor, Role
from domain.rounds import RoundStatus
from storage import audit
from storage import opinions as store
from storage import rounds as rounds_store
from storage.models import (
    Agency,
    AwardRound,
    Nominee,
    OpinionOverride,
    OpinionRequest,
    User,
    utcnow,
)
from storage.repositories import dossiers as dossiers_repo
from storage.repositories import notifications as notifications_repo
from storage.repositories import org as org_repo

REQUEST_NOT_FOUND = "Không tìm thấy yêu cầu cho ý kiến hiệp y."


def today() -> datetime:
    return utcnow()


def _who(user: User, role: Role, where: str) -> audit.Who:
    return audit.Who(user.id, user.full_name, str(role), where, where)


def _not_closed(r: AwardRound) -> None:
    if r.status == RoundStatus.SUBMITTED:
        raise IllegalTransition(
            "Đợt đã trình Chủ tịch UBND tỉnh: không thay đổi ý kiến hiệp y được nữa.",
            code="round_submitted",
        )


def request_opinions(s: Session, user: User, actor: Actor, round_id: int) -> AwardRound:
    """Ask every agency the configuration names for every listed nominee that needs one
    (once: a nominee already asked is not asked again)."""
    r = rounds_service.visible_round(s, actor, round_id, for_update=True)
    round_rules.check_composer(actor, r.authority_id)
    round_rules.check_editable(r.status)
    agencies = store.agencies_by_code(s)
    existing = {(q.nominee_id, q.agency_id) for q in store.requests_of_round(s, r.id)}
    on = today().date()
    asked: list[dict[str, object]] = []
    per_agency: dict[int, int] = {}  # how many nominees each agency is asked about
    for n in store.passed_nominees(s, r.id):
        for code in cfg.agencies_for(n.category, on):
            agency = agencies.get(code)
            if agency is None or (n.nominee_id, agency.id) in existing:
                continue
            s.add(
                OpinionRequest(
                    round_id=r.id,
                    nominee_id=n.nominee_id,
                    agency_id=agency.id,
                    requested_by=user.id,
                )
            )
            asked.append({"nominee_id": n.nominee_id, "nominee": n.name, "agency": agency.name})
            per_agency[agency.id] = per_agency.get(agency.id, 0) + 1
    if not asked:
        raise IllegalTransition(
            "Không có đối tượng nào cần xin ý kiến hiệp y mà chưa được hỏi.",
            code="no_opinions_to_request",
        )
    s.flush()
    where = rounds_service.authority_name(s, r)
    event = audit.append(
        s,
        kind="opinions_requested",
        subject=rounds_service.subject_of(r),
        who=_who(user, Role.BOARD_SPECIALIST, where),
        data={"round_id": r.id, "requests": asked},
    )
    _notify_reviewers(s, r, where, per_agency, event.subject_seq or 0)
    return r


def _notify_reviewers(
    s: Session, r: AwardRound, where: str, per_agency: dict[int, int], seq: int
) -> None:
    """Each asked agency's reviewers are told in their notifications how many nominees of
    the round the board asks them about. The notice is about the round, numbered by the
    request's event on the round's chain, negated: a request is not one of the round's
    own steps (whose notices use the positive step numbers)."""
    reviewers = store.reviewers_of(s, per_agency)
    for agency_id, count in sorted(per_agency.items()):
        message = (
            f"{where} xin ý kiến hiệp y về {count} đối tượng của đợt «{r.name}»: "
            "trả lời ở trang «Ý kiến hiệp y»."
        )
        for user_id in sorted(reviewers.get(agency_id, set())):
            notifications_repo.notify_once(
                s, user_id, rounds_service.subject_of(r), -seq, message[:500]
            )


def _agency_ids(actor: Actor) -> set[int]:
    return {
        g.agency_id
        for g in actor.grants
        if g.role == Role.AGENCY_REVIEWER and g.agency_id is not None
    }


reply_out = replies.reply_out


def round_opinions(s: Session, actor: Actor, r: AwardRound) -> RoundOpinionsOut:
    """Every nominee that needs opinions, each reply with its agency and date, who is held
    back and why: seen by everyone who sees the round."""
    out, pending = replies.nominee_opinions(s, r.id, today().date())
    roles = round_rules.roles_over(actor, r.authority_id)
    open_ = r.status != RoundStatus.SUBMITTED
    return RoundOpinionsOut(
        round_id=r.id,
        nominees=out,
        pending=pending,
        can_request=Role.BOARD_SPECIALIST in roles and r.status in round_rules.EDITABLE,
        can_upload=Role.BOARD_SPECIALIST in roles and open_,
        can_override=Role.BOARD_HEAD in roles and open_,
    )


def check_no_pending(s: Session, r: AwardRound) -> None:
    """409 `opinions_pending` while a required opinion has not been received: the round is
    not submitted before every agency the configuration names has answered."""
    pending = round_opinions(s, Actor(user_id=0), r).pending
    if pending:
        raise OpinionsPending(
            "Chưa đủ ý kiến hiệp y, chưa trình đợt được. Còn thiếu: " + "; ".join(pending) + "."
        )


class OpinionsPending(IllegalTransition):
    code = "opinions_pending"


def _request_for_agency(s: Session, actor: Actor, request_id: int) -> OpinionRequest:
    """The request, for a reviewer of the agency it is addressed to; 404 for anyone else
    (another agency must not learn whom the board asks about)."""
    q = store.opinion_request(s, request_id, for_update=True)
    if q is None or q.agency_id not in _agency_ids(actor):
        raise NotFound(REQUEST_NOT_FOUND, code="opinion_request_not_found")
    return q


def _record(
    s: Session,
    r: AwardRound,
    q: OpinionRequest,
    who: audit.Who,
    *,
    kind: str,
    extra: dict[str, object],
) -> None:
    agency = s.get(Agency, q.agency_id)
    nominee = s.get(Nominee, q.nominee_id)
    assert agency is not None and nominee is not None
    audit.append(
        s,
        kind=kind,
        subject=rounds_service.subject_of(r),
        who=who,
        reason=q.note or None,
        data={
            "round_id": r.id,
            "request_id": q.id,
            "nominee_id": q.nominee_id,
            "nominee": nominee.name,
            "agency": agency.name,
            "opinion": q.opinion,
            "answered_at": q.answered_at.isoformat() if q.answered_at else None,
            **extra,
        },
    )


def answer(s: Session, user: User, actor: Actor, request_id: int, body: AnswerIn) -> OpinionRequest:
    q = _request_for_agency(s, actor, request_id)
    # The agency's reviewer does not see the round itself, only this request of it.
    r = rounds_store.award_round(s, q.round_id, for_update=True)
    assert r is not None
    _not_closed(r)
    if q.opinion is not None:
        raise IllegalTransition(
            "Cơ quan đã cho ý kiến về đối tượng này.", code="opinion_already_given"
        )
    if body.opinion == cfg.Opinion.DISAGREE and not body.note:
        raise ReasonRequired("Ý kiến không đồng ý cần nêu lý do.", code="note_required")
    q.opinion, q.note = str(body.opinion), body.note
    q.answered_at, q.answered_by, q.source = utcnow(), user.id, "tdkt"
    s.flush()
    agency = s.get(Agency, q.agency_id)
    assert agency is not None
    _record(s, r, q, _who(user, Role.AGENCY_REVIEWER, agency.name), kind="opinion_given", extra={})
    return q


def inbox(s: Session, actor: Actor) -> list[InboxItemOut]:
    agency_ids = _agency_ids(actor)
    if not agency_ids:
        raise Forbidden(
            "Chỉ cán bộ của cơ quan được xin ý kiến hiệp y xem trang này.",
            code="not_agency_reviewer",
        )
    return [
        InboxItemOut(
            request_id=row.request.id,
            round_name=row.round_name,
            nominee_name=row.nominee_name,
            nominee_kind=row.nominee_kind,
            job_title=row.job_title,
            unit_name=row.unit_name,
            category_label=cfg.CATEGORY_LABELS.get(row.category or "", ""),
            award_name=AWARDS[row.award].name if row.award in AWARDS else row.award,
            requested_at=row.requested_at,
            requested_at_vn=audit.vn_time(row.requested_at),
            opinion=row.request.opinion,
            opinion_label=cfg.OPINION_LABELS.get(row.request.opinion or "", "Chưa trả lời"),
            note=row.request.note or "",
            answered_at_vn=audit.vn_time(row.request.answered_at)
            if row.request.answered_at
            else "",
            can_answer=row.request.opinion is None and row.round_status != RoundStatus.SUBMITTED,
        )
        for row in store.inbox(s, agency_ids)
    ]


def override(s: Session, user: User, actor: Actor, round_id: int, body: OverrideIn) -> AwardRound:
    r = rounds_service.visible_round(s, actor, round_id, for_update=True)
    if Role.BOARD_HEAD not in round_rules.roles_over(actor, r.authority_id):
        raise Forbidden(
            "Chỉ lãnh đạo Phòng Thi đua – Khen thưởng quyết định đưa đối tượng có ý kiến "
            "hiệp y không đồng ý vào danh sách.",
            code="forbidden_action",
        )
    _not_closed(r)
    rounds_service.check_list_open(s, r, "đưa thêm đối tượng vào danh sách biểu quyết")
    if not body.reason:
        raise ReasonRequired("Cần nêu lý do vẫn đưa đối tượng vào danh sách.")
    negative = [
        q
        for q in store.requests_of_round(s, r.id)
        if q.nominee_id == body.nominee_id and q.opinion == cfg.Opinion.DISAGREE
    ]
    if not negative:
        raise IllegalTransition(
            "Đối tượng này không bị giữ lại bởi ý kiến hiệp y nào.", code="not_held_back"
        )
    if body.nominee_id in store.overrides_of_round(s, r.id):
        raise IllegalTransition("Đã quyết định cho đối tượng này rồi.", code="already_overridden")
    s.add(
        OpinionOverride(
            round_id=r.id, nominee_id=body.nominee_id, reason=body.reason, decided_by=user.id
        )
    )
    r.updated_at = utcnow()  # the list changed: others' views of the round are stale
    s.flush()
    nominee = s.get(Nominee, body.nominee_id)
    agencies = {a.id: a.name for a in store.all_agencies(s)}
    audit.append(
        s,
        kind="opinion_overridden",
        subject=rounds_service.subject_of(r),
        who=_who(user, Role.BOARD_HEAD, rounds_service.authority_name(s, r)),
        reason=body.reason,
        data={
            "round_id": r.id,
            "nominee_id": body.nominee_id,
            "nominee": nominee.name if nominee else "",
            "agencies": [agencies.get(q.agency_id, "") for q in negative],
        },
    )
    return r


def set_category(
    s: Session, user: User, actor: Actor, nominee_id: int, category: str | None
) -> Nominee:
    """The board specialist marks a nominee's category after the unit sent the dossier."""
    n = s.get(Nominee, nominee_id)
    d = dossiers_repo.dossier(s, n.dossier_id) if n is not None else None
    scope = dossiers_repo.scope_of(s, d) if d is not None else None
    if n is None or d is None or scope is None or not actor.can_view(scope):
        raise NotFound("Không tìm thấy đối tượng đề nghị.", code="nominee_not_found")
    if not actor.holds(Role.BOARD_SPECIALIST, scope):
        raise Forbidden(
            "Chỉ chuyên viên Phòng Thi đua – Khen thưởng sửa loại đối tượng ở bước này.",
            code="forbidden_action",
        )
    before = n.opinion_category
    n.opinion_category = category
    s.flush()
    audit.append(
        s,
        kind="nominee_category_set",
        dossier_id=d.id,
        who=_who(user, Role.BOARD_SPECIALIST, org_repo.authority(s, d.authority_id).name),
        data={"nominee_id": n.id, "nominee": n.name, "from": before, "to": category},
    )
    return n


# ------------------------------------------------------------------ the agency's letter


def letter_refusal(code: str, message: str) -> SignatureRejected:
    return SignatureRejected(message, code=code)


def check_round_for_letter(
    s: Session, actor: Actor, q: OpinionRequest, *, lock: bool = True
) -> AwardRound:
    r = rounds_service.visible_round(s, actor, q.round_id, for_update=lock)
    if Role.BOARD_SPECIALIST not in round_rules.roles_over(actor, r.authority_id):
        raise Forbidden(
            "Chỉ chuyên viên Phòng Thi đua – Khen thưởng tải lên công văn của cơ quan.",
            code="forbidden_action",
        )
    _not_closed(r)
    if q.opinion is not None:
        raise IllegalTransition(
            "Cơ quan đã cho ý kiến về đối tượng này.", code="opinion_already_given"
        )
    return r


def record_letter(
    s: Session,
    user: User,
    actor: Actor,
    request_id: int,
    opinion: cfg.Opinion,
    note: str,
    *,
    key: str,
    sha256: str,
    signer: str,
    signed_at: datetime,
) -> OpinionRequest:
    q = store.opinion_request(s, request_id, for_update=True)
    if q is None:
        raise NotFound(REQUEST_NOT_FOUND, code="opinion_request_not_found")
    r = check_round_for_letter(s, actor, q)
    if opinion == cfg.Opinion.DISAGREE and not note:
        raise ReasonRequired("Ý kiến không đồng ý cần nêu lý do.", code="note_required")
    q.opinion, q.note, q.answered_at, q.answered_by = str(opinion), note, signed_at, user.id
    q.source, q.letter_key, q.letter_sha256, q.letter_signer = "letter", key, sha256, signer
    s.flush()
    _record(
        s,
        r,
        q,
        _who(user, Role.BOARD_SPECIALIST, rounds_service.authority_name(s, r)),
        kind="opinion_letter_recorded",
        extra={"object_key": key, "sha256": sha256, "signer": signer},
    )
    return q
