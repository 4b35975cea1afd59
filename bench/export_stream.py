"""A 100 000-row export over HTTP from the real app (embedded mode: SQLite, the local
object folder): the awards registry filled with 100 000 records by the import of
bench/registry_import.py's file, then `GET /api/v1/exports/registry?format=xlsx` (and
`format=csv`) downloaded by the board's specialist in a streamed request, while the app
process's resident memory (VmRSS in /proc) is sampled every 20 ms. Reported: the rows,
the file's size, the time to the first byte and to the last, and the app's RSS before,
at its peak during the download, and the growth (target: < 100 MB). The XLSX is opened
afterwards to count its rows.

Run: ``uv run python bench/export_stream.py``; writes bench/results/export_stream.json.
"""

from __future__ import annotations

import io
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from openpyxl import load_workbook  # noqa: E402

from bench.common import write_result  # noqa: E402
from tests.api.test_registry import as_csv, checked, good_row  # noqa: E402
from tests.fixtures.decisions import SPECIALIST  # noqa: E402
from tests.fixtures.modes import NO_COUNCIL, app_in_mode  # noqa: E402
from tests.fixtures.server import Api, AppServer  # noqa: E402

ROWS = 100_000


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


class Sampler:
    """The highest VmRSS of a process while it runs, sampled every 20 ms."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._stop = pid, 0.0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_mb(self.pid))
            time.sleep(0.02)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def download(server: AppServer, api: Api, fmt: str) -> dict[str, Any]:
    assert server.proc is not None
    pid = server.proc.pid
    before = rss_mb(pid)
    body = io.BytesIO()
    with Sampler(pid) as sampler:
        t = time.perf_counter()
        first = None
        with server.client().stream(
            "GET",
            "/api/v1/exports/registry",
            params={"format": fmt},
            headers=api.headers,
            timeout=600,
        ) as r:
            assert r.status_code == 200, r.read()
            rows = int(r.headers["x-export-rows"])
            for piece in r.iter_bytes():
                if first is None:
                    first = time.perf_counter() - t
                body.write(piece)
        total = time.perf_counter() - t
    data = body.getvalue()
    if fmt == "xlsx":
        wb = load_workbook(io.BytesIO(data), read_only=True)
        written = sum(1 for _ in wb.active.iter_rows(values_only=True)) - 1
        wb.close()
    else:
        written = data.decode("utf-8-sig").count("\r\n") - 1
    assert rows == written >= ROWS, (rows, written)
    return {
        "rows": rows,
        "file_mb": round(len(data) / 1e6, 1),
        "first_byte_s": round(first or 0.0, 2),
        "total_s": round(total, 2),
        "app_rss_before_mb": round(before, 1),
        "app_rss_peak_mb": round(sampler.peak, 1),
        "app_rss_growth_mb": round(sampler.peak - before, 1),
        "app_rss_after_mb": round(rss_mb(pid), 1),
    }


def run() -> dict[str, Any]:
    data = as_csv([good_row(i) for i in range(1, ROWS + 1)])
    env = {**NO_COUNCIL, "TDKT_MAX_IMPORT_BYTES": str(64 * 1024 * 1024)}
    with (
        tempfile.TemporaryDirectory(prefix="tdkt-bench-export-") as var,
        app_in_mode(Path(var), "embedded", env) as server,
    ):
        api = Api(server, SPECIALIST)
        r = api.post("/api/v1/registry/imports", files={"file": ("cu.csv", data)})
        assert r.status_code == 202, r.text
        out = checked(api, r.json()["id"], timeout=1200)
        r = api.post(f"/api/v1/registry/imports/{out['id']}/accept", json={"only_clean": True})
        assert r.status_code == 200, r.text
        # The registry now holds the demo's records and the 100 000 rows: warm the
        # export's code once on a small filter, then the whole registry.
        assert api.get("/api/v1/exports/registry", params={"year": 2024}).status_code == 200
        xlsx = download(server, api, "xlsx")
        csv = download(server, api, "csv")
    return {"mode": "embedded", "target_rss_growth_mb": 100, "xlsx": xlsx, "csv": csv}


def main() -> None:
    write_result("export_stream", run())


if __name__ == "__main__":
    main()
