"""Request and answer bodies of people's credentials and certificates."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from api.accounts.service import CertificateView

Secret = Annotated[str, StringConstraints(max_length=256)]
Pin = Annotated[str, StringConstraints(max_length=64)]


class PasswordChangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    current_password: Secret
    new_password: Secret


class PinSetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pin: Pin
    pin_repeat: Pin | None = None


class PinChangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    current_pin: Pin
    new_pin: Pin
    new_pin_repeat: Pin | None = None


class PasswordResetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    password: Secret | None = None
    """The temporary password; empty: one is generated and answered once."""


class PasswordResetOut(BaseModel):
    username: str
    temporary_password: str | None
    """Only when it was generated: shown this once, stored nowhere in clear."""
    must_change_password: bool


class RevokeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Annotated[str, StringConstraints(max_length=500)]
    reason_code: Annotated[str, StringConstraints(max_length=32)] | None = None
    """unspecified (default), key_compromise, affiliation_changed, superseded,
    cessation_of_operation."""


class CertificateOut(BaseModel):
    id: int
    subject: str
    organization: str | None
    issuer: str
    serial: str
    fingerprint: str
    not_before: datetime
    not_after: datetime
    held_by_system: bool
    state: str
    revoked_at: datetime | None
    revocation_code: str | None
    revocation_reason: str | None

    @classmethod
    def of(cls, v: CertificateView) -> CertificateOut:
        return cls.model_validate(v, from_attributes=True)


class SigningKeyRequestOut(BaseModel):
    username: str
    signing_key_pending: bool
