"""Use cases of meetings that vote: open one about a round, set its members and their
attendance, cast ballots, read it with its tally, its history; and the round's check
that its council is done.

Each runs inside the request's one transaction and never commits. The rules are
domain/meetings.py's; the queries storage/meetings.py's.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.meetings.schemas import (
    AttendanceIn,
    BallotOut,
    EligibleMemberOut,
    MeetingCreate,
    MeetingEventOut,
    MeetingOut,
    MeetingSummary,
    MemberOut,
    MembersIn,
    QuestionOut,
    ResultOut,
    RuleOut,
    VotesIn,
)
from api.opinions import replies
from documents.vn import today_vn
from domain import meetings as rules
from domain.awards import AWARDS
from domain.errors import Conflict, Forbidden, InvalidInput, NotFound, StaleVersion
from domain.meetings import (
    BALLOT_LABELS,
    MEETING_STATUS_LABELS,
    MEMBER_ROLE_LABELS,
    Ballot,
    MeetingScope,
    MeetingStatus,
    MemberRole,
)
from domain.process import PROCESSES, Action, allowed_actions
from domain.roles import AUTHORITY_ROLES, ROLE_LABELS, Actor, Role
from domain.rounds import EDITABLE as ROUND_EDITABLE
from domain.subjects import Subject, SubjectKind
from storage import audit, outbox
from storage import meetings as store
from storage import rounds as rounds_store
from storage.models import (
    AuditEvent,
    AwardRound,
    Meeting,
    MeetingMember,
    MeetingQuestion,
    MeetingVote,
    RoleAssignment,
    User,
    utcnow,
)
from storage.repositories import documents as documents_repo
from storage.repositories import org as org_repo

NOT_FOUND = "Không tìm thấy cuộc họp."
PROCESS = "council_meeting"
SECRET_PROCESS = "cluster_vote"
MANAGERS = frozenset({Role.BOARD_SPECIALIST, Role.BOARD_HEAD})
"""Who opens a meeting and keeps its members and attendance (the board, the council's
standing secretariat)."""
SEATED = AUTHORITY_ROLES | {Role.COUNCIL_MEMBER}
"""Whose accounts may sit on the council of their authority."""


def subject_of(m: Meeting) -> Subject:
    return Subject(SubjectKind.MEETING, m.id)


def scope_of(m: Meeting) -> MeetingScope:
    return MeetingScope(m.authority_id)


def visible_meeting(
    s: Session, actor: Actor, meeting_id: int, *, for_update: bool = False
) -> Meeting:
    m = store.meeting(s, meeting_id, for_update=for_update)
    # A cluster's secret vote has its own endpoints (api/meetings/vote_routes.py): never
    # the named ballots' ones.
    if m is None or m.process == SECRET_PROCESS or not actor.can_view(scope_of(m)):
        raise NotFound(NOT_FOUND, code="meeting_not_found")
    return m


def _check_version(m: Meeting, version: int | None) -> None:
    if version is not None and version != m.version:
        raise StaleVersion(
            "Cuộc họp đã được người khác thay đổi. Hãy tải lại rồi thử lại.", code="stale_version"
        )


def _manager_role(actor: Actor, m: Meeting) -> Role:
    for role in sorted(MANAGERS):
        if actor.holds(role, scope_of(m)):
            return role
    raise Forbidden(
        "Chỉ Phòng Thi đua – Khen thưởng lập và điều hành cuộc họp.", code="forbidden_action"
    )


def _who(s: Session, user: User, role: str, authority_id: int) -> audit.Who:
    name = org_repo.authority(s, authority_id).name
    return audit.Who(user.id, user.full_name, role, name, name)


def member_of(m: Meeting, user_id: int) -> MeetingMember | None:
    return next((x for x in m.members if x.user_id == user_id), None)


def _event(s: Session, m: Meeting, who: audit.Who, kind: str, data: dict[str, Any]) -> None:
    m.updated_at = utcnow()
    s.flush()
    audit.append(s, kind=kind, subject=subject_of(m), who=who, data={"meeting_id": m.id, **data})


# ---------------------------------------------------------------- open, members, attendance


def create(
    s: Session, user: User, actor: Actor, body: MeetingCreate, thresholds: str = ""
) -> Meeting:
    """The board's specialist opens the council's meeting about an open round: one
    question per nominee of the round's list. The thresholds in force on the meeting's
    date (the defaults, and the province's `thresholds` over them) are stored with it."""
    r = rounds_store.award_round(s, body.about_id, for_update=True)
    if r is None or not actor.can_view(MeetingScope(r.authority_id)):
        raise NotFound("Không tìm thấy đợt xét khen thưởng.", code="round_not_found")
    if not actor.holds(Role.BOARD_SPECIALIST, MeetingScope(r.authority_id)):
        raise Forbidden(
            "Chỉ chuyên viên Phòng Thi đua – Khen thưởng lập cuộc họp Hội đồng.",
            code="forbidden_action",
        )
    if r.status not in ROUND_EDITABLE:
        raise Conflict(
            "Đợt đã trình duyệt: chỉ họp Hội đồng khi đợt đang lập danh sách.",
            code="round_not_open",
        )
    about = Subject(SubjectKind.ROUND, r.id)
    if store.meetings_about(s, about):
        raise Conflict("Đợt này đã có cuộc họp Hội đồng.", code="meeting_exists")
    nominees = rounds_store.listed_nominees(s, r.id, council=False)
    if not nominees:
        raise InvalidInput(
            "Danh sách của đợt chưa có tập thể, cá nhân nào để Hội đồng biểu quyết.",
            code="nothing_to_vote",
        )
    title = " ".join((body.title or "").split()) or f"Họp Hội đồng xét {r.name}"
    in_force = (*rules.THRESHOLD_RULES, *rules.configured_thresholds(thresholds, body.held_on))
    awards = dict.fromkeys(n.award for n in nominees)
    m = Meeting(
        authority_id=r.authority_id,
        about_kind=str(SubjectKind.ROUND),
        about_id=r.id,
        title=title[:400],
        place=" ".join(body.place.split()),
        held_on=body.held_on,
        process=PROCESS,
        status=str(MeetingStatus.OPEN),
        rules=[rules.rule_data(rules.threshold_rule(a, body.held_on, in_force)) for a in awards],
        created_by=user.id,
    )
    for i, n in enumerate(nominees, 1):
        award = AWARDS[n.award].name if n.award in AWARDS else n.award
        m.questions.append(
            MeetingQuestion(
                key=n.nominee_id,
                name=n.name,
                text=rules.question_text(n.name, award),
                award=n.award,
                position_no=i,
            )
        )
    s.add(m)
    s.flush()
    audit.append(
        s,
        kind="meeting_created",
        subject=subject_of(m),
        who=_who(s, user, Role.BOARD_SPECIALIST, r.authority_id),
        to_status=m.status,
        data={"meeting_id": m.id, "round_id": r.id, "title": m.title, "questions": len(nominees)},
    )
    return m


def eligible(s: Session, authority_id: int) -> list[User]:
    """Active accounts that may sit on the authority's council."""
    return list(
        s.scalars(
            select(User)
            .join(RoleAssignment)
            .where(
                User.is_active,
                RoleAssignment.authority_id == authority_id,
                RoleAssignment.role.in_([str(r) for r in SEATED]),
            )
            .distinct()
            .order_by(User.id)
        )
    )


def eligible_out(s: Session, actor: Actor, meeting_id: int) -> list[EligibleMemberOut]:
    m = visible_meeting(s, actor, meeting_id)
    return [
        EligibleMemberOut(
            user_id=u.id,
            full_name=u.full_name,
            position=u.position or "",
            roles=sorted({str(g.role) for g in u.grants if g.authority_id == m.authority_id}),
        )
        for u in eligible(s, m.authority_id)
    ]


def _no_ballots_yet(s: Session, m: Meeting) -> None:
    if store.votes(s, m.id):
        raise Conflict(
            "Đã có thành viên biểu quyết: không thể thay đổi thành phần hoặc điểm danh.",
            code="ballots_cast",
        )


def set_members(s: Session, user: User, actor: Actor, meeting_id: int, body: MembersIn) -> Meeting:
    m = visible_meeting(s, actor, meeting_id, for_update=True)
    role = _manager_role(actor, m)
    rules.check_open(m.status)
    _check_version(m, body.version)
    _no_ballots_yet(s, m)
    ids = [x.user_id for x in body.members]
    if len(set(ids)) != len(ids):
        raise InvalidInput("Danh sách thành viên có người trùng nhau.", code="duplicate_members")
    rules.check_members([x.role for x in body.members])
    seated = {u.id: u for u in eligible(s, m.authority_id)}
    for x in body.members:
        u = seated.get(x.user_id)
        if u is None:
            raise InvalidInput(
                f"Tài khoản số {x.user_id} không thuộc Hội đồng của cơ quan.",
                code="not_eligible",
            )
        held = {g.role for g in u.grants if g.authority_id == m.authority_id}
        if x.role == MemberRole.CHAIR and Role.AUTHORITY_LEADER not in held:
            raise InvalidInput(
                "Chủ tịch Hội đồng phải là lãnh đạo ký Biên bản (lãnh đạo Sở).",
                code="chair_not_leader",
            )
        if x.role == MemberRole.SECRETARY and not (held & MANAGERS):
            raise InvalidInput(
                "Thư ký phải là lãnh đạo hoặc chuyên viên Phòng Thi đua – Khen thưởng.",
                code="secretary_not_board",
            )
    present = {x.user_id for x in m.members if x.present}
    m.members.clear()
    s.flush()
    for i, x in enumerate(body.members, 1):
        m.members.append(
            MeetingMember(
                user_id=x.user_id, role=str(x.role), position_no=i, present=x.user_id in present
            )
        )
    _event(
        s,
        m,
        _who(s, user, role, m.authority_id),
        "meeting_members_set",
        {"members": [{"user_id": x.user_id, "role": str(x.role)} for x in body.members]},
    )
    s.expire(m, ["members"])
    return m


def set_attendance(
    s: Session, user: User, actor: Actor, meeting_id: int, body: AttendanceIn
) -> Meeting:
    m = visible_meeting(s, actor, meeting_id, for_update=True)
    role = _manager_role(actor, m)
    rules.check_open(m.status)
    _check_version(m, body.version)
    _no_ballots_yet(s, m)
    members = {x.user_id for x in m.members}
    strangers = sorted(set(body.present_user_ids) - members)
    if strangers:
        raise InvalidInput(
            "Chỉ điểm danh thành viên của cuộc họp (tài khoản số "
            + ", ".join(str(i) for i in strangers)
            + ").",
            code="not_a_member",
        )
    for x in m.members:
        x.present = x.user_id in set(body.present_user_ids)
    _event(
        s,
        m,
        _who(s, user, role, m.authority_id),
        "meeting_attendance",
        {"present": sorted(set(body.present_user_ids)), "members": len(members)},
    )
    return m


def vote(s: Session, user: User, actor: Actor, meeting_id: int, body: VotesIn) -> Meeting:
    """The caller's own named ballots, all or none."""
    m = visible_meeting(s, actor, meeting_id, for_update=True)
    member = member_of(m, user.id)
    questions = {q.id: q for q in m.questions}
    mine = {v.question_id for v in store.votes(s, m.id) if v.user_id == user.id}
    seen: set[int] = set()
    for b in body.ballots:
        if b.question_id not in questions:
            raise InvalidInput(
                f"Cuộc họp không có nội dung biểu quyết số {b.question_id}.",
                code="question_not_found",
            )
        rules.check_vote(
            m.status,
            rules.Member(user.id, MemberRole(member.role), member.present) if member else None,
            b.question_id in mine or b.question_id in seen,
        )
        seen.add(b.question_id)
    for b in body.ballots:
        s.add(
            MeetingVote(
                meeting_id=m.id, question_id=b.question_id, user_id=user.id, ballot=b.ballot
            )
        )
    try:
        s.flush()
    except IntegrityError as e:  # a second request of the same member, at the same time
        raise Conflict(
            "Bạn đã biểu quyết về nội dung này; mỗi thành viên biểu quyết một lần.",
            code="already_voted",
        ) from e
    assert member is not None
    _event(
        s,
        m,
        _who(s, user, f"meeting:{member.role}", m.authority_id),
        "meeting_vote",
        {
            "ballots": [
                {
                    "question_id": b.question_id,
                    "key": questions[b.question_id].key,
                    "ballot": str(b.ballot),
                }
                for b in body.ballots
            ]
        },
    )
    return m


# ---------------------------------------------------------------- close: the tally


def count(s: Session, m: Meeting, on: date) -> dict[str, Any]:
    """The tally as stored at the close (and printed by the Biên bản)."""
    members = store.members_of(m)
    questions = [rules.Question(q.key, q.text, q.award) for q in m.questions]
    names = {q.key: q.name for q in m.questions}
    stored = [rules.rule_from(x) for x in m.rules]
    results = rules.tally(questions, members, store.ballots(s, m), on, stored)
    quorum = rules.quorum_rule(on)
    present = sum(1 for x in members if x.present)
    about = ""
    if m.about_kind == SubjectKind.ROUND:
        r = rounds_store.award_round(s, m.about_id)
        about = f"danh sách đề nghị khen thưởng của {r.name}" if r else ""
    return {
        "counted_on": on.isoformat(),
        "about": about,
        "members": len(members),
        "present": present,
        "quorum_text": (
            f"Có mặt {present}/{len(members)} thành viên, đạt tỷ lệ tối thiểu "
            f"{rules.share_words(quorum.share)}: cuộc họp hợp lệ."
        ),
        "results": [
            {
                "key": x.question.key,
                "name": names[x.question.key],
                "award": x.question.award,
                "agree": x.agree,
                "disagree": x.disagree,
                "abstain": x.abstain,
                "share": float(x.share),
                "share_text": rules.percent(x.share),
                "threshold_text": rules.percent(x.rule.share),
                "basis": x.rule.basis,
                "confirmed": x.rule.confirmed,
                "passed": x.passed,
            }
            for x in results
        ],
    }


# ---------------------------------------------------------------- reading


def actions_for(s: Session, actor: Actor, m: Meeting) -> list[Action]:
    if outbox.is_processing(s, subject_of(m)):
        return []
    user = actor.user_id
    out = []
    for a in allowed_actions(PROCESSES[m.process], m.status, actor, scope_of(m)):
        wanted = MemberRole.SECRETARY if a == Action.SUBMIT else MemberRole.CHAIR
        x = member_of(m, user)
        if x is not None and x.role == wanted:
            out.append(a)
    return out


def minutes_document(s: Session, m: Meeting) -> tuple[int | None, Any, Any]:
    """The Biên bản the chair's approval signs: its document id, its prepared PDF and the
    secretary's signed copy of that PDF (None until they signed)."""
    if m.status != MeetingStatus.CLOSED:
        return None, None, None
    doc = documents_repo.document_of(s, subject_of(m), m.transition_seq + 1, "bien_ban_hoi_dong", 0)
    versions = list(doc.versions) if doc else []
    prepared = next((v for v in reversed(versions) if v.rendition == "pdf-prepared"), None)
    signed = next(
        (
            v
            for v in reversed(versions)
            if v.rendition == documents_repo.REPORTER_RENDITION
            and prepared is not None
            and v.seq > prepared.seq
        ),
        None,
    )
    return (doc.id if doc else None), prepared, signed


def about_name(s: Session, m: Meeting) -> str:
    if m.about_kind == SubjectKind.ROUND:
        r = rounds_store.award_round(s, m.about_id)
        return r.name if r else ""
    return ""


def meeting_out(s: Session, actor: Actor, m: Meeting) -> MeetingOut:
    on = m.held_on
    votes = store.votes(s, m.id)
    per_member: dict[int, int] = {}
    for v in votes:
        per_member[v.user_id] = per_member.get(v.user_id, 0) + 1
    mine = {v.question_id: v.ballot for v in votes if v.user_id == actor.user_id}
    me = member_of(m, actor.user_id)
    processing = outbox.is_processing(s, subject_of(m))
    _, _prepared, secretary_signed = minutes_document(s, m)
    managing = any(actor.holds(r, scope_of(m)) for r in MANAGERS)
    quorum = rules.quorum_rule(on)
    closed = m.status != MeetingStatus.OPEN
    names = {x.user_id: x.user.full_name for x in m.members}
    keys = {q.id: q.key for q in m.questions}
    return MeetingOut(
        id=m.id,
        authority_id=m.authority_id,
        about_kind=m.about_kind,
        about_id=m.about_id,
        about_name=about_name(s, m),
        title=m.title,
        place=m.place,
        held_on=m.held_on,
        status=m.status,
        status_label=MEETING_STATUS_LABELS[MeetingStatus(m.status)],
        version=m.version,
        processing=processing,
        allowed_actions=[str(a) for a in actions_for(s, actor, m)],
        can_manage=managing and m.status == MeetingStatus.OPEN and not votes,
        can_vote=m.status == MeetingStatus.OPEN
        and me is not None
        and me.present
        and any(q.id not in mine for q in m.questions),
        can_sign_as_secretary=m.status == MeetingStatus.CLOSED
        and not processing
        and me is not None
        and me.role == MemberRole.SECRETARY
        and secretary_signed is None,
        secretary_signed=secretary_signed is not None,
        members=[
            MemberOut(
                user_id=x.user_id,
                full_name=x.user.full_name,
                position=x.user.position or "",
                role=x.role,
                role_label=MEMBER_ROLE_LABELS[MemberRole(x.role)],
                present=x.present,
                voted=per_member.get(x.user_id, 0),
            )
            for x in m.members
        ],
        questions=[
            QuestionOut(id=q.id, key=q.key, text=q.text, award=q.award, my_ballot=mine.get(q.id))
            for q in m.questions
        ],
        quorum_text=f"Ít nhất {rules.share_words(quorum.share)} số thành viên có mặt",
        quorum_basis=quorum.basis + ("" if quorum.confirmed else " (chưa xác nhận)"),
        rules=[
            RuleOut(
                award=AWARDS[str(rule.award)].name
                if rule.award in AWARDS
                else "Các hình thức khác",
                share_text=rules.percent(rule.share),
                base=rule.base_label,
                basis=rule.basis,
                confirmed=rule.confirmed,
                effective_from=rule.effective_from,
            )
            for rule in (rules.rule_from(x) for x in m.rules)
        ],
        results=[ResultOut(**r) for r in m.tally["results"]] if m.tally else None,
        ballots=[
            BallotOut(
                question_id=v.question_id,
                user_id=v.user_id,
                full_name=names.get(v.user_id, ""),
                ballot=v.ballot,
                ballot_label=BALLOT_LABELS[Ballot(v.ballot)],
            )
            for v in sorted(votes, key=lambda v: (keys.get(v.question_id, 0), v.user_id))
        ]
        if closed
        else None,
        opinions=replies.nominee_opinions(s, m.about_id, on)[0]
        if m.about_kind == SubjectKind.ROUND
        else [],
        created_at=m.created_at,
    )


def summary(m: Meeting) -> MeetingSummary:
    return MeetingSummary(
        id=m.id,
        title=m.title,
        about_kind=m.about_kind,
        about_id=m.about_id,
        status=m.status,
        status_label=MEETING_STATUS_LABELS[MeetingStatus(m.status)],
        held_on=m.held_on,
    )


def list_meetings(s: Session, actor: Actor) -> list[MeetingSummary]:
    return [summary(m) for m in store.visible_meetings(s, actor)]


EVENT_LABELS = {
    "meeting_created": "Lập cuộc họp Hội đồng",
    "meeting_members_set": "Xác định thành phần cuộc họp",
    "meeting_attendance": "Điểm danh",
    "meeting_vote": "Biểu quyết",
    "submit": "Kết thúc họp và kiểm phiếu",
    "minutes_signed_by_secretary": "Thư ký ký Biên bản",
    "approve": "Chủ tịch Hội đồng ký Biên bản",
    "documents_issued": "Phát hành Biên bản (cấp số, ký số, đóng dấu, lưu trữ)",
    "routed": "Chuyển bước tiếp theo",
    "document_downloaded": "Tải văn bản",
}


def _detail(e: AuditEvent) -> str:
    data = e.data or {}
    if e.kind == "meeting_attendance":
        return f"Có mặt {len(data.get('present', []))}/{data.get('members', 0)} thành viên"
    if e.kind == "meeting_vote":
        return f"{len(data.get('ballots', []))} phiếu biểu quyết (ghi tên)"
    if e.kind == "meeting_members_set":
        return f"{len(data.get('members', []))} thành viên"
    if e.kind == "submit":
        return f"Đạt {data.get('passed', 0)}/{data.get('questions', 0)} nội dung"
    if e.kind == "documents_issued":
        numbers = dict.fromkeys(d["number"] for d in data.get("documents", []) if d.get("number"))
        return ", ".join(f"Biên bản số {n}" for n in numbers)
    if e.kind == "document_downloaded":
        return str(data.get("file_name", ""))
    if e.kind == "meeting_created":
        return str(data.get("title", ""))
    return ""


def history(s: Session, actor: Actor, meeting_id: int) -> list[MeetingEventOut]:
    visible_meeting(s, actor, meeting_id)
    return [
        MeetingEventOut(
            seq=e.subject_seq or 0,
            kind=e.kind,
            label=EVENT_LABELS.get(e.kind, e.kind),
            at=e.occurred_at,
            at_vn=audit.vn_time(e.occurred_at),
            actor=e.actor_name,
            detail=_detail(e),
            hash=e.hash,
        )
        for e in store.meeting_events(s, meeting_id)
    ]


# ---------------------------------------------------------------- the round's check


def check_round_council(s: Session, r: AwardRound, setting: str) -> None:
    """A round whose awards need the council is not submitted before its meeting is
    closed and its Biên bản issued (409 council_not_done)."""
    if not rules.needs_council(r.award_codes, rules.council_awards(setting)):
        return
    m = store.closed_meeting_about(s, Subject(SubjectKind.ROUND, r.id))
    if m is None or m.status != MeetingStatus.SIGNED or outbox.is_processing(s, subject_of(m)):
        raise Conflict(
            "Đợt chưa được Hội đồng Thi đua – Khen thưởng biểu quyết, hoặc Biên bản họp Hội "
            "đồng chưa được ký, ban hành: chưa thể trình.",
            code="council_not_done",
        )


def round_results(s: Session, r: AwardRound) -> dict[str, Any] | None:
    """The council's result for a round's page: the meeting, its state, each nominee's
    result once closed."""
    ms = store.meetings_about(s, Subject(SubjectKind.ROUND, r.id))
    if not ms:
        return None
    m = ms[-1]
    return {
        "id": m.id,
        "title": m.title,
        "status_label": MEETING_STATUS_LABELS[MeetingStatus(m.status)],
        "results": (m.tally or {}).get("results"),
    }


def role_label(role: str) -> str:
    return ROLE_LABELS[Role(role)] if role in set(Role) else role


def today() -> date:
    return today_vn()
