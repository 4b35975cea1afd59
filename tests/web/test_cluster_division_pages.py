"""The admin records a division decision in a real browser: from the cluster terms page
to /quan-tri/phan-cum, the demo's decision (the border districts' cluster ended on
01/7/2025) listed with what it changed; a decision without a number refused next to the
field, with what was chosen kept; then one moving Ban Quản lý Dự án to another cluster
from 01/01/2027, listed, and the members on 02/01/2027 showing it there. Another user
cannot open the page. Screenshots in tests/artifacts/web/phan-cum/."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.fixtures.browser import Shots, flash, new_context, see, sign_in
from tests.fixtures.server import AppServer

pytestmark = pytest.mark.slow

SHOTS = "phan-cum"
BQLDA = "Ban Quản lý Dự án Đầu tư xây dựng tỉnh Lạng Sơn"
DNTW = "Cụm I – Các doanh nghiệp Trung ương"
CUM1 = "Cụm I – Các cơ quan Quản lý chuyên ngành"
TITLE = 'Điều chỉnh cụm <I> & "khối" {{ năm }}'


def test_admin_records_a_division_decision(
    server: AppServer, browser: Browser, shots: Shots
) -> None:
    page = sign_in(new_context(browser, server), "admin")
    page.goto("/quan-tri/cum-thi-dua")
    page.get_by_role("link", name="Phân cụm, khối thi đua theo quyết định").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Phân cụm, khối thi đua theo quyết định"
    )
    decisions = page.locator("#cac-quyet-dinh")
    expect(decisions).to_contain_text("15/QĐ-UBND (dữ liệu mẫu)")
    expect(decisions).to_contain_text("Chấm dứt Cụm thi đua 5 huyện biên giới")
    expect(decisions).to_contain_text("UBND huyện Văn Lãng: Cụm thi đua 5 huyện biên giới →")
    expect(page.locator("#cac-cum")).not_to_contain_text("5 huyện biên giới")
    see(shots, page, "phan-cum-hien-nay")

    # A row filled, the number forgotten: refused next to the field, the choices kept.
    page.get_by_label("Ngày ký").fill("2026-12-01")
    page.get_by_label("Có hiệu lực từ ngày").fill("2027-01-01")
    page.get_by_label("Trích yếu").fill(TITLE)
    row = page.locator("#op-0")
    row.get_by_label("Loại thay đổi").select_option(label="Chuyển đơn vị sang cụm khác")
    row.get_by_label("Đơn vị").select_option(label=f"{BQLDA} — {CUM1}")
    row.get_by_label("Sang cụm").select_option(label=DNTW)
    page.get_by_role("button", name="Ghi quyết định").click()
    expect(page.locator("#number-loi")).to_have_text("Cần nhập số quyết định.")
    expect(page.get_by_label("Số quyết định")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Trích yếu")).to_have_value(TITLE)
    expect(page.locator("#op-0").get_by_label("Sang cụm")).to_have_value(
        page.locator("#op-0-to option", has_text=DNTW).first.get_attribute("value") or ""
    )
    see(shots, page, "thieu-so-quyet-dinh")

    # A move with no target cluster: the row says what is missing.
    page.get_by_label("Số quyết định").fill("2345/QĐ-UBND")
    page.locator("#op-1").get_by_label("Loại thay đổi").select_option(
        label="Chuyển đơn vị sang cụm khác"
    )
    page.get_by_role("button", name="Ghi quyết định").click()
    expect(page.locator("#op-1-loi")).to_have_text("Hãy chọn đơn vị cần chuyển.")
    page.locator("#op-1").get_by_label("Loại thay đổi").select_option(value="")
    page.get_by_role("button", name="Ghi quyết định").click()

    expect(flash(page)).to_contain_text("Đã ghi Quyết định 2345/QĐ-UBND: 1 đơn vị thay đổi cụm")
    first = page.locator("#cac-quyet-dinh tbody tr").first
    expect(first).to_contain_text("2345/QĐ-UBND")
    expect(first).to_contain_text(TITLE)
    expect(first).to_contain_text(f"{BQLDA}: {CUM1} → {DNTW}")
    see(shots, page, "da-ghi-quyet-dinh")

    # Today the unit is still in Cụm I; from 01/01/2027 in the other cluster.
    page.get_by_label("Xem vào ngày").fill("2027-01-02")
    page.get_by_role("button", name="Xem", exact=True).click()
    expect(page.get_by_role("heading", level=2).first).to_contain_text("02/01/2027")
    expect(page.locator("#cac-cum")).to_contain_text(
        f"{BQLDA} — từ 01/01/2027, theo Quyết định 2345/QĐ-UBND"
    )
    see(shots, page, "thanh-vien-nam-2027")

    # Who may lead a cluster in a year: its members that year, as the decisions say.
    def head_choices(year: int, cluster: str) -> list[str]:
        page.goto(f"/quan-tri/cum-thi-dua?nam={year}")
        section = page.locator("section.term", has=page.get_by_role("heading", name=cluster))
        options = section.get_by_label(f"Đơn vị Trưởng cụm năm {year}").locator("option")
        return options.all_inner_texts()

    assert BQLDA in head_choices(2026, CUM1) and BQLDA not in head_choices(2026, DNTW)
    assert BQLDA not in head_choices(2027, CUM1) and BQLDA in head_choices(2027, DNTW)
    see(shots, page, "truong-cum-2027")

    clerk = sign_in(new_context(browser, server), "bqlda.canbo")
    r = clerk.goto("/quan-tri/phan-cum")
    assert r is not None and r.status == 403
