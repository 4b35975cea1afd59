"""The import of 100 000 past awards through the real app: a CSV of the template with 37
bad rows (the test's file, tests/api/test_registry.py), uploaded by the board's
specialist; timed: the upload's answer, the background check until the preview (polled
as the page does), and the acceptance of the 99 963 clean rows; then the same file
again (every row reported, nothing written).

Run: ``uv run python bench/registry_import.py [--mode embedded|postgres-s3]``; writes
bench/results/registry_import_<mode>.json.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import write_result  # noqa: E402
from tests.api.test_registry import big_file, checked  # noqa: E402
from tests.fixtures.decisions import SPECIALIST  # noqa: E402
from tests.fixtures.modes import NO_COUNCIL, app_in_mode  # noqa: E402
from tests.fixtures.server import Api  # noqa: E402


def run(mode: str) -> dict[str, Any]:
    data, bad = big_file()
    env = {**NO_COUNCIL, "TDKT_MAX_IMPORT_BYTES": str(64 * 1024 * 1024)}
    with (
        tempfile.TemporaryDirectory(prefix="tdkt-bench-import-") as var,
        app_in_mode(Path(var), mode, env) as server,
    ):
        api = Api(server, SPECIALIST)
        t = time.perf_counter()
        r = api.post("/api/v1/registry/imports", files={"file": ("cu.csv", data)})
        upload_s = time.perf_counter() - t
        assert r.status_code == 202, r.text
        out = checked(api, r.json()["id"], timeout=1200)
        check_s = time.perf_counter() - t
        assert out["rows_bad"] == len(bad), out
        t = time.perf_counter()
        r = api.post(f"/api/v1/registry/imports/{out['id']}/accept", json={"only_clean": True})
        accept_s = time.perf_counter() - t
        assert r.status_code == 200 and r.json()["rows_written"] == 99_963, r.text
        t = time.perf_counter()
        r = api.post("/api/v1/registry/imports", files={"file": ("cu-lan-2.csv", data)})
        again = checked(api, r.json()["id"], timeout=1200)
        again_s = time.perf_counter() - t
        assert again["rows_bad"] == 100_000, again
    return {
        "mode": mode,
        "rows": 100_000,
        "bad_rows": len(bad),
        "file_mb": round(len(data) / 1e6, 1),
        "upload_answer_s": round(upload_s, 2),
        "upload_and_check_s": round(check_s, 1),
        "accept_s": round(accept_s, 1),
        "same_file_again_check_s": round(again_s, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", choices=("embedded", "postgres-s3"), default="postgres-s3")
    a = ap.parse_args()
    write_result(f"registry_import_{a.mode.replace('-', '_')}", run(a.mode))


if __name__ == "__main__":
    main()
