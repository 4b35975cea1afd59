"""Who may delegate what to whom, when a delegation is in force, and how the delegate
signs (domain/delegation.py): each refusal with its own code."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain import delegation as rules
from domain.delegation import Delegation, DelegationKind
from domain.errors import DomainError
from domain.roles import Actor, DossierScope, Role, RoleGrant

HEAD = RoleGrant(Role.BOARD_HEAD, authority_id=1)
DEPUTY = RoleGrant(Role.BOARD_SPECIALIST, authority_id=1)
ELSEWHERE = RoleGrant(Role.BOARD_SPECIALIST, authority_id=2)
TODAY = date(2026, 12, 7)


def check(**over: object) -> None:
    args: dict[str, object] = {
        "delegator_id": 1,
        "delegator_grants": [HEAD],
        "grant": HEAD,
        "delegate_id": 2,
        "delegate_active": True,
        "delegate_grants": [DEPUTY],
        "valid_from": TODAY,
        "valid_to": TODAY + timedelta(days=6),
        "today": TODAY,
        "overlapping": [],
    }
    args.update(over)
    rules.check_new(**args)  # type: ignore[arg-type]


def code_of(**over: object) -> str:
    with pytest.raises(DomainError) as e:
        check(**over)
    return e.value.code


def week(id_: int = 9, start: date = TODAY, revoked: bool = False) -> Delegation:
    return Delegation(id_, 1, 2, HEAD, start, start + timedelta(days=6), DelegationKind.KT, revoked)


def test_a_head_delegates_their_role_to_a_colleague_for_a_week():
    check()


@pytest.mark.parametrize(
    ("over", "code"),
    [
        ({"delegate_id": 1}, "self_delegation"),
        ({"delegate_active": False}, "delegate_inactive"),
        ({"delegate_grants": [ELSEWHERE]}, "delegate_elsewhere"),
        ({"delegate_grants": []}, "delegate_elsewhere"),
        ({"delegate_grants": [DEPUTY, HEAD]}, "delegate_holds_role"),
        ({"valid_from": TODAY + timedelta(days=3), "valid_to": TODAY}, "delegation_dates"),
        (
            {"valid_from": TODAY - timedelta(days=9), "valid_to": TODAY - timedelta(days=1)},
            "delegation_in_past",
        ),
        ({"valid_to": TODAY + timedelta(days=400)}, "delegation_too_long"),
        ({"delegator_grants": [DEPUTY]}, "grant_not_held"),
        (
            {
                "grant": RoleGrant(Role.AUDITOR, authority_id=1),
                "delegator_grants": [RoleGrant(Role.AUDITOR, authority_id=1)],
            },
            "role_not_delegable",
        ),
        ({"overlapping": [week(start=TODAY + timedelta(days=3))]}, "delegation_overlap"),
    ],
)
def test_refusals_have_their_own_codes(over: dict[str, object], code: str):
    assert code_of(**over) == code


def test_a_revoked_or_adjacent_delegation_does_not_overlap():
    check(overlapping=[week(revoked=True), week(start=TODAY + timedelta(days=7))])


def test_a_delegation_is_in_force_only_within_its_dates_and_until_revoked():
    d = week()
    assert not d.in_force(TODAY - timedelta(days=1))
    assert d.in_force(TODAY) and d.in_force(TODAY + timedelta(days=6))
    assert not d.in_force(TODAY + timedelta(days=7))
    assert not week(revoked=True).in_force(TODAY)
    assert rules.in_force([d], TODAY + timedelta(days=7)) == []


def test_the_delegate_holds_the_head_role_while_it_lasts():
    scope = DossierScope(unit_id=5, authority_id=1)
    deputy = Actor(2, (DEPUTY, *rules.in_force([week()], TODAY)))
    assert deputy.holds(Role.BOARD_HEAD, scope)
    assert not deputy.own().holds(Role.BOARD_HEAD, scope)
    later = Actor(2, (DEPUTY, *rules.in_force([week()], TODAY + timedelta(days=7))))
    assert not later.holds(Role.BOARD_HEAD, scope)


def test_revoking_is_for_the_two_people_or_an_admin_and_only_while_open():
    rules.check_revoke(week(), by_id=1, by_admin=False, today=TODAY)
    rules.check_revoke(week(), by_id=7, by_admin=True, today=TODAY)
    with pytest.raises(DomainError) as e:
        rules.check_revoke(week(), by_id=7, by_admin=False, today=TODAY)
    assert e.value.code == "delegation_forbidden"
    with pytest.raises(DomainError) as e:
        rules.check_revoke(week(revoked=True), by_id=1, by_admin=False, today=TODAY)
    assert e.value.code == "delegation_closed"


@pytest.mark.parametrize(
    ("kind", "marker", "position"),
    [
        (DelegationKind.KT, "TL. GIÁM ĐỐC SỞ NỘI VỤ\nKT. TRƯỞNG PHÒNG", "PHÓ TRƯỞNG PHÒNG"),
        (DelegationKind.TUQ, "TL. GIÁM ĐỐC SỞ NỘI VỤ\nTUQ. TRƯỞNG PHÒNG", "PHÓ TRƯỞNG PHÒNG"),
        (DelegationKind.TL, "TL. GIÁM ĐỐC SỞ NỘI VỤ\nTL. TRƯỞNG PHÒNG", "PHÓ TRƯỞNG PHÒNG"),
        (DelegationKind.Q, "TL. GIÁM ĐỐC SỞ NỘI VỤ", "Q. TRƯỞNG PHÒNG"),
    ],
)
def test_the_signature_block_says_how_the_delegate_signs(kind, marker, position):
    lines = rules.signature_lines(
        kind,
        head_position="Trưởng phòng",
        own_position="Phó Trưởng phòng",
        base_marker="TL. GIÁM ĐỐC SỞ NỘI VỤ",
    )
    assert (lines.marker, lines.position) == (marker, position)


def test_a_head_without_a_marker_of_their_own():
    lines = rules.signature_lines(
        DelegationKind.KT, head_position="Thủ trưởng đơn vị", own_position="Phó Thủ trưởng"
    )
    assert (lines.marker, lines.position) == ("KT. THỦ TRƯỞNG ĐƠN VỊ", "PHÓ THỦ TRƯỞNG")
    assert all(rules.KIND_EXPLANATIONS[k] for k in DelegationKind)
