"""The cluster's proposal (Tờ trình của Cụm) in a real browser against the real app, after
Cụm I's closed vote: the head unit's leader opens it from the cluster year page, drafts it
from the vote, sees that the Biên bản is missing, then signs it with the PIN once the Biên
bản is signed; the board's specialist finds it on the home page among the things to do,
sees each nominee's tally and the Biên bản, strikes one with a reason; the board's head
approves it; the specialist puts the approved dossiers into a round. Screenshots in
tests/artifacts/web/to-trinh-cum/."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.fixtures.browser import Shots, flash, new_context, see, sign_in
from tests.fixtures.cluster_proposal import (
    AWARDS_SETTING,
    BOARD_HEAD,
    CHAIR,
    SPECIALIST,
    YEAR,
    closed_vote,
    sign_minutes,
    status_of,
)
from tests.fixtures.server import PIN, Api, AppServer

pytestmark = pytest.mark.slow

SHOTS = "to-trinh-cum"
SERVER_ENV = {"TDKT_CLUSTER_VOTE_AWARDS": AWARDS_SETTING}


def wait_number(page: Page, timeout: float = 180) -> str:
    deadline = time.monotonic() + timeout
    while not page.locator(".proposal-number").count():
        if time.monotonic() > deadline:
            raise TimeoutError("the Tờ trình was not numbered")
        page.wait_for_timeout(500)
        page.reload()
    return page.locator(".proposal-number").inner_text()


def test_the_proposal_signed_by_the_head_unit_appraised_and_approved_by_the_board(
    server: AppServer, browser: Browser, shots: Shots
) -> None:
    voted = closed_vote(server)
    cid, dossiers = voted["cluster"], voted["dossiers"]

    head = sign_in(new_context(browser, server), CHAIR)
    head.goto(f"/cum-thi-dua/{cid}/{YEAR}")
    section = head.locator("#to-trinh-cum")
    expect(section).to_contain_text("3 hồ sơ đã được Cụm bình xét đạt")
    section.get_by_role("link", name="Lập Tờ trình của Cụm").click()
    expect(head.get_by_role("heading", level=1)).to_contain_text("Tờ trình của Cụm năm 2026")
    head.get_by_role("button", name="Lập Tờ trình từ kết quả bình xét").click()
    expect(flash(head)).to_contain_text("Đã lập danh sách")
    expect(head.locator("#bien-ban")).to_contain_text("chưa có")
    expect(head.locator(".proposal-problems")).to_contain_text("Biên bản họp bình xét")
    expect(head.locator("h3")).to_have_text(
        ["1. Bằng khen của Chủ tịch UBND tỉnh", "2. Cờ thi đua của UBND tỉnh"]
    )
    see(shots, head, "1-truong-cum-lap-to-trinh")

    sign_minutes(server, voted["meeting_id"])
    head.reload()
    expect(head.locator("#bien-ban")).to_contain_text("đã ký, đóng dấu")
    head.get_by_label("Mã PIN ký số").fill(PIN)
    head.get_by_role("button", name="Ký và gửi Tờ trình của Cụm").click()
    expect(flash(head)).to_contain_text("Đã ký Tờ trình của Cụm")
    number = wait_number(head)
    assert number.endswith("/TTr-CỤM I"), number
    expect(head.get_by_role("link", name="Xem Tờ trình đã ký")).to_be_visible()
    see(shots, head, "2-truong-cum-da-ky")
    head.context.close()

    specialist = sign_in(new_context(browser, server), SPECIALIST)
    waiting = specialist.locator("table.proposals-waiting")
    expect(waiting).to_contain_text("Cụm I")
    see(shots, specialist, "3-chuyen-vien-trang-chu")
    waiting.get_by_role("link").first.click()
    row = specialist.locator(f"#ho-so-{dossiers['BDT']}")
    expect(row).to_contain_text("Đạt")
    expect(row).to_contain_text("Đồng ý 4")
    reason = "Thành tích chưa tiêu biểu so với tiêu chuẩn Bằng khen."
    lmhtx = specialist.locator(f"#ho-so-{dossiers['LMHTX']}")
    lmhtx.get_by_label(f"Lý do loại hồ sơ số {dossiers['LMHTX']}").fill(reason)
    lmhtx.get_by_role("button", name="Loại khỏi Tờ trình").click()
    expect(flash(specialist)).to_contain_text(f"Đã loại hồ sơ số {dossiers['LMHTX']}")
    expect(specialist.locator(f"#ho-so-{dossiers['LMHTX']}")).to_contain_text(reason)
    expect(specialist.get_by_role("button", name=r"Duyệt Tờ trình")).to_have_count(0)
    see(shots, specialist, "4-chuyen-vien-tham-dinh")

    boss = sign_in(new_context(browser, server), BOARD_HEAD)
    boss.goto(f"/cum-thi-dua/{cid}/{YEAR}/to-trinh")
    boss.get_by_role("button", name="Duyệt Tờ trình (các hồ sơ còn lại)").click()
    expect(flash(boss)).to_contain_text("Đã duyệt Tờ trình của Cụm")
    expect(boss.locator("#trang-thai-to-trinh")).to_have_text("Đã duyệt, vào đợt xét khen thưởng")
    see(shots, boss, "5-truong-phong-da-duyet")
    boss.context.close()
    assert status_of(server, dossiers["BDT"]) == "approved"
    assert status_of(server, dossiers["LMHTX"]) == "rejected"

    created = Api(server, SPECIALIST).post(
        "/api/v1/rounds",
        json={
            "name": "Đợt tổng kết năm 2026",
            "year": YEAR,
            "kind": "thuong_xuyen",
            "awards": ["bang_khen_ubnd_tinh", "co_thi_dua_ubnd_tinh"],
        },
    )
    assert created.status_code == 201, created.text
    specialist.reload()
    specialist.get_by_label("Đợt xét khen thưởng đang lập danh sách").select_option(
        str(created.json()["id"])
    )
    specialist.get_by_role("button", name="Đưa các hồ sơ đã duyệt vào đợt").click()
    expect(flash(specialist)).to_contain_text("Đã đưa các hồ sơ đã duyệt vào đợt")
    expect(specialist.locator("#da-vao-dot")).to_be_visible()
    see(shots, specialist, "6-chuyen-vien-vao-dot")
    specialist.context.close()
