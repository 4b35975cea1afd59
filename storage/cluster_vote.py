"""Queries of the cluster's secret vote (domain/cluster_vote.py)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from domain.cluster_vote import StoredBallot
from domain.meetings import MeetingStatus
from domain.process import Status
from domain.subjects import Subject
from storage.meetings import meetings_about
from storage.models import (
    Dossier,
    DossierTransition,
    Meeting,
    MeetingBallotMark,
    MeetingMemberUnit,
    RoleAssignment,
    SecretBallot,
    User,
    of_subject,
)


def vote_about(s: Session, subject: Subject, process: str) -> Meeting | None:
    return next((m for m in meetings_about(s, subject) if m.process == process), None)


def units_of(s: Session, meeting_id: int) -> dict[int, int]:
    """Member id → the unit it represents."""
    rows = s.execute(
        select(MeetingMemberUnit.member_id, MeetingMemberUnit.unit_id).where(
            MeetingMemberUnit.meeting_id == meeting_id
        )
    ).all()
    return {m: u for m, u in rows}


def marks(s: Session, meeting_id: int) -> Sequence[MeetingBallotMark]:
    return s.scalars(
        select(MeetingBallotMark)
        .where(MeetingBallotMark.meeting_id == meeting_id)
        .order_by(MeetingBallotMark.question_id, MeetingBallotMark.member_id)
    ).all()


def voters(s: Session, meeting_id: int) -> int:
    """How many members have voted (on any question)."""
    return int(
        s.scalar(
            select(func.count(func.distinct(MeetingBallotMark.member_id))).where(
                MeetingBallotMark.meeting_id == meeting_id
            )
        )
        or 0
    )


def ballots(s: Session, meeting_id: int) -> list[StoredBallot]:
    """Every ballot, in key order (random: neither who nor when)."""
    rows = s.scalars(
        select(SecretBallot).where(SecretBallot.meeting_id == meeting_id).order_by(SecretBallot.id)
    ).all()
    return [StoredBallot(b.question_id, b.choice, b.receipt_hash) for b in rows]


def ballots_by_receipt(s: Session, meeting_id: int, receipt_hash: str) -> list[StoredBallot]:
    rows = s.scalars(
        select(SecretBallot).where(
            SecretBallot.meeting_id == meeting_id, SecretBallot.receipt_hash == receipt_hash
        )
    ).all()
    return [StoredBallot(b.question_id, b.choice, b.receipt_hash) for b in rows]


def rewrite_in_key_order(s: Session, meeting_id: int) -> None:
    """At the close: the ballots and the marks written again, the ballots in key order and
    the marks in (question, member) order, so the physical order of neither table keeps the
    order in which members voted (PostgreSQL's heap keeps insertion order)."""
    rows = s.scalars(select(SecretBallot).where(SecretBallot.meeting_id == meeting_id)).all()
    kept = sorted((b.id, b.question_id, b.choice, b.receipt_hash) for b in rows)
    got = marks(s, meeting_id)
    kept_marks = sorted((x.question_id, x.member_id) for x in got)
    s.execute(delete(SecretBallot).where(SecretBallot.meeting_id == meeting_id))
    s.execute(delete(MeetingBallotMark).where(MeetingBallotMark.meeting_id == meeting_id))
    s.expire_all()
    for key, qid, choice, receipt in kept:
        s.add(
            SecretBallot(
                id=key, meeting_id=meeting_id, question_id=qid, choice=choice, receipt_hash=receipt
            )
        )
    s.flush()
    for qid, member in kept_marks:
        s.add(MeetingBallotMark(question_id=qid, member_id=member, meeting_id=meeting_id))
    s.flush()


def candidates(
    s: Session, cluster_id: int, year: int, unit_ids: Sequence[int], *, for_update: bool = False
) -> Sequence[Dossier]:
    """The member units' dossiers of the year waiting at the cluster for its vote."""
    q = (
        select(Dossier)
        .where(
            Dossier.cluster_id == cluster_id,
            Dossier.year == year,
            Dossier.status == str(Status.CLUSTER_VOTE),
            Dossier.unit_id.in_(list(unit_ids)),
        )
        .order_by(Dossier.id)
    )
    return s.scalars(q.with_for_update() if for_update else q).all()


def unit_users(s: Session, unit_id: int, roles: Sequence[str]) -> Sequence[User]:
    """Active accounts holding one of `roles` at the unit, by id."""
    return s.scalars(
        select(User)
        .join(RoleAssignment)
        .where(
            User.is_active,
            RoleAssignment.unit_id == unit_id,
            RoleAssignment.role.in_(list(roles)),
        )
        .distinct()
        .order_by(User.id)
    ).all()


def closed_by(s: Session, subject: Subject) -> int | None:
    """Who closed the vote (its transition to `closed`): the chair who signs the Biên
    bản."""
    return s.scalar(
        select(DossierTransition.actor_id)
        .where(
            of_subject(DossierTransition, subject),
            DossierTransition.to_status == str(MeetingStatus.CLOSED),
        )
        .order_by(DossierTransition.seq.desc())
        .limit(1)
    )
