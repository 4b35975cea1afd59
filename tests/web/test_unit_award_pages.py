"""«Ghi danh hiệu do đơn vị quyết định» in a real browser (Chromium) against the real app:
the unit's clerk enters a Chiến sĩ thi đua cơ sở 2025 for a person of the unit with the
unit's decision as a PDF from the person's page; it is listed under 2025 with a link to
the decision, which the board downloads (recorded in the person's history) and another
unit's clerk cannot; the same title again, and a file that is not a PDF, are refused
beside their field. A collective's page offers only the collective titles.
Screenshots in tests/artifacts/web/danh-hieu-don-vi/."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.fixtures.browser import Shots, flash, new_context, see, sign_in
from tests.fixtures.server import Api, AppServer, minutes_pdf

pytestmark = pytest.mark.slow

SHOTS = "danh-hieu-don-vi"
CLERK, OTHER_CLERK, SPECIALIST = "bdt.canbo", "lmhtx.canbo", "ptdkt.chuyenvien"


def test_clerk_records_a_title_with_its_decision_and_the_board_downloads_it(
    server: AppServer, browser: Browser, shots: Shots, tmp_path: Path
) -> None:
    clerk = Api(server, CLERK)
    hoa = clerk.get("/api/v1/people", params={"q": "Nong Thi Hoa"}).json()[0]
    pdf = tmp_path / "qd-15-bdt.pdf"
    pdf.write_bytes(minutes_pdf())
    not_pdf = tmp_path / "quyet-dinh.docx"
    not_pdf.write_bytes(b"Quyet dinh cong nhan danh hieu (van ban thuong)")

    page = sign_in(new_context(browser, server), CLERK)
    page.goto(f"/ca-nhan/{hoa['id']}")
    form = page.locator("#ghi-danh-hieu form")
    award = form.get_by_label("Danh hiệu, khen thưởng")
    offered = award.locator("option").all_inner_texts()
    assert "Chiến sĩ thi đua cơ sở" in offered and "Lao động tiên tiến" in offered
    assert "Tập thể lao động tiên tiến" not in offered  # a collective's title
    assert "Bằng khen của Chủ tịch UBND tỉnh" not in offered  # not the unit's to decide
    expect(form.get_by_label("Cấp quyết định")).to_have_value("Thủ trưởng Ban Dân tộc tỉnh")

    def fill(number: str, file: Path) -> None:
        form.get_by_label("Danh hiệu, khen thưởng").select_option("chien_si_thi_dua_co_so")
        form.get_by_label("Năm").fill("2025")
        form.get_by_label("Số quyết định").fill(number)
        form.get_by_label("Ngày quyết định").fill("15/12/2025")
        form.get_by_label("Quyết định của đơn vị (tệp PDF)").set_input_files(str(file))
        form.get_by_role("button", name="Ghi vào sổ khen thưởng").click()

    # a file that is not a PDF: refused beside the file, with its code; nothing written
    fill("15/QĐ-BDT", not_pdf)
    expect(page.locator("#ua-file-loi")).to_contain_text("phải là tệp PDF")
    expect(page.locator("#ua-file-loi")).to_contain_text("decision_pdf_required")
    expect(form.get_by_label("Số quyết định")).to_have_value("15/QĐ-BDT")  # kept as typed
    see(shots, page, "khong-phai-pdf")

    fill("15/QĐ-BDT", pdf)
    expect(flash(page)).to_have_text("Đã ghi Chiến sĩ thi đua cơ sở năm 2025 vào sổ khen thưởng.")
    row = page.locator("#khen-thuong-bang tr", has_text="15/QĐ-BDT")
    expect(row).to_contain_text("2025")
    expect(row).to_contain_text("Chiến sĩ thi đua cơ sở")
    expect(row).to_contain_text("Đơn vị nhập (quyết định của đơn vị)")
    link = row.get_by_role("link", name="Quyết định số 15/QĐ-BDT (PDF)")
    href = link.get_attribute("href")
    assert href and href.startswith("/van-ban/")
    expect(page.locator("#lich-su-ds")).to_contain_text("Ghi danh hiệu do đơn vị quyết định")
    see(shots, page, "da-ghi")

    # the same title for the same year again (another number): refused beside the award
    fill("16/QĐ-BDT", pdf)
    expect(page.locator("#ua-award-loi")).to_contain_text("đã có trong sổ")
    assert page.locator("#khen-thuong-bang tr", has_text="16/QĐ-BDT").count() == 0
    see(shots, page, "trung")
    page.context.close()

    doc_id = int(href.rsplit("/", 1)[1])
    sha = hashlib.sha256(minutes_pdf()).hexdigest()
    # the board: through the API and through the page's link
    r = Api(server, SPECIALIST).get(f"/api/v1/documents/{doc_id}/content")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf" and r.content == minutes_pdf()
    assert r.headers["x-content-sha256"] == sha
    board = sign_in(new_context(browser, server), SPECIALIST)
    got = board.request.get(href)
    assert got.status == 200 and got.body() == minutes_pdf()
    board.goto(f"/ca-nhan/{hoa['id']}")
    expect(board.locator("#lich-su-ds")).to_contain_text("Tải quyết định")
    assert board.locator("#ghi-danh-hieu").count() == 0  # the board does not enter it
    see(shots, board, "phong-tdkt")
    board.context.close()

    # another unit's clerk: neither the file nor the person
    other = Api(server, OTHER_CLERK)
    r = other.get(f"/api/v1/documents/{doc_id}/content")
    assert r.status_code == 404 and r.json()["code"] == "document_not_found", r.text
    page = sign_in(new_context(browser, server), OTHER_CLERK)
    assert page.request.get(href).status == 404
    page.context.close()

    # the download is in the audit chain, with the file's hash
    events = clerk.get(f"/api/v1/people/{hoa['id']}/history").json()
    downloads = [e for e in events if e["kind"] == "document_downloaded"]
    assert len(downloads) == 2, events


def test_collective_page_offers_the_collective_titles(
    server: AppServer, browser: Browser, shots: Shots, tmp_path: Path
) -> None:
    pdf = tmp_path / "qd-20-bdt.pdf"
    pdf.write_bytes(minutes_pdf())
    page = sign_in(new_context(browser, server), CLERK)
    page.goto("/ca-nhan?q=phong+chinh+sach")
    page.locator("#ds-tap-the").get_by_role("link", name="Phòng Chính sách").click()
    form = page.locator("#ghi-danh-hieu form")
    offered = form.get_by_label("Danh hiệu, khen thưởng").locator("option").all_inner_texts()
    assert "Tập thể lao động tiên tiến" in offered
    assert "Chiến sĩ thi đua cơ sở" not in offered
    form.get_by_label("Danh hiệu, khen thưởng").select_option("tap_the_lao_dong_tien_tien")
    form.get_by_label("Năm").fill("2025")
    form.get_by_label("Số quyết định").fill("20/QĐ-BDT")
    form.get_by_label("Ngày quyết định").fill("15/01/2099")  # after today
    form.get_by_label("Quyết định của đơn vị (tệp PDF)").set_input_files(str(pdf))
    form.get_by_role("button", name="Ghi vào sổ khen thưởng").click()
    expect(page.locator("#ua-decided_on-loi")).to_contain_text("sau ngày hôm nay")
    form.get_by_label("Ngày quyết định").fill("20/12/2025")
    form.get_by_label("Quyết định của đơn vị (tệp PDF)").set_input_files(str(pdf))
    form.get_by_role("button", name="Ghi vào sổ khen thưởng").click()
    expect(flash(page)).to_contain_text("Đã ghi Tập thể lao động tiên tiến năm 2025")
    row = page.locator("#khen-thuong-bang tr", has_text="20/QĐ-BDT")
    expect(row.get_by_role("link", name="Quyết định số 20/QĐ-BDT (PDF)")).to_be_visible()
    see(shots, page, "tap-the")
    page.context.close()
