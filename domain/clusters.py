"""Clusters as dated records, and who may see and do what in a cluster's year.

Which units form which cluster is set by a decision of the UBND tỉnh (quyết định phân
cụm, khối) from its effective date, and changes over time (the 2025 reorganisation ended
the district level). A membership is therefore an interval: `valid_from` up to the day
before `valid_to` (open while None). Everything a cluster's year records — plan,
covenant, registrations, scores, reviews, votes — belongs to that year
(`cluster_years`), so a unit that moves later leaves its past with the old cluster.

The year's pages and API ask `access` what the caller is to the year: a member unit's
people (clerk, head) see their cluster's year and act for their own unit; the head and
deputy units' cluster approvers (the `cluster_terms` of that year) run it; the board and
the authority's leaders see every cluster's; auditors read everything. No I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from domain.roles import AUTHORITY_ROLES, Actor, Role


@dataclass(frozen=True)
class Membership:
    unit_id: int
    cluster_id: int
    valid_from: date
    valid_to: date | None = None
    """The first day it no longer holds; None while it holds."""

    def holds_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)


def members_on(memberships: Iterable[Membership], cluster_id: int, day: date) -> list[int]:
    """The units that are members of `cluster_id` on `day`, by id."""
    return sorted(m.unit_id for m in memberships if m.cluster_id == cluster_id and m.holds_on(day))


def cluster_of(memberships: Iterable[Membership], unit_id: int, day: date) -> int | None:
    """The cluster `unit_id` belongs to on `day`, or None."""
    for m in memberships:
        if m.unit_id == unit_id and m.holds_on(day):
            return m.cluster_id
    return None


def reference_day(year: int, today: date) -> date:
    """The day whose membership a cluster's year shows: today while the year runs, its
    last day once it has ended, its first day before it begins."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    return min(max(today, first), last)


@dataclass(frozen=True)
class YearAccess:
    """What the caller is to one cluster's year."""

    sees: bool = False
    runs: bool = False
    """The head or deputy unit's cluster approver of that year (or one held at the
    year's term): drafts and issues the plan, reviews scores, holds the reviews."""
    member_units: frozenset[int] = frozenset()
    """The member units the caller acts for (as their clerk or head)."""
    signs_for: frozenset[int] = frozenset()
    """The member units whose head the caller is: they sign the covenant for it."""
    board: bool = False
    """The authority's board or leaders: see every cluster's year."""

    @property
    def member(self) -> bool:
        return bool(self.member_units)


def access(
    actor: Actor,
    *,
    authority_id: int,
    member_unit_ids: Iterable[int],
    leader_unit_ids: Iterable[int],
    cluster_term_id: int | None,
) -> YearAccess:
    """What `actor` may do in a cluster's year, whose members on the reference day are
    `member_unit_ids` and whose head and deputy units that year are `leader_unit_ids`."""
    members, leaders = frozenset(member_unit_ids), frozenset(leader_unit_ids)
    runs = any(
        g.role == Role.CLUSTER_APPROVER
        and (
            (g.cluster_term_id is not None and g.cluster_term_id == cluster_term_id)
            or (g.unit_id is not None and g.unit_id in leaders)
        )
        for g in actor.grants
    )
    mine = frozenset(
        g.unit_id
        for g in actor.grants
        if g.role in (Role.UNIT_CLERK, Role.UNIT_HEAD)
        and g.unit_id is not None
        and g.unit_id in members
    )
    heads = frozenset(
        g.unit_id
        for g in actor.grants
        if g.role == Role.UNIT_HEAD and g.unit_id is not None and g.unit_id in members
    )
    board = any(g.role in AUTHORITY_ROLES and g.authority_id == authority_id for g in actor.grants)
    auditor = any(g.role == Role.AUDITOR for g in actor.grants)
    return YearAccess(
        sees=runs or bool(mine) or board or auditor,
        runs=runs,
        member_units=mine,
        signs_for=heads,
        board=board,
    )
