"""The cluster's year: its covenant (Giao ước thi đua), thin routes over
api/clusters/covenant_service.py."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from api.clusters import covenant_service as service
from api.clusters.covenant_service import CommitmentsIn, CovenantOut, SignIn
from api.deps import CurrentReader, CurrentWriter, ReadSession, RuntimeDep, WriteSession

router = APIRouter(tags=["clusters"])

BASE = "/clusters/{cluster_id}/years/{year}/covenant"


@router.get(BASE, response_model=CovenantOut)
def get_covenant(cluster_id: int, year: int, caller: CurrentReader, s: ReadSession) -> CovenantOut:
    """The covenant: its state, each member's commitments, who signed when and who has
    not, the document (`/api/v1/documents/{document_id}/content`). 404 to a unit of
    another cluster."""
    return service.get(s, caller.actor, cluster_id, year)


@router.put(BASE + "/commitments/{unit_id}", response_model=CovenantOut)
def put_commitments(
    cluster_id: int,
    year: int,
    unit_id: int,
    body: CommitmentsIn,
    caller: CurrentWriter,
    s: WriteSession,
) -> CovenantOut:
    """A member unit's clerk or head sets its own commitments (all at once) while the
    covenant is a draft: 403 for another unit, 409 `covenant_frozen` once opened."""
    return service.set_commitments(s, caller.user, caller.actor, cluster_id, year, unit_id, body)


@router.post(BASE + "/actions/open", response_model=CovenantOut)
async def open_covenant(
    cluster_id: int, year: int, caller: CurrentReader, rt: RuntimeDep
) -> CovenantOut:
    """The head unit opens the covenant for signing: the PDF is prepared with one
    signature field per member head and the head unit's seal field; the commitments are
    frozen. 409 `covenant_commitments_missing` while a member has entered none."""
    return await run_in_threadpool(service.open_for_signing, rt, caller, cluster_id, year)


@router.post(BASE + "/actions/sign", response_model=CovenantOut)
async def sign_covenant(
    cluster_id: int, year: int, caller: CurrentReader, rt: RuntimeDep, body: SignIn | None = None
) -> CovenantOut:
    """A member's head signs with their `signing_pin`, in any order, on top of the
    signatures before theirs. 409 `covenant_already_signed` the second time."""
    return await run_in_threadpool(service.sign, rt, caller, cluster_id, year, body or SignIn())


@router.post(BASE + "/actions/seal", response_model=CovenantOut)
async def seal_covenant(
    cluster_id: int, year: int, caller: CurrentReader, rt: RuntimeDep
) -> CovenantOut:
    """The head unit seals the covenant every member has signed (dated, its seal)."""
    return await run_in_threadpool(service.seal, rt, caller, cluster_id, year)
