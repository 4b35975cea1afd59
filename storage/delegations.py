"""Queries of delegations (domain/delegation.py): the grants a person holds today for
someone else, the delegations a person gave or received, and which delegation a signer
acted under. Read per request, never cached: a revoked or expired delegation stops at
the next request."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from domain.delegation import DELEGATED, DelegationKind, same_place
from domain.delegation import Delegation as DelegationRule
from domain.policy import SubjectScope
from domain.roles import Actor, Role, RoleGrant
from storage.models import Delegation
from storage.repositories import users as users_repo


def rule_of(row: Delegation) -> DelegationRule:
    return DelegationRule(
        id=row.id,
        delegator_id=row.delegator_id,
        delegate_id=row.delegate_id,
        grant=grant_of(row),
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        kind=DelegationKind(row.kind),
        revoked=row.revoked_at is not None,
    )


def grant_of(row: Delegation) -> RoleGrant:
    return RoleGrant(
        Role(row.role), row.unit_id, row.cluster_term_id, row.authority_id, row.agency_id
    )


def in_force_for(s: Session, delegate_id: int, today: date) -> Sequence[Delegation]:
    """The delegations `delegate_id` holds today (whose delegator is still active)."""
    return s.scalars(
        select(Delegation)
        .where(
            Delegation.delegate_id == delegate_id,
            Delegation.revoked_at.is_(None),
            Delegation.valid_from <= today,
            Delegation.valid_to >= today,
        )
        .order_by(Delegation.id)
    ).all()


def with_delegated(s: Session, actor: Actor, today: date) -> Actor:
    """The actor with the grants they hold today through delegations."""
    # Only while the delegator is active and still holds the grant: a delegation cannot
    # outlive the role it passes on.
    rows = [
        r
        for r in in_force_for(s, actor.user_id, today)
        if r.delegator.is_active
        and any(
            g.role == r.role and same_place(g, grant_of(r))
            for g in users_repo.actor_of(r.delegator).grants
        )
    ]
    if not rows:
        return actor
    extra = tuple(rule_of(r).delegated_grant() for r in rows)
    return Actor(actor.user_id, actor.grants + extra)


def ended_for(
    s: Session, delegate_id: int, roles: Iterable[Role], today: date
) -> Delegation | None:
    """The latest delegation of one of `roles` to `delegate_id` that has ended (expired
    or revoked) and is not in force again through another: to tell the delegate why they
    may no longer act."""
    rows = s.scalars(
        select(Delegation)
        .where(
            Delegation.delegate_id == delegate_id,
            Delegation.role.in_([str(r) for r in roles]),
            Delegation.valid_from <= today,
            or_(Delegation.revoked_at.is_not(None), Delegation.valid_to < today),
        )
        .order_by(Delegation.valid_to.desc(), Delegation.id.desc())
        .limit(1)
    ).all()
    return rows[0] if rows else None


def delegation(s: Session, delegation_id: int, *, for_update: bool = False) -> Delegation | None:
    q = select(Delegation).where(Delegation.id == delegation_id)
    return s.scalar(q.with_for_update() if for_update else q)


def of_person(s: Session, user_id: int) -> Sequence[Delegation]:
    """Delegations a person gave or received, the newest first."""
    return s.scalars(
        select(Delegation)
        .where(or_(Delegation.delegator_id == user_id, Delegation.delegate_id == user_id))
        .order_by(Delegation.valid_from.desc(), Delegation.id.desc())
    ).all()


def all_delegations(s: Session, limit: int = 500) -> Sequence[Delegation]:
    return s.scalars(
        select(Delegation).order_by(Delegation.valid_from.desc(), Delegation.id.desc()).limit(limit)
    ).all()


def of_role(s: Session, delegator_id: int, role: Role) -> list[DelegationRule]:
    """The delegator's delegations of `role` not revoked (to check overlaps against)."""
    rows = s.scalars(
        select(Delegation)
        .where(
            Delegation.delegator_id == delegator_id,
            Delegation.role == role,
            Delegation.revoked_at.is_(None),
        )
        .with_for_update()
    ).all()
    return [rule_of(r) for r in rows]


def acting_under(s: Session, actor: Actor, role: Role, scope: SubjectScope) -> Delegation | None:
    """The delegation under which the actor holds `role` over the subject, when they do
    not hold it themselves; None when they act in their own right."""
    if actor.own().holds(role, scope):
        return None
    for g in actor.grants:
        if (
            g.delegation_id is not None
            and g.role == role
            and Actor(actor.user_id, (g,)).holds(role, scope)
        ):
            return s.get(Delegation, g.delegation_id)
    return None


def on_behalf_text(row: Delegation) -> str:
    """Whom a delegate acted for, as the history prints it."""
    who = row.delegator
    position = f", {who.position}" if who.position else ""
    return f"{DELEGATED} {who.full_name}{position} ({row.kind}., số {row.id})"


def on_behalf(
    s: Session, actor: Actor, role: Role, scope: SubjectScope, otherwise: str | None
) -> str | None:
    """An audit event's `on_behalf_of` for an act in `role`: the delegator when the actor
    holds the role only through a delegation, else `otherwise`."""
    under = acting_under(s, actor, role, scope)
    return on_behalf_text(under) if under is not None else otherwise
