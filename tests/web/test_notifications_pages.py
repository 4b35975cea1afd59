"""Thông báo in a real browser (Debian's Chromium driven by Playwright) against the real
app: when decisions awarding the unit's dossiers are issued (uploaded signed through the
API), the unit's clerk sees «Thông báo (n)» in the menu of every page; the page lists
the news newest first with its time, unread ones marked, the dossier's title shown
literally (escaped); opening one goes to the dossier and the count drops; «Đánh dấu đã
đọc tất cả» marks the rest. Screenshots: tests/artifacts/web/thong-bao/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.fixtures.browser import flash, new_context, see, sign_in
from tests.fixtures.decisions_seed import awarded_by_upload
from tests.fixtures.server import Api, AppServer

pytestmark = pytest.mark.slow

SHOTS = "thong-bao"
SERVER_ENV = {"TDKT_COUNCIL_AWARDS": "-"}
CLERK = "bdt.canbo"
# Markup, an entity and template braces: shown as typed, never interpreted.
TRICKY = 'Hồ sơ <b>Ban</b> Dân tộc & "Miền núi" {{ 7*7 }}'
PLAIN = "Hồ sơ khen thưởng Ban Dân tộc năm 2026"


def menu_item(page: Page):
    return page.get_by_role("navigation", name="Trang chính").get_by_role(
        "link", name=re.compile(r"^Thông báo")
    )


def unread(server: AppServer) -> int:
    r = Api(server, CLERK).get("/api/v1/notifications", params={"unread": "true"})
    assert r.status_code == 200, r.text
    return len(r.json())


def test_the_clerk_sees_the_award_in_the_menu_and_the_notifications_page(
    server: AppServer, browser: Browser, shots
):
    first = awarded_by_upload(server, TRICKY, "3001/QĐ-UBND")
    awarded_by_upload(server, PLAIN, "3002/QĐ-UBND")
    count = unread(server)
    assert count >= 2

    context = new_context(browser, server)
    page = sign_in(context, CLERK)
    page.goto("/ho-so")
    expect(menu_item(page)).to_have_text(f"Thông báo ({count})")
    menu_item(page).click()
    expect(page).to_have_url(re.compile(r"/thong-bao$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Thông báo")
    expect(page.locator("#so-chua-doc")).to_contain_text(f"Có {count} thông báo chưa đọc")
    items = page.locator("#danh-sach-thong-bao > li")
    # Newest first: the second decision's news above the first's.
    expect(items.nth(0)).to_contain_text(PLAIN)
    expect(items.nth(0)).to_contain_text("3002/QĐ-UBND")
    tricky = items.nth(1)
    expect(tricky).to_contain_text(f"Hồ sơ «{TRICKY}»: Đã khen thưởng")
    expect(tricky).to_contain_text("3001/QĐ-UBND")
    expect(tricky).to_contain_text("Chưa đọc")
    assert tricky.locator("b").count() == 0  # the dossier's title is not markup
    expect(tricky.locator("time")).to_have_text(re.compile(r"^\d\d/\d\d/\d{4} \d\d:\d\d$"))
    see(shots, page, "danh-sach")

    # Opening one goes to the dossier; it is read, the menu counts one fewer.
    tricky.get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/ho-so/{first['dossier']}$"))
    expect(menu_item(page)).to_have_text(f"Thông báo ({count - 1})")
    page.goto("/thong-bao")
    tricky = page.locator("#danh-sach-thong-bao > li").nth(1)
    expect(tricky).to_contain_text(TRICKY)
    expect(tricky).not_to_contain_text("Chưa đọc")
    expect(page.locator("#danh-sach-thong-bao > li").nth(0)).to_contain_text("Chưa đọc")

    # Only the unread ones, then all of them marked read.
    page.get_by_role("link", name="Chỉ xem thông báo chưa đọc").click()
    expect(page.locator("#danh-sach-thong-bao > li")).to_have_count(count - 1)
    page.get_by_role("button", name="Đánh dấu đã đọc tất cả").click()
    expect(flash(page)).to_contain_text(f"Đã đánh dấu đã đọc {count - 1} thông báo.")
    expect(menu_item(page)).to_have_text("Thông báo")
    expect(page.locator("#so-chua-doc")).to_have_text("Không có thông báo chưa đọc.")
    page.goto("/thong-bao")
    expect(page.locator("#danh-sach-thong-bao .unread")).to_have_count(0)
    see(shots, page, "da-doc")
    assert unread(server) == 0
    context.close()
