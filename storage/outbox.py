"""Every query of the outbox: the rows a committed step leaves for the machine work.

A row's life: pending (committed with its step) → running (claimed by a dispatcher, then
taken by the flow run that works on it, which renews its lease) → done, or failed (tried
again by the re-drive loop, at most MAX_ATTEMPTS times). In the server mode the row also
names the Prefect flow run that was started for it, so a run known to be dead can be
replaced without waiting for its lease. The dispatcher and the flow (flows/) decide when;
the SQL of each move is here, so the states are written in one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.orm import Session

from domain.subjects import Subject, SubjectKind
from storage.models import OutboxItem, of_subject, subject_columns, utcnow

MAX_ATTEMPTS = 20


def _stale(lease: timedelta, now: datetime) -> ColumnElement[bool]:
    """A running row whose lease ran out: the process that held it died."""
    return (OutboxItem.state == "running") & (OutboxItem.started_at < now - lease)


def claim(s: Session, outbox_id: int, *, lease: timedelta, dead_run: str | None = None) -> bool:
    """pending/failed → running; also a running row whose lease ran out, or whose flow
    run `dead_run` is known to have ended without finishing it."""
    now = utcnow()
    stale = OutboxItem.started_at < now - lease
    if dead_run is not None:
        stale = or_(stale, OutboxItem.flow_run_id == dead_run)
    res = s.execute(
        update(OutboxItem)
        .where(
            OutboxItem.id == outbox_id,
            OutboxItem.attempts < MAX_ATTEMPTS,
            or_(
                OutboxItem.state.in_(["pending", "failed"]),
                (OutboxItem.state == "running") & stale,
            ),
        )
        # The flow run that starts next takes the row (`take`).
        .values(
            state="running",
            started_at=now,
            attempts=OutboxItem.attempts + 1,
            flow_run_id=None,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(res.rowcount)  # type: ignore[attr-defined]


def due(s: Session, *, lease: timedelta, limit: int = 200) -> list[int]:
    """Rows to run (again): never started, failed, or stuck past their lease."""
    return list(
        s.scalars(
            select(OutboxItem.id)
            .where(
                OutboxItem.attempts < MAX_ATTEMPTS,
                or_(OutboxItem.state.in_(["pending", "failed"]), _stale(lease, utcnow())),
            )
            .order_by(OutboxItem.id)
            .limit(limit)
        )
    )


def _owned_by(run_id: str) -> ColumnElement[bool]:
    """The row is this run's to work on: nobody runs it, or this run does."""
    return or_(
        OutboxItem.state != "running",
        OutboxItem.flow_run_id.is_(None),
        OutboxItem.flow_run_id == run_id,
    )


def take(s: Session, outbox_id: int, run_id: str) -> OutboxItem | None:
    """Make flow run `run_id` the one working on the row (and start its lease); None when
    the step is done or another live run holds it (an older run that started late)."""
    taken = s.execute(
        update(OutboxItem)
        .where(OutboxItem.id == outbox_id, OutboxItem.state != "done", _owned_by(run_id))
        .values(state="running", flow_run_id=run_id, started_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if not taken.rowcount:  # type: ignore[attr-defined]
        return None
    return s.get(OutboxItem, outbox_id)


def renew(s: Session, outbox_id: int, run_id: str) -> bool:
    """The run still works on the row: its lease starts again. False when it lost it."""
    res = s.execute(
        update(OutboxItem)
        .where(
            OutboxItem.id == outbox_id,
            OutboxItem.state == "running",
            OutboxItem.flow_run_id == run_id,
        )
        .values(started_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return bool(res.rowcount)  # type: ignore[attr-defined]


def fail(s: Session, outbox_id: int, run_id: str, error: str) -> None:
    """The run gave up (or its process is stopping): the re-drive loop tries again."""
    s.execute(
        update(OutboxItem)
        .where(OutboxItem.id == outbox_id, OutboxItem.state != "done", _owned_by(run_id))
        .values(state="failed", last_error=error[:2000])
        .execution_options(synchronize_session=False)
    )


def finish(item: OutboxItem) -> None:
    """The step's machine work is recorded, in the same transaction as its audit event."""
    item.state, item.finished_at, item.last_error = "done", utcnow(), None


# -------------------------------------------------------------------- server mode's runs


def record_run(s: Session, outbox_id: int, run_id: str) -> None:
    """The deployment run started for a claimed row, unless the run took it already."""
    s.execute(
        update(OutboxItem)
        .where(
            OutboxItem.id == outbox_id,
            OutboxItem.state == "running",
            OutboxItem.flow_run_id.is_(None),
        )
        .values(flow_run_id=run_id)
        .execution_options(synchronize_session=False)
    )


def release(s: Session, outbox_id: int, error: str) -> None:
    """The run could not be created (Prefect unreachable): not an attempt of the step."""
    s.execute(
        update(OutboxItem)
        .where(
            OutboxItem.id == outbox_id,
            OutboxItem.state == "running",
            OutboxItem.flow_run_id.is_(None),
        )
        .values(state="failed", last_error=error[:2000], attempts=OutboxItem.attempts - 1)
        .execution_options(synchronize_session=False)
    )


def running_runs(s: Session, *, limit: int = 500) -> list[tuple[int, str, datetime]]:
    """(row, its flow run, its last renewal) of every row a started run holds."""
    rows = s.execute(
        select(OutboxItem.id, OutboxItem.flow_run_id, OutboxItem.started_at)
        .where(OutboxItem.state == "running", OutboxItem.flow_run_id.is_not(None))
        .order_by(OutboxItem.id)
        .limit(limit)
    ).all()
    return [(r[0], r[1], r[2]) for r in rows if r[1] is not None and r[2] is not None]


def keep_waiting(s: Session, outbox_id: int, run_id: str) -> None:
    """A run queued for a worker (or just handed to one) keeps the row while it waits."""
    s.execute(
        update(OutboxItem)
        .where(OutboxItem.id == outbox_id, OutboxItem.flow_run_id == run_id)
        .values(started_at=utcnow())
        .execution_options(synchronize_session=False)
    )


# ---------------------------------------------------------------- what the pages show


def unfinished_step(s: Session, subject: Subject | int) -> OutboxItem | None:
    """The oldest step of the subject (a dossier given by its id) whose machine work has
    not finished."""
    if not isinstance(subject, Subject):
        subject = Subject.dossier(subject)
    return s.scalar(
        select(OutboxItem)
        .where(of_subject(OutboxItem, subject), OutboxItem.state != "done")
        .order_by(OutboxItem.transition_seq)
        .limit(1)
    )


def is_processing(s: Session, subject: Subject | int) -> bool:
    """Whether a step of the subject (a dossier given by its id) has machine work left."""
    if not isinstance(subject, Subject):
        subject = Subject.dossier(subject)
    return bool(
        s.scalar(
            select(func.count())
            .select_from(OutboxItem)
            .where(of_subject(OutboxItem, subject), OutboxItem.state != "done")
        )
    )


def busy(kind: SubjectKind, subject_id: Any) -> ColumnElement[bool]:
    """Subjects of `kind` (`subject_id`: their table's id column) with a step whose machine
    work has not finished: the lists of what waits for someone leave them out."""
    return (
        select(OutboxItem.id)
        .where(
            OutboxItem.subject_kind == str(kind),
            OutboxItem.subject_id == subject_id,
            OutboxItem.state != "done",
        )
        .exists()
    )


def add_step(s: Session, subject: Subject, seq: int) -> OutboxItem:
    """The outbox row of a committed step: its flow run starts after the commit."""
    row = OutboxItem(**subject_columns(subject), transition_seq=seq)
    s.add(row)
    s.flush()
    return row


def item(s: Session, item_id: int) -> OutboxItem | None:
    return s.get(OutboxItem, item_id)


def pending(s: Session, *, limit: int = 100) -> Sequence[OutboxItem]:
    return s.scalars(
        select(OutboxItem).where(OutboxItem.state != "done").order_by(OutboxItem.id).limit(limit)
    ).all()
