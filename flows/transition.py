"""The machine work after a committed step: one Prefect flow run per outbox row.

issue the step's forms (prepare unless the approver's signed PDF is there → number →
fill number and date → seal → store) and, at the same time, prepare the forms of the
approval the subject now waits for → audit event → notify who is next. A decision's
awards are written while its Quyết định is sealed, on PostgreSQL (ADR 0017).

Any subject's step (a dossier's, a round's): what differs per kind is issuing/forms.py's
`KINDS`. Idempotent per (subject, transition seq): see issuing/issue.py. Parameters are
ids only.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
from collections.abc import Awaitable, Callable

from prefect import get_run_logger
from prefect.runtime import flow_run as this_run
from sqlalchemy.orm import Session

from domain.roles import DossierScope
from domain.subjects import Subject, SubjectKind
from flows.prefect_clients import tdkt_flow
from issuing import issue
from issuing.forms import KINDS, FormJob, plan_next, plan_step
from issuing.runtime import Runtime, current
from storage import audit, outbox
from storage.repositories import documents as documents_repo
from storage.repositories import notifications as notifications_repo
from storage.repositories import steps
from storage.repositories import users as users_repo

log = logging.getLogger("tdkt.flows")

FORM_ATTEMPTS = 3
RETRY_DELAY_S = 1.0


async def _retried(work: Callable[[FormJob], Awaitable[int]], job: FormJob) -> int:
    """A form's work, tried again after a failure (a converter that hung, a store that
    did not answer): each attempt adopts what an earlier one recorded (issuing/issue.py).
    The forms are plain coroutines of the flow, not Prefect tasks: see ADR 0009."""
    for attempt in range(1, FORM_ATTEMPTS + 1):
        try:
            return await work(job)
        except Exception as e:
            if attempt == FORM_ATTEMPTS:
                raise
            get_run_logger().warning(
                "%s (copy %s) of %s failed, attempt %s of %s: %s: %s",
                job.form,
                job.copy_no,
                job.subject,
                attempt,
                FORM_ATTEMPTS,
                type(e).__name__,
                e,
            )
            await asyncio.sleep(RETRY_DELAY_S)
    raise AssertionError("unreachable")


async def issue_form(job: FormJob) -> int:
    rt = current()
    if not job.personal:
        await issue.prepare(rt, job)
    doc_id = await issue.issue(rt, job)
    if job.seals_attachments:
        await issue.seal_attachments(rt, job)
    return doc_id


async def prepare_form(job: FormJob) -> int:
    return await issue.prepare(current(), job)


def _finish(rt: Runtime, outbox_id: int, doc_ids: list[int], prepared_ids: list[int]) -> None:
    """Notify who is next, record the machine step in the history, close the outbox row."""
    with rt.db.write() as s:
        _finish_in(s, outbox_id, doc_ids, prepared_ids, None)


def _early(rt: Runtime, subject: Subject, jobs: list[FormJob]) -> list[int] | None:
    """The step's one document numbered before it is sealed, when its kind has work to
    do on the number alone (`before_issued`: a decision's awards) and the database lets
    that work's transaction stay open while the seal is recorded (not SQLite: one
    writer); else None, and the step finishes after its forms as any other."""
    if rt.db.is_sqlite or len(jobs) != 1 or not jobs[0].numbered:
        return None
    if getattr(KINDS[subject.kind], "before_issued", None) is None:
        return None
    doc_id = issue.numbered(rt, jobs[0])
    return None if doc_id is None else [doc_id]


def _finish_overlapped(
    rt: Runtime,
    outbox_id: int,
    early_ids: list[int],
    issued: concurrent.futures.Future[tuple[list[int], list[int]]],
) -> None:
    """`_finish` begun while the forms are sealed: the kind's `before_issued` work (a
    decision's 500 awards) written first, then, once `issued` has the forms, the step
    recorded as `_finish` does, its own event before the work's events; one transaction.
    A form that fails rolls it all back."""
    with rt.db.write() as s:
        item = outbox.item(s, outbox_id)
        assert item is not None
        subject = Subject(SubjectKind(item.subject_kind), item.subject_id)
        kind = KINDS[subject.kind]
        row = kind.load(s, subject.id)
        t = steps.transition(s, subject, item.transition_seq)
        assert row is not None and t is not None
        then = kind.before_issued(s, row, t, early_ids)  # type: ignore[attr-defined]
        doc_ids, prepared_ids = issued.result()
        # What the forms recorded meanwhile (their versions) read afresh.
        s.flush()
        s.expire_all()
        _finish_in(s, outbox_id, doc_ids, prepared_ids, then if then is not None else _nothing)


def _nothing() -> None:
    return None


def _finish_in(
    s: Session,
    outbox_id: int,
    doc_ids: list[int],
    prepared_ids: list[int],
    then: Callable[[], None] | None,
) -> None:
    """`_finish`'s work in `s`; `then` in place of the kind's `after_step` when its work
    was done before (`_finish_overlapped`)."""
    item = outbox.item(s, outbox_id)
    assert item is not None
    subject = Subject(SubjectKind(item.subject_kind), item.subject_id)
    kind = KINDS[subject.kind]
    row = kind.load(s, subject.id)
    t = steps.transition(s, subject, item.transition_seq)
    assert row is not None and t is not None
    process = kind.process(row)
    scope = kind.scope(s, row)
    to_status = t.to_status
    next_roles = {r for tr in process.transitions if tr.source == to_status for r in tr.roles}
    recipients = {u.id for r in next_roles for u in users_repo.users_holding(s, r, scope)}
    if process.own_signature(to_status) is not None and isinstance(scope, DossierScope):
        # Individuals who sign their own report before the approval.
        recipients |= scope.nominee_user_ids
    message = f"{kind.describe(row)}: {process.state_labels[to_status]}"
    for user_id in sorted(recipients):
        notifications_repo.notify_once(s, user_id, subject, t.seq, message)
    docs = []
    for doc_id in doc_ids:
        doc = documents_repo.document(s, doc_id)
        assert doc is not None
        docs += [
            {
                "document_id": doc.id,
                "form": doc.form,
                "number": doc.number,
                "object_key": v.object_key,
                "version_id": v.object_version_id,
                "sha256": v.sha256,
            }
            for v in doc.versions
        ]
    prepared = [
        {
            "document_id": doc.id,
            "form": doc.form,
            "object_key": v.object_key,
            "version_id": v.object_version_id,
            "sha256": v.sha256,
        }
        for doc_id in prepared_ids
        if (doc := documents_repo.document(s, doc_id)) is not None
        for v in doc.versions
        if v.rendition == "pdf-prepared"
    ]
    # The attachments sealed again with this step's Tờ trình: their new copies are
    # in the history too (the earlier copies stay where earlier steps named them).
    sealed = [
        {
            "document_id": v.document_id,
            "form": "attachment",
            "filed_with": doc_id,
            "object_key": v.object_key,
            "version_id": v.object_version_id,
            "sha256": v.sha256,
        }
        for doc_id in doc_ids
        for v in documents_repo.versions_filed_with(s, doc_id)
    ]
    # A dossier's steps kept their keys from before there were other subjects.
    key = subject.id if subject.kind is SubjectKind.DOSSIER else subject
    audit.append(
        s,
        kind="documents_issued" if docs else "routed",
        subject=subject,
        event_key=f"step:{key}:{t.seq}",
        from_status=t.from_status,
        to_status=t.to_status,
        data={
            "transition_seq": t.seq,
            "documents": docs,
            "prepared": prepared,
            **({"sealed_attachments": sealed} if sealed else {}),
            "stage": str(process.stages[to_status]),
            "notified_user_ids": sorted(recipients),
        },
    )
    # What a kind does once a step's documents are out (a decision: its awards).
    after_step = getattr(kind, "after_step", None)
    if then is not None:
        then()
    elif after_step is not None:
        after_step(s, row, t, doc_ids)
    outbox.finish(item)


def _take(rt: Runtime, outbox_id: int, run_id: str) -> tuple[Subject, int] | None:
    """Make this flow run the one working on the row; None when the step is done or
    another live run holds it (an older run that started late)."""
    with rt.db.write() as s:
        item = outbox.take(s, outbox_id, run_id)
        if item is None:
            return None
        return Subject(SubjectKind(item.subject_kind), item.subject_id), item.transition_seq


def _renew(rt: Runtime, outbox_id: int, run_id: str) -> bool:
    with rt.db.write() as s:
        return outbox.renew(s, outbox_id, run_id)


async def _keep_lease(rt: Runtime, outbox_id: int, run_id: str) -> None:
    """Renew the claim while this run lives, so a dispatcher can tell a run that is slow
    from one whose process died (its lease runs out)."""
    every = max(rt.settings.outbox_lease_seconds / 4, 0.5)
    while True:
        await asyncio.sleep(every)
        try:
            if not await asyncio.to_thread(_renew, rt, outbox_id, run_id):
                log.warning("outbox row %s is no longer held by run %s", outbox_id, run_id)
                return
        except Exception:
            log.exception("could not renew the lease of outbox row %s", outbox_id)


def _fail(rt: Runtime, outbox_id: int, run_id: str, error: str) -> None:
    with rt.db.write() as s:
        outbox.fail(s, outbox_id, run_id, error)


@tdkt_flow("subject_transition_flow")
async def subject_transition_flow(outbox_id: int) -> list[int]:
    rt = current()
    run_id = str(this_run.id)
    taken = await asyncio.to_thread(_take, rt, outbox_id, run_id)
    if taken is None:
        return []
    subject, seq = taken
    lease = asyncio.create_task(_keep_lease(rt, outbox_id, run_id))
    try:
        with rt.db.read() as s:
            jobs, upcoming = plan_step(s, subject, seq), plan_next(s, subject, seq)
        # The next approval's forms do not depend on this step's numbers: both at once,
        # so conversions overlap signatures (LibreOffice runs in its own processes).
        # Numbered first, if at all: the forms would number it too (once, idempotent).
        early = await asyncio.to_thread(_early, rt, subject, jobs)
        forms = asyncio.gather(
            *(_retried(issue_form, job) for job in jobs),
            *(_retried(prepare_form, job) for job in upcoming),
        )
        if early is None:
            done = await forms
            doc_ids, prepared_ids = list(done[: len(jobs)]), list(done[len(jobs) :])
            await asyncio.to_thread(_finish, rt, outbox_id, doc_ids, prepared_ids)
            return doc_ids
        # A decision's awards (database, this process) while its seal is made and
        # checked (the signing pool): see ADR 0017.
        issued: concurrent.futures.Future[tuple[list[int], list[int]]] = concurrent.futures.Future()
        finishing = asyncio.ensure_future(
            asyncio.to_thread(_finish_overlapped, rt, outbox_id, early, issued)
        )
        try:
            done = await forms
        except BaseException as e:
            issued.set_exception(e if isinstance(e, Exception) else RuntimeError("cancelled"))
            if isinstance(e, Exception):
                with contextlib.suppress(Exception):
                    await finishing
            raise
        doc_ids, prepared_ids = list(done[: len(jobs)]), list(done[len(jobs) :])
        issued.set_result((doc_ids, prepared_ids))
        await finishing
        return doc_ids
    except Exception as e:
        await asyncio.to_thread(_fail, rt, outbox_id, run_id, f"{type(e).__name__}: {e}")
        raise
    except asyncio.CancelledError:
        # The process is stopping (a worker's SIGTERM): give the row back at once rather
        # than let its lease run out.
        _fail(rt, outbox_id, run_id, "cancelled: the process running the step stopped")
        raise
    finally:
        lease.cancel()
