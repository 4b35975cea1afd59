"""Queries of the cluster's proposal of the year (domain/cluster_proposal.py): the
proposal of a cluster year, the dossiers that passed its vote, the signed Biên bản of
the vote, the proposals waiting at a board."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.cluster_proposal import VOTED_STATUS, ProposalStatus
from domain.subjects import Subject, SubjectKind
from storage.models import (
    Cluster,
    ClusterProposal,
    ClusterYear,
    Document,
    DocumentVersion,
    Dossier,
    of_subject,
)

MINUTES_FORM_PREFIX = "bien_ban"
"""The vote's Biên bản is a form of the vote's meeting whose code starts so (the Biên bản
họp bình xét, suy tôn is built by another part of the work)."""


def proposal_of(
    s: Session, cluster_year_id: int, *, for_update: bool = False
) -> ClusterProposal | None:
    q = select(ClusterProposal).where(ClusterProposal.cluster_year_id == cluster_year_id)
    if for_update:
        q = q.with_for_update()
    return s.scalar(q)


def proposal(s: Session, proposal_id: int, *, for_update: bool = False) -> ClusterProposal | None:
    q = select(ClusterProposal).where(ClusterProposal.id == proposal_id)
    if for_update:
        q = q.with_for_update()
    return s.scalar(q)


def voted_dossiers(
    s: Session, cluster_id: int, year: int, member_unit_ids: Iterable[int]
) -> list[Dossier]:
    """The year's dossiers of the member units that passed the cluster's vote and wait
    for its Tờ trình (status `cluster_voted`), by id."""
    units = list(member_unit_ids)
    if not units:
        return []
    return list(
        s.scalars(
            select(Dossier)
            .where(
                Dossier.cluster_id == cluster_id,
                Dossier.year == year,
                Dossier.unit_id.in_(units),
                Dossier.status == VOTED_STATUS,
            )
            .order_by(Dossier.id)
        )
    )


def signed_minutes(s: Session, meeting_id: int) -> Document | None:
    """The vote's Biên bản once signed and sealed (a `pdf-signed` version), else None.

    THE ONE PLACE the proposal learns of the Biên bản: when the Biên bản họp bình xét,
    suy tôn is issued, this finds it among the meeting's documents; switch it to that
    work's own function if it keeps the Biên bản elsewhere."""
    return s.scalar(
        select(Document)
        .join(DocumentVersion, DocumentVersion.document_id == Document.id)
        .where(
            of_subject(Document, Subject(SubjectKind.MEETING, meeting_id)),
            Document.form.startswith(MINUTES_FORM_PREFIX),
            DocumentVersion.rendition == "pdf-signed",
        )
        .order_by(Document.id.desc())
        .limit(1)
    )


def waiting_at_board(s: Session, authority_id: int) -> list[ClusterProposal]:
    """The proposals the board of `authority_id` has to appraise and approve."""
    return list(
        s.scalars(
            select(ClusterProposal)
            .join(ClusterYear, ClusterYear.id == ClusterProposal.cluster_year_id)
            .join(Cluster, Cluster.id == ClusterYear.cluster_id)
            .where(
                Cluster.authority_id == authority_id,
                ClusterProposal.status == ProposalStatus.BOARD_APPRAISAL.value,
            )
            .order_by(ClusterProposal.id)
        )
    )
