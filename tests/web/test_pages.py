"""The web pages in a real browser (Debian's Chromium, headless, driven by Playwright)
against the real app process: the whole route done through the pages by the demo clerk,
unit head, cluster approver and board approvers, with a return and a resubmission;
approving several dossiers at once; no page shows another unit's dossier; an auditor
searching, verifying and exporting; an admin's users and cluster terms; a narrow screen
and the keyboard. Every page visited is kept as a screenshot in tests/artifacts/web/.

The tests of this module run in order and share one server, one browser and the dossier
the first route created."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Page, expect
from reportlab.pdfgen import canvas
from sqlalchemy import select

from storage.db import Database
from storage.models import AuditEvent
from tests.fixtures.browser import (
    PHONE,
    Shots,
    dossier_id_of,
    flash,
    new_context,
    open_from_inbox,
    see,
    sign_in,
    wait_idle,
)
from tests.fixtures.server import PASSWORD, PIN, Api, AppServer

pytestmark = pytest.mark.slow

CLERK, HEAD, CLUSTER = "bdt.canbo", "bdt.thutruong", "bqlkkt.cum"
SPECIALIST, BOARD_HEAD, AUDITOR, ADMIN = (
    "ptdkt.chuyenvien",
    "ptdkt.truongphong",
    "thanhtra",
    "admin",
)
LEADER = "snv.phogiamdoc"
OTHER_CLERK = "vpdpntm.canbo"  # Văn phòng Điều phối nông thôn mới, another unit of Cụm I
TRICKY_NAME = 'Phòng Chính sách <Dân tộc> & "Đoàn kết" {{ x }}'
PERSON = "Hoàng Thị Ánh Tuyết"
RETURN_REASON = "Bổ sung số liệu giải ngân chính sách năm 2026 vào báo cáo thành tích."
VN_DATETIME = re.compile(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}")

story: dict[str, Any] = {}


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("files")
    pdf = folder / "Biên bản họp bình xét.pdf"
    c = canvas.Canvas(str(pdf))
    c.drawString(72, 760, "Bien ban hop binh xet thi dua nam 2026")
    c.save()
    fake = folder / "gia-mao.pdf"
    fake.write_bytes(b"Khong phai PDF")
    text = folder / "ghi-chu.txt"
    text.write_text("ghi chú")
    big = folder / "qua-lon.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * (3 * 1024 * 1024))
    return {"pdf": pdf, "fake": fake, "text": text, "big": big}


def approve(page: Page, pin: str = PIN) -> None:
    page.get_by_role("button", name="Duyệt và ký…").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Mã PIN ký số").fill(pin)
    dialog.get_by_role("button", name="Ký và duyệt").click()


def status_is(page: Page, label: str) -> None:
    expect(page.locator(".status-line .status")).to_have_text(label)


# ---------------------------------------------------------------- sign in and out


def test_sign_in_messages_csrf_and_sign_out(server: AppServer, browser: Browser, shots: Shots):
    context = new_context(browser, server)
    page = context.new_page()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/dang-nhap\?tiep=%2F$"))
    see(shots, page, "dang-nhap")

    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.locator("#username-loi")).to_have_text("Hãy nhập tên đăng nhập.")
    expect(page.locator("#password-loi")).to_have_text("Hãy nhập mật khẩu.")
    expect(page.get_by_label("Tên đăng nhập")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Tên đăng nhập").fill("khong.co.ai")
    page.get_by_label("Mật khẩu").fill("sai-mat-khau")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("alert")).to_have_text("Sai tên đăng nhập hoặc mật khẩu.")
    see(shots, page, "dang-nhap-sai")

    # A sign-in form not sent by our page is refused.
    forged = context.request.post(
        "/dang-nhap", form={"username": CLERK, "password": PASSWORD, "csrf": "gia-mao"}
    )
    assert forged.status == 403 and "Trang đăng nhập đã hết hạn" in forged.text()

    page = sign_in(context, CLERK)
    session = next(c for c in context.cookies() if c["name"] == "tdkt_session")
    assert session["httpOnly"] and session["sameSite"] == "Lax"
    assert not session["secure"]  # plain http on loopback; Secure is set over https

    # A POST without the session's CSRF token changes nothing.
    refused = context.request.post("/dang-xuat", form={"csrf": "0" * 64})
    assert refused.status == 403 and "Biểu mẫu đã hết hạn" in refused.text()
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Xin chào"))

    page.get_by_role("button", name="Đăng xuất").click()
    expect(page).to_have_url(re.compile("/dang-nhap$"))
    expect(flash(page)).to_have_text("Bạn đã đăng xuất.")
    # The signed-out session's token is revoked: the old cookie no longer opens a page.
    context.add_cookies([session])
    page.goto("/ho-so")
    expect(page).to_have_url(re.compile(r"/dang-nhap\?tiep=%2Fho-so&het-han=1$"))
    expect(page.locator(".notice")).to_have_text("Phiên làm việc đã hết hạn. Hãy đăng nhập lại.")
    context.close()


# ---------------------------------------------------------------- the whole route


def test_whole_route_with_a_return_through_the_pages(
    server: AppServer, browser: Browser, shots: Shots, files: dict[str, Path]
):
    clerk = sign_in(new_context(browser, server), CLERK)
    see(shots, clerk, "trang-chu-can-bo")

    # Step 1: award and year; an error is shown next to its field.
    clerk.get_by_role("link", name="+ Lập hồ sơ đề nghị khen thưởng").click()
    expect(clerk.get_by_label("Hình thức khen thưởng")).to_have_value("bang_khen_ubnd_tinh")
    clerk.get_by_label("Năm xét khen thưởng").fill("20x6")
    clerk.get_by_role("button", name="Lập hồ sơ và tiếp tục").click()
    expect(clerk.locator("#year-loi")).to_have_text("Năm phải là số từ 2000 đến 2100.")
    clerk.get_by_label("Năm xét khen thưởng").fill("2026")
    see(shots, clerk, "lap-ho-so-buoc-1")
    clerk.get_by_role("button", name="Lập hồ sơ và tiếp tục").click()
    expect(flash(clerk)).to_contain_text("Đã lập hồ sơ số")
    dossier_id = dossier_id_of(clerk)
    story["dossier"] = dossier_id

    # Step 2: a collective and an individual; the individual's missing name is flagged.
    clerk.get_by_label("Tên tập thể hoặc họ và tên cá nhân").fill(TRICKY_NAME)
    clerk.get_by_label("Tóm tắt thành tích").fill("Hoàn thành xuất sắc nhiệm vụ năm 2026.")
    clerk.get_by_role("button", name="+ Thêm một dòng nữa").click()
    second = clerk.locator("fieldset.nominee").nth(1)
    second.get_by_label("Loại").select_option("individual")
    second.get_by_label("Chức vụ (cá nhân)").fill("Trưởng phòng")
    second.get_by_label("Tóm tắt thành tích").fill("Chiến sĩ thi đua cơ sở 3 năm liền (2023–2025).")
    clerk.get_by_role("button", name="Lưu và tiếp tục").click()
    expect(clerk.locator("#n-1-name-loi")).to_have_text("Không được để trống.")
    expect(clerk.locator("#n-1-name")).to_have_attribute("aria-invalid", "true")
    see(shots, clerk, "lap-ho-so-buoc-2-loi")
    clerk.locator("#n-1-name").fill(PERSON)
    clerk.get_by_role("button", name="Lưu và tiếp tục").click()
    expect(clerk.get_by_role("heading", name="Bước 3. Tài liệu kèm theo")).to_be_visible()

    # Step 3: type and size are checked in the page before anything is sent; the server
    # checks the content; a good file goes up with a progress bar.
    file_input = clerk.get_by_label(re.compile("^Tệp"))
    file_input.set_input_files(files["text"])
    expect(clerk.locator("#file-loi")).to_contain_text("không phải PDF, DOCX, PNG hoặc JPEG")
    file_input.set_input_files(files["big"])
    expect(clerk.locator("#file-loi")).to_contain_text("vượt quá giới hạn 2,0 MB")
    see(shots, clerk, "lap-ho-so-buoc-3-tep-qua-lon")
    file_input.set_input_files(files["fake"])
    clerk.get_by_role("button", name="Tải lên").click()
    expect(clerk.locator("#file-loi")).to_contain_text("nhận diện theo nội dung tệp")
    file_input.set_input_files(files["pdf"])
    clerk.get_by_label("Loại tài liệu").select_option("bien_ban_binh_xet")  # the law requires it
    clerk.get_by_label("Tên tài liệu").fill("Biên bản họp bình xét thi đua")
    with clerk.expect_request(lambda r: r.url.endswith("/tai-lieu")) as sent:
        clerk.get_by_role("button", name="Tải lên").click()
    assert sent.value.headers.get("accept") == "application/json"  # the XHR with progress
    expect(clerk.get_by_role("cell", name="Biên bản họp bình xét thi đua")).to_be_visible()
    expect(flash(clerk)).to_have_text("Đã tải lên «Biên bản họp bình xét thi đua».")
    see(shots, clerk, "lap-ho-so-buoc-3")

    # Step 4: the forms that will be filled, then submit.
    clerk.get_by_role("link", name="Tiếp tục: xem lại và trình →").click()
    forms = clerk.locator("#bieu-mau + ul")
    expect(forms).to_contain_text(
        f"Báo cáo thành tích đề nghị khen thưởng (tập thể hoặc cá nhân) – {PERSON}"
    )
    expect(forms).to_contain_text(TRICKY_NAME)  # shown as text, not markup
    see(shots, clerk, "lap-ho-so-buoc-4")
    clerk.get_by_role("button", name="Trình hồ sơ").click()
    expect(flash(clerk)).to_contain_text("Đã trình hồ sơ")
    expect(clerk.locator("#dang-xu-ly")).to_contain_text("Trang sẽ tự tải lại")
    expect(clerk.get_by_role("button", name="Duyệt và ký…")).to_have_count(0)
    # The page refreshes itself until the flow has made the documents.
    expect(clerk.locator("#dang-xu-ly")).to_have_count(0, timeout=120_000)
    status_is(clerk, "Chờ thủ trưởng đơn vị duyệt")
    expect(clerk.locator("dl.facts")).to_contain_text(VN_DATETIME)

    # The unit head: from the inbox, a wrong PIN is said next to the PIN field.
    head = sign_in(new_context(browser, server), HEAD)
    expect(head.locator("table.inbox")).to_contain_text(f"Số {dossier_id}")
    see(shots, head, "trang-chu-thu-truong")
    open_from_inbox(head, dossier_id)
    expect(head.locator("#van-ban")).to_be_visible()
    expect(head.locator("table.docs")).to_contain_text("Chờ người duyệt ký")
    see(shots, head, "ho-so-cho-thu-truong-ky")
    approve(head, "000000")
    expect(head.locator("#signing_pin-loi")).to_have_text("Mã PIN ký số không đúng. Còn 4 lần thử.")
    expect(head.get_by_role("dialog")).to_be_visible()
    see(shots, head, "ky-duyet-sai-pin", full_page=False)
    head.get_by_label("Mã PIN ký số").fill(PIN)
    head.get_by_role("button", name="Ký và duyệt").click()
    expect(flash(head)).to_contain_text("Đã duyệt và ký")
    wait_idle(head)
    status_is(head, "Chờ Cụm thi đua xét")

    # The cluster returns it; the reason is required and said next to its field.
    cluster = sign_in(new_context(browser, server), CLUSTER)
    open_from_inbox(cluster, dossier_id)
    expect(cluster.locator(".stepper li[aria-current='step']")).to_contain_text("Cụm thi đua")
    cluster.get_by_text("Trả lại (để đơn vị sửa)").click()
    cluster.get_by_label("Lý do trả lại (bắt buộc)").fill("   ")
    cluster.get_by_role("button", name="Trả lại", exact=True).click()
    expect(cluster.locator("#reason-loi")).to_have_text("Cần nêu lý do để «Trả lại».")
    see(shots, cluster, "tra-lai-thieu-ly-do")
    cluster.get_by_label("Lý do trả lại (bắt buộc)").fill(RETURN_REASON)
    cluster.get_by_role("button", name="Trả lại", exact=True).click()
    expect(flash(cluster)).to_have_text("Đã trả lại hồ sơ cho đơn vị.")
    wait_idle(cluster)
    status_is(cluster, "Bị trả lại")

    # The clerk answers the return: sees why, edits, submits again.
    clerk.goto("/")
    expect(clerk.locator("table.inbox")).to_contain_text("Bị trả lại")
    open_from_inbox(clerk, dossier_id)
    expect(clerk.locator("section.returned")).to_contain_text(RETURN_REASON)
    see(shots, clerk, "ho-so-bi-tra-lai")
    clerk.get_by_role("link", name="Sửa hồ sơ").click()
    clerk.get_by_role("link", name="2 Tập thể, cá nhân được đề nghị").click()
    expect(clerk.locator(".returned-note")).to_contain_text(RETURN_REASON)
    clerk.locator("#n-0-achievements").fill(
        "Hoàn thành xuất sắc nhiệm vụ năm 2026; giải ngân 100% vốn chính sách dân tộc."
    )
    clerk.get_by_role("button", name="Lưu và tiếp tục").click()
    clerk.get_by_role("link", name="Tiếp tục: xem lại và trình →").click()
    clerk.get_by_role("button", name="Trình lại hồ sơ").click()
    expect(flash(clerk)).to_contain_text("Đã trình hồ sơ")
    wait_idle(clerk)
    status_is(clerk, "Chờ thủ trưởng đơn vị duyệt")

    # Up the route again: unit head, cluster; the specialist records a result for each
    # (tests/web/test_appraisal_pages.py tries the appraisal in depth), the Phòng's head
    # passes it on without signing, a Phó Giám đốc of the Sở signs.
    for page, expected in (
        (head, "Chờ Cụm thi đua xét"),
        (cluster, "Chờ thẩm định"),
        (sign_in(new_context(browser, server), SPECIALIST), "Chờ lãnh đạo Phòng duyệt"),
        (sign_in(new_context(browser, server), BOARD_HEAD), "Chờ lãnh đạo Sở ký"),
        (sign_in(new_context(browser, server), LEADER), "Đã duyệt, trình khen thưởng"),
    ):
        open_from_inbox(page, dossier_id)
        if expected == "Chờ lãnh đạo Phòng duyệt":
            for result in page.get_by_label("Kết quả", exact=True).all():
                result.select_option(label="Đạt")
            page.get_by_role("button", name="Lưu kết quả thẩm định").click()
            expect(flash(page)).to_contain_text("Đã lưu kết quả thẩm định")
        if expected == "Chờ lãnh đạo Sở ký":
            page.get_by_role("button", name="Duyệt…").click()
            page.get_by_role("dialog").get_by_role("button", name="Duyệt", exact=True).click()
            expect(flash(page)).to_contain_text("Đã duyệt")
        else:
            approve(page)
            expect(flash(page)).to_contain_text("Đã duyệt và ký")
        wait_idle(page)
        status_is(page, expected)
    board = page
    expect(board.locator(".stepper li.step-done")).to_have_count(5)
    expect(board.get_by_role("button", name="Duyệt và ký…")).to_have_count(0)

    # Every issued document shows its signatures checked: valid.
    docs = board.locator("table.docs tbody tr")
    signed = board.locator("[data-verify-url]")
    # Twice the 2 reports and the unit's Tờ trình (before and after the return), the
    # return notice, the cluster's Tờ trình, the appraisal, the board's Tờ trình, and the
    # PDF attachment sealed twice, once with the number of each Tờ trình of the unit.
    expect(signed).to_have_count(12)
    for i in range(12):
        expect(signed.nth(i).locator(".badge").first).to_have_text("Hợp lệ", timeout=60_000)
    expect(board.locator("[data-verify-url] .badge.bad")).to_have_count(0)
    board.evaluate("document.getElementById('van-ban').scrollIntoView()")
    see(shots, board, "ho-so-van-ban-chu-ky", full_page=False)
    last = docs.filter(has_text="Tờ trình của cơ quan thi đua, khen thưởng")
    expect(last).to_contain_text(re.compile(r"\d{2}/TTr-SNV"))
    story["document"] = int(last.get_attribute("id").removeprefix("van-ban-"))

    # The inline preview of the board's Tờ trình.
    with board.expect_response(lambda r: "/van-ban/" in r.url and r.status == 200) as shown:
        last.get_by_role("button", name="Xem trước").click()
    assert shown.value.headers["content-type"] == "application/pdf"
    expect(board.locator("#xem-truoc-khung")).to_be_visible()
    board.wait_for_timeout(1500)  # the PDF viewer draws the page
    see(shots, board, "ho-so-da-duyet-xem-truoc", full_page=False)
    board.locator("[data-close-preview]").click()
    see(shots, board, "ho-so-da-duyet")


# ---------------------------------------------------------------- several at once


def test_approve_several_dossiers_at_once_from_the_inbox(
    server: AppServer, browser: Browser, shots: Shots
):
    api = Api(server, CLERK)
    ids = []
    for name in ("Phòng Tổng hợp", "Văn phòng Ban"):
        r = api.post(
            "/api/v1/dossiers",
            json={
                "year": 2026,
                "nominees": [
                    {"kind": "collective", "name": name, "achievements": "Hoàn thành tốt."}
                ],
            },
        )
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
        api.attach(ids[-1])  # the Biên bản bình xét the law requires
        assert api.act(ids[-1], "submit").status_code == 200
    for i in ids:
        assert api.wait_idle(i)["status"] == "unit_review"

    head = sign_in(new_context(browser, server), HEAD)
    for i in ids:
        head.get_by_label(f"Chọn hồ sơ số {i} để duyệt và ký").check()
    head.get_by_role("button", name="Xem văn bản và ký các hồ sơ đã chọn…").click()
    head.locator("#bulk-pin").fill("999999")
    head.get_by_role("button", name="Ký và duyệt các hồ sơ đã chọn").click()
    # A wrong PIN stops before anything is signed, and is said next to the PIN field.
    expect(head.locator("#signing_pin-loi")).to_contain_text("Mã PIN ký số không đúng")
    for i in ids:
        expect(head.get_by_label(f"Chọn hồ sơ số {i} để duyệt và ký")).to_be_checked()
        assert Api(server, HEAD).get(f"/api/v1/dossiers/{i}").json()["status"] == "unit_review"
    see(shots, head, "duyet-nhieu-sai-pin")

    head.locator("#bulk-pin").fill(PIN)  # the dialog opened again with the error
    head.get_by_role("button", name="Ký và duyệt các hồ sơ đã chọn").click()
    expect(head.get_by_role("heading", level=1)).to_have_text("Kết quả duyệt và ký")
    expect(head.get_by_role("status")).to_contain_text("Đã duyệt và ký 2 trên 2 hồ sơ")
    expect(head.locator("tr.row-ok")).to_have_count(2)
    see(shots, head, "duyet-nhieu-ket-qua")
    for i in ids:
        d = Api(server, HEAD).wait_idle(i)
        assert d["status"] == "cluster_review"
        history = Api(server, HEAD).get(f"/api/v1/dossiers/{i}/history").json()
        approvals = [e for e in history if e["kind"] == "approve"]
        # Its own: the achievement report and the unit's Tờ trình.
        assert len(approvals) == 1 and len(approvals[0]["data"]["signed"]) == 2
    story["draft_owner"] = CLERK


# ---------------------------------------------------------------- visibility


def test_no_page_shows_another_units_dossier(server: AppServer, browser: Browser, shots: Shots):
    dossier_id, doc_id = story["dossier"], story["document"]
    context = new_context(browser, server)
    other = sign_in(context, OTHER_CLERK)
    expect(other.locator("main")).not_to_contain_text("Ban Dân tộc tỉnh")
    other.goto("/ho-so")
    expect(other.locator(".result-count")).to_have_text("Tìm thấy 0 hồ sơ.")
    other.goto(f"/ho-so?q={quote(PERSON)}")
    expect(other.locator(".result-count")).to_have_text("Tìm thấy 0 hồ sơ.")
    for url in (
        f"/ho-so/{dossier_id}",
        f"/ho-so/{dossier_id}/lich-su",
        f"/ho-so/{dossier_id}/sua/2",
        f"/ho-so/{dossier_id}/lich-su/xuat",
        f"/van-ban/{doc_id}",
        f"/van-ban/{doc_id}/chu-ky",
    ):
        response = other.goto(url)
        assert response is not None and response.status == 404, url
        expect(other.get_by_role("alert")).to_contain_text("Không tìm thấy")
        expect(other.locator("main")).not_to_contain_text(PERSON)
    see(shots, other, "ho-so-don-vi-khac-khong-tim-thay")

    # A forged action on that dossier, even with this user's own CSRF token: 404.
    csrf = other.locator("input[name=csrf]").first.get_attribute("value")
    forged = context.request.post(
        f"/ho-so/{dossier_id}/thao-tac/approve", form={"csrf": csrf or "", "signing_pin": PIN}
    )
    assert forged.status == 404

    # The cluster does not see a unit's draft; the admin sees no dossier at all.
    draft = Api(server, CLERK).post("/api/v1/dossiers", json={"year": 2026}).json()["id"]
    for username in (CLUSTER, ADMIN):
        page = sign_in(new_context(browser, server), username)
        response = page.goto(f"/ho-so/{draft}")
        assert response is not None and response.status == 404
        expect(page.get_by_role("alert")).to_contain_text("Không tìm thấy hồ sơ")


# ---------------------------------------------------------------- the auditor


def test_auditor_searches_opens_history_verifies_and_exports(
    server: AppServer, browser: Browser, shots: Shots
):
    dossier_id = story["dossier"]
    auditor = sign_in(new_context(browser, server), AUDITOR)
    see(shots, auditor, "trang-chu-thanh-tra")
    auditor.get_by_role("link", name="Hồ sơ", exact=True).click()
    auditor.get_by_label("Đơn vị", exact=True).select_option(label="Ban Dân tộc tỉnh")
    auditor.get_by_label("Cụm thi đua", exact=True).select_option(index=1)
    auditor.get_by_label("Năm", exact=True).fill("2026")
    auditor.get_by_label("Hình thức khen thưởng").select_option(
        label="Bằng khen của Chủ tịch UBND tỉnh"
    )
    auditor.get_by_label("Trạng thái", exact=True).select_option(
        label="Đã duyệt, trình khen thưởng"
    )
    auditor.get_by_label("Nội dung", exact=True).fill("Ánh Tuyết")
    auditor.get_by_role("button", name="Tìm").click()
    expect(auditor.locator(".result-count")).to_have_text("Tìm thấy 1 hồ sơ.")
    see(shots, auditor, "tra-cuu")
    auditor.locator(f"a[href='/ho-so/{dossier_id}']").click()
    auditor.get_by_role("link", name=re.compile("Xem đầy đủ lịch sử")).click()

    chain = auditor.locator("#kiem-tra-chuoi + p")
    expect(chain).to_contain_text("Toàn vẹn")
    timeline = auditor.locator("ol.timeline")
    expect(timeline).to_contain_text("Trả lại hồ sơ")
    expect(timeline).to_contain_text(RETURN_REASON)
    expect(timeline).not_to_contain_text("Tải, đọc văn bản")
    see(shots, auditor, "lich-su-ho-so")
    auditor.get_by_role("link", name="Hiện cả các lượt đọc, tải văn bản").click()
    expect(auditor.locator("ol.timeline")).to_contain_text("Tải, đọc văn bản")

    with auditor.expect_download() as download:
        auditor.get_by_role("link", name="Xuất lịch sử (JSON)").click()
    exported = json.loads(Path(download.value.path()).read_text())
    assert exported["dossier"]["id"] == dossier_id and exported["chain"]["ok"]
    for e in exported["events"]:  # the hashes recompute outside tdkt
        canonical = json.dumps(
            e["event"], sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()
        assert hashlib.sha256(canonical).hexdigest() == e["hash"]
    with auditor.expect_download() as download:
        auditor.get_by_role("link", name="Xuất lịch sử (PDF có đóng dấu)").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")

    auditor.get_by_role("link", name="Kiểm tra toàn bộ hệ thống").click()
    auditor.get_by_role("button", name="Chạy kiểm tra").click()
    result = auditor.locator("#ket-qua-kiem-tra")
    expect(result.locator(".verdict")).to_contain_text("Toàn vẹn")
    expect(result).to_contain_text("Sự kiện đã kiểm tra")
    see(shots, auditor, "kiem-tra-toan-ven")


# ---------------------------------------------------------------- the admin


def test_admin_manages_users_roles_and_cluster_terms(
    server: AppServer, browser: Browser, shots: Shots
):
    admin = sign_in(new_context(browser, server), ADMIN)
    admin.get_by_role("link", name="Người dùng", exact=True).click()
    expect(admin.locator("table.list")).to_contain_text(CLERK)
    see(shots, admin, "quan-tri-nguoi-dung")

    admin.get_by_role("link", name="+ Tạo tài khoản").click()
    admin.get_by_label("Tên đăng nhập").fill("Cán Bộ Mới")
    admin.get_by_label("Họ và tên").fill("Lò Thị Mai")
    admin.get_by_label("Mật khẩu ban đầu").fill("mat-khau-2026")
    admin.get_by_role("button", name="Tạo tài khoản").click()
    expect(admin.locator("#username-loi")).to_contain_text("chữ thường không dấu")
    admin.get_by_label("Tên đăng nhập").fill("bdt.canbo2")
    admin.get_by_label("Mật khẩu ban đầu").fill("mat-khau-2026")
    admin.get_by_role("button", name="Tạo tài khoản").click()
    expect(flash(admin)).to_contain_text("Đã tạo tài khoản bdt.canbo2")
    admin.get_by_role("combobox", name="Vai trò").select_option(
        label="Cán bộ phụ trách TĐKT của đơn vị"
    )
    admin.get_by_role("button", name="Giao vai trò").click()
    expect(admin.locator("#unit_id-loi")).to_contain_text("cần chọn đơn vị")
    admin.get_by_role("combobox", name="Vai trò").select_option(
        label="Cán bộ phụ trách TĐKT của đơn vị"
    )
    admin.get_by_label(re.compile("^Đơn vị")).select_option(label="Ban Dân tộc tỉnh")
    admin.get_by_role("button", name="Giao vai trò").click()
    expect(flash(admin)).to_contain_text("Đã giao vai trò")
    expect(admin.locator("ul.roles")).to_contain_text("Ban Dân tộc tỉnh")
    see(shots, admin, "quan-tri-tai-khoan")

    newcomer = sign_in(new_context(browser, server), "bdt.canbo2", "mat-khau-2026")
    expect(newcomer).to_have_url(re.compile(r"/tai-khoan/mat-khau$"))  # the admin chose it
    newcomer.get_by_label("Mật khẩu tạm thời").fill("mat-khau-2026")
    newcomer.get_by_label("Mật khẩu mới", exact=True).fill("mat-khau-rieng-2026")
    newcomer.get_by_label("Nhập lại mật khẩu mới").fill("mat-khau-rieng-2026")
    newcomer.get_by_role("button", name="Đổi mật khẩu").click()
    expect(flash(newcomer)).to_have_text("Đã đổi mật khẩu.")
    newcomer.goto("/ho-so")
    expect(newcomer.locator(f"a[href='/ho-so/{story['dossier']}']")).to_be_visible()

    # The leadership of Cụm I in 2027: a head and a different deputy, then a change.
    admin.get_by_role("link", name="Cụm thi đua", exact=True).click()
    admin.get_by_label("Năm", exact=True).fill("2027")
    admin.get_by_role("button", name="Xem").click()
    first = admin.locator("section.term").first
    expect(first).to_contain_text("Chưa phân công cho năm 2027.")
    head_unit = first.get_by_label("Đơn vị Trưởng cụm năm 2027")
    deputy_unit = first.get_by_label("Đơn vị Phó trưởng cụm năm 2027")
    head_unit.select_option(label="Ban Dân tộc tỉnh")
    deputy_unit.select_option(label="Ban Dân tộc tỉnh")
    first.get_by_role("button", name="Phân công").click()
    first = admin.locator("section.term").first
    expect(first.locator("#deputy-loi")).to_have_text(
        "Trưởng cụm và Phó trưởng cụm phải là hai đơn vị khác nhau."
    )
    first.get_by_label("Đơn vị Phó trưởng cụm năm 2027").select_option(index=2)
    first.get_by_role("button", name="Phân công").click()
    expect(flash(admin)).to_contain_text("Đã lưu Trưởng cụm, Phó trưởng cụm năm 2027")
    first = admin.locator("section.term").first
    expect(first).to_contain_text("Đã phân công cho năm 2027.")
    expect(first.get_by_label("Đơn vị Trưởng cụm năm 2027")).to_have_value(re.compile(r"^\d+$"))
    see(shots, admin, "quan-tri-cum-thi-dua")
    first.get_by_label("Đơn vị Phó trưởng cụm năm 2027").select_option(index=3)
    first.get_by_role("button", name="Lưu thay đổi").click()
    expect(flash(admin)).to_contain_text("Đã lưu")

    db = Database(f"sqlite:///{server.var_dir / 'tdkt.sqlite3'}")
    try:
        with db.read() as s:
            kinds = list(s.scalars(select(AuditEvent.kind).where(AuditEvent.actor_role == "admin")))
    finally:
        db.dispose()
    for kind in ("user_created", "role_granted", "cluster_term_created", "cluster_term_updated"):
        assert kind in kinds


# ---------------------------------------------------------------- narrow screen, keyboard


def test_narrow_screen_and_keyboard_only(server: AppServer, browser: Browser, shots: Shots):
    context = new_context(browser, server, PHONE)
    page = context.new_page()
    page.goto("/dang-nhap")
    expect(page.get_by_label("Tên đăng nhập")).to_be_focused()
    page.keyboard.type(HEAD)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Mật khẩu")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Xin chào"))
    see(shots, page, "dien-thoai-trang-chu")

    # The first Tab reaches the skip link, which leads to the content.
    page.keyboard.press("Tab")
    expect(page.locator("a.skip")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#noi-dung$"))

    page.goto(f"/ho-so/{story['dossier']}")
    see(shots, page, "dien-thoai-ho-so")
    page.goto("/ho-so")
    see(shots, page, "dien-thoai-danh-sach")
