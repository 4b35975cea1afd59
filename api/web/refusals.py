"""How a refused action is shown on the page it was taken from (a dossier's, a round's):
beside the field it is about — the PIN, the reason — or in the page's error box."""

from __future__ import annotations

from domain.errors import DomainError

PIN_CODES = frozenset(
    {
        "wrong_pin",
        "signing_locked",
        "signing_pin_required",
        "no_signing_key",
        "signing_pin_not_set",
        "certificate_revoked",
    }
)


def action_error(e: DomainError, action: str, reason: str | None) -> dict[str, str | None]:
    """The refusal of `action` for the page: its message and code, the field it belongs
    beside (None: the page's error box) and the reason as typed, to show it again."""
    field = (
        "signing_pin" if e.code in PIN_CODES else "reason" if e.code == "reason_required" else None
    )
    return {
        "action": str(action),
        "field": field,
        "message": e.message,
        "code": e.code,
        "reason": reason or "",
    }
