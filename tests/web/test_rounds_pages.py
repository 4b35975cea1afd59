"""The board's round through the pages in a real browser (Debian's Chromium driven by
Playwright) against the real app: the specialist opens a round from the menu (a refusal
next to its field), picks approved dossiers of two units, reads the list of every nominee;
a dossier still in appraisal is not offered; a unit's clerk sees the round's name on the
dossier and gets the not-found page for the round; the round goes through the Phòng's head
to the Sở's leader, who signs its Tờ trình in the page. Screenshots:
tests/artifacts/web/dot-xet/.

The tests of this module run in order and share one server, one browser and the dossiers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from documents.verify import verify_pdf_sync
from tests.fixtures.browser import PHONE, Shots, flash, new_context, see, sign_in, wait_idle
from tests.fixtures.nss import nss_db, pdfsig
from tests.fixtures.route import walk_to
from tests.fixtures.server import PIN, Api, AppServer

pytestmark = pytest.mark.slow

# The council's vote before a round goes on is walked in test_meetings_pages.py: here the
# configuration asks none.
SERVER_ENV = {"TDKT_COUNCIL_AWARDS": "-"}

SPECIALIST = "ptdkt.chuyenvien"
ROUND = 'Đợt tổng kết <công tác> & "thi đua" năm 2026'
SHOTS = "dot-xet"
story: dict[str, Any] = {}


def make(server: AppServer, unit: str, names: list[tuple[str, str]]) -> int:
    clerk = Api(server, f"{unit}.canbo")
    nominees = [{"kind": k, "name": n, "achievements": "Hoàn thành xuất sắc."} for k, n in names]
    r = clerk.post("/api/v1/dossiers", json={"year": 2026, "nominees": nominees})
    assert r.status_code == 201, r.text
    clerk.attach(r.json()["id"])
    return int(r.json()["id"])


def test_the_specialist_opens_a_round_and_fills_it(
    server: AppServer, browser: Browser, shots: Shots
):
    a = make(server, "bdt", [("collective", "Phòng Chính sách"), ("individual", "Lò Thị Mai")])
    b = make(server, "lmhtx", [("individual", "Nông Văn Khánh")])
    early = make(server, "bdt", [("individual", "Vi Văn Chiến")])
    walk_to(server, a, "approved")
    walk_to(server, b, "approved", unit="lmhtx")
    walk_to(server, early, "board_appraisal")
    story.update(a=a, b=b, early=early)

    context = new_context(browser, server)
    page = sign_in(context, SPECIALIST)
    page.get_by_role("link", name="Đợt xét khen thưởng").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đợt xét khen thưởng")

    # Without an award the round is refused, beside the awards, and what was typed stays.
    page.get_by_label("Tên đợt").fill(ROUND)
    page.get_by_label("Chuyên đề").check()
    page.get_by_role("button", name="Lập đợt").click()
    expect(page.locator("#awards-loi")).to_contain_text("ít nhất một hình thức")
    expect(page.get_by_label("Tên đợt")).to_have_value(ROUND)
    see(shots, page, "thieu-hinh-thuc")

    page.get_by_label("Bằng khen của Chủ tịch UBND tỉnh").check()
    page.get_by_role("button", name="Lập đợt").click()
    expect(flash(page)).to_contain_text("Đã lập đợt xét khen thưởng")
    expect(page.get_by_role("heading", level=1)).to_have_text(ROUND)
    story["round"] = int(page.url.rstrip("/").rsplit("/", 1)[-1])

    # Only approved dossiers are offered: the one in appraisal is not.
    offered = page.locator("input[name=dossier_ids]")
    values = {offered.nth(i).get_attribute("value") for i in range(offered.count())}
    assert {str(a), str(b)} <= values and str(early) not in values
    page.locator(f"#chon-{a}").check()
    page.locator(f"#chon-{b}").check()
    page.get_by_role("button", name="Đưa các hồ sơ đã chọn vào đợt").click()
    expect(flash(page)).to_contain_text("Đã đưa 2 hồ sơ vào đợt")
    listed = page.locator("#danh-sach").locator("..")
    for name in ("Phòng Chính sách", "Lò Thị Mai", "Nông Văn Khánh"):
        expect(listed).to_contain_text(name)
    expect(page.locator("dl.facts")).to_contain_text("1 tập thể, 2 cá nhân")
    timeline = page.locator("#lich-su-dot").locator("..")
    expect(timeline).to_contain_text("Lập đợt xét khen thưởng")
    added = timeline.locator("li.ev-round_dossiers_added")
    expect(added).to_contain_text("Đưa hồ sơ vào đợt")
    expect(added).to_contain_text(f"Hồ sơ số {a}, {b}")
    see(shots, page, "dot-co-ho-so")
    context.close()

    phone = new_context(browser, server, PHONE)
    page = sign_in(phone, SPECIALIST)
    page.goto(f"/dot-xet/{story['round']}")
    see(shots, page, "dot-dien-thoai")
    phone.close()


def test_the_unit_sees_the_round_on_its_dossier_and_not_the_round(
    server: AppServer, browser: Browser, shots: Shots
):
    context = new_context(browser, server)
    page = sign_in(context, "bdt.canbo")
    page.goto(f"/ho-so/{story['a']}")
    expect(page.locator(".round-tag")).to_have_text(
        f"Chờ trình khen thưởng ({ROUND}: đang lập danh sách)"
    )
    assert page.locator(".round-tag a").count() == 0  # named, not linked
    see(shots, page, "ho-so-trong-dot")
    assert page.get_by_role("link", name="Đợt xét khen thưởng").count() == 0
    response = page.goto(f"/dot-xet/{story['round']}")
    assert response is not None and response.status == 404
    expect(page.locator("body")).not_to_contain_text("Nông Văn Khánh")
    context.close()


def test_taking_a_dossier_out_offers_it_again(server: AppServer, browser: Browser, shots: Shots):
    context = new_context(browser, server)
    page = sign_in(context, SPECIALIST)
    page.goto(f"/dot-xet/{story['round']}")
    page.get_by_role("button", name=f"Bỏ hồ sơ số {story['b']} ra khỏi đợt").click()
    expect(flash(page)).to_contain_text(f"Đã bỏ hồ sơ số {story['b']} ra khỏi đợt")
    expect(page.locator(f"#chon-{story['b']}")).to_be_visible()
    expect(page.locator("#danh-sach").locator("..")).not_to_contain_text("Nông Văn Khánh")
    context.close()


HEAD, LEADER = "ptdkt.truongphong", "snv.phogiamdoc"
REASON = 'Bổ sung <hồ sơ> & "ghi chú" {{ x }} của Liên minh HTX'


def round_status_is(page: Page, label: str) -> None:
    expect(page.locator(".status-line .status")).to_have_text(label)


def test_the_round_is_submitted_returned_approved_and_signed_in_the_pages(
    server: AppServer, browser: Browser, shots: Shots, tmp_path: Path
):
    """Three approved dossiers; the specialist submits, the Phòng's head finds the round
    on the home page and returns it once (the reason literally, on the round and in its
    history), the specialist submits again, the head approves, the Sở's leader reads the
    draft Tờ trình and signs it with the PIN in the page (a wrong PIN said beside it); the
    issued Tờ trình is downloaded through its link, signed and sealed, valid to pyHanko
    and to poppler; a unit's clerk still gets the not-found page."""
    c = make(server, "bdt", [("individual", "Hà Thị Lan")])
    walk_to(server, c, "approved")
    round_id = story["round"]

    context = new_context(browser, server)
    page = sign_in(context, SPECIALIST)
    page.goto(f"/dot-xet/{round_id}")
    page.locator(f"#chon-{story['b']}").check()
    page.locator(f"#chon-{c}").check()
    page.get_by_role("button", name="Đưa các hồ sơ đã chọn vào đợt").click()
    expect(flash(page)).to_contain_text("Đã đưa 2 hồ sơ vào đợt")
    expect(page.locator("dl.facts")).to_contain_text("1 tập thể, 3 cá nhân")
    expect(page.locator("#van-ban-dot").locator("..")).to_contain_text("Chưa có văn bản nào")
    page.get_by_role("button", name="Trình duyệt đợt").click()
    expect(flash(page)).to_contain_text("Đã trình duyệt đợt")
    round_status_is(page, "Chờ lãnh đạo Phòng duyệt")
    expect(page.get_by_role("heading", name="Thêm hồ sơ vào đợt")).to_have_count(0)
    expect(page.get_by_role("button", name="Rút đợt về để sửa danh sách")).to_be_visible()
    wait_idle(page)
    see(shots, page, "chuyen-vien-da-trinh")

    # The head finds it on the home page, and a blank reason is refused beside the field.
    head_context = new_context(browser, server)
    head = sign_in(head_context, HEAD)
    head.goto("/")
    waiting = head.locator("#dot-cho").locator("..")
    expect(waiting).to_contain_text("Chờ lãnh đạo Phòng duyệt")
    see(shots, head, "truong-phong-trang-chu")
    waiting.get_by_role("link", name=ROUND).click()
    expect(head.get_by_role("heading", level=1)).to_have_text(ROUND)
    expect(head.get_by_role("button", name="Duyệt…")).to_be_visible()
    assert head.get_by_role("button", name="Trình duyệt đợt").count() == 0
    head.locator("details.reason-form summary").click()
    head.get_by_label("Lý do trả lại").fill("   ")
    head.get_by_role("button", name="Trả lại", exact=True).click()
    expect(head.locator("#reason-loi")).to_contain_text("Cần nêu lý do")
    see(shots, head, "truong-phong-thieu-ly-do")
    head.get_by_label("Lý do trả lại").fill(REASON)
    head.get_by_role("button", name="Trả lại", exact=True).click()
    expect(flash(head)).to_contain_text("Đã trả lại đợt")
    round_status_is(head, "Đang lập danh sách")
    timeline = head.locator("#lich-su-dot").locator("..")
    expect(timeline.locator("li.ev-return")).to_contain_text(
        f"Chuyển sang «Đang lập danh sách». Lý do: {REASON}"
    )
    wait_idle(head)

    # The specialist's page still offers to withdraw what was returned meanwhile: refused
    # in the page's error box. Then they read why, and submit again; the head approves
    # (nothing to sign).
    page.get_by_role("button", name="Rút đợt về để sửa danh sách").click()
    expect(page.locator("#loi-dot")).to_contain_text("Đợt đã được người khác thay đổi")
    see(shots, page, "chuyen-vien-trang-cu")
    page.goto(f"/dot-xet/{round_id}")
    expect(page.locator("section.returned")).to_contain_text(f"Lý do: {REASON}")
    see(shots, page, "chuyen-vien-bi-tra-lai")
    page.get_by_role("button", name="Trình duyệt đợt").click()
    expect(flash(page)).to_contain_text("Đã trình duyệt đợt")
    expect(page.locator("section.returned")).to_have_count(0)
    wait_idle(page)
    head.goto("/")
    head.locator("#dot-cho").locator("..").get_by_role("link", name=ROUND).click()
    head.get_by_role("button", name="Duyệt…").click()
    dialog = head.get_by_role("dialog")
    expect(dialog).to_contain_text("Bước này không ký văn bản nào")
    expect(dialog.get_by_label("Mã PIN ký số")).to_have_count(0)
    dialog.get_by_role("button", name="Duyệt", exact=True).click()
    expect(flash(head)).to_contain_text("Đã duyệt")
    round_status_is(head, "Chờ lãnh đạo Sở ký")
    wait_idle(head)
    see(shots, head, "truong-phong-da-duyet")
    head_context.close()

    # The leader: the draft Tờ trình is listed for them alone; a wrong PIN is said beside
    # the PIN field, the right one signs.
    leader_context = new_context(browser, server)
    leader = sign_in(leader_context, LEADER)
    leader.goto("/")
    leader.locator("#dot-cho").locator("..").get_by_role("link", name=ROUND).click()
    docs = leader.locator("#van-ban-dot").locator("..")
    expect(docs).to_contain_text("Bản dự thảo chờ ký")
    draft = leader.context.request.get(
        docs.get_by_role("link", name="Tải về").get_attribute("href") or ""
    )
    assert draft.ok and draft.headers["content-type"] == "application/pdf"
    see(shots, leader, "lanh-dao-so-ban-du-thao")
    leader.get_by_role("button", name="Duyệt và ký…").click()
    dialog = leader.get_by_role("dialog")
    expect(dialog).to_contain_text("Tờ trình")
    dialog.get_by_label("Mã PIN ký số").fill("000000")
    dialog.get_by_role("button", name="Ký và duyệt").click()
    expect(leader.locator("#signing_pin-loi")).to_contain_text("Mã PIN ký số không đúng")
    see(shots, leader, "lanh-dao-so-sai-pin")
    dialog.get_by_label("Mã PIN ký số").fill(PIN)
    dialog.get_by_role("button", name="Ký và duyệt").click()
    expect(flash(leader)).to_contain_text("Đã duyệt và ký")
    round_status_is(leader, "Đã trình Chủ tịch UBND tỉnh")
    if leader.locator("#dang-xu-ly").count():  # the flow may have finished already
        expect(leader.locator("#dang-xu-ly")).to_contain_text("Hệ thống đang cấp số")
        see(shots, leader, "lanh-dao-so-dang-xu-ly")
    wait_idle(leader)
    row = leader.locator("#van-ban-dot").locator("..").locator("tr.doc-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Đã ký số, đóng dấu")
    number = row.locator("td.num").inner_text().strip()
    assert number.endswith("/TTr-SNV"), number
    expect(row.locator("[data-verify-url] .badge.ok")).to_have_count(2, timeout=60_000)
    timeline = leader.locator("#lich-su-dot").locator("..")
    expect(timeline.locator("li.ev-approve").last).to_contain_text("Duyệt và ký Tờ trình")
    issued = timeline.locator("li.ev-documents_issued")
    expect(issued).to_contain_text(f"Tờ trình số {number}")
    assert issued.inner_text().count(number) == 1  # once, not once per stored file
    see(shots, leader, "lanh-dao-so-da-ky")

    # The specialist downloads it through the page's link: two signatures, trusted.
    page.goto(f"/dot-xet/{round_id}")
    row = page.locator("#van-ban-dot").locator("..").locator("tr.doc-row")
    expect(row.locator("td.num")).to_have_text(number)
    href = row.get_by_role("link", name="Tải về").get_attribute("href") or ""
    with page.expect_download() as download:
        row.get_by_role("link", name="Tải về").click()
    pdf_path = tmp_path / "to-trinh-dot.pdf"
    download.value.save_as(pdf_path)
    pdf = pdf_path.read_bytes()
    roots = Api(server, SPECIALIST).get("/api/v1/trust-roots").content
    reports = verify_pdf_sync(pdf, [roots])
    assert len(reports) == 2 and all(x.intact and x.valid and x.trusted for x in reports)
    checked = pdfsig(pdf_path, nss_db(tmp_path / "nss", roots))
    assert checked.count("Signature is Valid.") == 2, checked
    see(shots, page, "chuyen-vien-da-trinh-chu-tich")
    context.close()

    phone = new_context(browser, server, PHONE)
    leader = sign_in(phone, LEADER)
    leader.goto("/")
    expect(leader.locator("#dot-cho")).to_have_count(0)  # nothing waits for them any more
    leader.goto(f"/dot-xet/{round_id}")
    see(shots, leader, "lanh-dao-so-dien-thoai")
    phone.close()

    # A unit's clerk: neither the round nor its Tờ trình exist for them.
    clerk_context = new_context(browser, server)
    clerk = sign_in(clerk_context, "bdt.canbo")
    response = clerk.goto(f"/dot-xet/{round_id}")
    assert response is not None and response.status == 404
    expect(clerk.locator("body")).not_to_contain_text(ROUND)
    assert clerk.context.request.get(href).status == 404
    clerk_context.close()
    leader_context.close()
