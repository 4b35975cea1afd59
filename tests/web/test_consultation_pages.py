"""Public consultation through the pages in a real browser (Debian's Chromium driven by
Playwright) against the real app: the specialist publishes a round's list from the round's
page; anyone, without signing in, reads the published list (names, positions, units,
awards; never a date of birth or achievements) and sends a comment, which the specialist
then reads on the round's page, literally; a fourth comment within ten minutes is refused
on the page with its message; the round's submission waits for the period's end.
Screenshots: tests/artifacts/web/cong-khai/ (also 390 px wide).
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.fixtures.browser import PHONE, Shots, flash, new_context, see, sign_in
from tests.fixtures.route import walk_to
from tests.fixtures.server import Api, AppServer

pytestmark = pytest.mark.slow

SPECIALIST = "ptdkt.chuyenvien"
AWARD = "bang_khen_ubnd_tinh"
SHOTS = "cong-khai"
SECRET = "Sáng kiến quản lý hồ sơ số 5521"
COMMENT = 'Ông <b>Páo</b> & "chuyên đề" {{ x }} — đề nghị xem lại thành tích.'

# The council's vote is tested in test_meetings_pages.py: here none is asked.
SERVER_ENV = {"TDKT_COUNCIL_AWARDS": "-"}


def make(server: AppServer, unit: str, nominees: list[dict[str, Any]]) -> int:
    clerk = Api(server, f"{unit}.canbo")
    r = clerk.post("/api/v1/dossiers", json={"year": 2026, "award": AWARD, "nominees": nominees})
    assert r.status_code == 201, r.text
    clerk.attach(r.json()["id"])
    return int(r.json()["id"])


def test_publish_read_comment_and_wait(server: AppServer, browser: Browser, shots: Shots):
    a = make(
        server,
        "bdt",
        [
            {
                "kind": "individual",
                "name": "Lò Văn Páo",
                "job_title": "Trưởng phòng Chính sách",
                "birth_date": "1984-03-17",
                "achievements": SECRET,
            },
            {"kind": "collective", "name": "Phòng Chính sách", "achievements": "Tốt."},
        ],
    )
    b = make(
        server, "lmhtx", [{"kind": "individual", "name": "Nông Văn Khánh", "achievements": "Tốt."}]
    )
    walk_to(server, a, "approved")
    walk_to(server, b, "approved", unit="lmhtx")
    specialist = Api(server, SPECIALIST)
    rnd = specialist.post(
        "/api/v1/rounds",
        json={
            "name": "Đợt tổng kết năm 2026",
            "year": 2026,
            "kind": "thuong_xuyen",
            "awards": [AWARD],
        },
    ).json()
    r = specialist.post(
        f"/api/v1/rounds/{rnd['id']}/dossiers",
        json={"dossier_ids": [a, b], "version": rnd["version"]},
    )
    assert r.status_code == 200, r.text

    # The specialist publishes from the round's page.
    board = new_context(browser, server)
    page = sign_in(board, SPECIALIST)
    page.goto(f"/dot-xet/{rnd['id']}")
    section = page.locator("#cong-khai")
    expect(section).to_contain_text("không bắt buộc")
    expect(section).to_contain_text("chưa xác nhận")
    see(shots, page, "dot-truoc-cong-khai")
    page.get_by_label("Số ngày làm việc lấy ý kiến").fill("3")
    page.get_by_role("button", name="Công khai danh sách để lấy ý kiến").click()
    # A busy machine: the write may wait for the last step's flow to let go of the database.
    expect(flash(page)).to_contain_text("Đã công khai danh sách", timeout=60_000)
    expect(section).to_contain_text("3 ngày làm việc")
    end = page.locator("#cong-khai strong").first.inner_text()
    public_url = page.locator("#trang-cong-khai").get_attribute("href")
    assert public_url and public_url.startswith("/cong-khai/dot/")
    see(shots, page, "dot-da-cong-khai")

    # Submitting now is refused with the period's last day.
    page.get_by_role("button", name="Trình duyệt đợt").click()
    expect(page.locator("#loi-dot")).to_contain_text(f"đến hết ngày {end}", timeout=60_000)
    see(shots, page, "trinh-truoc-han")

    # Anyone, not signed in, reads the list and comments.
    anyone = new_context(browser, server)
    pub = anyone.new_page()
    pub.goto("/cong-khai")
    pub.get_by_role("link", name="Đợt tổng kết năm 2026").click()
    listed = pub.locator("#danh-sach-cong-khai").locator("..")
    for shown in (
        "Lò Văn Páo",
        "Trưởng phòng Chính sách",
        "Ban Dân tộc tỉnh",
        "Nông Văn Khánh",
        "Liên minh Hợp tác xã tỉnh",
        "Bằng khen của Chủ tịch UBND tỉnh",
    ):
        expect(listed).to_contain_text(shown)
    body = pub.locator("body")
    for hidden in ("1984", "17/03", SECRET, "Đăng xuất"):
        expect(body).not_to_contain_text(hidden)
    expect(pub.locator("#ngay-het-han")).to_have_text(end)
    see(shots, pub, "trang-cong-khai")
    pub.get_by_label("Họ và tên").fill("Nguyễn Văn Dân")
    pub.get_by_label("Điện thoại hoặc thư điện tử").fill("dan@example.vn")
    pub.get_by_label("Nội dung ý kiến").fill(COMMENT)
    pub.get_by_role("button", name="Gửi ý kiến").click()
    expect(flash(pub)).to_contain_text("Đã nhận ý kiến của bạn", timeout=60_000)
    see(shots, pub, "da-gui-y-kien")
    for n in (2, 3, 4):
        pub.get_by_label("Họ và tên").fill(f"Người gửi {n}")
        pub.get_by_label("Nội dung ý kiến").fill(f"Ý kiến thứ {n}.")
        pub.get_by_role("button", name="Gửi ý kiến").click()
        pub.wait_for_load_state()
    refused = pub.locator("#loi-gop-y")
    expect(refused).to_contain_text("Hãy gửi tiếp sau 10 phút")
    assert refused.get_attribute("data-code") == "too_many_comments"
    expect(pub.get_by_label("Nội dung ý kiến")).to_have_value("Ý kiến thứ 4.")
    see(shots, pub, "qua-nhieu-y-kien")
    anyone.close()

    phone = new_context(browser, server, PHONE)
    small = phone.new_page()
    small.goto(public_url)
    see(shots, small, "trang-cong-khai-dien-thoai")
    phone.close()

    # The board reads the comment, literally, with its contact; and in the history.
    page.goto(f"/dot-xet/{rnd['id']}")
    first = page.locator("#cong-khai .comment-text").first
    expect(first).to_have_text(COMMENT)
    expect(section).to_contain_text("dan@example.vn")
    expect(section).to_contain_text("Ý kiến nhận được (3)")
    said = page.locator("li.ev-public_comment").first
    expect(said).to_contain_text("Ý kiến góp ý công khai")
    expect(said).to_contain_text(COMMENT)
    expect(said).not_to_contain_text("dan@example.vn")
    see(shots, page, "y-kien-cho-phong")
    board.close()
