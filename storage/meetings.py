"""Queries of meetings that vote (domain/meetings.py)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from domain.meetings import Ballot, MeetingStatus, Member, MemberRole
from domain.policy import MEETING
from domain.roles import Actor
from domain.subjects import Subject, SubjectKind
from storage import policy_sql
from storage.models import AuditEvent, Meeting, MeetingMember, MeetingVote, of_subject


def meeting(s: Session, meeting_id: int, *, for_update: bool = False) -> Meeting | None:
    q = (
        select(Meeting)
        .where(Meeting.id == meeting_id)
        .options(
            selectinload(Meeting.members).joinedload(MeetingMember.user),
            selectinload(Meeting.questions),
        )
    )
    return s.scalar(q.with_for_update(of=Meeting) if for_update else q)


def visible_meetings(s: Session, actor: Actor) -> Sequence[Meeting]:
    """The meetings the actor may see (domain/policy.py's rules, as SQL), newest first."""
    return s.scalars(
        select(Meeting)
        .where(policy_sql.visible(actor, MEETING))
        .order_by(Meeting.created_at.desc(), Meeting.id.desc())
    ).all()


def meetings_about(s: Session, subject: Subject) -> Sequence[Meeting]:
    """The meetings about a subject (a round's council meetings), oldest first."""
    return s.scalars(
        select(Meeting)
        .where(Meeting.about_kind == str(subject.kind), Meeting.about_id == subject.id)
        .order_by(Meeting.id)
    ).all()


def closed_meeting_about(s: Session, subject: Subject) -> Meeting | None:
    """The last closed (or signed) meeting about a subject: its tally is what counts."""
    done = [m for m in meetings_about(s, subject) if m.status != MeetingStatus.OPEN]
    return done[-1] if done else None


def open_meeting_about(s: Session, subject: Subject) -> Meeting | None:
    return next((m for m in meetings_about(s, subject) if m.status == MeetingStatus.OPEN), None)


def passed_keys(s: Session, subject: Subject) -> set[int] | None:
    """The question keys (nominee ids) the last closed meeting about `subject` passed;
    None while no meeting about it is closed."""
    m = closed_meeting_about(s, subject)
    if m is None or m.tally is None:
        return None
    return {int(r["key"]) for r in m.tally.get("results", []) if r.get("passed")}


def votes(s: Session, meeting_id: int) -> Sequence[MeetingVote]:
    return s.scalars(
        select(MeetingVote).where(MeetingVote.meeting_id == meeting_id).order_by(MeetingVote.id)
    ).all()


def ballots(s: Session, m: Meeting) -> dict[tuple[int, int], Ballot]:
    """(question key, user id) → ballot."""
    keys = {q.id: q.key for q in m.questions}
    return {(keys[v.question_id], v.user_id): Ballot(v.ballot) for v in votes(s, m.id)}


def members_of(m: Meeting) -> list[Member]:
    return [Member(x.user_id, MemberRole(x.role), x.present) for x in m.members]


def meeting_events(s: Session, meeting_id: int) -> Sequence[AuditEvent]:
    return s.scalars(
        select(AuditEvent)
        .where(of_subject(AuditEvent, Subject(SubjectKind.MEETING, meeting_id)))
        .order_by(AuditEvent.subject_seq)
    ).all()
