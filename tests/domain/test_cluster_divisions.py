"""Division decisions applied to dated memberships: each operation closes the
memberships that change on the effective date and opens the new ones, never touching the
past; what the rules refuse, they refuse with a stable code."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pytest

from domain import cluster_divisions as rules
from domain.clusters import Membership, cluster_of, members_on
from domain.errors import InvalidInput

SINCE = date(2019, 1, 1)
DAY = date(2027, 1, 1)
A, B, C = 1, 2, 3  # clusters
CLUSTERS = {A: (SINCE, None), B: (SINCE, None), C: (SINCE, date(2024, 1, 1))}
MEMBERSHIPS = [
    Membership(10, A, SINCE),
    Membership(11, A, SINCE),
    Membership(12, A, SINCE),
    Membership(20, B, SINCE),
    Membership(21, B, SINCE),
    Membership(30, C, SINCE, date(2024, 1, 1)),
]
UNITS = [10, 11, 12, 20, 21, 30, 40]


def apply(
    *ops: rules.Operation,
    day: date = DAY,
    number: str = "15/QĐ-UBND",
    latest: date | None = date(2025, 7, 1),
    memberships: Sequence[Membership] = MEMBERSHIPS,
) -> rules.Outcome:
    return rules.apply(
        rules.Decision(number, date(2026, 12, 20), day, ops),
        memberships,
        clusters=CLUSTERS,
        cluster_codes=["CUM-A", "CUM-B", "CUM-C"],
        unit_ids=UNITS,
        latest_effective=latest,
    )


def after(outcome: rules.Outcome, memberships: Sequence[Membership] = MEMBERSHIPS) -> list[object]:
    """The memberships once the outcome is written (new clusters get ids 100, 101…)."""
    ids = {n.code: 100 + i for i, n in enumerate(outcome.created)}
    closed = {(m.unit_id, m.cluster_id, m.valid_from): m for m in outcome.closed}
    out: list[Membership] = [
        closed.get((m.unit_id, m.cluster_id, m.valid_from), m) for m in memberships
    ]
    for o in outcome.opened:
        cid = ids[o.cluster.code] if isinstance(o.cluster, rules.NewCluster) else o.cluster
        out.append(Membership(o.unit_id, cid, outcome.effective_from))
    return out  # type: ignore[return-value]


def test_copy_changes_nothing() -> None:
    outcome = apply(rules.Copy())
    assert outcome.unchanged and not outcome.closed and not outcome.opened


def test_move_closes_the_old_membership_on_the_day_and_opens_the_new() -> None:
    outcome = apply(rules.Move(12, B))
    assert outcome.closed == [Membership(12, A, SINCE, DAY)]
    assert outcome.opened == [rules.Opening(12, B)]
    assert outcome.changes == [rules.Change(12, A, B)]
    ms = after(outcome)
    # the day before: still in A; from the effective date: in B; the past untouched
    assert cluster_of(ms, 12, date(2026, 12, 31)) == A  # type: ignore[arg-type]
    assert cluster_of(ms, 12, DAY) == B  # type: ignore[arg-type]
    assert members_on(ms, A, date(2020, 5, 1)) == [10, 11, 12]  # type: ignore[arg-type]
    assert members_on(ms, A, DAY) == [10, 11]  # type: ignore[arg-type]


def test_move_a_unit_with_no_cluster_into_one() -> None:
    outcome = apply(rules.Move(40, A))
    assert outcome.closed == [] and outcome.changes == [rules.Change(40, None, A)]


def test_merge_into_an_existing_cluster_ends_the_other() -> None:
    outcome = apply(rules.Merge((A, B), A))
    assert outcome.ended == [B]
    assert {c.unit_id for c in outcome.changes} == {20, 21}
    assert members_on(after(outcome), A, DAY) == [10, 11, 12, 20, 21]  # type: ignore[arg-type]


def test_merge_into_a_new_cluster_ends_both() -> None:
    new = rules.NewCluster("CUM-AB", "Cụm A & B")
    outcome = apply(rules.Merge((A, B), new))
    assert outcome.created == [new] and sorted(outcome.ended) == [A, B]
    assert len(outcome.closed) == 5 and all(o.cluster == new for o in outcome.opened)
    assert members_on(after(outcome), 100, DAY) == [10, 11, 12, 20, 21]  # type: ignore[arg-type]


def test_dissolve_ends_the_cluster_and_its_units_leave() -> None:
    outcome = apply(rules.Dissolve(B))
    assert outcome.ended == [B] and outcome.opened == []
    assert {m.unit_id for m in outcome.closed} == {20, 21}
    ms = after(outcome)
    assert cluster_of(ms, 20, DAY) is None  # type: ignore[arg-type]
    assert cluster_of(ms, 20, date(2026, 6, 1)) == B  # type: ignore[arg-type]


def test_create_forms_a_cluster_with_members_taken_from_theirs() -> None:
    new = rules.NewCluster("CUM-MOI", 'Cụm mới <thử> & "{{ x }}"')
    outcome = apply(rules.Create(new, (11, 21, 40)))
    assert outcome.created == [new]
    assert [c.unit_id for c in outcome.changes] == [11, 21, 40]
    assert members_on(after(outcome), 100, DAY) == [11, 21, 40]  # type: ignore[arg-type]


def test_a_move_into_a_cluster_formed_by_the_same_decision() -> None:
    new = rules.NewCluster("CUM-MOI", "Cụm mới")
    outcome = apply(rules.Create(new, (11,)), rules.Move(12, new))
    assert members_on(after(outcome), 100, DAY) == [11, 12]  # type: ignore[arg-type]


def test_a_second_decision_of_the_same_day_edits_what_the_first_opened() -> None:
    first = after(apply(rules.Move(12, B)))
    second = apply(rules.Move(12, A), memberships=first, latest=DAY)  # type: ignore[arg-type]
    assert second.closed == [Membership(12, B, DAY, DAY)]


@pytest.mark.parametrize(
    ("kw", "ops", "code"),
    [
        ({"day": date(2025, 6, 30)}, [rules.Copy()], "division_before_latest"),
        ({"number": "  "}, [rules.Copy()], "division_number_required"),
        ({}, [], "division_no_operations"),
        ({}, [rules.Move(99, A)], "division_unknown_unit"),
        ({}, [rules.Move(10, 99)], "division_unknown_cluster"),
        ({}, [rules.Move(10, C)], "division_unknown_cluster"),  # C ended in 2024
        ({}, [rules.Dissolve(99)], "division_unknown_cluster"),
        ({}, [rules.Dissolve(B), rules.Move(10, B)], "division_unknown_cluster"),
        ({}, [rules.Move(10, B), rules.Move(10, A)], "division_unit_in_two_clusters"),
        (
            {},
            [rules.Create(rules.NewCluster("X", "X"), (10, 10))],
            "division_unit_in_two_clusters",
        ),
        ({}, [rules.Merge((A,), B)], "division_merge_needs_two"),
        (
            {},
            [rules.Create(rules.NewCluster("cum-a", "Trùng mã"), (10,))],
            "division_cluster_code_taken",
        ),
        ({}, [rules.Create(rules.NewCluster("X", "X"), ())], "division_new_cluster_empty"),
        ({}, [rules.Move(10, rules.NewCluster("", "Không mã"))], "division_new_cluster_incomplete"),
    ],
)
def test_refusals(kw: dict[str, object], ops: list[rules.Operation], code: str) -> None:
    with pytest.raises(InvalidInput) as e:
        apply(*ops, **kw)  # type: ignore[arg-type]
    assert e.value.code == code and e.value.status == 422


def test_a_unit_recorded_in_two_clusters_at_once_is_refused() -> None:
    broken = [*MEMBERSHIPS, Membership(10, B, date(2020, 1, 1))]
    with pytest.raises(InvalidInput) as e:
        apply(rules.Copy(), memberships=broken)
    assert e.value.code == "division_unit_in_two_clusters"


def test_a_decision_on_the_latest_effective_date_is_accepted() -> None:
    assert apply(rules.Move(12, B), latest=DAY).changes
