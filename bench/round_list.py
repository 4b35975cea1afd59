"""A round of 300 dossiers / 1,200 nominees: its Tờ trình built from the database against
the floor of the same render + conversion + seal, measured in one run.

- floor: the round's form (`to_trinh_dot`) rendered from the round's 1,200 nominees held
  in memory (read once before timing), converted by the warm LibreOffice pool (one
  instance), sealed (one PAdES signature with a visible stamp): the median of ``--runs``
  runs.
- round: the same, but from the database: 300 approved dossiers of the demo's units, each
  with 4 nominees the appraisal passed, in one round; the list read with one query
  (`storage/rounds.py` `listed_nominees`), grouped (`domain/rounds.py` `list_groups`), then
  render, conversion and seal as above. The database part is the round's own overhead;
  the ratio round / floor is the figure to watch (target ≤ 1.5×).

- engine: the same round's Tờ trình issued as users get it, through the engine: the
  actions taken as the API takes them (`api/rounds/actions.py`), each step's flow run
  (`subject_transition_flow`, through Prefect's local API, as in the embedded mode) — the
  Phòng head's approval, whose flow prepares the Tờ trình (list from the database,
  render, conversion, form fields, files stored); the Sở leader's approval with the PIN
  (key unlocked, personal signature); and the flow after it (number, date, seal, check
  of both signatures, files stored, audit event, notifications). Its floor carries the
  same two signatures: render + conversion + personal signature + seal, from memory. A
  fresh round of the same size per run (a round is submitted once). Signatures without
  a time-stamping service (the embedded default without `TDKT_TSA_URL`).

Run: ``uv run python bench/round_list.py [--runs 3] [--dossiers 300] [--nominees 4]
[--database sqlite|postgresql]``; writes bench/results/round_list.json.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# Prefect reads its settings on import: its home (and local API's database) of its own.
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="tdkt-bench-prefect-"))
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")

import anyio.to_thread  # noqa: E402
from sqlalchemy import select  # noqa: E402

from api.deps import Caller  # noqa: E402
from api.dossiers.schemas import ActionIn  # noqa: E402
from api.rounds import actions as round_actions  # noqa: E402
from api.rounds import service as rounds_service  # noqa: E402
from bench.common import write_result  # noqa: E402
from core.settings import Settings  # noqa: E402
from doc_templates.catalogue import template_path  # noqa: E402
from documents import pyhanko_internals  # noqa: E402
from documents.pdf import PdfConverter  # noqa: E402
from documents.pki import create_ca, issue_certificate  # noqa: E402
from documents.render import render_docx  # noqa: E402
from documents.sign import SignerMaterial, sign_pdf  # noqa: E402
from domain.awards import AWARDS  # noqa: E402
from domain.process import Action  # noqa: E402
from domain.rounds import list_groups  # noqa: E402
from domain.subjects import Subject, SubjectKind  # noqa: E402
from flows import transition  # noqa: E402
from issuing import runtime as flow_runtime  # noqa: E402
from issuing.runtime import Runtime  # noqa: E402
from storage import rounds as rounds_store  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import (  # noqa: E402
    AppraisalResult,
    AwardRound,
    Dossier,
    Nominee,
    RoundDossier,
    Unit,
    User,
)
from storage.repositories import documents as documents_repo  # noqa: E402
from storage.repositories import users as users_repo  # noqa: E402
from tdkt.seed import seed_demo  # noqa: E402
from tests.fixtures.forms import sample_context  # noqa: E402
from tests.fixtures.pg import fresh_database  # noqa: E402

AWARD_ORDER = ["bang_khen_ubnd_tinh", "tap_the_lao_dong_xuat_sac", "chien_si_thi_dua_co_so"]


def award_of(i: int, kind: str) -> str:
    if i % 3:
        return "bang_khen_ubnd_tinh"
    return "tap_the_lao_dong_xuat_sac" if kind == "collective" else "chien_si_thi_dua_co_so"


PIN = "123456"


def build_round(db: Database, dossiers: int, per: int, first: int = 0) -> int:
    """Approved dossiers of the demo's units with passed nominees, all in one round
    (the demo seeded before); `first` numbers its dossiers after earlier rounds'."""
    with db.write() as s:
        units = list(s.scalars(select(Unit).where(Unit.cluster_id.is_not(None))))
        specialist = s.scalar(select(User).where(User.username == "ptdkt.chuyenvien"))
        assert specialist is not None and units
        r = AwardRound(
            authority_id=units[0].authority_id,
            name="Đợt tổng kết công tác năm 2026",
            year=2026,
            kind="thuong_xuyen",
            awards=",".join(AWARD_ORDER),
            status="open",
            created_by=specialist.id,
        )
        s.add(r)
        s.flush()
        for i in range(dossiers):
            unit = units[i % len(units)]
            d = Dossier(
                process="commendation_proposal",
                award=award_of(i, "individual"),
                year=2026,
                title=f"Hồ sơ {first + i}",
                unit_id=unit.id,
                cluster_id=unit.cluster_id,
                authority_id=unit.authority_id,
                status="approved",
                furthest_stage="done",
                created_by=specialist.id,
            )
            for k in range(per):
                kind = "collective" if k == 0 else "individual"
                d.nominees.append(
                    Nominee(
                        position_no=k + 1,
                        kind=kind,
                        name=f"Nguyễn Văn Thành {first + i}-{k}",
                        job_title="Chuyên viên" if kind == "individual" else "",
                        unit_name=unit.name,
                    )
                )
            s.add(d)
            s.flush()
            for n in d.nominees:
                s.add(
                    AppraisalResult(
                        dossier_id=d.id, nominee_id=n.id, result="dat", recorded_by=specialist.id
                    )
                )
            s.add(
                RoundDossier(
                    round_id=r.id, dossier_id=d.id, position_no=i + 1, added_by=specialist.id
                )
            )
        return r.id


def context_with(groups: list[dict[str, Any]], nominees: int) -> dict[str, Any]:
    ctx = sample_context(tricky=False)
    ctx["groups"] = groups
    ctx["round"] = {"name": "Đợt tổng kết công tác", "kind_label": "thường xuyên", "dossiers": 300}
    collectives = sum(g["counts"]["collectives"] for g in groups)
    ctx["counts"] = {"collectives": collectives, "individuals": nominees - collectives}
    return ctx


async def one(
    converter: PdfConverter, signer: SignerMaterial, groups_of: Any, person: SignerMaterial | None
) -> dict[str, float]:
    """Render, convert and seal the list `groups_of` gives; with `person`, their personal
    signature first (the floor of what the engine issues: the same two signatures)."""
    t0 = time.perf_counter()
    groups, count = groups_of()
    t1 = time.perf_counter()
    docx = render_docx(template_path("to_trinh_dot"), context_with(groups, count))
    t2 = time.perf_counter()
    pdf = await converter.convert(docx)
    t3 = time.perf_counter()
    if person is not None:
        pdf = await sign_pdf(
            pdf,
            person,
            field_name="Person",
            reason="Duyệt",
            location="Lạng Sơn",
            stamp_lines=["Ký bởi: Nguyễn Văn A", "Thời gian: 2026-12-03T09:00:00+07:00"],
        )
    await sign_pdf(
        pdf,
        signer,
        field_name="Seal",
        reason="Ban hành",
        location="Lạng Sơn",
        stamp_lines=["Ký bởi: Sở Nội vụ", "Thời gian: 2026-12-03T09:00:00+07:00"],
    )
    t4 = time.perf_counter()
    return {
        "list": t1 - t0,
        "render": t2 - t1,
        "convert": t3 - t2,
        "seal": t4 - t3,
        "total": t4 - t0,
    }


def caller_of(db: Database, username: str) -> Caller:
    with db.read() as s:
        user = users_repo.user_by_username(s, username)
        assert user is not None
        return Caller(user, users_repo.actor_of(user))


async def step(rt: Runtime, username: str, round_id: int, action: Action, **body: Any) -> float:
    """The action as the API takes it, then its flow run; the flow's seconds."""
    caller = caller_of(rt.db, username)
    _, outbox_id = await anyio.to_thread.run_sync(  # as the API runs it (run_in_threadpool)
        round_actions.take_action,
        rt,
        caller,
        round_id,
        action,
        ActionIn(**body),
        [],
        lambda s, r: rounds_service.round_out(s, caller.actor, r),
    )
    t = time.perf_counter()
    await transition.subject_transition_flow(outbox_id)
    return time.perf_counter() - t


def prepared_for(rt: Runtime, round_id: int) -> str:
    with rt.db.read() as s:
        docs = documents_repo.subject_documents(s, Subject(SubjectKind.ROUND, round_id))
        ids = [v.prepared_for_id for d in docs for v in d.versions if v.prepared_for_id]
        user = users_repo.user_by_id(s, ids[-1])
        assert user is not None
        return user.username


async def through_engine(rt: Runtime, round_id: int) -> dict[str, float]:
    """Submit, the Phòng head's approval (its flow prepares the Tờ trình), the leader's
    signed approval and the flow that issues it."""
    await step(rt, "ptdkt.chuyenvien", round_id, Action.SUBMIT)
    prepare = await step(rt, "ptdkt.truongphong", round_id, Action.APPROVE)
    # The leader the Tờ trình was prepared for signs it (another leader would have it
    # prepared again with their name, in their request).
    caller = caller_of(rt.db, prepared_for(rt, round_id))
    t = time.perf_counter()
    _, outbox_id = await anyio.to_thread.run_sync(
        round_actions.take_action,
        rt,
        caller,
        round_id,
        Action.APPROVE,
        ActionIn(signing_pin=PIN),
        [],
        lambda s, r: rounds_service.round_out(s, caller.actor, r),
    )
    approve = time.perf_counter() - t
    t = time.perf_counter()
    await transition.subject_transition_flow(outbox_id)
    issue = time.perf_counter() - t
    with rt.db.read() as s:
        r = rounds_store.award_round(s, round_id)
        assert r is not None and r.status == "submitted", r and r.status
    return {
        "prepare_flow": prepare,
        "approve_request": approve,
        "issue_flow": issue,
        "total": prepare + approve + issue,
    }


async def measure(args: argparse.Namespace, rt: Runtime, round_ids: list[int]) -> dict[str, Any]:
    db = rt.db
    ca = create_ca("Bench CA", "Bench")
    org = issue_certificate(ca, common_name="Sở Nội vụ", organization="Sở", kind="organisation")
    signer = SignerMaterial(org.key_pem, org.cert_pem, (ca.cert_pem,))
    who = issue_certificate(ca, common_name="Nguyễn Văn A", organization="Sở", kind="person")
    person = SignerMaterial(who.key_pem, who.cert_pem, (ca.cert_pem,))
    names = {code: a.name for code, a in AWARDS.items()}
    round_id, engine_ids = round_ids[0], round_ids[1:]
    # The floor renders exactly the round's list, read once beforehand and held in memory.
    with db.read() as s:
        in_memory = rounds_store.listed_nominees(s, round_id)
    assert len(in_memory) == args.dossiers * args.nominees

    def from_memory() -> tuple[list[dict[str, Any]], int]:
        return list_groups(in_memory, names, AWARD_ORDER), len(in_memory)

    def from_database() -> tuple[list[dict[str, Any]], int]:
        with db.read() as s:
            listed = rounds_store.listed_nominees(s, round_id)
        return list_groups(listed, names, AWARD_ORDER), len(listed)

    with tempfile.TemporaryDirectory(prefix="tdkt-round-") as tmp:
        converter = PdfConverter(Path(tmp) / "profiles", workers=1, timeout=600)
        await converter.warm_up()
        try:
            await one(converter, signer, from_memory, None)  # fonts, template, first conversion
            await through_engine(rt, engine_ids[0])  # Prefect's local API, the app's pool
            floor: list[dict[str, float]] = []
            rounds: list[dict[str, float]] = []
            floor2: list[dict[str, float]] = []
            engine: list[dict[str, float]] = []
            for i in range(args.runs):  # alternated, so drift moves all alike
                floor.append(await one(converter, signer, from_memory, None))
                rounds.append(await one(converter, signer, from_database, None))
                floor2.append(await one(converter, signer, from_memory, person))
                engine.append(await through_engine(rt, engine_ids[1 + i]))
        finally:
            converter.close()

    def med(runs: list[dict[str, float]]) -> dict[str, float]:
        return {k: round(statistics.median(r[k] for r in runs) * 1000, 1) for k in runs[0]}

    f, r, f2, e = med(floor), med(rounds), med(floor2), med(engine)
    return {
        "dossiers": args.dossiers,
        "nominees": args.dossiers * args.nominees,
        "runs": args.runs,
        "database": args.database,
        "floor_ms": f,
        "round_from_database_ms": r,
        "ratio_round_to_floor": round(r["total"] / f["total"], 3),
        "floor_two_signatures_ms": f2,
        "engine_ms": e,
        "ratio_engine_to_floor": round(e["total"] / f2["total"], 3),
        "target_ratio": 1.5,
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--dossiers", type=int, default=300)
    p.add_argument("--nominees", type=int, default=4)
    p.add_argument("--database", choices=("sqlite", "postgresql"), default="postgresql")
    args = p.parse_args()
    pyhanko_internals.install()  # as the processes measured do at start-up
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="tdkt-rdb-")))
        if args.database == "sqlite":
            url = f"sqlite:///{folder / 'round.sqlite3'}"
        else:
            url = stack.enter_context(fresh_database("tdkt_bench"))
        upgrade(url)
        # The round's own steps are measured: no council meeting before it (ws-meet's
        # meetings are not part of this measure).
        settings = Settings(
            var_dir=folder, database_url=url, converter_workers=1, council_awards="-"
        ).resolved()
        rt = Runtime.from_settings(settings)
        stack.callback(rt.close)
        rt.store.ensure_ready()
        flow_runtime.install(rt)
        with rt.db.write() as s:
            seed_demo(s, password="demo", key_passphrase=settings.secret_key, pin=PIN)
        t = time.perf_counter()
        # One round for the floor and the list; one per engine run, plus its warm-up.
        round_ids = [
            build_round(rt.db, args.dossiers, args.nominees, first=k * args.dossiers)
            for k in range(args.runs + 2)
        ]
        built = (time.perf_counter() - t) / len(round_ids)
        result = asyncio.run(measure(args, rt, round_ids))
        result["build_round_s"] = round(built, 2)
    write_result("round_list", result)


if __name__ == "__main__":
    main()
