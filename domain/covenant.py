"""The cluster's emulation covenant (Giao ước thi đua, Luật Thi đua, khen thưởng 2022: the
members of a cluster register and sign their emulation commitments for the year).

Its life: `draft` — each member unit enters its own measurable commitments (indicator
and target value); `signing` — the head unit opened it: the PDF is prepared with one
signature field per member head and the head unit's seal field, the commitments are
frozen, and every member's head signs it in any order, each signature an incremental
revision on top of the previous one; `sealed` — once all have signed, the head unit's
organisation seal closes it. No I/O.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum

from domain.errors import Conflict, InvalidInput
from domain.roles import Actor, Role


class CovenantStatus(StrEnum):
    DRAFT = "draft"
    SIGNING = "signing"
    SEALED = "sealed"


STATUS_LABELS = {
    CovenantStatus.DRAFT: "Các đơn vị đang nhập chỉ tiêu",
    CovenantStatus.SIGNING: "Đang ký",
    CovenantStatus.SEALED: "Đã ký đủ, đã đóng dấu",
}

MAX_COMMITMENTS = 30
MAX_INDICATOR = 1000
MAX_TARGET = 300


@dataclass(frozen=True)
class Commitment:
    indicator: str
    target: str
    criterion_id: int | None = None


def clean_commitments(items: Sequence[Commitment], criteria: Collection[int]) -> list[Commitment]:
    """The commitments as they will be stored: trimmed, each with an indicator and a
    target, at most `MAX_COMMITMENTS`, a criterion only one of the plan's; else 422."""
    if len(items) > MAX_COMMITMENTS:
        raise InvalidInput(
            f"Mỗi đơn vị giao ước tối đa {MAX_COMMITMENTS} chỉ tiêu.", code="too_many_commitments"
        )
    out = []
    for i, c in enumerate(items, 1):
        indicator, target = c.indicator.strip(), c.target.strip()
        if not indicator or not target:
            raise InvalidInput(
                f"Chỉ tiêu thứ {i}: cần ghi cả nội dung chỉ tiêu và mức cam kết.",
                code="commitment_incomplete",
            )
        if len(indicator) > MAX_INDICATOR or len(target) > MAX_TARGET:
            raise InvalidInput(f"Chỉ tiêu thứ {i} quá dài.", code="commitment_too_long")
        if c.criterion_id is not None and c.criterion_id not in criteria:
            raise InvalidInput(
                f"Chỉ tiêu thứ {i}: tiêu chí không thuộc kế hoạch của Cụm năm này.",
                code="criterion_not_in_plan",
            )
        out.append(Commitment(indicator, target, c.criterion_id))
    return out


def check_editable(status: str) -> None:
    if status != CovenantStatus.DRAFT:
        raise Conflict(
            "Giao ước đã mở để ký: các chỉ tiêu không sửa được nữa.", code="covenant_frozen"
        )


def check_open(status: str, members: Collection[int], committed: Collection[int]) -> None:
    """The head unit opens the covenant for signing: once, and only when every member
    has entered at least one commitment."""
    if status != CovenantStatus.DRAFT:
        raise Conflict("Giao ước đã được mở để ký.", code="covenant_already_open")
    if not members:
        raise Conflict("Cụm chưa có đơn vị thành viên.", code="covenant_no_members")
    missing = set(members) - set(committed)
    if missing:
        raise Conflict(
            f"Còn {len(missing)} đơn vị thành viên chưa nhập chỉ tiêu giao ước.",
            code="covenant_commitments_missing",
        )


def check_sign(status: str, unit_id: int, signed: Collection[int]) -> None:
    if status == CovenantStatus.DRAFT:
        raise Conflict("Giao ước chưa được mở để ký.", code="covenant_not_open")
    if unit_id in signed:
        raise Conflict("Đơn vị đã ký giao ước này.", code="covenant_already_signed")
    if status != CovenantStatus.SIGNING:
        raise Conflict("Giao ước đã được đóng dấu.", code="covenant_sealed")


def check_seal(status: str, signers: Collection[int], signed: Collection[int]) -> None:
    if status == CovenantStatus.SEALED:
        raise Conflict("Giao ước đã được đóng dấu.", code="covenant_sealed")
    if status != CovenantStatus.SIGNING:
        raise Conflict("Giao ước chưa được mở để ký.", code="covenant_not_open")
    left = set(signers) - set(signed)
    if left:
        raise Conflict(
            f"Còn {len(left)} đơn vị chưa ký: đóng dấu khi mọi thành viên đã ký.",
            code="covenant_not_all_signed",
        )


def seals(actor: Actor, head_unit_id: int | None, term_id: int | None) -> bool:
    """The head unit's cluster approver (not the deputy unit's): the seal is the head
    unit's."""
    return head_unit_id is not None and any(
        g.role == Role.CLUSTER_APPROVER
        and (g.unit_id == head_unit_id or (term_id is not None and g.cluster_term_id == term_id))
        for g in actor.grants
    )


def field_name(unit_code: str) -> str:
    """The signature field of a member's head: ASCII, one per unit."""
    safe = "".join(ch if ch.isascii() and ch.isalnum() else "_" for ch in unit_code)
    return f"ThanhVien_{safe}"
