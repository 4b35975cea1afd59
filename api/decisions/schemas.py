"""What the decisions API reads and answers."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel

from api.dossiers.schemas import Strict


class DecisionCreate(Strict):
    round_id: int


class AwardeeOut(BaseModel):
    """One nominee of the round as the decision treats them."""

    nominee_id: int
    dossier_id: int
    award: str
    award_name: str
    kind: str
    name: str
    position: str
    unit_name: str
    awarded: bool
    reason: str
    prize_amount: int | None
    prize_text: str
    """The amount in words people read ("2.340.000 đồng"), empty when none."""
    prize_basis: str
    """How the amount was found: coefficient × lương cơ sở and their legal basis, with
    "chưa xác nhận" for a value the law as quoted does not confirm."""
    certificate_no: int | None
    certificate_year: int | None
    record_id: int | None = None
    """The award record (once issued): what a correction or revocation names."""
    revoked: bool = False
    """Revoked by a later decision (thu hồi): `awarded` keeps what the decision said, but
    the counts, the prize total and the certificates leave them out."""
    original: dict[str, str] = {}
    """The decision's own text of each field a correction changed (`name`, `position`,
    `unit_name` then read the corrected value)."""
    notes: list[str] = []
    """ "Đã thu hồi theo Quyết định số … ngày …", "Đính chính theo Quyết định số … ngày …:
    Tên …: «cũ» → «mới»", oldest first."""


class PrizeValueOut(BaseModel):
    """A configured value the decision's prize money used."""

    label: str
    value: str
    legal_basis: str
    confirmed: bool


class RecordChangeOut(BaseModel):
    record_id: int
    nominee_id: int
    dossier_id: int
    kind: str
    field: str | None
    field_label: str
    old_value: str | None
    new_value: str | None


class AmendmentOut(BaseModel):
    """A correcting (dinh_chinh) or revoking (thu_hoi) decision made from this one."""

    id: int
    kind: str
    kind_label: str
    number: str
    decided_on: date
    label: str
    reason: str
    document_id: int
    created_by: str
    created_at: datetime
    changes: list[RecordChangeOut]


class DecisionSummary(BaseModel):
    id: int
    round_id: int
    round_name: str
    status: str
    status_label: str
    number: str | None
    decided_on: date | None
    source: str
    updated_at: datetime


class DecisionOut(DecisionSummary):
    version: int
    processing: bool
    allowed_actions: list[str]
    can_upload: bool
    label: str
    """ "Quyết định số … ngày …" once issued."""
    awardees: list[AwardeeOut]
    counts: dict[str, int]
    prize_total: int
    prize_on: date
    """The date the prize money is computed for: the decision's, or today for a draft."""
    prize_values: list[PrizeValueOut]
    created_at: datetime
    revoked: int = 0
    """How many awardees a later decision revoked (not in `counts`' awarded figures)."""
    can_amend: bool = False
    """The caller may record a correcting or revoking decision (issued; the drafter)."""
    amendments: list[AmendmentOut] = []


class DecisionEventOut(BaseModel):
    seq: int
    kind: str
    label: str
    at: datetime
    at_vn: str
    actor: str
    detail: str
    hash: str
