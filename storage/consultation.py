"""Queries of the public consultation of rounds (the working calendar's are
storage/calendar.py's)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.decisions import DecisionStatus
from storage.models import (
    AwardDecision,
    AwardRecord,
    AwardRound,
    PublicComment,
    RoundConsultation,
)


def of_round(s: Session, round_id: int) -> RoundConsultation | None:
    return s.scalar(select(RoundConsultation).where(RoundConsultation.round_id == round_id))


def by_token(s: Session, token: str) -> RoundConsultation | None:
    return s.scalar(select(RoundConsultation).where(RoundConsultation.token == token))


def published(s: Session) -> Sequence[tuple[RoundConsultation, AwardRound]]:
    """Every published list with its round, the newest first (the public register)."""
    rows = s.execute(
        select(RoundConsultation, AwardRound)
        .join(AwardRound, AwardRound.id == RoundConsultation.round_id)
        .order_by(RoundConsultation.opened_at.desc(), RoundConsultation.id.desc())
        .limit(500)
    ).all()
    return [(c, r) for c, r in rows]


def comments(s: Session, consultation_id: int) -> Sequence[PublicComment]:
    return s.scalars(
        select(PublicComment)
        .where(PublicComment.consultation_id == consultation_id)
        .order_by(PublicComment.created_at, PublicComment.id)
    ).all()


def comments_from(s: Session, address_digest: str, since: datetime) -> int:
    return int(
        s.scalar(
            select(func.count()).where(
                PublicComment.address_digest == address_digest,
                PublicComment.created_at >= since,
            )
        )
        or 0
    )


def issued_decisions(s: Session) -> Sequence[tuple[AwardDecision, AwardRound, int]]:
    """Every issued award decision with its round and how many it awarded, the newest
    first (the public register of decisions: a decision is a public act, published for
    consultation or not)."""
    awarded = (
        select(func.count(AwardRecord.id))
        .where(AwardRecord.decision_id == AwardDecision.id, AwardRecord.awarded)
        .scalar_subquery()
    )
    rows = s.execute(
        select(AwardDecision, AwardRound, awarded)
        .join(AwardRound, AwardRound.id == AwardDecision.round_id)
        .where(AwardDecision.status == str(DecisionStatus.ISSUED))
        .order_by(AwardDecision.decided_on.desc(), AwardDecision.id.desc())
        .limit(500)
    ).all()
    return [(d, r, int(n or 0)) for d, r, n in rows]


def issued_decision(s: Session, decision_id: int) -> AwardDecision | None:
    return s.scalar(
        select(AwardDecision).where(
            AwardDecision.id == decision_id, AwardDecision.status == str(DecisionStatus.ISSUED)
        )
    )


def issued_decision_of_round(s: Session, round_id: int) -> AwardDecision | None:
    return s.scalar(
        select(AwardDecision).where(
            AwardDecision.round_id == round_id, AwardDecision.status == str(DecisionStatus.ISSUED)
        )
    )
