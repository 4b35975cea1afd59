"""The public register of decisions and the decision maker's pages in a real browser
(Debian's Chromium driven by Playwright): anyone, without signing in, goes from
`/cong-khai` to the register of decisions and to a decision's list (no date of birth, no
achievements), also 390 px wide; the Chủ tịch UBND tỉnh finds the decision waiting for
their signature on the home page and in the menu's «Quyết định khen thưởng».
The decisions are written straight into the server's database
(tests/fixtures/decisions_seed.py). Screenshots: tests/artifacts/web/quyet-dinh/."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Browser, expect

from tests.fixtures.browser import PHONE, Shots, new_context, see, sign_in
from tests.fixtures.decisions_seed import decided_round, new_dossier, waiting_for_signature
from tests.fixtures.server import AppServer

pytestmark = pytest.mark.slow

SHOTS = "quyet-dinh"
SERVER_ENV = {"TDKT_COUNCIL_AWARDS": "-"}
SECRET = "Sáng kiến cải cách thủ tục số 7731"


def test_the_public_finds_an_issued_decision_and_its_list(
    server: AppServer, browser: Browser, shots: Shots
):
    dossier = new_dossier(
        server,
        [
            {
                "kind": "individual",
                "name": "Vi Thị Hồng",
                "job_title": "Phó Trưởng phòng",
                "unit_name": "Phòng Chính sách",
                "birth_date": "1979-08-21",
                "achievements": SECRET,
            },
            {"kind": "collective", "name": "Phòng Tổng hợp", "achievements": SECRET},
        ],
    )
    decided_round(
        server,
        "Đợt khen thưởng chuyên đề 2026",
        dossier,
        number="12/QĐ-UBND",
        decided_on=date(2026, 11, 28),
        published=False,
    )
    for viewport, suffix in ((None, ""), (PHONE, "-390px")):
        context = new_context(browser, server, **({"viewport": viewport} if viewport else {}))
        page = context.new_page()
        page.goto("/cong-khai")
        page.get_by_role("link", name="Các quyết định khen thưởng đã ban hành").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Công khai quyết định khen thưởng"
        )
        see(shots, page, "so-quyet-dinh" + suffix)
        page.get_by_role("link", name="12/QĐ-UBND").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Quyết định số 12/QĐ-UBND ngày 28/11/2026"
        )
        table = page.locator("#danh-sach-khen-thuong")
        expect(table).to_contain_text("Vi Thị Hồng")
        expect(table).to_contain_text("Phó Trưởng phòng")
        expect(table).to_contain_text("Phòng Tổng hợp")
        body = page.locator("body").inner_text()
        assert "1979" not in body and "21/08" not in body and SECRET not in body
        see(shots, page, "quyet-dinh-cong-khai" + suffix)
        context.close()


def test_the_chairman_signs_from_the_home_page_and_the_menu(
    server: AppServer, browser: Browser, shots: Shots
):
    decision_id = waiting_for_signature(server, "Đợt chờ ký trên trang chủ 2026")
    for viewport, suffix in ((None, ""), (PHONE, "-390px")):
        context = new_context(browser, server, **({"viewport": viewport} if viewport else {}))
        page = sign_in(context, "ubnd.chutich")
        inbox = page.locator("section[aria-labelledby='quyet-dinh-cho']")
        expect(inbox).to_contain_text("Đợt chờ ký trên trang chủ 2026")
        expect(inbox).to_contain_text("Chờ lãnh đạo UBND tỉnh ký")
        see(shots, page, "trang-chu-chu-tich" + suffix)
        page.get_by_role("navigation", name="Trang chính").get_by_role(
            "link", name="Quyết định khen thưởng"
        ).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Quyết định khen thưởng")
        row = page.locator("#ds-quyet-dinh tr", has_text="Đợt chờ ký trên trang chủ 2026")
        expect(row).to_contain_text("Chờ bạn")
        see(shots, page, "danh-sach-quyet-dinh" + suffix)
        row.get_by_role("link", name=f"Dự thảo số {decision_id}").click()
        expect(page).to_have_url(f"{server.base}/quyet-dinh/{decision_id}")
        context.close()
