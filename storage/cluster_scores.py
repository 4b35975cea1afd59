"""Queries of a cluster's registrations and score sheets (domain/cluster_scores.py)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import (
    ClusterPlan,
    ClusterRegistration,
    ClusterScoreAttachment,
    ClusterScoreSheet,
    Person,
)

ISSUED = "issued"


def issued_plan(s: Session, cluster_year_id: int | None) -> ClusterPlan | None:
    """The year's plan once issued (its criteria and its calendar bind the members)."""
    if cluster_year_id is None:
        return None
    return s.scalar(
        select(ClusterPlan).where(
            ClusterPlan.cluster_year_id == cluster_year_id, ClusterPlan.status == ISSUED
        )
    )


def registrations(s: Session, cluster_year_id: int | None) -> list[ClusterRegistration]:
    if cluster_year_id is None:
        return []
    return list(
        s.scalars(
            select(ClusterRegistration)
            .where(ClusterRegistration.cluster_year_id == cluster_year_id)
            .order_by(ClusterRegistration.unit_id)
        )
    )


def registration(
    s: Session, cluster_year_id: int, unit_id: int, *, for_update: bool = False
) -> ClusterRegistration | None:
    q = select(ClusterRegistration).where(
        ClusterRegistration.cluster_year_id == cluster_year_id,
        ClusterRegistration.unit_id == unit_id,
    )
    return s.scalar(q.with_for_update() if for_update else q)


def sheets(s: Session, cluster_year_id: int | None, period: str) -> list[ClusterScoreSheet]:
    if cluster_year_id is None:
        return []
    return list(
        s.scalars(
            select(ClusterScoreSheet)
            .where(
                ClusterScoreSheet.cluster_year_id == cluster_year_id,
                ClusterScoreSheet.period == period,
            )
            .order_by(ClusterScoreSheet.unit_id)
        )
    )


def sheet(
    s: Session, cluster_year_id: int, unit_id: int, period: str, *, for_update: bool = False
) -> ClusterScoreSheet | None:
    q = select(ClusterScoreSheet).where(
        ClusterScoreSheet.cluster_year_id == cluster_year_id,
        ClusterScoreSheet.unit_id == unit_id,
        ClusterScoreSheet.period == period,
    )
    return s.scalar(q.with_for_update() if for_update else q)


def attachment(s: Session, attachment_id: int) -> ClusterScoreAttachment | None:
    return s.get(ClusterScoreAttachment, attachment_id)


def people_of_unit(s: Session, unit_id: int, limit: int = 500) -> list[Person]:
    """The people the unit's records hold (not merged away), by name."""
    return list(
        s.scalars(
            select(Person)
            .where(Person.unit_id == unit_id, Person.merged_into_id.is_(None))
            .order_by(Person.full_name, Person.id)
            .limit(limit)
        )
    )
