"""Sign-in for API clients (OAuth2 password form → bearer token) and the caller's profile."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from api.accounts.service import role_titles, signing_state
from api.auth.security import (
    MAX_FAILURES_PER_ACCOUNT,
    THROTTLE_WINDOW,
    issue_token,
    verify_password,
)
from api.deps import (
    Caller,
    CurrentReader,
    CurrentWriter,
    ReadSession,
    SettingsDep,
    WriteSession,
)
from core.settings import Settings
from domain.errors import NotAuthenticated, TooManyAttempts
from domain.roles import ROLE_LABELS
from storage.models import LoginFailure, utcnow
from storage.repositories import auth as auth_repo
from storage.repositories import users as users_repo

router = APIRouter(prefix="/api/v1", tags=["auth"])


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"


class RoleOut(BaseModel):
    role: str
    label: str
    title: str
    """The role with where it is held, as the pages say it (for a cluster's leaders,
    their post in the cluster this year: "Trưởng cụm, Cụm I – … (2026)")."""
    unit_id: int | None
    cluster_term_id: int | None
    authority_id: int | None


class Me(BaseModel):
    id: int
    username: str
    full_name: str
    position: str
    roles: list[RoleOut]
    signing: str
    """How the person signs: ready (a key the system holds), pin_required (an admin asked
    for a key: set the PIN, POST /api/v1/me/signing-pin), token (a registered token's
    certificate: sign elsewhere and upload), locked, revoked (every certificate), none."""


MAX_FAILURES_PER_ADDRESS = 30


@router.post("/auth/token", response_model=Token)
def token(
    request: Request,
    s: WriteSession,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
) -> Token:
    """Sign in. After 5 wrong passwords for an account, or 30 from one address, within 15
    minutes, sign-in is refused (429) until the window has passed."""
    address = request.client.host if request.client else "?"
    return Token(access_token=sign_in(s, settings, username, password, address))


def sign_in(s: Session, settings: Settings, username: str, password: str, address: str) -> str:
    """A new access token, or why not (also for the web pages' sign-in form)."""
    since = utcnow() - THROTTLE_WINDOW
    if (
        auth_repo.login_failures(s, username=username, since=since) >= MAX_FAILURES_PER_ACCOUNT
        or auth_repo.login_failures(s, address=address, since=since) >= MAX_FAILURES_PER_ADDRESS
    ):
        raise TooManyAttempts()
    user = users_repo.user_by_username(s, username)
    if not verify_password(user.password_hash if user else None, password) or not (
        user and user.is_active
    ):
        s.add(LoginFailure(username=username, address=address))
        s.commit()  # the failure counts although the request fails
        raise NotAuthenticated("Sai tên đăng nhập hoặc mật khẩu.", code="bad_credentials")
    return issue_token(user.id, settings.secret_key, settings.token_minutes, user.session_epoch)


@router.post("/auth/logout", status_code=204)
def logout(caller: CurrentWriter, s: WriteSession) -> Response:
    """Revoke the token this request carries."""
    sign_out(s, caller)
    return Response(status_code=204)


def sign_out(s: Session, caller: Caller) -> None:
    if caller.claims is not None:
        auth_repo.revoke(s, caller.claims.token_id, caller.claims.expires_at)


@router.get("/me", response_model=Me)
def me(caller: CurrentReader, s: ReadSession) -> Me:
    u = caller.user
    grants = caller.actor.grants
    return Me(
        id=u.id,
        username=u.username,
        full_name=u.full_name,
        position=u.position,
        roles=[
            RoleOut(
                role=g.role,
                label=ROLE_LABELS[g.role],
                title=title,
                unit_id=g.unit_id,
                cluster_term_id=g.cluster_term_id,
                authority_id=g.authority_id,
            )
            for g, title in zip(grants, role_titles(s, grants), strict=True)
        ],
        signing=signing_state(s, u),
    )
