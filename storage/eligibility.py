"""The facts domain/eligibility.py judges, for every nominee of a dossier at once: the
holdings of the linked people and collectives, their restrictions, the nominees'
initiatives, other live proposals of the same holder, award and year, and other
nominees resting on the same initiative — a fixed number of queries, whatever the number
of nominees. Also the eligibility notes (explanations, overrides)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date
from types import MappingProxyType

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

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

_CHUNK = 5000


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for i in range(0, len(ids), _CHUNK):
        yield list(ids[i : i + _CHUNK])


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


def facts_of(s: Session, d: Dossier) -> dict[int, rules.NomineeFacts]:
    """Per nominee id, what the rules judge (six queries for the whole dossier)."""
    nominees = list(d.nominees)
    holders = {n.id: _holder(n) for n in nominees}
    people = sorted({h[1] for h in holders.values() if h and h[0] == "p"})
    collectives = sorted({h[1] for h in holders.values() if h and h[0] == "c"})

    holdings: dict[tuple[str, int], list[rules.Holding]] = defaultdict(list)
    restrictions: dict[tuple[str, int], list[rules.Restriction]] = defaultdict(list)
    own_records = select(AwardRecord.id).where(AwardRecord.dossier_id == d.id)
    for column, tag, ids in (
        (RegistryAward.person_id, "p", people),
        (RegistryAward.collective_id, "c", collectives),
    ):
        for chunk in _chunks(ids):
            q = select(
                column,
                RegistryAward.award,
                RegistryAward.year,
                RegistryAward.occasion,
                RegistryAward.revoked_at,
            ).where(
                column.in_(chunk),
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
    for column_r, tag, ids in (
        (HolderRestriction.person_id, "p", people),
        (HolderRestriction.collective_id, "c", collectives),
    ):
        for chunk in _chunks(ids):
            q2 = select(
                column_r,
                HolderRestriction.kind,
                HolderRestriction.starts_on,
                HolderRestriction.ends_on,
                HolderRestriction.level,
            ).where(column_r.in_(chunk))
            for holder_id, kind, starts, ends, level in s.execute(q2):
                assert holder_id is not None
                restrictions[(tag, holder_id)].append(rules.Restriction(kind, starts, ends, level))

    initiatives = initiatives_of(s, [n.id for n in nominees])
    same = _same_proposals(s, d, people, collectives)
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


def initiatives_of(s: Session, nominee_ids: Sequence[int]) -> dict[int, list[NomineeInitiative]]:
    found: dict[int, list[NomineeInitiative]] = defaultdict(list)
    for chunk in _chunks(nominee_ids):
        for i in s.scalars(
            select(NomineeInitiative)
            .where(NomineeInitiative.nominee_id.in_(chunk))
            .order_by(NomineeInitiative.id)
        ):
            found[i.nominee_id].append(i)
    return found


def _live(d: Dossier) -> list[ColumnElement[bool]]:
    return [Dossier.id != d.id, Dossier.status.not_in([str(x) for x in NOT_LIVE])]


def _same_proposals(
    s: Session, d: Dossier, people: list[int], collectives: list[int]
) -> dict[tuple[str, int], list[rules.OtherProposal]]:
    """Other live dossiers proposing the same person or collective for the same award and
    year."""
    found: dict[tuple[str, int], list[rules.OtherProposal]] = defaultdict(list)
    if not people and not collectives:
        return found
    holder = []
    if people:
        holder.append(
            and_(Nominee.kind == str(NomineeKind.INDIVIDUAL), Nominee.person_id.in_(people))
        )
    if collectives:
        holder.append(
            and_(
                Nominee.kind == str(NomineeKind.COLLECTIVE), Nominee.collective_id.in_(collectives)
            )
        )
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
    keys = sorted({i.title_key for items in initiatives.values() for i in items})
    found: dict[str, list[rules.OtherProposal]] = defaultdict(list)
    if not keys:
        return found
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


def notes_of(s: Session, nominee_ids: Sequence[int]) -> dict[int, list[EligibilityNote]]:
    found: dict[int, list[EligibilityNote]] = defaultdict(list)
    for chunk in _chunks(nominee_ids):
        for note in s.scalars(
            select(EligibilityNote)
            .where(EligibilityNote.nominee_id.in_(chunk))
            .order_by(EligibilityNote.id)
        ):
            found[note.nominee_id].append(note)
    return found
