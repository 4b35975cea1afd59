"""Use cases of the cluster's year-end secret vote (domain/cluster_vote.py): the chair
(the head unit's cluster approver or head) convenes it about the cluster's year, records
the attendance and the representatives, closes it; each present member's representative
casts one secret paper and gets a receipt code; the tally is counted at the close, next
year's head and deputy become next year's `cluster_terms`.

A meeting of the meetings mechanism (`meetings`, `meeting_members`, `meeting_questions`)
with `process = cluster_vote`; its ballots are secret (storage/cluster_vote.py). Each runs
inside the request's one transaction and never commits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.clusters import score_service
from api.clusters.service import YearContext, load_year
from api.dossiers.service import record_step
from api.meetings.vote_schemas import (
    BallotPaperIn,
    CountOut,
    MinutesOut,
    OptionOut,
    PublishedBallotOut,
    ReceiptCheckOut,
    SeatOut,
    SecretaryIn,
    SettledOut,
    TallyOut,
    VoteAttendanceIn,
    VoteCreate,
    VoteOut,
    VoteQuestionOut,
    VoteResultOut,
)
from domain import cluster_vote as rules
from domain.awards import AWARDS
from domain.cluster_scores import Period
from domain.errors import Conflict, InvalidInput, NotFound, StaleVersion
from domain.meetings import MeetingStatus, MemberRole, share_words
from domain.process import CLUSTER_VOTED_PROPOSAL, Action, Status
from domain.roles import Actor, Role
from domain.subjects import Subject, SubjectKind
from storage import audit, outbox
from storage import cluster_vote as store
from storage import meetings as meetings_store
from storage.models import (
    ClusterTerm,
    ClusterYear,
    Document,
    DossierTransition,
    Meeting,
    MeetingBallotMark,
    MeetingMember,
    MeetingMemberUnit,
    MeetingQuestion,
    SecretBallot,
    Unit,
    User,
    subject_columns,
    utcnow,
)
from storage.repositories import documents as documents_repo
from storage.repositories import org as org_repo

NOT_FOUND = "Không tìm thấy cuộc bỏ phiếu của Cụm."
STATUS_LABELS: dict[str, str] = {
    MeetingStatus.OPEN: "Đang họp: điểm danh, chưa mở bỏ phiếu",
    MeetingStatus.VOTING: "Đang bỏ phiếu kín",
    MeetingStatus.CLOSED: "Đã kết thúc bỏ phiếu, đã kiểm phiếu; chờ ký Biên bản",
    MeetingStatus.SIGNED: "Đã kiểm phiếu; Biên bản đã ký, đóng dấu",
}
MINUTES_FORM = "bien_ban_binh_xet_cum"
"""The Biên bản họp bình xét, suy tôn (doc_templates/catalogue.py)."""
MINUTES_LABELS = {
    "none": "Chưa kết thúc bỏ phiếu",
    "preparing": "Đang lập Biên bản",
    "waiting_secretary": "Chờ thư ký ký Biên bản",
    "waiting_chair": "Thư ký đã ký; chờ chủ trì ký",
    "issuing": "Chủ trì đã ký; đang cấp số, đóng dấu",
    "issued": "Đã ký, cấp số, đóng dấu",
}
OUTCOME_LABELS = {
    "passed": "Được Cụm đề nghị (vào Tờ trình của Cụm)",
    "returned": "Không đạt, trả lại đơn vị",
    "waiting": "Đến sau khi lập cuộc họp: chưa được bỏ phiếu",
}
REPRESENTATIVE_ROLES = (Role.UNIT_HEAD, Role.UNIT_CLERK, Role.UNIT_MEMBER, Role.CLUSTER_APPROVER)
"""Who may represent a member unit (a user of that unit); its head by default."""


def subject_of(m: Meeting) -> Subject:
    return Subject(SubjectKind.MEETING, m.id)


def _who(user: User, role: str, ctx: YearContext) -> audit.Who:
    return audit.Who(user.id, user.full_name, role, ctx.cluster.name, ctx.cluster.name)


def _event(s: Session, m: Meeting, who: audit.Who, kind: str, data: dict[str, Any]) -> None:
    s.flush()
    audit.append(s, kind=kind, subject=subject_of(m), who=who, data={"meeting_id": m.id, **data})


def load(
    s: Session, actor: Actor, meeting_id: int, *, for_update: bool = False
) -> tuple[Meeting, YearContext]:
    """The vote and its cluster year; 404 to whoever may not see the year."""
    m = meetings_store.meeting(s, meeting_id, for_update=for_update)
    if m is None or m.process != rules.PROCESS:
        raise NotFound(NOT_FOUND, code="meeting_not_found")
    cy = s.get(ClusterYear, m.about_id)
    if cy is None:
        raise NotFound(NOT_FOUND, code="meeting_not_found")
    return m, load_year(s, actor, cy.cluster_id, cy.year)


def _seats(s: Session, m: Meeting) -> list[tuple[MeetingMember, int]]:
    """The voting seats: members that represent a unit (the secretary, who has none, is
    not one)."""
    units = store.units_of(s, m.id)
    return [(x, units[x.id]) for x in m.members if x.id in units]


def secretary_member(m: Meeting) -> MeetingMember | None:
    """The secretary the chair designated: a member row with no unit, no voting seat."""
    return next((x for x in m.members if x.role == MemberRole.SECRETARY), None)


def _seat(s: Session, m: Meeting, user_id: int) -> rules.Seat | None:
    for x, unit in _seats(s, m):
        if x.user_id == user_id:
            return rules.Seat(x.id, unit, x.user_id, x.present)
    return None


def _questions(m: Meeting) -> dict[int, rules.Question]:
    return {q.id: rules.Question(q.id, q.key, rules.kind_of(q.award)) for q in m.questions}


def _chair(actor: Actor, ctx: YearContext) -> None:
    rules.require_chair(actor, ctx.head_unit_id, ctx.term.id if ctx.term else None)


def _ranking(s: Session, ctx: YearContext) -> dict[int, int]:
    """The cluster's year-end ranking where it exists: unit id → rank."""
    ranked = score_service.period_scores(s, ctx, Period.YEAREND).ranking
    return {r.unit_id: r.rank for r in ranked if r.rank is not None}


# ---------------------------------------------------------------- convene


def create(
    s: Session,
    user: User,
    actor: Actor,
    cluster_id: int,
    year: int,
    body: VoteCreate,
) -> Meeting:
    ctx = load_year(s, actor, cluster_id, year)
    _chair(actor, ctx)
    cy = ctx.ensure(s)
    about = Subject(SubjectKind.CLUSTER_YEAR, cy.id)
    if store.vote_about(s, about, rules.PROCESS) is not None:
        raise Conflict("Năm thi đua này của Cụm đã có cuộc bỏ phiếu bình xét.", code="vote_exists")
    if not ctx.members:
        raise InvalidInput("Cụm không có đơn vị thành viên trong năm này.", code="no_members")
    reps: dict[int, User] = {}
    for u in ctx.members:
        heads = store.unit_users(s, u.id, [str(Role.UNIT_HEAD)])
        if not heads:
            raise InvalidInput(
                f"{u.name} chưa có tài khoản Thủ trưởng đơn vị để đại diện bỏ phiếu.",
                code="no_representative",
            )
        reps[u.id] = heads[0]
    unit_ids = [u.id for u in ctx.members]
    names = {u.id: u.name for u in ctx.members}
    rank = _ranking(s, ctx)
    found = {d.id: d for d in store.candidates(s, cluster_id, year, unit_ids)}
    order = rules.candidate_order([(d.id, d.unit_id) for d in found.values()], rank)
    dossiers = [found[i] for i, _u in order]
    title = (
        " ".join((body.title or "").split())
        or f"Họp bình xét, suy tôn năm {year} – {ctx.cluster.name}"
    )
    m = Meeting(
        authority_id=ctx.cluster.authority_id,
        about_kind=str(SubjectKind.CLUSTER_YEAR),
        about_id=cy.id,
        title=title[:400],
        place=" ".join(body.place.split()),
        held_on=body.held_on,
        process=rules.PROCESS,
        status=str(MeetingStatus.OPEN),
        rules=[rules.rule_data(rules.vote_rule(k, body.held_on)) for k in rules.Kind],
        created_by=user.id,
    )
    for i, u in enumerate(ctx.members, 1):
        m.members.append(
            MeetingMember(user_id=reps[u.id].id, role=str(MemberRole.MEMBER), position_no=i)
        )
    questions = [
        (
            rules.CHOICE_KEYS[rules.Kind.LEADER],
            "",
            rules.Kind.LEADER,
            f"Suy tôn đơn vị dẫn đầu Cụm năm {year} (đề nghị Cờ thi đua của UBND tỉnh)",
        ),
    ]
    for d in dossiers:
        if d.award in rules.FLAG_AWARDS:
            continue  # decided by the leading member's question
        award = AWARDS[d.award].name if d.award in AWARDS else d.award
        nominees = "; ".join(n.name for n in d.nominees) or names[d.unit_id]
        questions.append(
            (
                d.id,
                names[d.unit_id],
                rules.Kind.AWARD,
                f"Đồng ý đề nghị tặng «{award}» cho {nominees} ({names[d.unit_id]}, "
                f"hồ sơ số {d.id})",
            )
        )
    questions += [
        (
            rules.CHOICE_KEYS[rules.Kind.HEAD],
            "",
            rules.Kind.HEAD,
            f"Bầu đơn vị Trưởng cụm năm {year + 1}",
        ),
        (
            rules.CHOICE_KEYS[rules.Kind.DEPUTY],
            "",
            rules.Kind.DEPUTY,
            f"Bầu đơn vị Phó trưởng cụm năm {year + 1}",
        ),
    ]
    for i, (key, name, kind, text) in enumerate(questions, 1):
        m.questions.append(
            MeetingQuestion(key=key, name=name or text, text=text, award=str(kind), position_no=i)
        )
    s.add(m)
    s.flush()
    for u, x in zip(ctx.members, m.members, strict=True):
        s.add(MeetingMemberUnit(member_id=x.id, meeting_id=m.id, unit_id=u.id))
    s.flush()
    audit.append(
        s,
        kind="meeting_created",
        subject=subject_of(m),
        who=_who(user, Role.CLUSTER_APPROVER, ctx),
        to_status=m.status,
        data={
            "meeting_id": m.id,
            "cluster_id": ctx.cluster.id,
            "year": year,
            "secret": True,
            "title": m.title,
            "questions": len(questions),
            "candidates": [d.id for d in dossiers],
        },
    )
    return m


def vote_of_year(s: Session, actor: Actor, cluster_id: int, year: int) -> Meeting:
    ctx = load_year(s, actor, cluster_id, year)
    if ctx.row is None:
        raise NotFound(NOT_FOUND, code="meeting_not_found")
    m = store.vote_about(s, Subject(SubjectKind.CLUSTER_YEAR, ctx.row.id), rules.PROCESS)
    if m is None:
        raise NotFound(NOT_FOUND, code="meeting_not_found")
    return m


def set_attendance(
    s: Session, user: User, actor: Actor, meeting_id: int, body: VoteAttendanceIn
) -> Meeting:
    m, ctx = load(s, actor, meeting_id, for_update=True)
    _chair(actor, ctx)
    if m.status != MeetingStatus.OPEN:
        raise Conflict(
            "Bỏ phiếu đã được mở: không thể thay đổi điểm danh hoặc người đại diện.",
            code="voting_open",
        )
    if body.version is not None and body.version != m.version:
        raise StaleVersion(
            "Cuộc họp đã được người khác thay đổi. Hãy tải lại rồi thử lại.", code="stale_version"
        )
    seats = {unit: x for x, unit in _seats(s, m)}
    strangers = sorted(
        (set(body.present_unit_ids) | {r.unit_id for r in body.representatives}) - set(seats)
    )
    if strangers:
        raise InvalidInput(
            "Chỉ điểm danh đơn vị thành viên của Cụm (đơn vị số "
            + ", ".join(str(i) for i in strangers)
            + ").",
            code="not_a_member_unit",
        )
    for r in body.representatives:
        allowed = {
            u.id for u in store.unit_users(s, r.unit_id, [str(x) for x in REPRESENTATIVE_ROLES])
        }
        if r.user_id not in allowed:
            raise InvalidInput(
                f"Tài khoản số {r.user_id} không thuộc đơn vị số {r.unit_id}: không thể đại diện.",
                code="not_unit_user",
            )
        taken = {x.user_id for u, x in seats.items() if u != r.unit_id}
        secretary = secretary_member(m)
        if secretary is not None and r.user_id == secretary.user_id:
            raise InvalidInput(
                "Thư ký cuộc họp không đại diện bỏ phiếu cho một đơn vị.",
                code="secretary_is_representative",
            )
        if r.user_id in taken:
            raise InvalidInput(
                "Một người chỉ đại diện cho một đơn vị.", code="duplicate_representative"
            )
        seats[r.unit_id].user_id = r.user_id
    present = set(body.present_unit_ids)
    for unit, x in seats.items():
        x.present = unit in present
    m.updated_at = utcnow()
    _event(
        s,
        m,
        _who(user, Role.CLUSTER_APPROVER, ctx),
        "meeting_attendance",
        {
            "present_units": sorted(present),
            "members": len(seats),
            "representatives": {str(u): x.user_id for u, x in sorted(seats.items())},
        },
    )
    s.expire(m, ["members"])
    return m


def set_secretary(
    s: Session, user: User, actor: Actor, meeting_id: int, body: SecretaryIn
) -> Meeting:
    """The chair designates the secretary before the vote closes: an active user of a
    member unit (the head unit's clerk, typically) who represents no unit. Stored as a
    member with the role `thu_ky` and no unit: not a voting seat."""
    m, ctx = load(s, actor, meeting_id, for_update=True)
    _chair(actor, ctx)
    if m.status not in (MeetingStatus.OPEN, MeetingStatus.VOTING):
        raise Conflict("Cuộc bỏ phiếu đã kết thúc: không thể thay đổi thư ký.", code="vote_closed")
    if body.version is not None and body.version != m.version:
        raise StaleVersion(
            "Cuộc họp đã được người khác thay đổi. Hãy tải lại rồi thử lại.", code="stale_version"
        )
    seats = _seats(s, m)
    if body.user_id in {x.user_id for x, _u in seats}:
        raise InvalidInput(
            "Người đại diện bỏ phiếu của một đơn vị không làm thư ký cuộc họp.",
            code="secretary_is_representative",
        )
    if body.user_id in _chairs_of(s, ctx):
        raise InvalidInput(
            "Người có thể chủ trì cuộc họp (lãnh đạo đơn vị Trưởng cụm) không làm thư ký: "
            "thư ký ký Biên bản trước, chủ trì ký sau.",
            code="secretary_is_chair",
        )
    roles = [str(x) for x in REPRESENTATIVE_ROLES]
    if not any(
        body.user_id in {u.id for u in store.unit_users(s, unit, roles)} for _x, unit in seats
    ):
        raise InvalidInput(
            f"Tài khoản số {body.user_id} không thuộc một đơn vị thành viên của Cụm: không thể "
            "làm thư ký.",
            code="invalid_secretary",
        )
    found = secretary_member(m)
    before = found.user_id if found else None
    if found is None:
        m.members.append(
            MeetingMember(
                user_id=body.user_id,
                role=str(MemberRole.SECRETARY),
                position_no=max((x.position_no for x in m.members), default=0) + 1,
                present=True,
            )
        )
    else:
        found.user_id = body.user_id
    m.updated_at = utcnow()
    chosen = s.get(User, body.user_id)
    _event(
        s,
        m,
        _who(user, Role.CLUSTER_APPROVER, ctx),
        "vote_secretary_set",
        {
            "user_id": body.user_id,
            "secretary": chosen.full_name if chosen else "",
            "before_user_id": before,
        },
    )
    s.expire(m, ["members"])
    return m


def _chairs_of(s: Session, ctx: YearContext) -> set[int]:
    """Who may chair: the head unit's cluster approvers and heads."""
    if ctx.head_unit_id is None:
        return set()
    roles = [str(Role.CLUSTER_APPROVER), str(Role.UNIT_HEAD)]
    return {u.id for u in store.unit_users(s, ctx.head_unit_id, roles)}


def secretary_options(s: Session, m: Meeting, ctx: YearContext) -> list[OptionOut]:
    """Who the chair may designate as secretary: the member units' users who represent
    none and may not chair, the head unit's first, then by unit and id."""
    seats = _seats(s, m)
    taken = {x.user_id for x, _u in seats} | _chairs_of(s, ctx)
    names = {u.id: u.name for u in ctx.members}
    roles = [str(x) for x in REPRESENTATIVE_ROLES]
    order = sorted((u for _x, u in seats), key=lambda u: (u != ctx.head_unit_id, u))
    out: list[OptionOut] = []
    seen: set[int] = set()
    for unit in order:
        for u in store.unit_users(s, unit, roles):
            if u.id not in taken and u.id not in seen:
                seen.add(u.id)
                out.append(
                    OptionOut(value=str(u.id), label=f"{u.full_name} – {names.get(unit, '')}")
                )
    return out


def open_vote(s: Session, user: User, actor: Actor, meeting_id: int) -> Meeting:
    """The chair opens the ballots (a quorum present): the attendance is frozen."""
    m, ctx = load(s, actor, meeting_id, for_update=True)
    _chair(actor, ctx)
    seats = _seats(s, m)
    present = sum(1 for x, _u in seats if x.present)
    rules.check_open_vote(m.status, len(seats), present, m.held_on)
    m.status = str(MeetingStatus.VOTING)
    m.updated_at = utcnow()
    _event(
        s,
        m,
        _who(user, Role.CLUSTER_APPROVER, ctx),
        "secret_vote_opened",
        {"members": len(seats), "present": present},
    )
    return m


# ---------------------------------------------------------------- ballots


def cast(
    s: Session, user: User, actor: Actor, meeting_id: int, body: BallotPaperIn
) -> tuple[Meeting, str]:
    """The caller's unit's secret paper; answers the receipt code (shown once)."""
    m, _ctx = load(s, actor, meeting_id, for_update=True)
    seat = _seat(s, m, user.id)
    questions = _questions(m)
    choices: dict[int, str] = {}
    for c in body.choices:
        if c.question_id in choices:
            raise InvalidInput(
                "Mỗi nội dung chỉ chọn một lần trên phiếu.", code="duplicate_question"
            )
        choices[c.question_id] = c.choice
    already = (
        {x.question_id for x in store.marks(s, m.id) if x.member_id == seat.member_id}
        if seat
        else set()
    )
    unit_ids = [u for _x, u in _seats(s, m)]
    rules.check_ballot(m.status, seat, already, choices, questions, unit_ids)
    assert seat is not None
    code = rules.new_receipt()
    digest = rules.receipt_hash(code)
    for qid in choices:
        s.add(MeetingBallotMark(question_id=qid, member_id=seat.member_id, meeting_id=m.id))
    # The ballots in the paper's order would follow the marks: in key order instead.
    for key, (qid, choice) in sorted((rules.ballot_key(), x) for x in choices.items()):
        s.add(
            SecretBallot(
                id=key, meeting_id=m.id, question_id=qid, choice=choice, receipt_hash=digest
            )
        )
    try:
        s.flush()
    except IntegrityError as e:  # a second request of the same member, at the same time
        raise Conflict(
            "Đơn vị của bạn đã bỏ phiếu về nội dung này; mỗi đơn vị bỏ một phiếu.",
            code="already_voted",
        ) from e
    unit = s.get(Unit, seat.unit_id)
    audit.append(
        s,
        kind="secret_ballot_cast",
        subject=subject_of(m),
        who=audit.Who(user.id, user.full_name, "meeting:thanh_vien", unit.name if unit else ""),
        data={"meeting_id": m.id, "unit_id": seat.unit_id, "question_ids": sorted(choices)},
    )
    return m, code


# ---------------------------------------------------------------- close


def _label(q: rules.Question, value: str, names: dict[int, str]) -> str:
    if q.kind == rules.Kind.AWARD:
        return rules.AWARD_CHOICES.get(value, value)
    return names.get(int(value), value) if value.lstrip("-").isdigit() else value


def close(s: Session, user: User, actor: Actor, meeting_id: int) -> tuple[Meeting, list[int]]:
    """The chair closes the vote: the tally counted and stored, next year's head and
    deputy set, the close event with the ballots' digest; the close is the meeting's
    transition `submit` (domain/process.py CLUSTER_VOTE), whose step prepares the Biên
    bản; each waiting dossier passed (to the cluster's proposal) or returned to its unit
    with the tally as the reason. Answers the meeting and the outbox rows to dispatch:
    the meeting's step first, then the dossiers' (the Thông báo of a return, the units
    told)."""
    m, ctx = load(s, actor, meeting_id, for_update=True)
    _chair(actor, ctx)
    seats = _seats(s, m)
    present = sum(1 for x, _u in seats if x.present)
    quorum = rules.check_close(m.status, len(seats), present, m.held_on)
    if secretary_member(m) is None:
        raise Conflict(
            "Chưa chỉ định thư ký cuộc họp: thư ký lập và ký Biên bản trước chủ trì. Hãy chỉ "
            "định thư ký rồi kết thúc bỏ phiếu.",
            code="no_secretary",
        )
    store.rewrite_in_key_order(s, m.id)
    s.refresh(m)
    ballots = store.ballots(s, m.id)
    questions = _questions(m)
    unit_ids = [u for _x, u in seats]
    names = {u.id: u.name for u in s.query(Unit).filter(Unit.id.in_(unit_ids))}
    stored_rules = {r.kind: r for r in (rules.rule_from(x) for x in m.rules)}
    outcomes = rules.tally(
        list(questions.values()), ballots, unit_ids, len(seats), present, stored_rules
    )
    texts = {q.id: q.text for q in m.questions}
    winners = {o.question.kind: o.winner for o in outcomes if o.question.kind != rules.Kind.AWARD}
    head, deputy = rules.check_terms(winners.get(rules.Kind.HEAD), winners.get(rules.Kind.DEPUTY))
    terms = _set_next_terms(s, user, ctx, m, head, deputy) if head is not None else None
    digest = rules.digest(ballots)
    settled, outbox_ids = _settle_dossiers(s, user, ctx, m, outcomes, unit_ids, names)
    m.tally = {
        "counted_on": m.held_on.isoformat(),
        "members": len(seats),
        "present": present,
        "absent": [names[u] for x, u in seats if not x.present],
        "quorum_text": (
            f"Có mặt {present}/{len(seats)} đơn vị thành viên, đạt tỷ lệ tối thiểu "
            f"{share_words(quorum.share)}: cuộc họp hợp lệ."
        ),
        "quorum_basis": quorum.basis,
        "results": [
            {
                "question_id": o.question.id,
                "key": o.question.key,
                "kind": str(o.question.kind),
                "text": texts[o.question.id],
                "voters": o.voters,
                "counts": [
                    {"value": c, "label": _label(o.question, c, names), "votes": n}
                    for c, n in o.counts.items()
                ],
                "rule": o.rule.text,
                "basis": o.rule.basis,
                "confirmed": o.rule.confirmed,
                "passed": o.passed,
                "winner": o.winner,
                "winner_label": _label(o.question, o.winner, names) if o.winner else None,
            }
            for o in outcomes
        ],
        "ballots": len(ballots),
        "ballots_digest": digest,
        "next_terms": terms,
        "dossiers": settled,
    }
    m.status = str(MeetingStatus.CLOSED)
    m.closed_at = utcnow()
    m.updated_at = m.closed_at
    m.transition_seq += 1
    s.add(
        DossierTransition(
            **subject_columns(subject_of(m)),
            seq=m.transition_seq,
            action=str(Action.SUBMIT),
            from_status=str(MeetingStatus.VOTING),
            to_status=str(MeetingStatus.CLOSED),
            actor_id=user.id,
            actor_role=str(chair_role(actor, ctx)),
        )
    )
    _event(
        s,
        m,
        _who(user, Role.CLUSTER_APPROVER, ctx),
        "secret_vote_closed",
        {
            "ballots": len(ballots),
            "ballots_digest": digest,
            "results": [
                {
                    "key": o.question.key,
                    "kind": str(o.question.kind),
                    "counts": o.counts,
                    "passed": o.passed,
                    "winner": o.winner,
                }
                for o in outcomes
            ],
            "rules": m.rules,
            "next_terms": terms,
            "dossiers": settled,
        },
    )
    meeting_step = outbox.add_step(s, subject_of(m), m.transition_seq).id
    return m, [meeting_step, *outbox_ids]


def _settle_dossiers(
    s: Session,
    user: User,
    ctx: YearContext,
    m: Meeting,
    outcomes: list[rules.Outcome],
    unit_ids: list[int],
    names: dict[int, str],
) -> tuple[list[dict[str, Any]], list[int]]:
    """Each dossier waiting for the vote, by its outcome: a Bằng khen candidate by its own
    question, a Cờ thi đua by the leading member elected; a dossier that arrived after
    the vote was convened (no question of its own) keeps waiting for the cluster to
    return it. Each move is a step of the dossier's own process, taken in the chair's
    name (CLUSTER_VOTED_PROPOSAL), with its event and its flow."""
    by_key = {o.question.key: o for o in outcomes if o.question.kind == rules.Kind.AWARD}
    leader = next((o for o in outcomes if o.question.kind == rules.Kind.LEADER), None)
    who = _who(user, Role.CLUSTER_APPROVER, ctx)
    held = m.held_on.strftime("%d/%m/%Y")
    settled: list[dict[str, Any]] = []
    outbox_ids: list[int] = []
    for d in store.candidates(s, ctx.cluster.id, ctx.year, unit_ids, for_update=True):
        if d.award in rules.FLAG_AWARDS and leader is not None:
            passed = leader.winner == str(d.unit_id)
            reason = rules.flag_reason(leader, d.unit_id, names, len(unit_ids), held)
        elif d.id in by_key:
            o = by_key[d.id]
            passed = o.passed
            reason = rules.award_reason(o, len(unit_ids), held)
        else:
            settled.append(
                {
                    "dossier_id": d.id,
                    "unit_id": d.unit_id,
                    "unit_name": names.get(d.unit_id, ""),
                    "award": d.award,
                    "outcome": "waiting",
                }
            )
            continue
        step = CLUSTER_VOTED_PROPOSAL.find(
            Action.APPROVE if passed else Action.RETURN, Status.CLUSTER_VOTE
        )
        assert step is not None
        item = record_step(
            s,
            d,
            step,
            actor_id=user.id,
            role=Role.CLUSTER_APPROVER,
            who=who,
            reason=None if passed else reason,
            data={"signed": [], "by_meeting_id": m.id, "vote": reason},
        )
        outbox_ids.append(item.id)
        settled.append(
            {
                "dossier_id": d.id,
                "unit_id": d.unit_id,
                "unit_name": names.get(d.unit_id, ""),
                "award": d.award,
                "outcome": "passed" if passed else "returned",
                "reason": reason,
            }
        )
    return settled, outbox_ids


def chair_role(actor: Actor, ctx: YearContext) -> Role:
    """The chair's role as their transitions record it."""
    head = ctx.head_unit_id
    if any(g.role == Role.UNIT_HEAD and g.unit_id == head for g in actor.grants) and not any(
        g.role == Role.CLUSTER_APPROVER for g in actor.grants
    ):
        return Role.UNIT_HEAD
    return Role.CLUSTER_APPROVER


def _set_next_terms(
    s: Session, user: User, ctx: YearContext, m: Meeting, head: int, deputy: int | None
) -> dict[str, int | None]:
    """Next year's `cluster_terms` as the vote elected them (as the admin sets them,
    api/admin/service.py, with the same audit event)."""
    year = ctx.year + 1
    term = org_repo.cluster_term(s, ctx.cluster.id, year)
    before = (
        {"head_unit_id": term.head_unit_id, "deputy_unit_id": term.deputy_unit_id} if term else None
    )
    if term is None:
        term = ClusterTerm(cluster_id=ctx.cluster.id, year=year, head_unit_id=head)
        s.add(term)
    term.head_unit_id, term.deputy_unit_id = head, deputy
    s.flush()
    s.info.pop("cluster_terms", None)
    after = {"head_unit_id": head, "deputy_unit_id": deputy}
    if before != after:
        h, d = s.get(Unit, head), s.get(Unit, deputy) if deputy else None
        audit.append(
            s,
            kind="cluster_term_created" if before is None else "cluster_term_updated",
            who=_who(user, Role.CLUSTER_APPROVER, ctx),
            data={
                "cluster_term_id": term.id,
                "cluster_id": ctx.cluster.id,
                "cluster": ctx.cluster.name,
                "year": year,
                "head_unit": h.name if h else None,
                "deputy_unit": d.name if d else None,
                "before": before,
                "after": after,
                "by_meeting_id": m.id,
            },
        )
    return {"year": year, "head_unit_id": head, "deputy_unit_id": deputy}


# ---------------------------------------------------------------- the Biên bản


@dataclass(frozen=True)
class Minutes:
    """The Biên bản of a closed vote and its versions so far."""

    document: Document | None
    prepared: Any
    """The PDF prepared for the signatures (DocumentVersion "pdf-prepared")."""
    secretary_signed: Any
    """The secretary's signed copy of that PDF ("pdf-reporter"), None until they signed."""
    chair_signed: Any
    issued: Any
    """The numbered, sealed PDF ("pdf-signed")."""


def minutes(s: Session, m: Meeting) -> Minutes:
    """The Biên bản: the document of the approval after the close (transition
    `transition_seq + 1` while the vote waits for it, `transition_seq` once signed)."""
    if m.status == MeetingStatus.CLOSED:
        seq = m.transition_seq + 1
    elif m.status == MeetingStatus.SIGNED:
        seq = m.transition_seq
    else:
        return Minutes(None, None, None, None, None)
    doc = documents_repo.document_of(s, subject_of(m), seq, MINUTES_FORM, 0)
    versions = list(doc.versions) if doc else []

    def last(rendition: str, after: Any = None) -> Any:
        return next(
            (
                v
                for v in reversed(versions)
                if v.rendition == rendition and (after is None or v.seq > after.seq)
            ),
            None,
        )

    prepared = last("pdf-prepared")
    secretary = last(documents_repo.REPORTER_RENDITION, prepared) if prepared else None
    return Minutes(doc, prepared, secretary, last("pdf-personal"), last("pdf-signed"))


def minutes_document_id(s: Session, meeting: Meeting) -> int | None:
    """The signed, numbered and sealed Biên bản họp bình xét, suy tôn of a cluster's vote:
    its document id, or None while it is not issued (for the cluster's proposal, which
    files it with its Tờ trình)."""
    if meeting.process != rules.PROCESS or meeting.status != MeetingStatus.SIGNED:
        return None
    found = minutes(s, meeting)
    return found.document.id if found.document is not None and found.issued else None


def minutes_out(s: Session, actor: Actor, m: Meeting, ctx: YearContext) -> MinutesOut:
    found = minutes(s, m)
    processing = outbox.is_processing(s, subject_of(m))
    if m.status in (MeetingStatus.OPEN, MeetingStatus.VOTING):
        state = "none"
    elif found.issued is not None:
        state = "issued"
    elif m.status == MeetingStatus.SIGNED:
        state = "issuing"
    elif found.prepared is None or processing:
        state = "preparing"
    elif found.secretary_signed is None:
        state = "waiting_secretary"
    else:
        state = "waiting_chair"
    secretary = secretary_member(m)
    closer = store.closed_by(s, subject_of(m)) if m.status == MeetingStatus.CLOSED else None
    return MinutesOut(
        state=state,
        state_label=MINUTES_LABELS[state],
        document_id=found.document.id if found.document is not None else None,
        number=found.document.number if found.document is not None else None,
        secretary_signed=found.secretary_signed is not None,
        can_sign_secretary=state == "waiting_secretary"
        and secretary is not None
        and secretary.user_id == actor.user_id,
        can_sign_chair=state == "waiting_chair"
        and closer == actor.user_id
        and rules.chairs(actor, ctx.head_unit_id, ctx.term.id if ctx.term else None),
    )


# ---------------------------------------------------------------- reading


def vote_out(s: Session, actor: Actor, m: Meeting, ctx: YearContext) -> VoteOut:
    seats = _seats(s, m)
    marks = store.marks(s, m.id)
    voted_members = {x.member_id for x in marks}
    names = {u.id: u.name for u in s.query(Unit).filter(Unit.id.in_([u for _x, u in seats]))}
    me = _seat(s, m, actor.user_id)
    mine = {x.question_id for x in marks if me and x.member_id == me.member_id}
    unit_ids = [u for _x, u in seats]
    quorum = rules.quorum_rule(m.held_on)
    cy_rules = [rules.rule_from(x) for x in m.rules]
    secretary = secretary_member(m)
    return VoteOut(
        id=m.id,
        cluster_id=ctx.cluster.id,
        cluster_name=ctx.cluster.name,
        year=ctx.year,
        title=m.title,
        place=m.place,
        held_on=m.held_on,
        status=m.status,
        status_label=STATUS_LABELS.get(m.status, m.status),
        version=m.version,
        chair=rules.chairs(actor, ctx.head_unit_id, ctx.term.id if ctx.term else None),
        my_unit_id=me.unit_id if me else None,
        can_vote=m.status == MeetingStatus.VOTING
        and me is not None
        and me.present
        and any(q.id not in mine for q in m.questions),
        members=[
            SeatOut(
                unit_id=u,
                unit_name=names.get(u, ""),
                user_id=x.user_id,
                representative=x.user.full_name,
                present=x.present,
                voted=x.id in voted_members,
            )
            for x, u in seats
        ],
        present=sum(1 for x, _u in seats if x.present),
        voted=len(voted_members),
        questions=[
            VoteQuestionOut(
                id=q.id,
                key=q.key,
                kind=q.award,
                kind_label=rules.KIND_LABELS[rules.kind_of(q.award)],
                text=q.text,
                options=[
                    OptionOut(value=v, label=_label(rq, v, names))
                    for rq in [rules.Question(q.id, q.key, rules.kind_of(q.award))]
                    for v in rules.options(rq, unit_ids)
                ],
                voted=q.id in mine,
            )
            for q in m.questions
        ],
        quorum_text=f"Ít nhất {share_words(quorum.share)} số đơn vị thành viên có mặt",
        rules=[f"{rules.KIND_LABELS[r.kind]}: {r.text} ({r.basis})" for r in cy_rules],
        secretary_user_id=secretary.user_id if secretary else None,
        secretary=secretary.user.full_name if secretary else None,
        minutes=minutes_out(s, actor, m, ctx),
    )


def tally_out(s: Session, m: Meeting) -> TallyOut:
    seats = _seats(s, m)
    closed = m.status not in (MeetingStatus.OPEN, MeetingStatus.VOTING)
    base = TallyOut(
        meeting_id=m.id,
        status=m.status,
        members=len(seats),
        present=sum(1 for x, _u in seats if x.present),
        voted=store.voters(s, m.id),
        closed=closed,
    )
    if not closed or not m.tally:
        return base
    t = m.tally
    return base.model_copy(
        update={
            "quorum_text": t["quorum_text"],
            "absent": t["absent"],
            "results": [VoteResultOut(**r) for r in t["results"]],
            "ballots": [
                PublishedBallotOut(
                    receipt_hash=b.receipt_hash, question_id=b.question_id, choice=b.choice
                )
                for b in sorted(
                    store.ballots(s, m.id), key=lambda b: (b.receipt_hash, b.question_id)
                )
            ],
            "ballots_digest": t["ballots_digest"],
            "next_terms": t.get("next_terms"),
            "dossiers": [
                SettledOut(**x, outcome_label=OUTCOME_LABELS.get(x["outcome"], x["outcome"]))
                for x in t.get("dossiers", [])
            ],
        }
    )


def check_receipt(s: Session, m: Meeting, code: str) -> ReceiptCheckOut:
    """The ballots a receipt code cast, once the tally is published."""
    if m.status in (MeetingStatus.OPEN, MeetingStatus.VOTING):
        raise Conflict(
            "Chưa kiểm phiếu: chỉ kiểm tra mã biên nhận sau khi kết thúc bỏ phiếu.",
            code="tally_not_published",
        )
    found = store.ballots_by_receipt(s, m.id, rules.receipt_hash(code))
    questions = _questions(m)
    texts = {q.id: q.text for q in m.questions}
    unit_ids = [u for _x, u in _seats(s, m)]
    names = {u.id: u.name for u in s.query(Unit).filter(Unit.id.in_(unit_ids))}
    return ReceiptCheckOut(
        found=bool(found),
        ballots=[
            CountOut(
                value=b.choice,
                label=texts.get(b.question_id, "")
                + ": "
                + _label(questions[b.question_id], b.choice, names),
                votes=1,
            )
            for b in sorted(found, key=lambda b: b.question_id)
        ],
    )
