"""Queries of the steps (transitions) of any subject: the engine's own records."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.subjects import Subject
from storage.models import DossierTransition, of_subject


def transition(s: Session, subject: Subject, seq: int) -> DossierTransition | None:
    return s.scalar(
        select(DossierTransition).where(
            of_subject(DossierTransition, subject), DossierTransition.seq == seq
        )
    )
