"""The commendation proposal as a declarative state machine.

States, actions, the roles that may take each action in each state, the guards, and the
forms each step issues are declared once here. Everything that decides who may do what
(the API's allowed actions, the inbox query, authorisation of an action) derives from
this table. No I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from domain.cluster_plan import PLAN_STATUS_LABELS, PlanStatus
from domain.cluster_proposal import PROPOSAL_STATUS_LABELS, ProposalStatus
from domain.cluster_vote import PROCESS as CLUSTER_VOTE_PROCESS
from domain.decisions import DECISION_STATUS_LABELS, DecisionStatus
from domain.errors import DossierIncomplete, Forbidden, IllegalTransition, ReasonRequired
from domain.meetings import MEETING_STATUS_LABELS, MeetingStatus
from domain.policy import SubjectScope
from domain.roles import Actor, Role
from domain.rounds import ROUND_STATUS_LABELS, RoundStatus
from domain.subjects import SubjectKind


class Stage(StrEnum):
    UNIT = "unit"
    CLUSTER = "cluster"
    BOARD = "board"
    LEADERSHIP = "leadership"
    DONE = "done"


STAGE_LABELS = {
    Stage.UNIT: "Đơn vị",
    Stage.CLUSTER: "Cụm thi đua",
    Stage.BOARD: "Phòng Thi đua – Khen thưởng",
    Stage.LEADERSHIP: "Lãnh đạo Sở",
    Stage.DONE: "Kết thúc",
}
STAGE_ORDER = (Stage.UNIT, Stage.CLUSTER, Stage.BOARD, Stage.LEADERSHIP, Stage.DONE)


class Status(StrEnum):
    DRAFT = "draft"
    RETURNED = "returned"
    UNIT_REVIEW = "unit_review"
    CLUSTER_REVIEW = "cluster_review"
    CLUSTER_VOTE = "cluster_vote"
    """At the cluster, waiting for its year-end vote (process CLUSTER_VOTED_PROPOSAL)."""
    CLUSTER_VOTED = "cluster_voted"
    """Passed the cluster's vote: goes to the board in the cluster's one proposal."""
    BOARD_APPRAISAL = "board_appraisal"
    BOARD_DECISION = "board_decision"
    LEADERSHIP_REVIEW = "leadership_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    AWARDED = "awarded"


STATUS_LABELS = {
    Status.DRAFT: "Dự thảo",
    Status.RETURNED: "Bị trả lại",
    Status.UNIT_REVIEW: "Chờ thủ trưởng đơn vị duyệt",
    Status.CLUSTER_REVIEW: "Chờ Cụm thi đua xét",
    Status.CLUSTER_VOTE: "Chờ Cụm bình xét",
    Status.CLUSTER_VOTED: "Cụm đã bình xét, chờ Tờ trình của Cụm",
    Status.BOARD_APPRAISAL: "Chờ thẩm định",
    Status.BOARD_DECISION: "Chờ lãnh đạo Phòng duyệt",
    Status.LEADERSHIP_REVIEW: "Chờ lãnh đạo Sở ký",
    Status.APPROVED: "Đã duyệt, trình khen thưởng",
    Status.REJECTED: "Không được đề nghị khen thưởng",
    Status.AWARDED: "Đã khen thưởng",
}

STATUS_STAGE = {
    Status.DRAFT: Stage.UNIT,
    Status.RETURNED: Stage.UNIT,
    Status.UNIT_REVIEW: Stage.UNIT,
    Status.CLUSTER_REVIEW: Stage.CLUSTER,
    Status.CLUSTER_VOTE: Stage.CLUSTER,
    Status.CLUSTER_VOTED: Stage.CLUSTER,
    Status.BOARD_APPRAISAL: Stage.BOARD,
    Status.BOARD_DECISION: Stage.BOARD,
    Status.LEADERSHIP_REVIEW: Stage.LEADERSHIP,
    Status.APPROVED: Stage.DONE,
    Status.REJECTED: Stage.DONE,
    Status.AWARDED: Stage.DONE,
}

EDITABLE = frozenset({Status.DRAFT, Status.RETURNED})


class Action(StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"
    RETURN = "return"
    REJECT = "reject"
    WITHDRAW = "withdraw"


ACTION_LABELS = {
    Action.SUBMIT: "Trình hồ sơ",
    Action.APPROVE: "Duyệt và ký",
    Action.RETURN: "Trả lại",
    Action.REJECT: "Không đề nghị khen thưởng",
    Action.WITHDRAW: "Rút hồ sơ về dự thảo",
}


@dataclass(frozen=True)
class FormStep:
    """A form a step issues. `per_nominee` issues one copy per nominee; `numbered` forms
    take the next number of the issuer's series (an achievement report has none)."""

    form: str
    per_nominee: bool = False
    numbered: bool = True
    seals_attachments: bool = False
    """The dossier's PDF attachments are sealed with this form's number (they are filed
    with it: "kèm theo Tờ trình số …")."""
    sealed: bool = True
    """False: the approver's personal signature only, no organisation seal — a person's
    own report (the specialist's Báo cáo thẩm định), not a document its head signed."""
    issuer: Stage | None = None
    """Whose document it is (its heading, number series and seal); None: the stage the
    subject is leaving (the process's `stages` say which that is)."""
    signer: Role | None = None
    """Who signs it personally; None: the role taking the step."""


@dataclass(frozen=True)
class OwnSignature:
    """While a dossier waits in `state`, each individual nominee linked to an account
    signs their own copy of `form` (an achievement report is signed by the person it is
    about); the approval from `state` waits for every one of them. Signing does not move
    the dossier."""

    state: Status
    form: str


@dataclass(frozen=True)
class Transition:
    """One move of a process. `source` and `target` are states of the process's own
    (a dossier's `Status`, a round's `RoundStatus`, …)."""

    action: Action
    source: StrEnum
    target: StrEnum
    roles: frozenset[Role]
    forms: tuple[FormStep, ...] = ()
    needs_reason: bool = False
    checks_completeness: bool = False
    checks_appraisal: bool = False
    """Needs a recorded appraisal result for every nominee and one who passes
    (domain/appraisal.py)."""

    def signer_of(self, form: FormStep) -> Role:
        """Whose personal signature the form carries: the form's declared signer, else
        the role taking the step."""
        return form.signer or sorted(self.roles)[0]


_T = TypeVar("_T")


def _by_value(table: Mapping[Any, _T]) -> dict[str, _T]:
    """A table keyed by a process's own state enum, keyed by the states' values."""
    return {str(k): v for k, v in table.items()}


@dataclass(frozen=True)
class ProcessDefinition:
    code: str
    name: str
    transitions: tuple[Transition, ...]
    own_signatures: tuple[OwnSignature, ...] = ()
    subject_kind: SubjectKind = SubjectKind.DOSSIER
    """What the process moves (domain/subjects.py): the policy's rules of that kind say
    who holds its roles, and the inbox of that kind lists its states."""
    stages: Mapping[str, Stage] = field(
        default_factory=lambda: {str(k): v for k, v in STATUS_STAGE.items()}
    )
    """The stage each state of the process is at: whose desk the subject is on."""
    state_labels: Mapping[str, str] = field(
        default_factory=lambda: {str(k): v for k, v in STATUS_LABELS.items()}
    )
    action_labels: Mapping[Action, str] = field(default_factory=lambda: dict(ACTION_LABELS))
    noun: str = "hồ sơ"
    """What users call the subject, in the process's messages."""

    def issuer_of(self, step: Transition, form: FormStep) -> Stage:
        """Whose document a form of `step` is: the form's declared issuer, else the stage
        the subject is leaving."""
        return form.issuer or self.stages[step.source]

    def find(self, action: Action, source: str) -> Transition | None:
        for t in self.transitions:
            if t.action == action and t.source == source:
                return t
        return None

    def roles_for(self, action: Action) -> frozenset[Role]:
        return frozenset(r for t in self.transitions if t.action == action for r in t.roles)

    def own_signature(self, state: str) -> OwnSignature | None:
        return next((o for o in self.own_signatures if o.state == state), None)

    def acting_states(self, role: Role) -> frozenset[StrEnum]:
        """States in which a holder of `role` has something to do (the inbox)."""
        return frozenset(
            t.source for t in self.transitions if role in t.roles and t.action != Action.WITHDRAW
        )


def _review(
    source: Status,
    target: Status,
    role: Role,
    approve_forms: tuple[FormStep, ...],
    *,
    can_reject: bool = True,
    checks_appraisal: bool = False,
) -> tuple[Transition, ...]:
    roles = frozenset({role})
    notice = (FormStep("thong_bao"),)
    steps = [
        Transition(
            Action.APPROVE, source, target, roles, approve_forms, checks_appraisal=checks_appraisal
        ),
        Transition(Action.RETURN, source, Status.RETURNED, roles, notice, needs_reason=True),
    ]
    if can_reject:
        steps.append(
            Transition(Action.REJECT, source, Status.REJECTED, roles, notice, needs_reason=True)
        )
    return tuple(steps)


_CLERK = frozenset({Role.UNIT_CLERK})
# The unit's head confirms and signs each achievement report (the law's template), with
# the unit as its issuer.
_REPORTS = FormStep(
    "bao_cao_thanh_tich", per_nominee=True, numbered=False, issuer=Stage.UNIT, signer=Role.UNIT_HEAD
)

COMMENDATION_PROPOSAL = ProcessDefinition(
    code="commendation_proposal",
    name="Đề nghị khen thưởng qua Cụm thi đua",
    transitions=(
        # The submission issues nothing: the achievement reports are the unit head's to
        # sign, with the unit's Tờ trình (prepared as the dossier arrives).
        Transition(
            Action.SUBMIT, Status.DRAFT, Status.UNIT_REVIEW, _CLERK, checks_completeness=True
        ),
        Transition(
            Action.SUBMIT, Status.RETURNED, Status.UNIT_REVIEW, _CLERK, checks_completeness=True
        ),
        Transition(Action.WITHDRAW, Status.UNIT_REVIEW, Status.DRAFT, _CLERK),
        *_review(
            Status.UNIT_REVIEW,
            Status.CLUSTER_REVIEW,
            Role.UNIT_HEAD,
            (_REPORTS, FormStep("to_trinh_don_vi", seals_attachments=True)),
            can_reject=False,
        ),
        *_review(
            Status.CLUSTER_REVIEW,
            Status.BOARD_APPRAISAL,
            Role.CLUSTER_APPROVER,
            (FormStep("to_trinh_cum"),),
        ),
        *_review(
            Status.BOARD_APPRAISAL,
            Status.BOARD_DECISION,
            Role.BOARD_SPECIALIST,
            (FormStep("phieu_tham_dinh", numbered=False, sealed=False),),
            checks_appraisal=True,
        ),
        # The Phòng's head approves the appraisal and passes the dossier to the Sở's
        # leadership: no document of theirs (the Tờ trình is the Sở's, signed by its
        # Giám đốc or a Phó Giám đốc), the approval is recorded in the history.
        *_review(Status.BOARD_DECISION, Status.LEADERSHIP_REVIEW, Role.BOARD_HEAD, ()),
        *_review(
            Status.LEADERSHIP_REVIEW,
            Status.APPROVED,
            Role.AUTHORITY_LEADER,
            (FormStep("to_trinh_ban"),),
        ),
    ),
    own_signatures=(OwnSignature(Status.UNIT_REVIEW, "bao_cao_thanh_tich"),),
)

_UNIT_STEPS = COMMENDATION_PROPOSAL.transitions[:3]
"""The clerk's submission (twice) and withdrawal: the same on both routes."""

CLUSTER_VOTED_PROPOSAL = ProcessDefinition(
    code="cluster_voted_proposal",
    name="Đề nghị khen thưởng qua bình xét của Cụm thi đua",
    transitions=(
        *_UNIT_STEPS,
        # The unit head's approval sends it to the cluster, where it waits for the
        # year-end vote (api/meetings/cluster_vote.py) instead of being forwarded alone;
        # the cluster may still return it for supplement. The vote's close takes the
        # APPROVE (passed: to the cluster's proposal, api/clusters/proposal*) or the
        # RETURN (failed, the tally as the reason) in the chair's name: nobody approves
        # it by hand (no role holds that step).
        *_review(
            Status.UNIT_REVIEW,
            Status.CLUSTER_VOTE,
            Role.UNIT_HEAD,
            (_REPORTS, FormStep("to_trinh_don_vi", seals_attachments=True)),
            can_reject=False,
        ),
        Transition(Action.APPROVE, Status.CLUSTER_VOTE, Status.CLUSTER_VOTED, frozenset()),
        Transition(
            Action.RETURN,
            Status.CLUSTER_VOTE,
            Status.RETURNED,
            frozenset({Role.CLUSTER_APPROVER}),
            (FormStep("thong_bao"),),
            needs_reason=True,
        ),
    ),
    own_signatures=(OwnSignature(Status.UNIT_REVIEW, "bao_cao_thanh_tich"),),
)
"""The route of a dossier whose award its cluster votes on at the year-end
(domain/cluster_vote.py `is_voted`): chosen at the unit head's approval."""

_SPECIALIST = frozenset({Role.BOARD_SPECIALIST})
_HEAD = frozenset({Role.BOARD_HEAD})
_LEADER = frozenset({Role.AUTHORITY_LEADER})

ROUND_SUBMISSION = ProcessDefinition(
    code="round_submission",
    name="Trình đợt xét khen thưởng",
    subject_kind=SubjectKind.ROUND,
    stages={
        RoundStatus.OPEN: Stage.BOARD,
        RoundStatus.BOARD_REVIEW: Stage.BOARD,
        RoundStatus.LEADERSHIP_REVIEW: Stage.LEADERSHIP,
        RoundStatus.SUBMITTED: Stage.DONE,
        RoundStatus.DECIDED: Stage.DONE,
    },
    state_labels=_by_value(ROUND_STATUS_LABELS),
    action_labels={
        **ACTION_LABELS,
        Action.SUBMIT: "Trình duyệt đợt",
        Action.WITHDRAW: "Rút đợt về để sửa danh sách",
    },
    noun="đợt",
    transitions=(
        # The specialist submits the list; the Phòng's head approves it (recorded in the
        # history, no document of theirs) or returns it to be corrected; the Sở's leader
        # signs the Tờ trình to the Chủ tịch UBND tỉnh, which the Sở issues and seals.
        Transition(
            Action.SUBMIT,
            RoundStatus.OPEN,
            RoundStatus.BOARD_REVIEW,
            _SPECIALIST,
            checks_completeness=True,
        ),
        Transition(Action.WITHDRAW, RoundStatus.BOARD_REVIEW, RoundStatus.OPEN, _SPECIALIST),
        Transition(Action.APPROVE, RoundStatus.BOARD_REVIEW, RoundStatus.LEADERSHIP_REVIEW, _HEAD),
        Transition(
            Action.RETURN, RoundStatus.BOARD_REVIEW, RoundStatus.OPEN, _HEAD, needs_reason=True
        ),
        Transition(
            Action.APPROVE,
            RoundStatus.LEADERSHIP_REVIEW,
            RoundStatus.SUBMITTED,
            _LEADER,
            (FormStep("to_trinh_dot", issuer=Stage.LEADERSHIP),),
        ),
        Transition(
            Action.RETURN,
            RoundStatus.LEADERSHIP_REVIEW,
            RoundStatus.OPEN,
            _LEADER,
            needs_reason=True,
        ),
    ),
)

_SECRETARIES = frozenset({Role.BOARD_HEAD, Role.BOARD_SPECIALIST})

COUNCIL_MEETING = ProcessDefinition(
    code="council_meeting",
    name="Họp Hội đồng Thi đua – Khen thưởng",
    subject_kind=SubjectKind.MEETING,
    stages={
        MeetingStatus.OPEN: Stage.BOARD,
        MeetingStatus.CLOSED: Stage.LEADERSHIP,
        MeetingStatus.SIGNED: Stage.DONE,
    },
    state_labels=_by_value(MEETING_STATUS_LABELS),
    action_labels={
        **ACTION_LABELS,
        Action.SUBMIT: "Kết thúc họp và kiểm phiếu",
        Action.APPROVE: "Ký Biên bản họp",
    },
    noun="cuộc họp",
    transitions=(
        # The secretary (the board's head or specialist named so in the meeting; the
        # meeting's own check, api/meetings/actions.py) closes the meeting: the tally is
        # counted and stored, and the Biên bản is prepared. The secretary signs it first
        # (in a request of theirs); the chair's approval signs on top, then the flow
        # numbers it in the council's series and seals it.
        Transition(Action.SUBMIT, MeetingStatus.OPEN, MeetingStatus.CLOSED, _SECRETARIES),
        Transition(
            Action.APPROVE,
            MeetingStatus.CLOSED,
            MeetingStatus.SIGNED,
            _LEADER,
            (FormStep("bien_ban_hoi_dong", issuer=Stage.LEADERSHIP),),
        ),
    ),
)

_DECISION_MAKER = frozenset({Role.DECISION_MAKER})

DECISION_ISSUANCE = ProcessDefinition(
    code="decision_issuance",
    name="Ban hành quyết định khen thưởng",
    subject_kind=SubjectKind.DECISION,
    stages={
        DecisionStatus.DRAFT: Stage.BOARD,
        DecisionStatus.SIGNING: Stage.LEADERSHIP,
        DecisionStatus.ISSUED: Stage.DONE,
    },
    state_labels=_by_value(DECISION_STATUS_LABELS),
    action_labels={
        **ACTION_LABELS,
        Action.SUBMIT: "Trình ký quyết định",
        Action.WITHDRAW: "Rút dự thảo quyết định về",
        Action.APPROVE: "Ký quyết định",
    },
    noun="quyết định",
    transitions=(
        # The specialist sends the draft to the UBND's leaders (the flow prepares the
        # Quyết định for them); the Chủ tịch or a Phó Chủ tịch signs it, which the UBND
        # numbers in its own series and seals; or returns it with a reason.
        Transition(Action.SUBMIT, DecisionStatus.DRAFT, DecisionStatus.SIGNING, _SPECIALIST),
        Transition(Action.WITHDRAW, DecisionStatus.SIGNING, DecisionStatus.DRAFT, _SPECIALIST),
        Transition(
            Action.APPROVE,
            DecisionStatus.SIGNING,
            DecisionStatus.ISSUED,
            _DECISION_MAKER,
            (FormStep("quyet_dinh_khen_thuong", issuer=Stage.LEADERSHIP),),
        ),
        Transition(
            Action.RETURN,
            DecisionStatus.SIGNING,
            DecisionStatus.DRAFT,
            _DECISION_MAKER,
            needs_reason=True,
        ),
    ),
)

CLUSTER_PLAN = ProcessDefinition(
    code="cluster_plan",
    name="Ban hành Kế hoạch thi đua của Cụm",
    subject_kind=SubjectKind.CLUSTER_YEAR,
    stages={PlanStatus.DRAFT: Stage.CLUSTER, PlanStatus.ISSUED: Stage.DONE},
    state_labels=_by_value(PLAN_STATUS_LABELS),
    action_labels={**ACTION_LABELS, Action.APPROVE: "Ký, ban hành Kế hoạch"},
    noun="kế hoạch",
    transitions=(
        # The head unit's cluster approver drafts the plan and issues it with their own
        # signature (the head unit's leader): the Kế hoạch is prepared and signed in the
        # request (api/clusters/plan.py), then the flow numbers it in the cluster's own
        # series and seals it with the head unit's seal.
        Transition(
            Action.APPROVE,
            PlanStatus.DRAFT,
            PlanStatus.ISSUED,
            frozenset({Role.CLUSTER_APPROVER}),
            (FormStep("ke_hoach_thi_dua_cum", issuer=Stage.CLUSTER),),
        ),
    ),
)

CLUSTER_PROPOSAL = ProcessDefinition(
    code="cluster_proposal",
    name="Tờ trình của Cụm thi đua (đề nghị khen thưởng sau bình xét)",
    subject_kind=SubjectKind.CLUSTER_PROPOSAL,
    stages={
        ProposalStatus.DRAFT: Stage.CLUSTER,
        ProposalStatus.RETURNED: Stage.CLUSTER,
        ProposalStatus.BOARD_APPRAISAL: Stage.BOARD,
        ProposalStatus.APPROVED: Stage.DONE,
    },
    state_labels=_by_value(PROPOSAL_STATUS_LABELS),
    action_labels={
        **ACTION_LABELS,
        Action.APPROVE: "Ký Tờ trình của Cụm / duyệt",
        Action.RETURN: "Trả lại Cụm",
    },
    noun="tờ trình của Cụm",
    transitions=(
        # The head unit's leader (its cluster approver) signs the Tờ trình của Cụm
        # (TM. CỤM THI ĐUA) in the request (api/clusters/proposal_service.py); the flow
        # numbers it in the cluster's series («…/TTr-CỤM I») and seals it with the head
        # unit's seal. The board's specialist appraises it (strikes a nominee with a
        # reason, no move); the board's head approves it as a whole or returns it.
        Transition(
            Action.APPROVE,
            ProposalStatus.DRAFT,
            ProposalStatus.BOARD_APPRAISAL,
            frozenset({Role.CLUSTER_APPROVER}),
            (FormStep("to_trinh_cum_tong_hop", issuer=Stage.CLUSTER),),
        ),
        Transition(
            Action.APPROVE,
            ProposalStatus.RETURNED,
            ProposalStatus.BOARD_APPRAISAL,
            frozenset({Role.CLUSTER_APPROVER}),
            (FormStep("to_trinh_cum_tong_hop", issuer=Stage.CLUSTER),),
        ),
        Transition(Action.APPROVE, ProposalStatus.BOARD_APPRAISAL, ProposalStatus.APPROVED, _HEAD),
        Transition(
            Action.RETURN,
            ProposalStatus.BOARD_APPRAISAL,
            ProposalStatus.RETURNED,
            _HEAD | _SPECIALIST,
            needs_reason=True,
        ),
    ),
)

_VOTE_CHAIRS = frozenset({Role.CLUSTER_APPROVER, Role.UNIT_HEAD})

CLUSTER_VOTE = ProcessDefinition(
    code=CLUSTER_VOTE_PROCESS,
    name="Họp bình xét, suy tôn của Cụm thi đua (bỏ phiếu kín)",
    subject_kind=SubjectKind.MEETING,
    stages={
        MeetingStatus.OPEN: Stage.CLUSTER,
        MeetingStatus.VOTING: Stage.CLUSTER,
        MeetingStatus.CLOSED: Stage.CLUSTER,
        MeetingStatus.SIGNED: Stage.DONE,
    },
    state_labels={
        **_by_value(MEETING_STATUS_LABELS),
        str(MeetingStatus.CLOSED): "Đã kiểm phiếu, chờ ký Biên bản",
    },
    action_labels={
        **ACTION_LABELS,
        Action.SUBMIT: "Kết thúc bỏ phiếu và kiểm phiếu",
        Action.APPROVE: "Ký Biên bản họp bình xét",
    },
    noun="cuộc họp bình xét",
    transitions=(
        # The chair (the head unit's cluster approver or head: the vote's own check,
        # domain/cluster_vote.py `chairs`) closes the vote (api/meetings/cluster_vote.py):
        # the tally is counted and stored, and the flow prepares the Biên bản. The
        # secretary the chair designated signs it first (a request of theirs); the chair
        # who closed the vote signs on top, then the flow numbers it in the cluster's own
        # series ("…/BB-CỤM I") and seals it with the head unit's seal.
        Transition(Action.SUBMIT, MeetingStatus.VOTING, MeetingStatus.CLOSED, _VOTE_CHAIRS),
        Transition(
            Action.APPROVE,
            MeetingStatus.CLOSED,
            MeetingStatus.SIGNED,
            _VOTE_CHAIRS,
            (FormStep("bien_ban_binh_xet_cum", issuer=Stage.CLUSTER),),
        ),
    ),
)

PROCESSES = {
    p.code: p
    for p in (
        COMMENDATION_PROPOSAL,
        CLUSTER_VOTED_PROPOSAL,
        ROUND_SUBMISSION,
        COUNCIL_MEETING,
        DECISION_ISSUANCE,
        CLUSTER_PLAN,
        CLUSTER_PROPOSAL,
        CLUSTER_VOTE,
    )
}
DOSSIER_PROCESSES = {
    code: p for code, p in PROCESSES.items() if p.subject_kind == SubjectKind.DOSSIER
}


def allowed_actions(
    process: ProcessDefinition, status: str, actor: Actor, scope: SubjectScope
) -> list[Action]:
    return [
        t.action
        for t in process.transitions
        if t.source == status and actor.holds_any(t.roles, scope)
    ]


def decide(
    process: ProcessDefinition,
    status: str,
    actor: Actor,
    scope: SubjectScope,
    action: Action,
    *,
    reason: str | None,
    problems: list[str] | None = None,
) -> Transition:
    """Return the transition `actor` may take, or raise why not.

    Someone who could never take this action on this subject is the wrong person (403).
    Someone who could take it at another step is too early or too late: the wrong state
    (409), which is also what the slower of two racing approvers gets.
    `problems` are what keeps the subject from being submitted (a dossier's
    `dossier_problems`, a round's `check_submittable`).
    """
    label, noun = process.action_labels[action], process.noun
    if not actor.holds_any(process.roles_for(action), scope):
        raise Forbidden(
            f"Bạn không có quyền «{label}» đối với {noun} này.", code="forbidden_action"
        )
    transition = process.find(action, status)
    if transition is None or not actor.holds_any(transition.roles, scope):
        raise IllegalTransition(
            f"Không thể «{label}» khi {noun} đang ở trạng thái «{process.state_labels[status]}»."
        )
    if transition.needs_reason and not (reason and reason.strip()):
        raise ReasonRequired(f"Cần nêu lý do để «{label}».")
    if transition.checks_completeness and problems:
        raise DossierIncomplete(
            f"{noun.capitalize()} chưa đủ để trình: " + "; ".join(problems) + "."
        )
    return transition
