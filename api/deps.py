"""Request dependencies: the process-wide services, one transaction per request, and the
current user."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Annotated

import anyio
from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session

from api.auth.security import Claims, read_claims
from core.settings import Settings
from documents.vn import today_vn
from domain.errors import NotAuthenticated, PasswordChangeRequired
from domain.roles import Actor
from issuing.runtime import Runtime
from storage import delegations
from storage.models import User
from storage.repositories import auth as auth_repo
from storage.repositories import users as users_repo

oauth2 = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


# Dependencies that do no I/O are `async def`: FastAPI runs a plain `def` one in a worker
# thread, a hand-over that costs more than the work (bench/api_latency.py).
async def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def get_settings(runtime: RuntimeDep) -> Settings:
    return runtime.settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


def write_session(runtime: RuntimeDep) -> Iterator[Session]:
    """The one transaction of a request that changes something: committed after the
    route returns without error, rolled back otherwise."""
    with runtime.db.write() as s:
        yield s


async def read_session(runtime: RuntimeDep) -> AsyncIterator[Session]:
    """A session to read with. Opening one does no I/O (the connection is taken at the
    first query, in the route's thread); closing it gives the connection back (a
    ROLLBACK), so that happens in a worker thread."""
    s = runtime.db.reader()
    try:
        yield s
    finally:
        with anyio.CancelScope(shield=True):  # also when the client went away
            await run_in_threadpool(s.close)


# "function": committed when the route returns, before the response goes out. FastAPI's
# default for a dependency with yield ends it after the response is sent: a client could
# read a 201 before the commit (and not find what it created on its next request), or a
# success whose commit then failed.
WriteSession = Annotated[Session, Depends(write_session, scope="function")]
ReadSession = Annotated[Session, Depends(read_session)]


@dataclass(frozen=True)
class Caller:
    user: User
    actor: Actor
    claims: Claims | None = None


def _caller(token: str | None, runtime: Runtime, s: Session) -> Caller:
    if not token:
        raise NotAuthenticated()
    claims = read_claims(token, runtime.settings.secret_key)
    user, revoked = auth_repo.token_holder(s, claims.user_id, claims.token_id)
    if revoked:
        raise NotAuthenticated(
            "Phiên đăng nhập đã kết thúc. Hãy đăng nhập lại.", code="token_revoked"
        )
    if user is None or not user.is_active:
        raise NotAuthenticated("Tài khoản không còn hoạt động.", code="inactive_user")
    if claims.epoch != user.session_epoch:  # the password was changed or reset since
        raise NotAuthenticated(
            "Phiên đăng nhập đã kết thúc vì mật khẩu đã thay đổi. Hãy đăng nhập lại.",
            code="token_revoked",
        )
    # Delegated grants are read on every request: a revoked or expired one stops at once.
    actor = delegations.with_delegated(s, users_repo.actor_of(user), today_vn())
    return Caller(user, actor, claims)


# While the password is a temporary one (an admin set it), the API does nothing else.
WHILE_PASSWORD_TEMPORARY = frozenset({"/api/v1/me/password", "/api/v1/auth/logout"})


def _password_checked(caller: Caller, request: Request) -> Caller:
    if caller.user.must_change_password and request.url.path not in WHILE_PASSWORD_TEMPORARY:
        raise PasswordChangeRequired()
    return caller


def caller_from_token(token: str | None, runtime: Runtime, s: Session) -> Caller:
    """The same checks for the token the web pages keep in their session cookie."""
    return _caller(token, runtime, s)


def caller_read(
    request: Request,
    runtime: RuntimeDep,
    s: ReadSession,
    token: Annotated[str | None, Depends(oauth2)],
) -> Caller:
    return _password_checked(_caller(token, runtime, s), request)


def caller_write(
    request: Request,
    runtime: RuntimeDep,
    s: WriteSession,
    token: Annotated[str | None, Depends(oauth2)],
) -> Caller:
    return _password_checked(_caller(token, runtime, s), request)


CurrentReader = Annotated[Caller, Depends(caller_read)]
CurrentWriter = Annotated[Caller, Depends(caller_write)]
