"""Hiệp y in a real browser (Debian's Chromium driven by Playwright) against the real app:
the tax agency's reviewer signs in, lands on the requests to their agency and answers
«Không đồng ý» with a note in the page (a reply without a choice is refused in the page);
the board head sees on the round's page the nominee held back with that reason and lists
it again with a reason. Screenshots: tests/artifacts/web/hiep-y/."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.fixtures.browser import Shots, check_page, flash, new_context, see, sign_in
from tests.fixtures.route import walk_to
from tests.fixtures.server import Api, AppServer

pytestmark = pytest.mark.slow

SHOTS = "hiep-y"
SPECIALIST, BOARD_HEAD, TAX = "ptdkt.chuyenvien", "ptdkt.truongphong", "thue.canbo"
ENTERPRISE = 'Công ty TNHH <Chè> & "Mẫu Sơn"'
NOTE = "Còn nợ thuế 300 triệu đồng <quá 90 ngày> & chưa nộp"

# The council's vote is tested in test_meetings_pages.py: here none is asked.
SERVER_ENV = {"TDKT_COUNCIL_AWARDS": "-"}


def test_the_tax_agency_answers_in_the_page_and_the_head_sees_it(
    server: AppServer, browser: Browser, shots: Shots
):
    clerk = Api(server, "bdt.canbo")
    r = clerk.post(
        "/api/v1/dossiers",
        json={
            "year": 2026,
            "nominees": [
                {
                    "kind": "collective",
                    "name": ENTERPRISE,
                    "achievements": "Hoàn thành xuất sắc.",
                    "opinion_category": "enterprise",
                },
                {"kind": "individual", "name": "Hoàng Văn Sơn", "achievements": "Tốt."},
            ],
        },
    )
    assert r.status_code == 201, r.text
    dossier_id = int(r.json()["id"])
    clerk.attach(dossier_id)
    walk_to(server, dossier_id, "approved")
    specialist = Api(server, SPECIALIST)
    rnd = specialist.post(
        "/api/v1/rounds",
        json={
            "name": "Đợt hiệp y",
            "year": 2026,
            "kind": "thuong_xuyen",
            "awards": ["bang_khen_ubnd_tinh"],
        },
    ).json()
    r = specialist.post(
        f"/api/v1/rounds/{rnd['id']}/dossiers",
        json={"dossier_ids": [dossier_id], "version": rnd["version"]},
    )
    assert r.status_code == 200, r.text
    assert specialist.post(f"/api/v1/rounds/{rnd['id']}/opinions/request").status_code == 200

    # The tax agency's reviewer: home is the requests to their agency.
    page = sign_in(new_context(browser, server), TAX)
    expect(page.get_by_role("heading", level=1)).to_have_text("Yêu cầu cho ý kiến hiệp y")
    expect(page.get_by_role("heading", level=2, name=ENTERPRISE)).to_be_visible()
    expect(page.get_by_role("link", name="Hồ sơ", exact=True)).to_have_count(0)
    check_page(page)
    see(shots, page, "hop-thu-co-quan")

    page.get_by_label("Ghi chú, lý do").fill(NOTE)
    page.get_by_role("button", name="Gửi ý kiến").click()
    expect(page.locator("#loi-hiep-y")).to_contain_text("Hãy chọn «Đồng ý» hoặc «Không đồng ý»")
    expect(page.get_by_label("Ghi chú, lý do")).to_have_value(NOTE)  # what was typed stays

    page.get_by_label("Không đồng ý").check()
    page.get_by_role("button", name="Gửi ý kiến").click()
    expect(flash(page)).to_contain_text("Đã gửi ý kiến của cơ quan")
    expect(page.locator(".opinion-request .status-line")).to_contain_text(
        "Ý kiến của cơ quan: Không đồng ý"
    )
    expect(page.locator(".opinion-request .status-line")).to_contain_text(NOTE)
    see(shots, page, "da-tra-loi")

    # The board head: held back on the round's page with that reason, then listed again.
    page = sign_in(new_context(browser, server), BOARD_HEAD)
    page.goto(f"/dot-xet/{rnd['id']}")
    section = page.locator("#hiep-y")
    expect(section.get_by_role("heading", level=2)).to_have_text("Ý kiến hiệp y")
    expect(section).to_contain_text(
        "Không đủ điều kiện: ý kiến hiệp y không đồng ý của Thuế tỉnh Lạng Sơn"
    )
    expect(section).to_contain_text(NOTE)
    expect(section).to_contain_text("chưa xác nhận")
    expect(page.locator("section[aria-labelledby=danh-sach]")).not_to_contain_text(ENTERPRISE)
    check_page(page)
    see(shots, page, "bi-giu-lai")

    section.get_by_role("button", name="Vẫn đưa vào danh sách").click()
    expect(page.get_by_role("alert")).to_contain_text("Cần nêu lý do")
    page.locator("#hiep-y").get_by_label("Lý do vẫn đưa vào danh sách").fill(
        "Đã nộp đủ thuế ngày 01/12/2026"
    )
    page.locator("#hiep-y").get_by_role("button", name="Vẫn đưa vào danh sách").click()
    expect(flash(page)).to_contain_text("Đã đưa đối tượng vào danh sách")
    expect(page.locator("section[aria-labelledby=danh-sach]")).to_contain_text(ENTERPRISE)
    expect(page.locator("#hiep-y")).to_contain_text("Lý do: Đã nộp đủ thuế ngày 01/12/2026")
    see(shots, page, "van-dua-vao")
