"""Cụm I's 2026 year end to end, as the demo driver (tdkt/demo_cluster_year.py) plays it
through the public API of the real server: the plan issued with its criteria, the five
members' heads signing the covenant one after another and the head unit sealing it (six
valid signatures for pyHanko and pdfsig), four members registering on time and the fifth
after the deadline (late), the mid-year self-scores with one adjusted by the head unit
with a reason, the ranking, the sơ kết's report edited in python-docx, uploaded, signed
and sent. A second run changes nothing. Then the head unit's cluster approver sees it
all on the year page in Chromium. Screenshots in tests/artifacts/web/nam-cua-cum/."""

from __future__ import annotations

import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from documents.verify import verify_pdf_sync
from tdkt.demo_cluster_year import ADDED, ADJUSTED, SIGN_ORDER, Story
from tests.fixtures.browser import Shots, new_context, see, sign_in
from tests.fixtures.cluster_year import set_deadline
from tests.fixtures.nss import nss_db, pdfsig
from tests.fixtures.server import PASSWORD, PIN, Api, AppServer

pytestmark = pytest.mark.slow

SHOTS = "nam-cua-cum"
YEAR = 2026


def story(server: AppServer, log: list[str], *, first: bool = False) -> Story:
    return Story(
        server.base,
        password=PASSWORD,
        pin=PIN,
        signed_by=SIGN_ORDER,
        seal=True,
        # Registrations open for ten days from today, whatever today is (time passing is
        # the one thing the API cannot do).
        after_plan=(lambda: set_deadline(server, 10)) if first else None,
        log=log.append,
    )


def test_the_cluster_year_told_by_the_demo_driver(
    server: AppServer, browser: Browser, shots: Shots, tmp_path: Path
) -> None:
    first: list[str] = []
    out = story(server, first, first=True).run()
    cid, plan, review = out["cluster_id"], out["plan"], out["review"]
    base = f"/api/v1/clusters/{cid}/years/{YEAR}"
    head = Api(server, "bqlkkt.cum")
    board = Api(server, "ptdkt.chuyenvien")

    # The plan: issued, numbered, four criteria (one mandatory) of 100 points.
    assert plan["status"] == "issued" and plan["number"].endswith("/KH-CỤM I"), plan["number"]
    assert [c["mandatory"] for c in plan["criteria"]] == [True, False, False, False]
    assert Decimal(plan["total_points"]) == 100

    # Year end: three members' dossiers (two collective Bằng khen, a Cờ) wait at the
    # cluster for its vote instead of being forwarded one by one.
    assert sorted(out["waiting"]) == ["BDT", "LMHTX", "VPDPNTM"]
    for code, did in out["waiting"].items():
        d = Api(server, f"{code.lower()}.canbo").get(f"/api/v1/dossiers/{did}").json()
        assert d["status_label"] == "Chờ Cụm bình xét", (code, d["status"])

    # Registrations: four on time; the fifth had not registered by the deadline.
    table = head.get(f"{base}/registrations").json()
    states = {x["unit_code"]: x["state"] for x in table["registrations"]}
    assert states == {
        "LMHTX": "on_time",
        "BQLKKT": "on_time",
        "VPDPNTM": "on_time",
        "BDT": "on_time",
        "BQLDA": "missing",
    }

    # The deadline passes; the driver run again registers the fifth, late, and nothing else.
    set_deadline(server, -1)
    # (As `make run` runs it: the CLI.)
    second = server.cli("demo", "cluster-year", "--url", server.base, "--all-sign").stdout
    done = [line for line in second.splitlines() if "từ trước" not in line]
    assert done == [
        "Đăng ký thi đua: BQLDA (muộn)",
        "Năm thi đua 2026 của Cụm I đã có trong dữ liệu mẫu.",
    ], second
    table = head.get(f"{base}/registrations").json()
    states = {x["unit_code"]: x["state"] for x in table["registrations"]}
    assert states["BQLDA"] == "late" and states["BDT"] == "on_time", states
    board_table = board.get("/api/v1/cluster-registrations", params={"year": YEAR}).json()
    cum1 = next(c for c in board_table["clusters"] if c["cluster_id"] == cid)
    assert [x["unit_code"] for x in cum1["registrations"] if x["state"] == "late"] == ["BQLDA"]

    # The covenant: five heads and the seal, six valid signatures for pyHanko and pdfsig.
    cov = head.get(f"{base}/covenant").json()
    assert cov["status"] == "sealed" and cov["signed_count"] == 5 and cov["waiting"] == []
    pdf = board.get(f"/api/v1/documents/{cov['document_id']}/content").content
    roots = board.get("/api/v1/trust-roots").content
    reports = verify_pdf_sync(pdf, [roots])
    assert len(reports) == 6, [r.field_name for r in reports]
    assert all(x.intact and x.valid and x.trusted for x in reports), [
        (x.field_name, x.summary_vi) for x in reports
    ]
    path = tmp_path / "giao-uoc.pdf"
    path.write_bytes(pdf)
    checked = pdfsig(path, nss_db(tmp_path / "nss", roots))
    assert checked.count("Signature is Valid.") == 6, checked

    # Scores: the adjusted criterion keeps the self-score beside the reviewed one.
    code, crit, points, reason = ADJUSTED
    scores = head.get(f"{base}/scores", params={"period": "midyear"}).json()
    sheet = next(x for x in scores["sheets"] if x["unit_code"] == code)
    row = next(x for x in sheet["scores"] if x["code"] == crit)
    assert Decimal(row["self_points"]) == Decimal("16")
    assert Decimal(row["reviewed_points"]) == Decimal(points)
    assert row["review_reason"] == reason
    units = {x["unit_code"]: x["unit_id"] for x in scores["sheets"]}
    ranking = [
        (x["unit_id"], x["rank"], x["tied"], Decimal(x["total"]), x["adjusted"])
        for x in scores["ranking"]
    ]
    assert ranking == [
        (units["BQLKKT"], 1, False, Decimal("94"), False),
        (units["BDT"], 2, False, Decimal("92.5"), True),  # self 89, 1.2 from 16 to 19.5
        (units["LMHTX"], 3, True, Decimal("87.5"), False),
        (units["VPDPNTM"], 3, True, Decimal("87.5"), False),
        (units["BQLDA"], 5, False, Decimal("80.5"), False),
    ]

    # The sơ kết's report: the edited sentence in the signed PDF, two valid signatures.
    report = review["report"]
    assert report["status_label"] == "Đã ký, gửi Phòng TĐKT", report
    signed = board.get(report["signed_pdf"])
    assert signed.status_code == 200
    path = tmp_path / "bao-cao-so-ket.pdf"
    path.write_bytes(signed.content)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert ADDED in " ".join(text.split())
    verified = board.get(f"{base}/reviews/{review['id']}/report/verify").json()
    assert verified["ok"] is True and len(verified["signatures"]) == 2

    # In Chromium, the head unit's cluster approver sees the year on one page.
    page = sign_in(new_context(browser, server), "bqlkkt.cum")
    page.goto(f"/cum-thi-dua/{cid}/{YEAR}")
    expect(page.locator("#ke-hoach")).to_contain_text(plan["number"])
    covenant = page.locator("#giao-uoc")
    expect(covenant).to_contain_text("Ban Dân tộc tỉnh")
    for unit_id in units.values():
        expect(page.locator(f"#giao-uoc-{unit_id}")).to_contain_text("Đã ký")
    registrations = page.locator("#bang-dang-ky")
    expect(registrations.locator(f"#dang-ky-{units['BQLDA']}")).to_contain_text("Đăng ký muộn")
    expect(registrations.locator(f"#dang-ky-{units['LMHTX']}")).to_contain_text("Đã đăng ký")
    ranking_rows = page.locator("#xep-hang-midyear tbody tr")
    expect(ranking_rows).to_have_count(5)
    expect(ranking_rows.nth(1)).to_contain_text("92,5")
    expect(ranking_rows.nth(1)).to_contain_text("đã điều chỉnh")
    expect(ranking_rows.nth(2)).to_contain_text("đồng hạng")
    expect(page.locator("#hoi-nghi")).to_contain_text("Đã ký, gửi Phòng TĐKT")
    see(shots, page, "nam-thi-dua-cua-cum")

    # The scoring page shows both points and the reason of the adjustment.
    page.goto(f"/cum-thi-dua/{cid}/{YEAR}/cham-diem/midyear")
    escaped = crit.replace(".", "\\.")
    adjusted = page.locator(f"#phieu-{units[code]}-{escaped}")
    expect(adjusted).to_contain_text("16")
    expect(adjusted.get_by_label(f"Lý do điều chỉnh tiêu chí {crit}")).to_have_value(reason)
    see(shots, page, "cham-diem-sau-dieu-chinh")
