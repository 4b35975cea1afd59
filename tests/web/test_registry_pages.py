"""The awards registry in the pages, in a real browser (Debian's Chromium driven by
Playwright) against the real app: the board finds a person's awards by typing her name
without diacritics and opens her record from the result; a file of past awards is
uploaded, checked with its progress shown, its bad row shown on its row and column, and
only its clean rows written; a unit's clerk searching sees only her unit's records; no
page shows an identity number. Screenshots in tests/artifacts/web/so-khen-thuong/."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.fixtures.browser import Shots, new_context, see, sign_in
from tests.fixtures.server import AppServer

pytestmark = pytest.mark.slow

SHOTS = "so-khen-thuong"
CLERK, OTHER_CLERK, SPECIALIST = "bdt.canbo", "lmhtx.canbo", "ptdkt.chuyenvien"
TUYET_CCCD = "020186004517"  # the demo's (tdkt/seed.py)
HEADER = (
    "Họ tên,Số định danh (CCCD),Ngày sinh,Giới tính,Đơn vị (mã),Loại (cá nhân/tập thể),"
    "Mã khen thưởng,Năm,Số quyết định,Ngày quyết định,Cơ quan quyết định,Hình thức"
)
ROWS = (
    "Lường Văn Tám,020080123456,02/03/1980,Nam,BDT,Cá nhân,lao_dong_tien_tien,2022,"
    '"12/QĐ-BDT",20/12/2022,"Trưởng Ban Dân tộc <tỉnh> & ""{{ x }}""",Thường xuyên',
    "Lường Văn Tám,020080123456,02/03/1980,Nam,BDT,Cá nhân,khong_co_ma,2023,"
    "13/QĐ-BDT,20/12/2023,Trưởng Ban Dân tộc,Thường xuyên",
    "Phòng Chính sách,,,,BDT,Tập thể,tap_the_lao_dong_tien_tien,2023,"
    "14/QĐ-BDT,20/12/2023,Trưởng Ban Dân tộc,Thường xuyên",
)


def test_board_searches_and_imports_a_file_of_past_awards(
    server: AppServer, browser: Browser, shots: Shots
) -> None:
    page = sign_in(new_context(browser, server), SPECIALIST)
    page.get_by_role("link", name="Tra cứu khen thưởng").click()
    page.get_by_label("Tên, khen thưởng, số quyết định").fill("hoang thi anh tuyet")
    page.get_by_role("button", name="Tìm", exact=True).click()
    results = page.locator("#ket-qua-khen-thuong")
    expect(results).to_contain_text("Hoàng Thị Ánh Tuyết")
    expect(results).to_contain_text("2023")
    expect(results).to_contain_text("2024")
    assert TUYET_CCCD not in page.content()
    see(shots, page, "tra-cuu-khong-dau")
    results.get_by_role("link", name="Hoàng Thị Ánh Tuyết").first.click()
    expect(page.locator("h1")).to_have_text("Hoàng Thị Ánh Tuyết")

    page.goto("/tra-cuu-khen-thuong/nhap")
    data = "\n".join((HEADER, *ROWS)).encode("utf-8-sig")
    page.set_input_files(
        "#tep", files=[{"name": "khen-thuong-cu.csv", "mimeType": "text/csv", "buffer": data}]
    )
    page.get_by_role("button", name="Tải lên và kiểm tra").click()
    # The page refreshes itself while the rows are checked.
    expect(page.locator(".status")).to_have_text("Đã kiểm tra – chờ xác nhận", timeout=60_000)
    problems = page.locator("#loi-nhap")
    expect(problems.locator("tbody tr")).to_have_count(1)
    row = problems.locator("tbody tr").first
    expect(row.locator("td").nth(0)).to_have_text("2")
    expect(row.locator("td").nth(1)).to_have_text("Mã khen thưởng")
    expect(row.locator("td").nth(3)).to_have_text("award_unknown")
    assert "020080123456" not in page.content()
    see(shots, page, "nhap-xem-truoc")
    page.get_by_role("button", name="Chỉ ghi 2 dòng không lỗi").click()
    expect(page.locator("main p[role=status]").last).to_contain_text("đã ghi 2 khen thưởng vào sổ")
    see(shots, page, "nhap-da-ghi")

    page.goto("/tra-cuu-khen-thuong?q=luong+van+tam")
    results = page.locator("#ket-qua-khen-thuong")
    expect(results).to_contain_text("Lường Văn Tám")
    expect(results).to_contain_text("Lao động tiên tiến")
    # The issuer's text as typed, escaped, not markup.
    expect(results).to_contain_text('Trưởng Ban Dân tộc <tỉnh> & "{{ x }}"')
    page.context.close()

    # Another unit's clerk finds nothing of BDT's people.
    other = sign_in(new_context(browser, server), OTHER_CLERK)
    other.goto("/tra-cuu-khen-thuong?q=luong+van+tam")
    expect(other.locator("#ket-qua-khen-thuong")).to_have_count(0)
    expect(other.locator(".result-count")).to_contain_text("Tìm thấy 0 khen thưởng")
    see(shots, other, "don-vi-khac")
    other.context.close()

    # BDT's own clerk does.
    clerk = sign_in(new_context(browser, server), CLERK)
    clerk.goto("/tra-cuu-khen-thuong?q=luong+van+tam")
    expect(clerk.locator("#ket-qua-khen-thuong")).to_contain_text("Lường Văn Tám")
    clerk.context.close()
