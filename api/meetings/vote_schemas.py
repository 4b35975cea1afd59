"""What the cluster's secret vote API reads and answers (api/meetings/cluster_vote.py)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from api.dossiers.schemas import Strict


class VoteCreate(Strict):
    held_on: date = Field(strict=False)
    place: Annotated[str, StringConstraints(max_length=300)] = ""
    title: Annotated[str, StringConstraints(max_length=400)] | None = None


class RepresentativeIn(Strict):
    unit_id: int
    user_id: int


class VoteAttendanceIn(Strict):
    present_unit_ids: list[int] = Field(max_length=100)
    representatives: list[RepresentativeIn] = Field(default=[], max_length=100)
    """A member unit's representative other than its head (a user of that unit)."""
    version: int | None = None


class SecretaryIn(Strict):
    user_id: int
    """A user of a member unit (the head unit's clerk, typically) who is not a member
    unit's representative: the secretary writes and signs the Biên bản first."""
    version: int | None = None


class MinutesSignIn(Strict):
    signing_pin: Annotated[str, StringConstraints(max_length=64)] | None = None
    version: int | None = None


class MinutesOut(BaseModel):
    """The Biên bản họp bình xét, suy tôn: where it is on its way to being issued."""

    state: str
    """none (the vote not closed) | preparing | waiting_secretary | waiting_chair |
    issuing | issued"""
    state_label: str
    document_id: int | None
    number: str | None
    secretary_signed: bool
    can_sign_secretary: bool
    """The caller is the secretary and may sign now."""
    can_sign_chair: bool
    """The caller is the chair who closed the vote and may sign now."""


class ChoiceIn(Strict):
    question_id: int
    choice: Annotated[str, StringConstraints(max_length=64)]
    """dong_y | khong_dong_y (a candidate), or a member unit's id (one choice)."""


class BallotPaperIn(Strict):
    choices: list[ChoiceIn] = Field(min_length=1, max_length=500)


class ReceiptIn(Strict):
    code: Annotated[str, StringConstraints(max_length=64)]


class OptionOut(BaseModel):
    value: str
    label: str


class VoteQuestionOut(BaseModel):
    id: int
    key: int
    kind: str
    kind_label: str
    text: str
    options: list[OptionOut]
    voted: bool
    """Whether the caller's unit has voted on it (never what)."""


class SeatOut(BaseModel):
    unit_id: int
    unit_name: str
    user_id: int
    representative: str
    present: bool
    voted: bool
    """Whether this unit has voted (on any question); never what."""


class VoteOut(BaseModel):
    id: int
    cluster_id: int
    cluster_name: str
    year: int
    title: str
    place: str
    held_on: date
    status: str
    status_label: str
    version: int
    chair: bool
    """The caller chairs it (attendance, close)."""
    my_unit_id: int | None
    can_vote: bool
    members: list[SeatOut]
    present: int
    voted: int
    """The live count: how many member units have voted."""
    questions: list[VoteQuestionOut]
    quorum_text: str
    rules: list[str]
    secretary_user_id: int | None = None
    secretary: str | None = None
    """The secretary the chair designated (no voting seat), who signs the Biên bản first."""
    minutes: MinutesOut | None = None


class ReceiptOut(BaseModel):
    receipt: str
    """Shown once: with it the voter finds their ballot in the published tally."""
    vote: VoteOut


class CountOut(BaseModel):
    value: str
    label: str
    votes: int


class VoteResultOut(BaseModel):
    question_id: int
    key: int
    kind: str
    text: str
    voters: int
    counts: list[CountOut]
    rule: str
    basis: str
    confirmed: bool
    passed: bool
    winner: str | None
    winner_label: str | None


class PublishedBallotOut(BaseModel):
    receipt_hash: str
    question_id: int
    choice: str


class SettledOut(BaseModel):
    """What the close did with a dossier waiting for the vote."""

    dossier_id: int
    unit_id: int
    unit_name: str = ""
    award: str | None = None
    outcome: str
    """passed (to the cluster's proposal) | returned (to its unit, the reason the tally) |
    waiting (arrived after the vote was convened: no question of its own)."""
    outcome_label: str
    reason: str | None = None


class TallyOut(BaseModel):
    meeting_id: int
    status: str
    members: int
    present: int
    voted: int
    closed: bool
    quorum_text: str | None = None
    absent: list[str] = []
    results: list[VoteResultOut] | None = None
    """None before the close: nobody sees counts while the vote is open."""
    ballots: list[PublishedBallotOut] | None = None
    """The published ballots (receipt hash, question, choice), by receipt hash."""
    ballots_digest: str | None = None
    next_terms: dict[str, int | None] | None = None
    dossiers: list[SettledOut] = []


class ReceiptCheckOut(BaseModel):
    found: bool
    ballots: list[CountOut]
    """The questions the receipt voted on (label: the question) and the choice made."""
