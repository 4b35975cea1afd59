"""Queries of the division decisions (quyết định phân cụm, khối) and the memberships they
opened and closed (domain/cluster_divisions.py)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.cluster_divisions import NewCluster, Outcome
from domain.roles import Role
from storage.models import (
    Authority,
    Cluster,
    ClusterDivision,
    ClusterMembership,
    RoleAssignment,
    Unit,
)


def authorities(s: Session) -> list[Authority]:
    return list(s.scalars(select(Authority).order_by(Authority.id)))


def divisions(s: Session, authority_ids: Collection[int]) -> list[ClusterDivision]:
    """The decisions of these authorities, newest (by effective date) first."""
    return list(
        s.scalars(
            select(ClusterDivision)
            .where(ClusterDivision.authority_id.in_(authority_ids))
            .order_by(ClusterDivision.effective_from.desc(), ClusterDivision.id.desc())
        )
    )


def latest_effective(s: Session, authority_id: int) -> date | None:
    return s.scalar(
        select(func.max(ClusterDivision.effective_from)).where(
            ClusterDivision.authority_id == authority_id
        )
    )


def clusters(s: Session, authority_id: int) -> list[Cluster]:
    return list(
        s.scalars(select(Cluster).where(Cluster.authority_id == authority_id).order_by(Cluster.id))
    )


def cluster_codes(s: Session) -> list[str]:
    return list(s.scalars(select(Cluster.code)))


def units(s: Session, authority_id: int) -> list[Unit]:
    return list(s.scalars(select(Unit).where(Unit.authority_id == authority_id).order_by(Unit.id)))


def membership_rows(s: Session, authority_id: int) -> list[ClusterMembership]:
    """Every membership of the authority's units, oldest first."""
    return list(
        s.scalars(
            select(ClusterMembership)
            .join(Unit, Unit.id == ClusterMembership.unit_id)
            .where(Unit.authority_id == authority_id)
            .order_by(ClusterMembership.valid_from, ClusterMembership.id)
        )
    )


def opened_by(s: Session, division_id: int) -> list[ClusterMembership]:
    return list(
        s.scalars(
            select(ClusterMembership)
            .where(ClusterMembership.division_id == division_id)
            .order_by(ClusterMembership.unit_id)
        )
    )


def closed_on(s: Session, authority_id: int, day: date) -> list[ClusterMembership]:
    """The memberships of the authority's units that ended on `day`."""
    return list(
        s.scalars(
            select(ClusterMembership)
            .join(Unit, Unit.id == ClusterMembership.unit_id)
            .where(Unit.authority_id == authority_id, ClusterMembership.valid_to == day)
            .order_by(ClusterMembership.unit_id)
        )
    )


def membership_on(s: Session, unit_id: int, day: date) -> ClusterMembership | None:
    return s.scalar(
        select(ClusterMembership).where(
            ClusterMembership.unit_id == unit_id,
            ClusterMembership.valid_from <= day,
            (ClusterMembership.valid_to.is_(None)) | (ClusterMembership.valid_to > day),
        )
    )


def users_with_role(s: Session, role: Role, unit_ids: Collection[int]) -> list[int]:
    """The users holding `role` at one of these units, by id."""
    if not unit_ids:
        return []
    return sorted(
        set(
            s.scalars(
                select(RoleAssignment.user_id).where(
                    RoleAssignment.role == role.value, RoleAssignment.unit_id.in_(unit_ids)
                )
            )
        )
    )


def users_of_term(s: Session, cluster_term_id: int) -> list[int]:
    return sorted(
        set(
            s.scalars(
                select(RoleAssignment.user_id).where(
                    RoleAssignment.cluster_term_id == cluster_term_id
                )
            )
        )
    )


def record(
    s: Session,
    *,
    authority_id: int,
    number: str,
    signed_on: date,
    effective_from: date,
    title: str,
    note: str,
    outcome: Outcome,
    created_by: int | None,
    today: date,
) -> tuple[ClusterDivision, dict[str, Cluster]]:
    """Write a decision and what applying it gave (domain/cluster_divisions.apply): the
    clusters it forms and ends, the memberships it closes and opens. The units'
    `cluster_id` (today's cluster) follows (`sync_today`)."""
    day = effective_from
    division = ClusterDivision(
        authority_id=authority_id,
        number=number.strip(),
        signed_on=signed_on,
        effective_from=day,
        title=title.strip(),
        note=note.strip(),
        created_by=created_by,
    )
    s.add(division)
    s.flush()
    formed: dict[str, Cluster] = {}
    for new in outcome.created:
        c = Cluster(authority_id=authority_id, code=new.code, name=new.name, valid_from=day)
        s.add(c)
        formed[new.code.upper()] = c
    s.flush()
    for cid in outcome.ended:
        ended = s.get(Cluster, cid)
        if ended is not None:
            ended.valid_to = day
    rows = {
        (m.unit_id, m.cluster_id, m.valid_from): m
        for m in membership_rows(s, authority_id)
        if m.valid_from <= day and (m.valid_to is None or m.valid_to > day)
    }
    for closed in outcome.closed:
        row = rows[closed.unit_id, closed.cluster_id, closed.valid_from]
        row.valid_to = day
    for opening in outcome.opened:
        cid = (
            formed[opening.cluster.code.upper()].id
            if isinstance(opening.cluster, NewCluster)
            else opening.cluster
        )
        s.add(
            ClusterMembership(
                cluster_id=cid, unit_id=opening.unit_id, division_id=division.id, valid_from=day
            )
        )
    s.flush()
    sync_today(s, authority_id, today)
    return division, formed


def sync_today(s: Session, authority_id: int, today: date) -> int:
    """Set each unit's `cluster_id` (today's cluster) from the memberships holding today:
    a decision recorded earlier for a later day takes effect here. How many changed."""
    changed = 0
    recorded = set(
        s.scalars(
            select(ClusterMembership.unit_id)
            .join(Unit, Unit.id == ClusterMembership.unit_id)
            .where(Unit.authority_id == authority_id)
        )
    )
    for unit in units(s, authority_id):
        if unit.id not in recorded:
            continue  # no dated record of it: its cluster stays as it was set
        m = membership_on(s, unit.id, today)
        cid = m.cluster_id if m else None
        if unit.cluster_id != cid:
            unit.cluster_id = cid
            changed += 1
    s.flush()
    return changed
