"""The rules of a meeting that votes (domain/meetings.py): quorum, thresholds counted on
the whole membership, effective dates, and every refusal with its code."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from domain import meetings as m
from domain.errors import Conflict, Forbidden

ON = date(2026, 12, 1)


def council(present: int, total: int = 7) -> list[m.Member]:
    roles = [m.MemberRole.CHAIR, m.MemberRole.SECRETARY] + [m.MemberRole.MEMBER] * (total - 2)
    return [m.Member(i, r, i < present) for i, r in enumerate(roles)]


def ballots(key: int, agree: int, disagree: int = 0, abstain: int = 0):
    votes = [m.Ballot.AGREE] * agree + [m.Ballot.DISAGREE] * disagree
    votes += [m.Ballot.ABSTAIN] * abstain
    return {(key, user): b for user, b in enumerate(votes)}


def test_quorum_is_two_thirds_of_the_members():
    m.check_close(council(5), ON)  # 5/7 ≥ 2/3
    m.check_close(council(2, total=3), ON)  # exactly 2/3
    with pytest.raises(Conflict) as e:
        m.check_close(council(4), ON)
    assert e.value.code == "no_quorum" and "4/7" in e.value.message
    assert "cần ít nhất 2/3 số thành viên" in e.value.message


def test_the_share_is_counted_on_the_whole_membership_not_on_those_present():
    q = m.Question(1, "…", "bang_khen_ubnd_tinh")
    # 5 present, all agree: 100% of those present, 71,4% of the 7 members: not 80%.
    [r] = m.tally([q], council(5), ballots(1, 5), ON)
    assert (r.agree, r.members, r.present) == (5, 7, 5)
    assert r.share == Fraction(5, 7) and not r.passed
    assert m.percent(r.share) == "71,4%"
    # 6 of 7 agree: 85,7% ≥ 80%.
    [r] = m.tally([q], council(7), ballots(1, 6, 1), ON)
    assert r.passed


def test_a_present_member_who_casts_no_ballot_counts_for_nothing():
    q = m.Question(1, "…", "co_thi_dua_ubnd_tinh")
    [r] = m.tally([q], council(7), ballots(1, 5, 0, 1), ON)
    assert (r.agree, r.disagree, r.abstain) == (5, 0, 1) and not r.passed


def test_awards_have_their_own_thresholds_marked_unconfirmed():
    cstd = m.threshold_rule("chien_si_thi_dua_cap_tinh", ON)
    co = m.threshold_rule("co_thi_dua_ubnd_tinh", ON)
    other = m.threshold_rule("bang_khen_ubnd_tinh", ON)
    assert (cstd.share, co.share, other.share) == (Fraction(9, 10), Fraction(4, 5), Fraction(4, 5))
    assert other.award is None  # the configured default for any other award
    for rule in (cstd, co, other):
        assert not rule.confirmed
        assert "NĐ 98/2023 (đã hết hiệu lực) — chưa xác nhận theo NĐ 152/2025" in rule.basis
    # 6 of 7 is 85,7%: enough for a Cờ, not for a Chiến sĩ thi đua cấp tỉnh.
    qs = [
        m.Question(1, "…", "co_thi_dua_ubnd_tinh"),
        m.Question(2, "…", "chien_si_thi_dua_cap_tinh"),
    ]
    votes = {**ballots(1, 6, 1), **ballots(2, 6, 1)}
    assert [r.passed for r in m.tally(qs, council(7), votes, ON)] == [True, False]


def test_thresholds_follow_their_effective_dates():
    old = m.ThresholdRule(None, Fraction(1, 2), date(2020, 1, 1), date(2026, 1, 1), "cũ", True)
    new = m.ThresholdRule(None, Fraction(3, 4), date(2026, 1, 1), None, "mới", False)
    assert m.threshold_rule("x", date(2025, 12, 31), (old, new)) is old
    assert m.threshold_rule("x", date(2026, 1, 1), (old, new)) is new
    with pytest.raises(LookupError):
        m.threshold_rule("x", date(2019, 1, 1), (old, new))
    # A province's configuration counts from the meeting's date and wins over the default.
    mine = m.configured_thresholds("bang_khen_ubnd_tinh=70", ON)
    rule = m.threshold_rule("bang_khen_ubnd_tinh", ON, (*m.THRESHOLD_RULES, *mine))
    assert rule.share == Fraction(7, 10) and not rule.confirmed
    assert m.rule_from(m.rule_data(rule)) == rule
    with pytest.raises(ValueError):
        m.configured_thresholds("bang_khen_ubnd_tinh=0", ON)


def test_a_member_votes_once_while_open_and_only_when_present():
    here = m.Member(1, m.MemberRole.MEMBER, True)
    m.check_vote("open", here, already=False)
    cases = [
        ("closed", here, False, Conflict, "meeting_closed"),
        ("open", None, False, Forbidden, "not_a_member"),
        ("open", m.Member(2, m.MemberRole.MEMBER, False), False, Forbidden, "absent_member"),
        ("open", here, True, Conflict, "already_voted"),
    ]
    for status, member, already, error, code in cases:
        with pytest.raises(error) as e:
            m.check_vote(status, member, already)
        assert e.value.code == code


def test_a_meeting_has_one_chair_and_one_secretary():
    roles = [m.MemberRole.CHAIR, m.MemberRole.SECRETARY, m.MemberRole.MEMBER]
    m.check_members(roles)
    for bad in (roles[1:], [*roles, m.MemberRole.SECRETARY]):
        with pytest.raises(Exception) as e:
            m.check_members(bad)
        assert getattr(e.value, "code", "") == "meeting_roles"


def test_which_rounds_go_before_the_council_is_configuration():
    assert m.needs_council(["bang_khen_ubnd_tinh"], m.council_awards("*"))
    assert not m.needs_council(["bang_khen_ubnd_tinh"], m.council_awards("-"))
    only_co = m.council_awards("co_thi_dua_ubnd_tinh")
    assert m.needs_council(["bang_khen_ubnd_tinh", "co_thi_dua_ubnd_tinh"], only_co)
    assert not m.needs_council(["bang_khen_ubnd_tinh"], only_co)
