"""Small helpers the benchmarks share: percentiles, machine load, peak memory, results."""

from __future__ import annotations

import json
import os
import platform
import statistics
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.fixtures.procs import cmdline, descendants

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"


def pct(xs: Sequence[float], p: float) -> float:
    """The p-th percentile (nearest rank) of xs."""
    ordered = sorted(xs)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def summary(xs: Sequence[float], *, ms: bool = True) -> dict[str, float]:
    k = 1000 if ms else 1
    unit = "ms" if ms else "s"
    return {
        f"median_{unit}": round(statistics.median(xs) * k, 1),
        f"p95_{unit}": round(pct(xs, 95) * k, 1),
        f"p99_{unit}": round(pct(xs, 99) * k, 1),
        "n": len(xs),
    }


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "loadavg_1_5_15": [round(x, 2) for x in os.getloadavg()],
    }


def peak_rss_mb(pid: int) -> float | None:
    """The peak resident set (VmHWM) of one process, in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_cpu_seconds() -> float:
    """CPU seconds all cores have been busy so far (/proc/stat: all but idle and iowait).
    Counts processes that ended in between, as PostgreSQL's backends for connections the
    app opened and closed again."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = (
        int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
    )
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds of a process and everything it started, so far."""
    return sum(cpu_seconds(p) for p in [pid, *descendants(pid)])


def _group(pid: int) -> str:
    line = cmdline(pid)
    if "soffice" in line or "converter_uno" in line:
        return "libreoffice"
    if "prefect_local_app" in line or "prefect.server" in line:
        return "prefect_local_api"
    if "multiprocessing" in line:
        return "signing"  # documents/signing_pool.py (and multiprocessing's tracker)
    return "other"


def cpu_by_group(pid: int) -> dict[str, float]:
    """CPU seconds of an app process and of what it started (Prefect's local API,
    LibreOffice), so far: take it before and after a run and subtract."""
    out = {"app": cpu_seconds(pid)}
    for child in descendants(pid):
        group = _group(child)
        out[group] = out.get(group, 0.0) + cpu_seconds(child)
    return out


def process_memory(pid: int) -> dict[str, Any]:
    """Peak RSS of an app process and of its warm converter instances."""
    converters = []
    for child in descendants(pid):
        line = cmdline(child)
        if "soffice.bin" in line or "converter_uno.py" in line:
            converters.append((child, line.split()[0].rsplit("/", 1)[-1], peak_rss_mb(child)))
    soffice = [rss for _, name, rss in converters if name == "soffice.bin" and rss]
    helpers = [rss for _, name, rss in converters if name != "soffice.bin" and rss]
    return {
        "app_peak_rss_mb": peak_rss_mb(pid),
        "converter_soffice_peak_rss_mb": max(soffice) if soffice else None,
        "converter_helper_peak_rss_mb": max(helpers) if helpers else None,
        "converter_instances": len(soffice),
    }


def write_result(name: str, result: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    result = {
        "benchmark": name,
        **result,
        "machine": machine(),
        "at": datetime.now(UTC).isoformat(),
    }
    out = RESULTS / f"{name}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return out
