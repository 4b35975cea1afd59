"""A dossier's documents and attachments as a clerk and an approver meet them, and the
nominee's details, in a real browser (Debian's Chromium, headless, Playwright) against
the real app: the clerk enters an individual's date of birth, gender and ethnicity and is
told which document the law still requires; after a return the clerk replaces and
removes attachments and submits again; the dossier page groups the documents by
submission, marks what was replaced, hides drafts from the clerk and shows the
attachment sealed with the new Tờ trình's number; the date of birth stays with the unit;
the bulk approval lists every document it will sign, each with its preview, before the
PIN, and approves all or none. Screenshots in tests/artifacts/web/documents/.

The tests of this module run in order and share one server and one dossier."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect
from pyhanko.pdf_utils.reader import PdfFileReader
from reportlab.pdfgen import canvas
from sqlalchemy import select, update

from storage.db import Database
from storage.models import Document, DocumentVersion
from tests.fixtures.browser import (
    Shots,
    dossier_id_of,
    flash,
    new_context,
    see,
    sign_in,
    wait_idle,
)
from tests.fixtures.route import CLERK, CLUSTER, HEAD, send_back, walk_to
from tests.fixtures.server import PIN, Api, AppServer

pytestmark = pytest.mark.slow

AUDITOR, OTHER_CLERK = "thanhtra", "vpdpntm.canbo"
PERSON = "Lò Thị Mai"
POSITION = "Phó Trưởng phòng Chính sách dân tộc và Tuyên truyền, Ban Dân tộc tỉnh Lạng Sơn"
BORN_VN = "12/03/1982"
MISSING = "Còn thiếu Biên bản bình xét — Điều 84 Luật Thi đua, khen thưởng số 06/2022/QH15"

SHOTS = "documents"  # tests/artifacts/web/documents/
story: dict[str, Any] = {}


def pdf_file(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    c = canvas.Canvas(str(path))
    c.drawString(72, 760, text)
    c.save()
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("uploads")
    picture = folder / "Ảnh hội nghị.png"
    Image.new("RGB", (60, 40), "white").save(picture)
    return {
        "minutes": pdf_file(folder, "Biên bản họp bình xét.pdf", "Bien ban hop binh xet 2026"),
        "table": pdf_file(folder, "Bảng tổng hợp.pdf", "Bang tong hop so lieu 2026"),
        "table2": pdf_file(folder, "Bảng tổng hợp (bổ sung).pdf", "Bang tong hop bo sung"),
        "picture": picture,
    }


def upload(page: Page, path: Path, kind: str, title: str = "") -> None:
    """Through the attachments step's own form (the page's script sends it, then reloads
    the page with the new row)."""
    page.get_by_label("Loại tài liệu").select_option(kind)
    page.locator("#file").set_input_files(path)
    if title:
        page.get_by_label("Tên tài liệu").fill(title)
    page.get_by_role("button", name="Tải lên").click()
    expect(flash(page)).to_have_text(f"Đã tải lên «{title or path.stem}».")


def group(page: Page, n: int) -> Any:
    return page.locator(f"#lan-trinh-{n}-nhom")


# ---------------------------------------------------------------- the clerk's editor


def test_clerk_enters_the_nominee_and_is_told_what_the_law_requires(
    server: AppServer, browser: Browser, shots: Shots, files: dict[str, Path]
):
    clerk = sign_in(new_context(browser, server), CLERK)
    clerk.get_by_role("link", name="+ Lập hồ sơ đề nghị khen thưởng").click()
    clerk.get_by_label("Năm xét khen thưởng").fill("2026")
    clerk.get_by_role("button", name="Lập hồ sơ và tiếp tục").click()
    dossier_id = dossier_id_of(clerk)
    story["dossier"] = dossier_id

    row = clerk.locator("fieldset.nominee").first
    row.get_by_label("Loại").select_option("individual")
    details = row.locator("[data-individual]")
    expect(details).to_be_visible()  # shown for an individual only
    row.get_by_label("Tên tập thể hoặc họ và tên cá nhân").fill(PERSON)
    row.get_by_label("Chức vụ (cá nhân)").fill(POSITION)
    row.get_by_label("Ngày sinh (ngày/tháng/năm)").fill("01/01/2099")
    row.get_by_label("Giới tính").select_option(label="Nữ")
    row.get_by_label("Dân tộc").select_option(label="Tày")
    row.get_by_label("Tóm tắt thành tích").fill("Hoàn thành xuất sắc nhiệm vụ năm 2026.")
    clerk.get_by_role("button", name="Lưu và tiếp tục").click()
    expect(clerk.locator("#n-0-birth_date-loi")).to_have_text(
        "Ngày sinh phải là một ngày trong quá khứ."
    )
    expect(clerk.locator("#n-0-birth_date")).to_have_attribute("aria-invalid", "true")
    expect(clerk.locator("#n-0-ethnicity")).to_have_value("Tày")  # nothing typed is lost
    see(shots, clerk, "buoc-2-ngay-sinh-sai")
    clerk.locator("#n-0-birth_date").fill(BORN_VN)
    # The position is read whole: the field is as wide as the form.
    position = clerk.locator("#n-0-job_title")
    fits = position.evaluate("el => el.scrollWidth <= el.clientWidth")
    assert fits, "the position does not fit its field"
    see(shots, clerk, "buoc-2-ca-nhan")
    clerk.get_by_role("button", name="Lưu và tiếp tục").click()
    expect(clerk.get_by_role("heading", name="Bước 3. Tài liệu kèm theo")).to_be_visible()

    # What the award requires, with its basis, before anything is uploaded.
    needs = clerk.locator("section.requirements")
    expect(needs).to_contain_text("Biên bản bình xét — Điều 84 Luật Thi đua, khen thưởng")
    expect(needs.locator("li.missing")).to_contain_text("còn thiếu")
    clerk.get_by_role("link", name="Tiếp tục: xem lại và trình →").click()
    expect(clerk.locator("#chua-du + ul")).to_contain_text(MISSING)
    expect(clerk.get_by_role("button", name="Trình hồ sơ")).to_be_disabled()
    see(shots, clerk, "buoc-4-con-thieu-bien-ban")

    clerk.get_by_role("link", name="← Bước 3").click()
    upload(clerk, files["minutes"], "bien_ban_binh_xet")
    upload(clerk, files["table"], "khac", "Bảng tổng hợp số liệu")
    upload(clerk, files["picture"], "khac", "Ảnh hội nghị bình xét")
    table = clerk.locator("table.attachments")
    expect(table).to_contain_text("Biên bản họp bình xét.pdf")  # the file's own name
    expect(table).to_contain_text("Biên bản bình xét của Hội đồng Thi đua – Khen thưởng")
    expect(clerk.locator("section.requirements li.met")).to_contain_text("đã có")
    see(shots, clerk, "buoc-3-tai-lieu")

    clerk.get_by_role("link", name="Tiếp tục: xem lại và trình →").click()
    expect(clerk.locator("#chua-du")).to_have_count(0)
    expect(clerk.locator("#thanh-phan + ul")).to_contain_text("Đã có: Biên bản bình xét")
    clerk.get_by_role("button", name="Trình hồ sơ").click()
    expect(flash(clerk)).to_contain_text("Đã trình hồ sơ")
    wait_idle(clerk)
    personal = clerk.locator("table.nominees td.personal")
    expect(personal).to_contain_text(f"Nữ, sinh ngày {BORN_VN}, dân tộc Tày")


# ---------------------------------------------------------------- return, replace, resubmit


def test_returned_dossier_shows_its_documents_by_submission(
    server: AppServer, browser: Browser, shots: Shots, files: dict[str, Path]
):
    dossier_id = story["dossier"]
    send_back(server, dossier_id, "Bổ sung bảng số liệu năm 2026.")

    clerk = sign_in(new_context(browser, server), CLERK)
    clerk.goto(f"/ho-so/{dossier_id}/sua/3")
    row = clerk.locator("tr", has_text="Bảng tổng hợp số liệu")
    row.get_by_text("Thay tệp…").click()
    row.get_by_label(re.compile("^Chọn tệp mới thay cho")).set_input_files(files["table2"])
    row.get_by_role("button", name="Thay tệp").click()
    expect(flash(clerk)).to_contain_text("Đã thay tệp của «Bảng tổng hợp số liệu»")
    picture = clerk.locator("tr", has_text="Ảnh hội nghị bình xét")
    picture.get_by_text("Gỡ bỏ…").click()
    picture.get_by_role("button", name="Gỡ bỏ tài liệu").click()
    expect(flash(clerk)).to_contain_text("Đã gỡ «Ảnh hội nghị bình xét» khỏi hồ sơ")
    kept = clerk.locator("#da-go + ul")
    expect(kept).to_contain_text("Bảng tổng hợp.pdf")  # the earlier file, still archived
    expect(kept).to_contain_text("Ảnh hội nghị.png")
    expect(clerk.locator("table.attachments")).to_contain_text("Bảng tổng hợp (bổ sung).pdf")
    see(shots, clerk, "tra-lai-thay-go-tai-lieu")

    clerk.get_by_role("link", name="Tiếp tục: xem lại và trình →").click()
    clerk.get_by_role("button", name="Trình lại hồ sơ").click()
    expect(flash(clerk)).to_contain_text("Đã trình hồ sơ")
    wait_idle(clerk)
    walk_to(server, dossier_id, "cluster_review")

    clerk.goto(f"/ho-so/{dossier_id}")
    docs = clerk.locator("section[aria-labelledby='van-ban']")
    expect(docs.locator("section.submission h3")).to_have_count(2)
    expect(docs.locator("section.submission h3").first).to_contain_text("Lần trình 2")
    older = group(clerk, 1)
    expect(older.locator(".replaced-note")).to_contain_text("Đã được thay bằng lần trình 2")
    first = older.locator("tr", has_text="Tờ trình đề nghị khen thưởng của đơn vị")
    newer = group(clerk, 2).locator("tr", has_text="Tờ trình đề nghị khen thưởng của đơn vị")
    second_number = newer.locator("td.num").inner_text().strip()
    assert re.fullmatch(r"\d{2}/TTr-BDT", second_number)
    expect(first.locator(".replaced-by")).to_contain_text(f"số {second_number} (lần trình 2)")
    # Drafts are not the clerk's: no Tờ trình of the cluster waiting to be signed, no
    # leftover prepared for the approval that did not happen.
    expect(docs).not_to_contain_text("Chờ người duyệt ký")
    expect(docs).not_to_contain_text("Bản chuẩn bị")
    expect(docs).not_to_contain_text("Tờ trình đề nghị khen thưởng của cụm")
    # The Biên bản, sealed again with the new number; its earlier sealed copy listed too.
    minutes = group(clerk, 2).locator("tr", has_text="Biên bản họp bình xét")
    expect(minutes).to_contain_text(f"Bản đóng dấu theo Tờ trình số {second_number}.")
    name = f"Biên bản họp bình xét (kèm {second_number.replace('/', '-')}).pdf"
    expect(minutes.locator(".file-name")).to_have_text(name)
    expect(group(clerk, 1).locator("tr", has_text="Biên bản họp bình xét")).to_contain_text(
        f"đóng dấu lại theo Tờ trình số {second_number}"
    )
    expect(group(clerk, 2)).not_to_contain_text("Ảnh hội nghị bình xét")
    expect(group(clerk, 1).locator("tr", has_text="Bảng tổng hợp số liệu").first).to_contain_text(
        "Đã thay bằng tệp khác"
    )
    badges = clerk.locator("[data-verify-url] .badge")
    expect(badges.first).to_be_visible(timeout=60_000)
    expect(clerk.locator("[data-verify-url] .badge.bad")).to_have_count(0)
    clerk.evaluate("document.getElementById('van-ban').scrollIntoView()")  # the heading
    see(shots, clerk, "ho-so-hai-lan-trinh")

    # The sealed copy the page offers carries the new number (pyHanko reads its reason).
    href = minutes.get_by_role("link", name="Tải về").get_attribute("href")
    sealed = clerk.context.request.get(href or "")
    assert sealed.ok and sealed.headers["content-type"] == "application/pdf"
    assert "filename*=UTF-8''" + "Bi%C3%AAn%20b%E1%BA%A3n" in sealed.headers["content-disposition"]
    reader = PdfFileReader(BytesIO(sealed.body()))
    reasons = [str(s.sig_object.get("/Reason")) for s in reader.embedded_signatures]
    assert reasons == [f"Văn bản kèm theo Tờ trình số {second_number}"]
    story["number"] = second_number

    # The history names files by title and number; storage keys are for auditors.
    clerk.goto(f"/ho-so/{dossier_id}/lich-su")
    timeline = clerk.locator("ol.timeline")
    expect(timeline).to_contain_text("Thay tệp tài liệu kèm theo")
    expect(timeline).to_contain_text(f"Tờ trình đề nghị khen thưởng của đơn vị số {second_number}")
    expect(timeline).not_to_contain_text("dossiers/")
    see(shots, clerk, "lich-su-ten-van-ban")


def test_the_cluster_signs_its_draft_and_never_sees_the_date_of_birth(
    server: AppServer, browser: Browser, shots: Shots
):
    dossier_id = story["dossier"]
    cluster = sign_in(new_context(browser, server), CLUSTER)
    cluster.goto(f"/ho-so/{dossier_id}")
    current = group(cluster, 2)
    expect(current.locator("tr", has_text="của cụm")).to_contain_text("Chờ người duyệt ký")
    personal = cluster.locator("table.nominees td.personal")
    expect(personal).to_contain_text("Nữ")
    expect(personal).to_contain_text("chỉ đơn vị, Phòng TĐKT và thanh tra được xem")
    expect(cluster.locator("main")).not_to_contain_text(BORN_VN)
    expect(cluster.locator("main")).not_to_contain_text("dân tộc Tày")
    see(shots, cluster, "cum-xem-ho-so")

    auditor = sign_in(new_context(browser, server), AUDITOR)
    auditor.goto(f"/ho-so/{dossier_id}")
    expect(group(auditor, 1)).to_contain_text("Bản chuẩn bị, không được ký")
    expect(auditor.locator("table.nominees")).to_contain_text(BORN_VN)
    auditor.goto(f"/ho-so/{dossier_id}/lich-su")
    expect(auditor.locator("ol.timeline")).to_contain_text(f"dossiers/{dossier_id}/")

    other = sign_in(new_context(browser, server), OTHER_CLERK)
    for url in (f"/ho-so/{dossier_id}", f"/ho-so/{dossier_id}/lich-su", "/ho-so"):
        response = other.goto(url)
        assert response is not None
        assert response.status == (200 if url == "/ho-so" else 404), url
        expect(other.locator("main")).not_to_contain_text(BORN_VN)
        expect(other.locator("main")).not_to_contain_text(PERSON)
    other.goto(f"/ho-so?q={PERSON}")
    expect(other.locator(".result-count")).to_have_text("Tìm thấy 0 hồ sơ.")


# ---------------------------------------------------------------- several at once


def test_bulk_approval_lists_every_document_with_its_preview_before_the_pin(
    server: AppServer, browser: Browser, shots: Shots
):
    api = Api(server, CLERK)
    ids = []
    for name in ("Phòng Tổng hợp", "Văn phòng Ban", "Phòng Kế hoạch"):
        r = api.post(
            "/api/v1/dossiers",
            json={
                "year": 2026,
                "nominees": [
                    {"kind": "collective", "name": name, "achievements": "Hoàn thành tốt."}
                ],
            },
        )
        ids.append(r.json()["id"])
        api.attach(ids[-1])
        walk_to(server, ids[-1], "unit_review")
    # The third one's Tờ trình as if its preparation had failed (the converter was down):
    # there is nothing prepared to sign.
    db = Database(f"sqlite:///{server.var_dir / 'tdkt.sqlite3'}")
    try:
        with db.write() as s:
            doc = s.scalar(
                select(Document).where(
                    Document.dossier_id == ids[2], Document.form == "to_trinh_don_vi"
                )
            )
            assert doc is not None
            s.execute(
                update(DocumentVersion)
                .where(
                    DocumentVersion.document_id == doc.id,
                    DocumentVersion.rendition == "pdf-prepared",
                )
                .values(rendition="pdf-prepared-failed")
            )
    finally:
        db.dispose()

    head = sign_in(new_context(browser, server), HEAD)
    for i in ids:
        head.get_by_label(f"Chọn hồ sơ số {i} để duyệt và ký").check()
    previews: list[str] = []
    head.on(
        "response",
        lambda r: (
            previews.append(r.headers.get("content-type", ""))
            if "ban=pdf-prepared" in r.url
            else None
        ),
    )
    head.get_by_role("button", name="Xem văn bản và ký các hồ sơ đã chọn…").click()
    dialog = head.get_by_role("dialog")
    expect(dialog).to_be_visible()
    for i in ids[:2]:
        plan = dialog.locator(f"[data-plan='{i}']")
        expect(plan).to_be_visible()
        expect(plan).to_contain_text("Tờ trình đề nghị khen thưởng của đơn vị")
        expect(plan).to_contain_text("Biểu mẫu: Tờ trình đề nghị khen thưởng của đơn vị")
        expect(plan).to_contain_text(re.compile(r"Số dự kiến: \d{2}/TTr-BDT trở đi"))
        expect(plan).to_contain_text("Báo cáo thành tích")  # the head signs it too
        frames = plan.locator("iframe.sign-preview")
        expect(frames).to_have_count(2)
        for frame in frames.all():
            expect(frame).to_have_attribute("src", re.compile(r"/van-ban/\d+\?ban=pdf-prepared$"))
    blocked = dialog.locator(f"[data-plan='{ids[2]}']")
    expect(blocked.get_by_role("alert")).to_contain_text("chưa chuẩn bị xong")
    expect(blocked.locator("iframe")).to_have_count(0)
    # Every preview was fetched as a PDF before any PIN was typed.
    head.wait_for_timeout(1500)  # the PDF viewer draws the pages
    assert previews.count("application/pdf") >= 4, previews
    expect(dialog.get_by_label("Mã PIN ký số")).to_be_empty()
    see(shots, head, "duyet-nhieu-hop-thoai", full_page=False)

    dialog.get_by_label("Mã PIN ký số").fill(PIN)
    dialog.get_by_role("button", name="Ký và duyệt các hồ sơ đã chọn").click()
    # One action, all or none: the unprepared one refuses the batch, named beside the
    # selection, and nothing is signed or approved.
    expect(head.locator("#ho_so-loi")).to_contain_text(f"Hồ sơ số {ids[2]}")
    expect(head.locator("#ho_so-loi")).to_contain_text("chưa được chuẩn bị xong")
    see(shots, head, "duyet-nhieu-tu-choi")
    for i in ids:
        assert Api(server, HEAD).get(f"/api/v1/dossiers/{i}").json()["status"] == "unit_review"
    head.get_by_label(f"Chọn hồ sơ số {ids[2]} để duyệt và ký").uncheck()
    head.get_by_role("button", name="Xem văn bản và ký các hồ sơ đã chọn…").click()
    head.get_by_role("dialog").get_by_label("Mã PIN ký số").fill(PIN)
    head.get_by_role("dialog").get_by_role("button", name="Ký và duyệt các hồ sơ đã chọn").click()
    expect(head.get_by_role("status")).to_contain_text("Đã duyệt và ký 2 trên 2 hồ sơ")
    see(shots, head, "duyet-nhieu-ket-qua")
    for i in ids[:2]:
        assert Api(server, HEAD).wait_idle(i)["status"] == "cluster_review"
    assert Api(server, HEAD).get(f"/api/v1/dossiers/{ids[2]}").json()["status"] == "unit_review"
