"""Roles, where they are held, and how their holders are named (what a holder may see or
act on is written in domain/policy.py).

A role is held at a unit, at a cluster term (one cluster in one year) or at the
authority. A cluster approver held at a unit acts for a cluster in the years that unit
leads it (head or deputy unit of the cluster term), so rotating the leadership each year
is data, not code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from domain.policy import SubjectScope


class Role(StrEnum):
    UNIT_CLERK = "unit_clerk"
    UNIT_HEAD = "unit_head"
    CLUSTER_APPROVER = "cluster_approver"
    BOARD_SPECIALIST = "board_specialist"
    BOARD_HEAD = "board_head"
    AUTHORITY_LEADER = "authority_leader"
    UNIT_MEMBER = "unit_member"
    AUDITOR = "auditor"
    ADMIN = "admin"
    AGENCY_REVIEWER = "agency_reviewer"
    COUNCIL_MEMBER = "council_member"
    DECISION_MAKER = "decision_maker"


ROLE_LABELS = {
    Role.UNIT_CLERK: "Cán bộ phụ trách TĐKT của đơn vị",
    Role.UNIT_HEAD: "Thủ trưởng đơn vị",
    Role.CLUSTER_APPROVER: "Lãnh đạo đơn vị Trưởng/Phó trưởng cụm",
    Role.BOARD_SPECIALIST: "Chuyên viên Phòng Thi đua – Khen thưởng",
    Role.BOARD_HEAD: "Lãnh đạo Phòng Thi đua – Khen thưởng",
    Role.AUTHORITY_LEADER: "Lãnh đạo Sở (Giám đốc, Phó Giám đốc)",
    Role.UNIT_MEMBER: "Cán bộ, công chức, người lao động của đơn vị",
    Role.AUDITOR: "Thanh tra, kiểm tra",
    Role.ADMIN: "Quản trị hệ thống",
    Role.AGENCY_REVIEWER: "Cán bộ cơ quan cho ý kiến hiệp y",
    Role.COUNCIL_MEMBER: "Thành viên Hội đồng Thi đua – Khen thưởng",
    Role.DECISION_MAKER: "Lãnh đạo UBND tỉnh (Chủ tịch, Phó Chủ tịch)",
}

UNIT_ROLES = frozenset({Role.UNIT_CLERK, Role.UNIT_HEAD})
BOARD_ROLES = frozenset({Role.BOARD_SPECIALIST, Role.BOARD_HEAD})
AUTHORITY_ROLES = BOARD_ROLES | {Role.AUTHORITY_LEADER}
"""Held at the authority: its commendation board (Phòng TĐKT) and its leadership, who
sign the authority's Tờ trình to the Chủ tịch UBND tỉnh."""


@dataclass(frozen=True)
class RoleGrant:
    role: Role
    unit_id: int | None = None
    cluster_term_id: int | None = None
    authority_id: int | None = None
    agency_id: int | None = None
    """An agency asked for opinions (hiệp y, domain/opinions.py): its reviewers."""
    delegation_id: int | None = None
    """Held for someone else while their delegation is in force (domain/delegation.py);
    None for the holder's own grant."""


@dataclass(frozen=True)
class DossierScope:
    """Where a dossier sits in the organisation tree, as far as permissions care."""

    kind: ClassVar[str] = "dossier"

    unit_id: int
    authority_id: int
    cluster_id: int | None = None
    cluster_term_id: int | None = None
    cluster_leader_unit_ids: frozenset[int] = frozenset()
    """Head and deputy units of the cluster in the dossier's year."""
    reached_cluster: bool = False
    reached_board: bool = False
    nominee_user_ids: frozenset[int] = frozenset()
    """Accounts linked to the dossier's individual nominees: each sees the dossier and
    signs their own achievement report."""


@dataclass(frozen=True)
class Actor:
    user_id: int
    grants: tuple[RoleGrant, ...] = field(default_factory=tuple)

    def own(self) -> Actor:
        """The actor with their own grants only (none held through a delegation)."""
        return Actor(self.user_id, tuple(g for g in self.grants if g.delegation_id is None))

    def roles(self) -> frozenset[Role]:
        return frozenset(g.role for g in self.grants)

    def holds(self, role: Role, scope: SubjectScope) -> bool:
        """Whether the actor holds `role` over the subject: the rules in domain/policy.py."""
        from domain import policy  # the rules are written over the roles declared here

        return policy.holds(self, role, scope)

    def holds_any(self, roles: Iterable[Role], scope: SubjectScope) -> bool:
        return any(self.holds(r, scope) for r in roles)

    def can_view(self, scope: SubjectScope) -> bool:
        """Whether the actor may see the subject: the rules in domain/policy.py."""
        from domain import policy

        return policy.allows(self, scope)


# ---------------------------------------------------------------- who is who, in words


class ClusterPost(StrEnum):
    HEAD = "head"
    DEPUTY = "deputy"


CLUSTER_POST_LABELS = {ClusterPost.HEAD: "Trưởng cụm", ClusterPost.DEPUTY: "Phó trưởng cụm"}


@dataclass(frozen=True)
class Place:
    """Where a grant is held, in the names people use: a unit; a board inside its
    authority, or the authority itself; a cluster in a year, with the post (head or
    deputy) the holder's unit has in it that year, if any."""

    unit: str | None = None
    board: str | None = None
    authority: str | None = None
    cluster: str | None = None
    year: int | None = None
    cluster_post: ClusterPost | None = None


def held_title(label: str, place: Place) -> str:
    """A role's label and where it is held, each said once.

    The post in a cluster is what people call the holder ("Trưởng cụm, Cụm I – … (2026)");
    otherwise the label, with any trailing words that repeat the place dropped
    ("Chuyên viên Phòng TĐKT" at "Phòng TĐKT, Sở Nội vụ" reads "Chuyên viên, Phòng TĐKT,
    Sở Nội vụ"), then the place from the nearest to the widest. No role is named here:
    a new role reads right from its label and where it is held.
    """
    year = f" ({place.year})" if place.year is not None else ""
    if place.cluster_post is not None and place.cluster:
        return f"{CLUSTER_POST_LABELS[place.cluster_post]}, {place.cluster}{year}"
    where = [p for p in (place.unit, place.board, place.authority) if p]
    if place.cluster and not place.unit:
        where.insert(0, place.cluster + year)
    title = _without_trailing(label, where)
    text = ", ".join([title, *where])
    if place.cluster and place.unit and place.year is not None:
        # Held at a unit that has no post in the cluster that year: say so, or the
        # holder would wonder why no cluster dossier reaches them.
        text += f" (năm {place.year} đơn vị không là Trưởng cụm, Phó trưởng cụm)"
    return text


def _without_trailing(label: str, places: list[str]) -> str:
    for p in places:
        if len(p) < len(label) and label.casefold().endswith(p.casefold()):
            return label[: -len(p)].rstrip(" ,–-")
    return label


def role_title(role: Role, place: Place) -> str:
    return held_title(ROLE_LABELS[role], place)
