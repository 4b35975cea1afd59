"""Who may see and act on which subject, written once as data.

A rule says, for one kind of subject (a dossier today; a board's round later) and one
role: the relation between where a grant of the role is held and where the subject sits
that brings the subject within the grant's reach, whether the holder then sees the
subject (possibly only once a condition holds, such as the dossier having reached the
cluster), and whether the holder acts on it (takes the transitions the process gives the
role, in the process's states).

The rules are evaluated here on one subject (`allows`, `holds`), and compiled to the SQL
filter of lists, counts, inboxes and routing in `storage/policy_sql.py`; a test compares
the two over every role, every place a grant can be held and every subject kind
(tests/storage/test_policy.py). A new subject kind is a new entry in `SUBJECT_KINDS` and
its rules in `RULES`, not a new code path. No I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from domain.roles import AUTHORITY_ROLES, Actor, Role, RoleGrant
from domain.subjects import SUBJECT_KIND_LABELS, SubjectKind


class Relation(StrEnum):
    """How a grant's place must relate to a subject's for the grant to reach it."""

    SAME_UNIT = "same_unit"
    """The grant is held at the subject's unit."""
    LEADS_CLUSTER = "leads_cluster"
    """The grant is held at the subject's cluster term (its cluster in its year), or at a
    unit that is the head or deputy unit of that term: the yearly rotation is data."""
    SAME_AUTHORITY = "same_authority"
    """The grant is held at the subject's authority."""
    ANYWHERE = "anywhere"
    """Wherever the grant is held (an auditor)."""


class Condition(StrEnum):
    """What must also hold of a subject for a rule to let its holder see it."""

    REACHED_CLUSTER = "reached_cluster"
    """The subject has reached the cluster stage (never a draft)."""
    REACHED_BOARD = "reached_board"
    """The subject has reached the board stage."""
    LINKED_ACCOUNT = "linked_account"
    """One of the subject's nominees is linked to the holder's own account."""


@dataclass(frozen=True)
class Rule:
    subject_kind: str
    role: Role
    relation: Relation
    sees: bool = True
    sees_when: Condition | None = None
    """Seeing needs this condition too (acting never does: the process's states say
    when the role acts)."""
    acts: bool = True
    """The holder holds the role over the subject: it may take the transitions the
    subject's process gives the role."""


class SubjectScope(Protocol):
    """Where a subject sits, as far as the rules care (`DossierScope` for a dossier)."""

    @property
    def kind(self) -> str: ...
    @property
    def unit_id(self) -> int | None: ...
    @property
    def authority_id(self) -> int: ...
    @property
    def cluster_term_id(self) -> int | None: ...
    @property
    def cluster_leader_unit_ids(self) -> frozenset[int]: ...


@dataclass(frozen=True)
class KindRules:
    """What the rules need of one subject kind (domain/subjects.py names the kinds)."""

    code: str
    label: str
    conditions: Mapping[Condition, Callable[[Any, int], bool]]
    """How a subject of this kind answers each condition its rules use, given its scope
    and the account asking (the SQL side declares the same conditions over the
    subject's table: storage/policy_sql.py)."""


DOSSIER = SubjectKind.DOSSIER
ROUND = SubjectKind.ROUND
MEETING = SubjectKind.MEETING
DECISION = SubjectKind.DECISION

SUBJECT_KINDS: Mapping[str, KindRules] = {
    DOSSIER: KindRules(
        code=DOSSIER,
        label=SUBJECT_KIND_LABELS[DOSSIER],
        conditions={
            Condition.REACHED_CLUSTER: lambda scope, _user: scope.reached_cluster,
            Condition.REACHED_BOARD: lambda scope, _user: scope.reached_board,
            Condition.LINKED_ACCOUNT: lambda scope, user: user in scope.nominee_user_ids,
        },
    ),
    ROUND: KindRules(code=ROUND, label=SUBJECT_KIND_LABELS[ROUND], conditions={}),
    MEETING: KindRules(code=MEETING, label=SUBJECT_KIND_LABELS[MEETING], conditions={}),
    DECISION: KindRules(code=DECISION, label=SUBJECT_KIND_LABELS[DECISION], conditions={}),
}

RULES: tuple[Rule, ...] = (
    # Unit people see their unit's dossiers, drafts included.
    Rule(DOSSIER, Role.UNIT_CLERK, Relation.SAME_UNIT),
    Rule(DOSSIER, Role.UNIT_HEAD, Relation.SAME_UNIT),
    # Any other member of the unit sees a dossier only where they are a nominee linked to
    # their account (they sign their own achievement report).
    Rule(DOSSIER, Role.UNIT_MEMBER, Relation.SAME_UNIT, sees_when=Condition.LINKED_ACCOUNT),
    # The cluster and the board see a dossier only once it has reached them.
    Rule(
        DOSSIER, Role.CLUSTER_APPROVER, Relation.LEADS_CLUSTER, sees_when=Condition.REACHED_CLUSTER
    ),
    *(
        Rule(DOSSIER, role, Relation.SAME_AUTHORITY, sees_when=Condition.REACHED_BOARD)
        for role in sorted(AUTHORITY_ROLES)
    ),
    # Auditors read everything and act on nothing; an admin manages people and terms,
    # not dossiers: no rule.
    Rule(DOSSIER, Role.AUDITOR, Relation.ANYWHERE, acts=False),
    # A board's round (domain/rounds.py) is its authority's: its board makes it, the
    # Phòng's head and the Sở's leaders approve it; auditors read it. Units never see a
    # round (its list holds other units' nominees); they see its name on their dossier.
    *(Rule(ROUND, role, Relation.SAME_AUTHORITY) for role in sorted(AUTHORITY_ROLES)),
    Rule(ROUND, Role.AUDITOR, Relation.ANYWHERE, acts=False),
    # A council meeting (domain/meetings.py) is its authority's: the board convenes it and
    # keeps its minutes, the Sở's leader chairs it; the council's other members see the
    # meetings of their authority (each votes as a member of the meeting, a check of the
    # meeting's own). Auditors read it.
    *(Rule(MEETING, role, Relation.SAME_AUTHORITY) for role in sorted(AUTHORITY_ROLES)),
    Rule(MEETING, Role.COUNCIL_MEMBER, Relation.SAME_AUTHORITY, acts=False),
    Rule(MEETING, Role.AUDITOR, Relation.ANYWHERE, acts=False),
    # An award decision (domain/decisions.py) is drafted by the authority's board and
    # read by its leaders; the UBND tỉnh's leaders sign the decisions of every authority
    # of the province (one UBND tỉnh per deployment); auditors read them.
    *(Rule(DECISION, role, Relation.SAME_AUTHORITY) for role in sorted(AUTHORITY_ROLES)),
    Rule(DECISION, Role.DECISION_MAKER, Relation.ANYWHERE),
    Rule(DECISION, Role.AUDITOR, Relation.ANYWHERE, acts=False),
)


def rules_for(subject_kind: str, role: Role) -> list[Rule]:
    # Read from the module's RULES at each call, so that a rule changed in the data
    # changes the check and the SQL alike.
    return [r for r in RULES if r.subject_kind == subject_kind and r.role == role]


def reaches(relation: Relation, grant: RoleGrant, scope: SubjectScope) -> bool:
    """Whether a grant, by where it is held, reaches a subject through `relation`."""
    if relation is Relation.SAME_UNIT:
        return grant.unit_id is not None and grant.unit_id == scope.unit_id
    if relation is Relation.LEADS_CLUSTER:
        if grant.cluster_term_id is not None:
            return grant.cluster_term_id == scope.cluster_term_id
        return grant.unit_id is not None and grant.unit_id in scope.cluster_leader_unit_ids
    if relation is Relation.SAME_AUTHORITY:
        return grant.authority_id is not None and grant.authority_id == scope.authority_id
    return relation is Relation.ANYWHERE


def meets(condition: Condition, scope: SubjectScope, user_id: int) -> bool:
    return SUBJECT_KINDS[scope.kind].conditions[condition](scope, user_id)


def grant_sees(grant: RoleGrant, user_id: int, scope: SubjectScope) -> bool:
    return any(
        r.sees
        and reaches(r.relation, grant, scope)
        and (r.sees_when is None or meets(r.sees_when, scope, user_id))
        for r in rules_for(scope.kind, grant.role)
    )


def grant_holds(grant: RoleGrant, role: Role, scope: SubjectScope) -> bool:
    return grant.role == role and any(
        r.acts and reaches(r.relation, grant, scope) for r in rules_for(scope.kind, role)
    )


def allows(actor: Actor, scope: SubjectScope) -> bool:
    """Whether the actor may see the subject."""
    return any(grant_sees(g, actor.user_id, scope) for g in actor.grants)


def holds(actor: Actor, role: Role, scope: SubjectScope) -> bool:
    """Whether the actor holds `role` over the subject (may act as it)."""
    return any(grant_holds(g, role, scope) for g in actor.grants)
