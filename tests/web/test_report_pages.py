"""The statistics reports in the pages, in a real browser against the real app: the board
opens «Báo cáo thống kê» from the menu, sees the forms in force with their legal basis
and what is unconfirmed, downloads 0603.N as XLSX with the province's counts, enters
0601.N's figures (the database has no movements) and gets them back in the XLSX, and a
PDF; a unit's clerk is offered only her unit and no entry. Screenshots in
tests/artifacts/web/bao-cao/."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from documents.vn import today_vn
from storage.models import Collective, RegistryAward, Unit
from tests.fixtures.browser import Shots, new_context, see, sign_in
from tests.fixtures.decisions_seed import database
from tests.fixtures.server import PIN, AppServer

pytestmark = pytest.mark.slow

SHOTS = "bao-cao"
SPECIALIST, CLERK, HEAD = "ptdkt.chuyenvien", "bdt.canbo", "ptdkt.truongphong"
YEAR = 2025


def add_awards(server: AppServer) -> None:
    """Two Bằng khen and a Cờ thi đua of the province in 2025, to BDT's collective."""
    db = database(server)
    with db.write() as s:
        bdt = s.scalar(select(Unit).where(Unit.code == "BDT"))
        assert bdt is not None
        col = s.scalar(select(Collective).where(Collective.unit_id == bdt.id))
        assert col is not None
        for n, award in enumerate(
            ("bang_khen_ubnd_tinh", "bang_khen_ubnd_tinh", "co_thi_dua_ubnd_tinh")
        ):
            s.add(
                RegistryAward(
                    collective_id=col.id,
                    award=award,
                    year=YEAR,
                    decision_number=f"{n + 1}/QĐ-UBND",
                    decision_date=date(YEAR, 12, 1),
                    issuer="Chủ tịch UBND tỉnh",
                    source="import",
                    holder_name=col.name,
                    unit_id=bdt.id,
                )
            )
    db.dispose()


def row_values(data: bytes, code: str) -> list[object]:
    ws = load_workbook(io.BytesIO(data)).active
    assert ws is not None
    r = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value == code)
    return [ws.cell(r, c).value for c in range(4, ws.max_column + 1)]


def test_board_downloads_and_enters_a_report(server: AppServer, browser: Browser, shots: Shots):
    add_awards(server)
    page = sign_in(new_context(browser, server), SPECIALIST)
    page.get_by_role("link", name="Báo cáo thống kê").click()
    page.get_by_label("Năm báo cáo").fill(str(YEAR))
    page.get_by_role("button", name="Xem").click()
    expect(page.locator("h1")).to_have_text(f"Báo cáo thống kê thi đua, khen thưởng năm {YEAR}")
    expect(page.locator("main")).to_contain_text("Thông tư số 02/2023/TT-BNV")
    expect(page.locator("main")).to_contain_text("Mẫu biểu chưa xác nhận")
    expect(page.locator("main")).to_contain_text("18/2025/TT-BNV")
    expect(page.locator("main")).to_contain_text("0605.N")
    see(shots, page, "danh-sach-bieu")

    with page.expect_download() as got:
        page.get_by_role("link", name="Tải 0603.N (XLSX)").click()
    data = got.value.path().read_bytes()
    # Tổng số 3 = Bằng khen 2 + Cờ 1, all to a collective, all yearly.
    assert row_values(data, "01")[:4] == [3, 2, 0, 1]
    assert row_values(data, "02")[:4] == [3, 2, 0, 1]

    page.get_by_role("link", name="Nhập số liệu 0601.N").click()
    page.get_by_label("- Toàn quốc – cột 2").fill("2")
    page.get_by_label("- Cơ quan, tổ chức, đơn vị – cột 4").fill("5")
    page.get_by_label(
        "- Cụm, khối thi đua do Hội đồng Thi đua - Khen thưởng các cấp tổ chức – cột 3"
    ).fill("abc")
    page.get_by_role("button", name="Lưu số liệu").click()
    expect(page.get_by_role("alert")).to_contain_text("số nguyên không âm")
    # What was typed is still there to correct.
    expect(page.get_by_label("- Toàn quốc – cột 2")).to_have_value("2")
    page.get_by_label(
        "- Cụm, khối thi đua do Hội đồng Thi đua - Khen thưởng các cấp tổ chức – cột 3"
    ).fill("1")
    page.get_by_label("Chức danh người ký").fill("Giám đốc Sở Nội vụ")
    page.get_by_role("button", name="Lưu số liệu").click()
    expect(page.locator("main")).to_contain_text("Đã lưu số liệu nhập tay của biểu 0601.N")
    see(shots, page, "nhap-0601")

    page.get_by_role("link", name="Về danh sách biểu").click()
    with page.expect_download() as got:
        page.get_by_role("link", name="Tải 0601.N (XLSX)").click()
    data = got.value.path().read_bytes()
    assert row_values(data, "01") == [8, 2, 1, 5]
    ws = load_workbook(io.BytesIO(data)).active
    assert ws is not None
    assert any(
        ws.cell(r, c).value == "GIÁM ĐỐC SỞ NỘI VỤ"
        for r in range(1, ws.max_row + 1)
        for c in range(1, ws.max_column + 1)
    )
    with page.expect_download() as got:
        page.get_by_role("link", name="Tải 0603.N (PDF)").click()
    assert got.value.path().read_bytes().startswith(b"%PDF")

    # 0605.N: every figure entered; «Nữ» above «Tổng số» refused with what was typed kept.
    page.get_by_role("link", name="Nhập số liệu 0605.N").click()
    expect(page.locator("main")).to_contain_text("Mẫu biểu chưa xác nhận")
    expect(page.locator("table.report-grid thead")).not_to_contain_text("Đơn vị tính")
    page.get_by_label("- Từ 30 trở xuống – cột 1").fill("2")
    page.get_by_label("- Từ 30 trở xuống – cột 2").fill("3")
    page.get_by_role("button", name="Lưu số liệu").click()
    expect(page.get_by_role("alert")).to_contain_text("«Trong đó: Nữ» (3) lớn hơn «Tổng số» (2)")
    expect(page.get_by_label("- Từ 30 trở xuống – cột 2")).to_have_value("3")
    page.get_by_label("- Từ 30 trở xuống – cột 2").fill("1")
    page.get_by_role("button", name="Lưu số liệu").click()
    expect(page.locator("main")).to_contain_text("Đã lưu số liệu nhập tay của biểu 0605.N")
    see(shots, page, "nhap-0605")
    page.context.close()

    clerk = sign_in(new_context(browser, server), CLERK)
    clerk.goto(f"/bao-cao?nam={YEAR}")
    options = clerk.locator("#pham-vi option")
    expect(options).to_have_count(1)
    expect(options.first).to_contain_text("Ban Dân tộc tỉnh")
    expect(clerk.get_by_role("link", name="Nhập số liệu 0601.N")).to_have_count(0)
    see(shots, clerk, "don-vi")
    clerk.context.close()

    # The board's head signs 0603.N with the PIN; the Sở's seal follows.
    head = sign_in(new_context(browser, server), HEAD)
    head.goto("/bao-cao/0603.N/nhap")  # typed without a year: this year's
    expect(head.locator("h1")).to_contain_text(f"năm {today_vn().year}")
    head.goto(f"/bao-cao/0603.N/nhap?nam={YEAR}&pham-vi=province")
    expect(head.locator("#ky-ban-hanh + p")).to_have_text("Chưa ký ban hành.")
    head.get_by_label("Mã PIN ký số").fill(PIN)
    head.get_by_role("button", name="Ký và đóng dấu báo cáo").click()
    expect(head.locator("main")).to_contain_text("Đã ký và đóng dấu biểu 0603.N năm 2025")
    see(shots, head, "da-ky")
    with head.expect_download() as got:
        head.get_by_role("link", name="Tải bản đã ký (PDF)").click()
    signed = got.value.path().read_bytes()
    assert signed.startswith(b"%PDF") and signed.count(b"/ByteRange") == 2
    head.context.close()
