"""Biểu 0603.N (TT 02/2023/TT-BNV) for a province and a year on PostgreSQL with 1 000 000
award records: two provinces (authorities) of 60 units each, 200 000 people and 6 000
collectives, ten years (2016–2025) of every catalogue award code (the unit-level titles
included, which the form must leave out), 2 % revoked, loaded with COPY into a fresh
database migrated to head (migration 0032's index on (year, award, unit_id) included).
Timed, at one client, in process: the form's cells (the grouped count and the engine,
issuing/reports/build.py `build`), and the cells plus the XLSX; the PDF once.

Target: p50 ≤ 2 s for the form of a province-year (cells + XLSX). Run: ``uv run python
bench/report_0603.py [--awards 1000000] [--repeat 20]``; writes
bench/results/report_0603.json.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from sqlalchemy import text  # noqa: E402

from bench.common import summary, write_result  # noqa: E402
from domain.registry import CATALOGUE  # noqa: E402
from issuing.reports import build as reports  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from tests.fixtures.pg import fresh_database  # noqa: E402

UNITS_PER_PROVINCE = 60
PEOPLE = 200_000
COLLECTIVES = 6_000
YEARS = range(2016, 2026)


def load(url: str, awards: int) -> dict[str, float]:
    rnd = random.Random(603)
    timings: dict[str, float] = {}
    conn_url = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conn_url) as c:
        t = time.perf_counter()
        c.execute(
            "INSERT INTO authorities (code, name, parent_name, board_name, province) VALUES "
            "('LS', 'Sở Nội vụ tỉnh Lạng Sơn', '', 'Phòng TĐKT', 'Lạng Sơn'), "
            "('CB', 'Sở Nội vụ tỉnh Cao Bằng', '', 'Phòng TĐKT', 'Cao Bằng')"
        )
        c.execute(
            "INSERT INTO units (authority_id, code, name, parent_name) "
            "SELECT 1 + (g - 1) / %s, 'DV' || g, 'Đơn vị số ' || g, '' "
            "FROM generate_series(1, %s) g",
            (UNITS_PER_PROVINCE, 2 * UNITS_PER_PROVINCE),
        )
        c.execute(
            "INSERT INTO people (full_name, search_name, unit_id, position, version, "
            "created_at, updated_at) SELECT 'Người ' || g, 'nguoi ' || g, "
            "1 + g %% %s, '', 1, now(), now() FROM generate_series(1, %s) g",
            (2 * UNITS_PER_PROVINCE, PEOPLE),
        )
        c.execute(
            "INSERT INTO collectives (unit_id, kind, name, search_name, created_at) "
            "SELECT 1 + g %% %s, 'part', 'Phòng ' || g, 'phong ' || g, now() "
            "FROM generate_series(1, %s) g",
            (2 * UNITS_PER_PROVINCE, COLLECTIVES),
        )
        c.commit()
        timings["holders_s"] = round(time.perf_counter() - t, 1)
        codes = list(CATALOGUE)
        occasions = ["yearly"] * 8 + ["chuyen_de", "dot_xuat"]
        t = time.perf_counter()
        columns = (
            "person_id, collective_id, award, year, occasion, decision_number, decision_date, "
            "issuer, source, holder_name, unit_id, search_text, revoked_at, created_at"
        )
        with c.cursor() as cur, cur.copy(f"COPY registry_awards ({columns}) FROM STDIN") as cp:
            for i in range(awards):
                code = codes[i % len(codes)]
                year = YEARS[rnd.randrange(len(YEARS))]
                if "collective" in {str(h) for h in CATALOGUE[code].holders} and (
                    "individual" not in {str(h) for h in CATALOGUE[code].holders}
                    or rnd.random() < 0.3
                ):
                    holder = rnd.randint(1, COLLECTIVES)
                    person, collective, unit = None, holder, 1 + holder % (2 * UNITS_PER_PROVINCE)
                else:
                    holder = rnd.randint(1, PEOPLE)
                    person, collective, unit = holder, None, 1 + holder % (2 * UNITS_PER_PROVINCE)
                revoked = "2025-06-01 00:00:00+00" if rnd.random() < 0.02 else None
                cp.write_row(
                    (
                        person, collective, code, year, occasions[i % len(occasions)],
                        f"{i}/QĐ-UBND", date(year, 12, 1), "UBND tỉnh", "import", "x", unit,
                        "", revoked, "2025-12-01 00:00:00+00",
                    )
                )  # fmt: skip
        c.commit()
        timings["copy_awards_s"] = round(time.perf_counter() - t, 1)
    with psycopg.connect(conn_url, autocommit=True) as c:
        t = time.perf_counter()
        c.execute("VACUUM ANALYZE registry_awards")
        c.execute("VACUUM ANALYZE units")
        timings["analyze_s"] = round(time.perf_counter() - t, 1)
    return timings


def run(awards: int, repeat: int) -> dict[str, Any]:
    with fresh_database("tdkt_bench_report") as url:
        upgrade(url)
        timings = load(url, awards)
        db = Database(url)
        province = reports.Scope("province")
        with db.read() as s:
            total = s.execute(text("SELECT count(*) FROM registry_awards")).scalar_one()
            plan = "\n".join(
                r[0]
                for r in s.execute(
                    text(
                        "EXPLAIN ANALYZE SELECT ra.award, ra.person_id IS NULL, ra.occasion, "
                        "count(*) FROM registry_awards ra JOIN units u ON u.id = ra.unit_id "
                        "WHERE ra.year = 2025 AND ra.award IN ('bang_khen_ubnd_tinh', "
                        "'chien_si_thi_dua_cap_tinh', 'co_thi_dua_ubnd_tinh') AND "
                        "ra.revoked_at IS NULL AND u.authority_id = 1 GROUP BY 1, 2, 3"
                    )
                )
            )
        cells_t: list[float] = []
        xlsx_t: list[float] = []
        first: dict[str, Any] = {}
        for _ in range(repeat):
            with db.read() as s:
                t = time.perf_counter()
                report = reports.build(
                    s, None, "0603.N", 2025, province, place="Lạng Sơn", today=date(2025, 12, 10)
                )
                cells_t.append(time.perf_counter() - t)
                reports.xlsx(report)
                xlsx_t.append(time.perf_counter() - t)
            first = first or {"total_01": report.cells[("01", "1")]}
        with tempfile.TemporaryDirectory() as profiles:
            t = time.perf_counter()
            pdf = reports.pdf(report, profile_root=Path(profiles))
            pdf_s = round(time.perf_counter() - t, 2)
        db.dispose()
    return {
        "awards": total,
        "generate": timings,
        "form": "0603.N",
        "scope": "province, year 2025",
        "counted_in_form": first,
        "cells": summary(cells_t),
        "cells_and_xlsx": summary(xlsx_t),
        "pdf_once_s": pdf_s,
        "pdf_bytes": len(pdf),
        "target_p50_ms": 2000,
        "plan": plan,
        "load": "COPY FROM STDIN (psycopg), one transaction",
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--awards", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=20)
    a = ap.parse_args()
    write_result("report_0603", run(a.awards, a.repeat))


if __name__ == "__main__":
    main()
