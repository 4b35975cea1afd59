"""Request and response bodies of the dossier API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from domain.awards import NomineeKind

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
LongText = Annotated[str, StringConstraints(max_length=20_000)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class NomineeIn(Strict):
    kind: NomineeKind = Field(strict=False)
    name: Name
    job_title: Text = ""
    unit_name: Text = ""
    achievements: LongText = ""


class DossierCreate(Strict):
    award: str = "bang_khen_ubnd_tinh"
    year: int = Field(ge=2000, le=2100)
    title: Text | None = None
    unit_id: int | None = None
    nominees: list[NomineeIn] = Field(default_factory=list, max_length=500)


class DossierPatch(Strict):
    version: int
    title: Text | None = None
    award: str | None = None
    year: int | None = Field(default=None, ge=2000, le=2100)
    nominees: list[NomineeIn] | None = Field(default=None, max_length=500)


class ActionIn(Strict):
    reason: Annotated[str, StringConstraints(max_length=4000)] | None = None
    signing_pin: Annotated[str, StringConstraints(max_length=64)] | None = None
    version: int | None = None


class NomineeOut(BaseModel):
    id: int
    kind: str
    name: str
    job_title: str
    unit_name: str
    achievements: str


class DossierOut(BaseModel):
    id: int
    title: str
    award: str
    award_name: str
    year: int
    unit_id: int
    unit_name: str
    cluster_id: int | None
    status: str
    status_label: str
    stage: str
    stage_label: str
    version: int
    processing: bool
    allowed_actions: list[str]
    nominees: list[NomineeOut]
    created_at: datetime
    updated_at: datetime


class DossierSummary(BaseModel):
    id: int
    title: str
    award: str
    year: int
    unit_id: int
    unit_name: str
    status: str
    status_label: str
    stage: str
    updated_at: datetime


class DossierPage(BaseModel):
    items: list[DossierSummary]
    total: int
    offset: int
    limit: int


class ActionOut(BaseModel):
    dossier: DossierOut
    transition_seq: int
