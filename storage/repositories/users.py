"""Queries of people: accounts, and who holds a role for a dossier."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import false, or_, select
from sqlalchemy.orm import Session

from domain.roles import (
    UNIT_ROLES,
    Actor,
    DossierScope,
    Role,
    RoleGrant,
)
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
            RoleGrant(Role(g.role), g.unit_id, g.cluster_term_id, g.authority_id)
            for g in user.grants
        ),
    )


def users_holding(s: Session, role: Role, scope: DossierScope) -> list[User]:
    """Everyone who holds `role` over a dossier with this scope (for routing)."""
    q = select(User).join(RoleAssignment).where(RoleAssignment.role == role, User.is_active)
    if role in UNIT_ROLES or role == Role.UNIT_MEMBER:
        q = q.where(RoleAssignment.unit_id == scope.unit_id)
    elif role == Role.CLUSTER_APPROVER:
        q = q.where(
            or_(
                RoleAssignment.cluster_term_id == scope.cluster_term_id,
                RoleAssignment.unit_id.in_(scope.cluster_leader_unit_ids),
            )
            if scope.cluster_term_id is not None
            else false()
        )
    else:
        q = q.where(RoleAssignment.authority_id == scope.authority_id)
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
