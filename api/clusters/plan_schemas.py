"""Schemas of the cluster's plan of the year (api/clusters/plan.py)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from domain.cluster_plan import MAX_CRITERIA

Short = Annotated[str, StringConstraints(max_length=300)]
Text = Annotated[str, StringConstraints(max_length=4000)]


class CriterionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    group_name: Short = ""
    code: Annotated[str, StringConstraints(max_length=16)] = ""
    title: Text = ""
    max_points: Annotated[Decimal, Field(ge=-1000, le=100000, decimal_places=2)] = Decimal(0)
    mandatory: bool = False
    evidence: Text = ""


class PlanIn(BaseModel):
    """The whole draft: its criteria replace the earlier ones. `version`: the plan's
    version as read (0 before it was drafted); another one answers 409."""

    model_config = ConfigDict(extra="forbid")

    version: int | None = None
    goals: Annotated[str, StringConstraints(max_length=20000)] = ""
    covenant_signing_on: date | None = None
    registration_deadline: date | None = None
    midyear_review_on: date | None = None
    yearend_review_on: date | None = None
    criteria: Annotated[list[CriterionIn], Field(max_length=MAX_CRITERIA)] = []


class CopyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int | None = None


class IssueIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    signing_pin: Annotated[str, StringConstraints(max_length=64)] | None = None
    version: int | None = None


class CriterionOut(BaseModel):
    position_no: int
    group_name: str
    code: str
    title: str
    max_points: Decimal
    mandatory: bool
    evidence: str


class PlanOut(BaseModel):
    cluster_id: int
    year: int
    exists: bool
    """False until the head unit saves a first draft."""
    status: str
    """"draft" or "issued"."""
    status_label: str
    goals: str
    covenant_signing_on: date | None
    registration_deadline: date | None
    midyear_review_on: date | None
    yearend_review_on: date | None
    criteria: list[CriterionOut]
    total_points: Decimal
    number: str | None
    """As issued in the cluster's own series, e.g. "01/KH-CỤM I" (None until the flow
    has numbered it)."""
    issued_at: datetime | None
    version: int
    problems: list[str]
    """Why the draft may not be issued yet (empty: it may)."""
    can_edit: bool
    can_issue: bool
    document_id: int | None
    """The issued Kế hoạch (numbered, signed, sealed) once out."""
    document_url: str | None
