"""The awards registry's API shapes. No personal data: a record names its holder, unit
and award, never an identity number, a date of birth or an ethnicity."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict


class RegistryAwardOut(BaseModel):
    id: int
    holder_kind: str
    """"individual" | "collective"."""
    person_id: int | None
    collective_id: int | None
    holder_name: str
    unit_id: int | None
    unit_name: str | None
    award: str
    award_name: str
    kind_label: str
    year: int
    occasion: str
    occasion_label: str
    decision_number: str
    decision_date: date
    issuer: str
    source: str
    source_label: str
    revoked: bool
    revoked_at: datetime | None


class RegistryPage(BaseModel):
    items: list[RegistryAwardOut]
    page: int
    page_size: int
    total: int
    """How many match (counted up to `total_capped_at`; more: `more` is true)."""
    more: bool


class ProblemOut(BaseModel):
    row_no: int
    column: str
    column_label: str
    code: str
    message: str


class ImportOut(BaseModel):
    id: int
    filename: str
    sha256: str
    status: str
    status_label: str
    unit_id: int | None
    rows_total: int
    rows_done: int
    rows_bad: int
    rows_written: int
    rows_clean: int
    duplicates_in_registry: int
    """Rows already in the registry (a file imported before: every row)."""
    note: str | None
    """What the preview should say (e.g. the whole file is already in the registry)."""
    error: str | None
    problems_total: int
    problems: list[ProblemOut]
    problems_page: int
    created_at: datetime
    finished_at: datetime | None


class AcceptIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    only_clean: bool = False
