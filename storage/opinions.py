"""Queries of hiệp y: agencies, the opinions the board asked of them on a round's
nominees, their replies and the board head's overrides (domain/opinions.py)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, select
from sqlalchemy.orm import Session

from domain.appraisal import Result
from domain.roles import Role
from storage.models import (
    Agency,
    AppraisalResult,
    AwardRound,
    Dossier,
    Nominee,
    OpinionOverride,
    OpinionRequest,
    RoleAssignment,
    RoundDossier,
    Unit,
    User,
)


def all_agencies(s: Session) -> list[Agency]:
    return list(s.scalars(select(Agency).order_by(Agency.id)).all())


def agencies_by_code(s: Session) -> dict[str, Agency]:
    return {a.code: a for a in all_agencies(s)}


def held_back(round_id: int) -> ColumnElement[bool]:
    """A nominee of the round with a negative reply the board head has not overridden:
    kept off the round's list (used by storage/rounds.py::listed_nominees)."""
    negative = exists().where(
        OpinionRequest.round_id == round_id,
        OpinionRequest.nominee_id == Nominee.id,
        OpinionRequest.opinion == "disagree",
    )
    overridden = exists().where(
        OpinionOverride.round_id == round_id, OpinionOverride.nominee_id == Nominee.id
    )
    return and_(negative, ~overridden)


@dataclass(frozen=True)
class CandidateNominee:
    nominee_id: int
    name: str
    kind: str
    category: str | None
    dossier_id: int
    award: str
    unit_name: str


def passed_nominees(s: Session, round_id: int) -> list[CandidateNominee]:
    """Every nominee of the round's dossiers the appraisal passed, with their category,
    in the list's order (before hiệp y holds any back)."""
    rows = s.execute(
        select(
            Nominee.id,
            Nominee.name,
            Nominee.kind,
            Nominee.opinion_category,
            Dossier.id,
            Dossier.award,
            Unit.name,
        )
        .join(Dossier, Dossier.id == Nominee.dossier_id)
        .join(RoundDossier, RoundDossier.dossier_id == Dossier.id)
        .join(Unit, Unit.id == Dossier.unit_id)
        .join(AppraisalResult, AppraisalResult.nominee_id == Nominee.id)
        .where(
            RoundDossier.round_id == round_id,
            AppraisalResult.result == str(Result.PASSED),
            AppraisalResult.struck.is_(False),
        )
        .order_by(RoundDossier.position_no, RoundDossier.id, Nominee.position_no, Nominee.id)
    ).all()
    return [CandidateNominee(*row) for row in rows]


def reviewers_of(s: Session, agency_ids: Collection[int]) -> dict[int, set[int]]:
    """Per agency, its active reviewers' accounts (role agency_reviewer held there)."""
    if not agency_ids:
        return {}
    rows = s.execute(
        select(RoleAssignment.agency_id, User.id)
        .join(User, User.id == RoleAssignment.user_id)
        .where(
            RoleAssignment.role == str(Role.AGENCY_REVIEWER),
            RoleAssignment.agency_id.in_(list(agency_ids)),
            User.is_active,
        )
    ).all()
    out: dict[int, set[int]] = {}
    for agency_id, user_id in rows:
        if agency_id is not None:
            out.setdefault(agency_id, set()).add(user_id)
    return out


def requests_of_round(s: Session, round_id: int) -> list[OpinionRequest]:
    return list(
        s.scalars(
            select(OpinionRequest)
            .where(OpinionRequest.round_id == round_id)
            .order_by(OpinionRequest.nominee_id, OpinionRequest.agency_id)
        ).all()
    )


def overrides_of_round(s: Session, round_id: int) -> dict[int, OpinionOverride]:
    rows = s.scalars(select(OpinionOverride).where(OpinionOverride.round_id == round_id)).all()
    return {o.nominee_id: o for o in rows}


def opinion_request(
    s: Session, request_id: int, *, for_update: bool = False
) -> OpinionRequest | None:
    q = select(OpinionRequest).where(OpinionRequest.id == request_id)
    return s.scalar(q.with_for_update() if for_update else q)


@dataclass(frozen=True)
class InboxRow:
    request: OpinionRequest
    round_name: str
    round_status: str
    nominee_name: str
    nominee_kind: str
    job_title: str
    category: str | None
    award: str
    unit_name: str
    requested_at: datetime


def inbox(s: Session, agency_ids: Collection[int]) -> list[InboxRow]:
    """The requests addressed to these agencies, unanswered first, then newest first."""
    if not agency_ids:
        return []
    rows = s.execute(
        select(
            OpinionRequest,
            AwardRound.name,
            AwardRound.status,
            Nominee.name,
            Nominee.kind,
            Nominee.job_title,
            Nominee.opinion_category,
            Dossier.award,
            Unit.name,
        )
        .join(AwardRound, AwardRound.id == OpinionRequest.round_id)
        .join(Nominee, Nominee.id == OpinionRequest.nominee_id)
        .join(Dossier, Dossier.id == Nominee.dossier_id)
        .join(Unit, Unit.id == Dossier.unit_id)
        .where(OpinionRequest.agency_id.in_(list(agency_ids)))
        .order_by(
            OpinionRequest.opinion.is_not(None),
            OpinionRequest.requested_at.desc(),
            OpinionRequest.id,
        )
        .limit(1000)
    ).all()
    return [
        InboxRow(req, rn, rs, nn, nk, jt, cat, award, unit, req.requested_at)
        for req, rn, rs, nn, nk, jt, cat, award, unit in rows
    ]
