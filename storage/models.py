"""Database tables. The same models run on SQLite (embedded) and PostgreSQL (production)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ColumnElement,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    and_,
    event,
    func,
    inspect,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

from domain.search import search_document
from domain.subjects import Subject, SubjectKind


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps stored in UTC and always read back timezone-aware (SQLite forgets the
    zone; PostgreSQL keeps it)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON,
    }


# Integer primary keys that are BIGINT on PostgreSQL and rowid-aliases on SQLite.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Authority(Base):
    __tablename__ = "authorities"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    parent_name: Mapped[str] = mapped_column(String(255), default="")
    board_name: Mapped[str] = mapped_column(String(255), default="")
    """The commendation board inside the authority (Ban, since 2025 Phòng, TĐKT)."""
    province: Mapped[str] = mapped_column(String(64))


class Cluster(Base):
    __tablename__ = "clusters"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"))
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    valid_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    """The day the division decision that formed it took effect (None: before tdkt)."""
    valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    """The day it ceased to exist (dissolved or merged by a division decision)."""


class Unit(Base):
    __tablename__ = "units"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"))
    cluster_id: Mapped[int | None] = mapped_column(ForeignKey("clusters.id"), index=True)
    """The cluster the unit belongs to today: kept from `cluster_memberships` (the dated
    record, domain/clusters.py) whenever a division decision is recorded."""
    code: Mapped[str] = mapped_column(String(32), unique=True)
    """The issuing body's ký hiệu used in document numbers, e.g. "BDT"."""
    name: Mapped[str] = mapped_column(String(255))
    parent_name: Mapped[str] = mapped_column(String(255), default="")

    cluster: Mapped[Cluster | None] = relationship()


class ClusterTerm(Base):
    """The leadership of one cluster in one year (Trưởng cụm and Phó trưởng cụm)."""

    __tablename__ = "cluster_terms"
    __table_args__ = (UniqueConstraint("cluster_id", "year"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("clusters.id"))
    year: Mapped[int] = mapped_column(Integer)
    head_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    deputy_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(255))
    position: Mapped[str] = mapped_column(String(255), default="")
    """Chức vụ, printed under the signature."""
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    pin_failures: Mapped[int] = mapped_column(Integer, default=0)
    """Wrong signing PINs in a row; at the limit signing is locked until an admin unlocks."""
    signing_locked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # migration 0010: temporary passwords, sessions ended by a password change, a key
    # whose PIN the person sets
    must_change_password: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )
    """The password was set by an admin (a new account, a reset): nothing but changing it
    (and signing out) until the person does."""
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    """Tokens carry the epoch they were issued in; changing the password moves it on, so
    every session opened with the old password ends."""
    signing_key_pending: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )
    """An admin asked the system's CA for a key for this person: it is made, and
    certified, when the person sets their signing PIN (the admin never knows it)."""
    # migration 0031: where the reminders are emailed, and whether the daily digest is wanted
    email: Mapped[str | None] = mapped_column(String(255), default=None)
    digest_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    """The person receives the daily digest (in-app and by email); they may turn it off."""

    grants: Mapped[list[RoleAssignment]] = relationship(
        back_populates="user", lazy="selectin", order_by="RoleAssignment.id"
    )


class RoleAssignment(Base):
    __tablename__ = "role_assignments"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    cluster_term_id: Mapped[int | None] = mapped_column(ForeignKey("cluster_terms.id"))
    authority_id: Mapped[int | None] = mapped_column(ForeignKey("authorities.id"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    """Migration 0018: an agency reviewer's agency (hiệp y)."""

    user: Mapped[User] = relationship(back_populates="grants")


class Reminder(Base):
    """Migration 0031: one reminder to one person — the daily digest of `day`, or the
    escalation of `subject` (e.g. "dossier:12") whose deadline `day` passed — claimed
    before it is sent (the unique key makes two runs or two workers claim it once),
    marked sent after. A claim left unsent past the lease is taken over."""

    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint("user_id", "kind", "subject", "day", name="uq_reminders_key"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(64))
    day: Mapped[date] = mapped_column(Date)
    claimed_at: Mapped[datetime] = mapped_column()
    attempts: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    emailed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))


class Delegation(Base):
    """Migration 0030: a role held for someone else for a period (domain/delegation.py):
    the delegator's grant (role and where it is held), the dates in Vietnam time, the
    kind (KT., TL., TUQ., Q.) and why; revoked, it stops at once."""

    __tablename__ = "delegations"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    delegator_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    delegate_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    cluster_term_id: Mapped[int | None] = mapped_column(ForeignKey("cluster_terms.id"))
    authority_id: Mapped[int | None] = mapped_column(ForeignKey("authorities.id"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column()
    revoked_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    delegator: Mapped[User] = relationship(foreign_keys=[delegator_id], lazy="joined")
    delegate: Mapped[User] = relationship(foreign_keys=[delegate_id], lazy="joined")

    __table_args__ = (
        CheckConstraint("valid_from <= valid_to", name="ck_delegations_dates"),
        CheckConstraint("delegator_id <> delegate_id", name="ck_delegations_not_self"),
        CheckConstraint("kind IN ('KT', 'TL', 'TUQ', 'Q')", name="ck_delegations_kind"),
    )


class SigningKey(Base):
    """A certificate and, for keys the system holds, its encrypted private key.

    kind: "ca" (a trust root, no private key kept for use), "organisation" (the seal of a
    unit or the authority, used by the flows), "person" (an approver's own key, encrypted
    under their signing PIN; or only a certificate when the key lives on their token).
    """

    __tablename__ = "signing_keys"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    authority_id: Mapped[int | None] = mapped_column(ForeignKey("authorities.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    subject: Mapped[str] = mapped_column(String(512))
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    cert_pem: Mapped[bytes] = mapped_column(LargeBinary)
    key_pem_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    pkcs11_uri: Mapped[str | None] = mapped_column(String(1024))
    """Where the key lives when it is on a PKCS#11 token instead of in the database."""
    not_after: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # migration 0010: an admin revokes a person's certificate
    revoked_at: Mapped[datetime | None] = mapped_column()
    """When an admin revoked it: no signature with it is accepted from then on, and the
    CRL of the CA that issued it (when the system holds that CA) lists it."""
    revocation_code: Mapped[str | None] = mapped_column(String(32))
    revocation_reason: Mapped[str | None] = mapped_column(Text)
    revoked_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Dossier(Base):
    __tablename__ = "dossiers"
    __table_args__ = (  # migration 0008: the list's and a unit's list's order
        Index("ix_dossiers_updated_at_id", "updated_at", "id"),
        Index("ix_dossiers_unit_updated_at", "unit_id", "updated_at"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    process: Mapped[str] = mapped_column(String(64))
    award: Mapped[str] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer, index=True)
    title: Mapped[str] = mapped_column(String(500))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    cluster_id: Mapped[int | None] = mapped_column(ForeignKey("clusters.id"), index=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"))
    status: Mapped[str] = mapped_column(String(32), index=True)
    furthest_stage: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer, default=1)
    transition_seq: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    """The title and the nominees' names folded for searching (domain/search.py): kept by
    `_keep_search_text` on every flush that changes them; migration 0011 filled it."""

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own hook

    nominees: Mapped[list[Nominee]] = relationship(
        back_populates="dossier", order_by="Nominee.position_no", cascade="all, delete-orphan"
    )
    unit: Mapped[Unit] = relationship()

    @property
    def subject(self) -> Subject:
        return Subject.dossier(self.id)


class Nominee(Base):
    __tablename__ = "nominees"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    position_no: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(255))
    job_title: Mapped[str] = mapped_column(String(255), default="")
    unit_name: Mapped[str] = mapped_column(String(255), default="")
    achievements: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    """An individual's own account in the unit (migration 0009): they sign their own
    achievement report."""
    # An individual's details the board asks for. Date of birth and ethnicity are
    # personal data (NĐ 13/2023/NĐ-CP; ethnicity among its sensitive data): who may read
    # them is domain/personal_data.py's rule.
    birth_date: Mapped[date | None] = mapped_column(Date)
    gender: Mapped[str | None] = mapped_column(String(16))
    """"nam" | "nu" (domain/nominee_details.py)."""
    ethnicity: Mapped[str | None] = mapped_column(String(64))
    """One of the 54 ethnic groups of Việt Nam or "Khác" (domain/nominee_details.py)."""
    opinion_category: Mapped[str | None] = mapped_column(String(32))
    """Migration 0018: enterprise, enterprise_leader … (domain/opinions.py): the
    agencies whose opinion (hiệp y) the board must have before the council."""
    # Migration 0020: whom the nominee is, in the registry (an individual: a person; a
    # collective: a collective record), and what a Tập thể lao động xuất sắc proposal
    # states about the collective's members (domain/eligibility.py reads them).
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    collective_id: Mapped[int | None] = mapped_column(ForeignKey("collectives.id"), index=True)
    collective_counts: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    dossier: Mapped[Dossier] = relationship(back_populates="nominees")
    appraisal: Mapped[AppraisalResult | None] = relationship(
        back_populates="nominee", cascade="all, delete-orphan", lazy="selectin"
    )
    # Eligibility (domain/eligibility.py): the initiatives the proposal rests on and the
    # notes on its rules go with the nominee when a dossier's nominees are replaced.
    initiatives: Mapped[list[NomineeInitiative]] = relationship(
        cascade="all, delete-orphan", order_by="NomineeInitiative.id"
    )
    eligibility_notes: Mapped[list[EligibilityNote]] = relationship(
        cascade="all, delete-orphan", order_by="EligibilityNote.id"
    )


class AppraisalResult(Base):
    """The board specialist's result for one nominee (migration 0009): recorded and
    changed while the dossier is in appraisal, each change an audit event; what the
    Báo cáo thẩm định prints and what decides who the board's Tờ trình lists."""

    __tablename__ = "appraisal_results"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    nominee_id: Mapped[int] = mapped_column(
        ForeignKey("nominees.id", ondelete="CASCADE"), unique=True
    )
    result: Mapped[str | None] = mapped_column(String(16))
    """dat | khong_dat | hinh_thuc_khac (domain/appraisal.py), empty until decided."""
    note: Mapped[str] = mapped_column(Text, default="")
    other_award: Mapped[str] = mapped_column(String(255), default="")
    struck: Mapped[bool] = mapped_column(Boolean, default=False)
    strike_reason: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    nominee: Mapped[Nominee] = relationship(back_populates="appraisal")


_SEARCH_PENDING = "tdkt_search_text_pending"


@event.listens_for(Session, "before_flush")
def _keep_search_text(session: Session, _context: Any, _instances: Any) -> None:
    """Refold a dossier's `search_text` whenever its title or its nominees change, by
    whatever code, so the search never misses a write. A dossier whose row is written
    anyway (new, or a column changed) is refolded at once; one whose nominees alone
    changed waits for the commit (or a later flush that writes its row): writing its row
    now would bump its `version` a second time when the editor then sets `updated_at`."""
    pending: set[Dossier] = session.info.setdefault(_SEARCH_PENDING, set())
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Dossier):
            attrs = inspect(obj).attrs
            if obj in session.new or any(
                attrs[a].history.has_changes() for a in ("title", "nominees")
            ):
                pending.add(obj)
        elif isinstance(obj, Nominee):
            if obj in session.dirty and not inspect(obj).attrs.name.history.has_changes():
                continue
            d = obj.dossier
            if d is None and obj.dossier_id is not None:  # made with the id alone
                d = session.get(Dossier, obj.dossier_id)
            if d is not None:
                pending.add(d)
    for d in list(pending):
        if d in session.new or session.is_modified(d, include_collections=False):
            pending.discard(d)
            _refold(session, d)


@event.listens_for(Session, "before_commit")
def _fold_pending(session: Session) -> None:
    session.flush()  # what is still unflushed may add to the pending (commit flushes after)
    for d in session.info.pop(_SEARCH_PENDING, set()):
        _refold(session, d)  # the commit's own flush writes it


@event.listens_for(Session, "after_rollback")
def _forget_pending(session: Session) -> None:
    session.info.pop(_SEARCH_PENDING, None)


def _refold(session: Session, d: Dossier) -> None:
    state = inspect(d)
    if d in session.deleted or state.was_deleted or state.detached:
        return
    names = [n.name for n in d.nominees if n not in session.deleted and not inspect(n).was_deleted]
    folded = search_document(d.title or "", names)
    if d.search_text != folded:
        d.search_text = folded


def subject_columns(subject: Subject) -> dict[str, Any]:
    """The columns by which a transition, document, outbox row or notification refers to
    its subject: the (kind, id) pair and, for a dossier, `dossier_id` as well (its foreign
    key, and the queries that still select by it). Every writer of these rows passes
    `**subject_columns(...)`, so a dossier's rows are written the same way everywhere."""
    return {
        "subject_kind": subject.kind.value,
        "subject_id": subject.id,
        "dossier_id": subject.dossier_id,
    }


def of_subject(model: Any, subject: Subject) -> ColumnElement[bool]:
    """The SQL condition selecting `model`'s rows of `subject` (the unique constraints
    over (subject_kind, subject_id, …) index it)."""
    return and_(model.subject_kind == subject.kind.value, model.subject_id == subject.id)


def _keep_subject(_mapper: Any, _connection: Any, row: Any) -> None:
    """A row given only its `dossier_id` (older code, tests' factories) refers to that
    dossier; a row whose dossier and subject disagree is refused before it is written.
    An audit event is only checked: its subject is inside its hash (storage/audit.py)."""
    audit_event = isinstance(row, AuditEvent)
    if row.subject_kind is None and row.subject_id is None:
        if row.dossier_id is not None and not audit_event:
            row.subject_kind, row.subject_id = SubjectKind.DOSSIER.value, row.dossier_id
        elif audit_event and row.dossier_id is None:
            return  # an event about no subject (an account, a template)
    if row.subject_kind is None or row.subject_id is None:
        raise ValueError(f"{type(row).__name__} without a subject")
    expected = Subject(SubjectKind(row.subject_kind), row.subject_id).dossier_id
    if row.dossier_id != expected:
        raise ValueError(
            f"{type(row).__name__}: dossier_id {row.dossier_id} disagrees with its subject "
            f"{row.subject_kind}:{row.subject_id}"
        )


class DossierTransition(Base):
    """One committed step of a dossier: the domain's record that the flow works from."""

    __tablename__ = "dossier_transitions"
    __table_args__ = (
        UniqueConstraint(
            "subject_kind", "subject_id", "seq", name="uq_dossier_transitions_subject_seq"
        ),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    subject_kind: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[int] = mapped_column(BigInteger)
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id"))
    seq: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str] = mapped_column(String(32))
    to_status: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    actor_role: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Document(Base):
    """One issued document (a form of a step, or an attachment). Its files are versions."""

    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint(
            "subject_kind",
            "subject_id",
            "transition_seq",
            "form",
            "copy_no",
            name="uq_documents_subject_step_form_copy",
        ),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    subject_kind: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[int] = mapped_column(BigInteger)
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id"), index=True)
    transition_seq: Mapped[int] = mapped_column(Integer)
    form: Mapped[str] = mapped_column(String(64))
    copy_no: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(500))
    number: Mapped[str | None] = mapped_column(String(64))
    issuer_name: Mapped[str | None] = mapped_column(String(255))
    template_id: Mapped[str | None] = mapped_column(String(64))
    template_version: Mapped[str | None] = mapped_column(String(32))
    template_sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str | None] = mapped_column(String(32))
    """For an attachment: what it is (domain/required_documents.py, AttachmentKind)."""
    removed_at: Mapped[datetime | None] = mapped_column()
    """An attachment taken out of the dossier: still archived and listed, marked removed."""
    removed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    """The attachment that took this one's place (a new file for it)."""

    versions: Mapped[list[DocumentVersion]] = relationship(
        back_populates="document",
        order_by="DocumentVersion.seq",
        lazy="selectin",
        foreign_keys="DocumentVersion.document_id",
    )


class DocumentVersion(Base):
    __tablename__ = "document_versions"
    __table_args__ = (UniqueConstraint("document_id", "seq"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    rendition: Mapped[str] = mapped_column(String(32))
    """"docx" (the filled form), "pdf-prepared" (converted, with blank number and date and
    empty signature fields), "pdf-personal" (signed by the approver), "pdf-signed" (the
    issued PDF: numbered, dated, sealed), "upload" (an attachment as uploaded)."""
    object_key: Mapped[str] = mapped_column(String(1024), unique=True)
    object_version_id: Mapped[str | None] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(128))
    file_name: Mapped[str] = mapped_column(String(255))
    signatures: Mapped[list[Any] | None] = mapped_column(JSON)
    prepared_for_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    """For a prepared PDF: the approver whose name it prints under the signature."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    filed_with_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    """For a sealed copy of an attachment: the Tờ trình it was filed with, whose number
    its stamp carries (each Tờ trình that files the attachment seals a copy of its own)."""

    document: Mapped[Document] = relationship(back_populates="versions", foreign_keys=[document_id])


class NumberSeries(Base):
    """Gap-free numbering: one row per issuing body, document type and year."""

    __tablename__ = "number_series"
    __table_args__ = (UniqueConstraint("issuer", "doc_type", "year"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    issuer: Mapped[str] = mapped_column(String(64))
    doc_type: Mapped[str] = mapped_column(String(16))
    year: Mapped[int] = mapped_column(Integer)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class TemplateVersion(Base):
    """One version of a DOCX form. The bytes are stored write-once in the object store
    under a key derived from their SHA-256; a document records the version it was
    rendered from, so a dossier keeps its version when a newer one is added."""

    __tablename__ = "template_versions"
    __table_args__ = (
        UniqueConstraint("form_code", "version", name="uq_template_versions_form_version"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    form_code: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(32))
    """"1" is the form shipped in doc_templates/forms/; uploads are numbered on from it."""
    sha256: Mapped[str] = mapped_column(String(64))
    object_key: Mapped[str] = mapped_column(String(1024))
    object_version_id: Mapped[str | None] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    """The admin who uploaded it; empty for the built-in version."""
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())


class AuditEvent(Base):
    """Append-only, hash-chained history. `hash` covers the canonical JSON of the event and
    the previous event's hash in the global chain (see storage/audit.py)."""

    __tablename__ = "audit_events"
    __table_args__ = (
        UniqueConstraint(
            "subject_kind", "subject_id", "subject_seq", name="uq_audit_events_subject_seq"
        ),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    # migration 0013: the subject the event is about; empty for an event about no subject
    # (an account, a template, a checkpoint)
    subject_kind: Mapped[str | None] = mapped_column(String(16))
    subject_id: Mapped[int | None] = mapped_column(BigInteger)
    subject_seq: Mapped[int | None] = mapped_column(Integer)
    """Position in the subject's own chain (1 for its first event); a dossier's equals
    `dossier_seq`."""
    subject_prev_hash: Mapped[str | None] = mapped_column(String(64))
    """Hash of the previous event of the same subject (64 zeros for its first): in what the
    hash covers from format 3; for older events copied from `dossier_prev_hash`."""
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id"), index=True)
    dossier_seq: Mapped[int | None] = mapped_column(Integer)
    event_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    """Makes a machine step's event idempotent: a retried flow writes it once."""
    occurred_at: Mapped[datetime] = mapped_column()
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str | None] = mapped_column(String(255))
    actor_role: Mapped[str | None] = mapped_column(String(32))
    actor_unit: Mapped[str | None] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(64))
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    format: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    """Version of the canonical form: 1 for events written before migration 0003, 2 since
    (adds `format`, `on_behalf_of` and `dossier_prev_hash` to what the hash covers), 3
    since migration 0013 (adds the subject: `subject_kind`, `subject_id`, `subject_seq`,
    `subject_prev_hash`)."""
    on_behalf_of: Mapped[str | None] = mapped_column(String(255))
    """Whom the actor acted for: their unit, the cluster they lead, or the authority."""
    dossier_prev_hash: Mapped[str | None] = mapped_column(String(64))
    """Hash of the previous event of the same dossier (64 zeros for its first): the
    per-dossier chain, so one dossier's history can be checked on its own."""


class ChainHead(Base):
    """A single row locked while appending, so the global chain stays linear under
    concurrent writers on PostgreSQL."""

    __tablename__ = "audit_chain_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    hash: Mapped[str] = mapped_column(String(64))


class OutboxItem(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint(
            "subject_kind", "subject_id", "transition_seq", name="uq_outbox_subject_step"
        ),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    subject_kind: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[int] = mapped_column(BigInteger)
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id"))
    transition_seq: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    flow_run_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint(
            "user_id",
            "subject_kind",
            "subject_id",
            "transition_seq",
            name="uq_notifications_user_subject_step",
        ),
        Index("ix_notifications_subject", "subject_kind", "subject_id"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    subject_kind: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[int] = mapped_column(BigInteger)
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id"))
    transition_seq: Mapped[int] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column()


class LoginFailure(Base):
    """A failed sign-in, kept for throttling (by account and by address)."""

    __tablename__ = "login_failures"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class RevokedToken(Base):
    """An access token signed out before it expired (its `jti`)."""

    __tablename__ = "revoked_tokens"
    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column()


class IdempotentRequest(Base):
    """The answer to an action sent with an `Idempotency-Key`: the same key from the same
    user gets the same answer again, and the action is not taken twice."""

    __tablename__ = "idempotent_requests"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_idempotent_user_key"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(String(128))
    fingerprint: Mapped[str] = mapped_column(String(64))
    """SHA-256 of method, path and body: the same key with another request is refused."""
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class HeldPage(Base):
    """The page a form's POST answered with (a refusal shown beside its field, a result),
    kept for a few minutes until the browser fetches it with GET after the 303 redirect
    (api/web/pages.py): bound to the session it was made for, shown once. In the database
    so that any web process can serve the GET."""

    __tablename__ = "held_pages"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    """SHA-256 of the random value in the browser's cookie (the database never holds it)."""
    binding: Mapped[str] = mapped_column(String(64))
    """SHA-256 of the session (or, before sign-in, the anonymous cookie) it belongs to."""
    target: Mapped[str] = mapped_column(String(2048))
    """The GET address (path and query) that shows it."""
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class AwardRound(Base):
    """A round (đợt xét khen thưởng) of an authority's board: approved dossiers submitted
    together with one Tờ trình (domain/rounds.py). Migration 0014."""

    __tablename__ = "award_rounds"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    year: Mapped[int] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    awards: Mapped[str] = mapped_column(String(1000))
    """The award codes the round covers, comma-separated, in the order the list prints them."""
    status: Mapped[str] = mapped_column(String(32), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    transition_seq: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own hook

    @property
    def award_codes(self) -> list[str]:
        return [a for a in self.awards.split(",") if a]


class RoundDossier(Base):
    """A dossier in a round. A dossier is in at most one round (unique): once the Sở has
    submitted it with a round it stays there; while the round is open it can be taken out."""

    __tablename__ = "round_dossiers"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("award_rounds.id"), index=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), unique=True)
    position_no: Mapped[int] = mapped_column(Integer)
    added_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class Agency(Base):
    """An agency the board asks for opinions on nominees (hiệp y): tax, social insurance,
    environment, police. Migration 0018."""

    __tablename__ = "agencies"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(255))


class OpinionRequest(Base):
    """The board's request to one agency for its opinion on one nominee of a round, and
    the agency's reply (in tdkt, or its signed letter uploaded by the board). Migration
    0018."""

    __tablename__ = "opinion_requests"
    __table_args__ = (
        UniqueConstraint("round_id", "nominee_id", "agency_id", name="uq_opinion_requests"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("award_rounds.id"), index=True)
    nominee_id: Mapped[int] = mapped_column(ForeignKey("nominees.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    requested_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    opinion: Mapped[str | None] = mapped_column(String(16))
    """agree | disagree (domain/opinions.py); empty while unanswered."""
    note: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None] = mapped_column()
    """The reply's date: when the agency's reviewer answered, or the letter's signing time."""
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    source: Mapped[str | None] = mapped_column(String(16))
    """"tdkt" (answered in the system) or "letter" (signed letter uploaded by the board)."""
    letter_key: Mapped[str | None] = mapped_column(String(1024))
    letter_sha256: Mapped[str | None] = mapped_column(String(64))
    letter_signer: Mapped[str | None] = mapped_column(String(255))


class OpinionOverride(Base):
    """The board head's decision to list a nominee despite a negative opinion, with its
    reason. Migration 0018."""

    __tablename__ = "opinion_overrides"
    __table_args__ = (UniqueConstraint("round_id", "nominee_id", name="uq_opinion_overrides"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("award_rounds.id"), index=True)
    nominee_id: Mapped[int] = mapped_column(ForeignKey("nominees.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)


class AwardDecision(Base):
    """The Chủ tịch UBND tỉnh's award decision made from one submitted round
    (domain/decisions.py): issued in tdkt (signed, numbered in the UBND's series, sealed)
    or uploaded signed from the province's e-office. Migration 0016."""

    __tablename__ = "award_decisions"
    __table_args__ = (UniqueConstraint("round_id", name="uq_award_decisions_round_id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"), index=True)
    """The authority whose board drafted it (the round's)."""
    decider_authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"))
    """The UBND tỉnh: the decision's issuer, its number series and seal."""
    round_id: Mapped[int] = mapped_column(ForeignKey("award_rounds.id"))
    status: Mapped[str] = mapped_column(String(32), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    transition_seq: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str] = mapped_column(String(16), default="tdkt")
    """"tdkt": signed and sealed here; "upload": signed elsewhere and uploaded."""
    number: Mapped[str | None] = mapped_column(String(64))
    decided_on: Mapped[date | None] = mapped_column(Date)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    """The issued (or uploaded) Quyết định."""
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own hook


class AwardRecord(Base):
    """What a decision did for one nominee of its round: awarded (with the decision's
    number and date, the prize money and the certificate's number in the book) or not,
    with the reason. Migration 0016."""

    __tablename__ = "award_records"
    __table_args__ = (
        UniqueConstraint(
            "decision_id", "nominee_id", name="uq_award_records_decision_id_nominee_id"
        ),
        UniqueConstraint("certificate_year", "certificate_no", name="uq_award_records_certificate"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("award_decisions.id"), index=True)
    nominee_id: Mapped[int] = mapped_column(ForeignKey("nominees.id"), index=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    position_no: Mapped[int] = mapped_column(Integer)
    award: Mapped[str] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer)
    awarded: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text, default="")
    decision_number: Mapped[str | None] = mapped_column(String(64))
    decision_date: Mapped[date | None] = mapped_column(Date)
    prize_amount: Mapped[int | None] = mapped_column(BigInteger)
    prize_basis: Mapped[str] = mapped_column(Text, default="")
    certificate_year: Mapped[int | None] = mapped_column(Integer)
    certificate_no: Mapped[int | None] = mapped_column(Integer)
    """Số vào sổ: gap-free per year in the certificate book."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DecisionAmendment(Base):
    """A correcting (đính chính) or revoking (thu hồi) decision made from an issued award
    decision, which it references; signed in the province's e-office and uploaded (its
    PDF is `document_id`). Migration 0019."""

    __tablename__ = "decision_amendments"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("award_decisions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    """"dinh_chinh" or "thu_hoi" (domain/decisions.py AmendmentKind)."""
    number: Mapped[str] = mapped_column(String(64))
    decided_on: Mapped[date] = mapped_column(Date)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    reason: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AwardRecordAmendment(Base):
    """What one amendment does to one award record: a field corrected (old and new
    value) or the award revoked. The award record itself is never edited. Migration
    0019."""

    __tablename__ = "award_record_amendments"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    amendment_id: Mapped[int] = mapped_column(ForeignKey("decision_amendments.id"), index=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("award_records.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    field: Mapped[str | None] = mapped_column(String(32))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)


for _model in (DossierTransition, Document, AuditEvent, OutboxItem, Notification):
    event.listen(_model, "before_insert", _keep_subject)


class CalendarDay(Base):
    """A day the administration entered into the working calendar (domain/calendar.py):
    `off` — a day off beyond the statutory ones; `work` — a day worked although it would
    be off (ngày làm bù). `note` names the day (its Vietnamese name), `basis` the
    announcement (Thông báo, Quyết định) that set it. Migration 0017; `basis` 0029."""

    __tablename__ = "calendar_days"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    kind: Mapped[str] = mapped_column(String(8))
    note: Mapped[str] = mapped_column(String(300), default="")
    basis: Mapped[str] = mapped_column(String(300), default="", server_default="")
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RoundConsultation(Base):
    """A round's list published for public comment (domain/consultation.py): the public
    page's unguessable token, the period in working days and its last day, and the list
    as published (only what a public page may show). One per round. Migration 0017."""

    __tablename__ = "round_consultations"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("award_rounds.id"), unique=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    working_days: Mapped[int] = mapped_column(Integer)
    required: Mapped[bool] = mapped_column(Boolean)
    basis: Mapped[str] = mapped_column(Text)
    """The configuration the period was set by, as the page said it."""
    nominees: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    opened_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)


class PublicComment(Base):
    """A comment sent from a round's public page. `contact` is for the board only; the
    address is kept only as a keyed digest, for the rate limit. Migration 0017."""

    __tablename__ = "public_comments"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("round_consultations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    contact: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text)
    address_digest: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Meeting(Base):
    """A meeting that votes (domain/meetings.py) about another subject (`about_kind`,
    `about_id`: today a round). Its tally is counted and stored when the secretary closes
    it. Migration 0015."""

    __tablename__ = "meetings"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"), index=True)
    about_kind: Mapped[str] = mapped_column(String(16))
    about_id: Mapped[int] = mapped_column(BigInteger)
    title: Mapped[str] = mapped_column(String(400))
    place: Mapped[str] = mapped_column(String(300), default="")
    held_on: Mapped[date] = mapped_column(Date)
    process: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    transition_seq: Mapped[int] = mapped_column(Integer, default=0)
    tally: Mapped[Any | None] = mapped_column(JSON, nullable=True)
    rules: Mapped[Any] = mapped_column(JSON, default=list)
    """The pass thresholds in force when it was convened (domain/meetings.py `rule_data`),
    the defaults and the province's configuration: what the tally counts by."""
    closed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    members: Mapped[list[MeetingMember]] = relationship(
        order_by="MeetingMember.position_no", cascade="all, delete-orphan"
    )
    questions: Mapped[list[MeetingQuestion]] = relationship(
        order_by="MeetingQuestion.position_no", cascade="all, delete-orphan"
    )

    __table_args__ = (Index("ix_meetings_about", "about_kind", "about_id"),)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own hook


class MeetingMember(Base):
    __tablename__ = "meeting_members"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    role: Mapped[str] = mapped_column(String(16))
    position_no: Mapped[int] = mapped_column(Integer)
    present: Mapped[bool] = mapped_column(Boolean, default=False)
    user: Mapped[User] = relationship()

    __table_args__ = (UniqueConstraint("meeting_id", "user_id", name="uq_meeting_members"),)


class MeetingQuestion(Base):
    """One question the meeting votes on (`key`: what it is about, a nominee's id)."""

    __tablename__ = "meeting_questions"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    key: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(500))
    """Whom it is about, as the Biên bản names them."""
    text: Mapped[str] = mapped_column(String(1000))
    award: Mapped[str] = mapped_column(String(64))
    position_no: Mapped[int] = mapped_column(Integer)

    __table_args__ = (UniqueConstraint("meeting_id", "key", name="uq_meeting_questions"),)


class MeetingVote(Base):
    """A named ballot: one per member and question (the unique key refuses a second)."""

    __tablename__ = "meeting_votes"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("meeting_questions.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    ballot: Mapped[str] = mapped_column(String(24))
    cast_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("question_id", "user_id", name="uq_meeting_votes"),)


# --- The awards registry (migration 0020) -------------------------------------------------


class Person(Base):
    """A person nominated for or holding awards: one record however many dossiers name
    them. The date of birth and identity number are personal data (NĐ 13/2023/NĐ-CP): who
    may read them is domain/personal_data.py's rule; never in a log line."""

    __tablename__ = "people"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    full_name: Mapped[str] = mapped_column(String(255))
    search_name: Mapped[str] = mapped_column(Text, default="", server_default="", index=True)
    """`full_name` folded (domain/search.py fold): "nguyen van an" finds «Nguyễn Văn An»."""
    gender: Mapped[str | None] = mapped_column(String(16))
    ethnicity: Mapped[str | None] = mapped_column(String(64))
    birth_date: Mapped[date | None] = mapped_column(Date)
    identity_no: Mapped[str | None] = mapped_column(String(12), unique=True)
    """Số định danh cá nhân (CCCD): 12 digits."""
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    """The unit they work in now."""
    position: Mapped[str] = mapped_column(String(255), default="", server_default="")
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    """Set when the board merged this record into another (the same person)."""
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own hook


class Collective(Base):
    """A collective nominated for or holding awards: a unit itself (`kind` "unit") or a
    part of one (`kind` "part": a phòng, a tổ) with its parent unit."""

    __tablename__ = "collectives"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(255))
    search_name: Mapped[str] = mapped_column(Text, default="", server_default="", index=True)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("collectives.id"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PersonMerge(Base):
    """The board's merge of two records of the same person: `merged_id` now points at
    `kept_id` (its awards and nominees moved there)."""

    __tablename__ = "person_merges"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kept_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    merged_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    reason: Mapped[str] = mapped_column(Text)
    merged_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    merged_at: Mapped[datetime] = mapped_column(default=utcnow)


class RegistryImport(Base):
    """An uploaded file of past awards (XLSX or CSV): stored as uploaded (`object_key`,
    `sha256`), checked row by row, then accepted (its clean rows written) or discarded.
    `status`: checking → preview → accepted | discarded (or failed)."""

    __tablename__ = "registry_imports"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    """A unit importing its own grassroots titles; empty for the board."""
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    object_key: Mapped[str] = mapped_column(String(512))
    status: Mapped[str] = mapped_column(String(16))
    rows_total: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    rows_done: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Rows checked (or, while accepting, written) so far: the progress bar."""
    rows_bad: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    rows_written: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    error: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()


class RegistryImportProblem(Base):
    """One problem of an imported file, on its row (1 = the first data row) and column."""

    __tablename__ = "registry_import_problems"
    __table_args__ = (Index("ix_registry_import_problems_import_row", "import_id", "row_no"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("registry_imports.id"))
    row_no: Mapped[int] = mapped_column(Integer)
    column: Mapped[str] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text)


class RegistryAward(Base):
    """One award or title a person or collective holds (exactly one of the two): its
    award code (domain/registry.py), year, decision, issuer and where the record came
    from (`source`: "decision" — an award decision of ours, `award_record_id`; "import" —
    `import_id`; "unit" — the unit's own decision, uploaded as `document_id`). Never
    deleted: a revoking decision sets `revoked_at`."""

    __tablename__ = "registry_awards"
    __table_args__ = (
        CheckConstraint(
            "(person_id IS NULL) <> (collective_id IS NULL)", name="ck_registry_awards_one_holder"
        ),
        UniqueConstraint(
            "person_id", "award", "year", "decision_number", name="uq_registry_awards_person"
        ),
        UniqueConstraint(
            "collective_id",
            "award",
            "year",
            "decision_number",
            name="uq_registry_awards_collective",
        ),
        Index("ix_registry_awards_year_award_unit", "year", "award", "unit_id"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    collective_id: Mapped[int | None] = mapped_column(ForeignKey("collectives.id"))
    award: Mapped[str] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer, index=True)
    occasion: Mapped[str] = mapped_column(String(16), default="yearly", server_default="yearly")
    """"yearly" (thường xuyên), "chuyen_de", "dot_xuat" …: only yearly awards count towards
    the consecutive-year chains (NĐ 152/2025 Điều 4)."""
    decision_number: Mapped[str] = mapped_column(String(64))
    decision_date: Mapped[date] = mapped_column(Date)
    issuer: Mapped[str] = mapped_column(String(255))
    source: Mapped[str] = mapped_column(String(16))
    holder_name: Mapped[str] = mapped_column(String(255))
    """The holder's name when recorded (lists and search need no join)."""
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    """The holder's unit when recorded: a unit sees its own people's records."""
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    """Folded name, award name, decision number (domain/search.py)."""
    award_record_id: Mapped[int | None] = mapped_column(ForeignKey("award_records.id"), unique=True)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("registry_imports.id"), index=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    revoked_at: Mapped[datetime | None] = mapped_column()
    revoked_by_amendment_id: Mapped[int | None] = mapped_column(
        ForeignKey("decision_amendments.id")
    )
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class HolderRestriction(Base):
    """Discipline, investigation or complaint against a person or a collective (exactly
    one), with its dates: no proposal while it runs; achievements count from its end."""

    __tablename__ = "holder_restrictions"
    __table_args__ = (
        CheckConstraint(
            "(person_id IS NULL) <> (collective_id IS NULL)",
            name="ck_holder_restrictions_one_holder",
        ),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    collective_id: Mapped[int | None] = mapped_column(ForeignKey("collectives.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    """"discipline" | "investigation" | "complaint"."""
    level: Mapped[str | None] = mapped_column(String(32))
    """A discipline's form (khiển trách, cảnh cáo, …)."""
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    set_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NomineeInitiative(Base):
    """An initiative (sáng kiến) or topic a nominee's proposal rests on: `title_key` is the
    folded title, by which one initiative backing two proposals is found."""

    __tablename__ = "nominee_initiatives"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    nominee_id: Mapped[int] = mapped_column(ForeignKey("nominees.id"), index=True)
    title: Mapped[str] = mapped_column(String(500))
    title_key: Mapped[str] = mapped_column(Text, index=True)
    scope: Mapped[str] = mapped_column(String(16))
    """Where its effect was recognised: "co_so" (the unit), "tinh" (province-wide) …"""
    recognized_by: Mapped[str] = mapped_column(String(255), default="", server_default="")
    recognized_on: Mapped[date | None] = mapped_column(Date)
    applied: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    """Its certificate, attached to the dossier."""


class EligibilityNote(Base):
    """Words on one eligibility rule for one nominee: the clerk's `explanation` when
    submitting despite a failing rule, the specialist's `override` letting it through."""

    __tablename__ = "eligibility_notes"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    nominee_id: Mapped[int] = mapped_column(ForeignKey("nominees.id"), index=True)
    rule_code: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)


# ---------------------------------------------------------------- the cluster's year
# Migration 0022: clusters and their members as dated records set by the UBND tỉnh's
# decisions (quyết định phân cụm, khối), and the cluster's year as a subject
# (domain/clusters.py). The year's parts follow in their own sections.


class ClusterDivision(Base):
    """A decision of the UBND tỉnh that sets which units form which cluster (quyết định
    phân cụm, khối thi đua), from its effective date. Migration 0022."""

    __tablename__ = "cluster_divisions"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"), index=True)
    number: Mapped[str] = mapped_column(String(64))
    """The decision's number as issued, e.g. "123/QĐ-UBND"."""
    signed_on: Mapped[date] = mapped_column(Date)
    effective_from: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(500), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    document_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("document_versions.id"), nullable=True
    )
    """The decision's PDF, where one was uploaded."""
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ClusterMembership(Base):
    """A unit's membership of a cluster from `valid_from` until the day before `valid_to`
    (open while None), as a division decision set it (None: recorded before tdkt kept
    the decisions). Migration 0022."""

    __tablename__ = "cluster_memberships"
    __table_args__ = (
        Index("ix_cluster_memberships_unit", "unit_id", "valid_from"),
        Index("ix_cluster_memberships_cluster", "cluster_id", "valid_from"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("clusters.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    division_id: Mapped[int | None] = mapped_column(
        ForeignKey("cluster_divisions.id"), nullable=True
    )
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)


class ClusterYear(Base):
    """One cluster's emulation year (năm thi đua của Cụm): the subject its plan,
    covenant, registrations, scores and reviews belong to (SubjectKind.CLUSTER_YEAR).
    What a year records stays with the cluster it was recorded in when a unit moves.
    Migration 0022."""

    __tablename__ = "cluster_years"
    __table_args__ = (UniqueConstraint("cluster_id", "year", name="uq_cluster_years"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("clusters.id"))
    year: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    cluster: Mapped[Cluster] = relationship()

    @property
    def subject(self) -> Subject:
        return Subject(SubjectKind.CLUSTER_YEAR, self.id)


# ---------------------------------------------------------------- plan and covenant
# Migration 0023: the plan and its scoring criteria.


class ClusterPlan(Base):
    """The cluster's plan of the year (Kế hoạch thi đua của Cụm), drafted by the head unit:
    goals, the year's calendar, and the scoring criteria. Migration 0023."""

    __tablename__ = "cluster_plans"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    cluster_year_id: Mapped[int] = mapped_column(ForeignKey("cluster_years.id"), unique=True)
    status: Mapped[str] = mapped_column(String(32), default="draft")
    goals: Mapped[str] = mapped_column(Text, default="")
    midyear_review_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    """Hội nghị sơ kết."""
    yearend_review_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    """Hội nghị tổng kết."""
    covenant_signing_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    registration_deadline: Mapped[date | None] = mapped_column(Date, nullable=True)
    number: Mapped[str | None] = mapped_column(String(64), nullable=True)
    """As issued in the cluster's own series, e.g. "01/KH-CỤM I"."""
    issued_at: Mapped[datetime | None] = mapped_column(nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    transition_seq: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    criteria: Mapped[list[ClusterCriterion]] = relationship(
        order_by="ClusterCriterion.position_no", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own hook


class ClusterCriterion(Base):
    """One scoring criterion of a plan (tiêu chí chấm điểm): its group, its maximum
    points, whether it is mandatory, the evidence asked. Migration 0023."""

    __tablename__ = "cluster_criteria"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("cluster_plans.id"), index=True)
    position_no: Mapped[int] = mapped_column(Integer)
    group_name: Mapped[str] = mapped_column(String(300))
    code: Mapped[str] = mapped_column(String(16))
    """As the plan numbers it, e.g. "1.2"."""
    title: Mapped[str] = mapped_column(Text)
    max_points: Mapped[Decimal] = mapped_column(Numeric(7, 2))
    mandatory: Mapped[bool] = mapped_column(Boolean, default=False)
    evidence: Mapped[str] = mapped_column(Text, default="")
    """The evidence the plan asks for (minh chứng)."""


#
#
#
#
#
#
#
#
# ---------------------------------------------------------------- covenant
# Migration 0026 (the covenant, the members' commitments and signatures).


class ClusterCovenant(Base):
    """The cluster's emulation covenant of the year (Giao ước thi đua): drafted from the
    plan and the members' commitments; opened for signing by the head unit (the PDF
    prepared with one signature field per member head and the head unit's seal); signed
    by every member's head in any order, each an incremental revision; sealed by the head
    unit. `signers` freezes at opening who signs for which unit, in which field.
    Migration 0026."""

    __tablename__ = "cluster_covenants"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    cluster_year_id: Mapped[int] = mapped_column(ForeignKey("cluster_years.id"), unique=True)
    status: Mapped[str] = mapped_column(String(32), default="draft")
    """draft (members enter commitments), signing, sealed (domain/covenant.py)."""
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), nullable=True)
    signers: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    """[{unit_id, user_id, field, name}] as printed in the prepared PDF."""
    opened_at: Mapped[datetime | None] = mapped_column(nullable=True)
    opened_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    sealed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    sealed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own hook


class CovenantCommitment(Base):
    """One measurable commitment of a member (chỉ tiêu giao ước), as the member entered
    it: the indicator and the target value, optionally tied to a plan criterion.
    Migration 0026."""

    __tablename__ = "covenant_commitments"
    __table_args__ = (Index("ix_covenant_commitments_unit", "covenant_id", "unit_id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    covenant_id: Mapped[int] = mapped_column(ForeignKey("cluster_covenants.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    position_no: Mapped[int] = mapped_column(Integer)
    indicator: Mapped[str] = mapped_column(Text)
    target: Mapped[str] = mapped_column(Text)
    criterion_id: Mapped[int | None] = mapped_column(
        ForeignKey("cluster_criteria.id"), nullable=True
    )
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class CovenantSignature(Base):
    """A member head's signature on the covenant: the PDF version it made. One per unit.
    Migration 0026."""

    __tablename__ = "covenant_signatures"
    __table_args__ = (
        UniqueConstraint("covenant_id", "unit_id", name="uq_covenant_signatures_unit"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    covenant_id: Mapped[int] = mapped_column(ForeignKey("cluster_covenants.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)
    document_version_id: Mapped[int] = mapped_column(ForeignKey("document_versions.id"))


#
#
#
#
#
#
#
#
# ---------------------------------------------------------------- registrations, scores
# Migration 0024 (registrations and their items, self-scores and their reviews).


class ClusterRegistration(Base):
    """A member unit's registration of the titles it aims for in a cluster's year (đăng
    ký thi đua, domain/cluster_scores.py): one per member and year. Migration 0024."""

    __tablename__ = "cluster_registrations"
    __table_args__ = (
        UniqueConstraint("cluster_year_id", "unit_id", name="uq_cluster_registrations"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    cluster_year_id: Mapped[int] = mapped_column(ForeignKey("cluster_years.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    submitted_on: Mapped[date] = mapped_column(Date)
    """The (Vietnamese) day of its latest submission."""
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    """Submitted after the plan's registration deadline."""
    note: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    unit: Mapped[Unit] = relationship()
    items: Mapped[list[ClusterRegistrationItem]] = relationship(
        order_by="ClusterRegistrationItem.position_no", cascade="all, delete-orphan"
    )


class ClusterRegistrationItem(Base):
    """One registered title: collective (the unit itself), or individual — a named person
    of the unit's records, or a count of people. Migration 0024."""

    __tablename__ = "cluster_registration_items"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("cluster_registrations.id"), index=True)
    position_no: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    """"collective" or "individual" (domain/awards.py NomineeKind)."""
    award: Mapped[str] = mapped_column(String(64))
    """A code of the award catalogue (domain/registry.py CATALOGUE)."""
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), nullable=True)
    person_name: Mapped[str] = mapped_column(String(255), default="")
    """The person's name when registered."""
    count: Mapped[int | None] = mapped_column(Integer, nullable=True)


class ClusterScoreSheet(Base):
    """A member's score sheet of one period (midyear, yearend) of a cluster's year: its
    own points per criterion, submitted, then reviewed by the head and deputy units.
    Migration 0024."""

    __tablename__ = "cluster_score_sheets"
    __table_args__ = (
        UniqueConstraint("cluster_year_id", "unit_id", "period", name="uq_cluster_score_sheets"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    cluster_year_id: Mapped[int] = mapped_column(ForeignKey("cluster_years.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    period: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    submitted_at: Mapped[datetime | None] = mapped_column(nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    unit: Mapped[Unit] = relationship()
    scores: Mapped[list[ClusterScore]] = relationship(cascade="all, delete-orphan")
    attachments: Mapped[list[ClusterScoreAttachment]] = relationship(
        order_by="ClusterScoreAttachment.id"
    )


class ClusterScore(Base):
    """A sheet's points on one criterion: the member's own, with its evidence, and the
    reviewed points with the reason, where the head or deputy unit adjusted them.
    Migration 0024."""

    __tablename__ = "cluster_scores"
    __table_args__ = (UniqueConstraint("sheet_id", "criterion_id", name="uq_cluster_scores"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("cluster_score_sheets.id"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("cluster_criteria.id"))
    self_points: Mapped[Decimal | None] = mapped_column(Numeric(7, 2), nullable=True)
    evidence: Mapped[str] = mapped_column(Text, default="")
    reviewed_points: Mapped[Decimal | None] = mapped_column(Numeric(7, 2), nullable=True)
    review_reason: Mapped[str] = mapped_column(Text, default="")
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(nullable=True)


class ClusterScoreAttachment(Base):
    """A PDF of evidence attached to a score sheet (to one criterion or the sheet), its
    bytes in the object store. Migration 0024."""

    __tablename__ = "cluster_score_attachments"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("cluster_score_sheets.id"), index=True)
    criterion_id: Mapped[int | None] = mapped_column(
        ForeignKey("cluster_criteria.id"), nullable=True
    )
    file_name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(128))
    object_key: Mapped[str] = mapped_column(String(512))
    object_version_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# ---------------------------------------------------------------- reviews (sơ kết, tổng kết)
# Migration 0025 (the conferences, their attendees and their reports).


class ClusterReview(Base):
    """A review conference of the cluster's year (hội nghị sơ kết / tổng kết): when,
    hosted by which member unit, where, the board's representative, the agenda; and its
    report (Báo cáo sơ kết / tổng kết), drafted, edited by the host, signed, sealed and
    sent to the board (domain/cluster_reviews.py). Migration 0025."""

    __tablename__ = "cluster_reviews"
    __table_args__ = (
        UniqueConstraint("cluster_year_id", "period", name="uq_cluster_reviews_period"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    cluster_year_id: Mapped[int] = mapped_column(ForeignKey("cluster_years.id"))
    period: Mapped[str] = mapped_column(String(16))
    """midyear (sơ kết) | yearend (tổng kết)."""
    held_on: Mapped[date] = mapped_column(Date)
    host_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    place: Mapped[str] = mapped_column(String(300), default="")
    agenda: Mapped[str] = mapped_column(Text, default="")
    board_rep_name: Mapped[str] = mapped_column(String(255), default="")
    board_rep_position: Mapped[str] = mapped_column(String(255), default="")
    status: Mapped[str] = mapped_column(String(32), default="draft")
    signer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    """Who uploaded the edited report: their name is printed in it, they sign it."""
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), nullable=True)
    number: Mapped[str | None] = mapped_column(String(64), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    attendees: Mapped[list[ClusterReviewAttendee]] = relationship(
        order_by="ClusterReviewAttendee.unit_id", cascade="all, delete-orphan"
    )
    host_unit: Mapped[Unit] = relationship(foreign_keys=[host_unit_id])

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own hook


class ClusterReviewAttendee(Base):
    """One member unit at a review conference: its representative (name, position), or
    marked absent. Migration 0025."""

    __tablename__ = "cluster_review_attendees"
    __table_args__ = (
        UniqueConstraint("review_id", "unit_id", name="uq_cluster_review_attendees_unit"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("cluster_reviews.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    name: Mapped[str] = mapped_column(String(255), default="")
    position: Mapped[str] = mapped_column(String(255), default="")
    present: Mapped[bool] = mapped_column(Boolean, default=True)


# --- The cluster's secret vote (migration 0027) -------------------------------------------
# Who has voted is kept apart from what was voted: a mark per member and question (no
# time, no id of its own) and ballots keyed by a random string, without a row id on SQLite
# (WITHOUT ROWID) and rewritten in key order when the vote closes (domain/cluster_vote.py).


class MeetingMemberUnit(Base):
    """The member unit a meeting member represents (a cluster's vote: one per unit)."""

    __tablename__ = "meeting_member_units"
    member_id: Mapped[int] = mapped_column(ForeignKey("meeting_members.id"), primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))

    __table_args__ = (UniqueConstraint("meeting_id", "unit_id", name="uq_meeting_member_units"),)


class MeetingBallotMark(Base):
    """That a member has voted on a question; never what."""

    __tablename__ = "meeting_ballot_marks"
    question_id: Mapped[int] = mapped_column(ForeignKey("meeting_questions.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("meeting_members.id"), primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)

    __table_args__ = {"sqlite_with_rowid": False}  # noqa: RUF012 - SQLAlchemy's own hook


class SecretBallot(Base):
    """One secret ballot on one question: the choice and the hash of the voter's receipt
    code; nothing about the voter, no time."""

    __tablename__ = "meeting_secret_ballots"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("meeting_questions.id"))
    choice: Mapped[str] = mapped_column(String(64))
    receipt_hash: Mapped[str] = mapped_column(String(64), index=True)

    __table_args__ = {"sqlite_with_rowid": False}  # noqa: RUF012 - SQLAlchemy's own hook


# --- The cluster's proposal (migration 0028) -----------------------------------------------


class ClusterProposal(Base):
    """The cluster's one proposal of the year (Tờ trình của Cụm, domain/cluster_proposal.py):
    the dossiers that passed its year-end vote, the vote it rests on, its state, its number
    in the cluster's series once issued. Migration 0028."""

    __tablename__ = "cluster_proposals"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    cluster_year_id: Mapped[int] = mapped_column(ForeignKey("cluster_years.id"), unique=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"))
    """The closed vote (a `cluster_vote` meeting) the list comes from."""
    status: Mapped[str] = mapped_column(String(32), default="draft")
    number: Mapped[str | None] = mapped_column(String(64), nullable=True)
    """As issued in the cluster's own series, e.g. "03/TTr-CỤM I"."""
    issued_at: Mapped[datetime | None] = mapped_column(nullable=True)
    transition_seq: Mapped[int] = mapped_column(Integer, default=0)
    return_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("award_rounds.id"), nullable=True)
    """The round of the award-decision work its approved dossiers entered."""
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    entries: Mapped[list[ClusterProposalDossier]] = relationship(
        order_by="ClusterProposalDossier.position_no", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own hook

    @property
    def subject(self) -> Subject:
        return Subject(SubjectKind.CLUSTER_PROPOSAL, self.id)


class ClusterProposalDossier(Base):
    """One dossier of a cluster's proposal; struck by the board with a reason, or not.
    Migration 0028."""

    __tablename__ = "cluster_proposal_dossiers"
    __table_args__ = (
        UniqueConstraint("proposal_id", "dossier_id", name="uq_cluster_proposal_dossiers"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("cluster_proposals.id"), index=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"))
    position_no: Mapped[int] = mapped_column(Integer)
    award: Mapped[str] = mapped_column(String(64))
    struck_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    struck_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    struck_at: Mapped[datetime | None] = mapped_column(nullable=True)


class ReportEntry(Base):
    """What the board entered for one statistics report form (domain/report_forms.py) of
    one year and scope: the cells the database does not hold, the signer's block, and
    when the report was last issued. Migration 0032."""

    __tablename__ = "report_entries"
    __table_args__ = (
        UniqueConstraint("authority_id", "form", "year", "scope", name="uq_report_entries_key"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"))
    form: Mapped[str] = mapped_column(String(16))
    year: Mapped[int] = mapped_column(Integer)
    scope: Mapped[str] = mapped_column(String(32))
    """"province", "cluster:<id>" or "unit:<id>"."""
    cells: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """{"<row code>|<column key>": count} for the entered cells."""
    signer_title: Mapped[str] = mapped_column(String(255), default="", server_default="")
    signer_name: Mapped[str] = mapped_column(String(255), default="", server_default="")
    preparer_name: Mapped[str] = mapped_column(String(255), default="", server_default="")
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    updated_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    issued_object_key: Mapped[str | None] = mapped_column(String(512))
    """The last issued report: the PDF signed by the board's head and sealed."""
    issued_version_id: Mapped[str | None] = mapped_column(String(255))
    issued_sha256: Mapped[str | None] = mapped_column(String(64))
    issued_at: Mapped[datetime | None] = mapped_column()
    issued_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own hook
