"""Request and response bodies of the people and collectives API (the awards registry's
identities). Personal data (identity number, date of birth, ethnicity) is null in an
answer to whoever may not read it (domain/people.py), whether or not it is recorded."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, field_validator
from pydantic_core import PydanticCustomError

from api.dossiers.schemas import Name, Strict, Text
from domain.nominee_details import ETHNICITIES, Gender
from domain.people import CollectiveKind, RestrictionKind

IdentityNo = Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]


def _ethnicity(value: str | None) -> str | None:
    if value in (None, ""):
        return None
    if value not in ETHNICITIES:
        raise PydanticCustomError(
            "ethnicity", "Hãy chọn một dân tộc trong danh sách (hoặc «Khác»)."
        )
    return value


class PersonIn(Strict):
    full_name: Name
    unit_id: int | None = None
    """The unit they work in; the clerk's own unit when left out."""
    position: Text = ""
    gender: Gender | None = Field(default=None, strict=False)
    ethnicity: str | None = Field(default=None, max_length=64)
    birth_date: date | None = Field(default=None, strict=False)
    identity_no: IdentityNo | None = None
    """Số định danh cá nhân (CCCD): 12 digits (422 `identity_no_invalid`; 409
    `identity_no_taken` when another record has it)."""

    @field_validator("ethnicity")
    @classmethod
    def _eth(cls, value: str | None) -> str | None:
        return _ethnicity(value)


class PersonPatch(Strict):
    version: int
    full_name: Name | None = None
    position: Text | None = None
    gender: Gender | None = Field(default=None, strict=False)
    ethnicity: str | None = Field(default=None, max_length=64)
    birth_date: date | None = Field(default=None, strict=False)
    identity_no: IdentityNo | None = None

    @field_validator("ethnicity")
    @classmethod
    def _eth(cls, value: str | None) -> str | None:
        return _ethnicity(value)


class MergeIn(Strict):
    other_id: int
    """The record merged into this one (the same person): it keeps pointing here."""
    reason: Reason


class RestrictionIn(Strict):
    kind: RestrictionKind = Field(strict=False)
    level: str | None = Field(default=None, max_length=32)
    """A discipline's form: khien_trach, canh_cao, ha_bac_luong, giang_chuc, cach_chuc,
    buoc_thoi_viec."""
    starts_on: date = Field(strict=False)
    ends_on: date | None = Field(default=None, strict=False)
    note: Annotated[str, StringConstraints(max_length=4000)] = ""


class CollectiveIn(Strict):
    kind: CollectiveKind = Field(strict=False)
    """`unit`: the unit itself (one record per unit: the existing one is returned);
    `part`: a phòng, tổ … of the unit, named by `name`."""
    name: Text = ""
    unit_id: int | None = None


class RegistryAwardOut(BaseModel):
    id: int
    award: str
    award_name: str
    year: int
    occasion: str
    occasion_label: str
    decision_number: str
    decision_date: date
    issuer: str
    source: str
    source_label: str
    revoked: bool
    revoked_at: datetime | None = None
    document_id: int | None = None
    """The unit's decision uploaded with a title the unit entered (its file:
    `GET /api/v1/documents/{document_id}/content`)."""


class AwardYearOut(BaseModel):
    year: int
    awards: list[RegistryAwardOut]


class RestrictionOut(BaseModel):
    id: int
    kind: str
    level: str | None
    label: str
    starts_on: date
    ends_on: date | None
    running: bool
    note: str
    set_by: str
    created_at: datetime


class PersonSummary(BaseModel):
    id: int
    full_name: str
    gender: str | None
    position: str
    unit_id: int | None
    unit_name: str
    merged_into_id: int | None


class PersonOut(PersonSummary):
    version: int
    personal_data_shown: bool
    """Whether identity_no, birth_date, ethnicity and the restrictions are given to the
    caller (null/empty otherwise)."""
    identity_no: str | None = None
    birth_date: date | None = None
    ethnicity: str | None = None
    restrictions: list[RestrictionOut] = Field(default_factory=list)
    awards_by_year: list[AwardYearOut]
    merged_from: list[int]
    """Records merged into this one by the board."""
    can_edit: bool
    can_restrict: bool
    can_merge: bool


class CollectiveOut(BaseModel):
    id: int
    kind: str
    kind_label: str
    name: str
    unit_id: int
    unit_name: str
    awards_by_year: list[AwardYearOut] = Field(default_factory=list)


class HistoryEntryOut(BaseModel):
    seq: int
    kind: str
    label: str
    at: datetime
    at_label: str
    """`at` as Vietnamese users read it (giờ Việt Nam)."""
    actor: str | None
    reason: str | None
    note: str
    """What the step was about, in words (never personal data)."""
