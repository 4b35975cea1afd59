"""Queries of sign-in: revoked tokens and failed attempts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from storage.models import (
    LoginFailure,
    RevokedToken,
    User,
)


def token_holder(s: Session, user_id: int, token_id: str) -> tuple[User | None, bool]:
    """The user a token names, with their role grants, and whether the token was signed
    out: one query, asked by every authenticated request."""
    revoked = select(RevokedToken.jti).where(RevokedToken.jti == token_id).exists()
    row = (
        s.execute(
            select(User, revoked.label("revoked"))
            .where(User.id == user_id)
            .options(joinedload(User.grants))
        )
        .unique()
        .first()
    )
    return (row[0], bool(row[1])) if row is not None else (None, False)


def revoke(s: Session, token_id: str, expires_at: datetime) -> None:
    if s.get(RevokedToken, token_id) is None:
        s.add(RevokedToken(jti=token_id, expires_at=expires_at))
        s.flush()


def login_failures(
    s: Session, *, username: str | None = None, address: str | None = None, since: datetime
) -> int:
    q = select(func.count()).select_from(LoginFailure).where(LoginFailure.at >= since)
    if username is not None:
        q = q.where(LoginFailure.username == username)
    if address is not None:
        q = q.where(LoginFailure.address == address)
    return s.scalar(q) or 0
