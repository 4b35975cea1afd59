"""Corrections of an issued decision through its page in a real browser (Debian's
Chromium driven by Playwright) against the real app: on an issued decision (made through
the API, uploaded signed), the board's specialist opens «Đính chính / thu hồi quyết
định», chooses «Thu hồi khen thưởng» and an awardee; an unsigned file is refused beside
the file field and the list is unchanged; the signed one is accepted: the row reads
«Đã thu hồi theo Quyết định số …», the table of correcting decisions and the history
show it; a date before the decision's is refused beside the date; the public register
marks the revoked awardee. Screenshots: tests/artifacts/web/dinh-chinh/."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.fixtures.browser import flash, new_context, see, sign_in, wait_idle
from tests.fixtures.decisions import SPECIALIST, issued_decision, signed
from tests.fixtures.server import AppServer, minutes_pdf

pytestmark = pytest.mark.slow

SHOTS = "dinh-chinh"

# The council's vote is tested in test_meetings_pages.py: here none is asked.
SERVER_ENV = {"TDKT_COUNCIL_AWARDS": "-"}


def test_the_specialist_revokes_an_award_from_the_decision_page(
    server: AppServer, browser: Browser, shots
):
    made = issued_decision(
        server,
        {
            "bdt": [("individual", "Lò Thị Mai")],
            "lmhtx": [("individual", "Nông Văn Khánh")],
        },
        "Đợt tổng kết năm 2026",
    )
    decision_id = made["decision"]["id"]
    context = new_context(browser, server)
    page = sign_in(context, SPECIALIST)
    page.goto(f"/quyet-dinh/{decision_id}")
    wait_idle(page)
    page.get_by_text("Ghi nhận một quyết định đính chính hoặc thu hồi").click()
    form = page.locator("form[action$='/dinh-chinh']")

    def fill(pdf: bytes, on: str = "2026-12-04") -> None:
        form.get_by_label("Thu hồi khen thưởng").check()
        form.get_by_label("Nông Văn Khánh").check()
        form.get_by_label("Lý do").fill("Cá nhân vi phạm kỷ luật")
        form.get_by_label("Số, ký hiệu của quyết định đính chính, thu hồi").fill("1300/QĐ-UBND")
        form.get_by_label("Ngày ký").fill(on)
        form.get_by_label("Tệp PDF đã ký").set_input_files(
            {"name": "qd-thu-hoi.pdf", "mimeType": "application/pdf", "buffer": pdf}
        )
        form.get_by_role("button", name="Ghi nhận quyết định đính chính, thu hồi").click()

    # Dated before the decision it revokes (04/12/2026): refused beside the date, before
    # the file is even looked at.
    fill(minutes_pdf(), "2026-12-03")
    expect(page.locator("#decided_on-loi")).to_contain_text("không được trước ngày")
    form = page.locator("form[action$='/dinh-chinh']")
    fill(minutes_pdf())
    expect(page.locator("#file-loi")).to_contain_text("chưa có chữ ký số")
    listed = page.locator("#danh-sach-khen-thuong").locator("..")
    expect(listed).not_to_contain_text("Đã thu hồi")
    see(shots, page, "chua-ky")

    form = page.locator("form[action$='/dinh-chinh']")
    fill(signed(minutes_pdf(), made["ca"]))
    expect(flash(page)).to_contain_text("Đã nhận quyết định thu hồi")
    row = page.locator("tr.revoked")
    expect(row).to_contain_text("Nông Văn Khánh")
    expect(row).to_contain_text("Đã thu hồi theo Quyết định số 1300/QĐ-UBND ngày 04/12/2026")
    expect(page.locator("tr.revoked")).to_have_count(1)
    amendments = page.locator("#dinh-chinh-thu-hoi").locator("..")
    expect(amendments).to_contain_text("Quyết định thu hồi – Quyết định số 1300/QĐ-UBND")
    expect(amendments).to_contain_text("Thu hồi khen thưởng của Nông Văn Khánh")
    timeline = page.locator("#lich-su-quyet-dinh").locator("..")
    expect(timeline).to_contain_text("Đính chính / thu hồi quyết định")
    see(shots, page, "da-thu-hoi")

    # The public register marks the revoked awardee and lists the revoking decision.
    page.goto(f"/cong-khai/quyet-dinh/{decision_id}")
    public_row = page.locator("#danh-sach-khen-thuong tr.revoked")
    expect(public_row).to_contain_text("Nông Văn Khánh")
    expect(public_row).to_contain_text("Đã thu hồi theo Quyết định số 1300/QĐ-UBND ngày 04/12/2026")
    expect(page.locator("#quyet-dinh-dinh-chinh-thu-hoi")).to_contain_text("Quyết định thu hồi")
    see(shots, page, "cong-khai")
    context.close()
