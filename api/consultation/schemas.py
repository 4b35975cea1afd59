"""Shapes of the public consultation endpoints."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class PublishIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    working_days: int | None = Field(default=None, ge=0, le=1000)
    """The period in working days; by default the configured one (never under its
    minimum)."""
    version: int | None = None


class RuleOut(BaseModel):
    required: bool
    min_working_days: int
    default_working_days: int
    labels: list[str]
    """Each award level's rule with its legal basis («chưa xác nhận» when unconfirmed)."""


class CommentOut(BaseModel):
    id: int
    name: str
    contact: str
    """For the board only: never on a public page."""
    text: str
    at: datetime
    at_vn: str


class PublicNomineeOut(BaseModel):
    name: str
    position: str
    unit_name: str
    award_name: str
    kind: str


class ConsultationOut(BaseModel):
    """What the board sees of a round's consultation."""

    round_id: int
    rule: RuleOut
    published: bool
    start_date: date | None = None
    end_date: date | None = None
    working_days: int | None = None
    is_open: bool = False
    public_url: str | None = None
    basis: str | None = None
    nominees: list[PublicNomineeOut] = []
    comments: list[CommentOut] = []


class PublicAwardeeOut(BaseModel):
    """One awardee of an issued decision as the public sees it: name, position, unit and
    award — never a date of birth, an identity number, achievements or files."""

    name: str
    position: str
    unit_name: str
    award_name: str
    kind: str
    revoked: bool = False
    """Revoked by a later decision (kept on the list, marked: the decision said it)."""
    notes: list[str] = Field(default_factory=list)
    """«Đã thu hồi theo Quyết định số … ngày …», «Đính chính theo Quyết định số … ngày …:
    Tên tập thể, cá nhân «…» → «…»»: name, position and unit read the corrected text."""


class PublicAmendmentOut(BaseModel):
    """A correcting or revoking decision made from an issued one, as the public sees it:
    its kind, number, date and whom it touched (never its reason or its author)."""

    kind: str
    kind_label: str
    number: str
    decided_on: date
    label: str
    names: list[str]


class PublicDecisionOut(BaseModel):
    """An issued award decision on the public register."""

    id: int
    number: str
    decided_on: date
    label: str
    signer_title: str
    issuer_name: str
    round_name: str
    public_url: str
    awardees: list[PublicAwardeeOut]
    amendments: list[PublicAmendmentOut] = Field(default_factory=list)
    """Its correcting and revoking decisions, oldest first."""


class PublicDecisionListingOut(BaseModel):
    id: int
    number: str
    decided_on: date
    signer_title: str
    round_name: str
    awarded: int
    public_url: str


class PublicConsultationOut(BaseModel):
    """A published list as anyone sees it: no personal data beyond name, position and
    unit."""

    round_name: str
    authority_name: str
    start_date: date
    end_date: date
    working_days: int
    is_open: bool
    nominees: list[PublicNomineeOut]
    decision: PublicDecisionOut | None = None
    """The round's decision once issued."""


class PublicListingOut(BaseModel):
    round_name: str
    authority_name: str
    start_date: date
    end_date: date
    is_open: bool
    public_url: str


class CommentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=1000)
    contact: str = Field(default="", max_length=1000)
    text: str = Field(max_length=20000)


class PublicCommentOut(BaseModel):
    received: bool
    message: str
