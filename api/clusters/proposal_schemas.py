"""Schemas of the cluster's proposal of the year (api/clusters/proposal.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

Reason = Annotated[str, StringConstraints(max_length=2000)]


class RefreshIn(BaseModel):
    """`version`: the proposal's version as read (0 before it was drafted)."""

    model_config = ConfigDict(extra="forbid")

    version: int | None = None


class SignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    signing_pin: Annotated[str, StringConstraints(max_length=64)] | None = None
    version: int | None = None


class StrikeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dossier_id: int
    reason: Reason
    version: int | None = None


class BoardActionIn(BaseModel):
    """The board's approval (optionally naming an open round its dossiers enter) or its
    return to the cluster (with a reason)."""

    model_config = ConfigDict(extra="forbid")

    reason: Reason | None = None
    round_id: int | None = None
    version: int | None = None


class EntryOut(BaseModel):
    dossier_id: int
    title: str
    unit_name: str
    nominees: list[str]
    dossier_status: str
    vote_passed: bool | None
    tally_text: str
    struck: bool
    struck_reason: str | None


class AwardGroupOut(BaseModel):
    award: str
    award_name: str
    entries: list[EntryOut]


class ProposalOut(BaseModel):
    cluster_id: int
    cluster_name: str
    year: int
    exists: bool
    id: int | None
    status: str
    status_label: str
    version: int
    number: str | None
    issued_at: datetime | None
    meeting_id: int | None
    vote_closed: bool
    minutes_document_id: int | None
    minutes_url: str | None
    waiting: int
    """Dossiers that passed the vote (`cluster_voted`) and wait for the Tờ trình."""
    groups: list[AwardGroupOut]
    problems: list[str]
    return_reason: str | None
    round_id: int | None
    document_id: int | None
    document_url: str | None
    can_refresh: bool
    can_sign: bool
    can_strike: bool
    can_approve: bool
    can_return: bool


class ProposalSummary(BaseModel):
    id: int
    cluster_id: int
    cluster_name: str
    year: int
    status: str
    status_label: str
    number: str | None
    dossiers: int
