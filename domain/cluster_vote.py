"""The cluster's year-end vote (bình xét, suy tôn) by SECRET ballot. No I/O.

A meeting of domain/meetings.py about a cluster's year (`SubjectKind.CLUSTER_YEAR`) whose
members are the representatives of the member units (one voter per unit). Its questions:
the leading member (one choice among the members: the cluster's proposal for the Cờ thi
đua), Bằng khen for each candidate (agree / disagree), next year's head unit and deputy
unit (one choice each).

Secrecy: what a member voted is never stored with who they are. The database keeps, per
question, that a member has voted (a mark without time) apart from the ballots (a random
key, the question, the choice, the hash of the voter's receipt code). The receipt code is
shown once to the voter; with it they find their ballot in the published tally. The
close event of the audit chain carries a digest over every ballot (`ballots_digest`),
which `tdkt audit verify` recomputes: a changed ballot row is found.

The quorum and the thresholds are configuration with effective dates and legal basis
(`QUORUM_RULES`, `VOTE_RULES`), counted on the whole membership unless a rule says
`of_present`; nothing here is confirmed by /work/shared/DOMAIN.md for the clusters of a
province, so every rule carries `confirmed=False` and the pages say so.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from fractions import Fraction

from domain.errors import Conflict, Forbidden, InvalidInput
from domain.meetings import MeetingStatus, QuorumRule, percent, share_words
from domain.roles import Actor, Role

PROCESS = "cluster_vote"
"""`Meeting.process` of a cluster's secret vote (domain/process.py CLUSTER_VOTE: the chair closes
it, the Biên bản signed by the secretary then the chair, sealed by the head unit)."""


class Kind(StrEnum):
    """What a question is about; stored as the question's `award`."""

    LEADER = "cum_dan_dau"
    AWARD = "bang_khen"
    HEAD = "cum_truong"
    DEPUTY = "cum_pho_truong"


KIND_LABELS = {
    Kind.LEADER: "Đơn vị dẫn đầu Cụm (đề nghị Cờ thi đua của UBND tỉnh)",
    Kind.AWARD: "Đề nghị Bằng khen",
    Kind.HEAD: "Đơn vị Trưởng cụm năm sau",
    Kind.DEPUTY: "Đơn vị Phó trưởng cụm năm sau",
}

CHOICE_KEYS = {Kind.LEADER: -1, Kind.HEAD: -2, Kind.DEPUTY: -3}
"""The question keys of the one-choice questions (a candidate's question is keyed by its
dossier's id, always positive)."""

AGREE, DISAGREE = "dong_y", "khong_dong_y"
AWARD_CHOICES = {AGREE: "Đồng ý", DISAGREE: "Không đồng ý"}


@dataclass(frozen=True)
class VotedAward:
    """An award whose dossiers wait at the cluster for its year-end vote; `nominee_kind`:
    only when every nominee is of that kind (the collective Bằng khen), None: any."""

    award: str
    nominee_kind: str | None = None


VOTED_AWARDS: tuple[VotedAward, ...] = (
    VotedAward("co_thi_dua_ubnd_tinh"),
    VotedAward("bang_khen_ubnd_tinh", "collective"),
)
"""The default (configuration: TDKT_CLUSTER_VOTE_AWARDS): the Cờ thi đua and the
collective Bằng khen of the member units are the cluster's to vote on."""

FLAG_AWARDS = frozenset({"co_thi_dua_ubnd_tinh"})
"""Awards the vote gives with its leading member (suy tôn đơn vị dẫn đầu): such a dossier
passes when its unit is elected, not by a question of its own."""

NOMINEE_KINDS = {"collective": "tap_the", "individual": "ca_nhan"}


def candidate_order(
    dossiers: Iterable[tuple[int, int]], ranks: Mapping[int, int]
) -> list[tuple[int, int]]:
    """(dossier id, unit id) in the order the vote lists them: by the unit's year-end rank
    where the ranking has one, the others after; then by dossier."""
    return sorted(dossiers, key=lambda d: (d[1] not in ranks, ranks.get(d[1], 0), d[0]))


def kind_of(award: str) -> Kind:
    return Kind(award) if award in set(Kind) else Kind.AWARD


# ---------------------------------------------------------------- configuration

UNCONFIRMED = "chưa xác nhận theo văn bản của tỉnh"


@dataclass(frozen=True)
class VoteRule:
    """A question of `kind` passes (a choice wins) when its votes are more than
    (`strict`) or at least `share` of the whole membership (`of_present`: of the members
    present)."""

    kind: Kind
    share: Fraction
    strict: bool
    effective_from: date
    effective_to: date | None
    basis: str
    confirmed: bool
    of_present: bool = False

    @property
    def text(self) -> str:
        base = "số thành viên có mặt" if self.of_present else "tổng số thành viên Cụm"
        return f"{'trên' if self.strict else 'ít nhất'} {percent(self.share)} {base}"


QUORUM_RULES: tuple[QuorumRule, ...] = (
    QuorumRule(
        Fraction(2, 3),
        date(2023, 1, 1),
        None,
        "Quy chế hoạt động của Cụm thi đua (cấu hình mặc định): ít nhất 2/3 thành viên dự họp; "
        + UNCONFIRMED,
        confirmed=False,
    ),
)

_BASIS = (
    "Quy chế hoạt động của Cụm thi đua (cấu hình mặc định): bỏ phiếu kín, đạt trên 50% "
    "tổng số thành viên Cụm; " + UNCONFIRMED
)
VOTE_RULES: tuple[VoteRule, ...] = tuple(
    VoteRule(k, Fraction(1, 2), True, date(2023, 1, 1), None, _BASIS, confirmed=False) for k in Kind
)


def _in_force(start: date, end: date | None, on: date) -> bool:
    return start <= on and (end is None or on < end)


def quorum_rule(on: date, rules: Sequence[QuorumRule] = QUORUM_RULES) -> QuorumRule:
    found = [r for r in rules if _in_force(r.effective_from, r.effective_to, on)]
    if not found:
        raise LookupError(f"no cluster quorum rule in force on {on}")
    return max(found, key=lambda r: r.effective_from)


def vote_rule(kind: Kind, on: date, rules: Sequence[VoteRule] = VOTE_RULES) -> VoteRule:
    found = [r for r in rules if r.kind == kind and _in_force(r.effective_from, r.effective_to, on)]
    if not found:
        raise LookupError(f"no cluster vote rule for {kind} in force on {on}")
    return max(found, key=lambda r: r.effective_from)


def rule_data(r: VoteRule) -> dict[str, object]:
    return {
        "kind": str(r.kind),
        "num": r.share.numerator,
        "den": r.share.denominator,
        "strict": r.strict,
        "effective_from": r.effective_from.isoformat(),
        "effective_to": r.effective_to.isoformat() if r.effective_to else None,
        "basis": r.basis,
        "confirmed": r.confirmed,
        "of_present": r.of_present,
    }


def rule_from(data: Mapping[str, object]) -> VoteRule:
    to = data.get("effective_to")
    return VoteRule(
        kind=Kind(str(data["kind"])),
        share=Fraction(int(str(data["num"])), int(str(data["den"]))),
        strict=bool(data["strict"]),
        effective_from=date.fromisoformat(str(data["effective_from"])),
        effective_to=date.fromisoformat(str(to)) if to else None,
        basis=str(data["basis"]),
        confirmed=bool(data["confirmed"]),
        of_present=bool(data.get("of_present")),
    )


def voted_awards(setting: str) -> tuple[VotedAward, ...]:
    """TDKT_CLUSTER_VOTE_AWARDS: comma-separated `award` or `award:collective` /
    `award:individual` ("" the default; "-" none: every dossier keeps the route of one
    approval at the cluster)."""
    if setting.strip() == "-":
        return ()
    found = []
    for item in (a.strip() for a in setting.split(",")):
        if not item:
            continue
        award, _, kind = item.partition(":")
        if kind and kind not in NOMINEE_KINDS:
            raise ValueError(f"TDKT_CLUSTER_VOTE_AWARDS: unknown nominee kind {kind!r}")
        found.append(VotedAward(award.strip(), kind.strip() or None))
    return tuple(found) or VOTED_AWARDS


def is_voted(
    award: str, nominee_kinds: Sequence[str], voted: Sequence[VotedAward], plan_issued: bool
) -> bool:
    """Whether a dossier, as its unit head approves it, waits for its cluster's vote: its
    award is voted on (with every nominee of the configured kind), and the cluster runs
    its year here — its Kế hoạch of the dossier's year issued, so that a vote will be
    held; a cluster that keeps its year on paper sees its dossiers one by one as before."""
    if not plan_issued:
        return False
    return any(
        v.award == award
        and (
            v.nominee_kind is None
            or (bool(nominee_kinds) and set(nominee_kinds) == {v.nominee_kind})
        )
        for v in voted
    )


def check_vote_approval() -> None:
    """A dossier waiting for the vote is never approved by hand."""
    raise Conflict(
        "Hồ sơ đang chờ Cụm bình xét: kết quả bỏ phiếu của cuộc họp bình xét quyết định hồ sơ "
        "được Cụm đề nghị hay không (Cụm vẫn có thể trả lại hồ sơ để bổ sung).",
        code="awaiting_cluster_vote",
    )


# ---------------------------------------------------------------- who


def chairs(actor: Actor, head_unit_id: int | None, term_id: int | None) -> bool:
    """The chair: the head unit's cluster approver, or the head unit's head."""
    return any(
        (
            g.role == Role.CLUSTER_APPROVER
            and (
                (term_id is not None and g.cluster_term_id == term_id)
                or (head_unit_id is not None and g.unit_id == head_unit_id)
            )
        )
        or (g.role == Role.UNIT_HEAD and head_unit_id is not None and g.unit_id == head_unit_id)
        for g in actor.grants
    )


def require_chair(actor: Actor, head_unit_id: int | None, term_id: int | None) -> None:
    if not chairs(actor, head_unit_id, term_id):
        raise Forbidden(
            "Chỉ lãnh đạo đơn vị Trưởng cụm chủ trì cuộc họp bình xét của Cụm.",
            code="not_vote_chair",
        )


# ---------------------------------------------------------------- ballots


@dataclass(frozen=True)
class Seat:
    member_id: int
    unit_id: int
    user_id: int
    present: bool


@dataclass(frozen=True)
class Question:
    id: int
    key: int
    kind: Kind


def options(q: Question, unit_ids: Sequence[int]) -> list[str]:
    """The valid choices of a question: agree/disagree, or a member unit's id."""
    if q.kind == Kind.AWARD:
        return list(AWARD_CHOICES)
    return [str(u) for u in unit_ids]


def check_ballot(
    status: str,
    seat: Seat | None,
    already: set[int],
    choices: Mapping[int, str],
    questions: Mapping[int, Question],
    unit_ids: Sequence[int],
) -> None:
    """Why this paper may not be cast, or nothing: a vote closed (409 vote_closed), not a
    member's representative (403 not_a_member), absent (403 absent_member), a question
    voted already (409 already_voted), an unknown question or choice (422), a paper that
    leaves a question out (422 incomplete_ballot)."""
    if status == MeetingStatus.OPEN:
        raise Conflict(
            "Chủ trì chưa mở bỏ phiếu: hãy chờ điểm danh xong và bỏ phiếu được mở.",
            code="vote_not_open",
        )
    if status != MeetingStatus.VOTING:
        raise Conflict("Cuộc bỏ phiếu đã kết thúc: không thể bỏ phiếu nữa.", code="vote_closed")
    if seat is None:
        raise Forbidden(
            "Bạn không phải người đại diện của một đơn vị thành viên trong cuộc họp này.",
            code="not_a_member",
        )
    if not seat.present:
        raise Forbidden(
            "Đơn vị của bạn vắng mặt theo điểm danh của cuộc họp: không thể bỏ phiếu.",
            code="absent_member",
        )
    if not choices:
        raise InvalidInput("Phiếu chưa có nội dung nào được chọn.", code="empty_ballot")
    for qid, choice in choices.items():
        q = questions.get(qid)
        if q is None:
            raise InvalidInput(
                f"Cuộc họp không có nội dung bỏ phiếu số {qid}.", code="question_not_found"
            )
        if qid in already:
            raise Conflict(
                "Đơn vị của bạn đã bỏ phiếu về nội dung này; mỗi đơn vị bỏ một phiếu.",
                code="already_voted",
            )
        if choice not in options(q, unit_ids):
            raise InvalidInput(
                f"Lựa chọn «{choice}» không hợp lệ cho nội dung số {qid}.",
                code="invalid_choice",
            )
    # One whole paper per unit: a paper of some questions only would have a shape (which
    # questions) that the marks of its voter share, and so name them.
    missing = sorted(set(questions) - set(choices))
    if missing:
        raise InvalidInput(
            "Phiếu phải có lựa chọn cho mọi nội dung (còn thiếu nội dung số "
            + ", ".join(str(i) for i in missing)
            + ").",
            code="incomplete_ballot",
        )


def new_receipt() -> str:
    """A receipt code: 80 random bits in base32, in four groups (shown once)."""
    raw = secrets.token_bytes(10)
    text = base64.b32encode(raw).decode()
    return "-".join(text[i : i + 4] for i in range(0, 16, 4))


def normalize_receipt(code: str) -> str:
    return "".join(c for c in code.upper() if c.isalnum())


def receipt_hash(code: str) -> str:
    return hashlib.sha256(b"tdkt-receipt:" + normalize_receipt(code).encode()).hexdigest()


def ballot_key() -> str:
    """A ballot row's key: random, so neither the key nor the key order says who voted or
    when."""
    return secrets.token_hex(16)


@dataclass(frozen=True)
class StoredBallot:
    question_id: int
    choice: str
    receipt_hash: str


def digest(ballots: Iterable[StoredBallot]) -> str:
    """One hash over every ballot, sorted by receipt hash (then question, choice): what the
    close event records and `tdkt audit verify` recomputes."""
    lines = sorted(f"{b.receipt_hash}|{b.question_id}|{b.choice}" for b in ballots)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


# ---------------------------------------------------------------- the tally


def has_quorum(members: int, present: int, rule: QuorumRule) -> bool:
    return members > 0 and Fraction(present, members) >= rule.share


def check_open_vote(status: str, members: int, present: int, on: date) -> QuorumRule:
    """The chair opens the ballots: once, with a quorum present (409 no_quorum)."""
    if status != MeetingStatus.OPEN:
        raise Conflict("Bỏ phiếu đã được mở hoặc đã kết thúc.", code="vote_already_open")
    return _quorum(members, present, on)


def check_close(status: str, members: int, present: int, on: date) -> QuorumRule:
    if status == MeetingStatus.OPEN:
        raise Conflict("Chưa mở bỏ phiếu: không có gì để kiểm phiếu.", code="vote_not_open")
    if status != MeetingStatus.VOTING:
        raise Conflict("Cuộc bỏ phiếu đã kết thúc.", code="vote_closed")
    return _quorum(members, present, on)


def _quorum(members: int, present: int, on: date) -> QuorumRule:
    rule = quorum_rule(on)
    if not has_quorum(members, present, rule):
        raise Conflict(
            f"Chưa đủ số thành viên dự họp: có mặt {present}/{members}, cần ít nhất "
            f"{share_words(rule.share)} số thành viên. Không thể bỏ phiếu.",
            code="no_quorum",
        )
    return rule


def _reaches(votes: int, base: int, rule: VoteRule) -> bool:
    if base <= 0:
        return False
    share = Fraction(votes, base)
    return share > rule.share if rule.strict else share >= rule.share


@dataclass(frozen=True)
class Outcome:
    question: Question
    counts: dict[str, int]
    """Choice → ballots (every valid choice, zero included)."""
    voters: int
    rule: VoteRule
    passed: bool
    winner: str | None
    """An agreeing award question: AGREE; a one-choice question: the unit id elected."""


def tally(
    questions: Sequence[Question],
    ballots: Sequence[StoredBallot],
    unit_ids: Sequence[int],
    members: int,
    present: int,
    rules: Mapping[Kind, VoteRule],
) -> list[Outcome]:
    out = []
    for q in questions:
        counts = dict.fromkeys(options(q, unit_ids), 0)
        mine = [b for b in ballots if b.question_id == q.id]
        for b in mine:
            counts[b.choice] = counts.get(b.choice, 0) + 1
        rule = rules[q.kind]
        base = present if rule.of_present else members
        if q.kind == Kind.AWARD:
            passed = _reaches(counts[AGREE], base, rule)
            winner = AGREE if passed else None
        else:
            top = max(counts.values(), default=0)
            leaders = [c for c, n in counts.items() if n == top]
            passed = len(leaders) == 1 and _reaches(top, base, rule)
            winner = leaders[0] if passed else None
        out.append(Outcome(q, counts, len(mine), rule, passed, winner))
    return out


def award_reason(o: Outcome, members: int, held: str) -> str:
    """What a Bằng khen candidate's dossier records of the vote (the reason of its return
    when it failed): the counts, the membership and the rule applied."""
    verdict = "đạt" if o.passed else "không đạt"
    return (
        f"Kết quả bỏ phiếu kín bình xét của Cụm ngày {held}: đồng ý {o.counts.get(AGREE, 0)}"
        f"/{members} thành viên Cụm, không đồng ý {o.counts.get(DISAGREE, 0)}; "
        f"yêu cầu {o.rule.text}: {verdict}."
    )


def flag_reason(
    leader: Outcome, unit_id: int, names: Mapping[int, str], members: int, held: str
) -> str:
    """The same for a Cờ thi đua dossier, decided by the leading member elected."""
    votes = leader.counts.get(str(unit_id), 0)
    name = names.get(unit_id, str(unit_id))
    head = f"Kết quả bỏ phiếu kín suy tôn đơn vị dẫn đầu của Cụm ngày {held}: "
    if leader.winner is None:
        return (
            head + f"không đơn vị nào đạt yêu cầu {leader.rule.text} "
            f"({name}: {votes}/{members} phiếu); Cụm chưa suy tôn được đơn vị dẫn đầu."
        )
    won = int(leader.winner)
    if won == unit_id:
        return (
            head + f"{name} được suy tôn với {votes}/{members} phiếu (yêu cầu {leader.rule.text})."
        )
    return (
        head + f"Cụm suy tôn {names.get(won, str(won))} "
        f"({leader.counts.get(leader.winner, 0)}/{members} phiếu); {name} được {votes} phiếu."
    )


def check_terms(head: str | None, deputy: str | None) -> tuple[int | None, int | None]:
    """Next year's head and deputy from the outcomes: the same unit cannot be both (the
    deputy is then left for the board to set)."""
    h = int(head) if head else None
    d = int(deputy) if deputy else None
    if h is not None and d == h:
        d = None
    return h, d
