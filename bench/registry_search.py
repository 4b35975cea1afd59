"""The registry's diacritic-insensitive search on PostgreSQL: 1 000 000 awards held by
200 000 people (5 each), generated with INSERT … SELECT generate_series in a fresh
database migrated to head (the pg_trgm index of migration 0021 included), then the
search the API runs (storage/registry.py `search`: one page of 50, newest year first,
and the count capped at 10 000) timed at one client, in process:

- full_name: a holder's whole name typed without diacritics, in lower case
  ("nguyen van minh khoa"): about 5 records match;
- three_words: family, middle and first given name ("tran thi lan"): hundreds match;
- name_and_year: the whole name and a year filter.

Target: p50 ≤ 50 ms for each. Run: ``uv run python bench/registry_search.py [--queries
200] [--people 200000] [--per-person 5]``; writes bench/results/registry_search.json.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from bench.common import summary, write_result  # noqa: E402
from domain.registry import CATALOGUE  # noqa: E402
from domain.registry_import import RegistryScope  # noqa: E402
from domain.search import fold  # noqa: E402
from storage import registry as store  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from tests.fixtures.pg import fresh_database  # noqa: E402

FAMILIES = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương",
    "Lý", "Nông",
]  # fmt: skip
MIDDLES = [
    "Văn", "Thị", "Đức", "Minh", "Hữu", "Quang", "Thanh", "Ngọc", "Xuân", "Thu", "Hoài",
    "Kim", "Bảo", "Gia", "Phương", "Anh", "Mạnh", "Trọng", "Quốc", "Diệu",
]  # fmt: skip
GIVENS = [
    "An", "Bình", "Cường", "Dũng", "Hà", "Hương", "Lan", "Minh", "Nga", "Tùng", "Khoa",
    "Long", "Hải", "Hạnh", "Huyền", "Hùng", "Khánh", "Linh", "Loan", "Mai", "Nam", "Ngân",
    "Nhung", "Oanh", "Phúc", "Phương", "Quân", "Quỳnh", "Sơn", "Tâm", "Thảo", "Thắng",
    "Thủy", "Tiến", "Trang", "Trung", "Tuấn", "Uyên", "Vân", "Việt", "Yến", "Đạt", "Điệp",
    "Giang", "Hiếu", "Hòa", "Kiên", "Lộc", "Lực", "Ngọc", "Nhân", "Phong", "Sáng", "Tài",
    "Thanh", "Thịnh", "Toàn", "Vinh", "Vượng", "Xuyến",
]  # fmt: skip
UNITS = 60


def _array(words: list[str]) -> str:
    return "ARRAY[" + ",".join("'" + w.replace("'", "''") + "'" for w in words) + "]"


def name_sql(i: str) -> tuple[str, str]:
    """The SQL of person i's full name and of its folded form (four words)."""
    parts = [
        (FAMILIES, f"{i} % {len(FAMILIES)}"),
        (MIDDLES, f"({i} / 7) % {len(MIDDLES)}"),
        (GIVENS, f"({i} / 11) % {len(GIVENS)}"),
        (GIVENS, f"({i} / 13) % {len(GIVENS)}"),
    ]
    full = " || ' ' || ".join(f"({_array(w)})[{ix} + 1]" for w, ix in parts)
    folded = " || ' ' || ".join(f"({_array([fold(x) for x in w])})[{ix} + 1]" for w, ix in parts)
    return full, folded


def name_of(i: int) -> str:
    return " ".join(
        (
            FAMILIES[i % len(FAMILIES)],
            MIDDLES[(i // 7) % len(MIDDLES)],
            GIVENS[(i // 11) % len(GIVENS)],
            GIVENS[(i // 13) % len(GIVENS)],
        )
    )


def generate(db: Database, people: int, per_person: int) -> dict[str, float]:
    codes = [c for c, k in CATALOGUE.items() if "individual" in k.holders]
    award_names = [fold(CATALOGUE[c].name) for c in codes]
    full, folded = name_sql("g")
    timings: dict[str, float] = {}
    with db.engine.begin() as c:
        t = time.perf_counter()
        c.execute(
            text(
                "INSERT INTO authorities (code, name, parent_name, board_name, province) "
                "VALUES ('UBND', 'UBND tỉnh Lạng Sơn', '', 'Phòng TĐKT', 'Lạng Sơn')"
            )
        )
        c.execute(
            text(
                "INSERT INTO units (authority_id, code, name, parent_name) "
                "SELECT 1, 'DV' || g, 'Đơn vị số ' || g, '' FROM generate_series(1, :n) g"
            ),
            {"n": UNITS},
        )
        c.execute(
            text(
                "INSERT INTO people (full_name, search_name, identity_no, unit_id, position, "
                "version, created_at, updated_at) "
                f"SELECT {full}, {folded}, lpad(g::text, 12, '0'), 1 + g % {UNITS}, '', 1, "
                "now(), now() FROM generate_series(1, :n) g"
            ),
            {"n": people},
        )
        timings["people_s"] = round(time.perf_counter() - t, 1)
        t = time.perf_counter()
        c.execute(
            text(
                "INSERT INTO registry_awards (person_id, award, year, occasion, "
                "decision_number, decision_date, issuer, source, holder_name, unit_id, "
                "search_text, created_at) "
                "SELECT p.id, (CAST(:codes AS text[]))[1 + (k + p.id) % :ncodes], "
                "2020 + k, 'yearly', "
                "(1 + p.id % 300) || '/QĐ-UBND', make_date(2021 + k, 1, 15), "
                "'UBND tỉnh Lạng Sơn', 'import', p.full_name, p.unit_id, "
                "p.search_name || E'\\n' || "
                "(CAST(:names AS text[]))[1 + (k + p.id) % :ncodes] || E'\\n' || "
                "(1 + p.id % 300) || '/qd-ubnd', now() "
                "FROM people p CROSS JOIN generate_series(0, :per - 1) k"
            ),
            {"codes": codes, "names": award_names, "ncodes": len(codes), "per": per_person},
        )
        timings["awards_s"] = round(time.perf_counter() - t, 1)
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        t = time.perf_counter()
        c.execute(text("VACUUM ANALYZE registry_awards"))
        c.execute(text("VACUUM ANALYZE people"))
        timings["analyze_s"] = round(time.perf_counter() - t, 1)
    return timings


def run(queries: int, people: int, per_person: int) -> dict[str, Any]:
    rnd = random.Random(19)
    with fresh_database("tdkt_bench_registry") as url:
        upgrade(url)
        db = Database(url)
        timings = generate(db, people, per_person)
        with db.read() as s:
            total = s.execute(text("SELECT count(*) FROM registry_awards")).scalar_one()
            plan = "\n".join(
                r[0]
                for r in s.execute(
                    text(
                        "EXPLAIN ANALYZE SELECT id FROM registry_awards WHERE "
                        "search_text LIKE '%nguyen%' AND search_text LIKE '%van%' AND "
                        "search_text LIKE '%khoa%' AND search_text LIKE '%long%' "
                        "ORDER BY year DESC, id DESC LIMIT 50"
                    )
                )
            )
        scope = RegistryScope(all_units=True)
        kinds: dict[str, list[store.SearchFilter]] = {"full_name": [], "three_words": []}
        kinds["name_and_year"] = []
        for _ in range(queries):
            i = rnd.randint(1, people)
            name = fold(name_of(i))
            kinds["full_name"].append(store.SearchFilter(q=name))
            kinds["three_words"].append(store.SearchFilter(q=" ".join(name.split()[:3])))
            kinds["name_and_year"].append(store.SearchFilter(q=name, year=2020 + i % per_person))
        results: dict[str, Any] = {}
        for kind, filters in kinds.items():
            times: list[float] = []
            found: list[int] = []
            with db.read() as s:
                store.search(s, scope, filters[0])  # warm the plan and the cache
                for f in filters:
                    t = time.perf_counter()
                    _rows, n = store.search(s, scope, f)
                    times.append(time.perf_counter() - t)
                    found.append(n)
            found.sort()
            results[kind] = {**summary(times), "matches_median": found[len(found) // 2]}
        db.dispose()
    return {
        "awards": total,
        "people": people,
        "generate": timings,
        "search": results,
        "target_p50_ms": 50,
        "plan_four_words": plan,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--people", type=int, default=200_000)
    ap.add_argument("--per-person", type=int, default=5)
    a = ap.parse_args()
    write_result("registry_search", run(a.queries, a.people, a.per_person))


if __name__ == "__main__":
    main()
