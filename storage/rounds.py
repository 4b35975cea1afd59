"""Queries of the board's rounds (đợt xét khen thưởng) and the dossiers in them."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from domain.appraisal import Result
from domain.policy import ROUND
from domain.roles import Actor
from domain.rounds import ADMITTED_DOSSIER_STATUS, ListedNominee
from domain.subjects import Subject, SubjectKind
from storage import meetings as meetings_store
from storage import opinions, outbox, policy_sql
from storage.models import (
    AppraisalResult,
    AuditEvent,
    AwardRound,
    Cluster,
    Dossier,
    Nominee,
    RoundDossier,
    Unit,
    of_subject,
)


def award_round(s: Session, round_id: int, *, for_update: bool = False) -> AwardRound | None:
    q = select(AwardRound).where(AwardRound.id == round_id)
    return s.scalar(q.with_for_update() if for_update else q)


def visible_rounds(s: Session, actor: Actor, *, year: int | None = None) -> Sequence[AwardRound]:
    """The rounds the actor may see (domain/policy.py's rules, as SQL), newest first."""
    q = select(AwardRound).where(policy_sql.visible(actor, ROUND))
    if year:
        q = q.where(AwardRound.year == year)
    return s.scalars(q.order_by(AwardRound.created_at.desc(), AwardRound.id.desc())).all()


def waiting_rounds(s: Session, actor: Actor) -> Sequence[AwardRound]:
    """The rounds waiting for an action of the actor (the round process's states where a
    role the actor holds over the round acts, domain/policy.py's rules as SQL), the
    longest-waiting first; none while a step's machine work runs."""
    acting = policy_sql.acting(actor, ROUND)
    if acting is None:
        return []
    return s.scalars(
        select(AwardRound)
        .where(acting, ~outbox.busy(SubjectKind.ROUND, AwardRound.id))
        .order_by(AwardRound.updated_at, AwardRound.id)
    ).all()


def round_events(s: Session, round_id: int) -> Sequence[AuditEvent]:
    """The round's own history, in the order of its own chain (audit format 3)."""
    return s.scalars(
        select(AuditEvent)
        .where(of_subject(AuditEvent, Subject(SubjectKind.ROUND, round_id)))
        .order_by(AuditEvent.subject_seq)
    ).all()


def dossier_counts(s: Session, round_ids: Collection[int]) -> dict[int, int]:
    rows = s.execute(
        select(RoundDossier.round_id, func.count())
        .where(RoundDossier.round_id.in_(list(round_ids)))
        .group_by(RoundDossier.round_id)
    ).all()
    return {r: n for r, n in rows}


def dossiers_of(s: Session, round_id: int) -> list[Dossier]:
    """The round's dossiers in the order they were added."""
    return list(
        s.scalars(
            select(Dossier)
            .join(RoundDossier, RoundDossier.dossier_id == Dossier.id)
            .where(RoundDossier.round_id == round_id)
            .options(joinedload(Dossier.unit))
            .order_by(RoundDossier.position_no, RoundDossier.id)
        ).all()
    )


def membership(s: Session, dossier_id: int) -> RoundDossier | None:
    return s.scalar(select(RoundDossier).where(RoundDossier.dossier_id == dossier_id))


def round_names_of(s: Session, dossier_ids: Collection[int]) -> dict[int, tuple[int, str, str]]:
    """For each dossier in a round: the round's id, name and status."""
    if not dossier_ids:
        return {}
    rows = s.execute(
        select(RoundDossier.dossier_id, AwardRound.id, AwardRound.name, AwardRound.status)
        .join(AwardRound, AwardRound.id == RoundDossier.round_id)
        .where(RoundDossier.dossier_id.in_(list(dossier_ids)))
    ).all()
    return {d: (r, name, status) for d, r, name, status in rows}


def next_position(s: Session, round_id: int) -> int:
    last = s.scalar(
        select(func.max(RoundDossier.position_no)).where(RoundDossier.round_id == round_id)
    )
    return (last or 0) + 1


def listed_nominees(s: Session, round_id: int, *, council: bool = True) -> list[ListedNominee]:
    """Every nominee the appraisal passed (đạt, not struck), of every dossier in the
    round, in dossier then nominee order, with the unit and cluster they are proposed
    through: one query, for a list of thousands. Once a council meeting about the round
    is closed, only the nominees it passed (`council=False`: all of them, what the
    meeting votes on)."""
    rows = s.execute(
        select(
            Dossier.award,
            Nominee.kind,
            Nominee.name,
            Nominee.job_title,
            Nominee.unit_name,
            Unit.name,
            Cluster.name,
            Dossier.id,
            Nominee.id,
        )
        .join(RoundDossier, RoundDossier.dossier_id == Dossier.id)
        .join(Nominee, Nominee.dossier_id == Dossier.id)
        .join(Unit, Unit.id == Dossier.unit_id)
        .outerjoin(Cluster, Cluster.id == Dossier.cluster_id)
        .join(AppraisalResult, AppraisalResult.nominee_id == Nominee.id)
        .where(
            RoundDossier.round_id == round_id,
            AppraisalResult.result == str(Result.PASSED),
            AppraisalResult.struck.is_(False),
            # hiệp y: a negative opinion the board head has not overridden holds the
            # nominee back (storage/opinions.py)
            ~opinions.held_back(round_id),
        )
        .order_by(RoundDossier.position_no, RoundDossier.id, Nominee.position_no, Nominee.id)
    ).all()
    passed = meetings_store.passed_keys(s, Subject(SubjectKind.ROUND, round_id))
    if council and passed is not None:
        rows = [r for r in rows if r[-1] in passed]
    return [
        ListedNominee(
            award=award,
            kind=kind,
            name=name,
            position=job_title or "",
            # An individual works in a part of the unit (nominee.unit_name) or the unit
            # itself; a collective is a part of the unit, proposed by the unit.
            unit_name=(nominee_unit or unit_name) if kind != "collective" else unit_name,
            cluster_name=cluster_name or "",
            dossier_id=dossier_id,
            nominee_id=nominee_id,
        )
        for (
            award,
            kind,
            name,
            job_title,
            nominee_unit,
            unit_name,
            cluster_name,
            dossier_id,
            nominee_id,
        ) in rows
    ]


def candidates(s: Session, authority_id: int, awards: Collection[str]) -> list[Dossier]:
    """Approved dossiers of the authority for these awards that are in no round yet: what
    the specialist may add (oldest first, as they were approved)."""
    in_any = select(RoundDossier.dossier_id)
    return list(
        s.scalars(
            select(Dossier)
            .where(
                Dossier.authority_id == authority_id,
                Dossier.status == ADMITTED_DOSSIER_STATUS,
                Dossier.award.in_(list(awards)),
                Dossier.id.not_in(in_any),
            )
            .options(joinedload(Dossier.unit))
            .order_by(Dossier.updated_at, Dossier.id)
            .limit(500)
        ).all()
    )
