"""The cluster's year: its plan (Kế hoạch thi đua của Cụm). Thin routes over
api/clusters/plan_service.py, one transaction each."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks
from fastapi.concurrency import run_in_threadpool

from api.clusters import plan_service as service
from api.clusters.plan_schemas import CopyIn, IssueIn, PlanIn, PlanOut
from api.clusters.service import load_year
from api.deps import CurrentReader, CurrentWriter, ReadSession, RuntimeDep, WriteSession

router = APIRouter(tags=["clusters"])

BASE = "/clusters/{cluster_id}/years/{year}/plan"


@router.get(BASE, response_model=PlanOut)
def get_plan(cluster_id: int, year: int, caller: CurrentReader, s: ReadSession) -> PlanOut:
    """The year's plan: goals, calendar, criteria with their total, its state, the
    problems that keep a draft from being issued, the issued PDF once out. Whoever sees
    the year (members, the board, auditors); 404 to anyone else."""
    ctx = load_year(s, caller.actor, cluster_id, year)
    return service.plan_out(s, caller.actor, ctx)


@router.put(BASE, response_model=PlanOut)
def put_plan(
    cluster_id: int, year: int, body: PlanIn, caller: CurrentWriter, s: WriteSession
) -> PlanOut:
    """The whole draft (its criteria replace the earlier ones), by the head or deputy
    unit's cluster approver (403 to anyone else who sees the year). `version` as read:
    409 `stale_version` when someone saved meanwhile, 409 `plan_issued` once issued."""
    ctx = service.save(s, caller.user, caller.actor, cluster_id, year, body)
    return service.plan_out(s, caller.actor, ctx)


@router.post(BASE + "/copy-from-last-year", response_model=PlanOut)
def copy_plan(
    cluster_id: int, year: int, caller: CurrentWriter, s: WriteSession, body: CopyIn | None = None
) -> PlanOut:
    """Last year's plan of the cluster (goals, the calendar a year later, criteria) as
    this year's draft, in place of what it held (404 `no_plan_last_year`)."""
    ctx = service.copy_last_year(
        s, caller.user, caller.actor, cluster_id, year, body.version if body else None
    )
    return service.plan_out(s, caller.actor, ctx)


@router.post(BASE + "/actions/issue", response_model=PlanOut)
async def issue_plan(
    cluster_id: int,
    year: int,
    body: IssueIn,
    caller: CurrentReader,
    rt: RuntimeDep,
    background: BackgroundTasks,
) -> PlanOut:
    """The head unit's leader signs the Kế hoạch with `signing_pin`; the flow then numbers
    it in the cluster's series ("01/KH-CỤM I"), seals it with the head unit's seal and
    tells the members and the board. 422 `plan_invalid` with `problems` while the draft
    is not fit to issue; 409 `plan_issued` once issued; 403 to anyone but the head unit."""
    outbox_id = await run_in_threadpool(
        service.issue_plan, rt, caller, cluster_id, year, body.signing_pin, body.version
    )
    if rt.dispatcher is not None:
        background.add_task(rt.dispatcher.start_soon, outbox_id)
    with rt.db.read() as s:
        ctx = load_year(s, caller.actor, cluster_id, year)
        return service.plan_out(s, caller.actor, ctx)
