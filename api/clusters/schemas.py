"""Schemas of the cluster's year (the parts add theirs in their own modules)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel


class MemberOut(BaseModel):
    unit_id: int
    code: str
    name: str
    post: str | None
    """"head" (Trưởng cụm), "deputy" (Phó trưởng cụm) that year, or None."""


class ClusterYearOut(BaseModel):
    cluster_id: int
    cluster_code: str
    cluster_name: str
    year: int
    reference_day: date
    """The day whose membership `members` shows (today while the year runs)."""
    head_unit_id: int | None
    deputy_unit_id: int | None
    members: list[MemberOut]
    runs: bool
    """The caller runs the year (head or deputy unit's cluster approver)."""
    member_units: list[int]
    """The member units the caller acts for."""
    board: bool
