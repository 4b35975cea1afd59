"""Award kinds handled at provincial level and the completeness rules of a proposal.

Conditions marked (?) in DOMAIN.md are not encoded as hard rules; only what a dossier must
contain to be submitted is checked here (the documents each award requires are data in
domain/required_documents.py).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from domain.required_documents import missing_documents, missing_text


class NomineeKind(StrEnum):
    COLLECTIVE = "collective"
    INDIVIDUAL = "individual"


NOMINEE_KIND_LABELS = {NomineeKind.COLLECTIVE: "Tập thể", NomineeKind.INDIVIDUAL: "Cá nhân"}


@dataclass(frozen=True)
class Award:
    code: str
    name: str
    nominee_kinds: frozenset[NomineeKind]
    process: str
    legal_basis: str


_BOTH = frozenset(NomineeKind)
_BASIS = "Luật Thi đua, khen thưởng số 06/2022/QH15; Nghị định 152/2025/NĐ-CP"

AWARDS = {
    a.code: a
    for a in (
        Award(
            "bang_khen_ubnd_tinh",
            "Bằng khen của Chủ tịch UBND tỉnh",
            _BOTH,
            "commendation_proposal",
            _BASIS + " (Điều 74 Luật)",
        ),
        Award(
            "co_thi_dua_ubnd_tinh",
            "Cờ thi đua của UBND tỉnh",
            frozenset({NomineeKind.COLLECTIVE}),
            "commendation_proposal",
            _BASIS + " (Điều 26 Luật)",
        ),
        Award(
            "tap_the_lao_dong_xuat_sac",
            "Tập thể lao động xuất sắc",
            frozenset({NomineeKind.COLLECTIVE}),
            "commendation_proposal",
            _BASIS,
        ),
        Award(
            "chien_si_thi_dua_cap_tinh",
            "Chiến sĩ thi đua cấp tỉnh",
            frozenset({NomineeKind.INDIVIDUAL}),
            "commendation_proposal",
            _BASIS,
        ),
    )
}


@dataclass(frozen=True)
class NomineeFacts:
    kind: NomineeKind
    name: str
    achievements: str


def dossier_problems(
    award: Award, nominees: list[NomineeFacts], attachment_kinds: Collection[str], on: date
) -> list[str]:
    """What keeps a dossier from being submitted on `on`, in Vietnamese; empty when
    complete. `attachment_kinds`: the kinds of the attachments now in the dossier."""
    problems: list[str] = []
    if not nominees:
        problems.append("chưa có tập thể hoặc cá nhân được đề nghị")
    for n in nominees:
        label = NOMINEE_KIND_LABELS[n.kind].lower()
        if n.kind not in award.nominee_kinds:
            problems.append(f"{award.name} không xét cho {label} «{n.name}»")
        if not n.achievements.strip():
            problems.append(f"{label} «{n.name}» chưa có tóm tắt thành tích")
    problems += [missing_text(r) for r in missing_documents(award.code, on, attachment_kinds)]
    return problems
