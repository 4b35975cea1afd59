"""Clusters as dated records: which units form which cluster on a day, and the division
decisions of the UBND tỉnh that set it (quyết định phân cụm, khối thi đua). The rules are
domain/cluster_divisions.py's, the use cases api/clusters/divisions.py's."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, status

from api.clusters import divisions
from api.clusters.division_schemas import ClusterOut, DivisionIn, DivisionOut
from api.deps import CurrentReader, CurrentWriter, ReadSession, WriteSession
from documents.vn import today_vn

router = APIRouter(tags=["clusters"])

OnDay = Annotated[date | None, Query(description="The day (default: today).")]


@router.get("/clusters", response_model=list[ClusterOut])
def list_clusters(caller: CurrentReader, s: ReadSession, on: OnDay = None) -> list[ClusterOut]:
    """The clusters in being on `on` with their members that day: the board, the admin
    and the auditor every cluster of their authority; a unit's people their own."""
    return divisions.clusters_on(s, caller.actor, on or today_vn())


@router.get("/clusters/{cluster_id}/members", response_model=ClusterOut)
def cluster_members(
    cluster_id: int, caller: CurrentReader, s: ReadSession, on: OnDay = None
) -> ClusterOut:
    """One cluster's members on `on`; 404 to whoever may not see the cluster."""
    return divisions.members_of(s, caller.actor, cluster_id, on or today_vn())


@router.get("/cluster-divisions", response_model=list[DivisionOut])
def list_divisions(caller: CurrentReader, s: ReadSession) -> list[DivisionOut]:
    """The division decisions, newest first, each with what it changed."""
    return divisions.divisions(s, caller.actor)


@router.post("/cluster-divisions", response_model=DivisionOut, status_code=status.HTTP_201_CREATED)
def record_division(body: DivisionIn, caller: CurrentWriter, s: WriteSession) -> DivisionOut:
    """Record a division decision (the admin): its operations are applied to the division
    in force before its effective date; history is kept. 422 with a stable code for a
    decision before the latest one, a unit in two clusters, an unknown unit or cluster,
    an empty number."""
    return divisions.record(s, caller.user, caller.actor, body, today=today_vn())
