"""The Chủ tịch UBND tỉnh's award decision as a subject the engine issues forms for: the
Quyết định with its danh sách kèm theo, issued in the UBND's own series and sealed with
its seal; the prize money of Điều 2 from domain/prize_money.py's configuration in force
on the decision's date. Reads the database only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from doc_templates.catalogue import FORMS
from domain import prize_money
from domain.awards import AWARDS
from domain.decisions import DecisionScope, DecisionStatus
from domain.policy import SubjectScope
from domain.process import DECISION_ISSUANCE, FormStep, ProcessDefinition, Stage, Transition
from domain.rounds import ListedNominee, list_groups
from domain.subjects import Subject, SubjectKind
from storage import audit
from storage import decisions as store
from storage import rounds as rounds_store
from storage.models import AwardDecision, AwardRound, Document, DossierTransition, of_subject
from storage.repositories import org as org_repo
from storage.repositories import steps

from . import awarding
from .jobs import VIETNAM, Copy, FormJob, Issuer, authority_issuer, issued_at

LEGAL_BASES = (
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;",
    "Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;",
    "Căn cứ Nghị định số 152/2025/NĐ-CP của Chính phủ quy định chi tiết thi hành "
    "Luật Thi đua, khen thưởng;",
)
PRIZE_SOURCE = "Quỹ Thi đua, khen thưởng tỉnh"


def today_vn() -> date:
    return datetime.now(VIETNAM).date()


class DecisionForms:
    """The engine's view of a decision: one copy of the Quyết định, always the UBND's."""

    def load(self, s: Session, subject_id: int) -> AwardDecision | None:
        return store.decision(s, subject_id)

    def process(self, row: AwardDecision) -> ProcessDefinition:
        return DECISION_ISSUANCE

    def scope(self, s: Session, row: AwardDecision) -> SubjectScope:
        return DecisionScope(row.authority_id)

    def issuer(self, s: Session, row: AwardDecision, stage: Stage) -> Issuer:
        # Whoever drafted it, the decision is the UBND tỉnh's: its series, its seal.
        return authority_issuer(s, row.decider_authority_id)

    def describe(self, row: AwardDecision) -> str:
        return f"Quyết định khen thưởng (đợt số {row.round_id})"

    def copies(
        self, row: AwardDecision, process: ProcessDefinition, step: Transition, f: FormStep
    ) -> list[Copy]:
        return [Copy(0, None, FORMS[f.form].title)]

    def context(
        self, s: Session, job: FormJob, row: AwardDecision, t: DossierTransition | None
    ) -> dict[str, Any]:
        # The date the decision will bear: the signature's day once signed, today while
        # it is prepared for the signer.
        on = issued_at(t).date() if t is not None else today_vn()
        return decision_context(s, row, on)

    def after_step(
        self, s: Session, row: AwardDecision, t: DossierTransition, doc_ids: Sequence[int]
    ) -> None:
        """Once the signed Quyết định is numbered, sealed and stored: its number and date
        on the decision, then the awards (issuing/awarding.py)."""
        events = self.before_issued(s, row, t, doc_ids)
        if events is not None:
            events()

    def before_issued(
        self, s: Session, row: AwardDecision, t: DossierTransition, doc_ids: Sequence[int]
    ) -> Callable[[], None] | None:
        """`after_step` once the Quyết định is numbered, before it is sealed: the number
        and date on the decision and the awards written; returns what appends their
        audit events (after the step's own event). The issuing flow calls it while the
        seal is made, in the transaction that then records the step (flows/transition.py)."""
        if t.to_status != DecisionStatus.ISSUED or not doc_ids:
            return None
        doc = s.get(Document, doc_ids[0])
        assert doc is not None and doc.number is not None
        row.number, row.decided_on, row.document_id = doc.number, issued_at(t).date(), doc.id
        s.flush()
        _, events = awarding.write_awards(s, row, doc.number, row.decided_on)
        s.flush()
        return lambda: audit.append_many(s, events)


@dataclass(frozen=True)
class Proposal:
    """The round's Tờ trình the decision answers."""

    number: str
    on: date | None


def proposal_of(s: Session, round_id: int) -> Proposal | None:
    subject = Subject(SubjectKind.ROUND, round_id)
    doc = s.scalar(
        select(Document)
        .where(
            of_subject(Document, subject),
            Document.form == "to_trinh_dot",
            Document.number.is_not(None),
        )
        .order_by(Document.transition_seq.desc())
        .limit(1)
    )
    if doc is None or doc.number is None:
        return None
    t = steps.transition(s, subject, doc.transition_seq)
    return Proposal(doc.number, issued_at(t).date() if t else None)


def listed(nominees: Sequence[store.RoundNominee]) -> list[ListedNominee]:
    return [
        ListedNominee(
            award=n.award,
            kind=n.kind,
            name=n.name,
            position=n.position,
            unit_name=n.unit_name,
            cluster_name=n.cluster_name,
            dossier_id=n.dossier_id,
        )
        for n in nominees
        if n.passed
    ]


@dataclass(frozen=True)
class PrizeLine:
    award: str
    award_name: str
    collectives: int
    individuals: int
    collective: prize_money.Prize | None
    individual: prize_money.Prize | None

    @property
    def total(self) -> int:
        c = self.collective.amount * self.collectives if self.collective else 0
        i = self.individual.amount * self.individuals if self.individual else 0
        return c + i

    @property
    def text(self) -> str:
        parts = []
        if self.collectives and self.collective:
            parts.append(f"mỗi tập thể {prize_money.vnd(self.collective.amount)}")
        if self.individuals and self.individual:
            parts.append(f"mỗi cá nhân {prize_money.vnd(self.individual.amount)}")
        return f"{self.award_name}: {', '.join(parts)}."


def prize_lines(
    awardees: Sequence[ListedNominee], order: Sequence[str], on: date
) -> list[PrizeLine]:
    out = []
    for award in order:
        mine = [n for n in awardees if n.award == award]
        if not mine:
            continue
        c = sum(1 for n in mine if n.kind == "collective")
        i = len(mine) - c
        out.append(
            PrizeLine(
                award,
                AWARDS[award].name if award in AWARDS else award,
                c,
                i,
                prize_money.prize(award, "collective", on) if c else None,
                prize_money.prize(award, "individual", on) if i else None,
            )
        )
    return out


def decision_context(s: Session, d: AwardDecision, on: date) -> dict[str, Any]:
    r = rounds_store.award_round(s, d.round_id)
    assert r is not None
    a = org_repo.authority(s, r.authority_id)
    ubnd = org_repo.authority(s, d.decider_authority_id)
    awardees = listed(store.round_nominees(s, r.id))
    groups = list_groups(awardees, {code: AWARDS[code].name for code in AWARDS}, r.award_codes)
    lines = prize_lines(awardees, r.award_codes, on)
    base = prize_money.base_salary_on(on)
    proposal = proposal_of(s, r.id)
    return {
        "subject": f"Về việc khen thưởng ({r.name})"
        if str(r.year) in r.name
        else f"Về việc khen thưởng ({r.name}, năm {r.year})",
        "year": r.year,
        "legal_bases": list(LEGAL_BASES),
        "decision": {
            "round_name": r.name,
            "proposer": f"Giám đốc {a.name}",
            "proposal": f"Tờ trình số {proposal.number}"
            + (f" ngày {proposal.on:%d/%m/%Y}" if proposal.on else "")
            if proposal
            else "Tờ trình đề nghị khen thưởng",
            "decider": f"Chủ tịch {ubnd.name}",
        },
        "groups": groups,
        "counts": {
            "collectives": sum(1 for n in awardees if n.kind == "collective"),
            "individuals": sum(1 for n in awardees if n.kind != "collective"),
        },
        "prize": {
            "lines": [line.text for line in lines],
            "total": prize_money.vnd(sum(line.total for line in lines)),
            "base_salary": f"{prize_money.vnd(base.amount)} ({base.legal_basis})",
            "source": PRIZE_SOURCE,
        },
        "recipients": [
            "Như Điều 3;",
            "Chủ tịch, các Phó Chủ tịch UBND tỉnh;",
            f"{a.name};",
            "Lưu: VT, TĐKT.",
        ],
    }


def round_of(s: Session, d: AwardDecision) -> AwardRound:
    r = rounds_store.award_round(s, d.round_id)
    assert r is not None
    return r
