"""Eligibility of one dossier of 500 nominees against a registry of 1 000 000 awards held by
200 000 people, on PostgreSQL (target ≤ 300 ms).

The registry is generated in the database (INSERT … SELECT generate_series): five yearly
records a person, one a year over 2021–2025 (Chiến sĩ thi đua cơ sở, one in four Hoàn
thành xuất sắc nhiệm vụ instead; one in fifty đột xuất, one in a hundred revoked), restrictions for
one person in twenty, 400 other live dossiers of 50 nominees each proposing people of the
registry for the same award and year, one initiative per nominee. The measured dossier
proposes 500 of those people for Chiến sĩ thi đua cấp tỉnh 2026, each with an initiative.

Measured: `api.dossiers.eligibility.view` — what `GET /api/v1/dossiers/{id}/eligibility`
answers (facts in a few queries, every rule of the set in force, the notes), in one read
transaction, warm (after one run), as wall time and as this process's CPU time (the
machine is shared: under load the wall time grows, the CPU time much less); the number
of SQL statements one run sends (no N+1).

Run: ``uv run python bench/eligibility.py [--runs 15] [--people 200000] [--awards 1000000]
[--nominees 500]``; writes bench/results/eligibility.json.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, select, text  # noqa: E402

from api.dossiers import eligibility  # noqa: E402
from bench.common import summary, write_result  # noqa: E402
from storage import eligibility as store  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Dossier, Unit, User  # noqa: E402
from storage.repositories import users as users_repo  # noqa: E402
from tdkt.seed import seed_demo  # noqa: E402
from tests.fixtures.pg import fresh_database  # noqa: E402

GENERATE = [
    # People.
    """INSERT INTO people (full_name, search_name, position, version, created_at, updated_at)
       SELECT 'Nguyễn Văn ' || g, 'nguyen van ' || g, '', 1, now(), now()
       FROM generate_series(1, :people) g""",
    # Awards: `per` a person, cycling award and year.
    """INSERT INTO registry_awards (person_id, award, year, occasion, decision_number,
           decision_date, issuer, source, holder_name, search_text, revoked_at, created_at)
       SELECT p.id,
              CASE WHEN (p.id + k) % 4 = 0 THEN 'hoan_thanh_xuat_sac_nhiem_vu'
                   ELSE 'chien_si_thi_dua_co_so' END,
              2020 + k::int,
              CASE WHEN (p.id + k) % 50 = 0 THEN 'dot_xuat' ELSE 'yearly' END,
              'QĐ-' || p.id || '-' || k,
              make_date(2020 + k::int, 12, 20),
              'Thủ trưởng đơn vị', 'import', p.full_name, '',
              CASE WHEN (p.id * 7 + k) % 100 = 0 THEN now() END,
              now()
       FROM people p CROSS JOIN generate_series(1, :per) k""",
    # Restrictions: one person in twenty, a discipline ended in 2023.
    """INSERT INTO holder_restrictions (person_id, kind, level, starts_on, ends_on, note, set_by,
           created_at)
       SELECT p.id, 'discipline', 'khiển trách', DATE '2022-09-01', DATE '2023-08-31', '',
              :user_id, now()
       FROM people p WHERE p.id % 20 = 0""",
]


def build(db: Database, args: argparse.Namespace) -> int:
    """The registry, other live dossiers and the measured one; its id."""
    with db.write() as s:
        user = s.scalar(select(User).where(User.username == "bdt.canbo"))
        unit = s.scalar(select(Unit).where(Unit.code == "BDT")) or s.scalar(
            select(Unit).where(Unit.cluster_id.is_not(None))
        )
        assert user is not None and unit is not None
        per = args.awards // args.people
        params = {"people": args.people, "per": per, "user_id": user.id}
        for sql in GENERATE:
            s.execute(text(sql), params)
        first = s.scalar(text("SELECT min(id) FROM people"))
        # 400 other live dossiers of 50 nominees, proposing registry people for the same
        # award and year (one in ten of the measured dossier's people among them).
        common = {
            "unit": unit.id,
            "cluster": unit.cluster_id,
            "authority": unit.authority_id,
            "user_id": user.id,
            "first": first,
            "people": args.people,
        }
        s.execute(
            text(
                """INSERT INTO dossiers (process, award, year, title, unit_id, cluster_id,
                       authority_id, status, furthest_stage, version, transition_seq,
                       created_by, created_at, updated_at, search_text)
                   SELECT 'commendation_proposal', 'chien_si_thi_dua_cap_tinh', 2026,
                          'Hồ sơ khác ' || g, :unit, :cluster, :authority, 'board_appraisal',
                          'board', 1, 3, :user_id, now(), now(), ''
                   FROM generate_series(1, 401) g"""
            ),
            common,
        )
        ids = list(
            s.scalars(text("SELECT id FROM dossiers WHERE title LIKE 'Hồ sơ khác %' ORDER BY id"))
        )
        measured, others = ids[0], ids[1:]
        s.execute(
            text("UPDATE dossiers SET status = 'draft', title = 'Hồ sơ đo' WHERE id = :id"),
            {"id": measured},
        )
        s.execute(
            text(
                """INSERT INTO nominees (dossier_id, position_no, kind, name, job_title,
                       unit_name, achievements, person_id)
                   SELECT o.dossier_id, k, 'individual', 'Người ' || k, '', '', '',
                          :first + ((o.n * 50 + k) * 37) % :people
                   FROM (SELECT id AS dossier_id, row_number() OVER (ORDER BY id) AS n
                         FROM dossiers WHERE id = ANY(:others)) o
                   CROSS JOIN generate_series(1, 50) k"""
            ),
            {**common, "others": others},
        )
        s.execute(
            text(
                """INSERT INTO nominees (dossier_id, position_no, kind, name, job_title,
                       unit_name, achievements, person_id)
                   SELECT :id, k, 'individual', 'Nguyễn Văn ' || k, '', '', '',
                          :first + (k * 37 * (CASE WHEN k % 10 = 0 THEN 50 ELSE 1 END))
                                   % :people
                   FROM generate_series(1, :n) k"""
            ),
            {**common, "id": measured, "n": args.nominees},
        )
        s.execute(
            text(
                """INSERT INTO nominee_initiatives (nominee_id, title, title_key, scope,
                       recognized_by, applied)
                   SELECT n.id, 'Sáng kiến ' || n.id, 'sang kien ' || (n.id % 30000), 'tinh',
                          'Hội đồng sáng kiến tỉnh', true
                   FROM nominees n"""
            )
        )
        return measured


def measure(db: Database, dossier_id: int, runs: int) -> dict[str, Any]:
    statements = 0

    def count(*_: Any) -> None:
        nonlocal statements
        statements += 1

    with db.read() as s:
        board = users_repo.user_by_username(s, "ptdkt.chuyenvien")
        assert board is not None
        actor = users_repo.actor_of(board)
    times: list[float] = []
    cpus: list[float] = []
    counted: list[int] = []
    results: dict[str, int] = {}
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        for i in range(runs + 1):
            statements = 0
            with db.read() as s:
                d = s.get(Dossier, dossier_id)
                assert d is not None
                t, c = time.perf_counter(), time.process_time()
                out = eligibility.view(s, actor, d)
                elapsed, cpu = time.perf_counter() - t, time.process_time() - c
            if i == 0:
                for n in out.nominees:
                    for r in n.rules:
                        results[r.result] = results.get(r.result, 0) + 1
                continue  # warm-up
            times.append(elapsed)
            cpus.append(cpu)
            counted.append(statements)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    facts_times: list[float] = []
    for _ in range(runs):  # of which: the registry's facts alone (storage/eligibility.py)
        with db.read() as s:
            d = s.get(Dossier, dossier_id)
            assert d is not None
            _ = list(d.nominees)
            t = time.perf_counter()
            store.facts_of(s, d)
            facts_times.append(time.perf_counter() - t)
    return {
        "eligibility_ms": summary(times),
        "mean_ms": round(statistics.fmean(times) * 1000, 1),
        "app_cpu_ms": summary(cpus),
        "load_after_runs": [round(x, 2) for x in os.getloadavg()],
        "of_which_facts_ms": summary(facts_times),
        "sql_statements_per_run": max(counted),
        "nominees": len(out.nominees),
        "rule_set": out.rule_set.code,
        "results": results,
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=15)
    p.add_argument("--people", type=int, default=200_000)
    p.add_argument("--awards", type=int, default=1_000_000)
    p.add_argument("--nominees", type=int, default=500)
    args = p.parse_args()
    os.environ.setdefault("TDKT_VAR_DIR", "/tmp/tdkt-bench-eligibility")
    with fresh_database("tdkt_bench") as url:
        upgrade(url)
        db = Database(url)
        with db.write() as s:
            seed_demo(s, password="demo", key_passphrase="bench-" + "x" * 40, pin="123456")
        t = time.perf_counter()
        dossier_id = build(db, args)
        built = time.perf_counter() - t
        with db.write() as s:
            s.execute(text("ANALYZE"))
        with db.read() as s:
            counts = {
                table: s.scalar(text(f"SELECT count(*) FROM {table}"))
                for table in ("people", "registry_awards", "holder_restrictions", "nominees")
            }
        result = measure(db, dossier_id, args.runs)
        db.dispose()
    write_result(
        "eligibility",
        {
            "database": "postgresql",
            "rows": counts,
            "build_s": round(built, 1),
            **result,
            "target_ms": 300,
            "command": "uv run python bench/eligibility.py",
        },
    )


if __name__ == "__main__":
    main()
