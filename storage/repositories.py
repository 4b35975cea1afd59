"""All queries of the application. Services and flows call these; routes never query."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, delete, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, joinedload, selectinload

from domain.appraisal import Appraisal, Result
from domain.policy import DOSSIER
from domain.process import PROCESSES, STAGE_ORDER, STATUS_STAGE, Stage, Status
from domain.roles import (
    BOARD_ROLES,
    Actor,
    ClusterPost,
    DossierScope,
    Place,
    Role,
    RoleGrant,
)
from domain.search import query_words
from domain.subjects import Subject
from storage import policy_sql
from storage.models import (
    AppraisalResult,
    AuditEvent,
    Authority,
    Cluster,
    ClusterTerm,
    Document,
    DocumentVersion,
    Dossier,
    DossierTransition,
    HeldPage,
    IdempotentRequest,
    LoginFailure,
    Nominee,
    NumberSeries,
    OutboxItem,
    RevokedToken,
    RoleAssignment,
    SigningKey,
    TemplateVersion,
    Unit,
    User,
    of_subject,
)

# ---------------------------------------------------------------- people and organisation


def user_by_username(s: Session, username: str) -> User | None:
    return s.scalar(select(User).where(User.username == username))


def user_by_id(s: Session, user_id: int) -> User | None:
    return s.get(User, user_id)


def all_users(s: Session) -> Sequence[User]:
    return s.scalars(select(User).order_by(User.username)).all()


def actor_of(user: User) -> Actor:
    return Actor(
        user_id=user.id,
        grants=tuple(
            RoleGrant(Role(g.role), g.unit_id, g.cluster_term_id, g.authority_id)
            for g in user.grants
        ),
    )


def all_units(s: Session) -> Sequence[Unit]:
    return s.scalars(select(Unit).order_by(Unit.id)).all()


def units_by_ids(s: Session, ids: set[int]) -> dict[int, Unit]:
    if not ids:
        return {}
    return {u.id: u for u in s.scalars(select(Unit).where(Unit.id.in_(ids)))}


def cluster_term(s: Session, cluster_id: int | None, year: int) -> ClusterTerm | None:
    if cluster_id is None:
        return None
    # Asked several times per request (who may see, who may act, who is next); the terms
    # of a year change only by an admin's own request.
    seen: dict[tuple[int, int], ClusterTerm | None] = s.info.setdefault("cluster_terms", {})
    if (cluster_id, year) not in seen:
        seen[cluster_id, year] = s.scalar(
            select(ClusterTerm).where(
                ClusterTerm.cluster_id == cluster_id, ClusterTerm.year == year
            )
        )
    return seen[cluster_id, year]


def scope_of(s: Session, d: Dossier) -> DossierScope:
    term = cluster_term(s, d.cluster_id, d.year)
    leaders = frozenset(u for u in (term.head_unit_id, term.deputy_unit_id) if u) if term else None
    reached = STAGE_ORDER.index(Stage(d.furthest_stage))
    return DossierScope(
        unit_id=d.unit_id,
        authority_id=d.authority_id,
        cluster_id=d.cluster_id,
        cluster_term_id=term.id if term else None,
        cluster_leader_unit_ids=leaders or frozenset(),
        reached_cluster=reached >= STAGE_ORDER.index(Stage.CLUSTER),
        reached_board=reached >= STAGE_ORDER.index(Stage.BOARD),
        nominee_user_ids=frozenset(n.user_id for n in d.nominees if n.user_id is not None),
    )


def users_holding(s: Session, role: Role, scope: DossierScope) -> list[User]:
    """Everyone who holds `role` over a dossier with this scope (for routing)."""
    q = select(User).join(RoleAssignment).where(User.is_active, policy_sql.holding(role, scope))
    return list(s.scalars(q.distinct()))


def authority(s: Session, authority_id: int) -> Authority:
    a = s.get(Authority, authority_id)
    assert a is not None
    return a


def cluster(s: Session, cluster_id: int | None) -> Cluster | None:
    return s.get(Cluster, cluster_id) if cluster_id is not None else None


def unit(s: Session, unit_id: int) -> Unit:
    u = s.get(Unit, unit_id)
    assert u is not None
    return u


# ---------------------------------------------------------------- dossiers


def dossier(s: Session, dossier_id: int, *, for_update: bool = False) -> Dossier | None:
    q = select(Dossier).where(Dossier.id == dossier_id).options(selectinload(Dossier.nominees))
    # PostgreSQL cannot lock the outer side of a join: a locked dossier loads its unit on use.
    q = q.with_for_update() if for_update else q.options(joinedload(Dossier.unit))
    return s.scalar(q)


def _visible(actor: Actor, s: Session) -> Select[Any]:
    """Dossiers the actor may see, as a query (the rules of domain/policy.py)."""
    return select(Dossier).where(policy_sql.visible(actor, DOSSIER))


def _linked_nominee(actor: Actor) -> Select[Any]:
    """The dossier's nominees linked to the actor's own account."""
    return policy_sql.linked_nominee(actor)


@dataclass
class DossierFilter:
    status: str | None = None
    year: int | None = None
    award: str | None = None
    unit_id: int | None = None
    cluster_id: int | None = None
    q: str | None = None


def list_dossiers(
    s: Session, actor: Actor, f: DossierFilter, *, offset: int, limit: int
) -> tuple[list[Dossier], int]:
    q = _visible(actor, s)
    if f.status:
        q = q.where(Dossier.status == f.status)
    if f.year:
        q = q.where(Dossier.year == f.year)
    if f.award:
        q = q.where(Dossier.award == f.award)
    if f.unit_id:
        q = q.where(Dossier.unit_id == f.unit_id)
    if f.cluster_id:
        q = q.where(Dossier.cluster_id == f.cluster_id)
    if f.q:  # words of the title or of nominees' names, in any order
        q = q.where(*_matches(f.q))
    total = s.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = s.scalars(
        q.options(joinedload(Dossier.unit))  # the unit's name in every row, not one query each
        .order_by(Dossier.updated_at.desc(), Dossier.id.desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return list(rows), total


def _matches(query: str) -> list[ColumnElement[bool]]:
    """Each word of the query, folded (domain/search.py), inside the dossier's folded
    `search_text`. A substring test cannot use a b-tree index: the rows the other
    filters leave are scanned, one short column each (the nominees are not joined)."""
    return [
        Dossier.search_text.like(f"%{_escape_like(word)}%", escape="\\")
        for word in query_words(query)
    ]


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def inbox(
    s: Session,
    actor: Actor,
    *,
    offset: int = 0,
    limit: int | None = None,
    q: str | None = None,
) -> tuple[list[Dossier], int]:
    """Dossiers waiting for an action of the actor (derived from the process table), the
    longest-waiting first: one page of them and how many there are; `q` keeps those whose
    title or nominees' names hold every word of it."""
    where = _waiting_for(actor)
    if where is None:
        return [], 0
    if q:
        where = and_(where, *_matches(q))
    total = s.scalar(select(func.count()).select_from(Dossier).where(where)) or 0
    page = (
        select(Dossier)
        .where(where)
        .options(joinedload(Dossier.unit))
        .order_by(Dossier.updated_at, Dossier.id)
        .offset(offset)
        .limit(limit)
    )
    return list(s.scalars(page)), total


def _waiting_for(actor: Actor) -> ColumnElement[bool] | None:
    acts = policy_sql.acting(actor, DOSSIER)
    conds = [acts] if acts is not None else []
    for process in PROCESSES.values():
        for own in process.own_signatures:
            # An individual whose own report waits for their signature, whatever role
            # they hold in the unit.
            signed = (
                select(DocumentVersion.id)
                .join(Document, Document.id == DocumentVersion.document_id)
                .where(
                    Document.dossier_id == Dossier.id,
                    Document.transition_seq == Dossier.transition_seq + 1,
                    Document.form == own.form,
                    Document.copy_no == Nominee.position_no,
                    DocumentVersion.rendition == REPORTER_RENDITION,
                )
                .correlate(Dossier, Nominee)
            )
            mine = _linked_nominee(actor).where(Nominee.kind == "individual", ~signed.exists())
            conds.append(
                and_(
                    Dossier.process == process.code,
                    Dossier.status == own.state,
                    mine.exists(),
                )
            )
    return or_(*conds) if conds else None


def transitions(s: Session, dossier_id: int) -> Sequence[DossierTransition]:
    return s.scalars(
        select(DossierTransition)
        .where(of_subject(DossierTransition, Subject.dossier(dossier_id)))
        .order_by(DossierTransition.seq)
    ).all()


def transition(s: Session, dossier_id: int, seq: int) -> DossierTransition | None:
    return s.scalar(
        select(DossierTransition).where(
            of_subject(DossierTransition, Subject.dossier(dossier_id)), DossierTransition.seq == seq
        )
    )


def unfinished_step(s: Session, dossier_id: int) -> OutboxItem | None:
    """The oldest step of the dossier whose machine work has not finished."""
    return s.scalar(
        select(OutboxItem)
        .where(of_subject(OutboxItem, Subject.dossier(dossier_id)), OutboxItem.state != "done")
        .order_by(OutboxItem.transition_seq)
        .limit(1)
    )


def is_processing(s: Session, dossier_id: int) -> bool:
    return bool(
        s.scalar(
            select(func.count())
            .select_from(OutboxItem)
            .where(of_subject(OutboxItem, Subject.dossier(dossier_id)), OutboxItem.state != "done")
        )
    )


# ---------------------------------------------------------------- own reports and appraisal

REPORTER_RENDITION = "pdf-reporter"
"""A report signed by the individual it is about (before the unit head signs it)."""


def unit_accounts(s: Session, unit_id: int) -> Sequence[User]:
    """Active accounts holding any role at a unit: who an individual nominee may be."""
    return s.scalars(
        select(User)
        .join(RoleAssignment)
        .where(RoleAssignment.unit_id == unit_id, User.is_active)
        .distinct()
        .order_by(User.full_name, User.id)
    ).all()


def users_by_ids(s: Session, ids: set[int]) -> dict[int, User]:
    if not ids:
        return {}
    return {u.id: u for u in s.scalars(select(User).where(User.id.in_(ids)))}


def appraisal_results(s: Session, dossier_id: int) -> dict[int, AppraisalResult]:
    """The recorded results of a dossier's nominees, by nominee id."""
    rows = s.scalars(select(AppraisalResult).where(AppraisalResult.dossier_id == dossier_id))
    return {r.nominee_id: r for r in rows}


def appraisal_of(r: AppraisalResult | None) -> Appraisal | None:
    """A recorded row as the domain's rules read it."""
    if r is None:
        return None
    return Appraisal(
        result=Result(r.result) if r.result else None,
        note=r.note,
        other_award=r.other_award,
        struck=r.struck,
        strike_reason=r.strike_reason,
    )


def appraisal_changed_at(s: Session, dossier_id: int) -> datetime | None:
    """When the dossier's appraisal results last changed (a prepared report older than
    this prints something else)."""
    return s.scalar(
        select(func.max(AppraisalResult.updated_at)).where(AppraisalResult.dossier_id == dossier_id)
    )


# ---------------------------------------------------------------- documents


def documents_of(s: Session, dossier_id: int) -> Sequence[Document]:
    return s.scalars(
        select(Document)
        .where(of_subject(Document, Subject.dossier(dossier_id)))
        .order_by(Document.transition_seq, Document.form, Document.copy_no)
    ).all()


def document(s: Session, doc_id: int) -> Document | None:
    return s.get(Document, doc_id)


def find_document(
    s: Session, dossier_id: int, seq: int, form: str, copy_no: int
) -> Document | None:
    return s.scalar(
        select(Document).where(
            of_subject(Document, Subject.dossier(dossier_id)),
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


# ---------------------------------------------------------------- template versions


def template_versions(s: Session, form_code: str | None = None) -> Sequence[TemplateVersion]:
    """Versions of one form (or of all forms), oldest first: the last one is current."""
    q = select(TemplateVersion).order_by(TemplateVersion.form_code, TemplateVersion.id)
    if form_code is not None:
        q = q.where(TemplateVersion.form_code == form_code)
    return s.scalars(q).all()


def template_version(s: Session, form_code: str, version: str) -> TemplateVersion | None:
    return s.scalar(
        select(TemplateVersion).where(
            TemplateVersion.form_code == form_code, TemplateVersion.version == version
        )
    )


def current_template_version(s: Session, form_code: str) -> TemplateVersion | None:
    return s.scalar(
        select(TemplateVersion)
        .where(TemplateVersion.form_code == form_code)
        .order_by(TemplateVersion.id.desc())
        .limit(1)
    )


# ---------------------------------------------------------------- keys and outbox


def organisation_key(
    s: Session, *, unit_id: int | None = None, authority_id: int | None = None
) -> SigningKey | None:
    q = select(SigningKey).where(SigningKey.kind == "organisation")
    q = (
        q.where(SigningKey.unit_id == unit_id)
        if unit_id
        else q.where(SigningKey.authority_id == authority_id, SigningKey.unit_id.is_(None))
    )
    return s.scalar(q.order_by(SigningKey.id.desc()).limit(1))


def personal_keys(s: Session, user_id: int) -> Sequence[SigningKey]:
    return s.scalars(
        select(SigningKey)
        .where(SigningKey.kind == "person", SigningKey.user_id == user_id)
        .order_by(SigningKey.id)
    ).all()


def personal_key(s: Session, user_id: int) -> SigningKey | None:
    """The approver's key the system holds (the newest one with a private key that was
    not revoked)."""
    keys = held_keys(s, user_id)
    return keys[-1] if keys else None


def demo_tsa(s: Session) -> SigningKey | None:
    return s.scalar(select(SigningKey).where(SigningKey.kind == "tsa").limit(1))


def token_holder(s: Session, user_id: int, token_id: str) -> tuple[User | None, bool]:
    """The user a token names, with their role grants, and whether the token was signed
    out: one query, asked by every authenticated request."""
    revoked = select(RevokedToken.jti).where(RevokedToken.jti == token_id).exists()
    row = (
        s.execute(
            select(User, revoked.label("revoked"))
            .where(User.id == user_id)
            .options(joinedload(User.grants))
        )
        .unique()
        .first()
    )
    return (row[0], bool(row[1])) if row is not None else (None, False)


def revoke(s: Session, token_id: str, expires_at: datetime) -> None:
    if s.get(RevokedToken, token_id) is None:
        s.add(RevokedToken(jti=token_id, expires_at=expires_at))
        s.flush()


def login_failures(
    s: Session, *, username: str | None = None, address: str | None = None, since: datetime
) -> int:
    q = select(func.count()).select_from(LoginFailure).where(LoginFailure.at >= since)
    if username is not None:
        q = q.where(LoginFailure.username == username)
    if address is not None:
        q = q.where(LoginFailure.address == address)
    return s.scalar(q) or 0


def idempotent_request(s: Session, user_id: int, key: str) -> IdempotentRequest | None:
    return s.scalar(
        select(IdempotentRequest).where(
            IdempotentRequest.user_id == user_id, IdempotentRequest.key == key
        )
    )


def trust_roots(s: Session) -> Sequence[SigningKey]:
    return s.scalars(
        select(SigningKey).where(SigningKey.kind == "ca").order_by(SigningKey.id)
    ).all()


def audit_signing_key(s: Session) -> SigningKey | None:
    """The seal that signs the audit chain's checkpoints: the first authority's."""
    authority_id = s.scalar(select(Authority.id).order_by(Authority.id).limit(1))
    return organisation_key(s, authority_id=authority_id) if authority_id is not None else None


def dossier_events(
    s: Session, dossier_id: int, *, without_kinds: Sequence[str] = ()
) -> Sequence[AuditEvent]:
    """A dossier's history in the order of its own chain."""
    q = select(AuditEvent).where(of_subject(AuditEvent, Subject.dossier(dossier_id)))
    if without_kinds:
        q = q.where(AuditEvent.kind.not_in(without_kinds))
    return s.scalars(q.order_by(AuditEvent.subject_seq)).all()


def outbox_item(s: Session, item_id: int) -> OutboxItem | None:
    return s.get(OutboxItem, item_id)


def outbox_pending(s: Session, *, limit: int = 100) -> Sequence[OutboxItem]:
    return s.scalars(
        select(OutboxItem).where(OutboxItem.state != "done").order_by(OutboxItem.id).limit(limit)
    ).all()


def stage_of(status: str) -> Stage:
    return STATUS_STAGE[Status(status)]


# ---------------------------------------------------------------- pages: home, search, admin


def all_clusters(s: Session) -> Sequence[Cluster]:
    return s.scalars(select(Cluster).order_by(Cluster.id)).all()


def all_authorities(s: Session) -> Sequence[Authority]:
    return s.scalars(select(Authority).order_by(Authority.id)).all()


def units_of_cluster(s: Session, cluster_id: int) -> Sequence[Unit]:
    return s.scalars(select(Unit).where(Unit.cluster_id == cluster_id).order_by(Unit.id)).all()


def cluster_terms_of_year(s: Session, year: int) -> Sequence[ClusterTerm]:
    return s.scalars(
        select(ClusterTerm).where(ClusterTerm.year == year).order_by(ClusterTerm.cluster_id)
    ).all()


def cluster_term_years(s: Session) -> list[int]:
    return sorted(s.scalars(select(ClusterTerm.year).distinct()).all())


def count_by_status(s: Session, actor: Actor) -> dict[str, int]:
    """How many of the dossiers the actor may see are in each status."""
    seen = _visible(actor, s).subquery()
    rows = s.execute(select(seen.c.status, func.count()).group_by(seen.c.status))
    return {status: n for status, n in rows}


def entered_state_at(s: Session, dossier_ids: Sequence[int]) -> dict[int, datetime]:
    """When each dossier entered its current state: its last transition (or creation)."""
    if not dossier_ids:
        return {}
    last = dict(
        s.execute(
            select(DossierTransition.dossier_id, func.max(DossierTransition.created_at))
            .where(DossierTransition.dossier_id.in_(dossier_ids))
            .group_by(DossierTransition.dossier_id)
        ).all()
    )
    created = dict(
        s.execute(select(Dossier.id, Dossier.created_at).where(Dossier.id.in_(dossier_ids))).all()
    )
    return {i: last.get(i) or created[i] for i in created}


# ---------------------------------------------------------------- accounts: where roles are
# held, signing keys and certificates of people, revocations (migration 0010)


def place_of(s: Session, grant: RoleGrant | RoleAssignment, year: int) -> Place:
    """Where a grant is held, named, with the post its unit has in its cluster in `year`
    for the roles that act for a cluster."""
    role = Role(grant.role)
    if grant.unit_id is not None:
        unit_ = s.get(Unit, grant.unit_id)
        if unit_ is None:
            return Place()
        if role != Role.CLUSTER_APPROVER or unit_.cluster_id is None:
            return Place(unit=unit_.name)
        term = cluster_term(s, unit_.cluster_id, year)
        post = None
        if term is not None and term.head_unit_id == unit_.id:
            post = ClusterPost.HEAD
        elif term is not None and term.deputy_unit_id == unit_.id:
            post = ClusterPost.DEPUTY
        c = s.get(Cluster, unit_.cluster_id)
        return Place(unit=unit_.name, cluster=c.name if c else None, year=year, cluster_post=post)
    if grant.cluster_term_id is not None:
        term = s.get(ClusterTerm, grant.cluster_term_id)
        c = s.get(Cluster, term.cluster_id) if term else None
        return Place(cluster=c.name if c else None, year=term.year if term else None)
    if grant.authority_id is not None:
        a = s.get(Authority, grant.authority_id)
        if a is None:
            return Place()
        board = a.board_name if role in BOARD_ROLES and a.board_name else None
        return Place(board=board, authority=a.name)
    return Place()


def acted_in_cluster_post(s: Session, d: Dossier, unit_name: str | None) -> ClusterPost | None:
    """The post a unit (named as an event recorded it) had in the dossier's cluster in
    the dossier's year."""
    term = cluster_term(s, d.cluster_id, d.year)
    if term is None or unit_name is None:
        return None
    for post, unit_id in (
        (ClusterPost.HEAD, term.head_unit_id),
        (ClusterPost.DEPUTY, term.deputy_unit_id),
    ):
        u = s.get(Unit, unit_id) if unit_id is not None else None
        if u is not None and u.name == unit_name:
            return post
    return None


def held_keys(s: Session, user_id: int) -> list[SigningKey]:
    """The person's keys the system holds that may still sign, oldest first."""
    return [
        k
        for k in personal_keys(s, user_id)
        if k.key_pem_encrypted is not None and k.revoked_at is None
    ]


def personal_key_by_id(s: Session, user_id: int, key_id: int) -> SigningKey | None:
    return s.scalar(
        select(SigningKey).where(
            SigningKey.id == key_id, SigningKey.kind == "person", SigningKey.user_id == user_id
        )
    )


def key_by_fingerprint(s: Session, fingerprint: str) -> SigningKey | None:
    return s.scalar(select(SigningKey).where(SigningKey.fingerprint == fingerprint))


def issuing_ca(s: Session) -> SigningKey | None:
    """The CA whose key the system holds (the demo CA in the demo): it certifies the
    keys people get from the system, and publishes the CRL."""
    return s.scalar(
        select(SigningKey)
        .where(SigningKey.kind == "ca", SigningKey.key_pem_encrypted.is_not(None))
        .order_by(SigningKey.id)
        .limit(1)
    )


def revoked_keys(s: Session) -> Sequence[SigningKey]:
    return s.scalars(
        select(SigningKey).where(SigningKey.revoked_at.is_not(None)).order_by(SigningKey.id)
    ).all()


def revocation_state(s: Session) -> tuple[int, int | None]:
    """Changes whenever a certificate is revoked: how many are, and the last one's id
    (for caches of the CRL)."""
    row = s.execute(
        select(func.count(), func.max(SigningKey.id)).where(SigningKey.revoked_at.is_not(None))
    ).one()
    return int(row[0]), row[1]


# ---------------------------------------------------------------- pages held after a POST


def hold_page(s: Session, page: HeldPage, *, expired_before: datetime) -> None:
    """Keep a page for its GET, and forget those nobody came back for."""
    s.execute(delete(HeldPage).where(HeldPage.created_at < expired_before))
    s.add(page)
    s.flush()


def held_page(s: Session, page_id: str) -> HeldPage | None:
    return s.get(HeldPage, page_id)


def take_held_page(
    s: Session, page_id: str, binding: str, target: str, *, since: datetime
) -> HeldPage | None:
    """The held page for this cookie, session and address, removed as it is taken (shown
    once); None if there is none, it is someone else's, or it is too old."""
    page = s.get(HeldPage, page_id)
    if page is None or page.binding != binding or page.target != target:
        return None
    s.delete(page)
    s.flush()
    return page if page.created_at >= since else None
