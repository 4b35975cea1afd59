"""Queries of the cluster's covenant (domain/covenant.py)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.roles import Role
from storage.models import (
    ClusterCovenant,
    ClusterCriterion,
    ClusterPlan,
    CovenantCommitment,
    CovenantSignature,
    RoleAssignment,
    User,
)


def covenant_of(
    s: Session, cluster_year_id: int | None, *, for_update: bool = False
) -> ClusterCovenant | None:
    if cluster_year_id is None:
        return None
    q = select(ClusterCovenant).where(ClusterCovenant.cluster_year_id == cluster_year_id)
    if for_update:
        q = q.with_for_update()
    return s.scalar(q)


def ensure_covenant(s: Session, cluster_year_id: int) -> ClusterCovenant:
    row = covenant_of(s, cluster_year_id, for_update=True)
    if row is None:
        row = ClusterCovenant(cluster_year_id=cluster_year_id, status="draft")
        s.add(row)
        s.flush()
    return row


def commitments(s: Session, covenant_id: int | None) -> list[CovenantCommitment]:
    if covenant_id is None:
        return []
    return list(
        s.scalars(
            select(CovenantCommitment)
            .where(CovenantCommitment.covenant_id == covenant_id)
            .order_by(CovenantCommitment.unit_id, CovenantCommitment.position_no)
        )
    )


def signatures(s: Session, covenant_id: int | None) -> list[CovenantSignature]:
    if covenant_id is None:
        return []
    return list(
        s.scalars(
            select(CovenantSignature)
            .where(CovenantSignature.covenant_id == covenant_id)
            .order_by(CovenantSignature.signed_at, CovenantSignature.id)
        )
    )


def plan_of(s: Session, cluster_year_id: int | None) -> ClusterPlan | None:
    if cluster_year_id is None:
        return None
    return s.scalar(select(ClusterPlan).where(ClusterPlan.cluster_year_id == cluster_year_id))


def criteria_of(s: Session, plan: ClusterPlan | None) -> list[ClusterCriterion]:
    if plan is None:
        return []
    return list(
        s.scalars(
            select(ClusterCriterion)
            .where(ClusterCriterion.plan_id == plan.id)
            .order_by(ClusterCriterion.position_no)
        )
    )


def unit_head(s: Session, unit_id: int) -> User | None:
    """The unit's head (Thủ trưởng) who signs for it: the first active account holding
    the unit head's role there."""
    return s.scalar(
        select(User)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(
            RoleAssignment.role == Role.UNIT_HEAD,
            RoleAssignment.unit_id == unit_id,
            User.is_active.is_(True),
        )
        .order_by(User.id)
        .limit(1)
    )
