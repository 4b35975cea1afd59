"""The board's round (đợt xét khen thưởng): a batch of approved dossiers the Sở submits to
the Chủ tịch UBND tỉnh with one Tờ trình listing every nominee.

The round is the first subject other than a dossier: its own kinds, states, rules for
which dossiers it may hold, and the list its Tờ trình prints. No I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

from domain import policy
from domain.errors import Conflict, Forbidden, InvalidInput
from domain.roles import Actor, Role


class RoundKind(StrEnum):
    REGULAR = "thuong_xuyen"
    THEMATIC = "chuyen_de"
    UNSCHEDULED = "dot_xuat"


ROUND_KIND_LABELS = {
    RoundKind.REGULAR: "thường xuyên",
    RoundKind.THEMATIC: "chuyên đề",
    RoundKind.UNSCHEDULED: "đột xuất",
}


class RoundStatus(StrEnum):
    OPEN = "open"
    BOARD_REVIEW = "board_review"
    LEADERSHIP_REVIEW = "leadership_review"
    SUBMITTED = "submitted"
    DECIDED = "decided"


ROUND_STATUS_LABELS = {
    RoundStatus.OPEN: "Đang lập danh sách",
    RoundStatus.BOARD_REVIEW: "Chờ lãnh đạo Phòng duyệt",
    RoundStatus.LEADERSHIP_REVIEW: "Chờ lãnh đạo Sở ký",
    RoundStatus.SUBMITTED: "Đã trình Chủ tịch UBND tỉnh",
    RoundStatus.DECIDED: "Đã có quyết định khen thưởng",
}

EDITABLE = frozenset({RoundStatus.OPEN})
"""Dossiers are added and removed only while the list is being made (a return reopens it)."""

ADMITTED_DOSSIER_STATUS = "approved"
"""A dossier enters a round once the Sở's leader has signed its Tờ trình."""

NAME_MAX = 300


@dataclass(frozen=True)
class RoundScope:
    """Where a round sits, as far as who may see and act on it cares (domain/policy.py's
    rules for the subject kind `round`): its authority."""

    kind: ClassVar[str] = policy.ROUND
    authority_id: int
    unit_id: int | None = None
    cluster_term_id: int | None = None
    cluster_leader_unit_ids: frozenset[int] = frozenset()


def can_view(actor: Actor, authority_id: int) -> bool:
    """The authority's board and leaders, and auditors (the policy's rules)."""
    return policy.allows(actor, RoundScope(authority_id))


def roles_over(actor: Actor, authority_id: int) -> frozenset[Role]:
    """The roles `actor` holds over a round of this authority (may act as)."""
    scope = RoundScope(authority_id)
    return frozenset(r for r in actor.roles() if policy.holds(actor, r, scope))


COMPOSER = Role.BOARD_SPECIALIST
"""Who creates a round and adds or removes its dossiers."""


def check_composer(actor: Actor, authority_id: int) -> None:
    if COMPOSER not in roles_over(actor, authority_id):
        raise Forbidden(
            "Chỉ chuyên viên Phòng Thi đua – Khen thưởng lập đợt xét khen thưởng.",
            code="forbidden_action",
        )


def in_round_label(round_name: str, status: str) -> str:
    """What a dossier in a round shows: submitted with it once the Sở's leader signed the
    round's Tờ trình, in its list until then."""
    if status == RoundStatus.SUBMITTED:
        return f"Đã trình khen thưởng ({round_name})"
    if status == RoundStatus.DECIDED:
        return f"Đã có quyết định khen thưởng ({round_name})"
    where = ROUND_STATUS_LABELS[RoundStatus(status)].lower()
    return f"Chờ trình khen thưởng ({round_name}: {where})"


def check_name(name: str) -> str:
    clean = " ".join((name or "").split())
    if not clean:
        raise InvalidInput("Cần nhập tên đợt xét khen thưởng.", code="round_name_required")
    if len(clean) > NAME_MAX:
        raise InvalidInput(
            f"Tên đợt xét khen thưởng dài quá {NAME_MAX} ký tự.", code="round_name_too_long"
        )
    return clean


def check_awards(awards: Sequence[str], known: Iterable[str]) -> tuple[str, ...]:
    """The award kinds a round covers: at least one, each known, no repeats."""
    known_set = set(known)
    if not awards:
        raise InvalidInput(
            "Cần chọn ít nhất một hình thức khen thưởng cho đợt.", code="round_awards_required"
        )
    unknown = [a for a in awards if a not in known_set]
    if unknown:
        raise InvalidInput(
            "Hình thức khen thưởng không có trong danh mục: " + ", ".join(unknown) + ".",
            code="round_award_unknown",
        )
    return tuple(dict.fromkeys(awards))


@dataclass(frozen=True)
class Candidate:
    """What the rule needs to know of a dossier someone adds to a round."""

    dossier_id: int
    status: str
    award: str
    authority_id: int
    in_round: str | None
    """The name of the round the dossier is already in, if any."""


def check_admissible(
    c: Candidate, *, round_authority_id: int, round_awards: Sequence[str], round_name: str
) -> None:
    """Raise why `c` may not be added (409), or return."""
    if c.in_round is not None:
        if c.in_round == round_name:
            raise Conflict(f"Hồ sơ số {c.dossier_id} đã có trong đợt này.", code="already_in_round")
        raise Conflict(
            f"Hồ sơ số {c.dossier_id} đã thuộc đợt «{c.in_round}».", code="in_another_round"
        )
    if c.status != ADMITTED_DOSSIER_STATUS:
        raise Conflict(
            f"Hồ sơ số {c.dossier_id} chưa được lãnh đạo Sở ký trình: chưa thể đưa vào đợt.",
            code="dossier_not_approved",
        )
    if c.authority_id != round_authority_id:
        raise Conflict(
            f"Hồ sơ số {c.dossier_id} không thuộc cơ quan lập đợt.", code="other_authority"
        )
    if c.award not in round_awards:
        raise Conflict(
            f"Hồ sơ số {c.dossier_id} đề nghị hình thức khen thưởng không thuộc đợt này.",
            code="award_not_in_round",
        )


def check_editable(status: str) -> None:
    if status not in EDITABLE:
        raise Conflict(
            "Đợt đã trình duyệt: không thể thêm hoặc bớt hồ sơ.", code="round_not_editable"
        )


def check_list_open(has_meeting: bool, what: str) -> None:
    """Once the council has met (or is meeting) about a round, its list is what it voted
    on: a nominee who joined the list afterwards would never have been put to the vote
    and would silently fall off it. Removing a dossier stays possible."""
    if has_meeting:
        raise Conflict(
            f"Hội đồng Thi đua – Khen thưởng đã họp về đợt này: không thể {what}.",
            code="round_in_council",
        )


def check_submittable(dossier_count: int) -> list[str]:
    """Problems that keep a round from being submitted (empty: none)."""
    return [] if dossier_count else ["đợt chưa có hồ sơ nào"]


@dataclass(frozen=True)
class ListedNominee:
    """One line of the round's list: a nominee of one of its dossiers."""

    award: str
    kind: str  # "collective" | "individual"
    name: str
    position: str
    unit_name: str
    cluster_name: str
    dossier_id: int
    nominee_id: int = 0
    """The nominee's own id (what a council meeting's question is about)."""


ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


def list_groups(
    nominees: Sequence[ListedNominee], award_names: dict[str, str], award_order: Sequence[str]
) -> list[dict[str, object]]:
    """The Tờ trình's list: one group per award in `award_order` that has nominees,
    numbered I, II, …; in each, collectives (1.) then individuals (2., or 1. alone),
    each numbered from 1 in the order given."""
    groups: list[dict[str, object]] = []
    for award in award_order:
        mine = [n for n in nominees if n.award == award]
        if not mine:
            continue
        collectives = [n for n in mine if n.kind == "collective"]
        individuals = [n for n in mine if n.kind != "collective"]
        groups.append(
            {
                "numeral": ROMAN[len(groups)] if len(groups) < len(ROMAN) else str(len(groups) + 1),
                "award_name": award_names.get(award, award),
                "counts": {"collectives": len(collectives), "individuals": len(individuals)},
                "collective_heading": "1" if collectives else "",
                "collectives": [
                    {
                        "index": i,
                        "name": n.name,
                        "unit_name": n.unit_name,
                        "cluster_name": n.cluster_name,
                    }
                    for i, n in enumerate(collectives, 1)
                ],
                "individual_heading": "2" if collectives else "1",
                "individuals": [
                    {"index": i, "name": n.name, "position": n.position, "unit_name": n.unit_name}
                    for i, n in enumerate(individuals, 1)
                ],
            }
        )
    return groups
