"""Response bodies of the template administration API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class FieldOut(BaseModel):
    name: str
    type: str
    required: bool
    description: str


class TemplateVersionOut(BaseModel):
    form_code: str
    version: str
    sha256: str
    size: int
    builtin: bool
    """The form shipped with tdkt (version "1"), not an upload."""
    current: bool
    """The version new documents are rendered from."""
    uploaded_by: str | None
    uploaded_by_name: str | None
    note: str
    created_at: datetime


class FormTemplatesOut(BaseModel):
    code: str
    title: str
    doc_type: str
    current_version: str
    fields: list[FieldOut]
    """What a template of this form may read; the required ones it must use."""
    versions: list[TemplateVersionOut]
