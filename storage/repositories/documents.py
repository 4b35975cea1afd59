"""Queries of documents and their versions, and the gap-free number series."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from domain.subjects import Subject
from storage.models import (
    Document,
    DocumentVersion,
    NumberSeries,
    of_subject,
)

REPORTER_RENDITION = "pdf-reporter"
"""A report signed by the individual it is about (before the unit head signs it)."""


def documents_of(s: Session, dossier_id: int) -> Sequence[Document]:
    return subject_documents(s, Subject.dossier(dossier_id))


def subject_documents(s: Session, subject: Subject) -> Sequence[Document]:
    return s.scalars(
        select(Document)
        .where(of_subject(Document, subject))
        .order_by(Document.transition_seq, Document.form, Document.copy_no)
    ).all()


def document(s: Session, doc_id: int) -> Document | None:
    return s.get(Document, doc_id)


def lock_document(s: Session, doc_id: int) -> Document | None:
    """The document, locked until the transaction ends, so that two writers adding a
    version (a flow preparing the next step's form while the approver signs it) take
    turns instead of both claiming the same version number. `FOR NO KEY UPDATE`, not
    `FOR UPDATE`: rows that only refer to the document (a decision's awards, written in
    a transaction kept open while its seal is recorded, ADR 0017) take a key-share lock
    on it, which this one must not wait for."""
    return s.get(Document, doc_id, with_for_update={"key_share": True}, populate_existing=True)


def next_version_seq(s: Session, doc_id: int) -> int:
    """The number the document's next version takes (call with the document locked)."""
    top = s.scalar(
        select(func.max(DocumentVersion.seq)).where(DocumentVersion.document_id == doc_id)
    )
    return (top or 0) + 1


def find_document(
    s: Session, dossier_id: int, seq: int, form: str, copy_no: int
) -> Document | None:
    return document_of(s, Subject.dossier(dossier_id), seq, form, copy_no)


def document_of(s: Session, subject: Subject, seq: int, form: str, copy_no: int) -> Document | None:
    """The document a step of `subject` issues as this copy of `form`."""
    return s.scalar(
        select(Document).where(
            of_subject(Document, subject),
            Document.transition_seq == seq,
            Document.form == form,
            Document.copy_no == copy_no,
        )
    )


def attachments_of(s: Session, dossier_id: int, *, current: bool = False) -> Sequence[Document]:
    """The dossier's attachments in the order they were added; `current`: only those
    still in the dossier (not removed or replaced)."""
    q = select(Document).where(
        of_subject(Document, Subject.dossier(dossier_id)), Document.form == "attachment"
    )
    if current:
        q = q.where(Document.removed_at.is_(None))
    return s.scalars(q.order_by(Document.id)).all()


def versions_filed_with(s: Session, doc_id: int) -> Sequence[DocumentVersion]:
    """The sealed copies of attachments filed with document `doc_id` (a Tờ trình)."""
    return s.scalars(
        select(DocumentVersion)
        .where(DocumentVersion.filed_with_id == doc_id)
        .order_by(DocumentVersion.id)
    ).all()


def all_versions(s: Session) -> Sequence[DocumentVersion]:
    return s.scalars(select(DocumentVersion).order_by(DocumentVersion.id)).all()


def next_number(s: Session, issuer: str, doc_type: str, year: int) -> int:
    """Take the next number of a series inside the caller's transaction.

    One atomic upsert: the first number of a series and every later one are taken without
    a race (the row lock is held until the caller commits, so numbers are gap-free as long
    as the document row is written in the same transaction).
    """
    insert = pg_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert
    values = insert(NumberSeries).values(issuer=issuer, doc_type=doc_type, year=year, last_number=1)
    stmt = values.on_conflict_do_update(
        index_elements=["issuer", "doc_type", "year"],
        set_={"last_number": NumberSeries.last_number + 1},
    ).returning(NumberSeries.last_number)
    return int(s.execute(stmt).scalar_one())


def last_number(s: Session, issuer: str, doc_type: str, year: int) -> int:
    """The last number a series has given (0 before its first); a read, takes nothing."""
    return (
        s.scalar(
            select(NumberSeries.last_number).where(
                NumberSeries.issuer == issuer,
                NumberSeries.doc_type == doc_type,
                NumberSeries.year == year,
            )
        )
        or 0
    )
