"""The cluster's proposal's rules: the tally's candidate questions by dossier, the
refusals with their codes, the grouping by award, the process's steps and roles."""

from __future__ import annotations

import pytest

from domain import cluster_proposal as rules
from domain.errors import Conflict, InvalidInput
from domain.process import (
    CLUSTER_PROPOSAL,
    PROCESSES,
    STATUS_LABELS,
    STATUS_STAGE,
    Action,
    Stage,
    Status,
)
from domain.roles import Role
from domain.subjects import GROUPS, SubjectKind

TALLY = {
    "results": [
        {"key": -1, "kind": "cum_dan_dau", "passed": True, "winner": "7", "counts": []},
        {
            "key": 12,
            "kind": "bang_khen",
            "passed": True,
            "voters": 4,
            "rule": "quá 1/2",
            "counts": [{"value": "dong_y", "label": "Đồng ý", "votes": 4}],
        },
        {"key": 13, "kind": "bang_khen", "passed": False, "voters": 4, "counts": []},
    ]
}


def test_the_tally_by_dossier() -> None:
    found = rules.vote_results(TALLY)
    assert set(found) == {12, 13}
    assert found[12].passed and not found[13].passed
    assert rules.tally_text(found[12]) == "Đồng ý 4 (4 phiếu)"
    assert rules.vote_results(None) == {}


def test_refusals_have_codes() -> None:
    cases = [
        (lambda: rules.check_vote_closed(False, False), "vote_missing"),
        (lambda: rules.check_vote_closed(True, False), "vote_not_closed"),
        (lambda: rules.check_nominees(0), "proposal_no_nominee"),
        (lambda: rules.check_editable("board_appraisal"), "proposal_not_editable"),
        (lambda: rules.check_strikable("draft", False, 3), "proposal_not_in_appraisal"),
        (lambda: rules.check_strikable("board_appraisal", True, 3), "already_struck"),
        (lambda: rules.check_strikable("board_appraisal", False, 1), "last_nominee"),
    ]
    for call, code in cases:
        with pytest.raises(Conflict) as e:
            call()
        assert e.value.code == code
    with pytest.raises(InvalidInput) as e2:
        rules.check_reason("   ")
    assert e2.value.code == "reason_required"
    assert rules.check_reason("  Thiếu   minh chứng ") == "Thiếu minh chứng"
    rules.check_vote_closed(True, True)
    rules.check_editable("returned")
    assert rules.problems(0, False) == [
        "Không có hồ sơ nào được Cụm bình xét đạt.",
        "Biên bản họp bình xét, suy tôn chưa được ký, đóng dấu.",
    ]
    assert rules.problems(2, True) == []


def test_grouped_by_award_in_the_catalogues_order() -> None:
    entries = [
        rules.Entry(5, "co_thi_dua_ubnd_tinh", "A"),
        rules.Entry(3, "bang_khen_ubnd_tinh", "B"),
        rules.Entry(1, "bang_khen_ubnd_tinh", "C"),
    ]
    groups = rules.by_award(entries, ["bang_khen_ubnd_tinh", "co_thi_dua_ubnd_tinh"])
    assert [(a, [e.dossier_id for e in es]) for a, es in groups] == [
        ("bang_khen_ubnd_tinh", [1, 3]),
        ("co_thi_dua_ubnd_tinh", [5]),
    ]


def test_the_process_and_the_new_dossier_statuses() -> None:
    assert PROCESSES["cluster_proposal"] is CLUSTER_PROPOSAL
    assert CLUSTER_PROPOSAL.subject_kind is SubjectKind.CLUSTER_PROPOSAL
    assert GROUPS[SubjectKind.CLUSTER_PROPOSAL] == (SubjectKind.DOSSIER,)
    sign = CLUSTER_PROPOSAL.find(Action.APPROVE, "draft")
    assert sign is not None and sign.roles == {Role.CLUSTER_APPROVER}
    assert [f.form for f in sign.forms] == ["to_trinh_cum_tong_hop"]
    assert CLUSTER_PROPOSAL.issuer_of(sign, sign.forms[0]) is Stage.CLUSTER
    approve = CLUSTER_PROPOSAL.find(Action.APPROVE, "board_appraisal")
    assert approve is not None and approve.roles == {Role.BOARD_HEAD} and not approve.forms
    back = CLUSTER_PROPOSAL.find(Action.RETURN, "board_appraisal")
    assert back is not None and back.needs_reason and back.target == "returned"
    assert CLUSTER_PROPOSAL.find(Action.APPROVE, "returned") is not None
    assert Status.CLUSTER_VOTE == "cluster_vote" and Status.CLUSTER_VOTED == "cluster_voted"
    assert STATUS_LABELS[Status.CLUSTER_VOTE] == "Chờ Cụm bình xét"
    assert STATUS_LABELS[Status.CLUSTER_VOTED] == "Cụm đã bình xét, chờ Tờ trình của Cụm"
    assert STATUS_STAGE[Status.CLUSTER_VOTED] is Stage.CLUSTER
