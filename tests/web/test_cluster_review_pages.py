"""The cluster's mid-year review in a real browser against the real app: the head unit's
cluster approver records the sơ kết (attendees by unit, the board's representative, an
agenda with diacritics and `< & " {{ }}`), downloads the drafted report, edits it in a
DOCX editor (python-docx), uploads it, signs it with the PIN; the page shows it signed
and sent, the board's specialist opens it from the year page. Screenshots and the signed
PDF rendered to PNG in tests/artifacts/web/so-ket/."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from docx import Document
from playwright.sync_api import Browser, expect

from tests.fixtures.browser import Shots, flash, new_context, see, sign_in
from tests.fixtures.server import PIN, AppServer

pytestmark = pytest.mark.slow

SHOTS = "so-ket"
CUM1 = "Cụm I – Các cơ quan Quản lý chuyên ngành"
AGENDA = 'Thảo luận chỉ tiêu «đúng hạn» < 98% & "ý kiến" {{ bổ sung }}.'
ADDED = "Các đơn vị thống nhất đẩy mạnh phong trào thi đua sáu tháng cuối năm."


def test_head_unit_records_the_midyear_review_and_signs_its_report(
    server: AppServer, browser: Browser, shots: Shots, tmp_path: Path
) -> None:
    page = sign_in(new_context(browser, server), "bqlkkt.cum")
    page.goto("/cum-thi-dua?nam=2026")
    page.locator("#danh-sach-cum").get_by_role("link", name=CUM1).click()
    section = page.locator("#hoi-nghi")
    expect(section).to_contain_text("Chưa ghi hội nghị sơ kết, tổng kết nào")
    section.get_by_label("Kỳ").select_option("midyear")
    section.get_by_label("Ngày họp").fill("2026-07-10")
    section.get_by_label("Địa điểm").fill("Hội trường Ban Quản lý Khu kinh tế")
    see(shots, page, "nam-thi-dua-ghi-hoi-nghi")
    section.get_by_role("button", name="Ghi hội nghị").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hội nghị sơ kết năm 2026")
    expect(flash(page)).to_contain_text("Đã ghi hội nghị")

    form = page.locator("#bien-ban-hoi-nghi")
    form.get_by_label("Đại diện Phòng Thi đua – Khen thưởng (họ tên)").fill("Hoàng Thị Lan")
    form.get_by_label("Chức vụ", exact=True).fill("Chuyên viên")
    people = {
        "Liên minh Hợp tác xã tỉnh": ("Hà Văn Đức", "Phó Chủ tịch"),
        "Ban Quản lý Khu kinh tế cửa khẩu Đồng Đăng – Lạng Sơn": (
            "Nông Văn Hùng",
            "Phó Trưởng ban",
        ),
        "Văn phòng Điều phối chương trình xây dựng nông thôn mới tỉnh": (
            "Lý Thị Mai",
            "Chánh Văn phòng",
        ),
        "Ban Quản lý Dự án Đầu tư xây dựng tỉnh Lạng Sơn": ("Vi Văn Tú", "Phó Giám đốc"),
    }
    for unit, (name, position) in people.items():
        form.get_by_label(f"{unit} có mặt").check()
        form.get_by_label(f"Người đại diện của {unit}").fill(name)
        form.get_by_label(f"Chức vụ của người đại diện {unit}").fill(position)
    agenda = form.locator("#chuong-trinh")
    expect(agenda).to_have_accessible_name("Nội dung (chương trình) hội nghị")
    agenda.fill(AGENDA)
    see(shots, page, "bien-ban-hoi-nghi")
    form.get_by_role("button", name="Lưu biên bản hội nghị").click()
    expect(flash(page)).to_contain_text("Đã lưu biên bản hội nghị")
    attendees = page.locator("#thanh-phan-du")
    expect(attendees).to_contain_text("Lý Thị Mai")
    expect(attendees.locator("tr", has_text="Ban Dân tộc tỉnh")).to_contain_text("Vắng mặt")
    expect(page.locator("#noi-dung-hoi-nghi")).to_have_text(AGENDA)

    with page.expect_download() as download:
        page.locator("#tai-du-thao").click()
    draft = Path(download.value.path()).read_bytes()
    doc = Document(io.BytesIO(draft))
    target = next(p for p in doc.paragraphs if p.text.startswith("(Đơn vị đăng cai bổ sung"))
    target.add_run(" " + ADDED)
    edited = tmp_path / "bao-cao-so-ket.docx"
    doc.save(str(edited))
    page.get_by_label("Tải lên báo cáo đã chỉnh sửa (.docx)").set_input_files(str(edited))
    page.get_by_role("button", name="Tải lên", exact=True).click()
    expect(flash(page)).to_contain_text("Đã tải lên báo cáo")
    expect(page.locator("#trang-thai-bao-cao")).to_have_text("Đã tải lên")
    see(shots, page, "bao-cao-da-tai-len")

    page.get_by_label("Mã PIN ký số").fill(PIN)
    page.get_by_role("button", name="Ký số, đóng dấu và gửi Phòng TĐKT").click()
    expect(flash(page)).to_contain_text("Đã ký số, đóng dấu và gửi")
    expect(page.locator("#trang-thai-bao-cao")).to_have_text("Đã ký, gửi Phòng TĐKT")
    expect(page.locator("#bao-cao-da-ky")).to_contain_text("01/BC-CỤM I")
    see(shots, page, "bao-cao-da-ky-gui")

    board = sign_in(new_context(browser, server), "ptdkt.chuyenvien")
    board.goto("/thong-bao")
    board.get_by_role("link", name="Báo cáo sơ kết năm 2026", exact=False).first.click()
    expect(board.locator("#hoi-nghi")).to_contain_text("Đã ký, gửi Phòng TĐKT")
    see(shots, board, "ban-xem-bao-cao")
    with board.expect_download() as download:
        board.locator("#hoi-nghi").get_by_role("link", name="Báo cáo số 01/BC-CỤM I (PDF)").click()
    pdf = tmp_path / "bao-cao.pdf"
    pdf.write_bytes(Path(download.value.path()).read_bytes())
    text = " ".join(
        subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout.split()
    )
    assert ADDED in text and "{{ bổ sung }}" in text
    subprocess.run(
        ["pdftoppm", "-r", "70", "-png", str(pdf), str(shots.folder / "bao-cao-da-ky")], check=True
    )
