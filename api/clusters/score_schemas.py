"""Schemas of a cluster's registrations and scores (domain/cluster_scores.py)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from domain.awards import NomineeKind


class RegistrationItemIn(BaseModel):
    kind: NomineeKind
    award: str = Field(max_length=64)
    """A code of the award catalogue (domain/registry.py), e.g. "tap_the_lao_dong_xuat_sac"."""
    person_id: int | None = None
    """An individual title for a person of the unit's records…"""
    count: int | None = None
    """…or for a number of people."""


class RegistrationIn(BaseModel):
    items: list[RegistrationItemIn] = Field(max_length=500)
    note: str = Field(default="", max_length=4000)
    version: int | None = None
    """The registration's version as read (409 when someone changed it since)."""


class RegistrationItemOut(BaseModel):
    kind: str
    award: str
    award_name: str
    person_id: int | None
    person_name: str
    count: int | None


class RegistrationOut(BaseModel):
    unit_id: int
    unit_code: str
    unit_name: str
    state: str
    """"missing", "on_time" or "late"."""
    state_label: str
    submitted_on: date | None
    version: int | None
    note: str
    items: list[RegistrationItemOut]


class RegistrationsOut(BaseModel):
    cluster_id: int
    cluster_name: str
    year: int
    deadline: date | None
    """The plan's registration deadline (None before the plan is issued)."""
    deadline_passed: bool
    registrations: list[RegistrationOut]
    """Every member's for whoever runs the year, the board and auditors; a member's own
    otherwise."""


class PointsIn(BaseModel):
    criterion_id: int
    points: Decimal | str | int | float | None = None
    evidence: str = Field(default="", max_length=4000)


class SelfScoreIn(BaseModel):
    scores: list[PointsIn] = Field(max_length=500)
    version: int | None = None


class AdjustmentIn(BaseModel):
    criterion_id: int
    points: Decimal | str | int | float | None
    reason: str | None = Field(default=None, max_length=4000)


class ReviewIn(BaseModel):
    adjustments: list[AdjustmentIn] = Field(min_length=1, max_length=500)
    version: int | None = None


class VersionIn(BaseModel):
    version: int | None = None


class CriterionOut(BaseModel):
    id: int
    group_name: str
    code: str
    title: str
    max_points: Decimal
    mandatory: bool
    evidence: str


class AttachmentOut(BaseModel):
    id: int
    criterion_id: int | None
    file_name: str
    size: int
    sha256: str
    url: str


class ScoreOut(BaseModel):
    criterion_id: int
    code: str
    self_points: Decimal | None
    evidence: str
    reviewed_points: Decimal | None
    review_reason: str
    points: Decimal | None
    """What counts: the reviewed points where given, else the member's own."""


class SheetOut(BaseModel):
    unit_id: int
    unit_code: str
    unit_name: str
    status: str
    """"missing" (nothing entered), "draft" or "submitted"."""
    status_label: str
    submitted_at: datetime | None
    version: int | None
    scores: list[ScoreOut]
    attachments: list[AttachmentOut]


class RankedOut(BaseModel):
    unit_id: int
    unit_name: str
    rank: int | None
    """Shared by equal totals; None for a member that has not submitted («chưa chấm»)."""
    tied: bool
    submitted: bool
    self_total: Decimal
    total: Decimal
    adjusted: bool
    failed_mandatory: list[str]


class ScoresOut(BaseModel):
    cluster_id: int
    year: int
    period: str
    period_label: str
    criteria: list[CriterionOut]
    max_total: Decimal
    sheets: list[SheetOut]
    """Every member's for whoever runs the year, the board and auditors; a member's own
    otherwise."""
    ranking: list[RankedOut]


class BoardRegistrationsOut(BaseModel):
    year: int
    clusters: list[RegistrationsOut]
