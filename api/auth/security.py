"""Passwords (the policy, argon2 hashing, temporary ones) and signed, expiring access
tokens."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from domain.errors import InvalidInput, NotAuthenticated

_hasher = PasswordHasher()
# A hash of a random password: verifying against it when the user does not exist keeps the
# answer time the same, so usernames cannot be discovered by timing.
_DUMMY = _hasher.hash("tdkt-no-such-user")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _DUMMY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


MIN_PASSWORD = 8
MAX_PASSWORD = 256
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
"""Wrong passwords for one account within the window, at sign-in or when changing it,
after which both are refused (429) until the window has passed."""


def check_new_password(password: str, *, current: str | None = None) -> None:
    """The password policy, for every password a person or an admin sets."""
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"Mật khẩu cần ít nhất {MIN_PASSWORD} ký tự.", code="password_too_short")
    if len(password) > MAX_PASSWORD:
        raise InvalidInput(f"Mật khẩu dài tối đa {MAX_PASSWORD} ký tự.", code="password_too_long")
    if current is not None and password == current:
        raise InvalidInput("Mật khẩu mới phải khác mật khẩu hiện tại.", code="password_unchanged")


# No 0/O, 1/l/I: a temporary password is read out or copied by hand.
_TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def temporary_password() -> str:
    """A one-time password an admin hands over; the person must change it at sign-in."""
    groups = ("".join(secrets.choice(_TEMPORARY_ALPHABET) for _ in range(4)) for _ in range(3))
    return "-".join(groups)


@dataclass(frozen=True)
class Claims:
    user_id: int
    token_id: str
    """`jti`: what signing out revokes."""
    expires_at: datetime
    epoch: int = 0
    """The account's session epoch when the token was issued: a password change or reset
    moves it on, which ends every session opened before."""


def issue_token(user_id: int, secret: str, minutes: int, epoch: int = 0) -> str:
    now = datetime.now(UTC)
    claims = {
        "sub": str(user_id),
        "iat": now,
        "exp": now + timedelta(minutes=minutes),
        "jti": uuid.uuid4().hex,
        "ep": epoch,
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def read_claims(token: str, secret: str) -> Claims:
    try:
        claims = jwt.decode(
            token, secret, algorithms=["HS256"], options={"require": ["exp", "sub", "jti"]}
        )
        return Claims(
            int(claims["sub"]),
            str(claims["jti"]),
            datetime.fromtimestamp(int(claims["exp"]), UTC),
            int(claims.get("ep", 0)),
        )
    except (jwt.PyJWTError, KeyError, ValueError, TypeError) as e:
        raise NotAuthenticated(
            "Mã truy cập không hợp lệ hoặc đã hết hạn.", code="invalid_token"
        ) from e


def read_token(token: str, secret: str) -> int:
    return read_claims(token, secret).user_id
