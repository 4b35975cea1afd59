"""Cluster endpoints: the year itself here; its parts in their own modules, included."""

from __future__ import annotations

from fastapi import APIRouter

from api.clusters import (
    covenant,
    membership,
    plan,
    proposal,
    registrations,
    reviews,
    scores,
    service,
)
from api.clusters.progress import ProgressOut, progress_out
from api.clusters.schemas import ClusterYearOut
from api.deps import CurrentReader, ReadSession

router = APIRouter(prefix="/api/v1", tags=["clusters"])


@router.get("/clusters/{cluster_id}/years/{year}", response_model=ClusterYearOut)
def get_year(cluster_id: int, year: int, caller: CurrentReader, s: ReadSession) -> ClusterYearOut:
    """One cluster's year: its members on the reference day (today while the year runs),
    its head and deputy units, and what the caller is to it. 404 to a unit of another
    cluster."""
    return service.year_out(service.load_year(s, caller.actor, cluster_id, year))


@router.get("/clusters/{cluster_id}/years/{year}/progress", response_model=ProgressOut)
def get_progress(cluster_id: int, year: int, caller: CurrentReader, s: ReadSession) -> ProgressOut:
    """Each member's progress in the year (covenant signed, registered, each period's
    scores sent; done, done late, waiting, overdue or not open by the plan's calendar) and
    the counts per step: the head unit's dashboard and the board's overview. 404 to a unit
    of another cluster."""
    return progress_out(s, service.load_year(s, caller.actor, cluster_id, year))


for _part in (membership, plan, covenant, registrations, scores, reviews, proposal):
    router.include_router(_part.router)
