"""The awards registry's queries: the holders (a person found by the identity number or
created; a collective per unit and name), what an issued decision and its amendments
write, the search, and an import's duplicates and bulk writes. Runs inside the caller's
transaction; commits nothing."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, case, func, insert, select, tuple_, update
from sqlalchemy.orm import Session

from domain.awards import NomineeKind
from domain.registry import Occasion, Source
from domain.registry_import import ImportRow, RegistryScope, RowKey, search_text
from domain.rounds import RoundKind
from domain.search import fold, query_words
from storage import bulk
from storage.models import (
    AwardRecord,
    AwardRound,
    Collective,
    Dossier,
    Nominee,
    Person,
    RegistryAward,
    RegistryImport,
    RegistryImportProblem,
    Unit,
    utcnow,
)

T = TypeVar("T")
CHUNK = 900
"""Values per IN list (SQLite's statements take at most 32 766 parameters)."""
PAGE_SIZE = 50
COUNT_CAP = 10_000
"""A search counts its matches up to this (beyond: "more than")."""

ROUND_OCCASIONS = {
    RoundKind.REGULAR: Occasion.YEARLY,
    RoundKind.THEMATIC: Occasion.CAMPAIGN,
    RoundKind.UNSCHEDULED: Occasion.SUDDEN,
}


def _chunks(items: Sequence[T], n: int = CHUNK) -> Iterable[Sequence[T]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


def collective_kind(unit_name: str, name: str) -> str:
    return "unit" if fold(unit_name) == fold(name) else "part"


def person_for(
    s: Session,
    *,
    name: str,
    unit_id: int | None,
    identity_no: str | None = None,
    birth_date: date | None = None,
    gender: str | None = None,
    ethnicity: str | None = None,
    created_by: int | None = None,
) -> Person:
    """The person with this identity number, else a new record."""
    if identity_no:
        found = s.scalar(select(Person).where(Person.identity_no == identity_no))
        if found is not None:
            return found
    p = Person(
        full_name=name,
        search_name=fold(name),
        unit_id=unit_id,
        identity_no=identity_no or None,
        birth_date=birth_date,
        gender=gender,
        ethnicity=ethnicity,
        created_by=created_by,
    )
    s.add(p)
    s.flush()
    return p


def collective_for(
    s: Session, *, unit_id: int, name: str, created_by: int | None = None
) -> Collective:
    """The unit's collective of this name (the unit itself or a part of it), else a new one."""
    folded = fold(name)
    found = s.scalar(
        select(Collective)
        .where(
            Collective.unit_id == unit_id,
            Collective.search_name == folded,
            Collective.merged_into_id.is_(None),
        )
        .order_by(Collective.id)
        .limit(1)
    )
    if found is not None:
        return found
    unit = s.get(Unit, unit_id)
    c = Collective(
        unit_id=unit_id,
        kind=collective_kind(unit.name if unit else "", name),
        name=name,
        search_name=folded,
        created_by=created_by,
    )
    s.add(c)
    s.flush()
    return c


# --------------------------------------------------------------- decisions of ours


def record_decision(s: Session, decision_id: int, round_id: int, issuer: str) -> int:
    """Every awarded record of the decision as a registry record (idempotent: a record
    already there is skipped). A nominee not yet linked to a person or collective gets
    one, made from its name, unit and details, and is linked. Returns how many written.

    Hundreds of rows: read as columns, the missing people and collectives found and made
    in bulk (one query, one multi-row INSERT … RETURNING), the links in one executemany,
    the records in one insert — not an object and a flush per nominee."""
    rows = s.execute(
        select(
            AwardRecord.id,
            AwardRecord.award,
            AwardRecord.year,
            AwardRecord.decision_number,
            AwardRecord.decision_date,
            Nominee.id,
            Nominee.kind,
            Nominee.name,
            Nominee.person_id,
            Nominee.collective_id,
            Nominee.birth_date,
            Nominee.gender,
            Nominee.ethnicity,
            Dossier.unit_id,
        )
        .join(Nominee, Nominee.id == AwardRecord.nominee_id)
        .join(Dossier, Dossier.id == AwardRecord.dossier_id)
        .where(AwardRecord.decision_id == decision_id, AwardRecord.awarded)
        .order_by(AwardRecord.position_no)
    ).all()
    if not rows:
        return 0
    done = set(
        s.scalars(
            select(RegistryAward.award_record_id)
            .join(AwardRecord, AwardRecord.id == RegistryAward.award_record_id)
            .where(AwardRecord.decision_id == decision_id)
        )
    )
    rows = [r for r in rows if r[0] not in done]
    if not rows:
        return 0
    kind = s.scalar(select(AwardRound.kind).where(AwardRound.id == round_id))
    occasion = ROUND_OCCASIONS.get(RoundKind(kind), Occasion.YEARLY) if kind else Occasion.YEARLY
    now = utcnow()
    links: dict[int, dict[str, object]] = {}
    # People: a nominee of ours has no identity number to find one by — a new record each.
    unlinked = [r for r in rows if r[6] != NomineeKind.COLLECTIVE and r[8] is None]
    if unlinked:
        people = [
            {
                "full_name": r[7],
                "search_name": fold(r[7]),
                "unit_id": r[13],
                "birth_date": r[10],
                "gender": r[11],
                "ethnicity": r[12],
                "created_at": now,
                "updated_at": now,
            }
            for r in unlinked
        ]
        ids = bulk.insert_returning_ids(s, Person, people)
        for r, made_id in zip(unlinked, ids, strict=True):
            links[r[5]] = {"id": r[5], "person_id": made_id}
    # Collectives: the unit's collective of that name (the oldest not merged), else new.
    teams = [r for r in rows if r[6] == NomineeKind.COLLECTIVE and r[9] is None]
    if teams:
        groups = sorted({(r[13], fold(r[7])) for r in teams})
        found: dict[tuple[int, str], int] = {}
        for part in _chunks(groups, 400):
            for cid, unit_id, folded in s.execute(
                select(Collective.id, Collective.unit_id, Collective.search_name)
                .where(
                    tuple_(Collective.unit_id, Collective.search_name).in_(part),
                    Collective.merged_into_id.is_(None),
                )
                .order_by(Collective.id.desc())
            ):
                found[(unit_id, folded)] = cid
        missing = [g for g in groups if g not in found]
        if missing:
            names = {(r[13], fold(r[7])): r[7] for r in teams}
            unit_names: dict[int, str] = {
                i: n
                for i, n in s.execute(
                    select(Unit.id, Unit.name).where(Unit.id.in_(sorted({u for u, _ in missing})))
                )
            }
            teams_made = [
                {
                    "unit_id": u,
                    "kind": collective_kind(unit_names.get(u, ""), names[(u, f)]),
                    "name": names[(u, f)],
                    "search_name": f,
                    "created_at": now,
                }
                for u, f in missing
            ]
            made = bulk.insert_returning_ids(s, Collective, teams_made)
            found.update(zip(missing, made, strict=True))
        for r in teams:
            links[r[5]] = {"id": r[5], "collective_id": found[(r[13], fold(r[7]))]}
    for column in ("person_id", "collective_id"):
        pairs = [(x["id"], x[column]) for x in links.values() if column in x]
        if bulk.set_column(s, Nominee.__tablename__, column, pairs):
            continue  # PostgreSQL: one UPDATE from two arrays
        for some in _chunks(pairs, 400):  # one UPDATE … CASE per 400 nominees
            s.execute(
                update(Nominee)
                .where(Nominee.id.in_([i for i, _ in some]))
                .values({column: case({i: v for i, v in some}, value=Nominee.id)})
                .execution_options(synchronize_session=False)
            )
    out: list[dict[str, object]] = []
    for (
        rec_id,
        award,
        year,
        number,
        decided_on,
        nominee_id,
        nkind,
        name,
        had_person,
        had_collective,
        *_,
        unit_id,
    ) in rows:
        link = links.get(nominee_id, {})
        assert number is not None and decided_on is not None
        team = nkind == NomineeKind.COLLECTIVE
        out.append(
            {
                "person_id": None if team else link.get("person_id", had_person),
                "collective_id": link.get("collective_id", had_collective) if team else None,
                "award": award,
                "year": year,
                "occasion": str(occasion),
                "decision_number": number,
                "decision_date": decided_on,
                "issuer": issuer,
                "source": str(Source.DECISION),
                "holder_name": name,
                "unit_id": unit_id,
                "search_text": search_text(name, award, number),
                "award_record_id": rec_id,
                "created_at": now,
            }
        )
    bulk.bulk_insert(s, RegistryAward.__tablename__, out)
    return len(out)


def apply_amendment(
    s: Session, amendment_id: int, changes: Iterable[tuple[int, str, str | None, str | None]]
) -> None:
    """What a correcting or revoking decision does to the registry: (award record id,
    "thu_hoi" | "dinh_chinh", field, new value) each. A revocation marks the record
    revoked; a corrected name is the record's name and search text from now on."""
    now = utcnow()
    for record_id, kind, field, value in changes:
        if kind == "thu_hoi":
            s.execute(
                update(RegistryAward)
                .where(RegistryAward.award_record_id == record_id)
                .values(revoked_at=now, revoked_by_amendment_id=amendment_id)
            )
        elif field == "name" and value:
            ra = s.scalar(select(RegistryAward).where(RegistryAward.award_record_id == record_id))
            if ra is not None:
                ra.holder_name = value
                ra.search_text = search_text(value, ra.award, ra.decision_number)


# --------------------------------------------------------------- search


@dataclass(frozen=True)
class SearchFilter:
    q: str | None = None
    unit_id: int | None = None
    award: str | None = None
    year: int | None = None
    decision_number: str | None = None


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


ORDER = (RegistryAward.year.desc(), RegistryAward.id.desc())
"""The search's order: newest year first."""
EXPORT_CHUNK = 1000
"""Rows an export reads at a time (a server-side cursor on PostgreSQL)."""


def conditions(scope: RegistryScope, f: SearchFilter) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [
        RegistryAward.search_text.like(f"%{_escape_like(w)}%", escape="\\")
        for w in query_words(f.q)
    ]
    if not scope.all_units:
        where.append(RegistryAward.unit_id.in_(sorted(scope.unit_ids)))
    if f.unit_id is not None:
        where.append(RegistryAward.unit_id == f.unit_id)
    if f.award:
        where.append(RegistryAward.award == f.award)
    if f.year is not None:
        where.append(RegistryAward.year == f.year)
    if f.decision_number:
        where.append(RegistryAward.decision_number == " ".join(f.decision_number.split()))
    return where


def search(
    s: Session, scope: RegistryScope, f: SearchFilter, page: int = 1
) -> tuple[list[tuple[RegistryAward, str | None]], int]:
    """One page of matching records, newest year first, with the unit's name; and how
    many match (counted up to COUNT_CAP + 1)."""
    where = conditions(scope, f)
    rows = s.execute(
        select(RegistryAward, Unit.name)
        .outerjoin(Unit, Unit.id == RegistryAward.unit_id)
        .where(*where)
        .order_by(*ORDER)
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    capped = select(RegistryAward.id).where(*where).limit(COUNT_CAP + 1).subquery()
    total = s.scalar(select(func.count()).select_from(capped)) or 0
    return [(r, name) for r, name in rows], total


def count_all(s: Session, scope: RegistryScope, f: SearchFilter) -> int:
    """How many records match (uncapped: what an export would write)."""
    return s.scalar(select(func.count(RegistryAward.id)).where(*conditions(scope, f))) or 0


def export_rows(s: Session, scope: RegistryScope, f: SearchFilter) -> Iterator[Sequence[Any]]:
    """Every record the search matches (`conditions`), in its order, read in chunks:
    holder's name, whether a person, the unit's name, award, year, occasion, decision
    number, date and issuer, source, revoked_at. No personal data (the search has none)."""
    q = (
        select(
            RegistryAward.holder_name,
            RegistryAward.person_id.is_not(None),
            Unit.name,
            RegistryAward.award,
            RegistryAward.year,
            RegistryAward.occasion,
            RegistryAward.decision_number,
            RegistryAward.decision_date,
            RegistryAward.issuer,
            RegistryAward.source,
            RegistryAward.revoked_at,
        )
        .outerjoin(Unit, Unit.id == RegistryAward.unit_id)
        .where(*conditions(scope, f))
        .order_by(*ORDER)
    )
    yield from s.execute(q.execution_options(yield_per=EXPORT_CHUNK))


# --------------------------------------------------------------- imports


def units_by_code(s: Session) -> dict[str, int]:
    return {code.upper(): i for i, code in s.execute(select(Unit.id, Unit.code))}


def existing_keys(s: Session, keys: Sequence[RowKey]) -> set[RowKey]:
    """Which of `keys` the registry already holds (revoked records too)."""
    found: set[RowKey] = set()
    people = sorted({k.holder for k in keys if k.holder_kind is NomineeKind.INDIVIDUAL})
    for part in _chunks(people):
        for ident, award, year, number in s.execute(
            select(
                Person.identity_no,
                RegistryAward.award,
                RegistryAward.year,
                RegistryAward.decision_number,
            )
            .join(RegistryAward, RegistryAward.person_id == Person.id)
            .where(Person.identity_no.in_(part))
        ):
            found.add(RowKey(NomineeKind.INDIVIDUAL, ident or "", award, year, number))
    groups = sorted({k.holder for k in keys if k.holder_kind is NomineeKind.COLLECTIVE})
    pairs = [(int(h.split("|", 1)[0]), h.split("|", 1)[1]) for h in groups]
    for some in _chunks(pairs, 400):
        for unit_id, folded, award, year, number in s.execute(
            select(
                Collective.unit_id,
                Collective.search_name,
                RegistryAward.award,
                RegistryAward.year,
                RegistryAward.decision_number,
            )
            .join(RegistryAward, RegistryAward.collective_id == Collective.id)
            .where(tuple_(Collective.unit_id, Collective.search_name).in_(some))
        ):
            found.add(RowKey(NomineeKind.COLLECTIVE, f"{unit_id}|{folded}", award, year, number))
    return {k for k in keys if k in found}


def _new_people_ids(s: Session, after_id: int) -> dict[str, int]:
    """The identity numbers of the people written after `after_id` (by this import)."""
    return {
        ident: i
        for i, ident in s.execute(select(Person.id, Person.identity_no).where(Person.id > after_id))
        if ident
    }


def _people_ids(s: Session, idents: Sequence[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for part in _chunks(idents):
        out.update(
            {
                ident: i
                for i, ident in s.execute(
                    select(Person.id, Person.identity_no).where(Person.identity_no.in_(part))
                )
                if ident
            }
        )
    return out


def _collective_ids(s: Session, pairs: Sequence[tuple[int, str]]) -> dict[tuple[int, str], int]:
    out: dict[tuple[int, str], int] = {}
    for part in _chunks(pairs, 400):
        for i, unit_id, folded in s.execute(
            select(Collective.id, Collective.unit_id, Collective.search_name)
            .where(tuple_(Collective.unit_id, Collective.search_name).in_(part))
            .order_by(Collective.id.desc())
        ):
            out[(unit_id, folded)] = i
    return out


def write_rows(
    s: Session,
    rows: Sequence[ImportRow],
    *,
    import_id: int,
    user_id: int,
    unit_names: dict[int, str],
) -> int:
    """Write clean rows (their people and collectives found or created), in batches."""
    now = utcnow()
    folded = {r.row_no: fold(r.name) for r in rows}
    individuals = [r for r in rows if r.holder_kind is NomineeKind.INDIVIDUAL]
    idents = sorted({r.identity_no for r in individuals if r.identity_no})
    people = _people_ids(s, idents)
    new_people: dict[str, dict[str, object]] = {}
    for r in individuals:
        if r.identity_no and r.identity_no not in people and r.identity_no not in new_people:
            new_people[r.identity_no] = {
                "full_name": r.name,
                "search_name": folded[r.row_no],
                "identity_no": r.identity_no,
                "birth_date": r.birth_date,
                "gender": r.gender,
                "unit_id": r.unit_id,
                "position": "",
                "version": 1,
                "created_by": user_id,
                "created_at": now,
                "updated_at": now,
            }
    if new_people:
        last = s.scalar(select(func.max(Person.id))) or 0
        bulk.bulk_insert(s, Person.__tablename__, list(new_people.values()))
        people.update(_new_people_ids(s, last))
    team_rows = [r for r in rows if r.holder_kind is NomineeKind.COLLECTIVE]
    groups = sorted({(r.unit_id, folded[r.row_no]) for r in team_rows})
    collectives = _collective_ids(s, groups)
    names = {(r.unit_id, folded[r.row_no]): r.name for r in team_rows}
    missing = [g for g in groups if g not in collectives]
    if missing:
        s.execute(
            insert(Collective),
            [
                {
                    "unit_id": u,
                    "kind": collective_kind(unit_names.get(u, ""), names[(u, f)]),
                    "name": names[(u, f)],
                    "search_name": f,
                    "created_by": user_id,
                    "created_at": now,
                }
                for u, f in missing
            ],
        )
        collectives.update(_collective_ids(s, missing))
    awards = [
        {
            "person_id": people[r.identity_no]
            if r.holder_kind is NomineeKind.INDIVIDUAL and r.identity_no
            else None,
            "collective_id": collectives[(r.unit_id, folded[r.row_no])]
            if r.holder_kind is NomineeKind.COLLECTIVE
            else None,
            "award": r.award,
            "year": r.year,
            "occasion": str(r.occasion),
            "decision_number": r.decision_number,
            "decision_date": r.decision_date,
            "issuer": r.issuer,
            "source": str(Source.IMPORT),
            "holder_name": r.name,
            "unit_id": r.unit_id,
            "search_text": search_text(
                r.name, r.award, r.decision_number, folded_name=folded[r.row_no]
            ),
            "import_id": import_id,
            "created_by": user_id,
            "created_at": now,
        }
        for r in rows
    ]
    bulk.bulk_insert(s, RegistryAward.__tablename__, awards)
    return len(awards)


def registry_import(
    s: Session, import_id: int, *, for_update: bool = False
) -> RegistryImport | None:
    q = select(RegistryImport).where(RegistryImport.id == import_id)
    if for_update:
        q = q.with_for_update()
    return s.scalar(q)


def add_problems(s: Session, rows: Sequence[dict[str, object]]) -> None:
    bulk.bulk_insert(s, RegistryImportProblem.__tablename__, rows)


def problems(
    s: Session, import_id: int, page: int, per_page: int
) -> Sequence[RegistryImportProblem]:
    return s.scalars(
        select(RegistryImportProblem)
        .where(RegistryImportProblem.import_id == import_id)
        .order_by(RegistryImportProblem.row_no, RegistryImportProblem.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()


def problem_counts(s: Session, import_id: int) -> tuple[int, int, int]:
    """(problems, rows with problems, rows that are duplicates against the registry)."""
    total = s.scalar(select(func.count()).where(RegistryImportProblem.import_id == import_id))
    dup = s.scalar(
        select(func.count(func.distinct(RegistryImportProblem.row_no))).where(
            RegistryImportProblem.import_id == import_id,
            RegistryImportProblem.code == "duplicate_in_registry",
        )
    )
    rows = s.scalar(
        select(func.count(func.distinct(RegistryImportProblem.row_no))).where(
            RegistryImportProblem.import_id == import_id
        )
    )
    return total or 0, rows or 0, dup or 0


def bad_rows(s: Session, import_id: int) -> set[int]:
    return set(
        s.scalars(
            select(RegistryImportProblem.row_no)
            .where(RegistryImportProblem.import_id == import_id)
            .distinct()
        )
    )


def set_progress(s: Session, import_id: int, **values: object) -> None:
    s.execute(update(RegistryImport).where(RegistryImport.id == import_id).values(**values))


def finished(s: Session, import_id: int, status: str, when: datetime | None = None) -> None:
    set_progress(s, import_id, status=status, finished_at=when or utcnow())


def holds(
    s: Session,
    person: Person | None,
    team: Collective | None,
    award: str,
    year: int,
    decision_number: str,
) -> bool:
    """Whether the registry already has this award of this holder (same year, decision)."""
    holder = (
        RegistryAward.person_id == person.id
        if person is not None
        else RegistryAward.collective_id == (team.id if team is not None else -1)
    )
    return (
        s.scalar(
            select(RegistryAward.id).where(
                holder,
                RegistryAward.award == award,
                RegistryAward.year == year,
                RegistryAward.decision_number == decision_number,
            )
        )
        is not None
    )
