"""The cluster's one proposal of the year (Tờ trình của Cụm): after the year-end vote
(domain/cluster_vote.py) the head unit sends the board ONE Tờ trình listing every nominee
whose dossier passed the vote, grouped by award, with the vote's Biên bản and the
members' dossiers. The board's specialist appraises it (may strike a nominee with a
reason), the board's head approves it as a whole — each remaining dossier approved (a
round of the award-decision work admits it), each struck one not proposed — or returns
it to the cluster with a reason. No I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from domain.errors import Conflict, InvalidInput


class ProposalStatus(StrEnum):
    DRAFT = "draft"
    BOARD_APPRAISAL = "board_appraisal"
    RETURNED = "returned"
    APPROVED = "approved"


PROPOSAL_STATUS_LABELS = {
    ProposalStatus.DRAFT: "Dự thảo, chờ Trưởng cụm ký",
    ProposalStatus.BOARD_APPRAISAL: "Chờ Phòng Thi đua – Khen thưởng thẩm định, duyệt",
    ProposalStatus.RETURNED: "Bị trả lại Cụm",
    ProposalStatus.APPROVED: "Đã duyệt, vào đợt xét khen thưởng",
}

EDITABLE = frozenset({ProposalStatus.DRAFT, ProposalStatus.RETURNED})
"""The list is refreshed from the vote while the proposal is the cluster's."""

VOTED_STATUS = "cluster_voted"
"""A dossier that passed the cluster's vote waits in this status for the proposal."""
APPROVED_DOSSIER = "approved"
"""What a dossier the board approved with the proposal becomes (a round admits it)."""
STRUCK_DOSSIER = "rejected"
"""What a dossier the board struck from the proposal becomes."""

REASON_MAX = 2000
FORM = "to_trinh_cum_tong_hop"


@dataclass(frozen=True)
class VoteResult:
    """One candidate question of the closed vote, as the tally stored it."""

    dossier_id: int
    passed: bool
    counts: tuple[tuple[str, int], ...]
    voters: int
    rule: str


def vote_results(tally: Mapping[str, Any] | None) -> dict[int, VoteResult]:
    """The candidate (Bằng khen) questions of a stored tally, by dossier id (a candidate
    question's key is its dossier's id)."""
    out: dict[int, VoteResult] = {}
    for r in (tally or {}).get("results", []):
        if r.get("kind") != "bang_khen":
            continue
        key = int(r["key"])
        out[key] = VoteResult(
            key,
            bool(r.get("passed")),
            tuple(
                (str(c.get("label", c.get("value"))), int(c.get("votes", 0)))
                for c in r.get("counts", [])
            ),
            int(r.get("voters") or 0),
            str(r.get("rule") or ""),
        )
    return out


def settled_outcomes(tally: Mapping[str, Any] | None) -> dict[int, tuple[bool, str]]:
    """What the close did with each waiting dossier (passed or not, and why), by dossier
    id: the one word on a Cờ thi đua, which has no question of its own (the leading
    member's decides it)."""
    return {
        int(x["dossier_id"]): (x.get("outcome") == "passed", str(x.get("reason") or ""))
        for x in (tally or {}).get("dossiers", [])
        if x.get("outcome") in ("passed", "returned")
    }


def tally_text(v: VoteResult) -> str:
    """«Đồng ý 4, Không đồng ý 0 (4 phiếu)»."""
    counts = ", ".join(f"{label} {n}" for label, n in v.counts)
    return f"{counts} ({v.voters} phiếu)" if counts else f"{v.voters} phiếu"


def check_vote_closed(vote_exists: bool, closed: bool) -> None:
    if not vote_exists:
        raise Conflict("Cụm chưa tổ chức bỏ phiếu bình xét, suy tôn năm này.", code="vote_missing")
    if not closed:
        raise Conflict(
            "Cuộc bỏ phiếu bình xét, suy tôn chưa kết thúc: chưa lập được Tờ trình của Cụm.",
            code="vote_not_closed",
        )


def check_editable(status: str) -> None:
    if status not in EDITABLE:
        raise Conflict(
            "Tờ trình của Cụm đã ký gửi Phòng Thi đua – Khen thưởng: không sửa được nữa.",
            code="proposal_not_editable",
        )


def check_nominees(count: int) -> None:
    if count == 0:
        raise Conflict(
            "Không có hồ sơ nào đã được Cụm bình xét đạt: không có gì để đề nghị.",
            code="proposal_no_nominee",
        )


def problems(nominees: int, minutes_signed: bool) -> list[str]:
    """What keeps the proposal from being signed and sent (empty: nothing)."""
    found = []
    if not nominees:
        found.append("Không có hồ sơ nào được Cụm bình xét đạt.")
    if not minutes_signed:
        found.append("Biên bản họp bình xét, suy tôn chưa được ký, đóng dấu.")
    return found


def check_reason(reason: str | None) -> str:
    clean = " ".join((reason or "").split())
    if not clean:
        raise InvalidInput("Cần nêu lý do.", code="reason_required")
    if len(clean) > REASON_MAX:
        raise InvalidInput(f"Lý do dài quá {REASON_MAX} ký tự.", code="reason_too_long")
    return clean


def check_strikable(status: str, struck: bool, remaining: int) -> None:
    if status != ProposalStatus.BOARD_APPRAISAL:
        raise Conflict(
            "Chỉ loại hồ sơ khỏi Tờ trình của Cụm khi đang thẩm định.",
            code="proposal_not_in_appraisal",
        )
    if struck:
        raise Conflict("Hồ sơ này đã bị loại khỏi Tờ trình.", code="already_struck")
    if remaining <= 1:
        raise Conflict(
            "Không thể loại hồ sơ cuối cùng: hãy trả lại Tờ trình cho Cụm.",
            code="last_nominee",
        )


@dataclass(frozen=True)
class Entry:
    """One dossier of the proposal as its pages and its Tờ trình show it."""

    dossier_id: int
    award: str
    unit_name: str
    struck: bool = False


def by_award(entries: Iterable[Entry], award_order: Sequence[str]) -> list[tuple[str, list[Entry]]]:
    """The entries grouped by award, in the catalogue's order (unknown awards last)."""
    rows = list(entries)
    order = {a: i for i, a in enumerate(award_order)}
    awards = sorted({e.award for e in rows}, key=lambda a: (order.get(a, len(order)), a))
    return [
        (a, sorted((e for e in rows if e.award == a), key=lambda e: e.dossier_id)) for a in awards
    ]
