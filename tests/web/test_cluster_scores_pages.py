"""Registrations, self-scores, the head unit's review and the ranking of Cụm I's 2026 in
a real browser against the real app: a member registers from its form (a named person
and a count), one member registers after the deadline and is shown late to the head unit
and the board; a member scores itself (a number above the maximum refused, what it typed
kept), the head unit adjusts a criterion (refused without a reason), and the ranking
shows the totals. Screenshots in tests/artifacts/web/cham-diem/."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.fixtures.browser import PHONE, Shots, flash, new_context, see, sign_in
from tests.fixtures.cluster_year import YEAR, issue_plan, set_deadline
from tests.fixtures.server import Api, AppServer, minutes_pdf

pytestmark = pytest.mark.slow

SHOTS = "cham-diem"
TRICKY = 'Hồ sơ < hạn & "đúng" {{ x }} — Đồng Đăng'


def api_member(server: AppServer, ids: dict[str, Any], code: str, pts: list[str]) -> None:
    """A member that registers and scores through the API (the others of the five)."""
    api = Api(server, f"{code.lower()}.canbo")
    base = f"/api/v1/clusters/{ids['cluster']}/years/{YEAR}"
    unit = ids["units"][code]
    r = api.request(
        "PUT",
        f"{base}/scores/midyear/{unit}",
        json={
            "scores": [
                {"criterion_id": c, "points": p, "evidence": "Báo cáo"}
                for c, p in zip(ids["criteria"], pts, strict=True)
            ]
        },
    )
    assert r.status_code == 200, r.text
    assert api.post(f"{base}/scores/midyear/{unit}/submit").status_code == 200


def register(server: AppServer, ids: dict[str, Any], code: str) -> None:
    base = f"/api/v1/clusters/{ids['cluster']}/years/{YEAR}"
    r = Api(server, f"{code.lower()}.canbo").request(
        "PUT",
        f"{base}/registrations/{ids['units'][code]}",
        json={"items": [{"kind": "collective", "award": "tap_the_lao_dong_xuat_sac"}]},
    )
    assert r.status_code == 200, r.text


def year_page(page: Page, ids: dict[str, Any]) -> None:
    page.goto(f"/cum-thi-dua/{ids['cluster']}/{YEAR}")


def test_register_score_review_and_rank(server: AppServer, browser: Browser, shots: Shots) -> None:
    ids = issue_plan(server, deadline_in_days=10)
    for code in ("LMHTX", "BQLKKT", "VPDPNTM"):
        register(server, ids, code)

    # ---- a member registers from its form.
    clerk = sign_in(new_context(browser, server), "bdt.canbo")
    year_page(clerk, ids)
    # the member's own box: what it still has to do this year, each with its page.
    todo = clerk.locator(f"#viec-cua-{ids['units']['BDT']}")
    expect(todo.get_by_role("link", name="Nhập chỉ tiêu giao ước")).to_be_visible()
    expect(todo.get_by_role("link", name="Đăng ký thi đua")).to_be_visible()
    expect(todo.get_by_role("link", name="Chấm điểm sơ kết")).to_be_visible()
    see(shots, clerk, "viec-cua-don-vi")
    clerk.locator(f"#dang-ky-{ids['units']['BDT']}").get_by_role("link", name="Đăng ký").click()
    clerk.get_by_label("Tập thể lao động xuất sắc").check()
    clerk.locator("#nguoi-chien_si_thi_dua_co_so-" + str(ids["people"]["Nông Thị Hoa"])).check()
    clerk.get_by_label("Số người Lao động tiên tiến").fill("25")
    see(shots, clerk, "don-vi-dang-ky")
    clerk.get_by_role("button", name="Gửi bản đăng ký").click()
    expect(flash(clerk)).to_contain_text("Đã gửi bản đăng ký")
    row = clerk.locator(f"#dang-ky-{ids['units']['BDT']}")
    expect(row).to_contain_text("Chiến sĩ thi đua cơ sở: Nông Thị Hoa")
    expect(row).to_contain_text("Lao động tiên tiến: 25 người")

    # ---- after the deadline BQLDA registers: accepted, late.
    set_deadline(server, -1)
    late = sign_in(new_context(browser, server), "bqlda.canbo")
    late.goto(f"/cum-thi-dua/{ids['cluster']}/{YEAR}/dang-ky")
    expect(late.locator(".notice")).to_contain_text("đăng ký muộn")
    late.get_by_label("Cờ thi đua của UBND tỉnh").check()
    late.get_by_role("button", name="Gửi bản đăng ký").click()
    expect(flash(late)).to_contain_text("Đã gửi bản đăng ký")

    head = sign_in(new_context(browser, server), "bqlkkt.cum")
    year_page(head, ids)
    table = head.locator("#bang-dang-ky")
    expect(table.locator(f"#dang-ky-{ids['units']['BQLDA']}")).to_contain_text("Đăng ký muộn")
    expect(table.locator(f"#dang-ky-{ids['units']['LMHTX']}")).to_contain_text("Đã đăng ký")
    head.locator("#dang-ky").scroll_into_view_if_needed()
    see(shots, head, "truong-cum-xem-dang-ky")

    board = sign_in(new_context(browser, server), "ptdkt.chuyenvien")
    board.goto(f"/cum-thi-dua/dang-ky?nam={YEAR}")
    expect(board.locator(f"#cum-{ids['cluster']}")).to_contain_text("Đăng ký muộn")
    expect(board.locator(f"#cum-{ids['cluster']}")).to_contain_text("muộn 1")
    see(shots, board, "ban-xem-dang-ky-moi-cum")

    # ---- the head unit's dashboard and the board's overview: who is late, at a glance.
    year_page(head, ids)
    late_row = head.locator(f"#tien-do #thanh-vien-{ids['units']['BQLDA']}")
    expect(late_row).to_contain_text("Chậm")
    expect(late_row).to_contain_text("Xong, muộn hạn")
    expect(head.locator(f"#tien-do #thanh-vien-{ids['units']['BDT']}")).not_to_contain_text("Chậm")
    expect(head.locator("#tien-do thead")).to_contain_text("5/5, 1 muộn")
    see(shots, head, "truong-cum-tien-do")
    board.goto(f"/cum-thi-dua?nam={YEAR}")
    overview = board.locator(f"#danh-sach-cum #cum-{ids['cluster']}")
    expect(overview).to_contain_text("Đã ban hành")
    expect(overview).to_contain_text("5/5")
    expect(overview).to_contain_text("1 muộn")
    expect(overview).to_contain_text("Chưa sơ kết")
    see(shots, board, "ban-xem-tien-do-cac-cum")

    # ---- the member scores itself: above the maximum refused, what it typed kept.
    for code, pts in (
        ("LMHTX", ["28", "18.5", "9"]),
        ("BQLKKT", ["30", "20", "10"]),
        ("VPDPNTM", ["27.25", "19", "9.25"]),
        ("BQLDA", ["0", "20", "10"]),
    ):
        api_member(server, ids, code, pts)
    unit = ids["units"]["BDT"]
    clerk.goto(f"/cum-thi-dua/{ids['cluster']}/{YEAR}/cham-diem/midyear")
    sheet = clerk.locator(f"#phieu-{unit}")
    sheet.get_by_label("Đính kèm minh chứng (PDF) cho").select_option(label="Tiêu chí 1.2")
    sheet.get_by_label("Tệp PDF").set_input_files(
        files=[
            {
                "name": "Minh chứng cải cách.pdf",
                "mimeType": "application/pdf",
                "buffer": minutes_pdf(),
            }
        ]
    )
    sheet.get_by_role("button", name="Đính kèm").click()
    expect(flash(clerk)).to_contain_text("Đã đính kèm minh chứng")
    expect(clerk.locator(f"#phieu-{unit}-1\\.2")).to_contain_text("Minh chứng cải cách.pdf")
    sheet.get_by_label("Điểm tự chấm tiêu chí 1.1").fill("35")
    sheet.get_by_label("Điểm tự chấm tiêu chí 1.2").fill("17")
    sheet.get_by_label("Điểm tự chấm tiêu chí 2.1").fill("8")
    sheet.get_by_label("Minh chứng tiêu chí 1.2").fill(TRICKY)
    sheet.get_by_role("button", name="Lưu điểm tự chấm").click()
    expect(clerk.locator("#loi")).to_contain_text("vượt quá điểm tối đa")
    expect(sheet.get_by_label("Minh chứng tiêu chí 1.2")).to_have_value(TRICKY)
    sheet.get_by_label("Điểm tự chấm tiêu chí 1.1").fill("29")
    see(shots, clerk, "tu-cham-diem")
    sheet.get_by_role("button", name="Lưu và gửi phiếu").click()
    expect(flash(clerk)).to_contain_text("Đã gửi phiếu chấm điểm")
    expect(sheet).to_contain_text("Đã gửi")
    expect(sheet.locator(".evidence").nth(1)).to_have_text(TRICKY)

    # ---- the head unit reviews: a reason is required; the self-score stays.
    head.goto(f"/cum-thi-dua/{ids['cluster']}/{YEAR}/cham-diem/midyear")
    # its own sheet is the deputy unit's to review: no form, a hint instead.
    own = ids["units"]["BQLKKT"]
    expect(head.locator(f"#tham-dinh-{own}")).to_have_count(0)
    expect(head.locator(f"#phieu-{own}")).to_contain_text("còn lại thẩm định")
    review = head.locator(f"#phieu-{unit}")
    review.get_by_label("Điểm thẩm định tiêu chí 1.2").fill("19,5")
    review.get_by_role("button", name="Ghi điểm thẩm định").click()
    expect(head.locator("#loi")).to_contain_text("phải nêu lý do")
    review = head.locator(f"#phieu-{unit}")
    expect(review.get_by_label("Điểm thẩm định tiêu chí 1.2")).to_have_value("19,5")
    review.get_by_label("Lý do điều chỉnh tiêu chí 1.2").fill("Có minh chứng bổ sung")
    review.get_by_role("button", name="Ghi điểm thẩm định").click()
    expect(flash(head)).to_contain_text("Đã ghi điểm thẩm định")
    row = head.locator(f"#phieu-{unit}-1\\.2")
    link = row.get_by_role("link", name="Minh chứng cải cách.pdf")
    got = head.request.get(str(link.get_attribute("href")))
    assert got.status == 200 and got.body() == minutes_pdf()
    expect(row).to_contain_text("17")
    expect(row.get_by_label("Lý do điều chỉnh tiêu chí 1.2")).to_have_value("Có minh chứng bổ sung")

    ranking = head.locator("#bang-xep-hang tbody tr")
    expect(ranking).to_have_count(5)
    expect(ranking.nth(0)).to_contain_text("Ban Quản lý Khu kinh tế")
    expect(ranking.nth(0)).to_contain_text("60")
    expect(ranking.nth(1)).to_contain_text("56,5")
    expect(ranking.nth(1)).to_contain_text("54")
    expect(ranking.nth(1)).to_contain_text("đã điều chỉnh")
    expect(ranking.nth(2)).to_contain_text("đồng hạng")
    expect(ranking.nth(3)).to_contain_text("đồng hạng")
    expect(ranking.nth(4)).to_contain_text("Không đạt tiêu chí bắt buộc 1.1")
    see(shots, head, "tham-dinh-va-xep-hang")

    # the member sees the reviewed points with the reason, and the ranking on the year page.
    clerk.reload()
    expect(clerk.locator(f"#phieu-{unit}-1\\.2")).to_contain_text("Lý do: Có minh chứng bổ sung")
    year_page(clerk, ids)
    expect(clerk.locator("#xep-hang-midyear tbody tr")).to_have_count(5)
    clerk.locator("#cham-diem").scroll_into_view_if_needed()
    see(shots, clerk, "trang-nam-xep-hang")

    # on a phone: the scoring page and the registration form fit the screen.
    phone = sign_in(new_context(browser, server, PHONE), "bqlkkt.cum")
    phone.goto(f"/cum-thi-dua/{ids['cluster']}/{YEAR}/cham-diem/midyear")
    expect(phone.locator("#bang-xep-hang")).to_be_visible()
    see(shots, phone, "dien-thoai-cham-diem")
    phone_clerk = sign_in(new_context(browser, server, PHONE), "lmhtx.canbo")
    phone_clerk.goto(f"/cum-thi-dua/{ids['cluster']}/{YEAR}/dang-ky")
    see(shots, phone_clerk, "dien-thoai-dang-ky")
