"""Administration of people: who holds which role where, and unlocking signing after too
many wrong PINs. Admins manage people; they do not act on dossiers."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from api.admin import service
from api.admin.service import require_admin
from api.deps import CurrentReader, CurrentWriter, ReadSession, WriteSession
from storage import repositories as repo

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])


class UserOut(BaseModel):
    id: int
    username: str
    full_name: str
    position: str
    roles: list[str]
    is_active: bool
    signing_locked: bool
    pin_failures: int
    certificates: int


@router.get("/users", response_model=list[UserOut])
def users(caller: CurrentReader, s: ReadSession) -> list[UserOut]:
    require_admin(caller.actor)
    return [
        UserOut(
            id=u.id,
            username=u.username,
            full_name=u.full_name,
            position=u.position,
            roles=[g.role for g in u.grants],
            is_active=u.is_active,
            signing_locked=u.signing_locked,
            pin_failures=u.pin_failures,
            certificates=len(repo.personal_keys(s, u.id)),
        )
        for u in repo.all_users(s)
    ]


@router.post("/users/{username}/unlock-signing", response_model=UserOut)
def unlock_signing(username: str, caller: CurrentWriter, s: WriteSession) -> UserOut:
    require_admin(caller.actor)
    user = service.unlock_signing(s, caller.user, username)
    return UserOut(
        id=user.id,
        username=user.username,
        full_name=user.full_name,
        position=user.position,
        roles=[g.role for g in user.grants],
        is_active=user.is_active,
        signing_locked=False,
        pin_failures=0,
        certificates=len(repo.personal_keys(s, user.id)),
    )
