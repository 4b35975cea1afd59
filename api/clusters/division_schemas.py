"""Schemas of the clusters as dated records and of the division decisions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field


class ClusterMemberOut(BaseModel):
    unit_id: int
    code: str
    name: str
    since: date
    """The day the membership took effect."""
    division_number: str | None
    """The decision that set it (None: recorded before tdkt kept the decisions)."""


class ClusterOut(BaseModel):
    id: int
    code: str
    name: str
    valid_from: date | None
    valid_to: date | None
    on: date
    members: list[ClusterMemberOut]


class NewClusterIn(BaseModel):
    code: str = Field(max_length=32)
    name: str = Field(max_length=255)


class OperationIn(BaseModel):
    """One change the decision makes to the division in force before it.

    - `copy`: nothing changes (the decision restates the last division);
    - `move`: `unit_id` goes to `to_cluster_id` (or to `new_cluster` formed here);
    - `merge`: the clusters `cluster_ids` become one: `to_cluster_id` (one of them or
      another) or `new_cluster`;
    - `dissolve`: `cluster_id` ends, its units leave every cluster;
    - `create`: `new_cluster` is formed with the units `unit_ids`."""

    op: Literal["copy", "move", "merge", "dissolve", "create"]
    unit_id: int | None = None
    unit_ids: list[int] = Field(default_factory=list, max_length=500)
    cluster_id: int | None = None
    cluster_ids: list[int] = Field(default_factory=list, max_length=50)
    to_cluster_id: int | None = None
    new_cluster: NewClusterIn | None = None


class DivisionIn(BaseModel):
    number: str = Field(max_length=64)
    signed_on: date
    effective_from: date
    title: str = Field(default="", max_length=500)
    note: str = Field(default="", max_length=5000)
    authority_id: int | None = None
    """Needed only where the system serves more than one authority."""
    changes: list[OperationIn] = Field(max_length=200)


class RefOut(BaseModel):
    id: int
    name: str


class ChangeOut(BaseModel):
    unit_id: int
    unit_name: str
    before: RefOut | None
    after: RefOut | None


class DivisionOut(BaseModel):
    id: int
    number: str
    signed_on: date
    effective_from: date
    title: str
    note: str
    created_at: datetime
    changes: list[ChangeOut]
    clusters_formed: list[RefOut]
    clusters_ended: list[RefOut]
