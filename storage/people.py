"""Queries of the registry's people and collectives (domain/people.py): find and search
within units, the holder's awards and restrictions, the rows a merge moves. Nothing here
commits; nothing here logs a person's personal data."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, case, false, func, or_, select, true, update
from sqlalchemy.orm import QueryableAttribute, Session

from domain.clusters import reference_day
from domain.people import CollectiveKind, HolderScope
from domain.roles import BOARD_ROLES, UNIT_ROLES, Actor, Role
from domain.search import fold, query_words
from domain.subjects import Subject
from storage.clusters import cluster_id_of
from storage.models import (
    AuditEvent,
    Collective,
    HolderRestriction,
    Nominee,
    Person,
    PersonMerge,
    RegistryAward,
    Unit,
    of_subject,
)
from storage.repositories import org as org_repo

SEARCH_LIMIT = 50


def person(s: Session, person_id: int, *, for_update: bool = False) -> Person | None:
    q = select(Person).where(Person.id == person_id)
    return s.scalar(q.with_for_update() if for_update else q)


def person_by_identity_no(s: Session, identity_no: str) -> Person | None:
    return s.scalar(select(Person).where(Person.identity_no == identity_no))


def collective(s: Session, collective_id: int) -> Collective | None:
    return s.get(Collective, collective_id)


def scope_of_unit(s: Session, unit_id: int | None, year: int) -> HolderScope:
    """Where a record of `unit_id` sits: the unit, its authority, the units leading its
    cluster in `year`."""
    if unit_id is None:
        return HolderScope(None, None)
    unit = s.get(Unit, unit_id)
    if unit is None:
        return HolderScope(unit_id, None)
    # The unit's cluster in that year (as the division decisions set it), not today's.
    cluster_id = cluster_id_of(s, unit.id, reference_day(year, date.today())) or unit.cluster_id
    term = org_repo.cluster_term(s, cluster_id, year)
    leaders = frozenset(
        u for u in ((term.head_unit_id, term.deputy_unit_id) if term else ()) if u is not None
    )
    return HolderScope(unit.id, unit.authority_id, leaders)


def reach(actor: Actor, unit_id_col: QueryableAttribute[Any]) -> ColumnElement[bool] | None:
    """The SQL condition on a unit id column selecting the records the actor may list: its
    units (clerk, head), the units of its boards' authorities, all for an auditor. None:
    no condition (an auditor)."""
    if any(g.role == Role.AUDITOR for g in actor.grants):
        return None
    units = {g.unit_id for g in actor.grants if g.role in UNIT_ROLES and g.unit_id}
    authorities = {g.authority_id for g in actor.grants if g.role in BOARD_ROLES and g.authority_id}
    parts: list[ColumnElement[bool]] = []
    if units:
        parts.append(unit_id_col.in_(units))
    if authorities:
        parts.append(unit_id_col.in_(select(Unit.id).where(Unit.authority_id.in_(authorities))))
    if not parts:
        return false()
    return or_(*parts)


def _matching(
    search_col: QueryableAttribute[str], q: str | None
) -> tuple[list[ColumnElement[bool]], ColumnElement[int] | None]:
    """Every folded word of `q` somewhere in `search_col`, and an ordering that puts the
    names beginning with the query first."""
    words = query_words(q)
    conds = [search_col.contains(w, autoescape=True) for w in words]
    if not words:
        return conds, None
    folded = fold(q or "")
    first = case((search_col.startswith(folded, autoescape=True), 0), else_=1)
    return conds, first


def search_people(
    s: Session,
    actor: Actor,
    q: str | None = None,
    unit_id: int | None = None,
    *,
    limit: int = SEARCH_LIMIT,
    include_merged: bool = False,
) -> Sequence[tuple[Person, str]]:
    """The people the actor may list (with their unit's name) whose folded name holds
    every word of `q` ("nguyen van an" finds «Nguyễn Văn An»), optionally of one unit;
    names beginning with the query first, then by name."""
    conds, first = _matching(Person.search_name, q)
    where = reach(actor, Person.unit_id)
    if where is not None:
        conds.append(where)
    if unit_id is not None:
        conds.append(Person.unit_id == unit_id)
    if not include_merged:
        conds.append(Person.merged_into_id.is_(None))
    order = (
        [Person.search_name, Person.id] if first is None else [first, Person.search_name, Person.id]
    )
    rows = s.execute(
        select(Person, func.coalesce(Unit.name, ""))
        .outerjoin(Unit, Unit.id == Person.unit_id)
        .where(and_(true(), *conds))
        .order_by(*order)
        .limit(limit)
    ).all()
    return [(p, name) for p, name in rows]


def search_collectives(
    s: Session,
    actor: Actor,
    q: str | None = None,
    unit_id: int | None = None,
    *,
    limit: int = SEARCH_LIMIT,
) -> Sequence[tuple[Collective, str]]:
    conds, first = _matching(Collective.search_name, q)
    where = reach(actor, Collective.unit_id)
    if where is not None:
        conds.append(where)
    if unit_id is not None:
        conds.append(Collective.unit_id == unit_id)
    conds.append(Collective.merged_into_id.is_(None))
    order = [Collective.kind.desc(), Collective.search_name, Collective.id]
    if first is not None:
        order.insert(0, first)
    rows = s.execute(
        select(Collective, Unit.name)
        .join(Unit, Unit.id == Collective.unit_id)
        .where(and_(*conds))
        .order_by(*order)
        .limit(limit)
    ).all()
    return [(c, name) for c, name in rows]


def people_named(s: Session, unit_id: int, name: str) -> Sequence[Person]:
    """The unit's (unmerged) people whose folded name is exactly that of `name`."""
    return s.scalars(
        select(Person).where(
            Person.unit_id == unit_id,
            Person.search_name == fold(name),
            Person.merged_into_id.is_(None),
        )
    ).all()


def unit_collective(s: Session, unit_id: int) -> Collective | None:
    return s.scalar(
        select(Collective)
        .where(Collective.unit_id == unit_id, Collective.kind == CollectiveKind.UNIT.value)
        .order_by(Collective.id)
        .limit(1)
    )


def part_named(s: Session, unit_id: int, name: str) -> Collective | None:
    return s.scalar(
        select(Collective)
        .where(
            Collective.unit_id == unit_id,
            Collective.kind == CollectiveKind.PART.value,
            Collective.search_name == fold(name),
            Collective.merged_into_id.is_(None),
        )
        .order_by(Collective.id)
        .limit(1)
    )


def awards_of(
    s: Session, *, person_id: int | None = None, collective_id: int | None = None
) -> Sequence[RegistryAward]:
    """The holder's registry awards, newest year first (revoked ones too: the page marks
    them)."""
    col = RegistryAward.person_id if person_id is not None else RegistryAward.collective_id
    holder = person_id if person_id is not None else collective_id
    return s.scalars(
        select(RegistryAward)
        .where(col == holder)
        .order_by(RegistryAward.year.desc(), RegistryAward.decision_date.desc(), RegistryAward.id)
    ).all()


def held_in_year(
    s: Session,
    *,
    person_id: int | None = None,
    collective_id: int | None = None,
    award: str,
    year: int,
    occasion: str,
) -> RegistryAward | None:
    """The holder's record (not revoked) of this award, year and occasion, if any: one
    achievement is rewarded once."""
    col = RegistryAward.person_id if person_id is not None else RegistryAward.collective_id
    holder = person_id if person_id is not None else collective_id
    return s.scalars(
        select(RegistryAward)
        .where(
            col == holder,
            RegistryAward.award == award,
            RegistryAward.year == year,
            RegistryAward.occasion == occasion,
            RegistryAward.revoked_at.is_(None),
        )
        .order_by(RegistryAward.id)
        .limit(1)
    ).first()


def restrictions_of(
    s: Session, *, person_id: int | None = None, collective_id: int | None = None
) -> Sequence[HolderRestriction]:
    col = HolderRestriction.person_id if person_id is not None else HolderRestriction.collective_id
    holder = person_id if person_id is not None else collective_id
    return s.scalars(
        select(HolderRestriction)
        .where(col == holder)
        .order_by(HolderRestriction.starts_on.desc(), HolderRestriction.id.desc())
    ).all()


def merges_into(s: Session, person_id: int) -> Sequence[PersonMerge]:
    return s.scalars(
        select(PersonMerge).where(PersonMerge.kept_id == person_id).order_by(PersonMerge.id)
    ).all()


def events_of(s: Session, subject: Subject) -> Sequence[AuditEvent]:
    return s.scalars(
        select(AuditEvent).where(of_subject(AuditEvent, subject)).order_by(AuditEvent.subject_seq)
    ).all()


def move_to(s: Session, merged_id: int, kept_id: int) -> dict[str, int]:
    """Move what refers to person `merged_id` to `kept_id`: nominees, restrictions, and
    the registry awards the kept record does not hold already (same award, year and
    decision: those stay on the merged record, which points at the kept one). Returns the
    counts moved, and the duplicates left."""
    nominees = s.execute(
        update(Nominee).where(Nominee.person_id == merged_id).values(person_id=kept_id)
    ).rowcount  # type: ignore[attr-defined]
    restrictions = s.execute(
        update(HolderRestriction)
        .where(HolderRestriction.person_id == merged_id)
        .values(person_id=kept_id)
    ).rowcount  # type: ignore[attr-defined]
    kept = RegistryAward.__table__.alias("kept")
    duplicate = (
        select(kept.c.id)
        .where(
            kept.c.person_id == kept_id,
            kept.c.award == RegistryAward.award,
            kept.c.year == RegistryAward.year,
            kept.c.decision_number == RegistryAward.decision_number,
        )
        .exists()
    )
    awards = s.execute(
        update(RegistryAward)
        .where(RegistryAward.person_id == merged_id, ~duplicate)
        .values(person_id=kept_id)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    left = s.scalar(
        select(func.count()).select_from(RegistryAward).where(RegistryAward.person_id == merged_id)
    )
    s.expire_all()
    return {
        "nominees": int(nominees or 0),
        "restrictions": int(restrictions or 0),
        "awards": int(awards or 0),
        "duplicate_awards": int(left or 0),
    }


def running_restrictions(s: Session, person_id: int, today: date) -> Sequence[HolderRestriction]:
    return s.scalars(
        select(HolderRestriction).where(
            HolderRestriction.person_id == person_id,
            HolderRestriction.starts_on <= today,
            or_(HolderRestriction.ends_on.is_(None), HolderRestriction.ends_on >= today),
        )
    ).all()
