"""Burst: N dossiers through the whole route at once, each driven by its own client
(create, submit, five approvals, waiting for each step's documents), against the real
app in the embedded mode. Throughput in stages and documents per second over the whole
burst, and p50/p95 per step from the action's request to its stored documents; compared
with cores × the floor's documents per second, the floor measured in the same run
before and after the burst (bench/floor_and_stage.py's floor, averaged).

The clients run in this process on the same cores: their CPU is reported
(``cpu_cores_busy.clients``), and so is what the machine gave nobody (idle) or another
guest (steal).

Run: ``uv run python bench/burst.py [--n 300] [--clients 20] [--poll 2]``;
writes bench/results/burst.json.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import cpu_by_group, process_memory, summary, write_result  # noqa: E402
from bench.floor_and_stage import (  # noqa: E402
    AUDITOR,
    ROUTE,
    both_ends,
    floor,
    route_floor,
    run_route,
)
from storage.objects import LocalObjectStore  # noqa: E402
from tests.fixtures.server import Api, AppServer  # noqa: E402

_STAT_FIELDS = ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal")


def machine_ticks() -> dict[str, int]:
    values = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
    return dict(zip(_STAT_FIELDS, (int(v) for v in values), strict=True))


def own_cpu_seconds() -> float:
    """CPU seconds of this process: the clients."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=300)
    # Enough clients to keep both cores busy (a step is ~0.5 s of work); more only
    # lengthen the queue. Each polls its dossier until the step is done: polling is load
    # on the same cores (a 0.5 s poll took a third of the machine for the clients), so
    # not too often; latencies come from the recorded events, not from the polls.
    p.add_argument("--clients", type=int, default=20)
    p.add_argument("--poll", type=float, default=2.0)
    p.add_argument("--floor-runs", type=int, default=5)
    args = p.parse_args()
    store = LocalObjectStore(Path(tempfile.mkdtemp(prefix="tdkt-burst-floor-")) / "o")
    floor_before = asyncio.run(floor(args.floor_runs, store, "before", long_term=False))
    var = Path(tempfile.mkdtemp(prefix="tdkt-burst-"))
    server = AppServer(var, {"TDKT_CHECKPOINT_MINUTES": "0"}).start()
    try:
        run_route(server)  # warm up
        for _, user in ROUTE:
            Api(server, user)  # sign in once per user, outside the measurement
        Api(server, AUDITOR)
        assert server.proc is not None
        cpu0 = {**cpu_by_group(server.proc.pid), "clients": own_cpu_seconds()}
        ticks0 = machine_ticks()
        t0 = time.perf_counter()
        with ThreadPoolExecutor(args.clients) as pool:
            runs = list(pool.map(lambda _: run_route(server, args.poll), range(args.n)))
        elapsed = time.perf_counter() - t0
        cpu1 = {**cpu_by_group(server.proc.pid), "clients": own_cpu_seconds()}
        ticks1 = machine_ticks()
        memory = process_memory(server.proc.pid)
    finally:
        server.stop()
    floor_after = asyncio.run(floor(args.floor_runs, store, "after", long_term=False))
    route_floor_ms = route_floor(runs, both_ends(floor_before, floor_after))
    stages = len(runs) * len(ROUTE)
    documents = sum(
        n
        for r in runs
        for counter in r.made.values()
        for (_, rendition), n in counter.items()
        if rendition == "pdf-signed"
    )
    files = sum(n for r in runs for counter in r.made.values() for n in counter.values())
    docs_per_route = documents / len(runs)
    cores = os.cpu_count() or 1
    floor_docs_per_s = cores * docs_per_route / (route_floor_ms / 1000)
    ticks = {k: ticks1[k] - ticks0[k] for k in _STAT_FIELDS}
    all_ticks = sum(ticks.values()) or 1
    per_stage: dict[str, Any] = {
        stage: summary([r.recorded[stage] for r in runs]) for stage, _ in ROUTE
    }
    approvals = [r.responded[stage] for r in runs for stage, _ in ROUTE if stage != "submit"]
    result = {
        "what": "N dossiers through the whole route with concurrent clients (embedded mode)",
        "poll_s": args.poll,
        "n": args.n,
        "clients": args.clients,
        "elapsed_s": round(elapsed, 1),
        "stages_per_s": round(stages / elapsed, 2),
        "issued_documents_per_s": round(documents / elapsed, 2),
        "files_per_s": round(files / elapsed, 2),
        "route_floor_ms": round(route_floor_ms, 1),
        "route_floor_before_after_ms": {
            "before": round(route_floor(runs, floor_before), 1),
            "after": round(route_floor(runs, floor_after), 1),
        },
        "floor_documents_per_s_all_cores": round(floor_docs_per_s, 2),
        "ratio_to_floor": round(documents / elapsed / floor_docs_per_s, 2),
        "target_ratio": 0.8,
        # Where the cores went: CPU seconds per second of the burst, by process group
        # (the clients: this process).
        "cpu_cores_busy": {
            k: round((cpu1.get(k, 0.0) - cpu0.get(k, 0.0)) / elapsed, 2) for k in sorted(cpu1)
        },
        "machine_cores": {
            "busy": round(
                cores * (all_ticks - ticks["idle"] - ticks["iowait"] - ticks["steal"]) / all_ticks,
                2,
            ),
            "idle": round(cores * (ticks["idle"] + ticks["iowait"]) / all_ticks, 2),
            "steal": round(cores * ticks["steal"] / all_ticks, 2),
        },
        "cpu_ms_per_stage": {
            k: round(1000 * (cpu1.get(k, 0.0) - cpu0.get(k, 0.0)) / stages, 1) for k in sorted(cpu1)
        },
        "action_to_stored": per_stage,
        "approve_response": summary(approvals),
        "memory": memory,
    }
    write_result("burst", result)


if __name__ == "__main__":
    main()
