"""Sign-in for API clients (OAuth2 password form → bearer token) and the caller's profile."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from pydantic import BaseModel

from api.auth.security import issue_token, verify_password
from api.deps import CurrentReader, ReadSession, SettingsDep
from domain.errors import NotAuthenticated
from domain.roles import ROLE_LABELS
from storage import repositories as repo

router = APIRouter(prefix="/api/v1", tags=["auth"])


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"


class RoleOut(BaseModel):
    role: str
    label: str
    unit_id: int | None
    cluster_term_id: int | None
    authority_id: int | None


class Me(BaseModel):
    id: int
    username: str
    full_name: str
    position: str
    roles: list[RoleOut]


@router.post("/auth/token", response_model=Token)
def token(
    s: ReadSession,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
) -> Token:
    user = repo.user_by_username(s, username)
    if not verify_password(user.password_hash if user else None, password) or not (
        user and user.is_active
    ):
        raise NotAuthenticated("Sai tên đăng nhập hoặc mật khẩu.", code="bad_credentials")
    return Token(access_token=issue_token(user.id, settings.secret_key, settings.token_minutes))


@router.get("/me", response_model=Me)
def me(caller: CurrentReader) -> Me:
    u = caller.user
    return Me(
        id=u.id,
        username=u.username,
        full_name=u.full_name,
        position=u.position,
        roles=[
            RoleOut(
                role=g.role,
                label=ROLE_LABELS[g.role],
                unit_id=g.unit_id,
                cluster_term_id=g.cluster_term_id,
                authority_id=g.authority_id,
            )
            for g in caller.actor.grants
        ],
    )
