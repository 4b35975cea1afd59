"""What a process moves: a subject, named by its kind and its id.

The engine's records — transitions, documents, outbox rows, notifications, audit events —
refer to a `Subject` rather than to a dossier, so the next processes (a board's round of
many dossiers, a decision, a cluster's year) use the same plumbing. A subject is a
reference, not a row: each kind keeps its own table (`dossiers`, later `rounds`), and the
pair (kind, id) is what the engine's tables store (docs/adr/0013-subjects.md).

Grouping: a subject may group others — a round groups the dossiers it submits, a cluster
year its members' registrations. The grouping is the grouping subject's own data (a round
lists its dossiers); the grouped subjects keep their own records and history, and the
group's records (its Tờ trình, its transitions, its audit events) are the group's, not
copied to each member. No I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class SubjectKind(StrEnum):
    DOSSIER = "dossier"
    """A unit's commendation dossier (hồ sơ đề nghị khen thưởng): today's route."""
    ROUND = "round"
    """The board's round (đợt xét khen thưởng, domain/rounds.py), which groups dossiers."""
    MEETING = "meeting"
    """A meeting that votes (domain/meetings.py), about another subject (a round)."""
    DECISION = "decision"
    """The Chủ tịch UBND tỉnh's award decision (quyết định khen thưởng, domain/decisions.py)
    made from a submitted round."""
    PERSON = "person"
    """A person's record in the awards registry (domain/registry.py): its history holds
    the reads of their personal data, edits, merges and awards recorded."""
    COLLECTIVE = "collective"
    """A collective's record in the awards registry."""
    REGISTRY_IMPORT = "registry_import"
    """An uploaded file of past awards: checked, previewed, accepted or discarded."""
    CLUSTER_YEAR = "cluster_year"
    """One cluster's emulation year (domain/clusters.py): its plan, covenant,
    registrations, scores and reviews; it groups its members' registrations."""
    CLUSTER_PROPOSAL = "cluster_proposal"
    """The cluster's one proposal of the year (Tờ trình của Cụm, domain/cluster_proposal.py):
    it groups the dossiers that passed the cluster's vote."""


SUBJECT_KIND_LABELS = {
    SubjectKind.DOSSIER: "Hồ sơ",
    SubjectKind.ROUND: "Đợt xét khen thưởng",
    SubjectKind.MEETING: "Cuộc họp",
    SubjectKind.DECISION: "Quyết định khen thưởng",
    SubjectKind.PERSON: "Cá nhân",
    SubjectKind.COLLECTIVE: "Tập thể",
    SubjectKind.REGISTRY_IMPORT: "Tệp nhập khen thưởng",
    SubjectKind.CLUSTER_YEAR: "Năm thi đua của Cụm",
    SubjectKind.CLUSTER_PROPOSAL: "Tờ trình của Cụm",
}

GROUPS: dict[SubjectKind, tuple[SubjectKind, ...]] = {
    SubjectKind.DOSSIER: (),
    SubjectKind.ROUND: (SubjectKind.DOSSIER,),
    SubjectKind.MEETING: (),
    SubjectKind.DECISION: (),
    SubjectKind.PERSON: (),
    SubjectKind.COLLECTIVE: (),
    SubjectKind.REGISTRY_IMPORT: (),
    SubjectKind.CLUSTER_YEAR: (),
    SubjectKind.CLUSTER_PROPOSAL: (SubjectKind.DOSSIER,),
}
"""Which kinds a subject of each kind may group (a round: dossiers)."""


@dataclass(frozen=True, order=True)
class Subject:
    """One thing a process moves, e.g. `Subject(SubjectKind.DOSSIER, 7)`."""

    kind: SubjectKind
    id: int

    def __post_init__(self) -> None:
        # From a database row or a request the kind may arrive as a plain string.
        object.__setattr__(self, "kind", SubjectKind(self.kind))

    @classmethod
    def dossier(cls, dossier_id: int) -> Subject:
        return cls(SubjectKind.DOSSIER, dossier_id)

    @property
    def dossier_id(self) -> int | None:
        """The dossier's id when the subject is one, else None (the rows of another kind
        have no `dossier_id`)."""
        return self.id if self.kind is SubjectKind.DOSSIER else None

    def may_group(self, other: Subject) -> bool:
        return other.kind in GROUPS[self.kind]

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.id}"
