"""What a signing PIN and a revocation must be (pure rules, no I/O).

The PIN unlocks an approver's key held by the system: digits only, the length of the
demo's PIN (`TDKT_DEMO_PIN`, 123456) and of the PINs of the USB tokens people already
use. Wrong PINs are counted elsewhere (api/dossiers/signing.py): five in a row lock
signing until an admin unlocks it.
"""

from __future__ import annotations

from enum import StrEnum

from domain.errors import InvalidInput

PIN_LENGTH = 6
MAX_REASON = 500


def check_new_pin(pin: str, repeat: str | None = None) -> None:
    if len(pin) != PIN_LENGTH or not pin.isascii() or not pin.isdigit():
        raise InvalidInput(f"Mã PIN ký số gồm đúng {PIN_LENGTH} chữ số.", code="invalid_pin")
    if repeat is not None and repeat != pin:
        raise InvalidInput("Hai lần nhập mã PIN không khớp.", code="pin_mismatch")


class RevocationReason(StrEnum):
    """The reasons a certificate revocation list may give (RFC 5280, 5.3.1), as the
    admin picks them."""

    UNSPECIFIED = "unspecified"
    KEY_COMPROMISE = "key_compromise"
    AFFILIATION_CHANGED = "affiliation_changed"
    SUPERSEDED = "superseded"
    CESSATION_OF_OPERATION = "cessation_of_operation"


REVOCATION_REASON_LABELS = {
    RevocationReason.UNSPECIFIED: "Khác",
    RevocationReason.KEY_COMPROMISE: "Lộ khóa, mất thiết bị ký số hoặc lộ mã PIN",
    RevocationReason.AFFILIATION_CHANGED: "Chuyển công tác, thôi giữ chức vụ",
    RevocationReason.SUPERSEDED: "Thay bằng chứng thư mới",
    RevocationReason.CESSATION_OF_OPERATION: "Không còn dùng",
}


def revocation(reason: str, code: str | None) -> tuple[str, RevocationReason]:
    """The reason as recorded, and its code (unspecified when none is given)."""
    text = reason.strip()
    if not text:
        raise InvalidInput("Hãy nêu lý do thu hồi.", code="revocation_reason_required")
    if len(text) > MAX_REASON:
        raise InvalidInput(
            f"Lý do thu hồi dài tối đa {MAX_REASON} ký tự.", code="revocation_reason_too_long"
        )
    try:
        kind = RevocationReason(code or RevocationReason.UNSPECIFIED)
    except ValueError:
        raise InvalidInput(
            "Hãy chọn một lý do thu hồi trong danh sách.", code="invalid_revocation_reason"
        ) from None
    return text, kind
