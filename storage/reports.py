"""The statistics reports' queries: the registry's awards of a year grouped by award,
holder kind and occasion (one query whatever the form: the cells are counted from these
groups by domain/report_forms.py), and what the board entered for a report. Runs inside
the caller's transaction; commits nothing."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from domain.awards import NomineeKind
from domain.report_forms import FactKey
from storage.clusters import members_on
from storage.models import RegistryAward, ReportEntry, Unit


def grouped_counts(
    s: Session,
    *,
    authority_id: int,
    year: int,
    awards: Collection[str],
    unit_ids: Collection[int] | None = None,
) -> dict[FactKey, int]:
    """Records in force (not revoked) of `year` with one of `awards`, held in a unit of
    the authority (or of `unit_ids`), counted per (award, holder kind, occasion)."""
    if not awards:
        return {}
    holder = case((RegistryAward.person_id.is_(None), "collective"), else_="individual")
    q = (
        select(RegistryAward.award, holder, RegistryAward.occasion, func.count())
        .join(Unit, Unit.id == RegistryAward.unit_id)
        .where(
            RegistryAward.year == year,
            RegistryAward.award.in_(sorted(awards)),
            RegistryAward.revoked_at.is_(None),
            Unit.authority_id == authority_id,
        )
        .group_by(RegistryAward.award, holder, RegistryAward.occasion)
    )
    if unit_ids is not None:
        q = q.where(RegistryAward.unit_id.in_(sorted(unit_ids)))
    return {
        FactKey(award, NomineeKind(kind), occasion): n for award, kind, occasion, n in s.execute(q)
    }


def cluster_unit_ids(s: Session, cluster_id: int, year: int) -> list[int]:
    """The cluster's members at the end of the year (memberships are dated)."""
    return [u.id for u in members_on(s, cluster_id, date(year, 12, 31))]


def entry(s: Session, authority_id: int, form: str, year: int, scope: str) -> ReportEntry | None:
    return s.scalar(
        select(ReportEntry).where(
            ReportEntry.authority_id == authority_id,
            ReportEntry.form == form,
            ReportEntry.year == year,
            ReportEntry.scope == scope,
        )
    )


def entries_of_year(s: Session, authority_id: int, year: int) -> list[ReportEntry]:
    return list(
        s.scalars(
            select(ReportEntry).where(
                ReportEntry.authority_id == authority_id, ReportEntry.year == year
            )
        )
    )
