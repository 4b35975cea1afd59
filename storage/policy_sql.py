"""The rules of domain/policy.py compiled to SQL.

Two directions, both from the same rules:
- the actor is known, the subjects are rows: which rows of a subject's table the actor
  sees (lists and counts) or has to act on (the inbox) — `visible`, `acting`;
- the subject is known, the grants are rows: which role assignments hold a role over it
  (who is next, who signs) — `holding`.

A subject kind's table is declared once in `TABLES`: its columns for the places the
relations compare, its cluster term and the SQL of each condition its rules use.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, literal, or_, select, true

from domain.policy import (
    DECISION,
    DOSSIER,
    MEETING,
    ROUND,
    Condition,
    Relation,
    SubjectScope,
    rules_for,
)
from domain.process import (
    DECISION_ISSUANCE,
    PROCESSES,
    ROUND_SUBMISSION,
    STAGE_ORDER,
    Stage,
)
from domain.roles import Actor, Role, RoleGrant
from storage.models import (
    AwardDecision,
    AwardRound,
    ClusterTerm,
    Dossier,
    Meeting,
    Nominee,
    RoleAssignment,
)


@dataclass(frozen=True)
class SubjectTable:
    """Where a subject kind's scope lives in its table."""

    kind: str
    process: Any | None
    """The column naming the subject's process (a constant where every subject of the
    kind has the same one: a round's is `round_submission`); None while the kind has no
    process in PROCESSES."""
    status: Any
    unit_id: Any | None
    authority_id: Any
    cluster_term: Callable[[], Select[Any]] | None
    """The subject's cluster term (its cluster in its year), correlated to the row."""
    conditions: Mapping[Condition, Callable[[Actor], ColumnElement[bool]]]


def _from(stage: Stage) -> list[str]:
    """The stages a dossier that reached `stage` may be at."""
    return [str(x) for x in STAGE_ORDER[STAGE_ORDER.index(stage) :]]


def linked_nominee(actor: Actor) -> Select[Any]:
    """The dossier's nominees linked to the actor's own account."""
    return select(Nominee.id).where(
        Nominee.dossier_id == Dossier.id, Nominee.user_id == actor.user_id
    )


def _dossier_term() -> Select[Any]:
    return select(ClusterTerm.id).where(
        ClusterTerm.cluster_id == Dossier.cluster_id, ClusterTerm.year == Dossier.year
    )


TABLES: Mapping[str, SubjectTable] = {
    DOSSIER: SubjectTable(
        kind=DOSSIER,
        process=Dossier.process,
        status=Dossier.status,
        unit_id=Dossier.unit_id,
        authority_id=Dossier.authority_id,
        cluster_term=_dossier_term,
        conditions={
            Condition.REACHED_CLUSTER: lambda _a: Dossier.furthest_stage.in_(_from(Stage.CLUSTER)),
            Condition.REACHED_BOARD: lambda _a: Dossier.furthest_stage.in_(_from(Stage.BOARD)),
            Condition.LINKED_ACCOUNT: lambda a: linked_nominee(a).exists(),
        },
    ),
    ROUND: SubjectTable(
        kind=ROUND,
        process=literal(ROUND_SUBMISSION.code),
        status=AwardRound.status,
        unit_id=None,
        authority_id=AwardRound.authority_id,
        cluster_term=None,
        conditions={},
    ),
    MEETING: SubjectTable(
        kind=MEETING,
        process=Meeting.process,
        status=Meeting.status,
        unit_id=None,
        authority_id=Meeting.authority_id,
        cluster_term=None,
        conditions={},
    ),
    DECISION: SubjectTable(
        kind=DECISION,
        process=literal(DECISION_ISSUANCE.code),
        status=AwardDecision.status,
        unit_id=None,
        authority_id=AwardDecision.authority_id,
        cluster_term=None,
        conditions={},
    ),
}


# ---------------------------------------------------------------- the actor is known


def _reaches(relation: Relation, g: RoleGrant, t: SubjectTable) -> ColumnElement[bool]:
    """Rows of `t` that grant `g` reaches through `relation`."""
    if relation is Relation.SAME_UNIT:
        if t.unit_id is None or g.unit_id is None:
            return false()
        return t.unit_id == g.unit_id
    if relation is Relation.LEADS_CLUSTER:
        if t.cluster_term is None:
            return false()
        term = t.cluster_term()
        if g.cluster_term_id is not None:
            term = term.where(ClusterTerm.id == g.cluster_term_id)
        elif g.unit_id is not None:
            term = term.where(
                or_(ClusterTerm.head_unit_id == g.unit_id, ClusterTerm.deputy_unit_id == g.unit_id)
            )
        else:
            return false()
        return term.exists()
    if relation is Relation.SAME_AUTHORITY:
        if g.authority_id is None:
            return false()
        return t.authority_id == g.authority_id
    return true()


def visible(actor: Actor, kind: str) -> ColumnElement[bool]:
    """Rows of the subject kind's table the actor may see (policy.allows)."""
    t = TABLES[kind]
    conds: list[ColumnElement[bool]] = []
    for g in actor.grants:
        for rule in rules_for(kind, g.role):
            if not rule.sees:
                continue
            if rule.relation is Relation.ANYWHERE and rule.sees_when is None:
                return true()
            cond = _reaches(rule.relation, g, t)
            if rule.sees_when is not None:
                cond = and_(t.conditions[rule.sees_when](actor), cond)
            conds.append(cond)
    return or_(*conds) if conds else false()


def acting(actor: Actor, kind: str) -> ColumnElement[bool] | None:
    """Rows in a state where one of the actor's roles, held over them, has an action
    other than a withdrawal (the inbox); None when there are none."""
    t = TABLES[kind]
    if t.process is None:
        return None
    conds: list[ColumnElement[bool]] = []
    for process in (p for p in PROCESSES.values() if p.subject_kind == kind):
        for g in actor.grants:
            states = process.acting_states(g.role)
            if not states:
                continue
            reach = [_reaches(r.relation, g, t) for r in rules_for(kind, g.role) if r.acts]
            if reach:
                in_state = and_(t.process == process.code, t.status.in_(states))
                conds.append(and_(in_state, or_(*reach)))
    return or_(*conds) if conds else None


# ---------------------------------------------------------------- the subject is known


def _held_through(relation: Relation, scope: SubjectScope) -> ColumnElement[bool]:
    """Role assignments that reach a subject with `scope` through `relation`."""
    if relation is Relation.SAME_UNIT:
        return RoleAssignment.unit_id == scope.unit_id if scope.unit_id is not None else false()
    if relation is Relation.LEADS_CLUSTER:
        if scope.cluster_term_id is None:
            return false()
        return or_(
            RoleAssignment.cluster_term_id == scope.cluster_term_id,
            and_(
                RoleAssignment.cluster_term_id.is_(None),
                RoleAssignment.unit_id.in_(scope.cluster_leader_unit_ids),
            ),
        )
    if relation is Relation.SAME_AUTHORITY:
        return RoleAssignment.authority_id == scope.authority_id
    return true()


def holding(role: Role, scope: SubjectScope) -> ColumnElement[bool]:
    """Role assignments that hold `role` over the subject (policy.holds)."""
    reach = [_held_through(r.relation, scope) for r in rules_for(scope.kind, role) if r.acts]
    return and_(RoleAssignment.role == role, or_(*reach) if reach else false())
