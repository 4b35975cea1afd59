"""The registry's identities in the pages, in a real browser (Debian's Chromium driven by
Playwright) against the real app: in the dossier editor the clerk finds a person of the
unit by typing a name without diacritics and picks her (the nominee then refers to her
record); the person's page shows her awards by year and, to the unit and the board
only, her identity number — the board's read is in her history; the cluster's approver
sees the page without it. Screenshots in tests/artifacts/web/ca-nhan/."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.fixtures.browser import Shots, flash, new_context, see, sign_in
from tests.fixtures.server import Api, AppServer

pytestmark = pytest.mark.slow

SHOTS = "ca-nhan"
CLERK, CLUSTER, SPECIALIST = "bdt.canbo", "bqlkkt.cum", "ptdkt.chuyenvien"
TUYET_CCCD = "020186004517"  # the demo's (tdkt/seed.py)


def test_clerk_picks_a_person_as_she_types(
    server: AppServer, browser: Browser, shots: Shots
) -> None:
    clerk = Api(server, CLERK)
    r = clerk.post(
        "/api/v1/dossiers",
        json={"year": 2026, "nominees": [{"kind": "collective", "name": "Phòng Chính sách"}]},
    )
    assert r.status_code == 201, r.text
    dossier_id = r.json()["id"]
    hoa = clerk.get("/api/v1/people", params={"q": "Nong Thi Hoa"}).json()[0]

    page = sign_in(new_context(browser, server), CLERK)
    page.goto(f"/ho-so/{dossier_id}/sua/2")
    blank = page.locator("fieldset[data-blank-row]")
    blank.get_by_label("Loại", exact=True).select_option("individual")
    search = blank.get_by_label("Tìm hồ sơ cá nhân trong đơn vị")
    search.fill("nong thi")
    expect(blank.locator("[data-person-count]")).to_contain_text("Tìm thấy 1 hồ sơ")
    picker = blank.get_by_label("Hồ sơ cá nhân trong đơn vị", exact=True)
    picker.select_option(str(hoa["id"]))
    expect(blank.get_by_label("Tên tập thể hoặc họ và tên cá nhân")).to_have_value("Nông Thị Hoa")
    blank.get_by_label("Tóm tắt thành tích").fill('Hoàn thành <xuất sắc> & "đúng hạn"')
    see(shots, page, "chon-ca-nhan")
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(flash(page)).to_contain_text("Đã lưu 2")
    nominees = clerk.get(f"/api/v1/dossiers/{dossier_id}").json()["nominees"]
    assert [n["person_id"] for n in nominees if n["kind"] == "individual"] == [hoa["id"]]
    assert nominees[0]["collective_id"] is not None  # the demo's «Phòng Chính sách»

    # the search typed again finds nobody of another unit: «Nguyễn Văn Ân» is BQLDA's
    page.goto(f"/ho-so/{dossier_id}/sua/2")
    blank = page.locator("fieldset[data-blank-row]")
    blank.get_by_label("Loại", exact=True).select_option("individual")
    blank.get_by_label("Tìm hồ sơ cá nhân trong đơn vị").fill("nguyen van an")
    expect(blank.locator("[data-person-count]")).to_contain_text("Tìm thấy 1 hồ sơ")
    options = (
        blank.get_by_label("Hồ sơ cá nhân trong đơn vị", exact=True)
        .locator("option")
        .all_inner_texts()
    )
    assert any("Nguyễn Văn An" in o for o in options)
    assert not any("Nguyễn Văn Ân" in o for o in options)
    page.context.close()


def test_person_page_personal_data_by_role(
    server: AppServer, browser: Browser, shots: Shots
) -> None:
    page = sign_in(new_context(browser, server), CLERK)
    page.get_by_role("link", name="Cá nhân, tập thể").click()
    page.get_by_label("Tìm theo tên").fill("Hoang Thi Anh Tuyet")
    page.get_by_role("button", name="Tìm").click()
    page.locator("#ds-ca-nhan").get_by_role("link", name="Hoàng Thị Ánh Tuyết").click()
    expect(page.locator("#so-dinh-danh")).to_have_text(TUYET_CCCD)
    table = page.locator("#khen-thuong-bang")
    expect(table).to_contain_text("2024")
    expect(table).to_contain_text("Chiến sĩ thi đua cơ sở")
    see(shots, page, "ca-nhan-don-vi")
    person_url = page.url
    page.context.close()

    board = sign_in(new_context(browser, server), SPECIALIST)
    board.goto(person_url)
    expect(board.locator("#so-dinh-danh")).to_have_text(TUYET_CCCD)
    expect(board.get_by_role("heading", name="Hợp nhất hồ sơ trùng")).to_be_visible()
    expect(board.locator("#lich-su-ds")).to_contain_text("Xem dữ liệu cá nhân")
    see(shots, board, "ca-nhan-phong-tdkt")
    board.context.close()

    cluster = sign_in(new_context(browser, server), CLUSTER)
    cluster.goto(person_url)
    expect(cluster.get_by_role("heading", name="Hoàng Thị Ánh Tuyết")).to_be_visible()
    expect(cluster.locator("#an-du-lieu")).to_be_visible()
    html = cluster.content()
    assert TUYET_CCCD not in html and "14/05/1986" not in html and "Tày" not in html
    assert "Xem dữ liệu cá nhân" not in html
    assert cluster.get_by_role("heading", name="Hợp nhất hồ sơ trùng").count() == 0
    see(shots, cluster, "ca-nhan-cum")
    cluster.context.close()


def test_clerk_makes_a_record_and_records_a_discipline(
    server: AppServer, browser: Browser, shots: Shots
) -> None:
    page = sign_in(new_context(browser, server), CLERK)
    page.goto("/ca-nhan")
    form = page.locator("form[action='/ca-nhan'][method='post']")
    form.get_by_label("Họ và tên").fill('Lục Văn <Tú> & "Tài" {{ x }}')
    form.get_by_label("Giới tính").select_option("nam")
    form.get_by_label("Ngày sinh").fill("02/09/1988")
    form.get_by_label("Số định danh cá nhân").fill("020088")
    form.get_by_role("button", name="Lập hồ sơ").click()
    expect(page.locator("#identity_no-loi")).to_contain_text("12 chữ số")
    form = page.locator("form[action='/ca-nhan'][method='post']")
    form.get_by_label("Số định danh cá nhân").fill("020187000123")  # 1: a woman, 87
    form.get_by_role("button", name="Lập hồ sơ").click()
    expect(page.locator("#identity_no-loi")).to_contain_text("giới tính")
    form = page.locator("form[action='/ca-nhan'][method='post']")
    form.get_by_label("Số định danh cá nhân").fill("020088000123")
    form.get_by_role("button", name="Lập hồ sơ").click()
    expect(flash(page)).to_have_text("Đã lập hồ sơ cá nhân.")
    expect(page.locator("h1")).to_have_text('Lục Văn <Tú> & "Tài" {{ x }}')
    expect(page.locator("#so-dinh-danh")).to_have_text("020088000123")

    page.get_by_label("Loại", exact=True).select_option("discipline")
    page.get_by_label("Từ ngày").fill("10/01/2026")
    page.get_by_role("button", name="Ghi nhận").click()
    expect(page.locator("#level-loi")).to_have_text("Hãy chọn hình thức kỷ luật.")
    page.get_by_label("Hình thức kỷ luật").select_option("khien_trach")
    page.get_by_role("button", name="Ghi nhận").click()
    expect(page.locator("#ds-han-che")).to_contain_text("Kỷ luật: Khiển trách")
    expect(page.locator("#lich-su-ds")).to_contain_text("Ghi nhận kỷ luật, điều tra, khiếu nại")
    see(shots, page, "ca-nhan-ky-luat")

    page.goto("/ca-nhan?q=phong+chinh+sach")
    page.locator("#ds-tap-the").get_by_role("link", name="Phòng Chính sách").click()
    expect(page.locator("h1")).to_have_text("Phòng Chính sách")
    expect(page.locator(".facts")).to_contain_text("Ban Dân tộc tỉnh")
    see(shots, page, "tap-the")
    page.context.close()
