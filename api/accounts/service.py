"""People's own credentials and the keys they sign with, shared by the JSON API, the pages
and the operator's CLI:

- passwords: a person changes theirs (the current one is checked and throttled like a
  sign-in); an admin resets one to a temporary password that must be changed at the next
  sign-in; either way every session opened before ends (the account's session epoch);
- a key the system holds: an admin asks the configured CA for it, and it is made and
  certified only when the person sets their signing PIN, so nobody else ever knows it;
  the person changes the PIN with the current one (wrong ones count toward the lock);
- a token's certificate: registered to the person when it can sign, is in date, chains
  to a trust root and belongs to nobody else; the person signs elsewhere and uploads;
- revocation by an admin, with a reason: the certificate signs nothing more and the
  CA's CRL lists it.

Every change is an audit event that carries no secret. Runs in the caller's transaction
and never commits, except to count a wrong password or PIN in a request that then fails
(as signing in and signing do).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from api.auth.security import (
    MAX_FAILURES_PER_ACCOUNT,
    THROTTLE_WINDOW,
    check_new_password,
    hash_password,
    issue_token,
    temporary_password,
    verify_password,
)
from api.dossiers import signing
from core.settings import Settings
from documents.pki import (
    CertificateProblem,
    CertKey,
    WrongPassphrase,
    certificate_facts,
    check_signing_certificate,
    decrypt_key,
    encrypt_key,
    fingerprint,
    issue_certificate,
    pin_passphrase,
    x509_name,
)
from domain.credentials import (
    REVOCATION_REASON_LABELS,
    RevocationReason,
    check_new_pin,
    revocation,
)
from domain.errors import (
    CaUnavailable,
    CertificateConflict,
    CertificateRejected,
    DomainError,
    InvalidInput,
    NotFound,
    TooManyAttempts,
    WrongPassword,
)
from domain.roles import Role, RoleGrant, role_title
from storage import audit
from storage.audit import VIETNAM
from storage.models import LoginFailure, RoleAssignment, SigningKey, User, utcnow
from storage.repositories import auth as auth_repo
from storage.repositories import keys as keys_repo
from storage.repositories import org as org_repo
from storage.repositories import users as users_repo

MAX_CERTIFICATE_BYTES = 64 * 1024


class NotRequested(DomainError):
    status, code = 409, "signing_key_not_requested"
    message = (
        "Quản trị chưa yêu cầu cấp khóa ký số cho bạn (hoặc khóa đã được tạo: "
        "hãy dùng «Đổi mã PIN»)."
    )


def this_year() -> int:
    """The year whose cluster terms are in force (Vietnam time)."""
    return datetime.now(VIETNAM).year


def role_titles(
    s: Session, grants: Sequence[RoleGrant | RoleAssignment], year: int | None = None
) -> list[str]:
    """Each role of a person with where it is held, as people say it (the header, the
    users pages, the CLI): "Trưởng cụm, Cụm I – … (2026)", "Chuyên viên, Phòng Thi đua –
    Khen thưởng, Sở Nội vụ"."""
    year = year or this_year()
    return [role_title(Role(g.role), org_repo.place_of(s, g, year)) for g in grants]


def find_user(s: Session, username: str) -> User:
    user = users_repo.user_by_username(s, username)
    if user is None:
        raise NotFound("Không có tài khoản này.", code="user_not_found")
    return user


def _by(by: User | None) -> audit.Who | None:
    """An admin acting in the pages or the API; None: the operator's shell (`tdkt`)."""
    return audit.Who(by.id, by.full_name, Role.ADMIN, "") if by is not None else None


def _data(user: User, by: User | None, **more: object) -> dict[str, object]:
    data: dict[str, object] = {"user_id": user.id, "username": user.username, **more}
    if by is None:
        data["by"] = "tdkt"
    return data


def _self(user: User) -> audit.Who:
    return audit.Who(user.id, user.full_name, "", "")


# ---------------------------------------------------------------- passwords


def change_password(
    s: Session, settings: Settings, user_id: int, current: str, new: str, address: str
) -> str:
    """The person's own change: a new access token (every older session ends)."""
    user = s.get(User, user_id)
    assert user is not None
    since = utcnow() - THROTTLE_WINDOW
    if auth_repo.login_failures(s, username=user.username, since=since) >= MAX_FAILURES_PER_ACCOUNT:
        raise TooManyAttempts()
    if not verify_password(user.password_hash, current):
        s.add(LoginFailure(username=user.username, address=address))
        s.commit()  # counted like a wrong password at sign-in, although the request fails
        raise WrongPassword()
    check_new_password(new, current=current)
    forced = user.must_change_password
    user.password_hash = hash_password(new)
    user.must_change_password = False
    user.session_epoch += 1
    audit.append(s, kind="password_changed", who=_self(user), data=_data(user, user, forced=forced))
    return issue_token(user.id, settings.secret_key, settings.token_minutes, user.session_epoch)


def reset_password(
    s: Session, by: User | None, username: str, password: str | None = None
) -> str | None:
    """An admin's reset: the password given, or a generated one (returned, to be shown
    once). The person must change it at the next sign-in; their sessions end."""
    user = find_user(s, username)
    generated = None
    if not password:
        password = generated = temporary_password()
    check_new_password(password)
    user.password_hash = hash_password(password)
    user.must_change_password = True
    user.session_epoch += 1
    audit.append(
        s,
        kind="password_reset",
        who=_by(by),
        data=_data(user, by, generated=generated is not None),
    )
    s.flush()
    return generated


# ---------------------------------------------------------------- a key the system holds


def request_key(s: Session, by: User | None, username: str) -> User:
    """Ask the configured CA for a key for the person: made when they set their PIN."""
    user = find_user(s, username)
    if keys_repo.issuing_ca(s) is None:
        raise CaUnavailable()
    if not user.signing_key_pending:
        user.signing_key_pending = True
        audit.append(s, kind="signing_key_requested", who=_by(by), data=_data(user, by))
        s.flush()
    return user


def _organisation(s: Session, user: User) -> str:
    """The O of a person's certificate: where they hold their first role."""
    for g in user.grants:
        place = org_repo.place_of(s, g, this_year())
        parts = [p for p in (place.unit, place.board, place.authority, place.cluster) if p]
        if parts:
            return ", ".join(parts)
    authorities = org_repo.all_authorities(s)
    return authorities[0].name if authorities else "tdkt"


def set_first_pin(
    s: Session, secret: str, user_id: int, pin: str, repeat: str | None = None
) -> SigningKey:
    """The person's first PIN: the key pair is generated now, certified by the CA the
    system holds, and kept encrypted under the PIN (peppered with the server's secret)."""
    check_new_pin(pin, repeat)
    user = s.get(User, user_id)
    assert user is not None
    if not user.signing_key_pending:
        raise NotRequested()
    ca = keys_repo.issuing_ca(s)
    if ca is None or ca.key_pem_encrypted is None:
        raise CaUnavailable()
    issuer = CertKey(ca.cert_pem, decrypt_key(ca.key_pem_encrypted, secret))
    made = issue_certificate(
        issuer,
        common_name=x509_name(user.full_name),
        organization=x509_name(_organisation(s, user)),
        kind="person",
        key_type="ec",  # ECDSA P-256: made in milliseconds, valid for PAdES and NSS
    )
    facts = certificate_facts(made.cert_pem)
    key = SigningKey(
        kind="person",
        user_id=user.id,
        subject=user.full_name,
        fingerprint=facts.fingerprint,
        cert_pem=made.cert_pem,
        key_pem_encrypted=encrypt_key(made.key_pem, pin_passphrase(pin, secret)),
        not_after=facts.not_after,
    )
    s.add(key)
    # A new key under a new PIN: wrong PINs typed for an older key no longer count.
    user.signing_key_pending, user.pin_failures, user.signing_locked = False, 0, False
    s.flush()
    audit.append(
        s,
        kind="signing_key_issued",
        who=_self(user),
        data=_data(
            user,
            user,
            certificate_id=key.id,
            fingerprint=facts.fingerprint,
            serial=facts.serial,
            subject=facts.subject,
            issuer=facts.issuer,
            not_after=facts.not_after.isoformat(),
        ),
    )
    return key


def change_pin(
    s: Session, secret: str, user_id: int, current: str, new: str, repeat: str | None = None
) -> None:
    """Re-encrypt the person's keys under a new PIN. The current PIN is required; a wrong
    one counts toward the lock exactly as when signing."""
    check_new_pin(new, repeat)
    if new == current:
        raise InvalidInput("Mã PIN mới phải khác mã PIN hiện tại.", code="pin_unchanged")
    user = s.get(User, user_id)
    assert user is not None
    newest = signing.usable_key(s, user)
    assert newest.key_pem_encrypted is not None
    old, fresh = pin_passphrase(current, secret), pin_passphrase(new, secret)
    try:
        decrypt_key(newest.key_pem_encrypted, old)
    except WrongPassphrase:
        signing.wrong_pin(s, user)
    changed = []
    for key in keys_repo.held_keys(s, user.id):
        assert key.key_pem_encrypted is not None
        try:
            pem = decrypt_key(key.key_pem_encrypted, old)
        except WrongPassphrase:
            continue  # an older key under an older PIN: it is not the one that signs
        key.key_pem_encrypted = encrypt_key(pem, fresh)
        changed.append(key.fingerprint)
    user.pin_failures = 0
    audit.append(
        s, kind="signing_pin_changed", who=_self(user), data=_data(user, user, keys=changed)
    )
    s.flush()


# ---------------------------------------------------------------- a token's certificate


def register_certificate(
    s: Session, by: User | None, username: str, data: bytes, crls: Sequence[bytes] = ()
) -> SigningKey:
    """Register the certificate of the person's own token (PEM or DER, possibly with its
    chain). No private key: the person signs elsewhere and uploads the signed PDF."""
    user = find_user(s, username)
    if len(data) > MAX_CERTIFICATE_BYTES:
        raise CertificateRejected(
            "Tệp chứng thư quá lớn (tối đa 64 KB).", code="certificate_invalid"
        )
    roots = [r.cert_pem for r in keys_repo.trust_roots(s)]
    try:
        pem = check_signing_certificate(data, roots, crls)
    except CertificateProblem as e:
        raise CertificateRejected(e.message, code=e.code) from e
    fp = fingerprint(pem)
    existing = keys_repo.key_by_fingerprint(s, fp)
    if existing is not None:
        if existing.kind == "person" and existing.user_id == user.id:
            revoked = " và đã bị thu hồi" if existing.revoked_at is not None else ""
            raise CertificateConflict(
                f"Chứng thư này đã được đăng ký cho người này{revoked}.",
                code="certificate_already_registered",
            )
        raise CertificateConflict()
    facts = certificate_facts(pem)
    key = SigningKey(
        kind="person",
        user_id=user.id,
        subject=facts.subject or user.full_name,
        fingerprint=fp,
        cert_pem=pem,
        key_pem_encrypted=None,
        not_after=facts.not_after,
    )
    s.add(key)
    s.flush()
    audit.append(
        s,
        kind="certificate_registered",
        who=_by(by),
        data=_data(
            user,
            by,
            certificate_id=key.id,
            fingerprint=fp,
            serial=facts.serial,
            subject=facts.subject,
            issuer=facts.issuer,
            not_after=facts.not_after.isoformat(),
        ),
    )
    return key


# ---------------------------------------------------------------- revocation


def find_certificate(s: Session, username: str, ref: str | int) -> SigningKey:
    """A person's certificate by its id, or (as the CLI takes it) by the start of its
    SHA-256 fingerprint, at least 8 hexadecimal digits."""
    user = find_user(s, username)
    if isinstance(ref, int):
        key = keys_repo.personal_key_by_id(s, user.id, ref)
        if key is not None:
            return key
    else:
        prefix = ref.strip().lower().replace(":", "")
        found = [k for k in keys_repo.personal_keys(s, user.id) if k.fingerprint.startswith(prefix)]
        if len(prefix) >= 8 and len(found) == 1:
            return found[0]
    raise NotFound("Người này không có chứng thư số đó.", code="certificate_not_found")


def revoke_certificate(
    s: Session,
    by: User | None,
    username: str,
    ref: str | int,
    reason: str,
    code: str | None = None,
) -> SigningKey:
    text, kind = revocation(reason, code)
    key = find_certificate(s, username, ref)
    if key.revoked_at is not None:
        raise CertificateConflict(
            "Chứng thư này đã bị thu hồi.", code="certificate_already_revoked"
        )
    user = find_user(s, username)
    key.revoked_at = utcnow()
    key.revocation_code, key.revocation_reason = str(kind), text
    key.revoked_by = by.id if by is not None else None
    facts = certificate_facts(key.cert_pem)
    audit.append(
        s,
        kind="certificate_revoked",
        who=_by(by),
        data=_data(
            user,
            by,
            certificate_id=key.id,
            fingerprint=key.fingerprint,
            serial=facts.serial,
            issuer=facts.issuer,
            reason_code=str(kind),
        ),
        reason=text,
    )
    s.flush()
    return key


# ---------------------------------------------------------------- what people are shown


@dataclass(frozen=True)
class CertificateView:
    id: int
    subject: str
    organization: str | None
    issuer: str
    serial: str
    fingerprint: str
    not_before: datetime
    not_after: datetime
    held_by_system: bool
    """A key the system holds (unlocked by the PIN), or a token's certificate only."""
    state: str
    """"active", "expired" or "revoked"."""
    state_label: str
    revoked_at: datetime | None
    revocation_code: str | None
    revocation_label: str | None
    revocation_reason: str | None


def certificate_view(key: SigningKey, now: datetime | None = None) -> CertificateView:
    facts = certificate_facts(key.cert_pem)
    now = now or datetime.now(UTC)
    if key.revoked_at is not None:
        state, label = "revoked", "Đã thu hồi"
    elif facts.not_after < now:
        state, label = "expired", "Hết hạn"
    else:
        state, label = "active", "Đang dùng"
    code = key.revocation_code
    return CertificateView(
        id=key.id,
        subject=facts.subject,
        organization=facts.organization,
        issuer=facts.issuer,
        serial=facts.serial,
        fingerprint=key.fingerprint,
        not_before=facts.not_before,
        not_after=facts.not_after,
        held_by_system=key.key_pem_encrypted is not None,
        state=state,
        state_label=label,
        revoked_at=key.revoked_at,
        revocation_code=code,
        revocation_label=REVOCATION_REASON_LABELS.get(RevocationReason(code)) if code else None,
        revocation_reason=key.revocation_reason,
    )


def certificates_of(s: Session, user_id: int) -> list[CertificateView]:
    now = datetime.now(UTC)
    return [certificate_view(k, now) for k in keys_repo.personal_keys(s, user_id)]


SIGNING_STATES = {
    "locked": "Bị khóa do nhập sai mã PIN nhiều lần",
    "pin_required": "Chờ đặt mã PIN ký số",
    "ready": "Có khóa ký số do hệ thống giữ",
    "token": "Ký bằng thiết bị ký số riêng (token)",
    "revoked": "Chứng thư số đã bị thu hồi: chưa ký được",
    "none": "Chưa có chứng thư số",
}


def signing_state(s: Session, user: User) -> str:
    """How the person signs now (a key of SIGNING_STATES)."""
    key = keys_repo.personal_key(s, user.id)
    if key is None and user.signing_key_pending:
        return "pin_required"  # setting the PIN makes a new key, and lifts a lock
    if user.signing_locked:
        return "locked"
    if key is not None:
        return "ready"
    keys = keys_repo.personal_keys(s, user.id)
    if any(k.revoked_at is None for k in keys):
        return "token"
    return "revoked" if keys else "none"


# ---------------------------------------------------------------- reminders


EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def set_reminders(s: Session, user_id: int, email: str, digest: bool) -> User:
    """The person's own reminder settings: where the reminders are emailed (empty: none,
    in-app only) and whether they receive the daily digest. The event records whether an
    address is set, not the address."""
    email = email.strip()
    if email and (len(email) > 255 or not EMAIL.match(email)):
        raise InvalidInput("Địa chỉ thư điện tử không hợp lệ.", code="invalid_email")
    user = s.get(User, user_id)
    assert user is not None
    user.email = email or None
    user.digest_enabled = digest
    audit.append(
        s,
        kind="reminder_settings_changed",
        who=_self(user),
        data=_data(user, user, digest=digest, email_set=bool(email)),
    )
    return user
