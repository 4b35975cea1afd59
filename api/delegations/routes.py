"""/api/v1/delegations: a role holder delegates their role for a period (or an admin
records an absence and its substitute), lists what they gave and received, revokes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, StringConstraints
from sqlalchemy.orm import Session

from api.delegations import service
from api.deps import CurrentReader, CurrentWriter, ReadSession, WriteSession
from documents.vn import today_vn
from domain.delegation import KIND_EXPLANATIONS, KIND_LABELS, DelegationKind
from domain.roles import ROLE_LABELS, Role
from storage.models import Delegation, User

router = APIRouter(prefix="/api/v1/delegations", tags=["delegations"])


class PersonOut(BaseModel):
    username: str
    full_name: str
    position: str


class DelegationOut(BaseModel):
    id: int
    delegator: PersonOut
    delegate: PersonOut
    role: Role
    role_label: str
    place: str
    """The delegated role with where it is held, as the pages say it."""
    valid_from: date
    valid_to: date
    kind: DelegationKind
    kind_label: str
    kind_explanation: str
    reason: str
    created_by: int
    created_at: datetime
    revoked_at: datetime | None
    in_force: bool


class DelegationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    delegate: Annotated[str, StringConstraints(max_length=64)]
    """The substitute's username."""
    role: Role
    valid_to: date
    valid_from: date | None = None
    """Default: today (Vietnam time)."""
    kind: DelegationKind = DelegationKind.KT
    reason: Annotated[str, StringConstraints(max_length=1000)] = ""
    delegator: Annotated[str | None, StringConstraints(max_length=64)] = None
    """An admin recording someone's absence: the absent person's username."""
    unit_id: int | None = None
    cluster_term_id: int | None = None
    authority_id: int | None = None
    """Where the delegated role is held, when the delegator holds it in several places."""


def _person(u: User) -> PersonOut:
    return PersonOut(username=u.username, full_name=u.full_name, position=u.position)


def out(s: Session, row: Delegation) -> DelegationOut:
    kind = DelegationKind(row.kind)
    return DelegationOut(
        id=row.id,
        delegator=_person(row.delegator),
        delegate=_person(row.delegate),
        role=Role(row.role),
        role_label=ROLE_LABELS[Role(row.role)],
        place=service.place_title(s, row),
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        kind=kind,
        kind_label=KIND_LABELS[kind],
        kind_explanation=KIND_EXPLANATIONS[kind],
        reason=row.reason,
        created_by=row.created_by,
        created_at=row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC),
        revoked_at=row.revoked_at,
        in_force=store_in_force(row),
    )


def store_in_force(row: Delegation) -> bool:
    return row.revoked_at is None and row.valid_from <= today_vn() <= row.valid_to


@router.get("", response_model=list[DelegationOut])
def list_delegations(
    caller: CurrentReader,
    s: ReadSession,
    everyone: Annotated[bool, Query(alias="all")] = False,
) -> list[DelegationOut]:
    """The caller's delegations, given and received; an admin's `?all=true`: everyone's."""
    return [out(s, row) for row in service.visible(s, caller, everyone=everyone)]


@router.post("", response_model=DelegationOut, status_code=201)
def create_delegation(body: DelegationIn, caller: CurrentWriter, s: WriteSession) -> DelegationOut:
    row = service.create(
        s,
        caller,
        delegator_username=body.delegator,
        delegate_username=body.delegate,
        role=body.role,
        place={
            "unit_id": body.unit_id,
            "cluster_term_id": body.cluster_term_id,
            "authority_id": body.authority_id,
        },
        valid_from=body.valid_from,
        valid_to=body.valid_to,
        kind=body.kind,
        reason=body.reason,
    )
    return out(s, row)


@router.post("/{delegation_id}/revoke", response_model=DelegationOut)
def revoke_delegation(delegation_id: int, caller: CurrentWriter, s: WriteSession) -> DelegationOut:
    return out(s, service.revoke(s, caller, delegation_id))
