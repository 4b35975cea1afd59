"""Queries of the steps (transitions) of any subject: the engine's own records."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.subjects import Subject
from storage.models import DossierTransition, of_subject, subject_columns


def transition(s: Session, subject: Subject, seq: int) -> DossierTransition | None:
    return s.scalar(
        select(DossierTransition).where(
            of_subject(DossierTransition, subject), DossierTransition.seq == seq
        )
    )


def add(
    s: Session,
    subject: Subject,
    seq: int,
    *,
    action: str,
    source: str,
    target: str,
    actor_id: int,
    role: str,
    reason: str | None,
) -> DossierTransition:
    """Record step `seq` of the subject (who took which action, from where to where, why)."""
    row = DossierTransition(
        **subject_columns(subject),
        seq=seq,
        action=action,
        from_status=source,
        to_status=target,
        actor_id=actor_id,
        actor_role=role,
        reason=reason,
    )
    s.add(row)
    return row
