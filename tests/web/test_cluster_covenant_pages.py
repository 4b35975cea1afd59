"""The covenant (Giao ước thi đua) in the cluster's year page, in a real browser against
the real app: a member's clerk enters its commitments in the page (text with `< & "`
and diacritics comes back intact), the head unit opens it for signing, the table shows
who has signed and who has not, a member head signs with their PIN in the page, the head
unit seals it once all have signed. The final PDF's signature page is rendered to PNG
next to the screenshots (tests/artifacts/web/giao-uoc/) to see the signatures sit over
the names."""

from __future__ import annotations

import subprocess

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from documents.verify import verify_pdf_sync
from storage.db import Database
from storage.models import Cluster
from tests.fixtures.browser import Shots, flash, new_context, see, sign_in
from tests.fixtures.server import PIN, Api, AppServer

pytestmark = pytest.mark.slow

SHOTS = "giao-uoc"
YEAR = 2026
TRICKY = 'Tỷ lệ hồ sơ "đúng hạn" < 5 ngày & không trễ'


def cluster_id(server: AppServer) -> int:
    d = Database(f"sqlite:///{server.var_dir / 'tdkt.sqlite3'}")
    with d.read() as s:
        found = s.scalar(select(Cluster.id).where(Cluster.code == "CUM1-QLCN"))
    d.dispose()
    assert found is not None
    return found


def test_members_sign_the_covenant_in_the_page(
    server: AppServer, browser: Browser, shots: Shots
) -> None:
    cid = cluster_id(server)
    base = f"/api/v1/clusters/{cid}/years/{YEAR}"
    year_page = f"/cum-thi-dua/{cid}/{YEAR}"
    members = {
        m["code"].lower(): m["unit_id"]
        for m in Api(server, "ptdkt.chuyenvien").get(base).json()["members"]
    }
    for code in ("lmhtx", "bqlkkt", "vpdpntm", "bqlda"):
        items = [{"indicator": "Tỷ lệ hồ sơ giải quyết đúng hạn", "target": "≥ 98%"}]
        r = Api(server, f"{code}.canbo").request(
            "PUT", f"{base}/covenant/commitments/{members[code]}", json={"items": items}
        )
        assert r.status_code == 200, r.text

    # Ban Dân tộc's clerk enters its own in the page.
    clerk = sign_in(new_context(browser, server), "bdt.canbo")
    clerk.goto(year_page)
    section = clerk.locator("#giao-uoc")
    expect(section).to_contain_text("Các đơn vị đang nhập chỉ tiêu")
    form = clerk.get_by_role("form", name="Chỉ tiêu giao ước của Ban Dân tộc tỉnh")
    form.get_by_label("Chỉ tiêu 1", exact=True).fill(TRICKY)
    form.get_by_label("Mức cam kết 1", exact=True).fill("≥ 99% {{ x }}")
    form.get_by_label("Chỉ tiêu 2", exact=True).fill("Sáng kiến được công nhận")
    form.get_by_label("Mức cam kết 2", exact=True).fill("02")
    see(shots, clerk, "don-vi-nhap-chi-tieu")
    form.get_by_role("button", name="Lưu chỉ tiêu").click()
    expect(flash(clerk)).to_contain_text("Đã lưu chỉ tiêu")
    row = clerk.locator(f"#giao-uoc-{members['bdt']}")
    expect(row).to_contain_text(TRICKY)
    expect(row).to_contain_text("≥ 99% {{ x }}")
    see(shots, clerk, "chi-tieu-da-luu")

    # The head unit opens it.
    lead = sign_in(new_context(browser, server), "bqlkkt.cum")
    lead.goto(year_page)
    lead.get_by_role("button", name="Mở Giao ước để các đơn vị ký").click()
    expect(flash(lead)).to_contain_text("Đã mở Giao ước", timeout=120_000)
    expect(lead.locator("#giao-uoc-ky")).to_contain_text("Chưa ký")
    see(shots, lead, "mo-de-ky")

    # Two heads sign over the API, then Ban Dân tộc's head in the page.
    for code in ("lmhtx", "bqlda"):
        r = Api(server, f"{code}.thutruong").post(
            f"{base}/covenant/actions/sign", json={"signing_pin": PIN}
        )
        assert r.status_code == 200, r.text
    head = sign_in(new_context(browser, server), "bdt.thutruong")
    head.goto(year_page)
    expect(head.locator(f"#giao-uoc-{members['lmhtx']}")).to_contain_text("Đã ký lúc")
    expect(head.locator(f"#giao-uoc-{members['bdt']}")).to_contain_text("Chưa ký")
    see(shots, head, "thu-truong-truoc-khi-ky")
    head.get_by_label("Mã PIN ký số").fill(PIN)
    head.get_by_role("button", name="Ký Giao ước").click()
    expect(flash(head)).to_contain_text("Đã ký Giao ước", timeout=120_000)
    expect(head.locator(f"#giao-uoc-{members['bdt']}")).to_contain_text("Đã ký lúc")
    expect(head.get_by_role("button", name="Ký Giao ước")).to_have_count(0)
    see(shots, head, "thu-truong-da-ky")

    for code in ("bqlkkt", "vpdpntm"):
        r = Api(server, f"{code}.thutruong").post(
            f"{base}/covenant/actions/sign", json={"signing_pin": PIN}
        )
        assert r.status_code == 200, r.text

    lead.goto(year_page)
    expect(lead.locator("#giao-uoc")).to_contain_text("đã ký 5/5")
    lead.get_by_role("button", name="Đóng dấu Giao ước").click()
    expect(flash(lead)).to_contain_text("Đã đóng dấu", timeout=120_000)
    expect(lead.locator("#giao-uoc")).to_contain_text("Đã ký đủ, đã đóng dấu")
    see(shots, lead, "da-dong-dau")

    # The final PDF: six valid signatures; its signature page kept as a picture.
    doc_id = Api(server, "bqlkkt.cum").get(f"{base}/covenant").json()["document_id"]
    board = Api(server, "ptdkt.chuyenvien")
    pdf = board.get(f"/api/v1/documents/{doc_id}/content").content
    roots = board.get("/api/v1/trust-roots").content
    reports = verify_pdf_sync(pdf, [roots])
    assert len(reports) == 6 and all(x.intact and x.valid and x.trusted for x in reports)
    out = shots.folder / "giao-uoc.pdf"
    out.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(out), str(shots.folder / "giao-uoc-trang")],
        check=True,
        timeout=120,
    )
