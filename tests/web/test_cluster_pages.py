"""The clusters in the pages, in a real browser against the real app: the board sees
every cluster of its authority at a glance and opens one cluster's year (its members and
their posts); a member unit's clerk sees only its own cluster. Screenshots in
tests/artifacts/web/cum-thi-dua/."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.fixtures.browser import Shots, new_context, see, sign_in
from tests.fixtures.server import AppServer

pytestmark = pytest.mark.slow

SHOTS = "cum-thi-dua"
CUM1 = "Cụm I – Các cơ quan Quản lý chuyên ngành"


def test_board_sees_every_cluster_and_a_member_its_own(
    server: AppServer, browser: Browser, shots: Shots
) -> None:
    page = sign_in(new_context(browser, server), "ptdkt.chuyenvien")
    page.get_by_role("link", name="Cụm thi đua", exact=True).first.click()
    table = page.locator("#danh-sach-cum")
    expect(table).to_contain_text(CUM1)
    # dissolved from 01/07/2025 by the demo's division decision: gone from 2026's list,
    # in 2025's with the day it ended.
    expect(table).not_to_contain_text("5 huyện biên giới")
    see(shots, page, "ban-xem-cac-cum")
    page.get_by_role("link", name="← Năm 2025").click()
    expect(table).to_contain_text("Cụm thi đua 5 huyện biên giới")
    expect(table).to_contain_text("Giải thể từ 01/07/2025")
    page.get_by_role("link", name="Năm 2026 →").click()
    table.get_by_role("link", name=CUM1).click()
    members = page.locator("#thanh-vien")
    expect(members).to_contain_text("Ban Quản lý Khu kinh tế cửa khẩu Đồng Đăng – Lạng Sơn")
    expect(members).to_contain_text("Trưởng cụm")
    see(shots, page, "nam-thi-dua-cua-cum")

    clerk = sign_in(new_context(browser, server), "bdt.canbo")
    clerk.goto("/cum-thi-dua")
    expect(clerk.locator("#danh-sach-cum")).to_contain_text(CUM1)
    expect(clerk.locator("#danh-sach-cum")).not_to_contain_text("5 huyện biên giới")
