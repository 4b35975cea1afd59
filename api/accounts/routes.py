"""A person's own credentials: change the password (also the way out of a temporary
one), set the signing PIN at first use (the key is made then), change it, and list one's
certificates."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from api.accounts import service
from api.accounts.schemas import CertificateOut, PasswordChangeIn, PinChangeIn, PinSetIn
from api.auth.routes import Token
from api.deps import CurrentReader, CurrentWriter, ReadSession, SettingsDep, WriteSession

router = APIRouter(prefix="/api/v1/me", tags=["auth"])


@router.post("/password", response_model=Token)
def change_password(
    request: Request,
    body: PasswordChangeIn,
    caller: CurrentWriter,
    s: WriteSession,
    settings: SettingsDep,
) -> Token:
    """Change one's password: the current one is required (wrong ones count like wrong
    passwords at sign-in). Every session opened before ends: use the token answered."""
    address = request.client.host if request.client else "?"
    token = service.change_password(
        s, settings, caller.user.id, body.current_password, body.new_password, address
    )
    return Token(access_token=token)


@router.post("/signing-pin", response_model=CertificateOut, status_code=201)
def set_signing_pin(
    body: PinSetIn, caller: CurrentWriter, s: WriteSession, settings: SettingsDep
) -> CertificateOut:
    """Set one's first signing PIN, after an admin asked for a key: the key pair is
    generated now and certified by the system's CA (409 `signing_key_not_requested`
    otherwise, `ca_unavailable` without a CA key)."""
    key = service.set_first_pin(s, settings.secret_key, caller.user.id, body.pin, body.pin_repeat)
    return CertificateOut.of(service.certificate_view(key))


@router.post("/signing-pin/change", status_code=204)
def change_signing_pin(
    body: PinChangeIn, caller: CurrentWriter, s: WriteSession, settings: SettingsDep
) -> Response:
    """Change the signing PIN (the key is encrypted again). A wrong current PIN counts
    toward the lock (403 `wrong_pin`, then `signing_locked`)."""
    service.change_pin(
        s, settings.secret_key, caller.user.id, body.current_pin, body.new_pin, body.new_pin_repeat
    )
    return Response(status_code=204)


@router.get("/certificates", response_model=list[CertificateOut])
def my_certificates(caller: CurrentReader, s: ReadSession) -> list[CertificateOut]:
    return [CertificateOut.of(v) for v in service.certificates_of(s, caller.user.id)]
