"""Burst: N dossiers through the whole route at once, each driven by its own client
(create, submit, four approvals, waiting for each step's documents), against the real
app in the embedded mode. Throughput in stages and documents per second over the whole
burst, and p50/p95 per step from the action's request to its stored documents; compared
with cores × the floor's documents per second (bench/results/floor_and_stage.json).

Run: ``uv run python bench/burst.py [--n 300] [--clients 50]``;
writes bench/results/burst.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import RESULTS, cpu_by_group, process_memory, summary, write_result  # noqa: E402
from bench.floor_and_stage import AUDITOR, ROUTE, run_route  # noqa: E402
from tests.fixtures.server import Api, AppServer  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=300)
    # Enough clients to keep both cores busy (a step is ~0.5 s of work); more only
    # lengthen the queue. Each polls its dossier until the step is done: polling is load
    # on the same cores, so not too often (latencies come from the recorded events).
    p.add_argument("--clients", type=int, default=20)
    p.add_argument("--poll", type=float, default=0.5)
    args = p.parse_args()
    var = Path(tempfile.mkdtemp(prefix="tdkt-burst-"))
    server = AppServer(var, {"TDKT_CHECKPOINT_MINUTES": "0"}).start()
    try:
        run_route(server)  # warm up
        for _, user in ROUTE:
            Api(server, user)  # sign in once per user, outside the measurement
        Api(server, AUDITOR)
        assert server.proc is not None
        cpu0 = cpu_by_group(server.proc.pid)
        t0 = time.perf_counter()
        with ThreadPoolExecutor(args.clients) as pool:
            runs = list(pool.map(lambda _: run_route(server, args.poll), range(args.n)))
        elapsed = time.perf_counter() - t0
        cpu1 = cpu_by_group(server.proc.pid)
        memory = process_memory(server.proc.pid)
    finally:
        server.stop()
    stages = len(runs) * len(ROUTE)
    documents = sum(
        n
        for r in runs
        for counter in r.made.values()
        for (_, rendition), n in counter.items()
        if rendition == "pdf-signed"
    )
    files = sum(n for r in runs for counter in r.made.values() for n in counter.values())
    floor_docs_per_s = None
    floor_file = RESULTS / "floor_and_stage.json"
    if floor_file.exists():
        fl = json.loads(floor_file.read_text())
        route_floor_s = fl["route_floor_ms"] / 1000
        docs_per_route = documents / len(runs)
        floor_docs_per_s = (fl["machine"]["cpus"] or 1) * docs_per_route / route_floor_s
    per_stage: dict[str, Any] = {
        stage: summary([r.recorded[stage] for r in runs]) for stage, _ in ROUTE
    }
    approvals = [r.responded[stage] for r in runs for stage, _ in ROUTE if stage != "submit"]
    result = {
        "what": "N dossiers through the whole route with concurrent clients (embedded mode)",
        "n": args.n,
        "clients": args.clients,
        "elapsed_s": round(elapsed, 1),
        "stages_per_s": round(stages / elapsed, 2),
        "issued_documents_per_s": round(documents / elapsed, 2),
        "files_per_s": round(files / elapsed, 2),
        "floor_documents_per_s_all_cores": round(floor_docs_per_s, 2) if floor_docs_per_s else None,
        "ratio_to_floor": round(documents / elapsed / floor_docs_per_s, 2)
        if floor_docs_per_s
        else None,
        "target_ratio": 0.8,
        # Where the cores went: CPU seconds per second of the burst, by process group
        # (the clients, in this process, are not counted).
        "cpu_cores_busy": {
            k: round((cpu1.get(k, 0.0) - cpu0.get(k, 0.0)) / elapsed, 2) for k in sorted(cpu1)
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
