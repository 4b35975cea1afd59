"""Queries of clusters as dated records and of their years (domain/clusters.py)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from domain.clusters import Membership
from storage.models import Cluster, ClusterMembership, ClusterTerm, ClusterYear, Unit


def _in_force(day: date) -> object:
    return (ClusterMembership.valid_from <= day) & or_(
        ClusterMembership.valid_to.is_(None), ClusterMembership.valid_to > day
    )


def members_on(s: Session, cluster_id: int, day: date) -> list[Unit]:
    """The member units of a cluster on `day`, in the order of their ids."""
    return list(
        s.scalars(
            select(Unit)
            .join(ClusterMembership, ClusterMembership.unit_id == Unit.id)
            .where(ClusterMembership.cluster_id == cluster_id, _in_force(day))  # type: ignore[arg-type]
            .order_by(Unit.id)
        )
    )


def cluster_id_of(s: Session, unit_id: int, day: date) -> int | None:
    """The cluster `unit_id` belongs to on `day`: what a dossier made that day records."""
    return s.scalar(
        select(ClusterMembership.cluster_id)
        .where(ClusterMembership.unit_id == unit_id, _in_force(day))  # type: ignore[arg-type]
        .limit(1)
    )


def memberships(s: Session, *, cluster_id: int | None = None) -> list[Membership]:
    """Every recorded membership (of one cluster), as the domain's intervals."""
    q = select(ClusterMembership).order_by(ClusterMembership.valid_from, ClusterMembership.id)
    if cluster_id is not None:
        q = q.where(ClusterMembership.cluster_id == cluster_id)
    return [Membership(m.unit_id, m.cluster_id, m.valid_from, m.valid_to) for m in s.scalars(q)]


def term(s: Session, cluster_id: int, year: int) -> ClusterTerm | None:
    return s.scalar(
        select(ClusterTerm).where(ClusterTerm.cluster_id == cluster_id, ClusterTerm.year == year)
    )


def year_of(s: Session, cluster_id: int, year: int) -> ClusterYear | None:
    return s.scalar(
        select(ClusterYear).where(ClusterYear.cluster_id == cluster_id, ClusterYear.year == year)
    )


def ensure_year(s: Session, cluster_id: int, year: int) -> ClusterYear:
    """The cluster's year, created on first use (in the caller's transaction)."""
    row = year_of(s, cluster_id, year)
    if row is None:
        row = ClusterYear(cluster_id=cluster_id, year=year)
        s.add(row)
        s.flush()
    return row


def clusters_of_authority(s: Session, authority_id: int) -> list[Cluster]:
    return list(
        s.scalars(select(Cluster).where(Cluster.authority_id == authority_id).order_by(Cluster.id))
    )
