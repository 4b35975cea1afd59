"""Queries of the cluster's reviews and of the facts their report is drafted from
(domain/cluster_reviews.py)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.roles import Role
from storage.models import (
    ClusterPlan,
    ClusterReview,
    Dossier,
    RegistryAward,
    RoleAssignment,
    User,
)


def reviews_of(s: Session, cluster_year_id: int) -> list[ClusterReview]:
    return list(
        s.scalars(
            select(ClusterReview)
            .where(ClusterReview.cluster_year_id == cluster_year_id)
            .order_by(ClusterReview.held_on, ClusterReview.id)
        )
    )


def review(
    s: Session, review_id: int, cluster_year_id: int | None, *, for_update: bool = False
) -> ClusterReview | None:
    """The review if it belongs to that year (None: the year has none recorded)."""
    if cluster_year_id is None:
        return None
    q = select(ClusterReview).where(
        ClusterReview.id == review_id, ClusterReview.cluster_year_id == cluster_year_id
    )
    if for_update:
        q = q.with_for_update()
    return s.scalar(q)


def review_of_period(s: Session, cluster_year_id: int, period: str) -> ClusterReview | None:
    return s.scalar(
        select(ClusterReview).where(
            ClusterReview.cluster_year_id == cluster_year_id, ClusterReview.period == period
        )
    )


def plan_of(s: Session, cluster_year_id: int | None) -> ClusterPlan | None:
    if cluster_year_id is None:
        return None
    return s.scalar(select(ClusterPlan).where(ClusterPlan.cluster_year_id == cluster_year_id))


def awards_between(
    s: Session, unit_ids: Collection[int], first: date, last: date
) -> list[RegistryAward]:
    """The awards the registry holds for people and collectives of these units, decided
    between `first` and `last` (revoked ones left out)."""
    if not unit_ids:
        return []
    return list(
        s.scalars(
            select(RegistryAward)
            .where(
                RegistryAward.unit_id.in_(list(unit_ids)),
                RegistryAward.decision_date >= first,
                RegistryAward.decision_date <= last,
                RegistryAward.revoked_at.is_(None),
            )
            .order_by(RegistryAward.decision_date, RegistryAward.id)
        )
    )


def dossier_counts(s: Session, unit_ids: Collection[int], year: int) -> dict[str, int]:
    """How many dossiers the units have for `year`, by status."""
    if not unit_ids:
        return {}
    rows = s.execute(
        select(Dossier.status, func.count(Dossier.id))
        .where(Dossier.unit_id.in_(list(unit_ids)), Dossier.year == year)
        .group_by(Dossier.status)
    ).all()
    return {str(status): int(n) for status, n in rows}


def board_people(s: Session, authority_id: int) -> list[User]:
    """The board's specialists and its head: whom a cluster's report is sent to."""
    return list(
        s.scalars(
            select(User)
            .join(RoleAssignment, RoleAssignment.user_id == User.id)
            .where(
                RoleAssignment.authority_id == authority_id,
                User.is_active.is_(True),
                RoleAssignment.role.in_([Role.BOARD_SPECIALIST, Role.BOARD_HEAD]),
            )
            .order_by(User.id)
            .distinct()
        )
    )
