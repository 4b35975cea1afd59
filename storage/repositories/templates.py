"""Queries of the DOCX template versions."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import (
    TemplateVersion,
)


def template_versions(s: Session, form_code: str | None = None) -> Sequence[TemplateVersion]:
    """Versions of one form (or of all forms), oldest first: the last one is current."""
    q = select(TemplateVersion).order_by(TemplateVersion.form_code, TemplateVersion.id)
    if form_code is not None:
        q = q.where(TemplateVersion.form_code == form_code)
    return s.scalars(q).all()


def template_version(s: Session, form_code: str, version: str) -> TemplateVersion | None:
    return s.scalar(
        select(TemplateVersion).where(
            TemplateVersion.form_code == form_code, TemplateVersion.version == version
        )
    )


def current_template_version(s: Session, form_code: str) -> TemplateVersion | None:
    return s.scalar(
        select(TemplateVersion)
        .where(TemplateVersion.form_code == form_code)
        .order_by(TemplateVersion.id.desc())
        .limit(1)
    )
