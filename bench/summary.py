"""bench/results/SUMMARY.md from the JSON files the benchmarks wrote.

Run: ``uv run python bench/summary.py``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import RESULTS  # noqa: E402


def read(name: str) -> dict[str, Any] | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def main() -> None:
    rows: list[str] = []
    for name, flag in (("floor_and_stage", ""), ("floor_and_stage_server", " --mode server")):
        fs = read(name)
        if not fs:
            continue
        load = fs["machine"]["loadavg_1_5_15"]
        mode = fs["mode"].split()[0]
        command = f"`bench/floor_and_stage.py{flag}`"
        for stage, s in fs["stages"].items():
            rows.append(
                f"| stage `{stage}` ({mode}): median / floor | "
                f"{s['stage']['median_ms']:.0f} ms / {s['floor_ms']:.0f} ms = "
                f"**{s['ratio_median']}** (target ≤ {fs['target_ratio']}) | "
                f"{command} (load {load[0]}) |"
            )
        rows.append(
            f"| whole route ({mode}): stages / floor | {fs['route_stage_median_ms']:.0f} ms / "
            f"{fs['route_floor_ms']:.0f} ms = **{fs['route_ratio']}** | {command} |"
        )
        a = fs["approve_response"]
        rows.append(
            f"| approve over HTTP ({mode}), request → response with the personal signature: "
            f"median / p95 | {a['median_ms']:.0f} / {a['p95_ms']:.0f} ms (target p95 ≤ 500) "
            f"| {command} |"
        )
        h = fs.get("handover")
        if h:
            rows.append(
                f"| run created → started by the worker ({mode}): median / p95 | "
                f"{h['median_ms']:.0f} / {h['p95_ms']:.0f} ms | {command} |"
            )
        m = fs["memory"]
        if "worker" in m:
            w = m["worker"]
            rows.append(
                f"| peak RSS ({mode}): app / `tdkt worker` / one converter (soffice) | "
                f"{m['app_peak_rss_mb']} / {w['app_peak_rss_mb']} / "
                f"{w['converter_soffice_peak_rss_mb']} MB | {command} |"
            )
        else:
            rows.append(
                f"| peak RSS ({mode}): app / one converter (soffice) / its helper | "
                f"{m['app_peak_rss_mb']} / {m['converter_soffice_peak_rss_mb']} / "
                f"{m['converter_helper_peak_rss_mb']} MB | {command} |"
            )
    b = read("burst")
    if b:
        rows.append(
            f"| burst {b['n']} dossiers, {b['clients']} clients: stages/s, issued docs/s | "
            f"{b['stages_per_s']}, {b['issued_documents_per_s']} = **{b['ratio_to_floor']}** × "
            f"cores × floor (target ≥ {b['target_ratio']}; floor in the same run: "
            f"{b.get('route_floor_ms', '?')} ms per route) | `bench/burst.py --n {b['n']}` |"
        )
        busy = ", ".join(f"{k} {v}" for k, v in b["cpu_cores_busy"].items())
        if "machine_cores" in b:
            mc = b["machine_cores"]
            busy += f"; machine: busy {mc['busy']}, idle {mc['idle']}, steal {mc['steal']}"
        rows.append(f"| burst: cores busy by process | {busy} | `bench/burst.py` |")
        a = b["approve_response"]
        rows.append(
            f"| burst: approve request → response p50 / p95 | {a['median_ms']:.0f} / "
            f"{a['p95_ms']:.0f} ms (target p95 ≤ 500) | `bench/burst.py` |"
        )
        for stage, s in b["action_to_stored"].items():
            rows.append(
                f"| burst `{stage}` action → stored p50 / p95 | {s['median_ms']:.0f} / "
                f"{s['p95_ms']:.0f} ms | `bench/burst.py` |"
            )
    for name in ("api_latency", "api_latency_without_0008"):
        a = read(name)
        if not a:
            continue
        rows_n = a["load_s"]["rows_dossiers"]
        ev = a["load_s"]["rows_audit_events"]
        for ep, levels in a["endpoints"].items():
            figures = ", ".join(
                f"c{c[1:]}: {v['median_ms']:.0f}/{v['p99_ms']:.0f} ({v['requests_per_s']:.0f}/s)"
                for c, v in levels.items()
                if c.startswith("c")
            )
            top = levels.get(f"c{max(int(c[1:]) for c in levels if c.startswith('c'))}", {})
            cpu = top.get("cpu_ms_per_request")
            if cpu:
                figures += (
                    f"; CPU per request at the top level: app {cpu['app']} ms, "
                    f"PostgreSQL and the rest {cpu['rest']} ms"
                )
            rows.append(
                f"| API `{ep}` p50/p99 ms (requests/s), {rows_n} dossiers, {ev} events"
                f"{'' if a.get('indexes_0008', True) else ', without 0008'} | {figures} "
                f"(target p99 ≤ 100 at c50) | `bench/api_latency.py"
                f"{'' if a.get('indexes_0008', True) else ' --without-0008-indexes'}` |"
            )
    ps = read("personal_signature")
    if ps:
        rows.append(
            f"| approve: personal signature (unlock + sign + store) median / p95 | "
            f"{ps['b_b']['median_s'] * 1000:.0f} / {ps['b_b']['p95_s'] * 1000:.0f} ms B-B, "
            f"{ps['b_lt_with_timestamp']['median_s'] * 1000:.0f} / "
            f"{ps['b_lt_with_timestamp']['p95_s'] * 1000:.0f} ms B-LT (target p95 ≤ 500) | "
            "`bench/personal_signature.py` |"
        )
    so = read("sign_one")
    if so:
        rows.append(
            "| one organisation signature, median | "
            f"{so['sign_new_field']['median_s'] * 1000:.0f} ms"
            " | `bench/sign_one.py` |"
        )
    text = (
        "# Benchmark summary\n\n`make bench` (2-core machine shared with other work; each "
        "result file records the load average).\n\n| what | figure | command |\n|---|---|---|\n"
        + "\n".join(rows)
        + "\n"
    )
    (RESULTS / "SUMMARY.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
