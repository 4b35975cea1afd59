"""The commendation route as a state machine: who may do what, where, and why not."""

from __future__ import annotations

from datetime import date

import pytest

from domain.awards import AWARDS, NomineeFacts, NomineeKind, dossier_problems
from domain.errors import DossierIncomplete, Forbidden, IllegalTransition, ReasonRequired
from domain.process import COMMENDATION_PROPOSAL as P
from domain.process import PROCESSES, Action, Stage, Status, allowed_actions, decide
from domain.roles import Actor, DossierScope, Role, RoleGrant

UNIT, OTHER_UNIT, HEAD_UNIT, AUTH = 10, 11, 12, 1
TODAY = date(2026, 11, 22)
SCOPE = DossierScope(
    unit_id=UNIT,
    authority_id=AUTH,
    cluster_id=5,
    cluster_term_id=50,
    cluster_leader_unit_ids=frozenset({HEAD_UNIT}),
)


def actor(role: Role, **where: int) -> Actor:
    return Actor(user_id=1, grants=(RoleGrant(role, **where),))


clerk = actor(Role.UNIT_CLERK, unit_id=UNIT)
head = actor(Role.UNIT_HEAD, unit_id=UNIT)
other_clerk = actor(Role.UNIT_CLERK, unit_id=OTHER_UNIT)
cluster = actor(Role.CLUSTER_APPROVER, unit_id=HEAD_UNIT)
ex_cluster = actor(Role.CLUSTER_APPROVER, unit_id=OTHER_UNIT)  # leads another year / cluster
specialist = actor(Role.BOARD_SPECIALIST, authority_id=AUTH)
board_head = actor(Role.BOARD_HEAD, authority_id=AUTH)
leader = actor(Role.AUTHORITY_LEADER, authority_id=AUTH)
auditor = actor(Role.AUDITOR, authority_id=AUTH)
admin = actor(Role.ADMIN, authority_id=AUTH)


def step(status: Status, who: Actor, action: Action, reason: str | None = None) -> Status:
    return decide(P, status, who, SCOPE, action, reason=reason).target


def test_the_whole_route_unit_cluster_board():
    s = step(Status.DRAFT, clerk, Action.SUBMIT)
    assert s == Status.UNIT_REVIEW
    s = step(s, head, Action.APPROVE)
    assert s == Status.CLUSTER_REVIEW
    s = step(s, cluster, Action.APPROVE)
    assert s == Status.BOARD_APPRAISAL
    s = step(s, specialist, Action.APPROVE)
    assert s == Status.BOARD_DECISION
    s = step(s, board_head, Action.APPROVE)
    assert s == Status.LEADERSHIP_REVIEW
    assert step(s, leader, Action.APPROVE) == Status.APPROVED


@pytest.mark.parametrize(
    "status,who",
    [
        (Status.UNIT_REVIEW, head),
        (Status.CLUSTER_REVIEW, cluster),
        (Status.BOARD_APPRAISAL, specialist),
        (Status.BOARD_DECISION, board_head),
        (Status.LEADERSHIP_REVIEW, leader),
    ],
)
def test_every_reviewer_can_return_to_the_clerk_with_a_reason(status, who):
    assert step(status, who, Action.RETURN, "Thiếu báo cáo thành tích") == Status.RETURNED
    with pytest.raises(ReasonRequired):
        step(status, who, Action.RETURN, "   ")


def test_returned_dossier_is_resubmitted_by_the_clerk():
    assert step(Status.RETURNED, clerk, Action.SUBMIT) == Status.UNIT_REVIEW


def test_reject_ends_the_dossier_and_needs_a_reason():
    assert step(Status.CLUSTER_REVIEW, cluster, Action.REJECT, "Không đủ điều kiện") == (
        Status.REJECTED
    )
    with pytest.raises(ReasonRequired):
        step(Status.BOARD_APPRAISAL, specialist, Action.REJECT)
    assert allowed_actions(P, Status.REJECTED, clerk, SCOPE) == []
    assert allowed_actions(P, Status.APPROVED, board_head, SCOPE) == []


def test_wrong_state_is_409_wrong_person_is_403():
    with pytest.raises(IllegalTransition):  # the head could approve, but not a draft
        step(Status.DRAFT, head, Action.APPROVE)
    with pytest.raises(Forbidden):  # a clerk never approves
        step(Status.UNIT_REVIEW, clerk, Action.APPROVE)
    with pytest.raises(Forbidden):  # another unit's clerk
        step(Status.DRAFT, other_clerk, Action.SUBMIT)
    with pytest.raises(Forbidden):  # a cluster approver whose unit does not lead this term
        step(Status.CLUSTER_REVIEW, ex_cluster, Action.APPROVE)
    with pytest.raises(IllegalTransition):  # the specialist, but at the board head's step
        step(Status.BOARD_DECISION, specialist, Action.APPROVE)
    for who in (auditor, admin):
        with pytest.raises(Forbidden):
            step(Status.BOARD_DECISION, who, Action.APPROVE)
    with pytest.raises(IllegalTransition):  # the Phòng's head cannot sign for the Sở
        step(Status.LEADERSHIP_REVIEW, board_head, Action.APPROVE)
    with pytest.raises(IllegalTransition):  # nor the Sở's leader approve for the Phòng
        step(Status.BOARD_DECISION, leader, Action.APPROVE)
    with pytest.raises(Forbidden):  # a leader of another authority
        step(Status.LEADERSHIP_REVIEW, actor(Role.AUTHORITY_LEADER, authority_id=2), Action.APPROVE)


def test_allowed_actions_per_caller():
    assert allowed_actions(P, Status.DRAFT, clerk, SCOPE) == [Action.SUBMIT]
    assert allowed_actions(P, Status.UNIT_REVIEW, clerk, SCOPE) == [Action.WITHDRAW]
    assert allowed_actions(P, Status.UNIT_REVIEW, head, SCOPE) == [Action.APPROVE, Action.RETURN]
    assert allowed_actions(P, Status.CLUSTER_REVIEW, cluster, SCOPE) == [
        Action.APPROVE,
        Action.RETURN,
        Action.REJECT,
    ]
    assert allowed_actions(P, Status.CLUSTER_REVIEW, head, SCOPE) == []
    assert allowed_actions(P, Status.CLUSTER_REVIEW, auditor, SCOPE) == []


def test_cluster_approver_held_at_a_cluster_term():
    term_holder = actor(Role.CLUSTER_APPROVER, cluster_term_id=50)
    assert step(Status.CLUSTER_REVIEW, term_holder, Action.APPROVE) == Status.BOARD_APPRAISAL
    with pytest.raises(Forbidden):
        step(
            Status.CLUSTER_REVIEW, actor(Role.CLUSTER_APPROVER, cluster_term_id=51), Action.APPROVE
        )


def test_who_sees_a_dossier():
    draft = SCOPE
    at_cluster = DossierScope(**{**SCOPE.__dict__, "reached_cluster": True})
    at_board = DossierScope(**{**SCOPE.__dict__, "reached_cluster": True, "reached_board": True})
    assert clerk.can_view(draft) and head.can_view(draft)
    assert not other_clerk.can_view(at_board)
    assert not cluster.can_view(draft) and cluster.can_view(at_cluster)
    assert not specialist.can_view(at_cluster) and specialist.can_view(at_board)
    assert auditor.can_view(draft)
    assert not admin.can_view(at_board)
    assert not leader.can_view(at_cluster) and leader.can_view(at_board)
    # A member of the unit sees only a dossier where they are a nominee linked to them.
    member = Actor(user_id=7, grants=(RoleGrant(Role.UNIT_MEMBER, unit_id=UNIT),))
    linked = DossierScope(**{**SCOPE.__dict__, "nominee_user_ids": frozenset({7})})
    assert member.can_view(linked) and not member.can_view(draft)
    elsewhere = Actor(user_id=7, grants=(RoleGrant(Role.UNIT_MEMBER, unit_id=OTHER_UNIT),))
    assert not elsewhere.can_view(linked)


def test_submit_checks_completeness():
    award = AWARDS["bang_khen_ubnd_tinh"]
    with pytest.raises(DossierIncomplete, match="chưa có"):
        decide(
            P,
            Status.DRAFT,
            clerk,
            SCOPE,
            Action.SUBMIT,
            reason=None,
            problems=dossier_problems(award, [], {"bien_ban_binh_xet"}, TODAY),
        )
    flag = AWARDS["co_thi_dua_ubnd_tinh"]
    problems = dossier_problems(
        flag,
        [
            NomineeFacts(NomineeKind.INDIVIDUAL, "Nguyễn Văn A", "Hoàn thành xuất sắc"),
            NomineeFacts(NomineeKind.COLLECTIVE, "Phòng B", " "),
        ],
        set(),
        TODAY,
    )
    assert problems == [
        "Cờ thi đua của UBND tỉnh không xét cho cá nhân «Nguyễn Văn A»",
        "tập thể «Phòng B» chưa có tóm tắt thành tích",
    ]


def test_every_step_issues_forms_from_the_catalogue():
    from doc_templates.catalogue import FORMS

    # Submitting issues nothing (the reports are the unit head's to sign), and the
    # Phòng's head passes the dossier to the Sở's leadership without a document.
    silent = {(Action.SUBMIT, Status.DRAFT), (Action.SUBMIT, Status.RETURNED)}
    silent.add((Action.APPROVE, Status.BOARD_DECISION))
    for t in P.transitions:
        for f in t.forms:
            assert f.form in FORMS
        if t.action in (Action.SUBMIT, Action.APPROVE, Action.RETURN, Action.REJECT):
            assert bool(t.forms) != ((t.action, t.source) in silent), (t.action, t.source)


def test_who_signs_what():
    forms = {
        (t.source, f.form): f for t in P.transitions if t.action == Action.APPROVE for f in t.forms
    }
    # The unit head signs the achievement reports with the unit's Tờ trình.
    reports = forms[Status.UNIT_REVIEW, "bao_cao_thanh_tich"]
    assert reports.per_nominee and not reports.numbered and reports.sealed
    assert (Status.UNIT_REVIEW, "to_trinh_don_vi") in forms
    # ... after the individuals linked to an account signed their own.
    own = P.own_signature(Status.UNIT_REVIEW)
    assert own is not None and own.form == "bao_cao_thanh_tich"
    assert P.own_signature(Status.CLUSTER_REVIEW) is None
    # The specialist's appraisal report: their own signature, dated, no number, no seal.
    report = forms[Status.BOARD_APPRAISAL, "phieu_tham_dinh"]
    assert not report.sealed and not report.numbered
    assert P.find(Action.APPROVE, Status.BOARD_APPRAISAL).checks_appraisal  # type: ignore[union-attr]
    # The Sở's Tờ trình is its leadership's, numbered and sealed.
    board = forms[Status.LEADERSHIP_REVIEW, "to_trinh_ban"]
    assert board.numbered and board.sealed
    assert P.find(Action.APPROVE, Status.LEADERSHIP_REVIEW).roles == {Role.AUTHORITY_LEADER}  # type: ignore[union-attr]
    assert P.acting_states(Role.AUTHORITY_LEADER) == {Status.LEADERSHIP_REVIEW}


def test_each_form_says_who_issues_and_who_signs_it():
    """The process declares per form whose document it is and whose signature it carries;
    unless it says otherwise, the stage the dossier leaves issues and the acting role signs."""
    process = PROCESSES["commendation_proposal"]
    issued = {
        f.form: (process.issuer_of(t, f), t.signer_of(f))
        for t in process.transitions
        if t.action == Action.APPROVE
        for f in t.forms
    }
    assert issued["bao_cao_thanh_tich"] == (Stage.UNIT, Role.UNIT_HEAD)
    assert issued["to_trinh_don_vi"] == (Stage.UNIT, Role.UNIT_HEAD)
    assert issued["to_trinh_cum"] == (Stage.CLUSTER, Role.CLUSTER_APPROVER)
    assert issued["phieu_tham_dinh"] == (Stage.BOARD, Role.BOARD_SPECIALIST)
    assert issued["to_trinh_ban"] == (Stage.LEADERSHIP, Role.AUTHORITY_LEADER)
    assert process.subject_kind == "dossier"
