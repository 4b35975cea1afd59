"""The cluster's plan in a real browser against the real app: the head unit's cluster
approver drafts the plan (goals, calendar, criteria rows added and removed, text with
`< & " {{ }}` and diacritics), saves it, is refused while a date is out of order, issues
it with the PIN; a member's clerk reads the issued plan and downloads the signed PDF,
rendered to PNG to look at. Screenshots in tests/artifacts/web/ke-hoach-cum/."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.fixtures.browser import Shots, new_context, see, sign_in
from tests.fixtures.server import PIN, AppServer

pytestmark = pytest.mark.slow

SHOTS = "ke-hoach-cum"
CUM1 = "Cụm I – Các cơ quan Quản lý chuyên ngành"
TRICKY = 'Tỷ lệ hồ sơ đúng hạn ≥ 98% <"mức A"> & {{ chỉ tiêu }}'


def fill_row(page: Page, i: int, group: str, code: str, title: str, points: str) -> None:
    page.locator(f"[name='tc-{i}-group_name']").fill(group)
    page.locator(f"[name='tc-{i}-code']").fill(code)
    page.locator(f"[name='tc-{i}-title']").fill(title)
    page.locator(f"[name='tc-{i}-max_points']").fill(points)


def test_head_unit_drafts_and_issues_the_plan_members_read_it(
    server: AppServer, browser: Browser, shots: Shots, tmp_path: Path
) -> None:
    page = sign_in(new_context(browser, server), "bqlkkt.cum")
    page.goto("/cum-thi-dua")
    page.locator("#danh-sach-cum").get_by_role("link", name=CUM1).click()
    year_url = page.url
    section = page.locator("#ke-hoach")
    expect(section).to_contain_text("chưa lập kế hoạch")
    section.get_by_role("link", name="Lập kế hoạch").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kế hoạch thi đua năm 2026")

    page.get_by_label("Mục đích, yêu cầu").fill(
        "Đẩy mạnh phong trào thi đua yêu nước năm 2026.\nHoàn thành xuất sắc nhiệm vụ & chỉ tiêu."
    )
    page.get_by_label("Ký kết giao ước thi đua").fill("2026-02-20")
    page.get_by_label("Hạn đăng ký thi đua").fill("2026-03-15")
    page.get_by_label("Hội nghị sơ kết").fill("2026-12-20")  # after the tổng kết: refused
    page.get_by_label("Hội nghị tổng kết").fill("2026-12-10")
    fill_row(page, 0, "Thực hiện nhiệm vụ chuyên môn", "1.1", TRICKY, "40")
    page.get_by_label("Bắt buộc, dòng 1").check()
    page.get_by_label("Minh chứng, dòng 1").fill("Báo cáo kết quả có số liệu")
    fill_row(page, 1, "Thực hiện nhiệm vụ chuyên môn", "1.2", "Cải cách hành chính", "20,5")
    page.get_by_role("button", name="Thêm dòng tiêu chí").click()
    page.get_by_role("button", name="Thêm dòng tiêu chí").click()
    expect(page.locator("[data-criterion-row]")).to_have_count(4)  # two blank, two added
    fill_row(page, 2, "Công tác thi đua, khen thưởng", "2.1", "Tổ chức phong trào thi đua", "39,5")
    fill_row(page, 3, "Công tác thi đua, khen thưởng", "2.2", "Dòng sẽ xóa", "5")
    page.get_by_role("button", name="Xóa dòng 4").click()
    expect(page.locator("[data-criterion-row]")).to_have_count(3)
    see(shots, page, "truong-cum-lap-ke-hoach")
    page.get_by_role("button", name="Lưu dự thảo").click()
    expect(page.locator("p.flash")).to_contain_text("Đã lưu dự thảo kế hoạch")
    problems = page.locator(".plan-problems")
    expect(problems).to_contain_text("Ngày hội nghị sơ kết phải trước ngày hội nghị tổng kết.")
    expect(page.get_by_role("button", name="Ký và ban hành kế hoạch")).to_have_count(0)
    expect(page.locator("[name='tc-0-title']")).to_have_value(TRICKY)
    expect(page.locator("#tong-diem")).to_have_text("100")
    see(shots, page, "du-thao-chua-du-de-ban-hanh")

    page.get_by_label("Hội nghị sơ kết").fill("2026-07-15")
    page.get_by_role("button", name="Lưu dự thảo").click()
    expect(page.locator(".plan-problems")).to_have_count(0)
    page.get_by_label("Mã PIN ký số").fill(PIN)
    page.get_by_role("button", name="Ký và ban hành kế hoạch").click()
    expect(page.locator("p.flash")).to_contain_text("Đã ký Kế hoạch")
    deadline = time.monotonic() + 180
    while not page.locator("#ke-hoach .plan-number").count():
        assert time.monotonic() < deadline, "the plan was not numbered"
        page.wait_for_timeout(500)
        page.goto(year_url)
    number = page.locator("#ke-hoach .plan-number").inner_text()
    assert "/KH-" in number, number
    expect(page.locator("#ke-hoach")).to_contain_text("Đã ban hành")
    see(shots, page, "ke-hoach-da-ban-hanh")

    # A member's clerk: the plan, read-only, with its criteria and total; the signed PDF.
    clerk = sign_in(new_context(browser, server), "bdt.canbo")
    clerk.goto(year_url)
    plan = clerk.locator("#ke-hoach")
    expect(plan.locator(".plan-number")).to_have_text(number)
    expect(plan.locator(".plan-criteria")).to_contain_text(TRICKY)
    expect(plan.locator(".plan-total")).to_have_text("100")
    expect(plan.locator(".plan-criteria")).to_contain_text("Bắt buộc")
    expect(plan.locator(".plan-criteria")).not_to_contain_text("Dòng sẽ xóa")
    expect(plan.get_by_role("link", name="Sửa, ban hành kế hoạch")).to_have_count(0)
    see(shots, clerk, "thanh-vien-xem-ke-hoach")
    # The notification of the issued plan leads to the year's page.
    clerk.goto("/thong-bao")
    clerk.get_by_role("link", name=f"Kế hoạch thi đua năm 2026 đã ban hành (số {number})").click()
    expect(clerk.locator("#ke-hoach .plan-number")).to_have_text(number)
    assert clerk.url.split("#")[0] == year_url
    response = clerk.goto(year_url + "/ke-hoach")
    assert response is not None and response.status == 403
    clerk.goto(year_url)
    with clerk.expect_download() as download:
        plan.get_by_role("link", name="Tải về (PDF)").click()
    pdf = tmp_path / "ke-hoach.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    # The page's own check of the signatures: the leader's and the seal, both valid.
    plan.get_by_role("link", name="Kiểm tra chữ ký số").click()
    expect(clerk.locator(".badge.ok")).to_have_count(2, timeout=60_000)
    see(shots, clerk, "thanh-vien-kiem-tra-chu-ky")
    out = shots.folder / "pdf-ke-hoach"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "70", str(pdf), str(out)], check=True, capture_output=True
    )
    assert sorted(shots.folder.glob("pdf-ke-hoach*.png"))
