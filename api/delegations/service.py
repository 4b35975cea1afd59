"""Recording and revoking delegations (domain/delegation.py), in the caller's one
transaction, each with its audit event. A role holder delegates their own role; an admin
records an absence (the absent person's role) and its substitute."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from api.accounts.service import find_user, role_titles
from api.deps import Caller
from documents.vn import today_vn
from domain import delegation as rules
from domain.errors import NotFound
from domain.roles import Role, RoleGrant
from storage import audit
from storage import delegations as store
from storage.models import Delegation, User
from storage.repositories import users as users_repo


def is_admin(caller: Caller) -> bool:
    return Role.ADMIN in caller.actor.own().roles()


def require_admin(caller: Caller) -> None:
    if not is_admin(caller):
        raise rules.DelegationForbidden(
            "Chỉ quản trị hệ thống ghi nhận việc vắng mặt và người thay.", code="admin_only"
        )


def _grant(delegator: User, role: Role, place: dict[str, int | None]) -> RoleGrant:
    """The delegator's own grant of `role` (where it is held: the place given, or the
    only place they hold it)."""
    own = [g for g in users_repo.actor_of(delegator).grants if g.role == role]
    given = {k: v for k, v in place.items() if v is not None}
    matching = [g for g in own if all(getattr(g, k) == v for k, v in given.items())]
    if len(matching) != 1:
        raise rules.DelegationForbidden(
            "Người ủy quyền không giữ vai trò này ở nơi đã chọn"
            + (" (giữ ở nhiều nơi: hãy chọn nơi)." if len(matching) > 1 else "."),
            code="grant_not_held" if not matching else "grant_ambiguous",
        )
    return matching[0]


def create(
    s: Session,
    caller: Caller,
    *,
    delegator_username: str | None,
    delegate_username: str,
    role: Role,
    place: dict[str, int | None],
    valid_from: date | None,
    valid_to: date,
    kind: rules.DelegationKind,
    reason: str,
) -> Delegation:
    delegator = caller.user
    if delegator_username and delegator_username != caller.user.username:
        if not is_admin(caller):
            raise rules.DelegationForbidden(
                "Chỉ quản trị hệ thống ghi nhận việc vắng mặt và người thay của người khác.",
                code="admin_only",
            )
        delegator = find_user(s, delegator_username)
    delegate = find_user(s, delegate_username)
    today = today_vn()
    start = valid_from or today
    grant = _grant(delegator, role, place)
    rules.check_new(
        delegator_id=delegator.id,
        delegator_grants=users_repo.actor_of(delegator).grants,
        grant=grant,
        delegate_id=delegate.id,
        delegate_active=delegate.is_active,
        delegate_grants=users_repo.actor_of(delegate).grants,
        valid_from=start,
        valid_to=valid_to,
        today=today,
        overlapping=store.of_role(s, delegator.id, role),
    )
    row = Delegation(
        delegator_id=delegator.id,
        delegate_id=delegate.id,
        role=role,
        unit_id=grant.unit_id,
        cluster_term_id=grant.cluster_term_id,
        authority_id=grant.authority_id,
        agency_id=grant.agency_id,
        valid_from=start,
        valid_to=valid_to,
        kind=kind,
        reason=reason.strip(),
        created_by=caller.user.id,
    )
    s.add(row)
    s.flush()
    audit.append(
        s,
        kind="delegation_created",
        who=_who(caller),
        reason=row.reason or None,
        data=_data(s, row),
    )
    return row


def revoke(s: Session, caller: Caller, delegation_id: int) -> Delegation:
    row = store.delegation(s, delegation_id, for_update=True)
    if row is None or not (
        is_admin(caller) or caller.user.id in (row.delegator_id, row.delegate_id)
    ):
        raise NotFound("Không có việc ủy quyền này.", code="delegation_not_found")
    rules.check_revoke(
        store.rule_of(row), by_id=caller.user.id, by_admin=is_admin(caller), today=today_vn()
    )
    row.revoked_at, row.revoked_by = datetime.now(UTC), caller.user.id
    s.flush()
    audit.append(s, kind="delegation_revoked", who=_who(caller), data=_data(s, row))
    return row


def visible(s: Session, caller: Caller, *, everyone: bool) -> list[Delegation]:
    if everyone and is_admin(caller):
        return list(store.all_delegations(s))
    return list(store.of_person(s, caller.user.id))


def place_title(s: Session, row: Delegation) -> str:
    return role_titles(s, [store.grant_of(row)], row.valid_from.year)[0]


def _who(caller: Caller) -> audit.Who:
    role = Role.ADMIN if is_admin(caller) else ""
    return audit.Who(caller.user.id, caller.user.full_name, role, "")


def _data(s: Session, row: Delegation) -> dict[str, object]:
    return {
        "delegation_id": row.id,
        "delegator": row.delegator.username,
        "delegator_name": row.delegator.full_name,
        "delegate": row.delegate.username,
        "delegate_name": row.delegate.full_name,
        "role": row.role,
        "place": place_title(s, row),
        "valid_from": row.valid_from.isoformat(),
        "valid_to": row.valid_to.isoformat(),
        "kind": row.kind,
    }
