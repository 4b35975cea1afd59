"""The cluster's ranking and the checks of points and registrations
(domain/cluster_scores.py): totals from reviewed points where given, ties sharing a rank,
a mandatory criterion at 0 flagged, members that have not submitted last."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain import cluster_scores as rules
from domain.awards import NomineeKind
from domain.cluster_scores import CriterionFacts, RegistrationItem, SheetFacts
from domain.errors import InvalidInput

D = Decimal
CRITERIA = [
    CriterionFacts(1, "1.1", D("10"), mandatory=True),
    CriterionFacts(2, "1.2", D("20"), mandatory=False),
    CriterionFacts(3, "2.1", D("5.5"), mandatory=False),
]


def sheet(
    unit: int, name: str, pts: list[str | None], *, done: bool = True, **rev: str
) -> SheetFacts:
    return SheetFacts(
        unit,
        name,
        done,
        {i + 1: (D(p) if p is not None else None) for i, p in enumerate(pts)},
        {int(k[1:]): D(v) for k, v in rev.items()},
    )


def test_ranking_orders_by_total_with_ties_sharing_a_rank() -> None:
    ranked = rules.rank(
        CRITERIA,
        [
            sheet(1, "A", ["9", "18", "5"]),  # 32
            sheet(2, "B", ["10", "20", "5.5"]),  # 35.5
            sheet(3, "C", ["8", "19", "5"]),  # 32
            sheet(4, "D", ["10", "10", "1"]),  # 21
        ],
    )
    assert [(r.name, r.rank, r.tied, r.total) for r in ranked] == [
        ("B", 1, False, D("35.5")),
        ("A", 2, True, D("32")),
        ("C", 2, True, D("32")),
        ("D", 4, False, D("21")),
    ]


def test_reviewed_points_count_and_the_self_total_stays() -> None:
    ranked = rules.rank(
        CRITERIA,
        [sheet(1, "A", ["9", "18", "5"], c2="12"), sheet(2, "B", ["9", "15", "5"])],
    )
    a = next(r for r in ranked if r.name == "A")
    assert a.self_total == D("32") and a.total == D("26") and a.adjusted
    assert [r.name for r in ranked] == ["B", "A"]


def test_mandatory_criterion_at_zero_is_flagged_and_unsubmitted_come_last() -> None:
    ranked = rules.rank(
        CRITERIA,
        [
            sheet(1, "Chưa gửi", ["0", "20", "5.5"], done=False),
            sheet(2, "Không đạt", ["0", "20", "5.5"]),
            sheet(3, "Bị chấm lại", ["10", "1", "1"], c1="0"),
            sheet(4, "Đạt", ["5", "1", "1"]),
        ],
    )
    assert [r.name for r in ranked] == ["Không đạt", "Đạt", "Bị chấm lại", "Chưa gửi"]
    flags = {r.name: r.failed_mandatory for r in ranked}
    assert flags["Không đạt"] == ("1.1",) and flags["Bị chấm lại"] == ("1.1",)
    assert flags["Đạt"] == () and flags["Chưa gửi"] == ()
    last = ranked[-1]
    assert last.rank is None and not last.submitted


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("-1", "score_negative"),
        ("10.01", "score_above_max"),
        (11, "score_above_max"),
        ("8.555", "score_too_precise"),
        ("tám", "score_not_a_number"),
        ("NaN", "score_not_a_number"),
        (True, "score_not_a_number"),
    ],
)
def test_bad_points_are_refused_with_a_code(raw: object, code: str) -> None:
    with pytest.raises(InvalidInput) as e:
        rules.parse_points(raw, D("10"))
    assert e.value.code == code


def test_points_as_entered() -> None:
    assert rules.parse_points("8,5", D("10")) == D("8.50")
    assert rules.parse_points(8.25, D("10")) == D("8.25")
    assert rules.parse_points("10", D("10")) == D("10")
    assert rules.points_text(D("8.50")) == "8,5" and rules.points_text(D("10.00")) == "10"


def test_reason_is_required() -> None:
    with pytest.raises(InvalidInput) as e:
        rules.check_reason("   ")
    assert e.value.code == "reason_required"


def test_registration_items_and_the_deadline() -> None:
    ok = [
        RegistrationItem(NomineeKind.COLLECTIVE, "tap_the_lao_dong_xuat_sac"),
        RegistrationItem(NomineeKind.INDIVIDUAL, "lao_dong_tien_tien", count=25),
        RegistrationItem(NomineeKind.INDIVIDUAL, "chien_si_thi_dua_co_so", person_id=7),
    ]
    rules.check_items(ok)
    bad = [
        ([RegistrationItem(NomineeKind.COLLECTIVE, "lao_dong_tien_tien")], "unknown_award"),
        ([RegistrationItem(NomineeKind.INDIVIDUAL, "lao_dong_tien_tien")], "invalid_item"),
        ([RegistrationItem(NomineeKind.INDIVIDUAL, "lao_dong_tien_tien", 1, 3)], "invalid_item"),
        (
            [RegistrationItem(NomineeKind.INDIVIDUAL, "lao_dong_tien_tien", count=0)],
            "invalid_count",
        ),
        ([ok[0], ok[0]], "duplicate_item"),
        ([], "registration_empty"),
    ]
    for items, code in bad:
        with pytest.raises(InvalidInput) as e:
            rules.check_items(items)
        assert e.value.code == code
    due = date(2026, 3, 31)
    assert not rules.is_late(due, due) and rules.is_late(date(2026, 4, 1), due)
    assert rules.may_write(date(2026, 4, 1), due, registered_on_time=False)
    assert not rules.may_write(date(2026, 4, 1), due, registered_on_time=True)
    assert not rules.is_late(date(2027, 1, 1), None)
