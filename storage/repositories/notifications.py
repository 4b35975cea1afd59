"""Notifications of who is next: written once per person and step of a subject."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from domain.subjects import Subject
from storage.models import Notification, of_subject, subject_columns


def notify_once(s: Session, user_id: int, subject: Subject, seq: int, message: str) -> None:
    """Tell `user_id` about step `seq` of `subject`, unless a retried step already did."""
    seen = s.scalar(
        select(Notification.id).where(
            Notification.user_id == user_id,
            of_subject(Notification, subject),
            Notification.transition_seq == seq,
        )
    )
    if seen is None:
        s.add(
            Notification(
                user_id=user_id, **subject_columns(subject), transition_seq=seq, message=message
            )
        )


def add_many(s: Session, rows: Sequence[dict[str, object]]) -> None:
    """Write new notifications (Notification's columns, `subject_columns` among them, one
    dict each) in one executemany: a step that tells hundreds of people at once."""
    if rows:
        s.execute(insert(Notification), list(rows))


def latest_for(s: Session, user_id: int, limit: int = 50) -> Sequence[Notification]:
    """The person's newest notifications first."""
    return s.scalars(
        select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    ).all()
