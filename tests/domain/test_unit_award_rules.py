"""The rules of a title a unit enters itself: who may, which titles fit which holder, one
yearly title a year, the issuer the form proposes."""

from __future__ import annotations

import pytest

from domain import registry_import as rules
from domain.awards import NomineeKind
from domain.errors import Forbidden, InvalidInput
from domain.roles import Actor, Role, RoleGrant


def test_the_unit_s_clerk_and_head_enter_their_own_unit_s_titles_only() -> None:
    clerk = Actor(1, (RoleGrant(Role.UNIT_CLERK, unit_id=7),))
    head = Actor(2, (RoleGrant(Role.UNIT_HEAD, unit_id=7),))
    assert rules.unit_award_grant(clerk, 7) == (7, Role.UNIT_CLERK)
    assert rules.unit_award_grant(head, None) == (7, Role.UNIT_HEAD)
    assert rules.may_enter_unit_award(head, 7) and not rules.may_enter_unit_award(head, 8)
    with pytest.raises(Forbidden):
        rules.unit_award_grant(clerk, 8)
    board = Actor(3, (RoleGrant(Role.BOARD_SPECIALIST, authority_id=1),))
    assert not rules.may_enter_unit_award(board, 7)


def test_titles_offered_by_holder_kind_and_once_a_year() -> None:
    people = [c for c, _ in rules.unit_award_codes(NomineeKind.INDIVIDUAL)]
    teams = [c for c, _ in rules.unit_award_codes(NomineeKind.COLLECTIVE)]
    assert "chien_si_thi_dua_co_so" in people and "chien_si_thi_dua_co_so" not in teams
    assert "tap_the_lao_dong_tien_tien" in teams and "tap_the_lao_dong_tien_tien" not in people
    assert "bang_khen_ubnd_tinh" not in people + teams
    assert rules.once_a_year("chien_si_thi_dua_co_so", "yearly")
    assert not rules.once_a_year("giay_khen", "yearly")
    assert not rules.once_a_year("chien_si_thi_dua_co_so", "dot_xuat")


def test_occasion_and_issuer() -> None:
    assert rules.unit_award_occasion("") == "yearly"
    with pytest.raises(InvalidInput) as e:
        rules.unit_award_occasion("moi_thang")
    assert e.value.code == "occasion_invalid"
    assert rules.unit_award_issuer("  ", "Ban Dân tộc tỉnh") == "Ban Dân tộc tỉnh"
    assert rules.default_issuer("Thủ trưởng đơn vị", "Ban Dân tộc tỉnh") == (
        "Thủ trưởng Ban Dân tộc tỉnh"
    )
    assert rules.default_issuer("Trưởng ban", "Ban Dân tộc tỉnh") == "Trưởng ban Ban Dân tộc tỉnh"
    assert rules.default_issuer(None, "Ban Dân tộc tỉnh") == "Ban Dân tộc tỉnh"
