"""What a dossier step costs in each way of running the flows, over real processes.

Run: ``uv run python bench/server_mode.py [--dossiers 2] [--burst 6]``; writes
bench/results/server_mode.json. Needs PostgreSQL on 127.0.0.1:5432 (like the tests).

Variants, each on a fresh PostgreSQL database, S3 over TLS (moto) and, in the server
mode, a fresh Prefect server on PostgreSQL:

- ``embedded``: the app runs each step's flow in its own event loop (Prefect's local API
  on SQLite), as `make run` does.
- ``tdkt-worker``: server mode; `tdkt worker` runs each flow run inside its own process.
- ``process-worker``: server mode; Prefect's stock process worker
  (`prefect worker start --type process`) on the same pool: a new subprocess per run.
- ``served``: server mode; the deployment served by `flow.serve()` (a long-lived runner
  that also spawns a subprocess per run).

Per step: ``wall_s`` from the action's HTTP response to the dossier leaving `processing`
(what a user waits for); from Prefect, ``wait_s`` from the run's creation to its start
(queue, polling, process start-up) and ``run_s`` its own duration; ``cpu_s`` the CPU
seconds of the process that runs the flows (worker with its children; in the embedded
mode the app) divided by the steps. One dossier goes through the route first to warm up
and is not counted. Then ``burst``: that many dossiers submitted at once, time until all
are done, with the embedded app and with one and two `tdkt worker` processes.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import secrets
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

from bench.floor_and_stage import appraise_all_passed  # noqa: E402
from tests.fixtures.pg import fresh_database  # noqa: E402
from tests.fixtures.prefect_server import PrefectServer, WorkerProcess  # noqa: E402
from tests.fixtures.s3 import MotoS3Server, free_loopback_port  # noqa: E402
from tests.fixtures.server import DEMO_ROUTE as ROUTE  # noqa: E402
from tests.fixtures.server import PIN, Api, AppServer  # noqa: E402

STAGES = [
    "submit",
    "unit approve",
    "cluster approve",
    "board appraise",
    "board approve",
    "leadership sign",
]
CLK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """utime + stime of the process and of its children it has waited for."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / CLK


def new_dossier(app: AppServer) -> int:
    r = Api(app, "bdt.canbo").post(
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
    r.raise_for_status()
    Api(app, "bdt.canbo").attach(r.json()["id"])  # the Biên bản bình xét a dossier must hold
    return int(r.json()["id"])


def act(app: AppServer, dossier_id: int, user: str, action: str) -> None:
    if user == "ptdkt.chuyenvien":  # the appraisal's results first (not timed)
        appraise_all_passed(Api(app, user), dossier_id)
    body = {"signing_pin": PIN} if action == "approve" else {}
    r = Api(app, user).act(dossier_id, action, **body)
    assert r.status_code == 200, r.text


def wait_idle(app: AppServer, dossier_id: int) -> None:
    Api(app, "thanhtra").wait_idle(dossier_id, timeout=300)


def route(app: AppServer, dossier_id: int) -> list[float]:
    walls = []
    for user, action in ROUTE:
        act(app, dossier_id, user, action)
        t0 = time.perf_counter()
        wait_idle(app, dossier_id)
        walls.append(time.perf_counter() - t0)
    return walls


def prefect_runs(api_url: str) -> dict[int, dict[str, Any]]:
    r = httpx.post(
        f"{api_url}/flow_runs/filter",
        json={"flows": {"name": {"any_": ["subject_transition_flow"]}}, "limit": 200},
        timeout=10,
    )
    r.raise_for_status()
    out = {}
    for fr in r.json():
        if fr["state_type"] != "COMPLETED":
            continue
        created = datetime.fromisoformat(fr["created"])
        start = datetime.fromisoformat(fr["start_time"])
        end = datetime.fromisoformat(fr["end_time"])
        out[fr["parameters"]["outbox_id"]] = {
            "wait_s": (start - created).total_seconds(),
            "run_s": (end - start).total_seconds(),
        }
    return out


def outbox_ids(app: AppServer, dossier_id: int) -> list[int]:
    from sqlalchemy import select

    from storage.db import Database
    from storage.models import OutboxItem

    db = Database(app.env["TDKT_DATABASE_URL"])
    try:
        with db.read() as s:
            return list(
                s.scalars(
                    select(OutboxItem.id)
                    .where(OutboxItem.dossier_id == dossier_id)
                    .order_by(OutboxItem.id)
                )
            )
    finally:
        db.dispose()


class Proc:
    """A process in its own session (a stock Prefect worker, a served deployment)."""

    def __init__(self, argv: list[str], env: dict[str, str], log: Path) -> None:
        log.parent.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            argv,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.log = log

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)


def wait_http(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(log.read_text()[-3000:])
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code == 200:
                return
        time.sleep(0.3)
    raise TimeoutError(url)


@contextlib.contextmanager
def stack(
    root: Path, s3: MotoS3Server, bucket: str, mode: str, extra: dict[str, str] | None = None
) -> Iterator[tuple[AppServer, PrefectServer | None]]:
    with contextlib.ExitStack() as stack:
        app_db = stack.enter_context(fresh_database("tdkt_bench"))
        env = {
            "TDKT_DATABASE_URL": app_db,
            "TDKT_OBJECT_STORE_URL": f"s3://{bucket}",
            "TDKT_S3_ENDPOINT": s3.endpoint,
            "TDKT_S3_ACCESS_KEY": s3.access_key,
            "TDKT_S3_SECRET_KEY": s3.secret_key,
            "TDKT_S3_CA_BUNDLE": s3.ca_bundle,
            "TDKT_S3_RETENTION_DAYS": "1",
            "TDKT_SECRET_KEY": secrets.token_urlsafe(48),
            "TDKT_CONVERTER_WORKERS": "2",
            "TDKT_CHECKPOINT_MINUTES": "0",
        }
        prefect = None
        if mode == "server":
            prefect_db = stack.enter_context(fresh_database("tdkt_bench_prefect"))
            prefect = PrefectServer(prefect_db, root / "prefect-server").start()
            stack.callback(prefect.stop)
            env |= {"TDKT_PREFECT_MODE": "server", "PREFECT_API_URL": prefect.api_url}
        app = AppServer(root / "app", env | (extra or {}))
        stack.callback(app.stop)
        app.start()
        if prefect is not None:
            app.cli("deploy")
        yield app, prefect


def worker_env(
    app: AppServer, prefect: PrefectServer, var: Path, query_seconds: float = 1.0
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TDKT_", "PREFECT_"))}
    env |= {k: v for k, v in app.env.items() if k.startswith("TDKT_")}
    env.pop("TDKT_PORT", None)
    return env | {
        "TDKT_VAR_DIR": str(var),
        "PREFECT_HOME": str(var / "prefect"),
        "PREFECT_API_URL": prefect.api_url,
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "PREFECT_WORKER_QUERY_SECONDS": str(query_seconds),
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",
    }


def start_workers(
    variant: str,
    app: AppServer,
    prefect: PrefectServer,
    root: Path,
    count: int = 1,
    query_seconds: float = 1.0,
) -> list[Any]:
    started: list[Any] = []
    for i in range(count):
        var = root / f"{variant}-{i}"
        env = worker_env(app, prefect, var, query_seconds)
        if variant == "tdkt-worker":
            w = WorkerProcess(var, {k: v for k, v in env.items() if k.startswith("TDKT_")})
            w.env |= {k: v for k, v in env.items() if k.startswith("PREFECT_")}
            w.env["PREFECT_HOME"] = str(var / "prefect")
            started.append(w.start())
        elif variant == "process-worker":
            port = free_loopback_port()
            env |= {"PREFECT_WORKER_WEBSERVER_PORT": str(port)}
            p = Proc(
                [
                    str(Path(sys.executable).parent / "prefect"),
                    "worker",
                    "start",
                    "--pool",
                    "tdkt",
                    "--type",
                    "process",
                    "--with-healthcheck",
                ],
                env,
                var / "worker.log",
            )
            wait_http(f"http://127.0.0.1:{port}/health", p.proc, p.log)
            started.append(p)
        elif variant == "served":
            code = (
                "from flows.transition import subject_transition_flow as f\n"
                "f.serve(name='tdkt', limit=4, print_starting_message=False)\n"
            )
            p = Proc([sys.executable, "-c", code], env, var / "serve.log")
            # Serving re-registers the deployment without a work pool.
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                d = httpx.get(
                    f"{prefect.api_url}/deployments/name/subject_transition_flow/tdkt", timeout=5
                ).json()
                if d.get("work_pool_name") is None:
                    break
                time.sleep(0.5)
            time.sleep(2)
            started.append(p)
    return started


def pid_of(w: Any) -> int:
    return w.proc.pid if isinstance(w, WorkerProcess) else w.pid


def measure(variant: str, s3: MotoS3Server, base: Path, dossiers: int) -> dict[str, Any]:
    root = base / variant
    mode = "embedded" if variant == "embedded" else "server"
    with stack(root, s3, f"bench-{variant}", mode) as (app, prefect):
        workers = [] if prefect is None else start_workers(variant, app, prefect, root)
        try:
            route(app, new_dossier(app))  # warm-up: templates, profiles, first imports
            pids = [pid_of(w) for w in workers] or [app.proc.pid]  # type: ignore[union-attr]
            cpu0 = sum(cpu_seconds(p) for p in pids)
            steps: list[dict[str, Any]] = []
            for _ in range(dossiers):
                d = new_dossier(app)
                walls = route(app, d)
                for stage, wall, outbox_id in zip(STAGES, walls, outbox_ids(app, d), strict=True):
                    steps.append({"stage": stage, "wall_s": wall, "outbox_id": outbox_id})
            cpu = sum(cpu_seconds(p) for p in pids) - cpu0
            if prefect is not None:
                runs = prefect_runs(prefect.api_url)
                for st in steps:
                    st |= runs.get(st["outbox_id"], {})
        finally:
            for w in workers:
                w.stop()
    summary = summarise(steps)
    summary["cpu_s_per_step"] = round(cpu / len(steps), 2)
    return {"variant": variant, "summary": summary, "steps": steps}


def summarise(steps: list[dict[str, Any]]) -> dict[str, Any]:
    def med(key: str, rows: list[dict[str, Any]]) -> float | None:
        values = [r[key] for r in rows if key in r]
        return round(statistics.median(values), 3) if values else None

    out: dict[str, Any] = {
        "median_wall_s": med("wall_s", steps),
        "median_wait_s": med("wait_s", steps),
        "median_run_s": med("run_s", steps),
        "per_stage_median_wall_s": {
            stage: med("wall_s", [s for s in steps if s["stage"] == stage]) for stage in STAGES
        },
    }
    return out


def burst(variant: str, workers: int, s3: MotoS3Server, base: Path, n: int) -> dict[str, Any]:
    """n dossiers submitted at once: seconds until every one is done."""
    root = base / f"burst-{variant}-{workers}"
    mode = "embedded" if variant == "embedded" else "server"
    with stack(root, s3, f"burst-{variant}-{workers}", mode) as (app, prefect):
        started = [] if prefect is None else start_workers(variant, app, prefect, root, workers)
        try:
            route(app, new_dossier(app))  # warm-up
            ids = [new_dossier(app) for _ in range(n)]
            t0 = time.perf_counter()
            for d in ids:
                act(app, d, "bdt.canbo", "submit")
            for d in ids:
                wait_idle(app, d)
            seconds = time.perf_counter() - t0
        finally:
            for w in started:
                w.stop()
    return {
        "variant": variant,
        "workers": workers,
        "dossiers": n,
        "seconds": round(seconds, 2),
        "steps_per_minute": round(n / seconds * 60, 1),
    }


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--dossiers", type=int, default=2, help="measured dossiers per variant")
    p.add_argument("--burst", type=int, default=6, help="dossiers submitted at once")
    p.add_argument(
        "--variants", default="embedded,tdkt-worker,process-worker,served", help="comma list"
    )
    args = p.parse_args()
    import tempfile

    base = Path(tempfile.mkdtemp(prefix="tdkt-bench-server-"))
    results: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "command": "uv run python bench/server_mode.py " + " ".join(sys.argv[1:]),
        "variants": [],
        "burst": [],
    }
    with MotoS3Server() as s3:
        for variant in args.variants.split(","):
            print(f"… {variant}", flush=True)
            r = measure(variant, s3, base, args.dossiers)
            print(json.dumps(r["summary"], ensure_ascii=False), flush=True)
            results["variants"].append(r)
        if args.burst:
            for variant, workers in (("embedded", 0), ("tdkt-worker", 1), ("tdkt-worker", 2)):
                print(f"… burst {variant} ×{workers}", flush=True)
                b = burst(variant, workers, s3, base, args.burst)
                print(json.dumps(b), flush=True)
                results["burst"].append(b)
    out = ROOT / "bench" / "results" / "server_mode.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    print(f"→ {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
