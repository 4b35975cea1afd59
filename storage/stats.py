"""Queries of the dashboards (domain/stats.py): the units a reader's scope covers, the
dossiers of those units with their recorded steps, their individual nominees' gender and
ethnicity (read here only to be counted), and the registry's awards of those units.
Nothing here returns a person's name, identity number or date of birth."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, true
from sqlalchemy.orm import Session

from domain.awards import NomineeKind
from domain.process import Stage
from domain.roles import Actor, Role
from domain.stats import DashboardScope
from storage.models import (
    AwardDecision,
    AwardRound,
    Cluster,
    ClusterProposal,
    ClusterTerm,
    ClusterYear,
    Dossier,
    DossierTransition,
    Meeting,
    Nominee,
    Person,
    RegistryAward,
    Unit,
)


def led_cluster_ids(s: Session, actor: Actor, year: int) -> frozenset[int]:
    """The clusters the actor's cluster-approver grants lead in `year`: a grant at a
    cluster term names its cluster; a grant at a unit leads the clusters whose term of
    the year has that unit as head or deputy."""
    found: set[int] = set()
    for g in actor.grants:
        if g.role != Role.CLUSTER_APPROVER:
            continue
        if g.cluster_term_id is not None:
            term = s.get(ClusterTerm, g.cluster_term_id)
            if term is not None:
                found.add(term.cluster_id)
        elif g.unit_id is not None:
            found.update(
                s.scalars(
                    select(ClusterTerm.cluster_id).where(
                        ClusterTerm.year == year,
                        or_(
                            ClusterTerm.head_unit_id == g.unit_id,
                            ClusterTerm.deputy_unit_id == g.unit_id,
                        ),
                    )
                )
            )
    return frozenset(found)


def scope_units(s: Session, scope: DashboardScope) -> Sequence[Unit]:
    """The units whose numbers the scope shows, by name."""
    q = select(Unit)
    if not scope.all_units:
        q = q.where(
            or_(
                Unit.authority_id.in_(scope.authority_ids),
                Unit.cluster_id.in_(scope.cluster_ids),
                Unit.id.in_(scope.unit_ids),
            )
        )
    return s.scalars(q.order_by(Unit.name, Unit.id)).all()


def cluster_names(s: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(s.execute(select(Cluster.id, Cluster.name).where(Cluster.id.in_(ids))).all())


@dataclass(frozen=True)
class DossierRow:
    id: int
    unit_id: int
    cluster_id: int | None
    process: str
    award: str
    year: int
    status: str
    furthest_stage: str
    created_at: datetime


def dossiers(
    s: Session, unit_ids: Sequence[int], year: int | None, *, drafts: bool
) -> list[DossierRow]:
    """The dossiers of these units (of `year`, or all years). `drafts` false: only those
    that have left their unit (reached the cluster or the board) — what the cluster and
    the board are sent; a unit's own drafts stay its own."""
    if not unit_ids:
        return []
    q = select(
        Dossier.id,
        Dossier.unit_id,
        Dossier.cluster_id,
        Dossier.process,
        Dossier.award,
        Dossier.year,
        Dossier.status,
        Dossier.furthest_stage,
        Dossier.created_at,
    ).where(Dossier.unit_id.in_(unit_ids))
    if year is not None:
        q = q.where(Dossier.year == year)
    if not drafts:
        q = q.where(Dossier.furthest_stage != Stage.UNIT.value)
    return [DossierRow(*r) for r in s.execute(q.order_by(Dossier.id)).all()]


@dataclass(frozen=True)
class StepRow:
    dossier_id: int | None
    action: str
    from_status: str
    to_status: str
    created_at: datetime


def transitions(s: Session, dossier_ids: Sequence[int]) -> dict[int, list[StepRow]]:
    """The recorded transitions of these dossiers, in order, by dossier."""
    out: dict[int, list[StepRow]] = {i: [] for i in dossier_ids}
    if not dossier_ids:
        return out
    rows = s.execute(
        select(
            DossierTransition.dossier_id,
            DossierTransition.action,
            DossierTransition.from_status,
            DossierTransition.to_status,
            DossierTransition.created_at,
        )
        .where(DossierTransition.dossier_id.in_(dossier_ids))
        .order_by(DossierTransition.dossier_id, DossierTransition.seq)
    ).all()
    for r in rows:
        out[r.dossier_id].append(StepRow(r[0], r[1], r[2], r[3], r[4]))
    return out


def individual_nominees(
    s: Session, dossier_ids: Sequence[int]
) -> list[tuple[int, str | None, str | None]]:
    """(dossier id, gender, ethnicity) of each individual nominee: only to be counted."""
    if not dossier_ids:
        return []
    rows = s.execute(
        select(Nominee.dossier_id, Nominee.gender, Nominee.ethnicity).where(
            Nominee.dossier_id.in_(dossier_ids), Nominee.kind == NomineeKind.INDIVIDUAL.value
        )
    ).all()
    return [(r[0], r[1], r[2]) for r in rows]


@dataclass(frozen=True)
class AwardRow:
    unit_id: int | None
    award: str
    year: int
    individual: bool
    gender: str | None
    ethnicity: str | None


def registry_awards(s: Session, unit_ids: Sequence[int], year: int | None) -> list[AwardRow]:
    """The registry's awards held in these units (not revoked): from decisions made in
    tdkt and from imports alike (the registry is built from both). A person's gender and
    ethnicity come with them only to be counted."""
    if not unit_ids:
        return []
    q = (
        select(
            RegistryAward.unit_id,
            RegistryAward.award,
            RegistryAward.year,
            RegistryAward.person_id.is_not(None),
            Person.gender,
            Person.ethnicity,
        )
        .outerjoin(Person, Person.id == RegistryAward.person_id)
        .where(RegistryAward.unit_id.in_(unit_ids), RegistryAward.revoked_at.is_(None))
    )
    if year is not None:
        q = q.where(RegistryAward.year == year)
    return [AwardRow(*r) for r in s.execute(q).all()]


@dataclass(frozen=True)
class SubjectRow:
    """A subject of another process (a round, a meeting, a decision, a cluster's year or
    proposal): what its waiting times need."""

    kind: str
    id: int
    process: str
    created_at: datetime
    status: str | None
    """Its state now; None where the subject's table keeps none (a cluster's year: its
    plan's state is the plan's)."""


def other_subjects(
    s: Session,
    year: int,
    *,
    authority_ids: frozenset[int] | None,
    cluster_ids: frozenset[int],
) -> list[SubjectRow]:
    """The year's subjects of the other processes in a scope: the board's rounds,
    meetings and decisions of `authority_ids` (None: every authority; empty: none), and
    the years, proposals and vote meetings of the clusters `cluster_ids`."""
    out: list[SubjectRow] = []

    def of_authority(col: Any) -> Any:
        return col.in_(authority_ids) if authority_ids is not None else true()

    if authority_ids is None or authority_ids:
        for r in s.execute(
            select(AwardRound.id, AwardRound.created_at, AwardRound.status).where(
                AwardRound.year == year, of_authority(AwardRound.authority_id)
            )
        ):
            out.append(SubjectRow("round", r[0], "round_submission", r[1], r[2]))
        for r in s.execute(
            select(AwardDecision.id, AwardDecision.created_at, AwardDecision.status)
            .join(AwardRound, AwardRound.id == AwardDecision.round_id)
            .where(AwardRound.year == year, of_authority(AwardDecision.authority_id))
        ):
            out.append(SubjectRow("decision", r[0], "decision_issuance", r[1], r[2]))
    years = dict(
        s.execute(
            select(ClusterYear.id, ClusterYear.created_at).where(
                ClusterYear.year == year, ClusterYear.cluster_id.in_(cluster_ids)
            )
        ).all()
    )
    out += [SubjectRow("cluster_year", i, "cluster_plan", at, None) for i, at in years.items()]
    if years:
        for r in s.execute(
            select(ClusterProposal.id, ClusterProposal.created_at, ClusterProposal.status).where(
                ClusterProposal.cluster_year_id.in_(years)
            )
        ):
            out.append(SubjectRow("cluster_proposal", r[0], "cluster_proposal", r[1], r[2]))
    in_year = and_(Meeting.held_on >= date(year, 1, 1), Meeting.held_on <= date(year, 12, 31))
    of_clusters = and_(Meeting.about_kind == "cluster_year", Meeting.about_id.in_(years))
    meetings = (
        or_(of_authority(Meeting.authority_id), of_clusters)
        if authority_ids is None or authority_ids
        else of_clusters
    )
    for m in s.execute(
        select(Meeting.id, Meeting.process, Meeting.created_at, Meeting.status).where(
            in_year, meetings
        )
    ):
        out.append(SubjectRow("meeting", m[0], m[1], m[2], m[3]))
    return out


def subject_transitions(
    s: Session, subjects: Sequence[SubjectRow]
) -> dict[tuple[str, int], list[StepRow]]:
    """The recorded transitions of these subjects, in order, by (kind, id)."""
    out: dict[tuple[str, int], list[StepRow]] = {(x.kind, x.id): [] for x in subjects}
    by_kind: dict[str, list[int]] = {}
    for x in subjects:
        by_kind.setdefault(x.kind, []).append(x.id)
    for kind, ids in by_kind.items():
        rows = s.execute(
            select(
                DossierTransition.subject_id,
                DossierTransition.action,
                DossierTransition.from_status,
                DossierTransition.to_status,
                DossierTransition.created_at,
            )
            .where(DossierTransition.subject_kind == kind, DossierTransition.subject_id.in_(ids))
            .order_by(DossierTransition.subject_id, DossierTransition.seq)
        ).all()
        for r in rows:
            out[kind, r[0]].append(StepRow(r[0], r[1], r[2], r[3], r[4]))
    return out


def latest_dossier_year(s: Session, not_after: int) -> int | None:
    """The latest year, up to `not_after`, that has a dossier (a dashboard's default)."""
    return s.scalar(select(func.max(Dossier.year)).where(Dossier.year <= not_after))
