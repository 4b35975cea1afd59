"""Password hashing (argon2) and signed, expiring access tokens."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from domain.errors import NotAuthenticated

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


@dataclass(frozen=True)
class Claims:
    user_id: int
    token_id: str
    """`jti`: what signing out revokes."""
    expires_at: datetime


def issue_token(user_id: int, secret: str, minutes: int) -> str:
    now = datetime.now(UTC)
    claims = {
        "sub": str(user_id),
        "iat": now,
        "exp": now + timedelta(minutes=minutes),
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def read_claims(token: str, secret: str) -> Claims:
    try:
        claims = jwt.decode(
            token, secret, algorithms=["HS256"], options={"require": ["exp", "sub", "jti"]}
        )
        return Claims(
            int(claims["sub"]), str(claims["jti"]), datetime.fromtimestamp(int(claims["exp"]), UTC)
        )
    except (jwt.PyJWTError, KeyError, ValueError, TypeError) as e:
        raise NotAuthenticated(
            "Mã truy cập không hợp lệ hoặc đã hết hạn.", code="invalid_token"
        ) from e


def read_token(token: str, secret: str) -> int:
    return read_claims(token, secret).user_id
