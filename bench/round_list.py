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

What this does not yet cover: the round's Tờ trình issued through the engine (outbox →
flow → number → seal → store → audit), which lands with the subject-generic issuing; this
benchmark then grows a third column for it.

Run: ``uv run python bench/round_list.py [--runs 3] [--dossiers 300] [--nominees 4]
[--database sqlite|postgresql]``; writes bench/results/round_list.json.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from bench.common import write_result  # noqa: E402
from doc_templates.catalogue import template_path  # noqa: E402
from documents import pyhanko_internals  # noqa: E402
from documents.pdf import PdfConverter  # noqa: E402
from documents.pki import create_ca, issue_certificate  # noqa: E402
from documents.render import render_docx  # noqa: E402
from documents.sign import SignerMaterial, sign_pdf  # noqa: E402
from domain.awards import AWARDS  # noqa: E402
from domain.rounds import list_groups  # noqa: E402
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
from tdkt.seed import seed_demo  # noqa: E402
from tests.fixtures.forms import sample_context  # noqa: E402
from tests.fixtures.pg import fresh_database  # noqa: E402

AWARD_ORDER = ["bang_khen_ubnd_tinh", "tap_the_lao_dong_xuat_sac", "chien_si_thi_dua_co_so"]


def award_of(i: int, kind: str) -> str:
    if i % 3:
        return "bang_khen_ubnd_tinh"
    return "tap_the_lao_dong_xuat_sac" if kind == "collective" else "chien_si_thi_dua_co_so"


def build_round(db: Database, dossiers: int, per: int) -> int:
    """Approved dossiers of the demo's units with passed nominees, all in one round."""
    with db.write() as s:
        seed_demo(s, password="demo", key_passphrase="bench", pin="123456")
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
                title=f"Hồ sơ {i}",
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
                        name=f"Nguyễn Văn Thành {i}-{k}",
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


async def one(converter: PdfConverter, signer: SignerMaterial, groups_of: Any) -> dict[str, float]:
    t0 = time.perf_counter()
    groups, count = groups_of()
    t1 = time.perf_counter()
    docx = render_docx(template_path("to_trinh_dot"), context_with(groups, count))
    t2 = time.perf_counter()
    pdf = await converter.convert(docx)
    t3 = time.perf_counter()
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


async def measure(args: argparse.Namespace, db: Database, round_id: int) -> dict[str, Any]:
    ca = create_ca("Bench CA", "Bench")
    org = issue_certificate(ca, common_name="Sở Nội vụ", organization="Sở", kind="organisation")
    signer = SignerMaterial(org.key_pem, org.cert_pem, (ca.cert_pem,))
    names = {code: a.name for code, a in AWARDS.items()}
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
            await one(converter, signer, from_memory)  # fonts, template, first conversion
            floor: list[dict[str, float]] = []
            rounds: list[dict[str, float]] = []
            for _ in range(args.runs):  # alternated, so drift moves both alike
                floor.append(await one(converter, signer, from_memory))
                rounds.append(await one(converter, signer, from_database))
        finally:
            converter.close()

    def med(runs: list[dict[str, float]]) -> dict[str, float]:
        return {k: round(statistics.median(r[k] for r in runs) * 1000, 1) for k in runs[0]}

    f, r = med(floor), med(rounds)
    return {
        "dossiers": args.dossiers,
        "nominees": args.dossiers * args.nominees,
        "runs": args.runs,
        "database": args.database,
        "floor_ms": f,
        "round_from_database_ms": r,
        "ratio_round_to_floor": round(r["total"] / f["total"], 3),
        "target_ratio": 1.5,
        "not_measured": "issuing through the engine (outbox, flow, number, store, audit)",
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
        if args.database == "sqlite":
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="tdkt-rdb-")))
            url = f"sqlite:///{folder / 'round.sqlite3'}"
        else:
            url = stack.enter_context(fresh_database("tdkt_bench"))
        upgrade(url)
        db = Database(url)
        stack.callback(db.dispose)
        t = time.perf_counter()
        round_id = build_round(db, args.dossiers, args.nominees)
        built = time.perf_counter() - t
        result = asyncio.run(measure(args, db, round_id))
        result["build_round_s"] = round(built, 2)
    write_result("round_list", result)


if __name__ == "__main__":
    main()
