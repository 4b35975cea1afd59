"""What issue 16 found pages doing wrong, in a real browser against the real app: search
that misses Vietnamese spellings, raw JSON where a page is expected, addresses of POSTs
left in the address bar, a blank /docs, the browser's English in checks and the file
picker, a bare "đang xử lý" while a step's documents are made, and the same eight
status tiles for everyone.

The tests of this module share one server and one browser; screenshots go to
tests/artifacts/web/trang-tra-loi/."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Page, expect
from reportlab.pdfgen import canvas

from tests.fixtures.browser import (
    Shots,
    check_page,
    new_context,
    see,
    sign_in,
)
from tests.fixtures.server import PIN, Api, AppServer

pytestmark = pytest.mark.slow

CLERK, HEAD, CLUSTER = "bdt.canbo", "bdt.thutruong", "bqlkkt.cum"
SPECIALIST, AUDITOR = "ptdkt.chuyenvien", "thanhtra"
PERSON = "Hoàng Thị Ngọc Ánh"
SPELLINGS = ("hoàng thị ngọc ánh", "HOÀNG", "ánh", "ngoc anh")
TITLE = 'Đề nghị khen thưởng Phòng Dân tộc <&> "Đoàn kết" {{ x }}'
SHOTS = "trang-tra-loi"  # tests/artifacts/web/trang-tra-loi/
ALL_TILES = [
    "Dự thảo",
    "Bị trả lại",
    "Chờ thủ trưởng đơn vị duyệt",
    "Chờ Cụm thi đua xét",
    "Chờ Cụm bình xét",
    "Cụm đã bình xét, chờ Tờ trình của Cụm",
    "Chờ thẩm định",
    "Chờ lãnh đạo Phòng duyệt",
    "Chờ lãnh đạo Sở ký",
    "Đã duyệt, trình khen thưởng",
    "Không được đề nghị khen thưởng",
    "Đã khen thưởng",
]


def new_dossier(server: AppServer, *nominees: tuple[str, str], title: str | None = None) -> int:
    body: dict[str, Any] = {
        "year": 2026,
        "nominees": [
            {"kind": kind, "name": name, "achievements": "Hoàn thành xuất sắc nhiệm vụ."}
            for kind, name in nominees
        ],
    }
    if title:
        body["title"] = title
    r = Api(server, CLERK).post("/api/v1/dossiers", json=body)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def submitted(server: AppServer, dossier_id: int) -> None:
    api = Api(server, CLERK)
    api.attach(dossier_id)  # the Biên bản bình xét the award requires
    assert api.act(dossier_id, "submit").status_code == 200
    assert api.wait_idle(dossier_id)["status"] == "unit_review"


def tiles(page: Page) -> list[str]:
    return [t.strip() for t in page.locator("ul.tiles .tile .l").all_inner_texts()]


def shows_site(page: Page, *, signed_in: bool) -> None:
    """The site's header, and the visitor's own menu when signed in."""
    expect(page.locator("header.top .brand")).to_have_text(re.compile("Hồ sơ thi đua"))
    if signed_in:
        expect(page.get_by_role("navigation", name="Trang chính")).to_be_visible()
        expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    else:
        expect(page.get_by_role("link", name="Đăng nhập")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Về trang chủ"))).to_be_visible()


# ---------------------------------------------------------------- tiles per role


def test_status_tiles_are_those_that_concern_the_role(
    server: AppServer, browser: Browser, shots: Shots
):
    expected = {
        CLERK: ALL_TILES,
        AUDITOR: ALL_TILES,
        CLUSTER: [ALL_TILES[1], *ALL_TILES[3:]],
        SPECIALIST: [ALL_TILES[1], *ALL_TILES[6:]],
    }
    for username, labels in expected.items():
        page = sign_in(new_context(browser, server), username)
        assert tiles(page) == labels, username
        if username == SPECIALIST:
            see(shots, page, "trang-chu-chuyen-vien-o-trang-thai")
        page.context.close()


# ---------------------------------------------------------------- search


def test_search_finds_every_spelling_in_the_list_the_api_and_the_inbox(
    server: AppServer, browser: Browser, shots: Shots
):
    dossier_id = new_dossier(
        server, ("individual", PERSON), ("collective", "Phòng Tổng hợp"), title=TITLE
    )
    other = new_dossier(server, ("individual", "Lục Văn Bình"))
    clerk_api, auditor_api = Api(server, CLERK), Api(server, AUDITOR)
    clerk = sign_in(new_context(browser, server), CLERK)
    auditor = sign_in(new_context(browser, server), AUDITOR)
    for q in SPELLINGS:
        # The list page (the clerk's, and the auditor's search).
        for page in (clerk, auditor):
            page.goto(f"/ho-so?q={quote(q)}")
            expect(page.locator(".result-count")).to_have_text("Tìm thấy 1 hồ sơ.")
            expect(page.locator(f"a[href='/ho-so/{dossier_id}']")).to_contain_text(TITLE)
        # The API.
        for api in (clerk_api, auditor_api):
            found = api.get("/api/v1/dossiers", params={"q": q}).json()
            assert [d["id"] for d in found["items"]] == [dossier_id], (q, found)
        inbox = clerk_api.get("/api/v1/inbox", params={"q": q})
        assert [d["id"] for d in inbox.json()] == [dossier_id], q
        assert inbox.headers["X-Total-Count"] == "1"
        # The inbox's filter on the home page (a draft waits for its clerk).
        clerk.goto("/")
        clerk.get_by_label("Lọc theo trích yếu, tên tập thể, cá nhân").fill(q)
        clerk.get_by_role("button", name="Lọc", exact=True).click()
        rows = clerk.locator("table.inbox tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text(f"Số {dossier_id}")
        expect(clerk.locator("table.inbox")).not_to_contain_text(f"Số {other}:")
        expect(clerk.get_by_label("Lọc theo trích yếu, tên tập thể, cá nhân")).to_have_value(q)
    see(shots, clerk, "hop-viec-loc-khong-dau")
    auditor.goto(f"/ho-so?q={quote('ngoc anh')}")
    see(shots, auditor, "tra-cuu-khong-dau")

    # Words in any order, and nothing for a name nobody has.
    clerk.goto(f"/ho-so?q={quote('anh hoang tong hop')}")
    expect(clerk.locator(".result-count")).to_have_text("Tìm thấy 1 hồ sơ.")
    clerk.goto(f"/ho-so?q={quote('Ngọc Bình')}")
    expect(clerk.locator(".result-count")).to_have_text("Tìm thấy 0 hồ sơ.")
    clerk.goto("/?q=" + quote("không có ai"))
    expect(clerk.locator("#viec-cho ~ p.empty")).to_contain_text("khớp với «không có ai»")
    # Another unit's clerk finds nothing of it, whatever the spelling.
    assert (
        Api(server, "vpdpntm.canbo").get("/api/v1/dossiers", params={"q": "anh"}).json()["total"]
        == 0
    )


# ---------------------------------------------------------------- errors as pages


def test_pages_answer_errors_with_pages_and_the_api_with_json(
    server: AppServer, browser: Browser, shots: Shots
):
    anonymous = new_context(browser, server).new_page()
    clerk = sign_in(new_context(browser, server), CLERK)
    addresses = {
        "/khong-ton-tai": (404, "Không có trang này"),
        "/ho-so/abc": (404, "Không có trang này"),
        "/ho-so/99999999999999999999999": (404, "Không tìm thấy"),
        "/ho-so/1/thao-tac/approve": (405, "chỉ dùng để gửi biểu mẫu"),
        "/hop-thu/duyet": (405, "chỉ dùng để gửi biểu mẫu"),
    }
    for url, (status, message) in addresses.items():
        for page, signed_in in ((anonymous, False), (clerk, True)):
            response = page.goto(url)
            assert response is not None and response.status == status, (url, signed_in)
            assert response.headers["content-type"].startswith("text/html")
            expect(page.get_by_role("alert")).to_contain_text(message)
            shows_site(page, signed_in=signed_in)
            check_page(page)
    # A POST address opened by hand leads back to the page it belongs to.
    clerk.goto("/ho-so/1/thao-tac/approve")
    expect(clerk.get_by_role("link", name="← Quay lại trang trước")).to_have_attribute(
        "href", "/ho-so/1"
    )
    see(shots, clerk, "loi-405-dia-chi-gui-bieu-mau")
    anonymous.goto("/khong-ton-tai")
    see(shots, anonymous, "loi-404-chua-dang-nhap")
    clerk.goto("/ho-so/99999999999999999999999")
    see(shots, clerk, "loi-404-so-qua-lon")

    api = Api(server, CLERK)
    for method, url, status, code in (
        ("GET", "/api/v1/khong-ton-tai", 404, "not_found"),
        ("GET", "/api/v1/dossiers/abc", 422, "invalid_input"),
        ("GET", "/api/v1/dossiers/1/actions/approve", 405, "method_not_allowed"),
    ):
        r = api.request(method, url)
        assert (r.status_code, r.json()["code"]) == (status, code), (url, r.text)
        assert r.headers["content-type"] == "application/json"


# ---------------------------------------------------------------- POST, redirect, GET


def test_every_form_post_ends_on_a_get_address_with_its_errors_beside_the_fields(
    server: AppServer, browser: Browser, shots: Shots
):
    # Sign-in refused: the address is the sign-in page's, the name typed is kept, the
    # password is not; a reload is the plain form again.
    page = new_context(browser, server).new_page()
    page.goto("/dang-nhap")
    page.get_by_label("Tên đăng nhập").fill("bdt.canbo")
    page.get_by_label("Mật khẩu").fill("sai-mat-khau")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("alert")).to_have_text("Sai tên đăng nhập hoặc mật khẩu.")
    expect(page).to_have_url(re.compile(r"/dang-nhap$"))
    expect(page.get_by_label("Tên đăng nhập")).to_have_value("bdt.canbo")
    expect(page.get_by_label("Mật khẩu")).to_have_value("")
    response = page.reload()
    assert response is not None and response.status == 200
    expect(page.get_by_role("alert")).to_have_count(0)
    page.context.close()

    # A field refused by the editor: what was typed comes back beside its error.
    clerk = sign_in(new_context(browser, server), CLERK)
    clerk.goto("/ho-so/moi")
    clerk.get_by_label("Năm xét khen thưởng").fill("20x6")
    clerk.get_by_label(re.compile("^Trích yếu")).fill(TITLE)
    clerk.get_by_role("button", name="Lập hồ sơ và tiếp tục").click()
    expect(clerk.locator("#year-loi")).to_have_text("Năm phải là số từ 2000 đến 2100.")
    expect(clerk).to_have_url(re.compile(r"/ho-so/moi$"))
    expect(clerk.get_by_label(re.compile("^Trích yếu"))).to_have_value(TITLE)
    expect(clerk.get_by_label("Năm xét khen thưởng")).to_have_value("20x6")
    see(shots, clerk, "lap-ho-so-loi-giu-nguyen")
    response = clerk.reload()
    assert response is not None and response.status == 200
    expect(clerk.locator("#year-loi")).to_have_count(0)

    # A wrong PIN: the error beside the PIN field, in the dialog, on the dossier's address.
    dossier_id = new_dossier(server, ("collective", "Phòng Chính sách"))
    submitted(server, dossier_id)
    head = sign_in(new_context(browser, server), HEAD)
    head.goto(f"/ho-so/{dossier_id}")
    head.get_by_role("button", name="Duyệt và ký…").click()
    head.get_by_role("dialog").get_by_label("Mã PIN ký số").fill("000000")
    head.get_by_role("dialog").get_by_role("button", name="Ký và duyệt").click()
    expect(head.locator("#signing_pin-loi")).to_contain_text("Mã PIN ký số không đúng")
    expect(head.get_by_role("dialog")).to_be_visible()
    expect(head.get_by_label("Mã PIN ký số")).to_have_value("")  # a secret is never kept
    expect(head).to_have_url(re.compile(rf"/ho-so/{dossier_id}$"))
    see(shots, head, "sai-pin-dia-chi-trang-ho-so", full_page=False)
    response = head.reload()
    assert response is not None and response.status == 200
    expect(head.locator("#signing_pin-loi")).to_have_count(0)

    # A missing reason, beside its field.
    head.get_by_text("Trả lại (để đơn vị sửa)").click()
    head.get_by_label("Lý do trả lại (bắt buộc)").fill("   ")
    head.get_by_role("button", name="Trả lại", exact=True).click()
    expect(head.locator("#reason-loi")).to_have_text("Cần nêu lý do để «Trả lại».")
    expect(head).to_have_url(re.compile(rf"/ho-so/{dossier_id}$"))

    # Approving several at once: a wrong PIN, then the result, both on the home page's
    # address; reloading either answers the page, not 405.
    ids = [new_dossier(server, ("collective", f"Phòng số {i}")) for i in (1, 2)]
    for i in ids:
        submitted(server, i)
    head.goto("/")
    for i in ids:
        head.get_by_label(f"Chọn hồ sơ số {i} để duyệt và ký").check()
    head.get_by_role("button", name="Xem văn bản và ký các hồ sơ đã chọn…").click()
    head.locator("#bulk-pin").fill("999999")
    head.get_by_role("button", name="Ký và duyệt các hồ sơ đã chọn").click()
    expect(head.locator("#signing_pin-loi")).to_contain_text("Mã PIN ký số không đúng")
    expect(head).to_have_url(re.compile(r"/$"))
    for i in ids:
        expect(head.get_by_label(f"Chọn hồ sơ số {i} để duyệt và ký")).to_be_checked()
    response = head.reload()
    assert response is not None and response.status == 200
    for i in ids:
        head.get_by_label(f"Chọn hồ sơ số {i} để duyệt và ký").check()
    head.get_by_role("button", name="Xem văn bản và ký các hồ sơ đã chọn…").click()
    head.locator("#bulk-pin").fill(PIN)
    head.get_by_role("button", name="Ký và duyệt các hồ sơ đã chọn").click()
    expect(head.get_by_role("heading", level=1)).to_have_text("Kết quả duyệt và ký")
    expect(head.get_by_role("status")).to_contain_text("Đã duyệt và ký 2 trên 2 hồ sơ")
    expect(head).to_have_url(re.compile(r"/$"))
    see(shots, head, "duyet-nhieu-ket-qua-dia-chi-trang-chu")
    response = head.reload()
    assert response is not None and response.status == 200
    expect(head.get_by_role("heading", level=1)).to_have_text(re.compile("^Xin chào"))


# ---------------------------------------------------------------- /docs


def test_docs_lists_the_operations_from_our_own_files(
    server: AppServer, browser: Browser, shots: Shots
):
    page = new_context(browser, server).new_page()
    problems: list[str] = []
    outside: list[str] = []
    page.on(
        "console",
        lambda m: problems.append(m.text) if m.type in ("error", "warning") else None,
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith(server.base) else None,
    )
    page.goto("/docs")
    operations = page.locator(".opblock-summary-path")
    expect(operations.first).to_be_visible(timeout=30_000)
    paths = operations.all_inner_texts()
    assert len(paths) >= 20, paths
    assert any(p.replace("\u200b", "") == "/api/v1/dossiers" for p in paths), paths
    expect(page.locator(".opblock-summary-description").first).to_be_visible()
    page.wait_for_timeout(500)
    see_docs = page  # Swagger UI's page is not one of ours (no site header): no check_page
    shots.take(see_docs, "docs-swagger-ui", full_page=False)
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems
    assert outside == []
    assert page.goto("/redoc").status == 404  # type: ignore[union-attr]


# ---------------------------------------------------------------- Vietnamese everywhere


def test_the_browsers_checks_and_the_file_picker_speak_vietnamese(
    server: AppServer, browser: Browser, shots: Shots, tmp_path: Path
):
    dossier_id = new_dossier(server, ("collective", "Phòng Kế hoạch"))
    clerk = sign_in(new_context(browser, server), CLERK)
    # Playwright takes over the browser's file dialog only once the page subscribes to it,
    # which it does asynchronously: subscribe before the page loads, not as Space is pressed.
    clerk.on("filechooser", lambda _chooser: None)

    # The file picker: ours, in Vietnamese, and usable with the keyboard.
    clerk.goto(f"/ho-so/{dossier_id}/sua/3")
    picker = clerk.locator(".file-picker")
    expect(picker.locator(".file-button")).to_have_text("Chọn tệp…")
    expect(picker.locator(".file-name")).to_have_text("Chưa chọn tệp")
    see(shots, clerk, "chon-tep-chua-chon")
    pdf = tmp_path / "Biên bản họp.pdf"
    c = canvas.Canvas(str(pdf))
    c.drawString(72, 760, "Bien ban hop")
    c.save()
    clerk.get_by_label("Tên tài liệu").focus()
    clerk.keyboard.press("Shift+Tab")  # from the next field back, as a keyboard user would
    expect(clerk.locator("input[type=file]")).to_be_focused()
    outline = picker.locator(".file-button").evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline == "solid"  # the focus shows on the button people see
    with clerk.expect_file_chooser() as chooser:
        clerk.keyboard.press("Space")
    chooser.value.set_files(pdf)
    expect(picker.locator(".file-name")).to_have_text("Biên bản họp.pdf")
    see(shots, clerk, "chon-tep-da-chon")
    clerk.get_by_role("button", name="Tải lên").click()
    expect(clerk.get_by_role("cell", name=re.compile("^Biên bản họp")).first).to_be_visible()
    # The upload form's picker is empty again (the new attachment has its own, to replace it).
    expect(clerk.locator("#file-ten-tep")).to_have_text("Chưa chọn tệp")

    # Every kind of check, on a form the page's script did not know when it loaded.
    clerk.goto("/ho-so")
    messages = clerk.evaluate(
        """() => {
            const form = document.createElement('form');
            form.innerHTML = `
              <input name="missing" required>
              <select name="choose" required><option value="">–</option><option>a</option></select>
              <input name="email" type="email" value="khong-phai-email">
              <input name="url" type="url" value="khong-phai-dia-chi">
              <input name="pattern" pattern="[0-9]{4}" value="20x6">
              <input name="low" type="number" min="2000" value="1999">
              <input name="high" type="number" max="2100" value="2101">
              <input name="step" type="number" min="0" step="5" value="3">
              <input name="box" type="checkbox" required>`;
            document.querySelector('main').appendChild(form);
            form.reportValidity();
            return Object.fromEntries(
              Array.from(form.elements).map(el => [el.name, el.validationMessage]));
        }"""
    )
    assert messages == {
        "missing": "Hãy điền vào ô này.",
        "choose": "Hãy chọn một mục trong danh sách.",
        "email": "Hãy nhập một địa chỉ email đúng, ví dụ: ten@coquan.gov.vn.",
        "url": "Hãy nhập một địa chỉ web đúng, bắt đầu bằng http:// hoặc https://.",
        "pattern": "Giá trị chưa đúng định dạng yêu cầu.",
        "low": "Giá trị phải từ 2000 trở lên.",
        "high": "Giá trị phải từ 2100 trở xuống.",
        "step": "Giá trị chưa hợp lệ: phải là bội của 5.",
        "box": "Hãy đánh dấu vào ô này để tiếp tục.",
    }
    # Too short counts what a person typed.
    clerk.evaluate(
        """() => {
            const i = document.createElement('input');
            i.id = 'ngan';
            i.minLength = 5;
            i.setAttribute('aria-label', 'ngắn');
            document.querySelector('main').append(i);
        }"""
    )
    clerk.locator("#ngan").press_sequentially("abc")
    assert clerk.locator("#ngan").evaluate("el => (el.reportValidity(), el.validationMessage)") == (
        "Quá ngắn: cần ít nhất 5 ký tự (đang có 3)."
    )

    # A real field: the year of the search, with its own message; it clears once right.
    clerk.goto("/ho-so")
    clerk.get_by_label("Năm", exact=True).fill("20x6")
    clerk.get_by_role("button", name="Tìm").click()
    year = clerk.get_by_label("Năm", exact=True)
    assert year.evaluate("el => el.validationMessage") == "Năm gồm 4 chữ số, ví dụ 2026."
    expect(clerk).to_have_url(re.compile(r"/ho-so$"))  # not sent
    year.fill("2026")
    clerk.get_by_role("button", name="Tìm").click()
    expect(clerk).to_have_url(re.compile(r"nam=2026"))

    # The approver's dialog: an empty PIN is refused in Vietnamese before anything is sent.
    submitted(server, dossier_id)
    head = sign_in(new_context(browser, server), HEAD)
    head.goto(f"/ho-so/{dossier_id}")
    head.get_by_role("button", name="Duyệt và ký…").click()
    head.get_by_role("dialog").get_by_role("button", name="Ký và duyệt").click()
    pin = head.get_by_role("dialog").get_by_label("Mã PIN ký số")
    assert pin.evaluate("el => el.validationMessage") == "Hãy nhập mã PIN ký số."
    head.get_by_role("button", name="Hủy").click()
    head.get_by_text("Trả lại (để đơn vị sửa)").click()
    head.get_by_role("button", name="Trả lại", exact=True).click()
    reason = head.get_by_label("Lý do trả lại (bắt buộc)")
    assert reason.evaluate("el => el.validationMessage") == "Hãy nêu lý do."


# ---------------------------------------------------------------- progress of a step


def _unit_seal(server: AppServer, *, present: bool) -> None:
    """Take the unit's seal away (or give it back): the step's documents to be sealed then
    wait, and the step is tried again until it is back: a step held half-way for as long
    as the test needs, whatever the speed of the converter."""
    with sqlite3.connect(server.var_dir / "tdkt.sqlite3", timeout=60) as db:
        unit = db.execute("SELECT id FROM units WHERE name = 'Ban Dân tộc tỉnh'").fetchone()[0]
        before, after = (
            ("organisation", "held-by-test")
            if not present
            else (
                "held-by-test",
                "organisation",
            )
        )
        changed = db.execute(
            "UPDATE signing_keys SET kind = ? WHERE kind = ? AND unit_id = ?",
            (after, before, unit),
        ).rowcount
        assert changed == 1


def test_the_dossier_page_shows_which_documents_of_the_step_are_done(
    server: AppServer, browser: Browser, shots: Shots
):
    people = [f"Nguyễn Văn {n}" for n in ("An", "Bình", "Cường", "Dũng", "Em", "Phúc")]
    dossier_id = new_dossier(server, *[("individual", p) for p in people])
    submitted(server, dossier_id)
    clerk = sign_in(new_context(browser, server), CLERK)
    clerk.goto(f"/ho-so/{dossier_id}")
    _unit_seal(server, present=False)
    try:
        # The unit head signs the six reports and the unit's Tờ trình; the unit's seal
        # then goes on each, while the cluster's Tờ trình is prepared for its approver.
        r = Api(server, HEAD).act(dossier_id, "approve", signing_pin=PIN)
        assert r.status_code == 200, r.text
        clerk.reload()
        section = clerk.locator("#dang-xu-ly")
        expect(section).to_contain_text("Trang sẽ tự tải lại")
        items = section.locator(".progress-list li")
        expect(items).to_have_count(8)  # six reports and a Tờ trình to seal, one to prepare
        for p in people:
            expect(items.filter(has_text=p)).to_have_text(re.compile("đang làm$"))
        # The cluster's Tờ trình is prepared; the unit's documents wait for the seal.
        tt = items.filter(has_text="của cụm")
        expect(tt).to_have_class("done", timeout=90_000)
        expect(tt).to_contain_text("bản chờ ký của bước tiếp theo")
        expect(section.locator("[data-progress-count]")).to_have_text("1/8 văn bản đã xong")
        clerk.evaluate("window.__same_page = true")  # updated in place, not reloaded
        progress = Api(server, CLERK).get(f"/api/v1/dossiers/{dossier_id}/progress").json()
        assert (progress["processing"], progress["done"], progress["total"]) == (True, 1, 8)
        assert [d["done"] for d in progress["documents"]] == [False] * 7 + [True]
        expect(section.locator("[data-progress-retry]")).to_be_visible(timeout=60_000)
        assert clerk.evaluate("window.__same_page === true")
        see(shots, clerk, "dang-xu-ly-tien-do")
    finally:
        _unit_seal(server, present=True)
    # Once everything is made the page reloads itself and shows the documents.
    expect(clerk.locator("#dang-xu-ly")).to_have_count(0, timeout=120_000)
    expect(clerk.locator("table.docs")).to_contain_text(people[-1])
    assert not clerk.evaluate("window.__same_page === true")
    idle = Api(server, CLERK).get(f"/api/v1/dossiers/{dossier_id}/progress").json()
    assert idle == {"processing": False, "done": 0, "total": 0, "documents": [], "retrying": False}
    # Another unit's clerk cannot read it.
    other = Api(server, "vpdpntm.canbo").get(f"/api/v1/dossiers/{dossier_id}/progress")
    assert (other.status_code, other.json()["code"]) == (404, "dossier_not_found")
