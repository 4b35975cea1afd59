"""The dashboards in a real browser (Debian's Chromium) against the real app, with the demo's
2025 history (`tdkt demo stats`): the Phòng's head opens «Thống kê» from the menu, sees
each chart (SVG drawn on the server) beside its table for the province, moves to the
waiting times and downloads a table as XLSX that holds the page's rows; a unit's clerk
sees only her own unit's numbers. Screenshots in tests/artifacts/web/thong-ke/."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, expect

from tests.fixtures.browser import Shots, new_context, see, sign_in
from tests.fixtures.server import AppServer

pytestmark = pytest.mark.slow

SHOTS = "thong-ke"
HEAD, CLERK = "ptdkt.truongphong", "bdt.canbo"
OWN_UNIT, OTHER_UNIT = "Ban Dân tộc tỉnh", "Bưu điện tỉnh Lạng Sơn"


@pytest.fixture(scope="module")
def demo(server: AppServer) -> AppServer:
    done = server.cli("demo", "stats")
    assert "Đã tạo dữ liệu mẫu cho thống kê" in done.stdout, done.stdout + done.stderr
    return server


def test_the_board_head_reads_the_province_and_downloads_a_table(
    demo: AppServer, browser: Browser, shots: Shots
) -> None:
    page = sign_in(new_context(browser, demo), HEAD)
    page.get_by_role("link", name="Thống kê", exact=True).click()
    page.get_by_role("textbox", name="Năm").fill("2025")
    page.get_by_role("button", name="Xem").click()
    expect(page.locator("h1")).to_have_text("Thống kê thi đua, khen thưởng năm 2025")
    expect(page.locator("main")).to_contain_text("Phạm vi số liệu: Toàn tỉnh")
    status = page.locator("#by_status")
    expect(status.locator("svg")).to_be_visible()
    expect(status.locator("svg")).to_contain_text("Đã duyệt, trình khen thưởng")
    expect(status.locator("table")).to_contain_text("Đã duyệt, trình khen thưởng")
    expect(page.locator("#nominee_shares table")).to_contain_text(OTHER_UNIT)
    expect(page.locator("main")).to_contain_text("TDKT_STATS_MIN_GROUP")
    see(shots, page, "toan-tinh")

    page.get_by_role("link", name="Thời gian xử lý").click()
    expect(page.locator("h1")).to_have_text("Thời gian xử lý hồ sơ năm 2025")
    steps = page.locator("#by_step")
    expect(steps.locator("svg")).to_contain_text("Chờ thẩm định")
    rows = steps.locator("tbody tr")
    expect(rows).to_have_count(6)
    shown = [[c.strip() for c in r.locator("td").all_inner_texts()] for r in rows.all()]
    see(shots, page, "thoi-gian-xu-ly")
    with page.expect_download() as got:
        steps.get_by_role("link", name="Tải bảng (XLSX)").click()
    ws = load_workbook(io.BytesIO(got.value.path().read_bytes())).worksheets[0]
    cells = [list(r) for r in ws.iter_rows(min_row=2, max_row=7, values_only=True)]

    def text(v: object) -> str:
        return f"{v:g}".replace(".", ",") if isinstance(v, int | float) else str(v)

    assert [[text(v) for v in r] for r in cells] == shown
    assert ws["A1"].value == "Bước (trạng thái chờ)" and ws["A1"].font.b


def test_a_unit_sees_only_its_own_numbers(demo: AppServer, browser: Browser, shots: Shots) -> None:
    page = sign_in(new_context(browser, demo), CLERK)
    page.goto("/thong-ke?nam=2025")
    expect(page.locator("main")).to_contain_text(f"Phạm vi số liệu: Đơn vị: {OWN_UNIT}")
    expect(page.locator("#nominee_shares table")).to_contain_text(OWN_UNIT)
    assert OTHER_UNIT not in page.content()
    see(shots, page, "don-vi")
    page.goto("/thong-ke/thoi-gian-xu-ly?nam=2025")
    expect(page.locator("#by_unit table")).to_contain_text(OWN_UNIT)
    assert OTHER_UNIT not in page.content()
