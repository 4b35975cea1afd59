"""Two writers adding a version to one document take turns (storage/repositories/
documents.py `lock_document`): a flow preparing the next step's form while the approver
signs it once collided on the version number and failed the approval on PostgreSQL."""

from __future__ import annotations

import threading

from sqlalchemy import select

from domain.subjects import Subject, SubjectKind
from issuing.issue import record_in
from storage.db import Database
from storage.models import Document, DocumentVersion, subject_columns
from storage.objects import StoredObject


def _obj(key: str) -> StoredObject:
    return StoredObject(
        key=key, version_id=None, sha256="0" * 64, size=1, content_type="application/pdf"
    )


def test_a_second_writer_waits_and_takes_the_next_version_number(db: Database) -> None:
    with db.write() as s:
        doc = Document(
            **subject_columns(Subject(SubjectKind.ROUND, 1)),
            transition_seq=1,
            form="to_trinh",
            title="Tờ trình",
        )
        s.add(doc)
        s.flush()
        doc_id = doc.id

    second_done = threading.Event()
    errors: list[BaseException] = []

    def second_writer() -> None:
        try:
            with db.write() as s:
                record_in(s, doc_id, "pdf-prepared", _obj("b.pdf"), "application/pdf")
        except BaseException as e:  # reported by the assertion below
            errors.append(e)
        finally:
            second_done.set()

    with db.write() as s:
        record_in(s, doc_id, "pdf-prepared", _obj("a.pdf"), "application/pdf")
        thread = threading.Thread(target=second_writer)
        thread.start()
        # The second writer is held while the first one's version is not committed.
        assert not second_done.wait(1.0)
    thread.join(30)
    assert not errors, errors
    with db.read() as s:
        got = s.execute(
            select(DocumentVersion.seq, DocumentVersion.object_key)
            .where(DocumentVersion.document_id == doc_id)
            .order_by(DocumentVersion.seq)
        ).all()
    assert [tuple(r) for r in got] == [(1, "a.pdf"), (2, "b.pdf")]
