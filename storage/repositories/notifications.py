"""Notifications of who is next: written once per person and step of a subject."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from domain.subjects import Subject
from storage import bulk
from storage.models import Notification, of_subject, subject_columns, utcnow


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
    dict each, all with the same keys) at once: a step that tells hundreds of people (COPY
    on PostgreSQL)."""
    if rows:
        now = utcnow()
        bulk.bulk_insert(s, Notification.__tablename__, [{"created_at": now, **r} for r in rows])


def latest_for(
    s: Session, user_id: int, limit: int = 50, *, unread: bool = False
) -> Sequence[Notification]:
    """The person's newest notifications first (`unread`: only those not read yet)."""
    q = select(Notification).where(Notification.user_id == user_id)
    if unread:
        q = q.where(Notification.read_at.is_(None))
    return s.scalars(
        q.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)
    ).all()


def count_for(s: Session, user_id: int, *, unread: bool = False) -> int:
    """How many notifications the person has (`unread`: not read yet): one COUNT, for
    the menu of every page."""
    q = select(func.count(Notification.id)).where(Notification.user_id == user_id)
    if unread:
        q = q.where(Notification.read_at.is_(None))
    return s.scalar(q) or 0


def owned(s: Session, user_id: int, ids: Collection[int]) -> set[int]:
    """Which of `ids` are the person's notifications."""
    if not ids:
        return set()
    found = s.scalars(
        select(Notification.id).where(
            Notification.user_id == user_id, Notification.id.in_(list(ids))
        )
    )
    return set(found)


def mark_read(s: Session, user_id: int, at: datetime, ids: Collection[int] | None = None) -> int:
    """Mark the person's unread notifications read (all, or those of `ids`); how many."""
    q = update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    if ids is not None:
        if not ids:
            return 0
        q = q.where(Notification.id.in_(list(ids)))
    result = s.execute(q.values(read_at=at).execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)
