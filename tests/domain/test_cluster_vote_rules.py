"""The cluster's secret vote rules (domain/cluster_vote.py): the thresholds counted on the
whole membership (strictly more than half by default) or on those present, a tie elects
nobody, the candidates' order by the year-end ranking, the refusals, the receipts and the
ballots' digest."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from fractions import Fraction

import pytest

from domain import cluster_vote as v
from domain.errors import Conflict, Forbidden, InvalidInput
from domain.roles import Actor, Role, RoleGrant

ON = date(2026, 12, 20)
UNITS = [11, 12, 13, 14, 15]
RULES = {k: v.vote_rule(k, ON) for k in v.Kind}
AWARD = v.Question(1, 501, v.Kind.AWARD)
HEAD = v.Question(2, -2, v.Kind.HEAD)


def ballots(q: v.Question, *choices: str) -> list[v.StoredBallot]:
    return [v.StoredBallot(q.id, c, f"r{i}") for i, c in enumerate(choices)]


def outcome(q: v.Question, *choices: str, rules=RULES, present: int = 4) -> v.Outcome:
    return v.tally([q], ballots(q, *choices), UNITS, 5, present, rules)[0]


def test_more_than_half_of_the_whole_membership() -> None:
    assert outcome(AWARD, "dong_y", "dong_y", "dong_y", "khong_dong_y").passed
    # 2 of 5 present 4: half of those present, but not more than half of the members.
    failed = outcome(AWARD, "dong_y", "dong_y", "khong_dong_y", "khong_dong_y")
    assert not failed.passed and failed.counts == {"dong_y": 2, "khong_dong_y": 2}
    of_present = {**RULES, v.Kind.AWARD: replace(RULES[v.Kind.AWARD], of_present=True)}
    assert not outcome(AWARD, "dong_y", "dong_y", "khong_dong_y", rules=of_present).passed
    at_least = {
        **RULES,
        v.Kind.AWARD: replace(RULES[v.Kind.AWARD], of_present=True, strict=False),
    }
    assert outcome(AWARD, "dong_y", "dong_y", "khong_dong_y", rules=at_least).passed


def test_one_choice_elects_the_unit_with_a_majority_and_no_one_on_a_tie() -> None:
    won = outcome(HEAD, "13", "13", "13", "12")
    assert won.passed and won.winner == "13" and won.counts["13"] == 3
    tie = outcome(HEAD, "13", "13", "12", "12")
    assert not tie.passed and tie.winner is None
    few = outcome(HEAD, "13", "13", "12", "14")
    assert not few.passed  # 2 of 5 is not more than half


def test_next_terms_never_the_same_unit_twice() -> None:
    assert v.check_terms("13", "14") == (13, 14)
    assert v.check_terms("13", "13") == (13, None)
    assert v.check_terms(None, "14") == (None, 14)


def test_candidates_in_ranking_order_then_by_dossier() -> None:
    dossiers = [(7, 11), (8, 12), (9, 13), (10, 14)]
    ranks = {13: 1, 11: 2}
    assert v.candidate_order(dossiers, ranks) == [(9, 13), (7, 11), (8, 12), (10, 14)]
    assert v.candidate_order(dossiers, {}) == dossiers


def test_refusals() -> None:
    qs = {1: AWARD, 2: HEAD}
    seat = v.Seat(1, 11, 100, True)
    v.check_ballot("voting", seat, set(), {1: "dong_y", 2: "12"}, qs, UNITS)
    cases = [
        (("open", seat, set(), {1: "dong_y", 2: "12"}), Conflict, "vote_not_open"),
        (("closed", seat, set(), {1: "dong_y"}), Conflict, "vote_closed"),
        (("voting", None, set(), {1: "dong_y"}), Forbidden, "not_a_member"),
        (
            ("voting", replace(seat, present=False), set(), {1: "dong_y"}),
            Forbidden,
            "absent_member",
        ),
        (("voting", seat, {1}, {1: "dong_y"}), Conflict, "already_voted"),
        (("voting", seat, set(), {2: "99"}), InvalidInput, "invalid_choice"),
        (("voting", seat, set(), {1: "12"}), InvalidInput, "invalid_choice"),
        (("voting", seat, set(), {3: "dong_y"}), InvalidInput, "question_not_found"),
        (("voting", seat, set(), {1: "dong_y"}), InvalidInput, "incomplete_ballot"),
    ]
    for (status, s, already, choices), error, code in cases:
        with pytest.raises(error) as e:
            v.check_ballot(status, s, already, choices, qs, UNITS)
        assert e.value.code == code


def test_quorum_and_close() -> None:
    assert v.check_close("voting", 5, 4, ON).share == Fraction(2, 3)
    with pytest.raises(Conflict) as e:
        v.check_open_vote("open", 5, 3, ON)
    assert e.value.code == "no_quorum"


def test_receipts_and_digest() -> None:
    a, b = v.new_receipt(), v.new_receipt()
    assert a != b and len(a) == 19
    assert v.receipt_hash(a) == v.receipt_hash(a.lower().replace("-", " "))
    rows = [v.StoredBallot(1, "dong_y", v.receipt_hash(a)), v.StoredBallot(1, "dong_y", "x")]
    assert v.digest(rows) == v.digest(list(reversed(rows)))
    assert v.digest(rows) != v.digest([rows[0], v.StoredBallot(1, "khong_dong_y", "x")])
    assert v.digest(rows) != v.digest(rows[:1])


def test_the_chair_is_the_head_units() -> None:
    approver = Actor(1, (RoleGrant(Role.CLUSTER_APPROVER, unit_id=12),))
    head = Actor(2, (RoleGrant(Role.UNIT_HEAD, unit_id=12),))
    deputy = Actor(3, (RoleGrant(Role.CLUSTER_APPROVER, unit_id=13),))
    assert v.chairs(approver, 12, 7) and v.chairs(head, 12, 7)
    assert not v.chairs(deputy, 12, 7)
    assert v.chairs(Actor(4, (RoleGrant(Role.CLUSTER_APPROVER, cluster_term_id=7),)), 12, 7)


# ---------------------------------------------------------------- which dossiers wait


def test_by_default_the_flag_and_the_collective_bang_khen_wait_for_the_vote() -> None:
    voted = v.voted_awards("")
    assert v.is_voted("co_thi_dua_ubnd_tinh", ["collective"], voted, plan_issued=True)
    assert v.is_voted("bang_khen_ubnd_tinh", ["collective"], voted, plan_issued=True)
    assert not v.is_voted("bang_khen_ubnd_tinh", ["individual"], voted, plan_issued=True)
    # One individual among the nominees: not the collective Bằng khen the cluster votes on.
    assert not v.is_voted(
        "bang_khen_ubnd_tinh", ["collective", "individual"], voted, plan_issued=True
    )
    assert not v.is_voted("chien_si_thi_dua_cap_tinh", ["individual"], voted, plan_issued=True)


def test_nothing_waits_where_the_cluster_does_not_run_its_year_here() -> None:
    voted = v.voted_awards("")
    assert not v.is_voted("co_thi_dua_ubnd_tinh", ["collective"], voted, plan_issued=False)


def test_the_setting_names_awards_and_kinds_or_none() -> None:
    voted = v.voted_awards("bang_khen_ubnd_tinh, tap_the_lao_dong_xuat_sac:collective")
    assert v.is_voted("bang_khen_ubnd_tinh", ["individual"], voted, plan_issued=True)
    assert not v.is_voted("co_thi_dua_ubnd_tinh", ["collective"], voted, plan_issued=True)
    assert v.voted_awards("-") == ()
    with pytest.raises(ValueError, match="nominee kind"):
        v.voted_awards("bang_khen_ubnd_tinh:tap_the")
