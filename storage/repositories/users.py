"""Queries of people: accounts, and who holds a role for a dossier."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import literal, or_, select, union
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


def holders(
    s: Session, roles: Iterable[Role], scopes: Mapping[int, SubjectScope]
) -> dict[int, set[int]]:
    """`users_holding` for many subjects at once: per key of `scopes`, the ids of the
    active users holding any of `roles` over it. One query per 200 subjects (a UNION of
    the same conditions, each branch tagged with its key)."""
    roles = list(roles)
    found: dict[int, set[int]] = {key: set() for key in scopes}
    branches = [
        select(literal(key).label("key"), User.id)
        .select_from(User)
        .join(RoleAssignment)
        .where(User.is_active, or_(*(policy_sql.holding(r, scope) for r in roles)))
        for key, scope in scopes.items()
    ]
    for i in range(0, len(branches), 200):  # SQLite allows 500 terms in a compound SELECT
        chunk = branches[i : i + 200]
        for key, user_id in s.execute(union(*chunk) if len(chunk) > 1 else chunk[0]):
            found[key].add(user_id)
    return found


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
