"""Meetings that vote: members, attendance, one named ballot per present member and
question, quorum and pass thresholds as configuration. No I/O.

A meeting is a subject of its own (`SubjectKind.MEETING`) about another subject (today a
board's round: the provincial council — Hội đồng Thi đua – Khen thưởng tỉnh — votes on
each nominee of the round's list; later a cluster's year-end vote). Nothing here knows
what the questions are about: a question is a key (a nominee's id) with its text and the
award its threshold is looked up by.

The figures the law fixes and those it does not are configuration with effective dates
and legal basis (`QUORUM_RULES`, `THRESHOLD_RULES`); a figure /work/shared/DOMAIN.md does
not confirm for the law in force carries `confirmed=False` and the page says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from fractions import Fraction
from typing import ClassVar

from domain import policy
from domain.errors import Conflict, Forbidden, InvalidInput


class MeetingStatus(StrEnum):
    OPEN = "open"
    VOTING = "voting"
    """A secret vote (domain/cluster_vote.py) the chair opened: ballots accepted, the
    attendance frozen."""
    CLOSED = "closed"
    SIGNED = "signed"


MEETING_STATUS_LABELS = {
    MeetingStatus.OPEN: "Đang họp, biểu quyết",
    MeetingStatus.VOTING: "Đang bỏ phiếu kín",
    MeetingStatus.CLOSED: "Đã kết thúc họp, chờ ký Biên bản",
    MeetingStatus.SIGNED: "Đã ký, ban hành Biên bản",
}


class MemberRole(StrEnum):
    CHAIR = "chu_tich"
    SECRETARY = "thu_ky"
    MEMBER = "thanh_vien"


MEMBER_ROLE_LABELS = {
    MemberRole.CHAIR: "Chủ tịch Hội đồng",
    MemberRole.SECRETARY: "Thư ký",
    MemberRole.MEMBER: "Thành viên",
}


class Ballot(StrEnum):
    AGREE = "dong_y"
    DISAGREE = "khong_dong_y"
    ABSTAIN = "khong_bieu_quyet"


BALLOT_LABELS = {
    Ballot.AGREE: "Đồng ý",
    Ballot.DISAGREE: "Không đồng ý",
    Ballot.ABSTAIN: "Không biểu quyết",
}


@dataclass(frozen=True)
class MeetingScope:
    """Where a meeting sits for the policy's rules (domain/policy.py, kind `meeting`):
    the authority whose board convenes it."""

    kind: ClassVar[str] = "meeting"
    authority_id: int
    unit_id: int | None = None
    cluster_term_id: int | None = None
    cluster_leader_unit_ids: frozenset[int] = frozenset()


# ---------------------------------------------------------------- configuration

UNCONFIRMED_152 = "theo NĐ 98/2023 (đã hết hiệu lực) — chưa xác nhận theo NĐ 152/2025"


@dataclass(frozen=True)
class QuorumRule:
    share: Fraction
    """Members present over members, at least."""
    effective_from: date
    effective_to: date | None
    basis: str
    confirmed: bool


@dataclass(frozen=True)
class ThresholdRule:
    """A nominee for `award` (None: any award without a rule of its own) passes when the
    agreeing votes reach `share` of the whole membership (`of_present`: of the members
    present instead)."""

    award: str | None
    share: Fraction
    effective_from: date
    effective_to: date | None
    basis: str
    confirmed: bool
    of_present: bool = False

    @property
    def base_label(self) -> str:
        return "số thành viên có mặt" if self.of_present else "tổng số thành viên Hội đồng"


QUORUM_RULES: tuple[QuorumRule, ...] = (
    QuorumRule(
        Fraction(2, 3),
        date(2023, 1, 1),
        None,
        "Quy chế Hội đồng Thi đua – Khen thưởng tỉnh (một tỉnh): ít nhất 2/3 thành viên dự họp",
        confirmed=True,
    ),
)

THRESHOLD_RULES: tuple[ThresholdRule, ...] = (
    ThresholdRule(
        "chien_si_thi_dua_cap_tinh",
        Fraction(90, 100),
        date(2023, 12, 31),
        None,
        "NĐ 98/2023/NĐ-CP: ≥ 90% tổng số thành viên Hội đồng; " + UNCONFIRMED_152,
        confirmed=False,
    ),
    ThresholdRule(
        "co_thi_dua_ubnd_tinh",
        Fraction(80, 100),
        date(2023, 12, 31),
        None,
        "NĐ 98/2023/NĐ-CP: ≥ 80% tổng số thành viên Hội đồng; " + UNCONFIRMED_152,
        confirmed=False,
    ),
    ThresholdRule(
        None,
        Fraction(80, 100),
        date(2023, 12, 31),
        None,
        "Cấu hình mặc định: ≥ 80% tổng số thành viên Hội đồng; " + UNCONFIRMED_152,
        confirmed=False,
    ),
)

COUNCIL_AWARDS: frozenset[str] | None = None
"""The awards whose nominees the council votes on before a round is submitted; None: every
award of a round (the default configuration)."""


def configured_thresholds(setting: str, on: date) -> tuple[ThresholdRule, ...]:
    """Thresholds a province configures over the defaults (TDKT_COUNCIL_THRESHOLDS:
    "award=percent,…", a share of the whole membership), in force from `on` (the meeting's
    date): they win over the defaults for that meeting."""
    out = []
    for part in setting.split(","):
        if not part.strip():
            continue
        award, _, value = part.partition("=")
        try:
            share = Fraction(value.strip().rstrip("%")) / 100
        except (ValueError, ZeroDivisionError) as e:
            raise ValueError(f"bad council threshold {part!r}") from e
        if not 0 < share <= 1:
            raise ValueError(f"bad council threshold {part!r}")
        out.append(
            ThresholdRule(
                award.strip() or None,
                share,
                on,
                None,
                f"Cấu hình của tỉnh: ≥ {_percent(share)} tổng số thành viên Hội đồng "
                "— chưa xác nhận theo NĐ 152/2025",
                confirmed=False,
            )
        )
    return tuple(out)


def rule_data(rule: ThresholdRule) -> dict[str, object]:
    """A rule as a meeting stores it (the rules in force when it was convened)."""
    return {
        "award": rule.award,
        "num": rule.share.numerator,
        "den": rule.share.denominator,
        "effective_from": rule.effective_from.isoformat(),
        "effective_to": rule.effective_to.isoformat() if rule.effective_to else None,
        "basis": rule.basis,
        "confirmed": rule.confirmed,
        "of_present": rule.of_present,
    }


def rule_from(data: Mapping[str, object]) -> ThresholdRule:
    to = data.get("effective_to")
    return ThresholdRule(
        award=str(data["award"]) if data.get("award") is not None else None,
        share=Fraction(int(str(data["num"])), int(str(data["den"]))),
        effective_from=date.fromisoformat(str(data["effective_from"])),
        effective_to=date.fromisoformat(str(to)) if to else None,
        basis=str(data["basis"]),
        confirmed=bool(data["confirmed"]),
        of_present=bool(data.get("of_present")),
    )


def _in_force(start: date, end: date | None, on: date) -> bool:
    return start <= on and (end is None or on < end)


def quorum_rule(on: date, rules: Sequence[QuorumRule] = QUORUM_RULES) -> QuorumRule:
    found = [r for r in rules if _in_force(r.effective_from, r.effective_to, on)]
    if not found:
        raise LookupError(f"no quorum rule in force on {on}")
    return max(found, key=lambda r: r.effective_from)


def threshold_rule(
    award: str, on: date, rules: Sequence[ThresholdRule] = THRESHOLD_RULES
) -> ThresholdRule:
    """The rule in force on `on` for `award`: its own rule, else the default one."""
    found = [r for r in rules if _in_force(r.effective_from, r.effective_to, on)]
    own = [r for r in found if r.award == award] or [r for r in found if r.award is None]
    if not own:
        raise LookupError(f"no threshold rule for {award} in force on {on}")
    return max(own, key=lambda r: r.effective_from)


def council_awards(setting: str) -> frozenset[str] | None:
    """The configured awards (TDKT_COUNCIL_AWARDS): "*" every award (None), "" or "-"
    none, else a comma-separated list of award codes."""
    clean = setting.strip()
    if clean == "*":
        return COUNCIL_AWARDS
    if clean in ("", "-"):
        return frozenset()
    return frozenset(a.strip() for a in clean.split(",") if a.strip())


def needs_council(awards: Iterable[str], configured: frozenset[str] | None) -> bool:
    """Whether a round of these awards goes before the council (None: every award)."""
    return configured is None or any(a in configured for a in awards)


# ---------------------------------------------------------------- rules


@dataclass(frozen=True)
class Member:
    user_id: int
    role: MemberRole
    present: bool


def has_quorum(members: int, present: int, rule: QuorumRule) -> bool:
    return members > 0 and Fraction(present, members) >= rule.share


def check_close(members: Sequence[Member], on: date) -> None:
    """Closing without a quorum is refused (409 no_quorum)."""
    rule = quorum_rule(on)
    present = sum(1 for m in members if m.present)
    if not has_quorum(len(members), present, rule):
        raise Conflict(
            f"Chưa đủ số thành viên dự họp: có mặt {present}/{len(members)}, cần ít nhất "
            f"{share_words(rule.share)} số thành viên. Không thể kết thúc cuộc họp.",
            code="no_quorum",
        )


def check_vote(
    status: str,
    member: Member | None,
    already: bool,
) -> None:
    """Why `member` may not cast this ballot now, or nothing: a meeting closed (409), not a
    member or absent (403), already voted on this question (409)."""
    if status != MeetingStatus.OPEN:
        raise Conflict(
            "Cuộc họp đã kết thúc: không thể biểu quyết hoặc sửa phiếu.", code="meeting_closed"
        )
    if member is None:
        raise Forbidden("Bạn không phải thành viên cuộc họp này.", code="not_a_member")
    if not member.present:
        raise Forbidden(
            "Bạn không có mặt theo điểm danh của cuộc họp: không thể biểu quyết.",
            code="absent_member",
        )
    if already:
        raise Conflict(
            "Bạn đã biểu quyết về nội dung này; mỗi thành viên biểu quyết một lần.",
            code="already_voted",
        )


def check_open(status: str) -> None:
    if status != MeetingStatus.OPEN:
        raise Conflict("Cuộc họp đã kết thúc: không thể thay đổi.", code="meeting_closed")


def check_members(roles: Sequence[MemberRole]) -> None:
    """One chair and one secretary among the members (both are needed to sign the
    Biên bản)."""
    for role in (MemberRole.CHAIR, MemberRole.SECRETARY):
        n = sum(1 for r in roles if r == role)
        if n != 1:
            raise InvalidInput(
                f"Cuộc họp cần đúng một {MEMBER_ROLE_LABELS[role].lower()} (có {n}).",
                code="meeting_roles",
            )


@dataclass(frozen=True)
class Question:
    key: int
    """What it is about (a nominee's id)."""
    text: str
    award: str


@dataclass(frozen=True)
class Result:
    question: Question
    agree: int
    disagree: int
    abstain: int
    members: int
    present: int
    rule: ThresholdRule
    passed: bool

    @property
    def share(self) -> Fraction:
        """The agreeing votes over the base the rule counts on."""
        base = self.present if self.rule.of_present else self.members
        return Fraction(self.agree, base) if base else Fraction(0)


def tally(
    questions: Sequence[Question],
    members: Sequence[Member],
    ballots: Mapping[tuple[int, int], Ballot],
    on: date,
    rules: Sequence[ThresholdRule] = THRESHOLD_RULES,
) -> list[Result]:
    """Each question's counts and result. `ballots`: (question key, user id) → ballot; a
    present member who cast none counts as not voting (neither for nor against)."""
    total = len(members)
    present = sum(1 for m in members if m.present)
    out = []
    for q in questions:
        mine = [b for (k, _u), b in ballots.items() if k == q.key]
        rule = threshold_rule(q.award, on, rules)
        agree = sum(1 for b in mine if b == Ballot.AGREE)
        base = present if rule.of_present else total
        passed = base > 0 and Fraction(agree, base) >= rule.share
        out.append(
            Result(
                q,
                agree,
                sum(1 for b in mine if b == Ballot.DISAGREE),
                sum(1 for b in mine if b == Ballot.ABSTAIN),
                total,
                present,
                rule,
                passed,
            )
        )
    return out


def _percent(share: Fraction) -> str:
    value = float(share * 100)
    return f"{value:.0f}%" if value == int(value) else f"{value:.1f}%".replace(".", ",")


def share_words(share: Fraction) -> str:
    """A quorum as people say it: "2/3" (a percentage when the fraction is not simple)."""
    if share.denominator <= 10:
        return f"{share.numerator}/{share.denominator}"
    return _percent(share)


def percent(share: Fraction) -> str:
    """A share as the Biên bản prints it: "71,4%"."""
    return _percent(share)


def question_text(name: str, award_name: str) -> str:
    return f"Đồng ý đề nghị khen thưởng «{award_name}» cho {name}"


def can_view(actor: object, authority_id: int) -> bool:
    return policy.allows(actor, MeetingScope(authority_id))  # type: ignore[arg-type]
