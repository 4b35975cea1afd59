"""The reminders sent (migration 0031): claimed before sending, marked sent after.

A reminder is keyed by (person, kind, subject, day). `claim` inserts that key in the
caller's transaction — the run commits it before sending — so of two runs or two
workers only one holds it (the other meets the unique key); a claim left unsent longer
than the lease (its sender died between the claim and the send) is taken over by one
compare-and-set UPDATE. `mark_sent` closes it after the send."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import Reminder


def claim(
    s: Session, user_id: int, kind: str, subject: str, day: date, now: datetime, lease: float
) -> int | None:
    """Claim the reminder; its id, or None when it was sent or another run holds it."""
    found = s.scalar(
        select(Reminder).where(
            Reminder.user_id == user_id,
            Reminder.kind == kind,
            Reminder.subject == subject,
            Reminder.day == day,
        )
    )
    if found is None:
        row = Reminder(
            user_id=user_id, kind=kind, subject=subject, day=day, claimed_at=now, attempts=1
        )
        try:
            with s.begin_nested():
                s.add(row)
                s.flush()
        except IntegrityError:  # another run claimed it a moment ago
            return None
        return row.id
    if found.sent_at is not None or found.claimed_at > now - timedelta(seconds=lease):
        return None
    taken = s.execute(
        update(Reminder)
        .where(
            Reminder.id == found.id,
            Reminder.sent_at.is_(None),
            Reminder.claimed_at == found.claimed_at,
        )
        .values(claimed_at=now, attempts=Reminder.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    return found.id if getattr(taken, "rowcount", 0) == 1 else None


def mark_sent(s: Session, reminder_id: int, now: datetime, *, emailed: bool) -> None:
    s.execute(
        update(Reminder)
        .where(Reminder.id == reminder_id)
        .values(sent_at=now, emailed=emailed)
        .execution_options(synchronize_session=False)
    )


def sent(s: Session, kind: str | None = None) -> list[Reminder]:
    q = select(Reminder).where(Reminder.sent_at.is_not(None))
    if kind is not None:
        q = q.where(Reminder.kind == kind)
    return list(s.scalars(q.order_by(Reminder.id)))
