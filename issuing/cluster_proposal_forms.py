"""The cluster's proposal of the year as a subject the engine issues forms for: the Tờ
trình của Cụm (TM. CỤM THI ĐUA), signed personally by the head unit's leader (its cluster
approver), numbered in the cluster's own series («…/TTr-CỤM I») and sealed with the head
unit's seal; it lists every nominee that passed the cluster's vote, grouped by award, and
cites the vote's Biên bản. Once out, its number on the proposal. Reads the database only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from doc_templates.catalogue import FORMS
from documents.vn import date_text, upper_vi
from domain.awards import AWARDS
from domain.cluster_plan import cluster_short_name
from domain.cluster_proposal import ProposalStatus
from domain.policy import SubjectScope
from domain.process import CLUSTER_PROPOSAL, FormStep, ProcessDefinition, Stage, Transition
from domain.roles import Role
from domain.rounds import ListedNominee, RoundScope, list_groups
from storage import cluster_proposals as store
from storage import clusters as clusters_store
from storage.models import (
    ClusterProposal,
    ClusterYear,
    Document,
    Dossier,
    DossierTransition,
    Meeting,
    RoleAssignment,
    Unit,
    User,
)
from storage.repositories import org as org_repo

from .cluster_plan_forms import PLAN_BASES
from .jobs import Copy, FormJob, Issuer, issued_at


def year_and_head(s: Session, row: ClusterProposal) -> tuple[ClusterYear, Unit]:
    year = s.get(ClusterYear, row.cluster_year_id)
    assert year is not None
    term = clusters_store.term(s, year.cluster_id, year.year)
    if term is None:
        raise LookupError(f"no cluster term for cluster {year.cluster_id} in {year.year}")
    unit = s.get(Unit, term.head_unit_id)
    assert unit is not None
    return year, unit


class ClusterProposalForms:
    """The engine's view of a cluster's proposal: one Tờ trình, the cluster's."""

    def load(self, s: Session, subject_id: int) -> ClusterProposal | None:
        return store.proposal(s, subject_id)

    def process(self, row: ClusterProposal) -> ProcessDefinition:
        return CLUSTER_PROPOSAL

    def scope(self, s: Session, row: ClusterProposal) -> SubjectScope:
        # Who is told of its arrival: the board of the cluster's authority.
        year, _ = year_and_head(s, row)
        return RoundScope(year.cluster.authority_id)

    def issuer(self, s: Session, row: ClusterProposal, stage: Stage) -> Issuer:
        year, head = year_and_head(s, row)
        c = year.cluster
        return Issuer(
            f"cluster:{c.code}",
            cluster_short_name(c.name, c.code),
            c.name,
            head.name,
            head.id,
            None,
        )

    def describe(self, row: ClusterProposal) -> str:
        return "Tờ trình của Cụm thi đua"

    def copies(
        self, row: ClusterProposal, process: ProcessDefinition, step: Transition, f: FormStep
    ) -> list[Copy]:
        return [Copy(0, None, FORMS[f.form].title)]

    def default_signer(self, s: Session, row: ClusterProposal, job: FormJob) -> User | None:
        """The head unit's cluster approver (its leader in charge of the cluster)."""
        _, head = year_and_head(s, row)
        return s.scalar(
            select(User)
            .join(RoleAssignment, RoleAssignment.user_id == User.id)
            .where(
                RoleAssignment.role == Role.CLUSTER_APPROVER.value,
                RoleAssignment.unit_id == head.id,
                User.is_active.is_(True),
            )
            .order_by(User.id)
            .limit(1)
        )

    def context(
        self, s: Session, job: FormJob, row: ClusterProposal, t: DossierTransition | None
    ) -> dict[str, Any]:
        return proposal_context(s, row)

    def after_step(
        self, s: Session, row: ClusterProposal, t: DossierTransition, doc_ids: Sequence[int]
    ) -> None:
        """Once the Tờ trình is numbered, sealed and stored: its number and date on the
        proposal."""
        if t.to_status != ProposalStatus.BOARD_APPRAISAL or not doc_ids:
            return
        doc = s.get(Document, doc_ids[0])
        assert doc is not None
        row.number, row.issued_at = doc.number, issued_at(t)
        s.flush()


def listed(s: Session, row: ClusterProposal, *, with_struck: bool = False) -> list[ListedNominee]:
    """Every nominee of the proposal's dossiers (not struck), in dossier then nominee order."""
    out: list[ListedNominee] = []
    for e in row.entries:
        if e.struck_reason is not None and not with_struck:
            continue
        d = s.get(Dossier, e.dossier_id)
        assert d is not None
        cluster = d.cluster_id and org_repo.cluster(s, d.cluster_id)
        for n in d.nominees:
            out.append(
                ListedNominee(
                    award=d.award,
                    kind=n.kind,
                    name=n.name,
                    position=n.job_title,
                    unit_name=n.unit_name or d.unit.name,
                    cluster_name=cluster.name if cluster else "",
                    dossier_id=d.id,
                    nominee_id=n.id,
                )
            )
    return out


def minutes_reference(s: Session, meeting: Meeting) -> str:
    """How the Tờ trình cites the vote's Biên bản: its number and date once signed."""
    doc = store.signed_minutes(s, meeting.id)
    when = date_text(meeting.held_on) if meeting.held_on else ""
    if doc is not None and doc.number:
        return f"Biên bản họp bình xét, suy tôn số {doc.number} {when}".strip()
    return f"Biên bản họp bình xét, suy tôn {when}".strip()


def proposal_context(s: Session, row: ClusterProposal) -> dict[str, Any]:
    """What the Tờ trình của Cụm prints besides the heading and the signature."""
    year, head = year_and_head(s, row)
    c = year.cluster
    a = org_repo.authority(s, c.authority_id)
    nominees = listed(s, row)
    groups = list_groups(nominees, {code: AWARDS[code].name for code in AWARDS}, list(AWARDS))
    meeting = s.get(Meeting, row.meeting_id)
    assert meeting is not None
    dossiers = len({n.dossier_id for n in nominees})
    return {
        "recipient": f"{a.board_name or 'Phòng Thi đua – Khen thưởng'}, {a.name}",
        "subject": f"Về việc đề nghị khen thưởng năm {year.year} của {c.name}",
        "legal_bases": [
            *PLAN_BASES[:-1],
            PLAN_BASES[-1].rstrip(".") + ";",
            f"Căn cứ {minutes_reference(s, meeting)} của {c.name}.",
        ],
        "year": year.year,
        "cluster_name": c.name,
        "groups": groups,
        "counts": {
            "collectives": sum(1 for n in nominees if n.kind == "collective"),
            "individuals": sum(1 for n in nominees if n.kind != "collective"),
        },
        "proposal": {
            "head_unit_name": head.name,
            "dossiers": dossiers,
            "minutes": minutes_reference(s, meeting),
            "held_on_text": date_text(meeting.held_on) if meeting.held_on else "",
        },
        "signer_unit": upper_vi(head.name),
        "recipients": [
            "Như trên;",
            "Các đơn vị thành viên Cụm;",
            "Lưu: VT.",
        ],
    }
