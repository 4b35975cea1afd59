"""API latency on a year-end-sized database: 100,000 dossiers and 1,000,000 audit events
in PostgreSQL, inbox / list / detail at 1, 10 and 50 concurrent clients.

A fresh database is migrated and seeded with the demo organisation by the app's own CLI,
then filled in bulk with ``INSERT … SELECT generate_series``: dossiers spread over the
demo units (cluster and authority of their unit, years 2024–2026), 85% finished and the
rest spread over the waiting states, one nominee each, and 10 audit events per dossier.
The bulk audit rows carry placeholder hashes: they do **not** form a valid chain (the
append-only triggers only refuse updates and deletes; ``tdkt audit verify`` would report
this database as broken). They are there for the size of the table and its indexes.

Clients are wrk connections on the same machine (they share its cores with the app and
PostgreSQL), each sending its next request when the last is answered, for ``--seconds``
per endpoint and level. The app runs as in production (docker-compose.yml): server mode,
``--web-workers`` HTTP processes (default: one per core), a Prefect server that stays
idle, the archive in S3 over TLS (moto).

Run: ``uv run python bench/api_latency.py [--dossiers 100000] [--events-per-dossier 10]``;
writes bench/results/api_latency.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    descendants,
    machine_cpu_seconds,
    peak_rss_mb,
    tree_cpu_seconds,
    write_result,
)
from bench.server_mode import stack  # noqa: E402
from tests.fixtures.pg import ADMIN_URL  # noqa: E402
from tests.fixtures.s3 import MotoS3Server  # noqa: E402
from tests.fixtures.server import PASSWORD  # noqa: E402

BULK = """
WITH u AS (
  SELECT row_number() OVER (ORDER BY id) - 1 AS k, id, cluster_id, authority_id FROM units
), n AS (SELECT count(*) AS c FROM units),
owner AS (SELECT min(id) AS id FROM users)
INSERT INTO dossiers (process, award, year, title, unit_id, cluster_id, authority_id, status,
                      furthest_stage, version, transition_seq, created_by, created_at, updated_at)
SELECT 'commendation_proposal', 'bang_khen_ubnd_tinh', 2024 + g %% 3,
       'Hồ sơ đề nghị khen thưởng số ' || g, u.id, u.cluster_id, u.authority_id,
       s.status, s.furthest, 1 + s.seq, s.seq, owner.id,
       now() - (g || ' seconds')::interval, now() - (g || ' seconds')::interval
FROM generate_series(1, %(n)s) AS g
CROSS JOIN n CROSS JOIN owner
JOIN u ON u.k = g %% n.c
CROSS JOIN LATERAL (
  SELECT * FROM (VALUES
    (0, 'approved', 'done', 5), (1, 'draft', 'unit', 0), (2, 'unit_review', 'unit', 1),
    (3, 'cluster_review', 'cluster', 2), (4, 'board_appraisal', 'board', 3),
    (5, 'board_decision', 'board', 4), (6, 'rejected', 'done', 3)
  ) AS v(k, status, furthest, seq)
  WHERE v.k = CASE WHEN g %% 100 < 85 THEN 0 ELSE 1 + g %% 6 END
) AS s
"""
NOMINEES = """
INSERT INTO nominees (dossier_id, position_no, kind, name, job_title, unit_name, achievements)
SELECT id, 1, 'collective', 'Phòng ' || id, '', '', 'Hoàn thành xuất sắc nhiệm vụ năm ' || year
FROM dossiers WHERE title LIKE 'Hồ sơ đề nghị khen thưởng số %%'
"""
EVENTS = """
INSERT INTO audit_events (seq, dossier_id, dossier_seq, event_key, occurred_at, actor_id,
  actor_name, actor_role, actor_unit, kind, from_status, to_status, reason, data, prev_hash,
  hash, format, on_behalf_of, dossier_prev_hash,
  subject_kind, subject_id, subject_seq, subject_prev_hash)
SELECT base.m + (d.id - first.id) * %(per)s + e, d.id, 1000 + e, 'bulk-' || d.id || '-' || e,
       d.created_at + (e || ' minutes')::interval, d.created_by, 'Người dùng thử', 'clerk',
       'Đơn vị', CASE WHEN e = 1 THEN 'created' ELSE 'approve' END, NULL, NULL, NULL, '{}',
       repeat('0', 64), md5(d.id || '-' || e) || md5(e || '-' || d.id), 2, NULL, repeat('0', 64),
       'dossier', d.id, 1000 + e, repeat('0', 64)
FROM dossiers d
CROSS JOIN generate_series(1, %(per)s) AS e
CROSS JOIN (SELECT coalesce(max(seq), 0) AS m FROM audit_events) AS base
CROSS JOIN (SELECT min(id) AS id FROM dossiers
            WHERE title LIKE 'Hồ sơ đề nghị khen thưởng số %%') AS first
WHERE d.title LIKE 'Hồ sơ đề nghị khen thưởng số %%'
"""

# who asks: the auditor sees everything (the widest list), the board specialist has the
# biggest inbox, the clerk of a unit the narrowest list.
CALLS = {
    "inbox": ("ptdkt.chuyenvien", "/api/v1/inbox?limit=50"),
    "list": ("thanhtra", "/api/v1/dossiers?limit=20&offset=0"),
    "list_unit": ("bdt.canbo", "/api/v1/dossiers?limit=20&offset=0"),
    "detail": ("thanhtra", "/api/v1/dossiers/{id}"),
}


def load(url: str, n: int, per: int) -> dict[str, float]:
    timings = {}
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        for name, sql in (("dossiers", BULK), ("nominees", NOMINEES), ("audit_events", EVENTS)):
            t0 = time.perf_counter()
            conn.execute(sql, {"n": n, "per": per})
            conn.commit()
            timings[name] = round(time.perf_counter() - t0, 1)
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")
        counts = {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # type: ignore[index]
            for t in ("dossiers", "nominees", "audit_events")
        }
    return {**timings, **{f"rows_{k}": v for k, v in counts.items()}}


WRK_SCRIPT = """
local ids = {%(ids)s}
local template = "%(path)s"
request = function()
  local path = template:gsub("{id}", tostring(ids[math.random(#ids)]))
  return wrk.format("GET", path)
end
done = function(summary, latency, requests)
  io.write(string.format(
    "WRK {\\"requests\\": %%d, \\"errors\\": %%d, "
      .. "\\"p50\\": %%d, \\"p95\\": %%d, \\"p99\\": %%d}\\n",
    summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read
      + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def measure(
    base: str,
    token: str,
    path: str,
    ids: list[int],
    clients: int,
    seconds: int,
    app_pid: int,
    db: str,
) -> dict[str, Any]:
    """`clients` connections, each sending its next request as soon as the last one is
    answered, for `seconds`: wrk (C, one thread) keeps the load generator's own CPU small
    beside the app on the same cores. Latencies in µs from wrk's histogram. The CPU each
    request cost the app's processes, PostgreSQL and wrk says where the cores went."""
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(WRK_SCRIPT % {"ids": ",".join(map(str, ids)), "path": path})
    before = tree_cpu_seconds(app_pid), machine_cpu_seconds(), _children_cpu(), sessions(db)
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{clients}",
            f"-d{seconds}s",
            "--timeout",
            "30s",
            "-H",
            f"Authorization: Bearer {token}",
            "-s",
            str(script),
            base,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    after = tree_cpu_seconds(app_pid), machine_cpu_seconds(), _children_cpu(), sessions(db)
    line = next(x for x in out.splitlines() if x.startswith("WRK "))
    raw = json.loads(line[4:])
    n = max(raw["requests"], 1)
    app, busy, wrk, opened = (a - b for a, b in zip(after, before, strict=True))
    cpu = {
        "app": round(app * 1000 / n, 2),
        "wrk": round(wrk * 1000 / n, 2),
        # PostgreSQL, mostly; also the idle Prefect and S3 servers of the stack.
        "rest": round((busy - app - wrk) * 1000 / n, 2),
    }
    return {
        "median_ms": round(raw["p50"] / 1000, 1),
        "p95_ms": round(raw["p95"] / 1000, 1),
        "p99_ms": round(raw["p99"] / 1000, 1),
        "requests_per_s": round(raw["requests"] / seconds, 1),
        "n": raw["requests"],
        "errors": raw["errors"],
        "cpu_ms_per_request": cpu,
        "database_connections_opened": int(opened),
    }


def sessions(db: str) -> int:
    """Connections PostgreSQL has opened to the app's database so far."""
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        row = conn.execute(
            "SELECT sessions FROM pg_stat_database WHERE datname = %s", (db,)
        ).fetchone()
    return int(row[0]) if row else 0


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def token(base: str, user: str) -> str:
    r = httpx.post(f"{base}/api/v1/auth/token", data={"username": user, "password": PASSWORD})
    r.raise_for_status()
    return str(r.json()["access_token"])


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--dossiers", type=int, default=100_000)
    p.add_argument("--events-per-dossier", type=int, default=10)
    p.add_argument("--seconds", type=int, default=10, help="per endpoint and level")
    p.add_argument("--web-workers", type=int, default=os.cpu_count() or 1)
    p.add_argument("--clients", default="1,10,50")
    p.add_argument("--label", default="api_latency")
    p.add_argument(
        "--without-0008-indexes",
        action="store_true",
        help="drop migration 0008's indexes after loading (the 'before' of that migration)",
    )
    args = p.parse_args()
    levels = [int(c) for c in args.clients.split(",")]
    base = Path(tempfile.mkdtemp(prefix="tdkt-api-"))
    extra = {"TDKT_WEB_WORKERS": str(args.web_workers)}
    with MotoS3Server() as s3, stack(base, s3, "bench-api", "server", extra) as (server, _):
        url = server.env["TDKT_DATABASE_URL"]
        db = url.rsplit("/", 1)[1]
        loading = load(url, args.dossiers, args.events_per_dossier)
        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
            if args.without_0008_indexes:
                conn.execute("DROP INDEX ix_dossiers_updated_at_id")
                conn.execute("DROP INDEX ix_dossiers_unit_updated_at")
            ids = [
                r[0] for r in conn.execute("SELECT id FROM dossiers ORDER BY random() LIMIT 1000")
            ]
            inbox_size = conn.execute(
                "SELECT count(*) FROM dossiers WHERE status = 'board_appraisal'"
            ).fetchone()[0]  # type: ignore[index]
        tokens = {user: token(server.base, user) for user, _ in CALLS.values()}
        results: dict[str, Any] = {}
        for name, (user, path) in CALLS.items():
            results[name] = {"as": user, "path": path}
            warm = server.base + path.replace("{id}", str(ids[0]))
            for _ in range(4 * args.web_workers):  # every process opens its connections
                httpx.get(warm, headers=auth(tokens[user]))
            for c in levels:
                assert server.proc is not None
                results[name][f"c{c}"] = measure(
                    server.base, tokens[user], path, ids, c, args.seconds, server.proc.pid, db
                )
                print(name, c, results[name][f"c{c}"], flush=True)
        assert server.proc is not None
        memory = {
            "web_process_peak_rss_mb": [
                peak_rss_mb(pid) for pid in [server.proc.pid, *descendants(server.proc.pid)]
            ]
        }
    write_result(
        args.label,
        {
            "what": "GET inbox (page of 50, with total) / list (limit 20, with total) / detail: "
            "p50/p95/p99 and requests/s by concurrent clients (wrk)",
            "app": f"server mode (production shape), {args.web_workers} web process(es), "
            "PostgreSQL, Prefect server idle",
            "database": "PostgreSQL, fresh, bulk-loaded (audit rows do not chain: see module doc)",
            "indexes_0008": not args.without_0008_indexes,
            "load_s": loading,
            "inbox_rows_board_specialist": inbox_size,
            "endpoints": results,
            "target_p99_ms_at_50": 100,
            "memory": memory,
        },
    )


if __name__ == "__main__":
    main()
