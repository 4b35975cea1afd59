"""The award decision (quyết định khen thưởng) of the Chủ tịch UBND tỉnh, made from a
round the Sở has submitted: its states, who sees it, and what it records for each
nominee of the round. No I/O.

The board's specialist drafts it from a submitted round (one decision per round); the
flow prepares the Quyết định; a leader of the UBND tỉnh (the Chủ tịch, or a Phó Chủ tịch
signing "KT. CHỦ TỊCH") signs it with their PIN and the UBND's own series numbers it and
its seal seals it. A decision signed in the province's own e-office may be uploaded
instead, accepted only with a signature that verifies against the trust roots. Either
way every listed nominee gets an award record and the round's dossiers are closed as
awarded («Đã khen thưởng»).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import ClassVar

from domain import policy
from domain.errors import Conflict, Forbidden, InvalidInput
from domain.roles import Actor, Role


class DecisionStatus(StrEnum):
    DRAFT = "draft"
    SIGNING = "signing"
    ISSUED = "issued"


DECISION_STATUS_LABELS = {
    DecisionStatus.DRAFT: "Dự thảo quyết định",
    DecisionStatus.SIGNING: "Chờ lãnh đạo UBND tỉnh ký",
    DecisionStatus.ISSUED: "Đã ban hành",
}

DRAFTER = Role.BOARD_SPECIALIST
"""Who drafts a decision from a submitted round and may upload one signed elsewhere."""

UBND_CODE = "UBND"
"""The code of the UBND tỉnh's own record (an authority of its own: its number series
`…/QĐ-UBND` and its seal)."""

NOT_PASSED_REASON = "Không có trong danh sách đề nghị khen thưởng (kết quả thẩm định không đạt)"
COUNCIL_REASON = (
    "Không có trong danh sách đề nghị khen thưởng (Hội đồng Thi đua – Khen thưởng không thông qua)"
)
HELD_BACK_REASON = "Không có trong danh sách đề nghị khen thưởng (ý kiến hiệp y không đồng ý)"


@dataclass(frozen=True)
class DecisionScope:
    """Where a decision sits for the policy's rules (subject kind `decision`): the
    authority whose board drafted it."""

    kind: ClassVar[str] = policy.DECISION
    authority_id: int
    unit_id: int | None = None
    cluster_term_id: int | None = None
    cluster_leader_unit_ids: frozenset[int] = frozenset()


def can_view(actor: Actor, authority_id: int) -> bool:
    return policy.allows(actor, DecisionScope(authority_id))


def check_drafter(actor: Actor, authority_id: int) -> None:
    if not policy.holds(actor, DRAFTER, DecisionScope(authority_id)):
        raise Forbidden(
            "Chỉ chuyên viên Phòng Thi đua – Khen thưởng lập dự thảo quyết định khen thưởng.",
            code="forbidden_action",
        )


def check_round_decidable(round_status: str, has_decision: bool) -> None:
    """A decision is made from a round the Sở has submitted, once."""
    if has_decision:
        raise Conflict("Đợt này đã có quyết định khen thưởng.", code="round_has_decision")
    if round_status != "submitted":
        raise Conflict(
            "Đợt chưa được trình Chủ tịch UBND tỉnh: chưa thể lập quyết định khen thưởng.",
            code="round_not_submitted",
        )


def check_uploadable(status: str) -> None:
    if status == DecisionStatus.ISSUED:
        raise Conflict("Quyết định đã ban hành.", code="decision_issued")


NUMBER_MAX = 64


def check_upload_fields(number: str, decided_on: date | None, today: date) -> str:
    """A decision signed elsewhere: its number (with its «/…» symbol) and its date, which
    is not after `today` in Việt Nam (a decision is uploaded once signed)."""
    clean = " ".join((number or "").split())
    if not clean or len(clean) > NUMBER_MAX or "/" not in clean:
        raise InvalidInput(
            "Cần nhập số, ký hiệu của quyết định, ví dụ 1234/QĐ-UBND.",
            code="decision_number_required",
        )
    if decided_on is None:
        raise InvalidInput("Cần nhập ngày ký quyết định.", code="decision_date_required")
    if decided_on > today:
        raise InvalidInput(
            f"Ngày ký quyết định không được sau ngày hôm nay ({today:%d/%m/%Y}).",
            code="decision_date_future",
        )
    return clean


def decision_label(number: str | None, decided_on: date | None) -> str:
    """ "Quyết định số 05/QĐ-UBND ngày 04/12/2026" as units read it on their dossiers."""
    if not number:
        return "Quyết định khen thưởng"
    when = f" ngày {decided_on:%d/%m/%Y}" if decided_on else ""
    return f"Quyết định số {number}{when}"


def award_result_text(
    awarded: bool,
    reason: str,
    number: str | None,
    decided_on: date | None,
    certificate: str | None,
    revoked_by: str | None = None,
) -> str:
    """What a decision did for one nominee, as the dossier's page says it: «Được khen
    thưởng — Quyết định số … ngày …, số vào sổ …» or «Không được khen thưởng: <lý do>».
    `certificate`: the number in the certificate book ("12/2026"), when there is one."""
    if not awarded:
        return f"Không được khen thưởng: {reason}" if reason else "Không được khen thưởng"
    book = f", số vào sổ {certificate}" if certificate else ""
    if revoked_by:
        return (
            f"Đã thu hồi khen thưởng theo {revoked_by} "
            f"(đã được khen thưởng theo {decision_label(number, decided_on)}{book})"
        )
    return f"Được khen thưởng — {decision_label(number, decided_on)}{book}"


def check_prize_values(changed: bool) -> None:
    """A decision is signed as it was prepared: if the prize money's configured values
    changed since, the signer returns it and the board's specialist submits it again."""
    if changed:
        raise Conflict(
            "Mức lương cơ sở hoặc hệ số tiền thưởng áp dụng đã thay đổi kể từ ngày chuẩn bị "
            "dự thảo: hãy trả lại để chuẩn bị lại quyết định theo mức mới.",
            code="prize_values_changed",
        )


# Corrections of an issued decision (đính chính / thu hồi). A decision is never edited: a
# correcting or revoking decision, signed in the province's e-office and uploaded,
# references it; the award records keep their values and show the amendments.


class AmendmentKind(StrEnum):
    CORRECT = "dinh_chinh"
    REVOKE = "thu_hoi"


AMENDMENT_KIND_LABELS = {
    AmendmentKind.CORRECT: "Quyết định đính chính",
    AmendmentKind.REVOKE: "Quyết định thu hồi",
}

CORRECTABLE_FIELDS = {
    "name": "Tên tập thể, cá nhân",
    "position": "Chức vụ",
    "unit_name": "Đơn vị",
}
"""The award record's texts a correction may change (what the decision's list and the
certificate print). The award itself (and so the prize money) is not corrected: revoke
and decide again."""

VALUE_MAX = 255
REASON_MAX = 4000


@dataclass(frozen=True)
class RecordState:
    """An award record as its amendments so far leave it."""

    record_id: int
    dossier_id: int
    awarded: bool
    revoked: bool
    values: dict[str, str]
    """The current text of each correctable field."""


@dataclass(frozen=True)
class RecordChange:
    """What an amendment does to one record (old value as the record reads now)."""

    record_id: int
    dossier_id: int
    kind: AmendmentKind
    field: str | None = None
    old_value: str | None = None
    new_value: str | None = None


def check_amendable(status: str) -> None:
    if status != DecisionStatus.ISSUED:
        raise Conflict(
            "Quyết định chưa ban hành: chưa thể đính chính hay thu hồi.",
            code="decision_not_issued",
        )


def amendment_kind(raw: str) -> AmendmentKind:
    try:
        return AmendmentKind(raw)
    except ValueError:
        raise InvalidInput(
            "Hãy chọn đính chính hoặc thu hồi.", code="amendment_kind_invalid"
        ) from None


def check_reason(reason: str) -> str:
    clean = (reason or "").strip()
    if not clean:
        raise InvalidInput("Hãy nêu lý do đính chính hoặc thu hồi.", code="reason_required")
    if len(clean) > REASON_MAX:
        raise InvalidInput("Lý do quá dài.", code="reason_too_long")
    return clean


def plan_amendment(
    kind: AmendmentKind,
    changes: list[tuple[int, str | None, str | None]],
    records: dict[int, RecordState],
) -> list[RecordChange]:
    """The changes (record id, field, new value) checked against the decision's records:
    422 when a record is not of this decision or a field is unknown, 409 when a record
    is not awarded or already revoked."""
    if not changes:
        raise InvalidInput(
            "Hãy chọn ít nhất một tập thể, cá nhân của quyết định.", code="changes_required"
        )
    out: list[RecordChange] = []
    seen: set[tuple[int, str | None]] = set()
    for record_id, field, new_value in changes:
        rec = records.get(record_id)
        if rec is None:
            raise InvalidInput(
                "Tập thể, cá nhân được chọn không thuộc quyết định này.",
                code="record_not_in_decision",
            )
        if not rec.awarded:
            raise Conflict(
                "Tập thể, cá nhân được chọn không được khen thưởng theo quyết định này.",
                code="record_not_awarded",
            )
        if rec.revoked:
            raise Conflict(
                "Khen thưởng của tập thể, cá nhân được chọn đã bị thu hồi.",
                code="record_revoked",
            )
        key = (record_id, field if kind == AmendmentKind.CORRECT else None)
        if key in seen:
            raise InvalidInput("Một nội dung được chọn hai lần.", code="duplicate_change")
        seen.add(key)
        if kind == AmendmentKind.REVOKE:
            out.append(RecordChange(record_id, rec.dossier_id, kind))
            continue
        if field not in CORRECTABLE_FIELDS:
            raise InvalidInput(
                "Nội dung đính chính phải là tên, chức vụ hoặc đơn vị.", code="unknown_field"
            )
        clean = " ".join((new_value or "").split())
        old = rec.values.get(field, "")
        if field == "name" and not clean:
            raise InvalidInput("Hãy nhập nội dung sau đính chính.", code="new_value_required")
        if len(clean) > VALUE_MAX:
            raise InvalidInput("Nội dung sau đính chính quá dài.", code="new_value_too_long")
        if clean == old:
            raise InvalidInput(
                "Nội dung sau đính chính trùng nội dung hiện có.", code="new_value_unchanged"
            )
        out.append(RecordChange(record_id, rec.dossier_id, kind, field, old, clean))
    return out


def check_amendment_date(decided_on: date, original_on: date | None) -> None:
    """A correcting or revoking decision is not dated before the decision it amends."""
    if original_on is not None and decided_on < original_on:
        raise InvalidInput(
            "Ngày ký quyết định đính chính, thu hồi không được trước ngày của quyết định "
            f"được đính chính, thu hồi ({original_on:%d/%m/%Y}).",
            code="amendment_date_before_original",
        )


def amendment_note(kind: str, number: str, decided_on: date) -> str:
    """ "Đã thu hồi theo Quyết định số … ngày …" / "Đính chính theo Quyết định số …"."""
    label = decision_label(number, decided_on)
    return ("Đã thu hồi theo " if kind == AmendmentKind.REVOKE else "Đính chính theo ") + label


def amendment_message(
    kind: str, number: str, decided_on: date, names: list[str], dossier_id: int
) -> str:
    """What a unit is told of a correcting or revoking decision touching its dossier:
    «Quyết định số … ngày … thu hồi khen thưởng của … (hồ sơ số …)»."""
    what = "thu hồi" if kind == AmendmentKind.REVOKE else "đính chính"
    who = ", ".join(n for n in names if n) or "tập thể, cá nhân của hồ sơ"
    return (
        f"{decision_label(number, decided_on)} {what} khen thưởng của {who} (hồ sơ số {dossier_id})"
    )
