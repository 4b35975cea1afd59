"""A decision with 500 awardees: the Quyết định issued through the engine against the floor
of the same render + conversion + two signatures, measured in one run.

- floor: the decision's form (`quyet_dinh_khen_thuong`) rendered from its context built
  once before timing (the 500 awardees grouped, the prize money computed), converted by
  the warm LibreOffice pool (one instance), signed personally and sealed (two PAdES
  signatures with visible stamps): the median of ``--runs`` runs.
- engine: the same decision as users get it: the specialist's submit (its flow prepares
  the Quyết định: list and prize money from the database, render, conversion, form
  fields, files stored), the Chủ tịch's approval with the PIN (key unlocked, personal
  signature), and the flow after it (number in the UBND's series, date, seal, check of
  both signatures, files stored, audit event, notifications, then the 500 award records
  with their certificate numbers, the dossiers closed as awarded with their events, the
  units told). Actions as the API takes them (`api/decisions/actions.py`), each step's
  flow run through Prefect's local API as in the embedded mode. A fresh round and
  decision of the same size per run (a round has one decision). The ratio engine /
  floor is the figure to watch (target ≤ 1.5×).

Run: ``uv run python bench/decision_list.py [--runs 3] [--dossiers 125] [--nominees 4]
[--database sqlite|postgresql]``; writes bench/results/decision_list.json.
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
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="tdkt-bench-prefect-"))
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")

import anyio.to_thread  # noqa: E402
from sqlalchemy import select  # noqa: E402

from api.decisions import actions as decision_actions  # noqa: E402
from api.decisions import service as decisions_service  # noqa: E402
from api.decisions.schemas import DecisionCreate  # noqa: E402
from api.deps import Caller  # noqa: E402
from api.dossiers.schemas import ActionIn  # noqa: E402
from bench.common import write_result  # noqa: E402
from core.settings import Settings  # noqa: E402
from doc_templates.catalogue import template_path  # noqa: E402
from documents import pyhanko_internals  # noqa: E402
from documents.pdf import PdfConverter  # noqa: E402
from documents.pki import create_ca, issue_certificate  # noqa: E402
from documents.render import render_docx  # noqa: E402
from documents.sign import SignerMaterial, sign_pdf  # noqa: E402
from domain.process import Action  # noqa: E402
from domain.roles import Role  # noqa: E402
from domain.subjects import Subject, SubjectKind  # noqa: E402
from flows import transition  # noqa: E402
from flows.prefect_clients import open_clients  # noqa: E402
from issuing import runtime as flow_runtime  # noqa: E402
from issuing.decision_forms import decision_context  # noqa: E402
from issuing.jobs import FormJob, authority_issuer, common_context  # noqa: E402
from issuing.runtime import Runtime  # noqa: E402
from storage import decisions as decisions_store  # noqa: E402
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
from tests.fixtures.pg import fresh_database  # noqa: E402

PIN = "123456"
AWARDS = ["bang_khen_ubnd_tinh", "tap_the_lao_dong_xuat_sac", "chien_si_thi_dua_cap_tinh"]


def kinds_of(i: int, per: int) -> tuple[str, list[str]]:
    """A dossier's award and its nominees' kinds: a third Tập thể lao động xuất sắc
    (collectives), a third Chiến sĩ thi đua cấp tỉnh (individuals), a third the Bằng khen
    (a collective, then individuals)."""
    if i % 3 == 0:
        return "tap_the_lao_dong_xuat_sac", ["collective"] * per
    if i % 3 == 1:
        return "chien_si_thi_dua_cap_tinh", ["individual"] * per
    return "bang_khen_ubnd_tinh", ["collective"] + ["individual"] * (per - 1)


def build_round(db: Database, dossiers: int, per: int, first: int) -> int:
    """A round the Sở has submitted: approved dossiers of the demo's units, each with `per`
    nominees the appraisal passed."""
    with db.write() as s:
        units = list(s.scalars(select(Unit).where(Unit.cluster_id.is_not(None))))
        specialist = s.scalar(select(User).where(User.username == "ptdkt.chuyenvien"))
        assert specialist is not None and units
        r = AwardRound(
            authority_id=units[0].authority_id,
            name="Đợt tổng kết công tác năm 2026",
            year=2026,
            kind="thuong_xuyen",
            awards=",".join(AWARDS),
            status="submitted",
            created_by=specialist.id,
        )
        s.add(r)
        s.flush()
        for i in range(dossiers):
            unit = units[i % len(units)]
            award, kinds = kinds_of(i, per)
            d = Dossier(
                process="commendation_proposal",
                award=award,
                year=2026,
                title=f"Hồ sơ {first + i}",
                unit_id=unit.id,
                cluster_id=unit.cluster_id,
                authority_id=unit.authority_id,
                status="approved",
                furthest_stage="done",
                created_by=specialist.id,
            )
            for k, kind in enumerate(kinds):
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


def caller_of(db: Database, username: str) -> Caller:
    with db.read() as s:
        user = users_repo.user_by_username(s, username)
        assert user is not None
        return Caller(user, users_repo.actor_of(user))


def draft(rt: Runtime, round_id: int) -> int:
    caller = caller_of(rt.db, "ptdkt.chuyenvien")
    with rt.db.write() as s:
        d = decisions_service.create(
            s, caller.user, caller.actor, DecisionCreate(round_id=round_id)
        )
        return d.id


async def act(rt: Runtime, username: str, decision_id: int, action: Action, **body: Any) -> int:
    caller = caller_of(rt.db, username)
    _, outbox_id = await anyio.to_thread.run_sync(
        decision_actions.take_action,
        rt,
        caller,
        decision_id,
        action,
        ActionIn(**body),
        [],
        lambda s, d: decisions_service.decision_out(s, caller.actor, d),
    )
    return int(outbox_id)


def prepared_for(rt: Runtime, decision_id: int) -> str:
    with rt.db.read() as s:
        docs = documents_repo.subject_documents(s, Subject(SubjectKind.DECISION, decision_id))
        ids = [v.prepared_for_id for d in docs for v in d.versions if v.prepared_for_id]
        user = users_repo.user_by_id(s, ids[-1])
        assert user is not None
        return user.username


async def through_engine(rt: Runtime, round_id: int, awardees: int) -> dict[str, float]:
    decision_id = draft(rt, round_id)
    outbox_id = await act(rt, "ptdkt.chuyenvien", decision_id, Action.SUBMIT)
    t = time.perf_counter()
    await transition.subject_transition_flow(outbox_id)
    prepare = time.perf_counter() - t
    t = time.perf_counter()
    outbox_id = await act(
        rt, prepared_for(rt, decision_id), decision_id, Action.APPROVE, signing_pin=PIN
    )
    approve = time.perf_counter() - t
    t = time.perf_counter()
    await transition.subject_transition_flow(outbox_id)
    issue = time.perf_counter() - t
    with rt.db.read() as s:
        d = decisions_store.decision(s, decision_id)
        assert d is not None and d.status == "issued" and d.number, d and d.status
        records = decisions_store.records_of(s, decision_id)
        assert sum(1 for r in records if r.awarded) == awardees
    return {
        "prepare_flow": prepare,
        "approve_request": approve,
        "issue_flow": issue,
        "total": prepare + approve + issue,
    }


async def floor_once(
    converter: PdfConverter, ctx: dict[str, Any], seal: SignerMaterial, person: SignerMaterial
) -> dict[str, float]:
    t0 = time.perf_counter()
    docx = render_docx(template_path("quyet_dinh_khen_thuong"), ctx)
    t1 = time.perf_counter()
    pdf = await converter.convert(docx)
    t2 = time.perf_counter()
    pdf = await sign_pdf(
        pdf,
        person,
        field_name="Person",
        reason="Ký quyết định",
        location="Lạng Sơn",
        stamp_lines=["Ký bởi: Nguyễn Văn A", "Thời gian: 2026-12-03T09:00:00+07:00"],
    )
    await sign_pdf(
        pdf,
        seal,
        field_name="Seal",
        reason="Ban hành",
        location="Lạng Sơn",
        stamp_lines=["Ký bởi: UBND tỉnh Lạng Sơn", "Thời gian: 2026-12-03T09:00:00+07:00"],
    )
    t3 = time.perf_counter()
    return {"render": t1 - t0, "convert": t2 - t1, "sign_and_seal": t3 - t2, "total": t3 - t0}


def floor_context(rt: Runtime, round_id: int) -> dict[str, Any]:
    """The context the engine renders (heading, signer, list, prize money), built once."""
    decision_id = draft(rt, round_id)
    with rt.db.read() as s:
        d = decisions_store.decision(s, decision_id)
        assert d is not None
        ctx = decision_context(s, d, date(2026, 12, 3))
    # The common part (heading, number room, signer block) as the engine prints it.
    with rt.db.read() as s:
        d = decisions_store.decision(s, decision_id)
        chairman = users_repo.user_by_username(s, "ubnd.chutich")
        assert d is not None and chairman is not None
        job = FormJob(
            Subject(SubjectKind.DECISION, decision_id),
            1,
            "quyet_dinh_khen_thuong",
            0,
            None,
            True,
            authority_issuer(s, d.decider_authority_id),
            "Quyết định khen thưởng",
            Action.APPROVE,
            Role.DECISION_MAKER,
            True,
        )
        common = common_context(job, chairman, "Lạng Sơn")
    return {**common, **ctx}


async def measure(args: argparse.Namespace, rt: Runtime, round_ids: list[int]) -> dict[str, Any]:
    ca = create_ca("Bench CA", "Bench")
    org = issue_certificate(ca, common_name="UBND tỉnh", organization="UBND", kind="organisation")
    seal = SignerMaterial(org.key_pem, org.cert_pem, (ca.cert_pem,))
    who = issue_certificate(ca, common_name="Nguyễn Văn A", organization="UBND", kind="person")
    person = SignerMaterial(who.key_pem, who.cert_pem, (ca.cert_pem,))
    awardees = args.dossiers * args.nominees
    ctx = floor_context(rt, round_ids[0])
    assert sum(len(g["collectives"]) + len(g["individuals"]) for g in ctx["groups"]) == awardees
    with tempfile.TemporaryDirectory(prefix="tdkt-decision-") as tmp:
        converter = PdfConverter(Path(tmp) / "profiles", workers=1, timeout=600)
        await converter.warm_up()
        floor: list[dict[str, float]] = []
        engine: list[dict[str, float]] = []
        # The flow runs share Prefect's API clients, as in the app (flows/dispatch.py's
        # `serve_clients`): opened once for the whole measurement, not per run.
        try:
            async with open_clients():
                await floor_once(converter, ctx, seal, person)  # fonts, template, conversion
                await through_engine(rt, round_ids[1], awardees)  # Prefect, the app's pool
                for i in range(args.runs):  # alternated, so drift moves both alike
                    floor.append(await floor_once(converter, ctx, seal, person))
                    engine.append(await through_engine(rt, round_ids[2 + i], awardees))
        finally:
            converter.close()

    def med(runs: list[dict[str, float]]) -> dict[str, float]:
        return {k: round(statistics.median(r[k] for r in runs) * 1000, 1) for k in runs[0]}

    f, e = med(floor), med(engine)
    return {
        "awardees": awardees,
        "runs": args.runs,
        "database": args.database,
        "floor_ms": f,
        "engine_ms": e,
        "ratio_engine_to_floor": round(e["total"] / f["total"], 3),
        "target_ratio": 1.5,
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--dossiers", type=int, default=125)
    p.add_argument("--nominees", type=int, default=4)
    p.add_argument("--database", choices=("sqlite", "postgresql"), default="postgresql")
    args = p.parse_args()
    pyhanko_internals.install()
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="tdkt-ddb-")))
        if args.database == "sqlite":
            url = f"sqlite:///{folder / 'decision.sqlite3'}"
        else:
            url = stack.enter_context(fresh_database("tdkt_bench_decision"))
        upgrade(url)
        settings = Settings(var_dir=folder, database_url=url, converter_workers=1).resolved()
        rt = Runtime.from_settings(settings)
        stack.callback(rt.close)
        rt.store.ensure_ready()
        flow_runtime.install(rt)
        with rt.db.write() as s:
            seed_demo(s, password="demo", key_passphrase=settings.secret_key, pin=PIN)
        round_ids = [
            build_round(rt.db, args.dossiers, args.nominees, first=k * args.dossiers)
            for k in range(args.runs + 2)
        ]
        result = asyncio.run(measure(args, rt, round_ids))
    write_result("decision_list", result)


if __name__ == "__main__":
    main()
