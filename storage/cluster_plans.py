"""Queries of the cluster's plan of the year and its scoring criteria (domain/
cluster_plan.py). Other parts of the cluster's year (scores, covenant, reviews) read the
criteria through `plan_of` and `criteria_of`."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from domain.cluster_plan import Criterion, PlanDraft, PlanStatus
from domain.roles import Role
from domain.subjects import Subject
from storage.models import (
    ClusterCriterion,
    ClusterPlan,
    ClusterYear,
    DossierTransition,
    RoleAssignment,
    User,
    of_subject,
)

PLAN_FORM = "ke_hoach_thi_dua_cum"


def plan_of(s: Session, cluster_year_id: int, *, for_update: bool = False) -> ClusterPlan | None:
    """The plan of one cluster year (None before anyone drafted it)."""
    q = select(ClusterPlan).where(ClusterPlan.cluster_year_id == cluster_year_id)
    if for_update:
        q = q.with_for_update()
    return s.scalar(q)


def criteria_of(
    s: Session, cluster_year_id: int, *, issued_only: bool = False
) -> list[ClusterCriterion]:
    """The plan's scoring criteria in the plan's order; with `issued_only`, none until the
    plan is issued (members score themselves by the issued plan only)."""
    plan = plan_of(s, cluster_year_id)
    if plan is None or (issued_only and plan.status != PlanStatus.ISSUED):
        return []
    return list(plan.criteria)


def plan_of_year(s: Session, cluster_id: int, year: int) -> ClusterPlan | None:
    return s.scalar(
        select(ClusterPlan)
        .join(ClusterYear, ClusterYear.id == ClusterPlan.cluster_year_id)
        .where(ClusterYear.cluster_id == cluster_id, ClusterYear.year == year)
    )


def as_draft(plan: ClusterPlan, year: int) -> PlanDraft:
    """A stored plan as the domain's draft (to check it, to copy it)."""
    return PlanDraft(
        year=year,
        goals=plan.goals,
        covenant_signing_on=plan.covenant_signing_on,
        registration_deadline=plan.registration_deadline,
        midyear_review_on=plan.midyear_review_on,
        yearend_review_on=plan.yearend_review_on,
        criteria=tuple(
            Criterion(c.group_name, c.code, c.title, c.max_points, c.mandatory, c.evidence)
            for c in plan.criteria
        ),
    )


def put_draft(plan: ClusterPlan, draft: PlanDraft) -> None:
    """Write a draft's content into the plan, its criteria replaced in the draft's order."""
    plan.goals = draft.goals
    plan.covenant_signing_on = draft.covenant_signing_on
    plan.registration_deadline = draft.registration_deadline
    plan.midyear_review_on = draft.midyear_review_on
    plan.yearend_review_on = draft.yearend_review_on
    plan.criteria = [
        ClusterCriterion(
            position_no=i,
            group_name=c.group_name,
            code=c.code,
            title=c.title,
            max_points=c.max_points,
            mandatory=c.mandatory,
            evidence=c.evidence,
        )
        for i, c in enumerate(draft.criteria, 1)
    ]


def next_seq(s: Session, subject: Subject) -> int:
    """The next transition number of a cluster year: its parts (plan, covenant, …) share
    the subject, so each step takes the number after the last one any part recorded."""
    last = s.scalar(
        select(func.max(DossierTransition.seq)).where(of_subject(DossierTransition, subject))
    )
    return (last or 0) + 1


def plan_recipients(s: Session, member_unit_ids: Iterable[int], authority_id: int) -> list[int]:
    """Who is told of an issued plan: every member unit's clerks and heads, and the
    board's specialists (active accounts, by id)."""
    units = list(member_unit_ids)
    q = (
        select(User.id)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(
            User.is_active.is_(True),
            or_(
                and_(
                    RoleAssignment.role.in_([Role.UNIT_CLERK.value, Role.UNIT_HEAD.value]),
                    RoleAssignment.unit_id.in_(units),
                ),
                and_(
                    RoleAssignment.role == Role.BOARD_SPECIALIST.value,
                    RoleAssignment.authority_id == authority_id,
                ),
            ),
        )
        .distinct()
    )
    return sorted(s.scalars(q))
