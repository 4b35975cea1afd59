"""Administration use cases shared by the JSON API and the web pages: people and where
they hold their roles, unlocking signing, and each year's cluster leadership (Trưởng cụm,
Phó trưởng cụm). Every change is an event of the audit chain. Runs inside the caller's
transaction and never commits."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from api.auth.security import check_new_password, hash_password
from documents.vn import today_vn
from domain.clusters import reference_day
from domain.decisions import UBND_CODE
from domain.errors import Forbidden, InvalidInput, NotFound
from domain.roles import AUTHORITY_ROLES, ROLE_LABELS, UNIT_ROLES, Actor, Role
from storage import audit
from storage import clusters as clusters_store
from storage.models import ClusterTerm, RoleAssignment, User
from storage.repositories import org as org_repo
from storage.repositories import users as users_repo

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
HELD_AT_UNIT = UNIT_ROLES | {Role.CLUSTER_APPROVER, Role.UNIT_MEMBER}
HELD_AT_AUTHORITY = AUTHORITY_ROLES | {Role.AUDITOR, Role.ADMIN, Role.DECISION_MAKER}


def require_admin(actor: Actor) -> None:
    if Role.ADMIN not in actor.roles():
        raise Forbidden("Chỉ quản trị hệ thống được làm việc này.", code="admin_only")


def _who(admin: User) -> audit.Who:
    return audit.Who(admin.id, admin.full_name, Role.ADMIN, "")


def _user(s: Session, username: str) -> User:
    user = users_repo.user_by_username(s, username)
    if user is None:
        raise NotFound("Không có tài khoản này.", code="user_not_found")
    return user


def unlock_signing(s: Session, admin: User, username: str) -> User:
    user = _user(s, username)
    user.signing_locked, user.pin_failures = False, 0
    audit.append(
        s,
        kind="signing_unlocked",
        who=_who(admin),
        data={"user_id": user.id, "username": user.username},
    )
    s.flush()
    return user


def create_user(
    s: Session, admin: User, *, username: str, full_name: str, position: str, password: str
) -> User:
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise InvalidInput(
            "Tên đăng nhập gồm 3–64 ký tự: chữ thường không dấu, số, dấu chấm, gạch.",
            code="invalid_username",
        )
    if users_repo.user_by_username(s, username) is not None:
        raise InvalidInput("Tên đăng nhập này đã có.", code="username_taken")
    if not full_name.strip():
        raise InvalidInput("Hãy nhập họ và tên.", code="full_name_required")
    check_new_password(password)
    # The admin chose it: a temporary password, changed by the person at first sign-in.
    user = User(
        username=username,
        full_name=full_name.strip(),
        position=position.strip(),
        password_hash=hash_password(password),
        must_change_password=True,
    )
    s.add(user)
    s.flush()
    audit.append(
        s,
        kind="user_created",
        who=_who(admin),
        data={"user_id": user.id, "username": username, "full_name": user.full_name},
    )
    return user


def update_user(
    s: Session, admin: User, username: str, *, full_name: str, position: str, is_active: bool
) -> User:
    user = _user(s, username)
    if not full_name.strip():
        raise InvalidInput("Hãy nhập họ và tên.", code="full_name_required")
    if user.id == admin.id and not is_active:
        raise InvalidInput("Không tự khóa tài khoản của chính mình.", code="cannot_lock_self")
    before = {"full_name": user.full_name, "position": user.position, "active": user.is_active}
    user.full_name, user.position, user.is_active = full_name.strip(), position.strip(), is_active
    after = {"full_name": user.full_name, "position": user.position, "active": user.is_active}
    if before != after:
        audit.append(
            s,
            kind="user_updated",
            who=_who(admin),
            data={"user_id": user.id, "username": user.username, "before": before, "after": after},
        )
    s.flush()
    return user


def grant_role(
    s: Session,
    admin: User,
    username: str,
    role: Role,
    *,
    unit_id: int | None = None,
    authority_id: int | None = None,
) -> RoleAssignment:
    """Give a role where it is held: a unit for the unit's clerk and head and for the
    leaders of a cluster (they act for it in the years their unit leads it), the
    authority for the board, auditors and admins."""
    user = _user(s, username)
    if role == Role.AGENCY_REVIEWER:
        # Held at an agency (hiệp y), which these pages cannot choose yet.
        raise InvalidInput(
            "Vai trò cán bộ cơ quan cho ý kiến hiệp y chưa giao được ở đây: cần chọn cơ quan.",
            code="agency_required",
        )
    if role in HELD_AT_UNIT:
        if unit_id is None or unit_id not in org_repo.units_by_ids(s, {unit_id}):
            raise InvalidInput(
                f"Vai trò «{ROLE_LABELS[role]}» cần chọn đơn vị.", code="unit_required"
            )
        authority_id = None
    else:
        if authority_id is None:
            # The UBND tỉnh is an authority of its own (its series and seal): its
            # leaders' role is held there, every other role at the Sở.
            ubnd = role == Role.DECISION_MAKER
            authorities = [a for a in org_repo.all_authorities(s) if (a.code == UBND_CODE) == ubnd]
            authority_id = authorities[0].id if len(authorities) == 1 else None
        if authority_id is None:
            raise InvalidInput("Hãy chọn cơ quan.", code="authority_required")
        unit_id = None
    if any(
        g.role == role and g.unit_id == unit_id and g.authority_id == authority_id
        for g in user.grants
    ):
        raise InvalidInput("Người này đã có vai trò đó ở nơi đó.", code="role_exists")
    grant = RoleAssignment(role=role, unit_id=unit_id, authority_id=authority_id)
    user.grants.append(grant)
    s.flush()
    audit.append(
        s,
        kind="role_granted",
        who=_who(admin),
        data={
            "user_id": user.id,
            "username": user.username,
            "role": str(role),
            "unit_id": unit_id,
            "authority_id": authority_id,
        },
    )
    return grant


def revoke_role(s: Session, admin: User, username: str, grant_id: int) -> None:
    user = _user(s, username)
    grant = next((g for g in user.grants if g.id == grant_id), None)
    if grant is None:
        raise NotFound("Không có vai trò này.", code="grant_not_found")
    if user.id == admin.id and grant.role == Role.ADMIN:
        raise InvalidInput(
            "Không tự bỏ vai trò quản trị của chính mình.", code="cannot_revoke_own_admin"
        )
    data = {
        "user_id": user.id,
        "username": user.username,
        "role": grant.role,
        "unit_id": grant.unit_id,
        "cluster_term_id": grant.cluster_term_id,
        "authority_id": grant.authority_id,
    }
    user.grants.remove(grant)
    s.delete(grant)
    s.flush()
    audit.append(s, kind="role_revoked", who=_who(admin), data=data)


def save_cluster_term(
    s: Session,
    admin: User,
    *,
    cluster_id: int,
    year: int,
    head_unit_id: int,
    deputy_unit_id: int | None,
) -> ClusterTerm:
    """Set who leads a cluster in a year: create the term or change it. The head and the
    deputy must be member units of the cluster, and not the same unit."""
    cluster = org_repo.cluster(s, cluster_id)
    if cluster is None:
        raise NotFound("Không có cụm thi đua này.", code="cluster_not_found")
    if not 2000 <= year <= 2100:
        raise InvalidInput("Năm phải từ 2000 đến 2100.", code="invalid_year")
    # The members of that year: on its reference day (today while it runs), as the
    # division decisions in force then set them.
    day = reference_day(year, today_vn())
    members = {u.id: u for u in clusters_store.members_on(s, cluster_id, day)}
    if head_unit_id not in members:
        raise InvalidInput("Đơn vị Trưởng cụm phải là thành viên của cụm.", code="head_not_member")
    if deputy_unit_id is not None and deputy_unit_id not in members:
        raise InvalidInput(
            "Đơn vị Phó trưởng cụm phải là thành viên của cụm.", code="deputy_not_member"
        )
    if deputy_unit_id == head_unit_id:
        raise InvalidInput(
            "Trưởng cụm và Phó trưởng cụm phải là hai đơn vị khác nhau.", code="deputy_is_head"
        )
    term = org_repo.cluster_term(s, cluster_id, year)
    before = (
        {"head_unit_id": term.head_unit_id, "deputy_unit_id": term.deputy_unit_id} if term else None
    )
    if term is None:
        term = ClusterTerm(cluster_id=cluster_id, year=year, head_unit_id=head_unit_id)
        s.add(term)
    term.head_unit_id, term.deputy_unit_id = head_unit_id, deputy_unit_id
    s.flush()
    after = {"head_unit_id": head_unit_id, "deputy_unit_id": deputy_unit_id}
    if before != after:
        deputy = members.get(deputy_unit_id) if deputy_unit_id is not None else None
        audit.append(
            s,
            kind="cluster_term_created" if before is None else "cluster_term_updated",
            who=_who(admin),
            data={
                "cluster_term_id": term.id,
                "cluster_id": cluster.id,
                "cluster": cluster.name,
                "year": year,
                "head_unit": members[head_unit_id].name,
                "deputy_unit": deputy.name if deputy else None,
                "before": before,
                "after": after,
            },
        )
    return term
