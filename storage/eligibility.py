"""The facts domain/eligibility.py judges, for every nominee of a dossier at once: the
holdings of the linked people and collectives, their restrictions, the nominees'
initiatives, other live proposals of the same holder, award and year, and other
nominees resting on the same initiative — a fixed number of queries, whatever the number
of nominees. Also the eligibility notes (explanations, overrides)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date
from types import MappingProxyType

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from domain import eligibility as rules
from domain.awards import NomineeKind
from domain.process import Status
from storage.audit import VIETNAM
from storage.models import (
    AwardRecord,
    Dossier,
    DossierTransition,
    EligibilityNote,
    HolderRestriction,
    Nominee,
    NomineeInitiative,
    RegistryAward,
)

NOT_LIVE = (Status.DRAFT, Status.REJECTED)
"""Dossiers that propose nobody (not yet submitted, or refused)."""


def _holder(n: Nominee) -> tuple[str, int] | None:
    if n.kind == NomineeKind.INDIVIDUAL and n.person_id is not None:
        return ("p", n.person_id)
    if n.kind == NomineeKind.COLLECTIVE and n.collective_id is not None:
        return ("c", n.collective_id)
    return None


def _counts(data: object) -> rules.CollectiveCounts | None:
    if not isinstance(data, dict):
        return None
    try:
        return rules.CollectiveCounts(
            members=int(data["members"]),
            completed_duties=int(data["completed_duties"]),
            lao_dong_tien_tien=int(data["lao_dong_tien_tien"]),
            chien_si_thi_dua_co_so=int(data["chien_si_thi_dua_co_so"]),
            disciplined_canh_cao_or_above=int(data["disciplined_canh_cao_or_above"]),
        )
    except (KeyError, TypeError, ValueError):
        return None


def _linked(d: Dossier, kind: NomineeKind) -> Select[int | None]:
    """The people (or collectives) the dossier's nominees are linked to, as a subquery
    (one bind parameter, however many nominees)."""
    inner = aliased(Nominee)
    column = inner.person_id if kind is NomineeKind.INDIVIDUAL else inner.collective_id
    return select(column).where(
        inner.dossier_id == d.id, inner.kind == str(kind), column.is_not(None)
    )


def facts_of(s: Session, d: Dossier) -> dict[int, rules.NomineeFacts]:
    """Per nominee id, what the rules judge (at most seven queries for the whole dossier,
    each selecting by the dossier, not by a list of ids)."""
    nominees = list(d.nominees)
    holders = {n.id: _holder(n) for n in nominees}
    has_people = any(h and h[0] == "p" for h in holders.values())
    has_collectives = any(h and h[0] == "c" for h in holders.values())
    people = _linked(d, NomineeKind.INDIVIDUAL)
    collectives = _linked(d, NomineeKind.COLLECTIVE)

    holdings: dict[tuple[str, int], list[rules.Holding]] = defaultdict(list)
    restrictions: dict[tuple[str, int], list[rules.Restriction]] = defaultdict(list)
    own_records = select(AwardRecord.id).where(AwardRecord.dossier_id == d.id)
    for column, tag, ids, wanted in (
        (RegistryAward.person_id, "p", people, has_people),
        (RegistryAward.collective_id, "c", collectives, has_collectives),
    ):
        if wanted:
            q = select(
                column,
                RegistryAward.award,
                RegistryAward.year,
                RegistryAward.occasion,
                RegistryAward.revoked_at,
            ).where(
                column.in_(ids),
                # The dossier's own award (once decided) is no earlier award.
                or_(
                    RegistryAward.award_record_id.is_(None),
                    RegistryAward.award_record_id.not_in(own_records),
                ),
            )
            for holder_id, award, year, occasion, revoked_at in s.execute(q):
                assert holder_id is not None
                holdings[(tag, holder_id)].append(
                    rules.Holding(award, year, occasion, revoked_at is not None)
                )
    for column_r, tag, ids, wanted in (
        (HolderRestriction.person_id, "p", people, has_people),
        (HolderRestriction.collective_id, "c", collectives, has_collectives),
    ):
        if wanted:
            q2 = select(
                column_r,
                HolderRestriction.kind,
                HolderRestriction.starts_on,
                HolderRestriction.ends_on,
                HolderRestriction.level,
            ).where(column_r.in_(ids))
            for holder_id, kind, starts, ends, level in s.execute(q2):
                assert holder_id is not None
                restrictions[(tag, holder_id)].append(rules.Restriction(kind, starts, ends, level))

    initiatives = initiatives_of(s, d)
    same = _same_proposals(s, d, people, collectives) if has_people or has_collectives else {}
    reuse = _initiative_reuse(s, d, initiatives)

    out = {}
    for n in nominees:
        h = holders[n.id]
        mine = initiatives.get(n.id, [])
        out[n.id] = rules.NomineeFacts(
            holder=NomineeKind(n.kind),
            award=d.award,
            year=d.year,
            linked=h is not None,
            holdings=tuple(holdings.get(h, ())) if h else (),
            restrictions=tuple(restrictions.get(h, ())) if h else (),
            initiatives=tuple(
                rules.Initiative(
                    i.title, i.scope, i.applied, i.document_id is not None, i.title_key
                )
                for i in mine
            ),
            counts=_counts(n.collective_counts) if n.kind == NomineeKind.COLLECTIVE else None,
            same_proposals=tuple(same.get(h, ())) if h else (),
            initiative_reuse=MappingProxyType(
                {i.title_key: tuple(reuse.get(i.title_key, ())) for i in mine}
            ),
        )
    return out


def initiatives_of(s: Session, d: Dossier) -> dict[int, list[NomineeInitiative]]:
    """The initiatives of the dossier's nominees, by nominee id."""
    found: dict[int, list[NomineeInitiative]] = defaultdict(list)
    for i in s.scalars(
        select(NomineeInitiative)
        .join(Nominee, Nominee.id == NomineeInitiative.nominee_id)
        .where(Nominee.dossier_id == d.id)
        .order_by(NomineeInitiative.id)
    ):
        found[i.nominee_id].append(i)
    return found


def _live(d: Dossier) -> list[ColumnElement[bool]]:
    return [Dossier.id != d.id, Dossier.status.not_in([str(x) for x in NOT_LIVE])]


def _same_proposals(
    s: Session,
    d: Dossier,
    people: Select[int | None],
    collectives: Select[int | None],
) -> dict[tuple[str, int], list[rules.OtherProposal]]:
    """Other live dossiers proposing the same person or collective for the same award and
    year."""
    found: dict[tuple[str, int], list[rules.OtherProposal]] = defaultdict(list)
    holder = [
        and_(Nominee.kind == str(NomineeKind.INDIVIDUAL), Nominee.person_id.in_(people)),
        and_(Nominee.kind == str(NomineeKind.COLLECTIVE), Nominee.collective_id.in_(collectives)),
    ]
    q = (
        select(Nominee.person_id, Nominee.collective_id, Dossier.id, Dossier.title)
        .join(Dossier, Dossier.id == Nominee.dossier_id)
        .where(Dossier.award == d.award, Dossier.year == d.year, *_live(d), or_(*holder))
        .order_by(Dossier.id)
    )
    for person_id, collective_id, dossier_id, title in s.execute(q):
        key = ("p", person_id) if person_id is not None else ("c", int(collective_id or 0))
        found[key].append(rules.OtherProposal(dossier_id, title))
    return found


def _initiative_reuse(
    s: Session, d: Dossier, initiatives: dict[int, list[NomineeInitiative]]
) -> dict[str, list[rules.OtherProposal]]:
    """Per title_key of the dossier's initiatives: other live dossiers resting on it (and
    another nominee of this same dossier)."""
    found: dict[str, list[rules.OtherProposal]] = defaultdict(list)
    if not any(initiatives.values()):
        return found
    inner, inner_nominee = aliased(NomineeInitiative), aliased(Nominee)
    keys = (
        select(inner.title_key)
        .join(inner_nominee, inner_nominee.id == inner.nominee_id)
        .where(inner_nominee.dossier_id == d.id)
    )
    q = (
        select(NomineeInitiative.title_key, Dossier.id, Dossier.title)
        .join(Nominee, Nominee.id == NomineeInitiative.nominee_id)
        .join(Dossier, Dossier.id == Nominee.dossier_id)
        .where(NomineeInitiative.title_key.in_(keys), *_live(d))
        .distinct()
        .order_by(Dossier.id)
    )
    for key, dossier_id, title in s.execute(q):
        found[key].append(rules.OtherProposal(dossier_id, title))
    per_key: dict[str, int] = defaultdict(int)
    for items in initiatives.values():
        for k in {i.title_key for i in items}:
            per_key[k] += 1
    for k, count in per_key.items():
        if count > 1:  # two nominees of this dossier on one initiative
            found[k].append(rules.OtherProposal(d.id, d.title))
    return found


def dossier_date(s: Session, d: Dossier, today: date) -> date:
    """The dossier's date for the rules: the day it was last submitted (Vietnam time), or
    `today` while it has not been."""
    at = s.scalar(
        select(func.max(DossierTransition.created_at)).where(
            DossierTransition.dossier_id == d.id,
            DossierTransition.action == "submit",
        )
    )
    if at is None:
        return today
    aware = at if at.tzinfo else at.replace(tzinfo=UTC)
    return aware.astimezone(VIETNAM).date()


def notes_of(s: Session, d: Dossier) -> dict[int, list[EligibilityNote]]:
    """The explanations and overrides of the dossier's nominees, by nominee id, oldest
    first."""
    found: dict[int, list[EligibilityNote]] = defaultdict(list)
    for note in s.scalars(
        select(EligibilityNote)
        .join(Nominee, Nominee.id == EligibilityNote.nominee_id)
        .where(Nominee.dossier_id == d.id)
        .order_by(EligibilityNote.id)
    ):
        found[note.nominee_id].append(note)
    return found
