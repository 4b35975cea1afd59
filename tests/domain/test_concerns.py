"""The status tiles of each role's home page, derived from the process and visibility."""

from __future__ import annotations

from domain.concerns import statuses_of_concern
from domain.process import STATUS_LABELS, Status
from domain.roles import Role

ALL = list(STATUS_LABELS)


def test_the_units_people_follow_a_dossier_through_the_whole_route():
    assert statuses_of_concern([Role.UNIT_CLERK]) == ALL
    assert statuses_of_concern([Role.UNIT_HEAD]) == ALL


def test_the_cluster_and_the_board_from_their_own_stage_on_and_what_they_send_back():
    assert statuses_of_concern([Role.CLUSTER_APPROVER]) == [
        Status.RETURNED,
        Status.CLUSTER_REVIEW,
        Status.CLUSTER_VOTE,  # waits for the cluster's year-end vote
        Status.CLUSTER_VOTED,  # waits for the cluster's one Tờ trình
        Status.BOARD_APPRAISAL,
        Status.BOARD_DECISION,
        Status.LEADERSHIP_REVIEW,
        Status.APPROVED,
        Status.REJECTED,
        Status.AWARDED,  # closed by the Chủ tịch UBND tỉnh's decision
    ]
    board = [
        Status.RETURNED,
        Status.BOARD_APPRAISAL,
        Status.BOARD_DECISION,
        Status.LEADERSHIP_REVIEW,
        Status.APPROVED,
        Status.REJECTED,
        Status.AWARDED,  # closed by the Chủ tịch UBND tỉnh's decision
    ]
    assert statuses_of_concern([Role.BOARD_SPECIALIST]) == board
    assert statuses_of_concern([Role.BOARD_HEAD]) == board


def test_the_sos_leaders_from_their_own_step_on():
    assert statuses_of_concern([Role.AUTHORITY_LEADER]) == [
        Status.RETURNED,
        Status.LEADERSHIP_REVIEW,
        Status.APPROVED,
        Status.REJECTED,
        Status.AWARDED,  # closed by the Chủ tịch UBND tỉnh's decision
    ]


def test_the_auditor_sees_every_status_and_the_admin_none():
    assert statuses_of_concern([Role.AUDITOR]) == ALL
    assert statuses_of_concern([Role.ADMIN]) == []
    assert statuses_of_concern([Role.DECISION_MAKER]) == []  # decisions, not dossiers


def test_several_roles_see_what_concerns_any_of_them():
    assert statuses_of_concern([Role.BOARD_SPECIALIST, Role.UNIT_CLERK]) == ALL
    assert statuses_of_concern([]) == []
