"""A person's page (the answer of ``GET /api/v1/people/{id}``: the record, its awards by
year, its restrictions) at one client, against PostgreSQL holding a registry of 1,000,000
awards for 200,000 people. Target: ≤ 20 ms p50.

A fresh database is migrated and seeded with the demo organisation by the app's own CLI
(the app started as ``tdkt serve`` on it, archive in a local folder), then filled in
bulk with ``INSERT … SELECT generate_series``: 200,000 people spread over the demo's
units (each with an identity number and a date of birth), 5 awards each (a title or
commendation per year, 2019–2025, decisions of their own), then ``ANALYZE``. One client
(httpx, keep-alive) asks for the pages of random people of Ban Dân tộc tỉnh, one after
the other:

- as the unit's clerk (``bdt.canbo``): the record with its personal data, nothing written;
- as the board's specialist (``ptdkt.chuyenvien``): the same answer, after its read is
  appended to the person's history (an audit event committed before the answer).

Run: ``uv run python bench/person_page.py [--people 200000] [--awards-per-person 5]
[--requests 300]``; writes bench/results/person_page.json.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import summary, write_result  # noqa: E402
from tests.fixtures.pg import fresh_database  # noqa: E402
from tests.fixtures.server import PASSWORD, AppServer  # noqa: E402

AWARDS = (
    "lao_dong_tien_tien",
    "chien_si_thi_dua_co_so",
    "hoan_thanh_xuat_sac_nhiem_vu",
    "giay_khen",
    "bang_khen_ubnd_tinh",
)
TARGET_P50_MS = 20.0


def fill(url: str, people: int, per_person: int) -> dict[str, float]:
    """The registry in bulk; returns the seconds each part took."""
    took: dict[str, float] = {}
    with psycopg.connect(url, autocommit=True) as conn:
        units = [r[0] for r in conn.execute("SELECT id FROM units ORDER BY id")]
        base = conn.execute("SELECT coalesce(max(id), 0) + 1000 FROM people").fetchone()
        assert base is not None
        first = int(base[0])
        t = time.perf_counter()
        conn.execute(
            """
            INSERT INTO people (id, full_name, search_name, gender, ethnicity, birth_date,
                                identity_no, unit_id, position, version, created_at, updated_at)
            SELECT %(first)s + g,
                   'Nguyễn Văn Thử ' || g, 'nguyen van thu ' || g,
                   CASE WHEN g %% 2 = 0 THEN 'nam' ELSE 'nu' END, 'Kinh',
                   DATE '1970-01-01' + (g %% 10000),
                   '020' || (g %% 2)::text || lpad((g %% 100)::text, 2, '0')
                         || lpad(g::text, 6, '0'),
                   (%(units)s::bigint[])[1 + g %% %(n)s], 'Chuyên viên', 1, now(), now()
            FROM generate_series(1, %(people)s) AS g
            """,
            {"first": first, "units": units, "n": len(units), "people": people},
        )
        took["people_s"] = round(time.perf_counter() - t, 1)
        t = time.perf_counter()
        conn.execute(
            """
            INSERT INTO registry_awards (person_id, award, year, occasion, decision_number,
                                         decision_date, issuer, source, holder_name, unit_id,
                                         search_text, created_at)
            SELECT p.id, (%(awards)s::text[])[1 + (g / %(people)s) %% %(k)s],
                   2019 + (g / %(people)s) %% 7, 'yearly',
                   g || '/QĐ-UBND', DATE '2019-12-20' + 365 * ((g / %(people)s) %% 7),
                   'Chủ tịch UBND tỉnh', 'import', p.full_name, p.unit_id,
                   p.search_name, now()
            FROM generate_series(0, %(total)s - 1) AS g
            JOIN people p ON p.id = %(first)s + 1 + g %% %(people)s
            """,
            {
                "awards": list(AWARDS),
                "people": people,
                "k": len(AWARDS),
                "total": people * per_person,
                "first": first,
            },
        )
        took["awards_s"] = round(time.perf_counter() - t, 1)
        conn.execute("SELECT setval(pg_get_serial_sequence('people', 'id'), max(id)) FROM people")
        t = time.perf_counter()
        conn.execute("ANALYZE")
        took["analyze_s"] = round(time.perf_counter() - t, 1)
    return took


def token(client: httpx.Client, username: str) -> str:
    r = client.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
    r.raise_for_status()
    return str(r.json()["access_token"])


def measure(
    client: httpx.Client, username: str, ids: list[int], warmup: int = 20
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token(client, username)}"}
    times = []
    awards = []
    for i, pid in enumerate(ids):
        t = time.perf_counter()
        r = client.get(f"/api/v1/people/{pid}", headers=headers)
        dt = time.perf_counter() - t
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["personal_data_shown"], body
        if i >= warmup:
            times.append(dt)
            awards.append(sum(len(y["awards"]) for y in body["awards_by_year"]))
    return {**summary(times), "awards_per_answer": statistics.mean(awards)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=200_000)
    ap.add_argument("--awards-per-person", type=int, default=5)
    ap.add_argument("--requests", type=int, default=300)
    args = ap.parse_args()
    with fresh_database("tdkt_bench") as url, tempfile.TemporaryDirectory() as var:
        srv = AppServer(Path(var), {"TDKT_DATABASE_URL": url}).start()
        try:
            took = fill(url, args.people, args.awards_per_person)
            with psycopg.connect(url) as conn:
                bdt = [
                    r[0]
                    for r in conn.execute(
                        "SELECT p.id FROM people p JOIN units u ON u.id = p.unit_id "
                        "WHERE u.code = 'BDT' AND p.full_name LIKE 'Nguyễn Văn Thử %%'"
                    )
                ]
                counts = conn.execute(
                    "SELECT (SELECT count(*) FROM people), (SELECT count(*) FROM registry_awards)"
                ).fetchone()
            assert counts is not None
            rng = random.Random(19)
            with httpx.Client(base_url=srv.base, timeout=60) as client:
                clerk = measure(client, "bdt.canbo", rng.choices(bdt, k=args.requests + 20))
                board = measure(client, "ptdkt.chuyenvien", rng.choices(bdt, k=args.requests + 20))
        finally:
            srv.stop()
    result = {
        "database": "postgresql",
        "people": int(counts[0]),
        "registry_awards": int(counts[1]),
        "fill": took,
        "clients": 1,
        "unit_clerk": clerk,
        "board_specialist_read_recorded": board,
        "target_p50_ms": TARGET_P50_MS,
    }
    write_result("person_page", result)


if __name__ == "__main__":
    main()
