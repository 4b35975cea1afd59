"""The audit log: append-only, hash-chained globally and per subject (a dossier, a round).

Canonical form of an event (what an outside tool recomputes; README, "The audit chain's
canonical form"): a JSON object with the keys of `canonical_body`, sorted, separators ","
and ":", UTF-8 without ASCII escaping, times as ISO 8601 UTC with microseconds and "Z".
Its SHA-256 (hex) is the event's `hash`. Two links are inside what the hash covers:
`prev_hash`, the hash of the previous event in the global chain, and `dossier_prev_hash`,
the hash of the previous event of the same dossier (64 zeros for a first event). So one
hash per event proves both the global order and each dossier's own history.

Format 3 (since migration 0013) adds the subject the event is about: `subject_kind`,
`subject_id`, `subject_seq` (its place in the subject's own chain) and
`subject_prev_hash` (the previous event of the same subject). A dossier is one subject:
its chain goes on from its format 2 events, and its events still carry `dossier_id`,
`dossier_seq` and `dossier_prev_hash` with the same values, so a dossier's history reads
and checks as before. Events about no subject (an account, a template) have all four
empty.

Events written before migration 0003 have `format` 1: their canonical form lacks
`format`, `on_behalf_of` and `dossier_prev_hash`; format 2 lacks the subject. Both stay
verifiable as written. Their subject columns were filled by migration 0013 from
`dossier_id`, outside what their hash covers, so the verifier checks that they still say
exactly that.

The table refuses UPDATE and DELETE by database triggers (migration 0003); signed
checkpoints in the write-once archive (storage/checkpoints.py) catch what a person who
drops the triggers could still do: remove the tail or rewrite the whole chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from domain.roles import AUTHORITY_ROLES, UNIT_ROLES, Role
from domain.subjects import Subject, SubjectKind
from storage.models import AuditEvent, Authority, ChainHead, Cluster, Dossier, Unit, utcnow

GENESIS = "0" * 64
FORMAT = 3
"""Canonical form written by `append`."""

CANONICAL_KEYS_V1 = (
    "seq",
    "dossier_id",
    "dossier_seq",
    "event_key",
    "occurred_at",
    "actor_id",
    "actor_name",
    "actor_role",
    "actor_unit",
    "kind",
    "from_status",
    "to_status",
    "reason",
    "data",
    "prev_hash",
)
CANONICAL_KEYS_V2 = (*CANONICAL_KEYS_V1, "format", "on_behalf_of", "dossier_prev_hash")
CANONICAL_KEYS = (
    *CANONICAL_KEYS_V2,
    "subject_kind",
    "subject_id",
    "subject_seq",
    "subject_prev_hash",
)
"""The keys of format 3, written since migration 0013."""


def iso_utc(t: datetime) -> str:
    if t.tzinfo is None:  # SQLite gives naive datetimes back: they were stored as UTC
        t = t.replace(tzinfo=UTC)
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


VIETNAM = timezone(timedelta(hours=7), "ICT")


def vn_time(t: datetime | str) -> str:
    """A UTC time as Vietnamese users read it: 02/07/2026 14:05:09 (giờ Việt Nam)."""
    if isinstance(t, str):
        t = datetime.fromisoformat(t.replace("Z", "+00:00"))
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    return t.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M:%S") + " (giờ Việt Nam)"


def canonical_body(e: AuditEvent) -> dict[str, Any]:
    """The fields the hash covers, as JSON values."""
    body: dict[str, Any] = {
        "seq": e.seq,
        "dossier_id": e.dossier_id,
        "dossier_seq": e.dossier_seq,
        "event_key": e.event_key,
        "occurred_at": iso_utc(e.occurred_at),
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
    if (e.format or 1) >= 2:
        body["format"] = e.format
        body["on_behalf_of"] = e.on_behalf_of
        body["dossier_prev_hash"] = e.dossier_prev_hash
    if (e.format or 1) >= 3:
        body["subject_kind"] = e.subject_kind
        body["subject_id"] = e.subject_id
        body["subject_seq"] = e.subject_seq
        body["subject_prev_hash"] = e.subject_prev_hash
    return body


def canonical_json(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def canonical(e: AuditEvent) -> bytes:
    return canonical_json(canonical_body(e))


def event_hash(e: AuditEvent) -> str:
    return hashlib.sha256(canonical(e)).hexdigest()


@dataclass(frozen=True)
class Who:
    """The person behind an event: user, the role they acted in, the unit they work in
    and, when it differs or matters, whom they acted for (e.g. the cluster led by their
    unit). Left empty, `on_behalf_of` is derived from the dossier and the role."""

    user_id: int
    name: str
    role: str
    unit: str
    on_behalf_of: str | None = None


def acting_for(session: Session, dossier_id: int, role: str) -> str | None:
    """Whom a holder of `role` acts for on this dossier: the dossier's unit for unit
    roles, its cluster for cluster approvers, its authority for the board and auditors."""
    d = session.get(Dossier, dossier_id)
    if d is None:
        return None
    try:
        r = Role(role)
    except ValueError:
        return None
    if r in UNIT_ROLES or r == Role.UNIT_MEMBER:
        u = session.get(Unit, d.unit_id)
        return u.name if u else None
    if r == Role.CLUSTER_APPROVER:
        c = session.get(Cluster, d.cluster_id) if d.cluster_id is not None else None
        return c.name if c else None
    if r in AUTHORITY_ROLES or r == Role.AUDITOR:
        a = session.get(Authority, d.authority_id)
        return a.name if a else None
    return None


def append(
    session: Session,
    *,
    kind: str,
    dossier_id: int | None = None,
    subject: Subject | None = None,
    who: Who | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    reason: str | None = None,
    data: dict[str, Any] | None = None,
    event_key: str | None = None,
) -> AuditEvent:
    """Append one event inside the caller's transaction.

    The event is about `subject`, or the dossier `dossier_id` (the same as
    `subject=Subject.dossier(dossier_id)`), or nothing.

    With `event_key`, an event already written under that key is returned instead of a
    second one (a retried machine step records itself once).
    """
    if subject is None and dossier_id is not None:
        subject = Subject.dossier(dossier_id)
    if subject is not None:
        if dossier_id is not None and subject.dossier_id != dossier_id:
            raise ValueError(f"audit event for {subject} given dossier_id {dossier_id}")
        dossier_id = subject.dossier_id
    if event_key is not None:
        existing = session.scalar(select(AuditEvent).where(AuditEvent.event_key == event_key))
        if existing is not None:
            return existing
    # Locking the head serialises appends on PostgreSQL; SQLite writers are already
    # serialised by BEGIN IMMEDIATE. The row is created by the first migration.
    head = session.scalars(select(ChainHead).where(ChainHead.id == 1).with_for_update()).one()
    subject_seq = subject_prev = None
    if subject is not None:
        # A dossier's events written before migration 0013 have their `subject_seq`
        # copied from `dossier_seq`: the dossier's chain goes on where it was.
        last = session.execute(
            select(AuditEvent.subject_seq, AuditEvent.hash)
            .where(
                AuditEvent.subject_kind == subject.kind.value,
                AuditEvent.subject_id == subject.id,
            )
            .order_by(AuditEvent.subject_seq.desc())
            .limit(1)
        ).first()
        subject_seq = (last.subject_seq or 0) + 1 if last else 1
        subject_prev = last.hash if last else GENESIS
    dossier_seq, dossier_prev = (
        (subject_seq, subject_prev) if dossier_id is not None else (None, None)
    )
    on_behalf_of = who.on_behalf_of if who else None
    if who is not None and on_behalf_of is None and dossier_id is not None:
        on_behalf_of = acting_for(session, dossier_id, who.role)
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
        on_behalf_of=on_behalf_of,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        # Through JSON once, so the hash made now equals the one recomputed from what the
        # database gives back (tuples become lists, keys become strings).
        data=json.loads(json.dumps(data or {}, ensure_ascii=False)),
        prev_hash=head.hash,
        dossier_prev_hash=dossier_prev,
        subject_kind=subject.kind.value if subject else None,
        subject_id=subject.id if subject else None,
        subject_seq=subject_seq,
        subject_prev_hash=subject_prev,
        format=FORMAT,
        hash="",
    )
    event.hash = event_hash(event)
    head.seq, head.hash = event.seq, event.hash
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class Entry:
    """One event for `append_many`: the arguments `append` takes."""

    kind: str
    subject: Subject | None = None
    who: Who | None = None
    from_status: str | None = None
    to_status: str | None = None
    reason: str | None = None
    data: dict[str, Any] | None = None
    event_key: str | None = None


def append_many(session: Session, entries: Sequence[Entry]) -> None:
    """Append events in this order inside the caller's transaction, as many `append`
    calls would (the same events, links and hashes), in one pass over the chain: one look
    for the keys already written, one lock of the head, one look for each subject's last
    event, one INSERT of them all. An entry whose `event_key` is already written (or
    earlier in `entries`) is skipped. Used where a step writes an event for each of
    hundreds of subjects (a decision's awards)."""
    session.flush()  # what the caller changed first, as `append`'s first look would
    keys = [e.event_key for e in entries if e.event_key is not None]
    written = (
        set(session.scalars(select(AuditEvent.event_key).where(AuditEvent.event_key.in_(keys))))
        if keys
        else set()
    )
    head = session.scalars(select(ChainHead).where(ChainHead.id == 1).with_for_update()).one()
    subjects = {e.subject for e in entries if e.subject is not None}
    last: dict[Subject, tuple[int, str]] = {}
    by_kind: dict[SubjectKind, list[int]] = {}
    for one in subjects:
        by_kind.setdefault(one.kind, []).append(one.id)
    for kind, ids in by_kind.items():
        newest = (
            select(
                AuditEvent.subject_id.label("sid"),
                func.max(AuditEvent.subject_seq).label("seq"),
            )
            .where(AuditEvent.subject_kind == kind.value, AuditEvent.subject_id.in_(ids))
            .group_by(AuditEvent.subject_id)
            .subquery()
        )
        rows = session.execute(
            select(AuditEvent.subject_id, AuditEvent.subject_seq, AuditEvent.hash).join(
                newest,
                (AuditEvent.subject_kind == kind.value)
                & (AuditEvent.subject_id == newest.c.sid)
                & (AuditEvent.subject_seq == newest.c.seq),
            )
        )
        for subject_id, seq, hash_ in rows:
            if subject_id is not None:
                last[Subject(kind, subject_id)] = (seq or 0, hash_)
    rows_out: list[dict[str, Any]] = []
    seq_now, hash_now = head.seq, head.hash
    for e in entries:
        if e.event_key is not None:
            if e.event_key in written:
                continue
            written.add(e.event_key)
        subject, dossier_id = e.subject, e.subject.dossier_id if e.subject else None
        subject_seq = subject_prev = None
        if subject is not None:
            seq, prev = last.get(subject, (0, GENESIS))
            subject_seq, subject_prev = seq + 1, prev
        on_behalf_of = e.who.on_behalf_of if e.who else None
        if e.who is not None and on_behalf_of is None and dossier_id is not None:
            on_behalf_of = acting_for(session, dossier_id, e.who.role)
        event = AuditEvent(
            seq=seq_now + 1,
            dossier_id=dossier_id,
            dossier_seq=subject_seq if dossier_id is not None else None,
            event_key=e.event_key,
            occurred_at=utcnow(),
            actor_id=e.who.user_id if e.who else None,
            actor_name=e.who.name if e.who else None,
            actor_role=e.who.role if e.who else None,
            actor_unit=e.who.unit if e.who else None,
            on_behalf_of=on_behalf_of,
            kind=e.kind,
            from_status=e.from_status,
            to_status=e.to_status,
            reason=e.reason,
            data=json.loads(json.dumps(e.data or {}, ensure_ascii=False)),
            prev_hash=hash_now,
            dossier_prev_hash=subject_prev if dossier_id is not None else None,
            subject_kind=subject.kind.value if subject else None,
            subject_id=subject.id if subject else None,
            subject_seq=subject_seq,
            subject_prev_hash=subject_prev,
            format=FORMAT,
            hash="",
        )
        event.hash = event_hash(event)
        seq_now, hash_now = event.seq, event.hash
        if subject is not None and subject_seq is not None:
            last[subject] = (subject_seq, event.hash)
        rows_out.append({c: getattr(event, c) for c in _COLUMNS})
    if rows_out:
        # One executemany without RETURNING: nothing reads the rows back as objects. The
        # head moves one event at a time (the database refuses a jump: migration 0003),
        # in one executemany as well.
        session.execute(insert(AuditEvent), rows_out)
        session.connection().execute(
            update(ChainHead)
            .where(ChainHead.id == 1)
            .values(seq=bindparam("to_seq"), hash=bindparam("to_hash")),
            [{"to_seq": r["seq"], "to_hash": r["hash"]} for r in rows_out],
        )
        session.expire(head)


_COLUMNS = tuple(c.key for c in AuditEvent.__table__.columns if c.key != "id")


def documents_of_event(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The stored files an event names, each with `object_key` and `sha256`: the event's
    own (an attachment, a read) and those in its lists (`documents` issued by a step,
    PDFs `signed` by an approver)."""
    found = [data]
    for value in data.values():
        if isinstance(value, list):
            found += [d for d in value if isinstance(d, dict)]
    return [d for d in found if d.get("object_key") and d.get("sha256")]


# ---------------------------------------------------------------- verification


@dataclass(frozen=True)
class Anchor:
    """An event hash the chain must still contain, taken from a signed checkpoint."""

    seq: int
    hash: str
    checkpoint: int
    """Number of the checkpoint that recorded it."""
    at: str
    """When that checkpoint was written (ISO 8601 UTC)."""


@dataclass
class ChainReport:
    ok: bool
    events: int
    first_bad: int | None = None
    why: str | None = None
    code: str | None = None
    dossier_id: int | None = None
    checkpoint: int | None = None
    last_hash: str = GENESIS
    dossiers: int = 0
    subjects: int = 0


@dataclass
class _Walk:
    prev: str = GENESIS
    count: int = 0
    subjects: dict[tuple[str, int], tuple[int, str]] = field(default_factory=dict)

    @property
    def dossiers(self) -> int:
        return sum(1 for kind, _ in self.subjects if kind == SubjectKind.DOSSIER)


def subject_of(e: AuditEvent) -> tuple[str, int] | None:
    """The subject an event is about, as (kind, id)."""
    if e.subject_kind is None or e.subject_id is None:
        return None
    return e.subject_kind, e.subject_id


def subject_disagrees(e: AuditEvent) -> str | None:
    """Why the event's subject columns contradict its dossier columns, if they do.

    Before format 3 the subject is outside the hash: migration 0013 derived it from
    `dossier_id`, so it must still say exactly that. From format 3 both are hashed, and a
    dossier's event carries the same link in both."""
    if (e.format or 1) < 3:
        expected: tuple[Any, ...] = (None, None, None)
        if e.dossier_id is not None:
            expected = (SubjectKind.DOSSIER.value, e.dossier_id, e.dossier_seq)
        if (e.subject_kind, e.subject_id, e.subject_seq) != expected or (
            e.subject_prev_hash != e.dossier_prev_hash
        ):
            return "chủ thể của sự kiện (subject_*) không khớp với hồ sơ ghi trong sự kiện"
        return None
    if (e.subject_kind is None) != (e.subject_id is None) or (
        (e.subject_kind is None) != (e.subject_seq is None)
    ):
        return "chủ thể của sự kiện (subject_*) ghi thiếu"
    if e.subject_kind == SubjectKind.DOSSIER and e.dossier_id != e.subject_id:
        return "chủ thể của sự kiện (subject_*) không khớp với hồ sơ ghi trong sự kiện"
    if e.dossier_id is not None and (
        e.subject_kind != SubjectKind.DOSSIER
        or (e.dossier_seq, e.dossier_prev_hash) != (e.subject_seq, e.subject_prev_hash)
    ):
        return "chủ thể của sự kiện (subject_*) không khớp với hồ sơ ghi trong sự kiện"
    return None


def events_in_order(
    session: Session,
    *,
    dossier_id: int | None = None,
    subject: Subject | None = None,
    after: int = 0,
    until: int | None = None,
    batch: int = 2000,
) -> Iterator[AuditEvent]:
    """Events by `seq` (or one subject's — `dossier_id` is the dossier's — by
    `subject_seq`) after `after` up to `until`, read in batches and detached after use so
    memory stays flat."""
    if subject is None and dossier_id is not None:
        subject = Subject.dossier(dossier_id)
    last = after
    order = AuditEvent.seq if subject is None else AuditEvent.subject_seq
    while True:
        q = select(AuditEvent).where(order > last).order_by(order).limit(batch)
        if subject is not None:
            q = q.where(
                AuditEvent.subject_kind == subject.kind.value, AuditEvent.subject_id == subject.id
            )
        if until is not None:
            q = q.where(order <= until)
        rows = session.scalars(q).all()
        if not rows:
            return
        for e in rows:
            yield e
            session.expunge(e)
        last = (rows[-1].seq if subject is None else rows[-1].subject_seq) or 0


def verify_chain(
    session: Session,
    *,
    anchors: Iterable[Anchor] = (),
    visit: Callable[[AuditEvent], None] | None = None,
    batch: int = 2000,
) -> ChainReport:
    """Recompute the global chain in order of `seq`, each dossier's chain alongside, and
    compare with `anchors` (sorted by seq) and with the recorded chain head.

    Stops at the first bad event; `visit` sees every event found good before it.
    """
    w = _Walk()
    pending = iter(anchors)
    anchor = next(pending, None)
    # The head first, then the events up to it: appends committed while we walk (not a
    # snapshot on PostgreSQL) are left for the next check instead of looking wrong.
    head = session.execute(select(ChainHead.seq, ChainHead.hash).where(ChainHead.id == 1)).first()

    def bad(seq: int, code: str, why: str, **kw: Any) -> ChainReport:
        return ChainReport(
            False,
            w.count,
            seq,
            why,
            code,
            last_hash=w.prev,
            dossiers=w.dossiers,
            subjects=len(w.subjects),
            **kw,
        )

    for e in events_in_order(session, batch=batch, until=head.seq if head else None):
        expected = w.count + 1
        if e.seq != expected:
            where = ""
            if anchor is not None and anchor.seq == expected:
                where = f" (mốc kiểm tra số {anchor.checkpoint} đã ghi nhận nó)"
            return bad(expected, "event_missing", f"sự kiện số {expected} đã bị xóa{where}")
        if event_hash(e) != e.hash:
            return bad(
                e.seq,
                "event_modified",
                "nội dung sự kiện đã bị sửa đổi (mã băm tính lại không khớp)",
                dossier_id=e.dossier_id,
            )
        if e.prev_hash != w.prev:
            return bad(
                e.seq,
                "link_broken",
                "liên kết với sự kiện trước (prev_hash) bị sai",
                dossier_id=e.dossier_id,
            )
        disagreement = subject_disagrees(e)
        if disagreement is not None:
            return bad(e.seq, "subject_modified", disagreement, dossier_id=e.dossier_id)
        subject = subject_of(e)
        if subject is not None:
            # A dossier's link keeps its name and code; another subject's is its own.
            dossier = subject[0] == SubjectKind.DOSSIER
            code = "dossier_link_broken" if dossier else "subject_link_broken"
            of = "hồ sơ" if dossier else "chủ thể"
            last_seq, last_hash = w.subjects.get(subject, (0, GENESIS))
            if e.subject_seq != last_seq + 1:
                return bad(
                    e.seq,
                    code,
                    f"số thứ tự trong {of} là {e.subject_seq}, đúng ra là {last_seq + 1} "
                    f"(thiếu hoặc thừa sự kiện của {of})",
                    dossier_id=e.dossier_id,
                )
            linked = e.subject_prev_hash if (e.format or 1) >= 3 else e.dossier_prev_hash
            if (e.format or 1) >= 2 and linked != last_hash:
                column = "subject_prev_hash" if (e.format or 1) >= 3 else "dossier_prev_hash"
                return bad(
                    e.seq,
                    code,
                    f"liên kết với sự kiện trước của cùng {of} ({column}) bị sai",
                    dossier_id=e.dossier_id,
                )
            w.subjects[subject] = (e.subject_seq or 0, e.hash)
        while anchor is not None and anchor.seq <= e.seq:
            if anchor.seq == e.seq and anchor.hash != e.hash:
                return bad(
                    e.seq,
                    "checkpoint_mismatch",
                    f"khác với mã băm đã ký trong mốc kiểm tra số {anchor.checkpoint} "
                    f"(lúc {vn_time(anchor.at)}): lịch sử đã bị viết lại từ sự kiện này",
                    dossier_id=e.dossier_id,
                    checkpoint=anchor.checkpoint,
                )
            anchor = next(pending, None)
        if visit is not None:
            visit(e)
        w.prev, w.count = e.hash, e.seq
    if head is not None:
        if w.count < head.seq:
            where = ""
            if anchor is not None and anchor.seq == w.count + 1:
                where = f"; mốc kiểm tra số {anchor.checkpoint} đã ghi nhận chúng"
            return bad(
                w.count + 1,
                "event_missing",
                f"các sự kiện từ số {w.count + 1} đến {head.seq} đã bị xóa "
                f"(đầu chuỗi ghi nhận {head.seq} sự kiện{where})",
            )
        if w.prev != head.hash:
            return bad(head.seq, "head_mismatch", "cuối chuỗi không khớp với đầu chuỗi đã ghi")
    if anchor is not None:
        last = anchor
        for last in pending:  # noqa: B007 - only the last anchor is wanted
            pass
        # Signed after our look at the head: fine if the database has those events now
        # (they are compared next time); not if the head went back to hide them.
        now = session.scalar(select(ChainHead.seq).where(ChainHead.id == 1)) or 0
        if last.seq > now:
            return bad(
                w.count + 1,
                "event_missing",
                f"các sự kiện từ số {w.count + 1} đến {last.seq} đã bị xóa: mốc kiểm tra số "
                f"{last.checkpoint} (lúc {vn_time(last.at)}) đã ghi nhận {last.seq} sự kiện",
                checkpoint=last.checkpoint,
            )
    return ChainReport(
        True, w.count, last_hash=w.prev, dossiers=w.dossiers, subjects=len(w.subjects)
    )


def check_subject_events(events: Iterable[AuditEvent]) -> ChainReport:
    """One subject's chain on its own (a dossier's, a round's), from its events in order:
    every event recomputes and links to the previous event of the subject. (Removing a
    subject's last events shows only in the global chain and against the checkpoints.)"""
    prev, count, dossier = GENESIS, 0, True
    for e in events:
        dossier = e.subject_kind in (None, SubjectKind.DOSSIER)
        of, code = (
            ("hồ sơ", "dossier_link_broken") if dossier else ("chủ thể", "subject_link_broken")
        )
        if e.subject_seq != count + 1:
            why = f"thiếu sự kiện thứ {count + 1} của {of}"
            return ChainReport(False, count, e.seq, why, "event_missing", e.dossier_id)
        if event_hash(e) != e.hash:
            why = "nội dung sự kiện đã bị sửa đổi (mã băm tính lại không khớp)"
            return ChainReport(False, count, e.seq, why, "event_modified", e.dossier_id)
        disagreement = subject_disagrees(e)
        if disagreement is not None:
            return ChainReport(False, count, e.seq, disagreement, "subject_modified", e.dossier_id)
        linked = e.subject_prev_hash if (e.format or 1) >= 3 else e.dossier_prev_hash
        if (e.format or 1) >= 2 and linked != prev:
            why = f"liên kết với sự kiện trước của {of} bị sai"
            return ChainReport(False, count, e.seq, why, code, e.dossier_id)
        prev, count = e.hash, count + 1
    return ChainReport(
        True, count, last_hash=prev, dossiers=1 if count and dossier else 0, subjects=min(count, 1)
    )


check_dossier_events = check_subject_events
"""A dossier's chain is its subject's (the name the history export calls)."""


def verify_subject_chain(session: Session, subject: Subject) -> ChainReport:
    return check_subject_events(events_in_order(session, subject=subject))


def verify_dossier_chain(session: Session, dossier_id: int) -> ChainReport:
    return verify_subject_chain(session, Subject.dossier(dossier_id))
