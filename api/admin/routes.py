"""Administration of people: accounts and who holds which role where, passwords (a reset
that must be changed at the next sign-in), the keys people sign with (a key issued by the
system's CA, or a token's certificate registered), revoking a certificate, and unlocking
signing after too many wrong PINs. Admins manage people; they do not act on dossiers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, UploadFile
from pydantic import BaseModel, ConfigDict, StringConstraints
from sqlalchemy.orm import Session

from api.accounts import service as accounts
from api.accounts.schemas import (
    CertificateOut,
    PasswordResetIn,
    PasswordResetOut,
    RevokeIn,
    SigningKeyRequestOut,
)
from api.admin import service
from api.admin.service import require_admin
from api.deps import CurrentReader, CurrentWriter, ReadSession, RuntimeDep, WriteSession
from domain.errors import InvalidInput, NotFound, PayloadTooLarge
from domain.roles import Role
from storage.models import User
from storage.repositories import keys as keys_repo
from storage.repositories import users as users_repo

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])


class UserOut(BaseModel):
    id: int
    username: str
    full_name: str
    position: str
    roles: list[str]
    titles: list[str]
    """Each role with where it is held, as the pages say it."""
    is_active: bool
    must_change_password: bool
    signing_locked: bool
    pin_failures: int
    signing_key_pending: bool
    certificates: int


def _out(s: Session, u: User) -> UserOut:
    return UserOut(
        id=u.id,
        username=u.username,
        full_name=u.full_name,
        position=u.position,
        roles=[g.role for g in u.grants],
        titles=accounts.role_titles(s, u.grants),
        is_active=u.is_active,
        must_change_password=u.must_change_password,
        signing_locked=u.signing_locked,
        pin_failures=u.pin_failures,
        signing_key_pending=u.signing_key_pending,
        certificates=len(keys_repo.personal_keys(s, u.id)),
    )


def _user(s: Session, username: str) -> User:
    user = users_repo.user_by_username(s, username)
    if user is None:
        raise NotFound("Không có tài khoản này.", code="user_not_found")
    return user


@router.get("/users", response_model=list[UserOut])
def users(caller: CurrentReader, s: ReadSession) -> list[UserOut]:
    require_admin(caller.actor)
    return [_out(s, u) for u in users_repo.all_users(s)]


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: Annotated[str, StringConstraints(max_length=64)]
    full_name: Annotated[str, StringConstraints(max_length=255)]
    position: Annotated[str, StringConstraints(max_length=255)] = ""
    password: Annotated[str, StringConstraints(max_length=256)]
    """Temporary: the person must change it at the first sign-in."""


@router.post("/users", response_model=UserOut, status_code=201)
def create_user(body: UserIn, caller: CurrentWriter, s: WriteSession) -> UserOut:
    require_admin(caller.actor)
    user = service.create_user(
        s,
        caller.user,
        username=body.username,
        full_name=body.full_name,
        position=body.position,
        password=body.password,
    )
    return _out(s, user)


class GrantIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Role
    unit_id: int | None = None
    authority_id: int | None = None


@router.post("/users/{username}/roles", response_model=UserOut, status_code=201)
def grant_role(username: str, body: GrantIn, caller: CurrentWriter, s: WriteSession) -> UserOut:
    """Give a role where it is held: a unit (its clerk, its head, the leaders of a
    cluster through the unit), or the authority (board, auditors, admins)."""
    require_admin(caller.actor)
    service.grant_role(
        s, caller.user, username, body.role, unit_id=body.unit_id, authority_id=body.authority_id
    )
    return _out(s, _user(s, username))


@router.post("/users/{username}/unlock-signing", response_model=UserOut)
def unlock_signing(username: str, caller: CurrentWriter, s: WriteSession) -> UserOut:
    require_admin(caller.actor)
    return _out(s, service.unlock_signing(s, caller.user, username))


@router.post("/users/{username}/reset-password", response_model=PasswordResetOut)
def reset_password(
    username: str, body: PasswordResetIn, caller: CurrentWriter, s: WriteSession
) -> PasswordResetOut:
    """A temporary password (the one given, or a generated one answered this once); the
    person must change it at the next sign-in, and their open sessions end."""
    require_admin(caller.actor)
    generated = accounts.reset_password(s, caller.user, username, body.password)
    return PasswordResetOut(
        username=username, temporary_password=generated, must_change_password=True
    )


@router.get("/users/{username}/certificates", response_model=list[CertificateOut])
def certificates(username: str, caller: CurrentReader, s: ReadSession) -> list[CertificateOut]:
    require_admin(caller.actor)
    return [CertificateOut.of(v) for v in accounts.certificates_of(s, _user(s, username).id)]


@router.post("/users/{username}/certificates", response_model=CertificateOut, status_code=201)
def register_certificate(
    username: str,
    caller: CurrentWriter,
    s: WriteSession,
    rt: RuntimeDep,
    file: Annotated[UploadFile, File(description="chứng thư (PEM hoặc DER)")],
) -> CertificateOut:
    """Register the certificate of the person's own token: accepted when it can sign, is
    in date, chains to a trust root (GET /api/v1/trust-roots) and is nobody else's (422
    `certificate_*`, 409 `certificate_taken`). The person then signs prepared PDFs with
    the token and uploads them to the approve action."""
    require_admin(caller.actor)
    data = file.file.read(accounts.MAX_CERTIFICATE_BYTES + 1)  # spooled already: no wait
    if len(data) > accounts.MAX_CERTIFICATE_BYTES:
        raise PayloadTooLarge("Tệp chứng thư quá lớn (tối đa 64 KB).")
    if not data:
        raise InvalidInput("Hãy chọn tệp chứng thư.", code="certificate_invalid")
    key = accounts.register_certificate(s, caller.user, username, data, rt.crls())
    return CertificateOut.of(accounts.certificate_view(key))


@router.post("/users/{username}/signing-key", response_model=SigningKeyRequestOut, status_code=202)
def request_signing_key(
    username: str, caller: CurrentWriter, s: WriteSession
) -> SigningKeyRequestOut:
    """Ask the system's CA for a key for the person (409 `ca_unavailable` when the system
    holds no CA key). It is made when the person sets their signing PIN (POST
    /api/v1/me/signing-pin), so no one else ever knows the PIN."""
    require_admin(caller.actor)
    user = accounts.request_key(s, caller.user, username)
    return SigningKeyRequestOut(username=user.username, signing_key_pending=True)


@router.post(
    "/users/{username}/certificates/{certificate_id}/revoke", response_model=CertificateOut
)
def revoke_certificate(
    username: str, certificate_id: int, body: RevokeIn, caller: CurrentWriter, s: WriteSession
) -> CertificateOut:
    """Revoke a person's certificate with a reason: it signs nothing more (approvals and
    uploads signed with it are refused), and the CRL of the system's CA lists it."""
    require_admin(caller.actor)
    key = accounts.revoke_certificate(
        s, caller.user, username, certificate_id, body.reason, body.reason_code
    )
    return CertificateOut.of(accounts.certificate_view(key))
