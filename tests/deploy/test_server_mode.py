"""The production topology without containers: a Prefect server on PostgreSQL, the app
(TDKT_PREFECT_MODE=server) on PostgreSQL and S3 over TLS, and `tdkt worker` processes on
the work pool, each its own process, as `docker compose up` runs them. The route goes
through all of them; a worker is killed in the middle of a step and a new one finishes
it, with nothing done twice."""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from sqlalchemy import func, select

from storage.db import Database
from storage.models import (
    AuditEvent,
    Document,
    DocumentVersion,
    NumberSeries,
    OutboxItem,
)
from tests.fixtures.modes import s3_env
from tests.fixtures.pg import fresh_database
from tests.fixtures.prefect_server import PrefectServer, WorkerProcess
from tests.fixtures.s3 import MotoS3Server
from tests.fixtures.server import PIN, Api, AppServer

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

CLERK, HEAD, CLUSTER = "bdt.canbo", "bdt.thutruong", "bqlkkt.cum"
SPECIALIST, BOARD_HEAD, AUDITOR = "ptdkt.chuyenvien", "ptdkt.truongphong", "thanhtra"
LEADER = "snv.phogiamdoc"
LEASE_SECONDS = 15  # a killed worker's step is run again this long after its last renewal (6 s was
# too short under a loaded CI: a live run handed to a starting worker was taken for dead)
BUCKET = "tdkt-archive"

T = TypeVar("T")

SLOW_RECORD = """
import time

import issuing.issue as issue

_record = issue.record


def record(*args, **kwargs):
    _record(*args, **kwargs)
    time.sleep(2)


issue.record = record
"""


@dataclass
class Stack:
    root: Path
    app: AppServer
    prefect: PrefectServer
    s3: MotoS3Server
    db: Database

    def worker_env(self, **extra: str) -> dict[str, str]:
        """What a worker container gets: the app's settings, the Prefect API."""
        env = {k: v for k, v in self.app.env.items() if k.startswith("TDKT_")}
        env.pop("TDKT_PORT", None)
        return {**env, "PREFECT_API_URL": self.prefect.api_url, **extra}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    root = tmp_path_factory.mktemp("server-mode")
    with (
        MotoS3Server() as s3,
        fresh_database("tdkt_app") as app_db,
        fresh_database("tdkt_prefect") as prefect_db,
    ):
        prefect = PrefectServer(prefect_db, root / "prefect-server")
        app = AppServer(
            root / "app",
            {
                "TDKT_PREFECT_MODE": "server",
                "PREFECT_API_URL": prefect.api_url,
                "TDKT_DATABASE_URL": app_db,
                **s3_env(s3, BUCKET),
                "TDKT_SECRET_KEY": secrets.token_urlsafe(48),
                "TDKT_OUTBOX_LEASE_SECONDS": str(LEASE_SECONDS),
                "TDKT_CONVERTER_WORKERS": "2",
                "TDKT_CHECKPOINT_MINUTES": "0",
            },
        )
        db = Database(app_db)
        try:
            prefect.start()
            app.start()  # `tdkt seed --demo` (migrations included), then `tdkt serve`
            deployed = app.cli("deploy")  # what the compose prestart runs
            assert "deployment" in deployed.stdout
            yield Stack(root, app, prefect, s3, db)
        finally:
            app.stop()
            prefect.stop()
            db.dispose()


def wait_for(what: Callable[[], T | None], timeout: float, message: str) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = what()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(message)
        time.sleep(0.1)


def flow_runs(stack: Stack) -> list[dict[str, Any]]:
    r = httpx.post(
        f"{stack.prefect.api_url}/flow_runs/filter",
        json={"flows": {"name": {"any_": ["subject_transition_flow"]}}, "limit": 200},
        timeout=10,
    )
    r.raise_for_status()
    return list(r.json())


def run_checkpoint(stack: Stack) -> dict[str, Any]:
    api = stack.prefect.api_url
    deployment = httpx.get(f"{api}/deployments/name/audit_checkpoint_flow/tdkt", timeout=10)
    deployment.raise_for_status()
    created = httpx.post(
        f"{api}/deployments/{deployment.json()['id']}/create_flow_run", json={}, timeout=10
    )
    created.raise_for_status()
    run_id = created.json()["id"]

    def finished() -> dict[str, Any] | None:
        run = httpx.get(f"{api}/flow_runs/{run_id}", timeout=10).json()
        return dict(run) if run["state_type"] in ("COMPLETED", "FAILED", "CRASHED") else None

    return wait_for(finished, 60, "the checkpoint run did not finish")


def new_dossier(app: AppServer) -> dict[str, Any]:
    r = Api(app, CLERK).post(
        "/api/v1/dossiers",
        json={
            "year": 2026,
            "award": "bang_khen_ubnd_tinh",
            "nominees": [
                {"kind": "collective", "name": "Phòng Chính sách", "achievements": "Xuất sắc"},
                {
                    "kind": "individual",
                    "name": "Hoàng Thị Ánh Tuyết",
                    "job_title": "Trưởng phòng",
                    "achievements": "Chiến sĩ thi đua cơ sở 3 năm liền.",
                },
            ],
        },
    )
    assert r.status_code == 201, r.text
    Api(app, CLERK).attach(r.json()["id"])  # the Biên bản bình xét the law requires
    return dict(r.json())


def step(app: AppServer, dossier_id: int, user: str, action: str) -> dict[str, Any]:
    api = Api(app, user)
    if user == SPECIALIST and action == "approve":  # the appraisal's results first
        d = api.get(f"/api/v1/dossiers/{dossier_id}").json()
        items = [{"nominee_id": n["id"], "result": "dat"} for n in d["nominees"]]
        r = api.request(
            "PUT",
            f"/api/v1/dossiers/{dossier_id}/appraisal",
            json={"version": d["version"], "items": items},
        )
        assert r.status_code == 200, r.text
    body = {"signing_pin": PIN} if action == "approve" else {}
    r = api.act(dossier_id, action, **body)
    assert r.status_code == 200, r.text
    return api.wait_idle(dossier_id, timeout=120)


def half_done(stack: Stack, dossier_id: int) -> tuple[str, list[tuple[str, str]]] | None:
    """The step's run holds the row and has recorded a file, but the step is not done."""
    with stack.db.read() as s:
        row = s.scalar(
            select(OutboxItem)
            .where(OutboxItem.dossier_id == dossier_id)
            .order_by(OutboxItem.id.desc())
            .limit(1)
        )
        if row is None or row.state != "running" or row.flow_run_id is None:
            return None
        stored = s.execute(
            select(DocumentVersion.object_key, DocumentVersion.sha256)
            .join(Document, DocumentVersion.document_id == Document.id)
            .where(Document.dossier_id == dossier_id, Document.form != "attachment")
        ).all()
        if not stored:
            return None
        return row.flow_run_id, [(k, h) for k, h in stored]


def test_route_across_processes_survives_a_killed_worker(stack: Stack, tmp_path: Path) -> None:
    # The first worker pauses 2 s after each file it records (sitecustomize.py, loaded
    # by its interpreter), so that the step is caught half done whatever the converter's
    # speed; the kill is a SIGKILL of the worker and of the flow runs inside it.
    slow = tmp_path / "slow"
    slow.mkdir()
    (slow / "sitecustomize.py").write_text(SLOW_RECORD)
    first = WorkerProcess(stack.root / "worker-1", stack.worker_env(PYTHONPATH=str(slow)))
    first.start()

    d = new_dossier(stack.app)
    dossier_id = d["id"]
    r = Api(stack.app, CLERK).act(dossier_id, "submit")
    assert r.status_code == 200, r.text
    killed_run, stored_before = wait_for(
        lambda: half_done(stack, dossier_id), 90, "the first worker never started the step"
    )
    first.kill()
    with stack.db.read() as s:
        row = s.scalar(select(OutboxItem).where(OutboxItem.flow_run_id == killed_run))
        assert row is not None and row.state == "running"  # the row is not lost
        killed_outbox = row.id
    assert Api(stack.app, CLERK).get(f"/api/v1/dossiers/{dossier_id}").json()["processing"]
    runs = {fr["id"]: fr for fr in flow_runs(stack)}
    assert runs[killed_run]["state_type"] == "RUNNING"  # what Prefect believes

    # A new worker (as `docker compose up` restarts one) finishes the step and the route.
    second = WorkerProcess(stack.root / "worker-2", stack.worker_env()).start()
    try:
        d = Api(stack.app, CLERK).wait_idle(dossier_id, timeout=120)
        assert d["status"] == "unit_review"
        for user in (HEAD, CLUSTER, SPECIALIST, BOARD_HEAD, LEADER):
            d = step(stack.app, dossier_id, user, "approve")
        # The audit checkpoint is a deployment too (scheduled every
        # TDKT_CHECKPOINT_MINUTES; paused here): a worker runs it.
        checkpoint = run_checkpoint(stack)
    finally:
        second.stop()
    assert checkpoint["state_type"] == "COMPLETED", checkpoint
    assert checkpoint["parameters"] == {}
    assert (d["status"], d["stage"]) == ("approved", "done")

    # The outbox row was run again once, by a new flow run; Prefect shows the dead one
    # as crashed and exactly one completed run per step.
    with stack.db.read() as s:
        rows = s.scalars(select(OutboxItem).where(OutboxItem.dossier_id == dossier_id)).all()
        assert [r.state for r in rows] == ["done"] * 6
        redone = next(r for r in rows if r.id == killed_outbox)
        assert redone.attempts == 2 and redone.flow_run_id != killed_run
        outbox_ids = sorted(r.id for r in rows)
    runs = {fr["id"]: fr for fr in flow_runs(stack)}
    assert runs[killed_run]["state_type"] == "CRASHED"
    completed = sorted(
        fr["parameters"]["outbox_id"] for fr in runs.values() if fr["state_type"] == "COMPLETED"
    )
    assert completed == outbox_ids
    assert all(
        fr["parameters"] == {"outbox_id": fr["parameters"]["outbox_id"]} for fr in runs.values()
    )

    # Nothing twice: one document per form and copy, one file per rendition, every number
    # taken once, one machine event per step, every stored file written once.
    auditor = Api(stack.app, AUDITOR)
    docs = auditor.get(f"/api/v1/dossiers/{dossier_id}/documents").json()
    assert [doc["form"] for doc in docs] == [
        "attachment",  # the Biên bản, uploaded before the submission
        "bao_cao_thanh_tich",
        "bao_cao_thanh_tich",
        "to_trinh_don_vi",
        "to_trinh_cum",
        "phieu_tham_dinh",
        "to_trinh_ban",
    ]
    minutes = docs.pop(0)  # sealed once, with the number of the unit's Tờ trình
    assert [v["rendition"] for v in minutes["versions"]] == ["upload", "pdf-signed"]
    for doc in docs:
        renditions = [v["rendition"] for v in doc["versions"]]
        # Prepared again when the appraisal's results are recorded (the specialist's
        # report) or for the leader who signs instead (the Sở's Tờ trình); issued once.
        again = doc["form"] in ("phieu_tham_dinh", "to_trinh_ban")
        assert set(renditions) == {"docx", "pdf-prepared", "pdf-personal", "pdf-signed"}
        assert renditions.count("pdf-signed") == renditions.count("pdf-personal") == 1
        assert again or len(renditions) == 4, (doc["form"], renditions)
        check = auditor.get(f"/api/v1/documents/{doc['id']}/verify").json()
        assert check["ok"] and check["stored_sha256_matches"], check
        assert len(check["signatures"]) == (1 if doc["form"] == "phieu_tham_dinh" else 2)
    numbers = [doc["number"] for doc in docs if doc["number"]]
    assert len(numbers) == len(set(numbers)) == 3  # the specialist's report is not numbered
    with stack.db.read() as s:
        assert set(s.scalars(select(NumberSeries.last_number)).all()) == {1}
        keys = dict(
            s.execute(
                select(DocumentVersion.object_key, DocumentVersion.sha256)
                .join(Document, DocumentVersion.document_id == Document.id)
                .where(Document.dossier_id == dossier_id)
            ).all()
        )
        step_events = s.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.dossier_id == dossier_id,
                AuditEvent.kind.in_(["documents_issued", "routed"]),
            )
        )
    assert step_events == 6
    # What the killed worker had recorded is kept as it was (adopted, not made again).
    assert all(keys[k] == h for k, h in stored_before)
    objects = list(
        stack.s3.client().list_objects(
            BUCKET, prefix=f"dossiers/{dossier_id}/", recursive=True, include_version=True
        )
    )
    names = [o.object_name for o in objects]
    assert len(names) == len(set(names)), "an archive key was written twice"
    assert set(names) == set(keys)
    checkpoints = [
        o.object_name
        for o in stack.s3.client().list_objects(BUCKET, prefix="audit/checkpoints/", recursive=True)
    ]
    assert checkpoints == ["audit/checkpoints/00000001.json", "audit/checkpoints/00000001.json.p7s"]

    audit = stack.app.cli("audit", "verify", "--json", check=False)
    assert audit.returncode == 0 and '"ok": true' in audit.stdout, audit.stdout


def test_worker_settings_are_refused_without_a_shared_database(tmp_path: Path) -> None:
    """A worker alone on a laptop default (SQLite, local folder) would archive into its
    own container: the server mode refuses to start without shared services."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TDKT_")},
        "TDKT_VAR_DIR": str(tmp_path),
        "TDKT_PREFECT_MODE": "server",
    }
    import subprocess
    import sys

    r = subprocess.run(
        [sys.executable, "-m", "tdkt", "worker"], env=env, capture_output=True, text=True
    )
    assert r.returncode == 2
    assert "TDKT_DATABASE_URL" in r.stderr and "TDKT_SECRET_KEY" in r.stderr


def test_a_stopped_worker_gives_its_step_back_at_once(stack: Stack, tmp_path: Path) -> None:
    """`docker compose stop` (SIGTERM): the runs in flight hand their rows back instead of
    waiting for their leases to run out, and the next worker finishes the step."""
    slow = tmp_path / "slow"
    slow.mkdir()
    (slow / "sitecustomize.py").write_text(SLOW_RECORD)
    first = WorkerProcess(stack.root / "worker-3", stack.worker_env(PYTHONPATH=str(slow)))
    first.start()
    dossier_id = new_dossier(stack.app)["id"]
    assert Api(stack.app, CLERK).act(dossier_id, "submit").status_code == 200
    stopped_run, _ = wait_for(
        lambda: half_done(stack, dossier_id), 90, "the worker never started the step"
    )
    first.stop()  # SIGTERM, as docker sends it
    assert first.proc is not None and first.proc.returncode == 0, first.log_tail()
    with stack.db.read() as s:
        row = s.scalar(
            select(OutboxItem).where(OutboxItem.dossier_id == dossier_id).order_by(OutboxItem.id)
        )
        assert row is not None and row.state != "done"
        assert row.last_error is not None and row.last_error.startswith("cancelled"), row
    assert {fr["id"]: fr for fr in flow_runs(stack)}[stopped_run]["state_type"] == "CRASHED"

    second = WorkerProcess(stack.root / "worker-4", stack.worker_env()).start()
    try:
        d = Api(stack.app, CLERK).wait_idle(dossier_id, timeout=120)
    finally:
        second.stop()
    assert d["status"] == "unit_review"


def test_a_step_waits_for_a_worker_however_long(stack: Stack, tmp_path: Path) -> None:
    """No worker for longer than the lease: the run stays queued in Prefect and keeps its
    row (no new run, no attempt used up); the first worker to come runs it."""
    dossier_id = new_dossier(stack.app)["id"]
    assert Api(stack.app, CLERK).act(dossier_id, "submit").status_code == 200

    def queued() -> OutboxItem | None:
        with stack.db.read() as s:
            row = s.scalar(select(OutboxItem).where(OutboxItem.dossier_id == dossier_id))
        return row if row is not None and row.flow_run_id is not None else None

    row = wait_for(queued, 30, "no run was created for the step")
    time.sleep(LEASE_SECONDS * 2 + 2)  # the lease ran out twice; re-drive every 2 s
    later = queued()
    assert later is not None
    assert (later.state, later.attempts, later.flow_run_id) == ("running", 1, row.flow_run_id)
    runs = [fr for fr in flow_runs(stack) if fr["parameters"]["outbox_id"] == row.id]
    assert [fr["state_type"] for fr in runs] == ["SCHEDULED"]

    worker = WorkerProcess(stack.root / "worker-5", stack.worker_env()).start()
    try:
        d = Api(stack.app, CLERK).wait_idle(dossier_id, timeout=120)
    finally:
        worker.stop()
    assert d["status"] == "unit_review"


def test_a_worker_takes_a_new_step_without_waiting_for_its_poll(stack: Stack) -> None:
    """The app announces each run it creates (flows/handover.py): a worker that would not
    poll Prefect again for an hour still runs the step at once."""
    env = stack.worker_env(PREFECT_WORKER_QUERY_SECONDS="3600")
    worker = WorkerProcess(stack.root / "worker-6", env).start()
    try:
        dossier_id = new_dossier(stack.app)["id"]
        assert Api(stack.app, CLERK).act(dossier_id, "submit").status_code == 200
        d = Api(stack.app, CLERK).wait_idle(dossier_id, timeout=60)
    finally:
        worker.stop()
    assert d["status"] == "unit_review"
