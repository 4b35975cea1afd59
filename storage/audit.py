"""The audit log: append-only and hash-chained.

Canonical form of an event (what an outside tool recomputes): a JSON object with the keys
below, sorted, separators "," and ":", UTF-8 without ASCII escaping, times as ISO 8601
UTC with microseconds and "Z". Its SHA-256 (hex) is the event's `hash`; `prev_hash` is
the hash of the previous event in the global chain, 64 zeros for the first.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import AuditEvent, ChainHead, utcnow

GENESIS = "0" * 64


def _iso(t: datetime) -> str:
    if t.tzinfo is None:  # SQLite gives naive datetimes back: they were stored as UTC
        t = t.replace(tzinfo=UTC)
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(e: AuditEvent) -> bytes:
    body = {
        "seq": e.seq,
        "dossier_id": e.dossier_id,
        "dossier_seq": e.dossier_seq,
        "event_key": e.event_key,
        "occurred_at": _iso(e.occurred_at),
        "actor_id": e.actor_id,
        "actor_name": e.actor_name,
        "actor_role": e.actor_role,
        "actor_unit": e.actor_unit,
        "kind": e.kind,
        "from_status": e.from_status,
        "to_status": e.to_status,
        "reason": e.reason,
        "data": e.data,
        "prev_hash": e.prev_hash,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(e: AuditEvent) -> str:
    return hashlib.sha256(canonical(e)).hexdigest()


@dataclass(frozen=True)
class Who:
    """The person behind an event: user, the role they acted in, and for which unit."""

    user_id: int
    name: str
    role: str
    unit: str


def append(
    session: Session,
    *,
    kind: str,
    dossier_id: int | None = None,
    who: Who | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    reason: str | None = None,
    data: dict[str, Any] | None = None,
    event_key: str | None = None,
) -> AuditEvent:
    """Append one event inside the caller's transaction.

    With `event_key`, an event already written under that key is returned instead of a
    second one (a retried machine step records itself once).
    """
    if event_key is not None:
        existing = session.scalar(select(AuditEvent).where(AuditEvent.event_key == event_key))
        if existing is not None:
            return existing
    # Locking the head serialises appends on PostgreSQL; SQLite writers are already
    # serialised by BEGIN IMMEDIATE. The row is created by the first migration.
    head = session.scalars(select(ChainHead).where(ChainHead.id == 1).with_for_update()).one()
    dossier_seq = None
    if dossier_id is not None:
        dossier_seq = 1 + (
            session.scalar(
                select(func.max(AuditEvent.dossier_seq)).where(AuditEvent.dossier_id == dossier_id)
            )
            or 0
        )
    event = AuditEvent(
        seq=head.seq + 1,
        dossier_id=dossier_id,
        dossier_seq=dossier_seq,
        event_key=event_key,
        occurred_at=utcnow(),
        actor_id=who.user_id if who else None,
        actor_name=who.name if who else None,
        actor_role=who.role if who else None,
        actor_unit=who.unit if who else None,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        data=data or {},
        prev_hash=head.hash,
        hash="",
    )
    event.hash = event_hash(event)
    head.seq, head.hash = event.seq, event.hash
    session.add(event)
    session.flush()
    return event


@dataclass
class ChainReport:
    ok: bool
    events: int
    first_bad: int | None = None
    why: str | None = None


def verify_chain(session: Session, batch: int = 5000) -> ChainReport:
    """Recompute the global chain in order of `seq`."""
    prev, expected_seq, count = GENESIS, 1, 0
    last = 0
    while True:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.seq > last).order_by(AuditEvent.seq).limit(batch)
        ).all()
        if not rows:
            break
        for e in rows:
            if e.seq != expected_seq:
                return ChainReport(False, count, e.seq, f"thiếu sự kiện số {expected_seq}")
            if e.prev_hash != prev:
                return ChainReport(False, count, e.seq, "liên kết với sự kiện trước bị sai")
            if event_hash(e) != e.hash:
                return ChainReport(False, count, e.seq, "nội dung sự kiện đã bị sửa đổi")
            prev, expected_seq, count, last = e.hash, expected_seq + 1, count + 1, e.seq
        session.expunge_all()
    head = session.get(ChainHead, 1)
    if head is not None and (head.seq != count or head.hash != prev):
        return ChainReport(False, count, count + 1, "cuối chuỗi không khớp với đầu chuỗi đã ghi")
    return ChainReport(True, count)
