"""Queries of the organisation: units, clusters and their yearly terms, the authority, and
where a role is held."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.clusters import reference_day
from domain.roles import (
    BOARD_ROLES,
    ClusterPost,
    Place,
    Role,
    RoleGrant,
)
from storage import clusters as clusters_store
from storage.models import (
    Agency,
    Authority,
    Cluster,
    ClusterTerm,
    Dossier,
    RoleAssignment,
    Unit,
)


def all_units(s: Session) -> Sequence[Unit]:
    return s.scalars(select(Unit).order_by(Unit.id)).all()


def units_by_ids(s: Session, ids: set[int]) -> dict[int, Unit]:
    if not ids:
        return {}
    return {u.id: u for u in s.scalars(select(Unit).where(Unit.id.in_(ids)))}


def cluster_term(s: Session, cluster_id: int | None, year: int) -> ClusterTerm | None:
    if cluster_id is None:
        return None
    # Asked several times per request (who may see, who may act, who is next); the terms
    # of a year change only by an admin's own request.
    seen: dict[tuple[int, int], ClusterTerm | None] = s.info.setdefault("cluster_terms", {})
    if (cluster_id, year) not in seen:
        seen[cluster_id, year] = s.scalar(
            select(ClusterTerm).where(
                ClusterTerm.cluster_id == cluster_id, ClusterTerm.year == year
            )
        )
    return seen[cluster_id, year]


def authority(s: Session, authority_id: int) -> Authority:
    a = s.get(Authority, authority_id)
    assert a is not None
    return a


def cluster(s: Session, cluster_id: int | None) -> Cluster | None:
    return s.get(Cluster, cluster_id) if cluster_id is not None else None


def unit(s: Session, unit_id: int) -> Unit:
    u = s.get(Unit, unit_id)
    assert u is not None
    return u


def all_clusters(s: Session) -> Sequence[Cluster]:
    return s.scalars(select(Cluster).order_by(Cluster.id)).all()


def all_authorities(s: Session) -> Sequence[Authority]:
    return s.scalars(select(Authority).order_by(Authority.id)).all()


def units_of_cluster(s: Session, cluster_id: int) -> Sequence[Unit]:
    return s.scalars(select(Unit).where(Unit.cluster_id == cluster_id).order_by(Unit.id)).all()


def cluster_terms_of_year(s: Session, year: int) -> Sequence[ClusterTerm]:
    return s.scalars(
        select(ClusterTerm).where(ClusterTerm.year == year).order_by(ClusterTerm.cluster_id)
    ).all()


def cluster_term_years(s: Session) -> list[int]:
    return sorted(s.scalars(select(ClusterTerm.year).distinct()).all())


def place_of(s: Session, grant: RoleGrant | RoleAssignment, year: int) -> Place:
    """Where a grant is held, named, with the post its unit has in its cluster in `year`
    for the roles that act for a cluster."""
    role = Role(grant.role)
    if grant.unit_id is not None:
        unit_ = s.get(Unit, grant.unit_id)
        if unit_ is None:
            return Place()
        # The unit's cluster in that year (the division decisions), not today's.
        cluster_id = (
            clusters_store.cluster_id_of(s, unit_.id, reference_day(year, date.today()))
            or unit_.cluster_id
        )
        if role != Role.CLUSTER_APPROVER or cluster_id is None:
            return Place(unit=unit_.name)
        term = cluster_term(s, cluster_id, year)
        post = None
        if term is not None and term.head_unit_id == unit_.id:
            post = ClusterPost.HEAD
        elif term is not None and term.deputy_unit_id == unit_.id:
            post = ClusterPost.DEPUTY
        c = s.get(Cluster, cluster_id)
        return Place(unit=unit_.name, cluster=c.name if c else None, year=year, cluster_post=post)
    if grant.cluster_term_id is not None:
        term = s.get(ClusterTerm, grant.cluster_term_id)
        c = s.get(Cluster, term.cluster_id) if term else None
        return Place(cluster=c.name if c else None, year=term.year if term else None)
    if grant.authority_id is not None:
        a = s.get(Authority, grant.authority_id)
        if a is None:
            return Place()
        board = a.board_name if role in BOARD_ROLES and a.board_name else None
        return Place(board=board, authority=a.name)
    if grant.agency_id is not None:  # hiệp y: held at an agency
        ag = s.get(Agency, grant.agency_id)
        return Place(unit=ag.name) if ag is not None else Place()
    return Place()


def acted_in_cluster_post(s: Session, d: Dossier, unit_name: str | None) -> ClusterPost | None:
    """The post a unit (named as an event recorded it) had in the dossier's cluster in
    the dossier's year."""
    term = cluster_term(s, d.cluster_id, d.year)
    if term is None or unit_name is None:
        return None
    for post, unit_id in (
        (ClusterPost.HEAD, term.head_unit_id),
        (ClusterPost.DEPUTY, term.deputy_unit_id),
    ):
        u = s.get(Unit, unit_id) if unit_id is not None else None
        if u is not None and u.name == unit_name:
            return post
    return None
