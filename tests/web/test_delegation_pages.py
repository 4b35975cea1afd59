"""«Ủy quyền» in a real browser (Debian's Chromium driven by Playwright) against the real
app: the board head opens «Ủy quyền» from the account menu, a refusal is shown by its
field, then delegates their role to the Phó Trưởng phòng for a week (KT.); the deputy
sees it on their own page; the admin's «Vắng mặt, người thay» lists it and revokes it.
Screenshots: tests/artifacts/web/uy-quyen/."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, expect

from documents.vn import today_vn
from tests.fixtures.browser import new_context, see, sign_in
from tests.fixtures.server import Api, AppServer

pytestmark = pytest.mark.slow

SHOTS = "uy-quyen"
BOARD_HEAD, DEPUTY, ADMIN = "ptdkt.truongphong", "ptdkt.photruongphong", "admin"


def test_the_head_delegates_from_the_account_menu_and_the_admin_revokes(
    server: AppServer, browser: Browser, shots
):
    deputy_name = Api(server, DEPUTY).get("/api/v1/me").json()["full_name"]
    page = sign_in(new_context(browser, server), BOARD_HEAD)
    page.get_by_role("link", name="Ủy quyền", exact=True).click()
    expect(page).to_have_url(re.compile(r"/tai-khoan/uy-quyen$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Ủy quyền, ký thay")

    week = (today_vn() + timedelta(days=6)).isoformat()
    page.get_by_label("Tài khoản người nhận ủy quyền").fill(BOARD_HEAD)
    page.get_by_label("Đến hết ngày").fill(week)
    page.get_by_role("button", name="Ghi nhận").click()
    expect(page.get_by_text("Không thể tự ủy quyền cho chính mình.")).to_be_visible()

    page.get_by_label("Tài khoản người nhận ủy quyền").fill(DEPUTY)
    page.get_by_label("Lý do").fill("Nghỉ phép năm")
    page.get_by_role("button", name="Ghi nhận").click()
    expect(page.get_by_text("Đã ghi nhận việc ủy quyền.")).to_be_visible()
    row = page.locator("tbody tr").first
    expect(row).to_contain_text(deputy_name)
    expect(row).to_contain_text("KT. – Ký thay")
    expect(row).to_contain_text("Đang hiệu lực")
    see(shots, page, "uy-quyen-cua-toi")

    deputy = sign_in(new_context(browser, server), DEPUTY)
    deputy.goto("/tai-khoan/uy-quyen")
    expect(deputy.locator("tbody tr").first).to_contain_text("Đang hiệu lực")
    # The header says the role she holds meanwhile, and that it is delegated.
    expect(deputy.locator(".who-role")).to_contain_text("được ủy quyền")

    admin = sign_in(new_context(browser, server), ADMIN)
    admin.get_by_role("link", name="Vắng mặt, người thay").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Vắng mặt và người thay")
    admin_row = admin.locator("tbody tr").first
    expect(admin_row).to_contain_text(deputy_name)
    see(shots, admin, "vang-mat-nguoi-thay")
    admin_row.get_by_role("button", name="Thu hồi").click()
    expect(admin.get_by_text("Đã thu hồi việc ủy quyền")).to_be_visible()
    expect(admin.locator("tbody tr").first).to_contain_text("Đã thu hồi")
    assert not Api(server, DEPUTY).get("/api/v1/delegations").json()[0]["in_force"]
