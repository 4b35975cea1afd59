"""A board's round (đợt xét khen thưởng) as a subject the engine issues forms for: the
Sở's Tờ trình to the Chủ tịch UBND tỉnh with the list of every nominee of the round's
dossiers (domain/rounds.py's grouping), issued and sealed by the Sở. Reads the database
only.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from doc_templates.catalogue import FORMS
from domain.awards import AWARDS
from domain.policy import SubjectScope
from domain.process import ROUND_SUBMISSION, FormStep, ProcessDefinition, Stage, Transition
from domain.rounds import ROUND_KIND_LABELS, RoundKind, RoundScope, list_groups
from storage import rounds as rounds_store
from storage.models import AwardRound, DossierTransition
from storage.repositories import org as org_repo

from .jobs import Copy, FormJob, Issuer, authority_issuer


class RoundForms:
    """The engine's view of a round: one copy of each form, always the Sở's."""

    def load(self, s: Session, subject_id: int) -> AwardRound | None:
        return rounds_store.award_round(s, subject_id)

    def process(self, row: AwardRound) -> ProcessDefinition:
        return ROUND_SUBMISSION

    def scope(self, s: Session, row: AwardRound) -> SubjectScope:
        return RoundScope(row.authority_id)

    def issuer(self, s: Session, row: AwardRound, stage: Stage) -> Issuer:
        # Whichever desk the round is on, what it issues is the Sở's.
        return authority_issuer(s, row.authority_id)

    def describe(self, row: AwardRound) -> str:
        return f"Đợt xét khen thưởng «{row.name}»"

    def copies(
        self, row: AwardRound, process: ProcessDefinition, step: Transition, f: FormStep
    ) -> list[Copy]:
        return [Copy(0, None, f"{FORMS[f.form].title} – {row.name}")]

    def context(
        self, s: Session, job: FormJob, row: AwardRound, t: DossierTransition | None
    ) -> dict[str, Any]:
        return round_context(s, row, t)


def round_context(s: Session, r: AwardRound, t: DossierTransition | None) -> dict[str, Any]:
    """The round's part of its Tờ trình: the list of every nominee the appraisal passed,
    grouped by award (in the round's order of awards), collectives before individuals."""
    a = org_repo.authority(s, r.authority_id)
    nominees = rounds_store.listed_nominees(s, r.id)
    groups = list_groups(nominees, {code: AWARDS[code].name for code in AWARDS}, r.award_codes)
    dossiers = len({n.dossier_id for n in nominees})
    return {
        "recipient": f"Chủ tịch Ủy ban nhân dân tỉnh {a.province}",
        # The round's name often carries its year already ("… năm 2026").
        "subject": f"Về việc đề nghị khen thưởng ({r.name})"
        if str(r.year) in r.name
        else f"Về việc đề nghị khen thưởng ({r.name}, năm {r.year})",
        "year": r.year,
        "round": {
            "name": r.name,
            "kind_label": ROUND_KIND_LABELS[RoundKind(r.kind)],
            "dossiers": dossiers,
        },
        "groups": groups,
        "counts": {
            "collectives": sum(1 for n in nominees if n.kind == "collective"),
            "individuals": sum(1 for n in nominees if n.kind != "collective"),
        },
        "reason": (t.reason or "") if t else "",
    }
