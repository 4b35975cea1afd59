"""Queries of people: accounts, and who holds a role for a dossier."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.policy import SubjectScope
from domain.roles import (
    Actor,
    Role,
    RoleGrant,
)
from storage import policy_sql
from storage.models import (
    RoleAssignment,
    User,
)


def user_by_username(s: Session, username: str) -> User | None:
    return s.scalar(select(User).where(User.username == username))


def user_by_id(s: Session, user_id: int) -> User | None:
    return s.get(User, user_id)


def all_users(s: Session) -> Sequence[User]:
    return s.scalars(select(User).order_by(User.username)).all()


def actor_of(user: User) -> Actor:
    return Actor(
        user_id=user.id,
        grants=tuple(
            RoleGrant(Role(g.role), g.unit_id, g.cluster_term_id, g.authority_id, g.agency_id)
            for g in user.grants
        ),
    )


def users_holding(s: Session, role: Role, scope: SubjectScope) -> list[User]:
    """Everyone who holds `role` over a subject with this scope (for routing)."""
    q = select(User).join(RoleAssignment).where(User.is_active, policy_sql.holding(role, scope))
    return list(s.scalars(q.distinct()))


def unit_accounts(s: Session, unit_id: int) -> Sequence[User]:
    """Active accounts holding any role at a unit: who an individual nominee may be."""
    return s.scalars(
        select(User)
        .join(RoleAssignment)
        .where(RoleAssignment.unit_id == unit_id, User.is_active)
        .distinct()
        .order_by(User.full_name, User.id)
    ).all()


def users_by_ids(s: Session, ids: set[int]) -> dict[int, User]:
    if not ids:
        return {}
    return {u.id: u for u in s.scalars(select(User).where(User.id.in_(ids)))}
