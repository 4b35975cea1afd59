"""What the meetings API reads and answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from api.dossiers.schemas import Strict
from api.opinions.schemas import NomineeOpinionsOut
from domain.meetings import Ballot, MemberRole


class MeetingCreate(Strict):
    about_kind: Literal["round"] = "round"
    about_id: int
    held_on: date = Field(strict=False)
    place: Annotated[str, StringConstraints(max_length=300)] = ""
    title: Annotated[str, StringConstraints(max_length=400)] | None = None


class MemberIn(Strict):
    user_id: int
    role: MemberRole = Field(strict=False)
    """chu_tich | thu_ky | thanh_vien"""


class MembersIn(Strict):
    members: list[MemberIn] = Field(min_length=1, max_length=100)
    version: int | None = None


class AttendanceIn(Strict):
    present_user_ids: list[int] = Field(max_length=100)
    version: int | None = None


class BallotIn(Strict):
    question_id: int
    ballot: Ballot = Field(strict=False)
    """dong_y | khong_dong_y | khong_bieu_quyet"""


class VotesIn(Strict):
    ballots: list[BallotIn] = Field(min_length=1, max_length=1000)


class SecretarySignIn(Strict):
    signing_pin: Annotated[str, StringConstraints(max_length=64)] | None = None
    version: int | None = None


class MemberOut(BaseModel):
    user_id: int
    full_name: str
    position: str
    role: str
    role_label: str
    present: bool
    voted: int
    """How many questions this member voted on (how they voted is in `ballots`)."""


class QuestionOut(BaseModel):
    id: int
    key: int
    text: str
    award: str
    my_ballot: str | None
    """The caller's own ballot, if they voted."""


class ResultOut(BaseModel):
    key: int
    name: str
    award: str
    agree: int
    disagree: int
    abstain: int
    share: float
    share_text: str
    threshold_text: str
    basis: str
    confirmed: bool
    passed: bool


class BallotOut(BaseModel):
    question_id: int
    user_id: int
    full_name: str
    ballot: str
    ballot_label: str


class RuleOut(BaseModel):
    award: str
    share_text: str
    base: str
    basis: str
    confirmed: bool
    effective_from: date


class MeetingOut(BaseModel):
    id: int
    authority_id: int
    about_kind: str
    about_id: int
    about_name: str
    title: str
    place: str
    held_on: date
    status: str
    status_label: str
    version: int
    processing: bool
    allowed_actions: list[str]
    can_manage: bool
    """The board may still set members and attendance (open, no ballot yet for members)."""
    can_vote: bool
    can_sign_as_secretary: bool
    secretary_signed: bool
    members: list[MemberOut]
    questions: list[QuestionOut]
    quorum_text: str
    quorum_basis: str
    rules: list[RuleOut]
    results: list[ResultOut] | None
    """The tally, counted when the secretary closed the meeting (None while open)."""
    ballots: list[BallotOut] | None
    """Named ballots, shown once the meeting is closed."""
    opinions: list[NomineeOpinionsOut] = []
    """The agencies' replies (hiệp y) about the round's nominees, so the council votes
    knowing them: per nominee each agency, agree or not, the date, the reason, and the
    board head's override with its reason."""
    created_at: datetime


class MeetingSummary(BaseModel):
    id: int
    title: str
    about_kind: str
    about_id: int
    status: str
    status_label: str
    held_on: date


class EligibleMemberOut(BaseModel):
    user_id: int
    full_name: str
    position: str
    roles: list[str]


class MeetingEventOut(BaseModel):
    seq: int
    kind: str
    label: str
    at: datetime
    at_vn: str
    actor: str | None
    detail: str
    hash: str
