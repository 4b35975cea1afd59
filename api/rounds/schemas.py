"""What the rounds API reads and answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from api.dossiers.schemas import Strict
from domain.rounds import NAME_MAX, RoundKind


class RoundCreate(Strict):
    name: Annotated[str, StringConstraints(max_length=NAME_MAX + 100)]
    year: int = Field(ge=2000, le=2100)
    kind: RoundKind = Field(strict=False)
    """thuong_xuyen | chuyen_de | dot_xuat"""
    awards: list[Annotated[str, StringConstraints(max_length=64)]] = Field(max_length=20)
    """The award codes the round covers (GET /api/v1/awards lists them), in list order."""


class RoundDossiersIn(Strict):
    dossier_ids: list[int] = Field(min_length=1, max_length=1000)
    version: int | None = None
    """The round's version the caller saw: a stale one is refused (409 stale_version)."""


class RoundSummary(BaseModel):
    id: int
    name: str
    year: int
    kind: str
    kind_label: str
    status: str
    status_label: str
    dossiers: int
    updated_at: datetime


class RoundDossierOut(BaseModel):
    id: int
    title: str
    award: str
    award_name: str
    unit_name: str
    cluster_name: str
    nominees: int


class RoundNomineeOut(BaseModel):
    award: str
    award_name: str
    kind: str
    name: str
    position: str
    unit_name: str
    cluster_name: str
    dossier_id: int


class RoundOut(RoundSummary):
    authority_id: int
    awards: list[str]
    award_names: list[str]
    version: int
    processing: bool
    """The last step's machine work (its Tờ trình issued, who is next told) is running:
    no action until it is done."""
    allowed_actions: list[str]
    can_edit_dossiers: bool
    dossier_list: list[RoundDossierOut]
    nominee_list: list[RoundNomineeOut]
    counts: dict[str, int]
    created_at: datetime
    council: dict[str, Any] | None = None
    """The council's meeting on the round (api/meetings): its id, title, state and, once
    closed, each nominee's result."""


class RoundEventOut(BaseModel):
    seq: int
    """Position in the round's own chain (1, 2, 3 …)."""
    kind: str
    label: str
    at: datetime
    at_vn: str
    actor: str | None
    actor_role_label: str | None
    detail: str
    hash: str
