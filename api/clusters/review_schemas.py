"""Schemas of the cluster's reviews (sơ kết, tổng kết) and their report."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field


class AttendeeIn(BaseModel):
    unit_id: int
    name: str = Field("", max_length=255)
    position: str = Field("", max_length=255)
    present: bool = True


class ReviewIn(BaseModel):
    period: str = Field(description="midyear (sơ kết) | yearend (tổng kết)")
    held_on: date
    host_unit_id: int | None = Field(None, description="Default: the head unit of the year")
    place: str = Field("", max_length=300)
    agenda: str = Field("", max_length=20000)
    board_rep_name: str = Field("", max_length=255)
    board_rep_position: str = Field("", max_length=255)
    attendees: list[AttendeeIn] = Field(
        default_factory=list, description="Member units not listed are marked absent"
    )


class ReviewUpdate(ReviewIn):
    version: int | None = None


class SignIn(BaseModel):
    signing_pin: str = Field(min_length=1, max_length=64)


class AttendeeOut(BaseModel):
    unit_id: int
    unit_name: str
    name: str
    position: str
    present: bool


class ReportOut(BaseModel):
    status: str
    status_label: str
    document_id: int | None
    number: str | None
    signer_id: int | None
    """Who uploaded the report: their name is printed in it, they sign it."""
    signer_name: str | None
    uploaded: bool
    signed_pdf: str | None
    """Where the signed PDF is downloaded (once signed)."""
    sent_at: datetime | None


class ReviewOut(BaseModel):
    id: int
    cluster_id: int
    year: int
    period: str
    period_label: str
    held_on: date
    host_unit_id: int
    host_unit_name: str
    place: str
    agenda: str
    board_rep_name: str
    board_rep_position: str
    attendees: list[AttendeeOut]
    version: int
    report: ReportOut
    can_edit: bool


class ReportSignatureOut(BaseModel):
    document_id: int
    sha256: str
    stored_sha256_matches: bool
    signatures: list[dict[str, object]]
    ok: bool
