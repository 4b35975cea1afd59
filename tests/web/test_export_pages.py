"""«Xuất Excel» / «Xuất CSV» in a real browser (Debian's Chromium driven by Playwright)
against the real app: a unit's clerk filters her list of dossiers and downloads it as
Excel — the file holds the rows the filtered list shows, nothing else —, then the
nominees of those dossiers as CSV (BOM, her nominee's date of birth, the name as typed),
a dossier's history as Excel; in the registry's search, the export holds her unit's
records only. Screenshots in tests/artifacts/web/xuat-danh-sach/."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, expect

from tests.fixtures.browser import Shots, new_context, see, sign_in
from tests.fixtures.server import Api, AppServer

pytestmark = pytest.mark.slow

SHOTS = "xuat-danh-sach"
CLERK = "bdt.canbo"
NAME = 'Hà Thị Ngọc Ánh <&> "Út" {{ x }}'


def dossier(server: AppServer, title_word: str, name: str) -> int:
    r = Api(server, CLERK).post(
        "/api/v1/dossiers",
        json={
            "year": 2026,
            "title": f"Đề nghị khen thưởng {title_word}",
            "nominees": [
                {
                    "kind": "individual",
                    "name": name,
                    "birth_date": "1986-07-09",
                    "gender": "nu",
                    "achievements": "Hoàn thành xuất sắc nhiệm vụ",
                }
            ],
        },
    )
    assert r.status_code == 201, r.text
    found: int = r.json()["id"]
    return found


def test_a_clerk_exports_her_filtered_list_and_its_nominees(
    server: AppServer, browser: Browser, shots: Shots, tmp_path: Path
) -> None:
    wanted = dossier(server, "Tổ Chính sách", NAME)
    dossier(server, "Phòng Tổng hợp", "Nông Văn Bảy")  # filtered out
    page = sign_in(new_context(browser, server), CLERK)
    page.goto("/ho-so")
    page.get_by_label("Nội dung").fill("ngoc anh")
    page.get_by_role("button", name="Tìm").click()
    expect(page.locator(".result-count")).to_have_text("Tìm thấy 1 hồ sơ.")
    see(shots, page, "ho-so-loc-va-xuat")

    with page.expect_download() as download:
        page.locator("#xuat-ho-so").get_by_role("link", name="Xuất Excel").click()
    assert download.value.suggested_filename.startswith("ho-so-")
    assert download.value.suggested_filename.endswith(".xlsx")
    path = tmp_path / "ho-so.xlsx"
    download.value.save_as(path)
    ws = load_workbook(path).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:2] == ("Số hồ sơ", "Trích yếu")
    assert [r[0] for r in rows[1:]] == [wanted]
    assert rows[1][1] == "Đề nghị khen thưởng Tổ Chính sách"
    assert ws["A1"].font.name == "Times New Roman"

    with page.expect_download() as download:
        page.locator("#xuat-de-nghi").get_by_role("link", name="Xuất CSV").click()
    path = tmp_path / "de-nghi.csv"
    download.value.save_as(path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    listed = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert [(r["Tên tập thể, họ tên"], r["Ngày sinh"]) for r in listed] == [(NAME, "09/07/1986")]

    # The dossier's history as a table.
    page.goto(f"/ho-so/{wanted}/lich-su")
    with page.expect_download() as download:
        page.locator("#xuat-lich-su").get_by_role("link", name="Xuất Excel").click()
    path = tmp_path / "lich-su.xlsx"
    download.value.save_as(path)
    events = list(load_workbook(path).active.iter_rows(min_row=2, values_only=True))
    assert [(e[0], e[2]) for e in events] == [(1, "Lập hồ sơ")]

    # The registry's search: what it found, every page of it, her unit's records only.
    page.goto("/tra-cuu-khen-thuong")
    page.get_by_label("Năm").fill("2024")
    page.get_by_role("button", name="Tìm").click()
    expect(page.locator("#xuat-khen-thuong")).to_be_visible()
    with page.expect_download() as download:
        page.locator("#xuat-khen-thuong").get_by_role("link", name="Xuất CSV").click()
    path = tmp_path / "khen-thuong.csv"
    download.value.save_as(path)
    found = list(csv.DictReader(io.StringIO(path.read_text("utf-8-sig"), newline="")))
    assert found and {(r["Đơn vị"], r["Năm"]) for r in found} == {("Ban Dân tộc tỉnh", "2024")}
    assert "Số định danh" not in path.read_text("utf-8-sig")
    see(shots, page, "tra-cuu-xuat")
