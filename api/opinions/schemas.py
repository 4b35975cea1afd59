"""Hiệp y: request and answer bodies, what a round's opinions and an agency's inbox show."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from api.dossiers.schemas import Strict
from domain.opinions import NomineeCategory, Opinion

Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]


class AnswerIn(Strict):
    opinion: Opinion = Field(strict=False)
    note: Note = ""


class OverrideIn(Strict):
    nominee_id: int
    reason: Note = ""


class CategoryIn(Strict):
    category: NomineeCategory | None = Field(default=None, strict=False)


class ReplyOut(BaseModel):
    request_id: int
    agency_code: str
    agency_name: str
    opinion: str | None
    opinion_label: str
    note: str
    answered_at: datetime | None
    answered_at_vn: str
    source: str | None
    """"tdkt" (answered in the system), "letter" (the agency's signed letter), or null."""
    letter_signer: str | None = None


class NomineeOpinionsOut(BaseModel):
    nominee_id: int
    name: str
    dossier_id: int
    unit_name: str
    category: str
    category_label: str
    legal_basis: str
    confirmed: bool
    replies: list[ReplyOut]
    held_back: bool
    held_back_reason: str
    override_reason: str | None = None
    override_by: str | None = None


class RoundOpinionsOut(BaseModel):
    round_id: int
    nominees: list[NomineeOpinionsOut]
    pending: list[str]
    """"«name»: agency" for each required opinion not yet received."""
    can_request: bool
    can_upload: bool
    can_override: bool


class InboxItemOut(BaseModel):
    request_id: int
    round_name: str
    nominee_name: str
    nominee_kind: str
    job_title: str
    unit_name: str
    category_label: str
    award_name: str
    requested_at: datetime
    requested_at_vn: str
    opinion: str | None
    opinion_label: str
    note: str
    answered_at_vn: str
    can_answer: bool
