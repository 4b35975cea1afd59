"""Queries of dossiers: one dossier, what an actor may see (lists, search, inbox, counts),
its transitions and its history."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, tuple_, update
from sqlalchemy.orm import Session, aliased, joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from domain.deadlines import due_date, vn_day
from domain.policy import DOSSIER
from domain.process import DOSSIER_PROCESSES, STAGE_ORDER, STATUS_STAGE, Stage, Status
from domain.roles import (
    Actor,
    DossierScope,
)
from domain.search import query_words
from domain.subjects import Subject
from storage import policy_sql
from storage.calendar import work_calendar
from storage.models import (
    AuditEvent,
    Cluster,
    Document,
    DocumentVersion,
    Dossier,
    DossierTransition,
    Nominee,
    Person,
    Unit,
    of_subject,
    utcnow,
)
from storage.repositories import steps
from storage.repositories.documents import REPORTER_RENDITION
from storage.repositories.org import cluster_term


def scope_of(s: Session, d: Dossier, *, nominees: bool = True) -> DossierScope:
    """Who the dossier is to the roles (policy). ``nominees=False`` leaves out the
    nominees' own accounts (and does not load the nominees): enough for the roles held at
    a unit, a cluster or the authority."""
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
        nominee_user_ids=frozenset(n.user_id for n in d.nominees if n.user_id is not None)
        if nominees
        else frozenset(),
    )


def set_statuses(s: Session, dossiers: Sequence[Dossier], status: str) -> None:
    """Move these dossiers to `status` in one UPDATE, as the ORM's flush would one row at
    a time: `version` bumped (refused with StaleDataError if another transaction changed
    one since it was read), `updated_at` now. The loaded objects follow."""
    if not dossiers:
        return
    expected = [(d.id, d.version) for d in dossiers]
    done = s.execute(
        update(Dossier)
        .where(tuple_(Dossier.id, Dossier.version).in_(expected))
        .values(status=status, version=Dossier.version + 1, updated_at=utcnow())
        .returning(Dossier.id)
        .execution_options(synchronize_session="fetch")
    ).all()
    if len(done) != len(expected):
        raise StaleDataError(
            f"UPDATE statement on table 'dossiers' expected to update {len(expected)} "
            f"row(s); {len(done)} were matched."
        )


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


LIST_ORDER = (Dossier.updated_at.desc(), Dossier.id.desc())
"""The list's order: most recently changed first (the (updated_at, id) index)."""


def listed(actor: Actor, f: DossierFilter) -> list[ColumnElement[bool]]:
    """The conditions of the list: the dossiers the actor may see (domain/policy.py's
    rules as SQL) that pass the filter. The list, its count and its exports (the
    dossiers and their nominees, api/exports/) all read these, so they cannot drift."""
    where = [policy_sql.visible(actor, DOSSIER)]
    if f.status:
        where.append(Dossier.status == f.status)
    if f.year:
        where.append(Dossier.year == f.year)
    if f.award:
        where.append(Dossier.award == f.award)
    if f.unit_id:
        where.append(Dossier.unit_id == f.unit_id)
    if f.cluster_id:
        where.append(Dossier.cluster_id == f.cluster_id)
    if f.q:  # words of the title or of nominees' names, in any order
        where.extend(_matches(f.q))
    return where


def count_listed(s: Session, actor: Actor, f: DossierFilter) -> int:
    q = select(Dossier.id).where(*listed(actor, f))
    return s.scalar(select(func.count()).select_from(q.subquery())) or 0


def list_dossiers(
    s: Session, actor: Actor, f: DossierFilter, *, offset: int, limit: int
) -> tuple[list[Dossier], int]:
    total = count_listed(s, actor, f)
    rows = s.scalars(
        select(Dossier)
        .where(*listed(actor, f))
        .options(joinedload(Dossier.unit))  # the unit's name in every row, not one query each
        .order_by(*LIST_ORDER)
        .offset(offset)
        .limit(limit)
    ).all()
    return list(rows), total


EXPORT_CHUNK = 1000
"""Rows read from the database at a time by an export (a server-side cursor on
PostgreSQL): the whole list is never in memory."""


def export_rows(s: Session, actor: Actor, f: DossierFilter) -> Iterator[Sequence[Any]]:
    """The list's dossiers (`listed`), in its order, read in chunks: id, title, year,
    award, status, the unit's and the cluster's names, updated_at."""
    q = (
        select(
            Dossier.id,
            Dossier.title,
            Dossier.year,
            Dossier.award,
            Dossier.status,
            Unit.name,
            Cluster.name,
            Dossier.updated_at,
        )
        .join(Unit, Unit.id == Dossier.unit_id)
        .outerjoin(Cluster, Cluster.id == Dossier.cluster_id)
        .where(*listed(actor, f))
        .order_by(*LIST_ORDER)
    )
    yield from s.execute(q.execution_options(yield_per=EXPORT_CHUNK))


def count_listed_nominees(s: Session, actor: Actor, f: DossierFilter) -> int:
    n = aliased(Nominee, name="listed_nominee")
    q = select(func.count(n.id)).join(Dossier, Dossier.id == n.dossier_id).where(*listed(actor, f))
    return s.scalar(q) or 0


def export_nominee_rows(s: Session, actor: Actor, f: DossierFilter) -> Iterator[Sequence[Any]]:
    """The nominees of the list's dossiers (`listed`), dossier by dossier in the list's
    order, read in chunks: the dossier's id, year, award, status, unit id and name,
    authority and furthest stage (for domain/personal_data.py's rule), the nominee's
    kind, name, position, workplace, gender, birth date, ethnicity, and the identity
    number of its person record. The caller blanks what the reader may not see."""
    # An alias: the policy's own subqueries on `nominees` (a nominee linked to the
    # reader's account) stay about the dossier, not correlated to this row.
    n = aliased(Nominee, name="listed_nominee")
    q = (
        select(
            Dossier.id,
            Dossier.year,
            Dossier.award,
            Dossier.status,
            Dossier.unit_id,
            Unit.name,
            Dossier.authority_id,
            Dossier.furthest_stage,
            n.kind,
            n.name,
            n.job_title,
            n.unit_name,
            n.gender,
            n.birth_date,
            n.ethnicity,
            Person.identity_no,
        )
        .select_from(n)
        .join(Dossier, Dossier.id == n.dossier_id)
        .join(Unit, Unit.id == Dossier.unit_id)
        .outerjoin(Person, Person.id == n.person_id)
        .where(*listed(actor, f))
        .order_by(*LIST_ORDER, n.position_no)
    )
    yield from s.execute(q.execution_options(yield_per=EXPORT_CHUNK))


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
    nearest deadline first (domain/deadlines.py, on the working calendar with the
    administrator's entries), then those without one, the longest-waiting first: one page
    of them and how many there are; `q` keeps those whose title or nominees' names hold
    every word of it."""
    where = _waiting_for(actor)
    if where is None:
        return [], 0
    if q:
        where = and_(where, *_matches(q))
    keys = s.execute(
        select(
            Dossier.id,
            Dossier.process,
            Dossier.status,
            Dossier.year,
            func.coalesce(DossierTransition.created_at, Dossier.created_at),
        )
        .outerjoin(
            DossierTransition,
            and_(
                DossierTransition.dossier_id == Dossier.id,
                DossierTransition.seq == Dossier.transition_seq,
            ),
        )
        .where(where)
    ).all()
    if not keys:
        return [], 0
    cal = work_calendar(s, vn_day(min(k[4] for k in keys)), vn_day(max(k[4] for k in keys)))
    far = date.max

    def order(k: Any) -> tuple[bool, date, datetime, int]:
        due = due_date(k[1], k[2], k[4], cal, year=k[3])
        return (due is None, due or far, k[4], k[0])

    ids = [k[0] for k in sorted(keys, key=order)]
    page = ids[offset : None if limit is None else offset + limit]
    loaded = {
        d.id: d
        for d in s.scalars(
            select(Dossier).where(Dossier.id.in_(page)).options(joinedload(Dossier.unit))
        )
    }
    return [loaded[i] for i in page if i in loaded], len(ids)


def _waiting_for(actor: Actor) -> ColumnElement[bool] | None:
    acts = policy_sql.acting(actor, DOSSIER)
    conds = [acts] if acts is not None else []
    for process in DOSSIER_PROCESSES.values():
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
    return steps.transition(s, Subject.dossier(dossier_id), seq)


def dossier_events(
    s: Session, dossier_id: int, *, without_kinds: Sequence[str] = ()
) -> Sequence[AuditEvent]:
    """A dossier's history in the order of its own chain."""
    q = select(AuditEvent).where(of_subject(AuditEvent, Subject.dossier(dossier_id)))
    if without_kinds:
        q = q.where(AuditEvent.kind.not_in(without_kinds))
    return s.scalars(q.order_by(AuditEvent.subject_seq)).all()


def stage_of(status: str) -> Stage:
    return STATUS_STAGE[Status(status)]


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
