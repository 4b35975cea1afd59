"""Response bodies of the audit API: history entries, the exported history, the check."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel


class DocumentRef(BaseModel):
    """A stored file an event names, with the SHA-256 the history recorded for it."""

    document_id: int | None = None
    form: str | None = None
    number: str | None = None
    rendition: str | None = None
    object_key: str
    version_id: str | None = None
    sha256: str
    title: str | None = None
    """The document's title, as people know it (storage keys are for auditors)."""
    file_name: str | None = None
    """The name the file is downloaded under (documents/names.py)."""


class HistoryEntry(BaseModel):
    seq: int
    """Position in the dossier's own chain (1, 2, 3 …)."""
    event_seq: int
    """Position in the global chain."""
    kind: str
    label: str
    at: datetime
    """UTC."""
    at_vn: str
    """The same moment in Vietnam time, as users read it."""
    actor: str | None
    actor_id: int | None
    actor_role: str | None
    actor_role_label: str | None
    actor_title: str | None = None
    """The role with where it was held, as the pages say a person's role ("Trưởng cụm,
    Cụm I – … (2026)")."""
    actor_line: str = ""
    """Who did it, as one line: name, role and where, whom they acted for."""
    actor_unit: str | None
    on_behalf_of: str | None
    from_status: str | None
    from_status_label: str | None
    to_status: str | None
    to_status_label: str | None
    reason: str | None
    due_date: date | None = None
    """For a step that had a deadline (domain/deadlines.py): its last day."""
    late_working_days: int | None = None
    """How many working days after its last day the step was taken (0: on time)."""
    documents: list[DocumentRef]
    data: dict[str, Any]
    hash: str
    prev_hash: str
    dossier_prev_hash: str | None


class ExportedEvent(BaseModel):
    event: dict[str, Any]
    """Exactly the fields the hash covers (README: the audit chain's canonical form)."""
    hash: str
    label: str
    at_vn: str
    actor_role_label: str | None
    actor_line: str = ""


class ExportedDocument(BaseModel):
    document_id: int
    form: str
    title: str
    number: str | None
    rendition: str
    object_key: str
    version_id: str | None
    sha256: str
    size: int
    created_at: datetime


class ChainCheck(BaseModel):
    ok: bool
    events: int
    last_hash: str
    detail: str


class HistoryExport(BaseModel):
    type: str
    format: int
    dossier: dict[str, Any]
    exported_at: datetime
    exported_at_vn: str
    exported_by: dict[str, Any]
    canonical: dict[str, Any]
    events: list[ExportedEvent]
    documents: list[ExportedDocument]
    chain: ChainCheck
    checkpoint: dict[str, Any] | None


class ProblemOut(BaseModel):
    code: str
    detail: str
    seq: int | None
    dossier_id: int | None
    object_key: str | None
    checkpoint: int | None


class AuditVerifyOut(BaseModel):
    ok: bool
    events: int
    objects: int
    checkpoints: int
    first_bad: int | None
    """Number (global seq) of the first bad event, if an event is what is wrong."""
    bad_object: str | None
    """Key of the first bad stored object (or checkpoint), if that is what is wrong."""
    code: str | None
    detail: str
    dossier_id: int | None
    last_checkpoint: dict[str, Any] | None
    problems: list[ProblemOut]


class CheckpointOut(BaseModel):
    written: bool
    detail: str
    checkpoint: dict[str, Any] | None
