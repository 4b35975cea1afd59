"""The round's rules: what may go in, and how its list is grouped and numbered."""

import pytest

from domain import rounds
from domain.errors import Conflict, Forbidden, InvalidInput
from domain.roles import Actor, Role, RoleGrant
from domain.rounds import Candidate, ListedNominee, check_admissible, list_groups

BK, CSTD = "bang_khen_ubnd_tinh", "chien_si_thi_dua_co_so"


def candidate(**kw) -> Candidate:
    base = {"dossier_id": 7, "status": "approved", "award": BK, "authority_id": 1, "in_round": None}
    return Candidate(**{**base, **kw})


def admit(c: Candidate) -> None:
    check_admissible(c, round_authority_id=1, round_awards=[BK], round_name="Đợt 1")


def test_an_approved_dossier_of_the_authority_for_a_covered_award_goes_in():
    admit(candidate())


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"status": "board_appraisal"}, "dossier_not_approved"),
        ({"status": "rejected"}, "dossier_not_approved"),
        ({"in_round": "Đợt 1"}, "already_in_round"),
        ({"in_round": "Đợt chuyên đề"}, "in_another_round"),
        ({"authority_id": 2}, "other_authority"),
        ({"award": CSTD}, "award_not_in_round"),
    ],
)
def test_what_may_not_go_in_says_why(change, code):
    with pytest.raises(Conflict) as e:
        admit(candidate(**change))
    assert e.value.code == code and e.value.status == 409
    assert "Hồ sơ số 7" in e.value.message


def test_names_and_awards_are_checked():
    assert rounds.check_name("  Đợt   tổng kết ") == "Đợt tổng kết"
    for bad, code in (("", "round_name_required"), ("x" * 301, "round_name_too_long")):
        with pytest.raises(InvalidInput) as e:
            rounds.check_name(bad)
        assert e.value.code == code
    assert rounds.check_awards([BK, CSTD, BK], [BK, CSTD]) == (BK, CSTD)
    with pytest.raises(InvalidInput):
        rounds.check_awards(["huan_chuong"], [BK])


def test_only_the_authoritys_board_leaders_and_auditors_see_a_round():
    board = Actor(1, (RoleGrant(Role.BOARD_SPECIALIST, authority_id=1),))
    other_board = Actor(2, (RoleGrant(Role.BOARD_HEAD, authority_id=2),))
    auditor = Actor(3, (RoleGrant(Role.AUDITOR),))
    clerk = Actor(4, (RoleGrant(Role.UNIT_CLERK, unit_id=5),))
    assert rounds.can_view(board, 1) and rounds.can_view(auditor, 1)
    assert not rounds.can_view(other_board, 1) and not rounds.can_view(clerk, 1)
    rounds.check_composer(board, 1)
    for who in (other_board, auditor, clerk):
        with pytest.raises(Forbidden):
            rounds.check_composer(who, 1)


def n(award: str, kind: str, name: str) -> ListedNominee:
    return ListedNominee(award, kind, name, "", "Ban Dân tộc tỉnh", "Cụm I", 1)


def test_the_list_is_grouped_by_award_in_the_rounds_order_collectives_first():
    nominees = [
        n(CSTD, "individual", "An"),
        n(BK, "individual", "Bình"),
        n(BK, "collective", "Phòng A"),
        n(BK, "individual", "Chi"),
    ]
    groups = list_groups(nominees, {BK: "Bằng khen", CSTD: "Chiến sĩ"}, [BK, "co_thi_dua", CSTD])
    assert [(g["numeral"], g["award_name"]) for g in groups] == [
        ("I", "Bằng khen"),
        ("II", "Chiến sĩ"),
    ]
    first, second = groups
    assert first["collective_heading"] == "1" and first["individual_heading"] == "2"
    assert [c["name"] for c in first["collectives"]] == ["Phòng A"]
    assert [(i["index"], i["name"]) for i in first["individuals"]] == [(1, "Bình"), (2, "Chi")]
    assert first["counts"] == {"collectives": 1, "individuals": 2}
    assert second["collectives"] == [] and second["individual_heading"] == "1"
