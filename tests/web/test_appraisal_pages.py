"""Who signs what, and the appraisal, through the pages in a real browser (Debian's
Chromium driven by Playwright) against the real app process: an individual signs her own
achievement report and the unit head's approval waits for her; the board specialist
records a result per nominee in the page (refusals next to their fields); the Phòng's
head reads the results and passes the dossier on; a Phó Giám đốc of the Sở signs the
Tờ trình. Screenshots go to tests/artifacts/web/tham-dinh/.

The tests of this module run in order and share one server, one browser and one dossier.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.fixtures.browser import (
    PHONE,
    Shots,
    flash,
    new_context,
    open_from_inbox,
    see,
    sign_in,
    wait_idle,
)
from tests.fixtures.server import PIN, Api, AppServer

pytestmark = pytest.mark.slow

CLERK, HEAD, CLUSTER = "bdt.canbo", "bdt.thutruong", "bqlkkt.cum"
SPECIALIST, BOARD_HEAD, LEADER = "ptdkt.chuyenvien", "ptdkt.truongphong", "snv.phogiamdoc"
MEMBER, PERSON = "bdt.anhtuyet", "Hoàng Thị Ánh Tuyết"
PASSED = 'Phòng Chính sách <Dân tộc> & "Đoàn kết"'
FAILED = "Nguyễn Văn Bình"
FAILED_NOTE = "Chưa đủ 02 năm hoàn thành xuất sắc nhiệm vụ liên tục."
OTHER = "Phòng Tổng hợp"

SHOTS = "tham-dinh"  # tests/artifacts/web/tham-dinh/
story: dict[str, Any] = {}


def row(page: Page, name: str) -> Any:
    return page.locator("fieldset.appraisal-row", has_text=name)


def test_an_individual_signs_her_own_report_and_the_head_waits_for_her(
    server: AppServer, browser: Browser, shots: Shots
):
    clerk = Api(server, CLERK)
    r = clerk.post(
        "/api/v1/dossiers",
        json={
            "year": 2026,
            "nominees": [
                {"kind": "collective", "name": PASSED, "achievements": "Hoàn thành xuất sắc."},
                {
                    "kind": "individual",
                    "name": PERSON,
                    "job_title": "Trưởng phòng",
                    "achievements": "Chiến sĩ thi đua cơ sở 3 năm liền.",
                    "account": MEMBER,
                },
                {"kind": "individual", "name": FAILED, "achievements": "Hoàn thành tốt."},
                {"kind": "collective", "name": OTHER, "achievements": "Hoàn thành tốt."},
            ],
        },
    )
    assert r.status_code == 201, r.text
    dossier_id = story["dossier"] = r.json()["id"]
    clerk.attach(dossier_id)  # the Biên bản bình xét the award requires
    assert clerk.act(dossier_id, "submit").status_code == 200
    assert clerk.wait_idle(dossier_id)["status"] == "unit_review"

    # The unit head is told who has not signed yet; approving is refused, saying so.
    head = sign_in(new_context(browser, server), HEAD)
    open_from_inbox(head, dossier_id)
    expect(head.locator("#cho-ca-nhan-ky")).to_contain_text(PERSON)
    expect(head.locator("table.list").first).to_contain_text("chưa ký báo cáo thành tích")
    head.get_by_role("button", name="Duyệt và ký…").click()
    dialog = head.get_by_role("dialog")
    expect(dialog).to_contain_text(
        f"Báo cáo thành tích đề nghị khen thưởng (tập thể hoặc cá nhân) – {PERSON}"
    )
    dialog.get_by_label("Mã PIN ký số").fill(PIN)
    dialog.get_by_role("button", name="Ký và duyệt").click()
    expect(head.get_by_role("dialog").get_by_role("alert")).to_contain_text(
        f"cá nhân chưa ký báo cáo thành tích của mình: «{PERSON}»"
    )
    see(shots, head, "thu-truong-cho-ca-nhan-ky", full_page=False)

    # She finds it in her inbox and signs it in the page; a wrong PIN is said beside it.
    member = sign_in(new_context(browser, server), MEMBER)
    expect(member.locator("table.inbox")).to_contain_text(f"Số {dossier_id}")
    open_from_inbox(member, dossier_id)
    panel = member.locator("section.own-report")
    expect(panel).to_contain_text("Báo cáo thành tích của bạn chờ bạn ký")
    expect(panel.get_by_role("link", name="xem bản chờ ký")).to_have_attribute(
        "href", re.compile(r"^/van-ban/\d+\?ban=pdf-prepared$")
    )
    see(shots, member, "ca-nhan-ky-bao-cao")
    panel.get_by_role("button", name="Ký báo cáo thành tích…").click()
    member.get_by_label("Mã PIN ký số").fill("000000")
    member.get_by_role("dialog").get_by_role("button", name="Ký", exact=True).click()
    expect(member.locator("#signing_pin-loi")).to_have_text(
        "Mã PIN ký số không đúng. Còn 4 lần thử."
    )
    see(shots, member, "ca-nhan-ky-sai-pin", full_page=False)
    member.get_by_label("Mã PIN ký số").fill(PIN)
    member.get_by_role("dialog").get_by_role("button", name="Ký", exact=True).click()
    expect(flash(member)).to_contain_text("Đã ký báo cáo thành tích của bạn")
    expect(member.locator("section.own-report")).to_have_count(0)
    expect(member.locator("table.list").first).to_contain_text("đã ký báo cáo thành tích")
    member.goto("/")
    expect(member.locator(f"table.inbox a[href='/ho-so/{dossier_id}']")).to_have_count(0)

    # Now the head signs both reports and the unit's Tờ trình in one approval.
    open_from_inbox(head, dossier_id)
    expect(head.locator("#cho-ca-nhan-ky")).to_have_count(0)
    expect(head.locator("table.docs")).to_contain_text("Cá nhân đã ký, chờ thủ trưởng ký")
    head.get_by_role("button", name="Duyệt và ký…").click()
    head.get_by_role("dialog").get_by_label("Mã PIN ký số").fill(PIN)
    head.get_by_role("dialog").get_by_role("button", name="Ký và duyệt").click()
    expect(flash(head)).to_contain_text("Đã duyệt và ký")
    wait_idle(head)
    expect(head.locator(".status-line .status")).to_have_text("Chờ Cụm thi đua xét")
    signed = head.locator("[data-verify-url]")
    expect(signed).to_have_count(6)  # the 4 reports, the unit's Tờ trình, the sealed Biên bản
    for i in range(6):
        expect(signed.nth(i).locator(".badge").first).to_have_text("Hợp lệ", timeout=60_000)
    see(shots, head, "thu-truong-da-ky-bao-cao")


def test_the_specialist_records_the_appraisal_in_the_page(
    server: AppServer, browser: Browser, shots: Shots
):
    dossier_id = story["dossier"]
    cluster = Api(server, CLUSTER)
    assert cluster.act(dossier_id, "approve", signing_pin=PIN).status_code == 200
    assert cluster.wait_idle(dossier_id)["status"] == "board_appraisal"

    specialist = sign_in(new_context(browser, server), SPECIALIST)
    open_from_inbox(specialist, dossier_id)
    expect(specialist.locator("#chua-co-ket-qua")).to_contain_text(PASSED)
    see(shots, specialist, "tham-dinh-chua-ghi")
    # Approving with no results is refused with the names of those missing.
    specialist.get_by_role("button", name="Duyệt và ký…").click()
    dialog = specialist.get_by_role("dialog")
    expect(dialog).to_contain_text("chỉ có chữ ký số của bạn và ngày ký, không đóng dấu")
    dialog.get_by_label("Mã PIN ký số").fill(PIN)
    dialog.get_by_role("button", name="Ký và duyệt").click()
    alert = specialist.get_by_role("dialog").get_by_role("alert")
    expect(alert).to_contain_text("Chưa ghi kết quả thẩm định cho:")
    expect(alert).to_contain_text(f"«{FAILED}»")
    specialist.get_by_role("dialog").get_by_role("button", name="Hủy").click()

    # Results with what is missing for them: each refusal beside its field, nothing lost.
    row(specialist, PASSED).get_by_label("Kết quả", exact=True).select_option(label="Đạt")
    row(specialist, PERSON).get_by_label("Kết quả", exact=True).select_option(label="Đạt")
    failed = row(specialist, FAILED)
    failed.get_by_label("Kết quả", exact=True).select_option(label="Không đạt")
    failed.get_by_label(re.compile("^Ghi chú")).fill(FAILED_NOTE)
    other = row(specialist, OTHER)
    other.get_by_label("Kết quả", exact=True).select_option(label="Đề nghị hình thức khác")
    specialist.get_by_role("button", name="Lưu kết quả thẩm định").click()
    other = row(specialist, OTHER)
    expect(other.locator(".field-error")).to_have_text(
        "Hãy ghi hình thức khen thưởng khác được đề nghị."
    )
    expect(other.get_by_label(re.compile("^Hình thức khác"))).to_have_attribute(
        "aria-invalid", "true"
    )
    expect(row(specialist, FAILED).get_by_label(re.compile("^Ghi chú"))).to_have_value(FAILED_NOTE)
    see(shots, specialist, "tham-dinh-loi")
    other.get_by_label(re.compile("^Hình thức khác")).fill("Giấy khen")
    specialist.get_by_role("button", name="Lưu kết quả thẩm định").click()
    expect(flash(specialist)).to_contain_text("Đã lưu kết quả thẩm định")
    expect(specialist.locator("#chua-co-ket-qua")).to_have_count(0)
    expect(row(specialist, FAILED).get_by_label("Kết quả", exact=True)).to_have_value("khong_dat")
    see(shots, specialist, "tham-dinh-da-ghi")
    # The same form on a phone-sized screen stays within it.
    phone = sign_in(new_context(browser, server, PHONE), SPECIALIST)
    phone.goto(f"/ho-so/{dossier_id}#tham-dinh")
    see(shots, phone, "tham-dinh-dien-thoai")

    # The prepared report prints what was recorded, before it is signed.
    specialist.get_by_role("button", name="Duyệt và ký…").click()
    link = specialist.get_by_role("dialog").get_by_role("link", name="xem bản chờ ký")
    prepared = specialist.request.get(link.get_attribute("href") or "")
    assert prepared.status == 200 and prepared.body().startswith(b"%PDF-")
    specialist.get_by_role("dialog").get_by_label("Mã PIN ký số").fill(PIN)
    specialist.get_by_role("dialog").get_by_role("button", name="Ký và duyệt").click()
    expect(flash(specialist)).to_contain_text("Đã duyệt và ký")
    wait_idle(specialist)
    expect(specialist.locator(".status-line .status")).to_have_text("Chờ lãnh đạo Phòng duyệt")
    # Read-only now, for everyone.
    expect(specialist.locator("form.appraisal-form")).to_have_count(0)
    expect(specialist.locator("table.appraisal-results")).to_contain_text(FAILED_NOTE)
    report = specialist.locator("table.docs tbody tr", has_text="Báo cáo thẩm định")
    expect(report.locator(".num")).to_have_text("—")  # dated, not numbered
    expect(report.locator(".badge").first).to_have_text("Hợp lệ", timeout=60_000)


def test_the_phong_head_passes_it_on_and_a_pho_giam_doc_signs(
    server: AppServer, browser: Browser, shots: Shots
):
    dossier_id = story["dossier"]
    board = sign_in(new_context(browser, server), BOARD_HEAD)
    open_from_inbox(board, dossier_id)
    results = board.locator("table.appraisal-results")
    expect(results.locator("tr", has_text=FAILED)).to_contain_text("Không đạt")
    expect(results.locator("tr", has_text=OTHER)).to_contain_text(
        "Đề nghị hình thức khác: Giấy khen"
    )
    expect(board.get_by_role("button", name="Duyệt và ký…")).to_have_count(0)
    board.get_by_role("button", name="Duyệt…").click()
    dialog = board.get_by_role("dialog")
    expect(dialog).to_contain_text("Bước này không ký văn bản nào")
    expect(dialog).to_contain_text("Chờ lãnh đạo Sở ký")
    expect(dialog.get_by_label("Mã PIN ký số")).to_have_count(0)
    see(shots, board, "lanh-dao-phong-duyet", full_page=False)
    dialog.get_by_role("button", name="Duyệt", exact=True).click()
    expect(flash(board)).to_contain_text("Đã duyệt.")
    wait_idle(board)
    expect(board.locator(".status-line .status")).to_have_text("Chờ lãnh đạo Sở ký")
    expect(board.locator(".stepper li[aria-current='step']")).to_contain_text("Lãnh đạo Sở")

    leader = sign_in(new_context(browser, server), LEADER)
    expect(leader.locator("table.inbox")).to_contain_text(f"Số {dossier_id}")
    open_from_inbox(leader, dossier_id)
    expect(leader.locator("table.appraisal-results")).to_be_visible()
    leader.get_by_role("button", name="Duyệt và ký…").click()
    dialog = leader.get_by_role("dialog")
    expect(dialog).to_contain_text("Tờ trình của cơ quan thi đua, khen thưởng")
    see(shots, leader, "pho-giam-doc-ky", full_page=False)
    dialog.get_by_label("Mã PIN ký số").fill(PIN)
    dialog.get_by_role("button", name="Ký và duyệt").click()
    # The confirmation shows until the page reloads itself once the step's documents are
    # done — at once on a quick run, before a check could read it: what the page then
    # says is the outcome.
    wait_idle(leader)
    expect(leader.locator(".status-line .status")).to_have_text("Đã duyệt, trình khen thưởng")
    expect(leader.locator(".stepper li.step-done")).to_have_count(5)
    last = leader.locator("table.docs tbody tr", has_text="Tờ trình của cơ quan thi đua")
    expect(last.locator(".num")).to_have_text(re.compile(r"\d{2}/TTr-SNV"))
    expect(last.locator(".badge").first).to_have_text("Hợp lệ", timeout=60_000)
    see(shots, leader, "pho-giam-doc-da-ky")

    # The signature check names the Phó Giám đốc, then the Sở's seal.
    doc_id = (last.get_attribute("id") or "").removeprefix("van-ban-")
    leader.goto(f"/van-ban/{doc_id}/chu-ky")
    leader_name = Api(server, LEADER).get("/api/v1/me").json()["full_name"]
    signatures = leader.locator("main")
    expect(signatures).to_contain_text(leader_name)
    expect(signatures).to_contain_text("Sở Nội vụ tỉnh Lạng Sơn")
    see(shots, leader, "pho-giam-doc-chu-ky")
