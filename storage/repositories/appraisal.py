"""Queries of the board specialist's appraisal results."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.appraisal import Appraisal, Result
from storage.models import (
    AppraisalResult,
)


def appraisal_results(s: Session, dossier_id: int) -> dict[int, AppraisalResult]:
    """The recorded results of a dossier's nominees, by nominee id."""
    rows = s.scalars(select(AppraisalResult).where(AppraisalResult.dossier_id == dossier_id))
    return {r.nominee_id: r for r in rows}


def appraisal_of(r: AppraisalResult | None) -> Appraisal | None:
    """A recorded row as the domain's rules read it."""
    if r is None:
        return None
    return Appraisal(
        result=Result(r.result) if r.result else None,
        note=r.note,
        other_award=r.other_award,
        struck=r.struck,
        strike_reason=r.strike_reason,
    )


def appraisal_changed_at(s: Session, dossier_id: int) -> datetime | None:
    """When the dossier's appraisal results last changed (a prepared report older than
    this prints something else)."""
    return s.scalar(
        select(func.max(AppraisalResult.updated_at)).where(AppraisalResult.dossier_id == dossier_id)
    )
