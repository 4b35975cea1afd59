"""Eligibility in the pages, in a real browser against the real app: the clerk's last step
asks for an explanation of the failing rule and submits with it; the dossier page shows
«Điều kiện khen thưởng» with the rule set in force, the result badge, the evidence and
the explanation; the board specialist overrides the rule from the page, with a reason.
Screenshots go to tests/artifacts/web/dieu-kien/.

The person and the nominee's link to them are written into the app's database (their own
pages are built elsewhere)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from reportlab.pdfgen import canvas
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


def pdf(folder: Path, name: str) -> Path:
    path = folder / name
    c = canvas.Canvas(str(path))
    c.drawString(72, 760, "Giay chung nhan sang kien")
    c.save()
    return path


def nominee_of(page: Page, api: Api, dossier_id: int) -> int:
    return int(api.get(f"/api/v1/dossiers/{dossier_id}").json()["nominees"][0]["id"])


def test_initiatives_and_a_collectives_counts_entered_through_the_editor(
    server: AppServer, browser: Browser, shots: Shots, tmp_path: Path
):
    clerk = Api(server, CLERK)
    person = "Lường Thị Xuân"
    r = clerk.post(
        "/api/v1/dossiers",
        json={
            "award": "chien_si_thi_dua_cap_tinh",
            "year": 2026,
            "nominees": [{"kind": "individual", "name": person, "achievements": "Xuất sắc."}],
        },
    )
    assert r.status_code == 201, r.text
    dossier_id = r.json()["id"]
    page = sign_in(new_context(browser, server), CLERK)

    # The certificate: uploaded at step 3 with its kind, then chosen at step 2.
    page.goto(f"/ho-so/{dossier_id}/sua/3")
    page.get_by_label("Loại tài liệu").select_option("giay_chung_nhan_sang_kien")
    page.locator("#file").set_input_files(pdf(tmp_path, "Giấy chứng nhận sáng kiến.pdf"))
    page.get_by_role("button", name="Tải lên").click()
    expect(flash(page)).to_contain_text("Đã tải lên «Giấy chứng nhận sáng kiến»")

    page.goto(f"/ho-so/{dossier_id}/sua/2")
    block = page.locator("#n-0-sang-kien")
    expect(block.locator("[data-initiative]")).to_have_count(3)
    title = "Phần mềm quản lý hồ sơ thi đua trên toàn tỉnh"
    page.locator("#n-0-initiatives-0-title").fill(title)
    page.locator("#n-0-initiatives-0-recognized_by").fill("Hội đồng sáng kiến tỉnh")
    page.locator("#n-0-initiatives-0-recognized_on").fill("20/11/2025")
    page.locator("#n-0-initiatives-0-document_id").select_option(label="Giấy chứng nhận sáng kiến")
    page.locator("#n-0-initiatives-0-applied").check()
    # The second row half filled: refused beside its field, everything typed kept.
    page.locator("#n-0-initiatives-1-title").fill("Sổ tay tuyên truyền")
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.locator("#n-0-initiatives-0-scope-loi")).to_have_text("Không được để trống.")
    expect(page.locator("#n-0-initiatives-0-title")).to_have_value(title)
    expect(page.locator("#n-0-initiatives-0-recognized_on")).to_have_value("20/11/2025")
    expect(page.locator("#n-0-initiatives-0-applied")).to_be_checked()
    expect(page.locator("#n-0-initiatives-1-scope-loi")).to_have_text("Không được để trống.")
    expect(page.locator("#n-0-initiatives-1-title")).to_have_value("Sổ tay tuyên truyền")
    see(shots, page, "sang-kien-thieu-pham-vi")
    page.locator("#n-0-initiatives-0-scope").select_option(label="Toàn tỉnh")
    page.locator("#n-0-initiatives-1-scope").select_option(label="Cơ sở (trong đơn vị)")
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(flash(page)).to_contain_text("Đã lưu 1 tập thể, cá nhân được đề nghị.")
    expect(page.locator("#n-0-initiatives-0-scope")).to_have_value("tinh")
    expect(page.locator("#n-0-initiatives-0-document_id")).to_contain_text("Giấy chứng nhận")
    see(shots, page, "sang-kien-da-luu")
    [n] = clerk.get(f"/api/v1/dossiers/{dossier_id}").json()["nominees"]
    assert [
        (i["title"], i["scope"], i["recognized_on"], i["applied"]) for i in n["initiatives"]
    ] == [
        (title, "tinh", "2025-11-20", True),
        ("Sổ tay tuyên truyền", "co_so", None, False),
    ]
    assert n["initiatives"][0]["document_id"] is not None

    page.goto(f"/ho-so/{dossier_id}")
    row = page.locator(f"tr#dk-{n['id']}-cstd_tinh_sang_kien")
    expect(row.locator(".badge")).to_have_text("Đạt")
    expect(row).to_contain_text(f"«{title}»")
    see(shots, page, "sang-kien-dat")

    # The certificate taken out of the dossier while the step is open: refused beside it.
    page.goto(f"/ho-so/{dossier_id}/sua/2")
    doc_id = n["initiatives"][0]["document_id"]
    assert clerk.request("DELETE", f"/api/v1/dossiers/{dossier_id}/attachments/{doc_id}").is_success
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.locator("#n-0-initiatives-0-document_id-loi")).to_contain_text(
        "phải là tài liệu kèm theo của hồ sơ"
    )
    expect(page.locator("#n-0-initiatives-0-title")).to_have_value(title)
    see(shots, page, "sang-kien-giay-chung-nhan-da-go")

    # A collective proposed for Tập thể lao động xuất sắc: its counts.
    team = "Phòng Tuyên truyền"
    r = clerk.post(
        "/api/v1/dossiers",
        json={
            "award": "tap_the_lao_dong_xuat_sac",
            "year": 2026,
            "nominees": [{"kind": "collective", "name": team, "achievements": "Tốt."}],
        },
    )
    assert r.status_code == 201, r.text
    team_dossier = r.json()["id"]
    page.goto(f"/ho-so/{team_dossier}/sua/2")
    counts = page.locator("#n-0-name").locator("xpath=ancestor::fieldset[1]").locator(".counts")
    expect(counts).to_be_visible()
    typed = {
        "Tổng số thành viên": "10",
        "Số hoàn thành nhiệm vụ": "11",
        "Số đạt Lao động tiên tiến": "8",
        "Số đạt Chiến sĩ thi đua cơ sở": "1",
        "Số bị kỷ luật từ cảnh cáo trở lên": "0",
    }
    for label, value in typed.items():
        counts.get_by_label(label).fill(value)
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.locator("#n-0-collective_counts-completed_duties-loi")).to_have_text(
        "Không được lớn hơn số thành viên."
    )
    for label, value in typed.items():
        expect(counts.get_by_label(label)).to_have_value(value)
    see(shots, page, "so-lieu-tap-the-sai")
    counts.get_by_label("Số hoàn thành nhiệm vụ").fill("10")
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(flash(page)).to_contain_text("Đã lưu 1 tập thể")
    expect(counts.get_by_label("Số đạt Lao động tiên tiến")).to_have_value("8")

    page.goto(f"/ho-so/{team_dossier}")
    team_id = nominee_of(page, clerk, team_dossier)
    row = page.locator(f"tr#dk-{team_id}-ttldxs_dieu_kien")
    expect(row.locator(".badge")).to_have_text("Đạt")
    expect(row).to_contain_text("10 thành viên; 10 hoàn thành nhiệm vụ; 8 Lao động tiên tiến")
    see(shots, page, "so-lieu-tap-the-dat")
