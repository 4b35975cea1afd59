"""Eligibility in the pages, in a real browser against the real app: the clerk's last step
asks for an explanation of the failing rule and submits with it; the dossier page shows
«Điều kiện khen thưởng» with the rule set in force, the result badge, the evidence and
the explanation; the board specialist overrides the rule from the page, with a reason.
Screenshots go to tests/artifacts/web/dieu-kien/.

The person and the nominee's link to them are written into the app's database (their own
pages are built elsewhere)."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from storage.db import Database
from storage.models import Nominee, Person, RegistryAward
from tests.fixtures.browser import Shots, flash, new_context, see, sign_in
from tests.fixtures.server import ELIGIBILITY_ENFORCED, PIN, Api, AppServer

pytestmark = pytest.mark.slow
SERVER_ENV = ELIGIBILITY_ENFORCED

CLERK, HEAD, CLUSTER, SPECIALIST = "bdt.canbo", "bdt.thutruong", "bqlkkt.cum", "ptdkt.chuyenvien"
NAME = "Hà Văn Thắng"
SHOTS = "dieu-kien"


def test_explained_at_submission_and_overridden_at_appraisal(
    server: AppServer, browser: Browser, shots: Shots
):
    clerk = Api(server, CLERK)
    r = clerk.post(
        "/api/v1/dossiers",
        json={
            "year": 2026,
            "nominees": [{"kind": "individual", "name": NAME, "achievements": "Xuất sắc."}],
        },
    )
    assert r.status_code == 201, r.text
    dossier_id = r.json()["id"]
    clerk.attach(dossier_id)
    db = Database(f"sqlite:///{server.var_dir / 'tdkt.sqlite3'}")
    with db.write() as s:
        p = Person(full_name=NAME, search_name="ha van thang")
        s.add(p)
        s.flush()
        s.add(
            RegistryAward(
                person_id=p.id,
                award="chien_si_thi_dua_co_so",
                year=2025,
                decision_number="15/QĐ-BDT",
                decision_date=date(2025, 12, 20),
                issuer="Trưởng ban Dân tộc",
                source="unit",
                holder_name=NAME,
            )
        )
        s.scalars(select(Nominee).where(Nominee.dossier_id == dossier_id)).one().person_id = p.id
    db.dispose()

    page = sign_in(new_context(browser, server), CLERK)
    page.goto(f"/ho-so/{dossier_id}/sua/4")
    expect(page.locator("#dk-chua-dat")).to_contain_text("1 điều kiện khen thưởng không đạt")
    box = page.get_by_label(f"Giải trình cho «{NAME}»", exact=False)
    expect(page.locator("#form-trinh")).to_contain_text("Chiến sĩ thi đua cơ sở: 2025 — thiếu 2024")
    see(shots, page, "buoc-4-giai-trinh")
    because = "Năm 2024 được Bằng khen của Bộ, đề nghị xem xét."
    box.fill(because)
    page.get_by_role("button", name="Trình hồ sơ").click()
    expect(flash(page)).to_contain_text("Đã trình hồ sơ")
    section = page.locator("section.eligibility")
    expect(section.locator("#bo-quy-tac")).to_contain_text("Nghị định 152/2025/NĐ-CP")
    row = section.locator(f"tr#dk-{r.json()['nominees'][0]['id']}-bang_khen_ca_nhan")
    expect(row.locator(".badge")).to_have_text("Không đạt")
    expect(row).to_contain_text("Giải trình của đơn vị")
    expect(row).to_contain_text(because)
    see(shots, page, "trang-ho-so-dieu-kien")

    clerk.wait_idle(dossier_id)
    for user in (HEAD, CLUSTER):
        api = Api(server, user)
        assert api.act(dossier_id, "approve", signing_pin=PIN).status_code == 200
        api.wait_idle(dossier_id)
    specialist = Api(server, SPECIALIST)
    d = specialist.get(f"/api/v1/dossiers/{dossier_id}").json()
    nominee_id = d["nominees"][0]["id"]
    r = specialist.request(
        "PUT",
        f"/api/v1/dossiers/{dossier_id}/appraisal",
        json={"version": d["version"], "items": [{"nominee_id": nominee_id, "result": "dat"}]},
    )
    assert r.status_code == 200, r.text

    board = sign_in(new_context(browser, server), SPECIALIST)
    board.goto(f"/ho-so/{dossier_id}")
    row = board.locator(f"tr#dk-{nominee_id}-bang_khen_ca_nhan")
    expect(row).to_contain_text("Cần Phòng TĐKT chấp thuận")
    row.get_by_text("Chấp thuận điều kiện này").click()
    reason = "Ban ghi nhận thành tích năm 2024 (Bằng khen của Bộ)."
    row.get_by_label("Lý do chấp thuận").fill(reason)
    row.get_by_role("button", name="Chấp thuận").click()
    expect(flash(board)).to_contain_text("Đã chấp thuận điều kiện khen thưởng")
    row = board.locator(f"tr#dk-{nominee_id}-bang_khen_ca_nhan")
    expect(row).to_contain_text("Chấp thuận của Phòng TĐKT")
    expect(row).to_contain_text(reason)
    expect(row).not_to_contain_text("Cần Phòng TĐKT chấp thuận")
    see(shots, board, "chap-thuan")
    history = specialist.get(f"/api/v1/dossiers/{dossier_id}/history").json()
    assert any(h["kind"] == "eligibility_overridden" and h["reason"] == reason for h in history)
