"""Migration 0013 on SQLite and PostgreSQL: a database written by the code of 0012 gets
its rows' subject, keeps its history verifying event for event, and goes on with format 3
events of a dossier, of a round and of no subject, checkpoints included."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from documents.pki import create_ca, fingerprint, issue_certificate
from domain.subjects import Subject, SubjectKind
from storage import audit
from storage.checkpoints import cms_signer, write_checkpoint
from storage.db import Database
from storage.integrity import verify_all
from storage.migrate import alembic_config, upgrade
from storage.models import (
    AuditEvent,
    Document,
    DossierTransition,
    Notification,
    OutboxItem,
    SigningKey,
    subject_columns,
)
from storage.objects import LocalObjectStore
from tests.fixtures.old_chain import (
    OldChain,
    drop_audit_triggers,
    old_hash,
    set_reason,
    write_0012_database,
)
from tests.fixtures.pg import fresh_database

ROUND = Subject(SubjectKind.ROUND, 1)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each kind, not migrated."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tdkt.sqlite3'}"
    else:
        with fresh_database() as u:
            yield u


@pytest.fixture
def old(url: str) -> OldChain:
    return write_0012_database(url)


@pytest.fixture
def store(tmp_path: Path) -> LocalObjectStore:
    s = LocalObjectStore(tmp_path / "objects")
    s.ensure_ready()
    return s


def extend(db: Database, old: OldChain) -> list[AuditEvent]:
    """What the code of today adds: the old dossier's next step, a round's first two
    events and an event about no subject."""
    who = audit.Who(old.user_id, "Nguyễn Văn Cũ", "unit_clerk", "Ban Dân tộc tỉnh")
    with db.write() as s:
        events = [
            audit.append(s, kind="approve", dossier_id=old.dossier_id, who=who),
            audit.append(s, kind="round_created", subject=ROUND, who=who),
            audit.append(s, kind="password_changed", who=who),
            audit.append(s, kind="round_submitted", subject=ROUND, who=who),
        ]
        for e in events:
            s.expunge(e)
    return events


def test_old_rows_get_their_dossier_as_subject_and_history_stays_append_only(
    url: str, old: OldChain
):
    upgrade(url)
    db = Database(url)
    with db.read() as s:
        for model in (DossierTransition, Document, OutboxItem, Notification):
            row = s.scalars(select(model)).one()
            assert (row.subject_kind, row.subject_id, row.dossier_id) == (
                "dossier",
                old.dossier_id,
                old.dossier_id,
            )
        events = s.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
        assert [(e.subject_kind, e.subject_id, e.subject_seq) for e in events] == [
            ("dossier", old.dossier_id, 1),
            (None, None, None),
            ("dossier", old.dossier_id, 2),
            (None, None, None),
            ("dossier", old.dossier_id, 3),
        ]
        # Filling the subject left every hash as the code of 0012 wrote it.
        assert [e.hash for e in events] == old.hashes
        assert [e.format for e in events] == [1, 1, 2, 2, 2]
    with pytest.raises(DBAPIError, match="append-only"), db.write() as s:
        s.execute(text("UPDATE audit_events SET reason = 'x' WHERE seq = 1"))
    db.dispose()


def test_mixed_chain_verifies_with_checkpoints_and_each_tampering_is_named(
    url: str, old: OldChain, store: LocalObjectStore
):
    upgrade(url)
    db = Database(url)
    ca = create_ca("tdkt test CA (chỉ dùng thử)", "tdkt test")
    seal = issue_certificate(
        ca, common_name="Sở Nội vụ", organization="Sở Nội vụ", kind="organisation"
    )
    sign = cms_signer(seal.key_pem, seal.cert_pem, (ca.cert_pem,))
    with db.write() as s:
        s.add(
            SigningKey(
                kind="ca", subject="ca", fingerprint=fingerprint(ca.cert_pem), cert_pem=ca.cert_pem
            )
        )
    first = write_checkpoint(db, store, sign)  # over the old events alone
    new = extend(db, old)
    second = write_checkpoint(db, store, sign)  # over old and new
    assert first is not None and second is not None and second.count == 9

    step, round_created, no_subject, round_submitted = new
    assert [e.format for e in new] == [3, 3, 3, 3]
    # The dossier's chain goes on from its format 2 event.
    assert (step.subject_seq, step.subject_prev_hash) == (4, old.hashes[4])
    assert (step.dossier_seq, step.dossier_prev_hash) == (4, old.hashes[4])
    assert (round_created.dossier_id, round_created.subject_seq) == (None, 1)
    assert round_created.subject_prev_hash == audit.GENESIS
    assert (round_submitted.subject_seq, round_submitted.subject_prev_hash) == (
        2,
        round_created.hash,
    )
    assert no_subject.subject_kind is None and no_subject.subject_seq is None
    assert set(audit.canonical_body(step)) == set(audit.CANONICAL_KEYS)

    with db.read() as s:
        r = verify_all(s, store)
        assert (r.ok, r.events, r.checkpoints) == (True, 9, 2), r.detail
        chain = audit.verify_chain(s)
        assert (chain.dossiers, chain.subjects) == (1, 2)
        assert audit.verify_dossier_chain(s, old.dossier_id).events == 4
        assert audit.verify_subject_chain(s, ROUND).events == 2

    drop_audit_triggers(url)
    was = set_reason(url, 3, "sửa lý do của một sự kiện cũ")  # a format 2 event
    with db.read() as s:
        r = verify_all(s, store)
    assert (r.ok, r.first_bad, r.code) == (False, 3, "event_modified")
    set_reason(url, 3, was)
    was = set_reason(url, round_created.seq, "sửa lý do của một sự kiện mới")
    with db.read() as s:
        r = verify_all(s, store)
    assert (r.ok, r.first_bad, r.code) == (False, round_created.seq, "event_modified")
    set_reason(url, round_created.seq, was)

    # An old event's subject is outside its hash: moving it to another subject is still
    # caught, since it must say the event's dossier.
    with db.write() as s:
        s.execute(text("UPDATE audit_events SET subject_kind = 'round' WHERE seq = 5"))
    with db.read() as s:
        r = verify_all(s, store)
    assert (r.ok, r.first_bad, r.code) == (False, 5, "subject_modified")
    with db.read() as s:  # the dossier's own chain lost its third event to the "round"
        r = audit.verify_dossier_chain(s, old.dossier_id)
    assert (r.ok, r.first_bad, r.code) == (False, step.seq, "event_missing")
    db.dispose()


def test_rows_of_a_round_need_no_dossier_and_a_mismatch_is_refused(url: str, old: OldChain):
    upgrade(url)
    db = Database(url)
    step = {"transition_seq": 1, "form": "to_trinh_don_vi", "copy_no": 0, "title": "Tờ trình"}
    with db.write() as s:
        # The dossier already has this step's Tờ trình; a round with the same id is
        # another subject.
        s.add(Document(**subject_columns(Subject(SubjectKind.ROUND, old.dossier_id)), **step))
        s.add(OutboxItem(**subject_columns(ROUND), transition_seq=1))
    with db.read() as s:
        rows = s.execute(select(Document.subject_kind, Document.dossier_id)).all()
        assert sorted(rows, key=str) == [("dossier", old.dossier_id), ("round", None)]
    with pytest.raises(IntegrityError), db.write() as s:
        s.add(Document(**subject_columns(Subject.dossier(old.dossier_id)), **step))
    with pytest.raises(ValueError, match="disagrees"), db.write() as s:
        s.add(OutboxItem(subject_kind="round", subject_id=2, dossier_id=old.dossier_id))
    with db.write() as s:  # only its dossier given, as the code before subjects wrote it
        item = OutboxItem(dossier_id=old.dossier_id, transition_seq=2)
        s.add(item)
        s.flush()
        assert (item.subject_kind, item.subject_id) == ("dossier", old.dossier_id)
    db.dispose()


def test_downgrade_restores_0012_and_refuses_once_new_rows_exist(url: str, old: OldChain):
    cfg = alembic_config(url)
    upgrade(url)
    command.downgrade(cfg, "0012")
    db = Database(url)
    with db.read() as s:
        stored = s.execute(text("SELECT * FROM audit_events ORDER BY seq")).mappings().all()
        assert "subject_kind" not in stored[0]
        # Recomputed by the old canonical form: nothing of the history moved.
        assert [old_hash(dict(r)) for r in stored] == old.hashes
        assert s.scalar(text("SELECT count(*) FROM outbox WHERE dossier_id IS NOT NULL")) == 1
    with pytest.raises(DBAPIError, match="append-only"), db.write() as s:
        s.execute(text("DELETE FROM audit_events WHERE seq = 1"))
    db.dispose()

    upgrade(url)
    db = Database(url)
    extend(db, old)
    with pytest.raises(RuntimeError, match="0012 cannot"):
        command.downgrade(cfg, "0012")
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == 9
        assert audit.verify_chain(s).ok
    db.dispose()
