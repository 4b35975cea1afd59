"""Floor versus stage: what the real work of each step costs with nothing around it, and
what the same step costs through the system.

- floor, per form: docxtpl render, conversion by the warm LibreOffice pool (one
  instance, so no queueing), one PAdES signature with a visible stamp, one object put,
  each the median of ``--runs`` runs in this process; measured before the stages and
  again after them (with nothing else running both times) and averaged, so that a machine
  whose speed drifts meanwhile moves the floor as well as the stages
  (``route_floor_before_after_ms`` in the JSON says how far it drifted).
- stage: the demo route (submit, five approvals: unit head, cluster, specialist after
  recording the appraisal, Phòng head, the Sở's Phó Giám đốc) through the real app in its
  own process
  (embedded mode: SQLite, local folder, Prefect's local API), timed from the action's
  HTTP request to the step's audit event, written in the transaction that records the
  stored documents (its time as the server recorded it; same machine, same clock).
  ``stage_polled`` is the time until polling every 20 ms saw the dossier idle.
  Approvals include the approver's personal signature made in the request.
- the floor of a stage is composed from the files the stage really recorded (read back
  from the documents API): a ``docx`` version costs a render, a ``pdf-prepared`` a
  conversion, a ``pdf-personal`` or ``pdf-signed`` a signature, every version a put.
  Form fields, numbering, the audit event, notifications, HTTP, the database and
  Prefect are overhead.

``--mode server``: the same against the production shape: app and Prefect server on
PostgreSQL, one `tdkt worker` running the flows, the archive in S3 over TLS (moto); the
floor's put then goes to the same kind of bucket.

Run: ``uv run python bench/floor_and_stage.py [--mode embedded|server] [--dossiers 5]
[--runs 10]``; writes bench/results/floor_and_stage.json (embedded) or
floor_and_stage_server.json.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from asn1crypto import tsp
from pyhanko.sign.timestamps import TimeStamper

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import process_memory, summary, write_result  # noqa: E402
from doc_templates.catalogue import FORMS, template_path  # noqa: E402
from documents.pdf import PdfConverter  # noqa: E402
from documents.pki import create_ca, issue_certificate, issue_tsa_certificate  # noqa: E402
from documents.render import render_docx  # noqa: E402
from documents.sign import SignerMaterial, sign_pdf  # noqa: E402
from documents.timestamps import LocalTsa, validation_context  # noqa: E402
from storage.objects import LocalObjectStore, ObjectStore, open_store  # noqa: E402
from tests.fixtures.forms import sample_context  # noqa: E402
from tests.fixtures.s3 import MotoS3Server  # noqa: E402
from tests.fixtures.server import PIN, Api, AppServer, as_make_run  # noqa: E402

CLERK, HEAD, CLUSTER = "bdt.canbo", "bdt.thutruong", "bqlkkt.cum"
SPECIALIST, BOARD_HEAD, AUDITOR = "ptdkt.chuyenvien", "ptdkt.truongphong", "thanhtra"
LEADER = "snv.phogiamdoc"
ROUTE = [
    ("submit", CLERK),
    ("approve_unit", HEAD),
    ("approve_cluster", CLUSTER),
    ("appraise_board", SPECIALIST),
    ("approve_board", BOARD_HEAD),
    ("sign_leadership", LEADER),
]
DOSSIER = {
    "year": 2026,
    "award": "bang_khen_ubnd_tinh",
    "nominees": [
        {"kind": "collective", "name": "Phòng Chính sách", "achievements": "Hoàn thành xuất sắc."},
        {
            "kind": "individual",
            "name": "Hoàng Thị Ánh Tuyết",
            "job_title": "Trưởng phòng",
            "achievements": "Chiến sĩ thi đua cơ sở 3 năm liền (2023–2025).",
        },
    ],
}


class InProcessTsa(TimeStamper):
    """The demo TSA's work (documents/timestamps.py `LocalTsa`) without its HTTP: what a
    time-stamp costs the floor."""

    def __init__(self, tsa: LocalTsa) -> None:
        super().__init__()
        self.tsa = tsa

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        return tsp.TimeStampResp.load(self.tsa.answer(req.dump()))


async def floor(
    runs: int, store: ObjectStore, tag: str, *, long_term: bool = True
) -> dict[str, Any]:
    ctx = sample_context(tricky=False)
    ca = create_ca("Bench CA", "Bench")
    org = issue_certificate(ca, common_name="Ban Dân tộc", organization="Ban", kind="organisation")
    signer = SignerMaterial(org.key_pem, org.cert_pem, (ca.cert_pem,))
    # As `make run` signs: PAdES B-LT, a time-stamp from the demo's TSA in each signature.
    lt: dict[str, Any] = (
        {
            "timestamper": InProcessTsa(
                LocalTsa(issue_tsa_certificate(ca, "Bench TSA"), [ca.cert_pem])
            ),
            "validation_context": validation_context([ca.cert_pem], []),
        }
        if long_term
        else {}
    )
    tmp = Path(tempfile.mkdtemp(prefix="tdkt-floor-"))
    store.ensure_ready()
    converter = PdfConverter(tmp / "profiles", workers=1, timeout=120)
    await converter.warm_up()
    per_form: dict[str, dict[str, float]] = {}
    try:
        for code in sorted(FORMS):
            if code == "lich_su_ho_so":
                continue  # the history export, not a step's form
            timings: dict[str, list[float]] = {"render": [], "convert": [], "sign": [], "put": []}
            for i in range(runs + 1):
                t0 = time.perf_counter()
                docx = render_docx(template_path(code), ctx)
                t1 = time.perf_counter()
                pdf = await converter.convert(docx)
                t2 = time.perf_counter()
                signed = await sign_pdf(
                    pdf,
                    signer,
                    field_name="Seal",
                    reason="Ban hành",
                    location="Lạng Sơn",
                    stamp_lines=["Ký bởi: Ban Dân tộc", "Thời gian: 2026-11-21T09:00:00+07:00"],
                    **lt,
                )
                t3 = time.perf_counter()
                store.put(f"{tag}/{code}-{i}.pdf", signed, "application/pdf")
                t4 = time.perf_counter()
                if i == 0:
                    continue  # first run loads fonts and templates
                for k, v in zip(timings, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
                    v_list = timings[k]
                    v_list.append(v)
            per_form[code] = {k: statistics.median(v) for k, v in timings.items()}
    finally:
        converter.close()
    return per_form


def documents_versions(api: Api, dossier_id: int) -> dict[int, tuple[str, str]]:
    docs = api.get(f"/api/v1/dossiers/{dossier_id}/documents").json()
    return {v["id"]: (d["form"], v["rendition"]) for d in docs for v in d["versions"]}


def wait_idle(
    api: Api, dossier_id: int, timeout: float = 300, poll: float = 0.02
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        d: dict[str, Any] = api.get(f"/api/v1/dossiers/{dossier_id}").json()
        if not d["processing"]:
            return d
        if time.monotonic() > deadline:
            raise TimeoutError(f"dossier {dossier_id} still processing")
        time.sleep(poll)


MACHINE_EVENTS = ("documents_issued", "routed")


def appraise_all_passed(specialist: Api, dossier_id: int) -> None:
    d = specialist.get(f"/api/v1/dossiers/{dossier_id}").json()
    items = [{"nominee_id": n["id"], "result": "dat"} for n in d["nominees"]]
    r = specialist.request(
        "PUT",
        f"/api/v1/dossiers/{dossier_id}/appraisal",
        json={"version": d["version"], "items": items},
    )
    assert r.status_code == 200, r.text


@dataclass
class Route:
    """One dossier through the route, per stage in seconds: `recorded`, to the step's audit
    event (the moment the flow committed the stored documents, as the server recorded it);
    `polled`, until polling saw the dossier idle (up to one poll later); `responded`, until
    the action's HTTP response (for an approval: with the personal signature made)."""

    recorded: dict[str, float] = field(default_factory=dict)
    polled: dict[str, float] = field(default_factory=dict)
    responded: dict[str, float] = field(default_factory=dict)
    made: dict[str, Counter[tuple[str, str]]] = field(default_factory=dict)


def run_route(server: AppServer, poll: float = 0.02) -> Route:
    auditor = Api(server, AUDITOR)
    d = Api(server, CLERK).post("/api/v1/dossiers", json=DOSSIER).json()
    Api(server, CLERK).attach(d["id"])  # the Biên bản bình xét a dossier must hold
    seen = documents_versions(auditor, d["id"])
    route = Route()
    started: dict[str, float] = {}
    for stage, user in ROUTE:
        api = Api(server, user)
        if stage == "appraise_board":
            # The specialist's results come first (their own request, not timed; it
            # prepares the report again): then the approval signs it.
            appraise_all_passed(api, d["id"])
            seen = documents_versions(auditor, d["id"])
        body = {} if stage == "submit" else {"signing_pin": PIN}
        action = "submit" if stage == "submit" else "approve"
        started[stage] = time.time()
        t0 = time.perf_counter()
        r = api.act(d["id"], action, **body)
        route.responded[stage] = time.perf_counter() - t0
        assert r.status_code == 200, r.text
        wait_idle(api, d["id"], poll=poll)
        route.polled[stage] = time.perf_counter() - t0
        now = documents_versions(auditor, d["id"])
        route.made[stage] = Counter(v for k, v in now.items() if k not in seen)
        seen = now
    # Read once the route is done: reading the history is itself recorded.
    history = auditor.get(f"/api/v1/dossiers/{d['id']}/history").json()
    steps = sorted((e for e in history if e["kind"] in MACHINE_EVENTS), key=lambda e: e["seq"])
    assert len(steps) == len(ROUTE), [e["kind"] for e in history]
    for (stage, _), e in zip(ROUTE, steps, strict=True):
        route.recorded[stage] = datetime.fromisoformat(e["at"]).timestamp() - started[stage]
    return route


def stage_floor(made: Counter[tuple[str, str]], per_form: dict[str, dict[str, float]]) -> float:
    total = 0.0
    for (form, rendition), n in made.items():
        f = per_form.get(form) or per_form["to_trinh_don_vi"]
        work = f["put"]
        if rendition == "docx":
            work += f["render"]
        elif rendition == "pdf-prepared":
            work += f["convert"]
        elif rendition in ("pdf-personal", "pdf-signed"):
            work += f["sign"]
        total += n * work
    return total


def s3_store(s3: MotoS3Server, bucket: str) -> ObjectStore:
    """The archive as the server mode's app and workers use it (object lock, TLS)."""
    return open_store(
        f"s3://{bucket}",
        endpoint=s3.endpoint,
        access_key=s3.access_key,
        secret_key=s3.secret_key,
        ca_bundle=s3.ca_bundle,
        object_lock=True,
        retention_days=1,
    )


@dataclass
class Measured:
    per_form: dict[str, dict[str, float]]  # the mean of the floors before and after
    runs: list[Route]
    memory: dict[str, Any]
    floor_route_ms: dict[str, float]  # the route's floor measured before and after
    handover: dict[str, float] | None = None


def both_ends(
    before: dict[str, dict[str, float]], after: dict[str, dict[str, float]]
) -> dict[str, dict[str, float]]:
    """The floor measured before the stages and again after them, averaged: a machine
    whose speed drifts while the stages run moves both, not only the stages."""
    return {
        code: {k: (before[code][k] + after[code][k]) / 2 for k in before[code]} for code in before
    }


def route_floor(runs: list[Route], per_form: dict[str, dict[str, float]]) -> float:
    return sum(stage_floor(runs[0].made[stage], per_form) for stage, _ in ROUTE) * 1000


def embedded(args: argparse.Namespace) -> Measured:
    store = LocalObjectStore(Path(tempfile.mkdtemp()) / "o")
    lt = not args.no_tsa
    before = asyncio.run(floor(args.runs, store, "before", long_term=lt))
    var = Path(tempfile.mkdtemp(prefix="tdkt-stage-"))
    server = AppServer(var, {})
    if lt:
        as_make_run(server)  # the demo's TSA, reminders on: `make run` exactly (issue 25)
    server.start()
    try:
        run_route(server)  # warm: first flow run, templates, fonts
        runs = [run_route(server) for _ in range(args.dossiers)]
        assert server.proc is not None
        memory = process_memory(server.proc.pid)
    finally:
        server.stop()
    after = asyncio.run(floor(args.runs, store, "after", long_term=lt))
    ends = {"before": route_floor(runs, before), "after": route_floor(runs, after)}
    return Measured(both_ends(before, after), runs, memory, ends)


def server_mode(args: argparse.Namespace) -> Measured:
    from bench.server_mode import prefect_runs, stack, start_workers

    base = Path(tempfile.mkdtemp(prefix="tdkt-stage-server-"))
    with MotoS3Server() as s3:
        store = s3_store(s3, "bench-floor")
        before = asyncio.run(floor(args.runs, store, "before", long_term=False))
        with stack(base, s3, "bench-stage", "server") as (app, prefect):
            assert prefect is not None
            workers = start_workers(
                "tdkt-worker", app, prefect, base, query_seconds=args.worker_poll
            )
            try:
                run_route(app)  # warm: first flow run in the worker, templates, fonts
                runs = [run_route(app) for _ in range(args.dossiers)]
                assert app.proc is not None
                memory = {
                    "app_peak_rss_mb": process_memory(app.proc.pid)["app_peak_rss_mb"],
                    "worker": process_memory(workers[0].proc.pid),
                }
                # How long each run waited for the worker: created → started.
                waits = [r["wait_s"] for r in prefect_runs(prefect.api_url).values()]
            finally:
                for w in workers:
                    w.stop()
        after = asyncio.run(floor(args.runs, store, "after", long_term=False))
    ends = {"before": route_floor(runs, before), "after": route_floor(runs, after)}
    return Measured(both_ends(before, after), runs, memory, ends, summary(waits))


MODES = {
    "embedded": (embedded, "embedded (SQLite, local folder, Prefect local API)", 1.5),
    "server": (
        server_mode,
        "server (app and Prefect server on PostgreSQL, one `tdkt worker`, S3 over TLS)",
        1.3,
    ),
}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--mode", choices=sorted(MODES), default="embedded")
    p.add_argument("--dossiers", type=int, default=5)
    p.add_argument("--runs", type=int, default=10)
    p.add_argument(
        "--worker-poll",
        type=float,
        default=1.0,
        help="server mode: PREFECT_WORKER_QUERY_SECONDS of the worker (compose: 1)",
    )
    p.add_argument(
        "--no-tsa",
        action="store_true",
        help="embedded: without the demo's TSA (PAdES B-B), unlike `make run`",
    )
    args = p.parse_args()
    run, mode, target = MODES[args.mode]
    m = run(args)
    per_form, runs = m.per_form, m.runs
    stages: dict[str, Any] = {}
    for stage, _ in ROUTE:
        made = runs[0].made[stage]
        fl = stage_floor(made, per_form)
        times = [r.recorded[stage] for r in runs]
        med = statistics.median(times)
        stages[stage] = {
            "floor_ms": round(fl * 1000, 1),
            "stage": summary(times),
            "stage_polled": summary([r.polled[stage] for r in runs]),
            "response": summary([r.responded[stage] for r in runs]),
            "ratio_median": round(med / fl, 2) if fl else None,
            "files": {f"{form}:{rendition}": n for (form, rendition), n in sorted(made.items())},
        }
    total_floor = sum(s["floor_ms"] for s in stages.values())
    total_stage = sum(s["stage"]["median_ms"] for s in stages.values())
    approvals = [r.responded[stage] for r in runs for stage, _ in ROUTE if stage != "submit"]
    write_result(
        "floor_and_stage" if args.mode == "embedded" else f"floor_and_stage_{args.mode}",
        {
            "what": "floor (render + warm convert + sign + put, per recorded file) vs the "
            "same step through the system (HTTP action → outbox → flow → stored, audited)",
            "mode": mode,
            "config": (
                "make run (demo TSA: PAdES B-LT; reminders on)"
                if args.mode == "embedded" and not args.no_tsa
                else "without a TSA (PAdES B-B)"
                if args.mode == "embedded"
                else "compose (no TSA: PAdES B-B)"
            ),
            "worker_poll_s": args.worker_poll if args.mode == "server" else None,
            "dossiers": args.dossiers,
            "floor_per_form_ms": {
                code: {k: round(v * 1000, 1) for k, v in f.items()} for code, f in per_form.items()
            },
            "stages": stages,
            "route_floor_ms": round(total_floor, 1),
            "route_floor_before_after_ms": {k: round(v, 1) for k, v in m.floor_route_ms.items()},
            "route_stage_median_ms": round(total_stage, 1),
            "route_ratio": round(total_stage / total_floor, 2),
            "target_ratio": target,
            "approve_response": summary(approvals),
            "handover": m.handover,
            "memory": m.memory,
        },
    )


if __name__ == "__main__":
    from documents import pyhanko_internals

    pyhanko_internals.install()  # as the processes measured do at start-up
    main()
