"""The dashboards (api/dashboards/service.py `build`, then every table's SVG chart) for the
Phòng's head (the province), a cluster's head unit and a unit, on the embedded SQLite
database holding the demo (`tdkt seed --demo`, `tdkt demo stats`) plus `--dossiers`
more 2025 dossiers spread over the demo's units, each taken through six recorded steps
with three individual nominees. In-process, one call after the other: what one page
costs the server.

Run: ``uv run python bench/dashboards.py [--dossiers 5000] [--repeats 3]``; writes
bench/results/dashboards.json.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import summary, write_result  # noqa: E402

STEPS = (
    ("draft", "unit_review"),
    ("unit_review", "cluster_review"),
    ("cluster_review", "board_appraisal"),
    ("board_appraisal", "board_decision"),
    ("board_decision", "leadership_review"),
    ("leadership_review", "approved"),
)
READERS = ("ptdkt.truongphong", "bqlkkt.cum", "bdt.canbo")


def fill(db: Path, n: int) -> float:
    """`n` dossiers with their steps and nominees, in one transaction; returns seconds."""
    rnd = random.Random(7)
    t = time.perf_counter()
    with sqlite3.connect(db) as conn:
        units = conn.execute(
            "SELECT id, cluster_id, authority_id FROM units WHERE cluster_id IS NOT NULL"
        ).fetchall()
        user = conn.execute("SELECT min(id) FROM users").fetchone()[0]
        for _ in range(n):
            unit, cluster, authority = rnd.choice(units)
            at = datetime(2025, 10, 1, 2, tzinfo=UTC) + timedelta(days=rnd.randint(0, 40))
            stamp = at.strftime("%Y-%m-%d %H:%M:%S.000000")
            cur = conn.execute(
                "INSERT INTO dossiers (process, award, year, title, unit_id, cluster_id, "
                "authority_id, status, furthest_stage, version, transition_seq, created_by, "
                "created_at, updated_at, search_text) VALUES ('commendation_proposal', "
                "'bang_khen_ubnd_tinh', 2025, 'Hồ sơ đo', ?, ?, ?, 'approved', 'done', 1, 6, ?, "
                "?, ?, '')",
                (unit, cluster, authority, user, stamp, stamp),
            )
            did = cur.lastrowid
            rows = []
            for seq, (frm, to) in enumerate(STEPS, start=1):
                at += timedelta(days=rnd.randint(1, 12))
                stamp = at.strftime("%Y-%m-%d %H:%M:%S.000000")
                rows.append((did, did, seq, frm, to, user, stamp))
            conn.executemany(
                "INSERT INTO dossier_transitions (subject_kind, subject_id, dossier_id, seq, "
                "action, from_status, to_status, actor_id, actor_role, created_at) "
                "VALUES ('dossier', ?, ?, ?, 'approve', ?, ?, ?, 'board_specialist', ?)",
                rows,
            )
            conn.executemany(
                "INSERT INTO nominees (dossier_id, position_no, kind, name, job_title, "
                "unit_name, achievements, gender, ethnicity) VALUES (?, ?, 'individual', "
                "'Người đo', '', '', '', ?, ?)",
                [
                    (did, k, rnd.choice(("nam", "nu")), rnd.choice(("Kinh", "Tày")))
                    for k in (1, 2, 3)
                ],
            )
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dossiers", type=int, default=5000)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    var = Path(tempfile.mkdtemp(prefix="tdkt-bench-dash-"))
    env = {**os.environ, "TDKT_VAR_DIR": str(var)}
    for cmd in (("seed", "--demo"), ("demo", "stats")):
        subprocess.run([sys.executable, "-m", "tdkt", *cmd], env=env, check=True)
    fill_s = fill(var / "tdkt.sqlite3", args.dossiers)
    os.environ["TDKT_VAR_DIR"] = str(var)

    from sqlalchemy import select

    from api.dashboards import charts, service
    from core.settings import get_settings
    from storage.db import Database
    from storage.models import User
    from storage.repositories import users as users_repo

    db = Database(get_settings().database_url)
    result: dict[str, Any] = {"dossiers_added": args.dossiers, "fill_s": round(fill_s, 1)}
    for who in READERS:
        for board in (service.OVERVIEW, service.WAITING):
            build, draw = [], []
            for _ in range(args.repeats):
                with db.read() as s:
                    user = s.scalar(select(User).where(User.username == who))
                    assert user is not None
                    t = time.perf_counter()
                    found = service.build(s, users_repo.actor_of(user), board, 2025, 5)
                    build.append(time.perf_counter() - t)
                t = time.perf_counter()
                for table in found.tables:
                    charts.chart_svg(table)
                draw.append(time.perf_counter() - t)
            result[f"{who}/{board}"] = {
                "scope": found.scope_label,
                "tables_ms": summary(build),
                "charts_ms": summary(draw),
            }
    db.dispose()
    write_result("dashboards", result)


if __name__ == "__main__":
    main()
