"""New approvers through the pages, in a real browser against the real app: an admin
creates a unit head and asks the system's CA for their key; the new head signs in, is
made to change the temporary password, sets the signing PIN (the key is made then),
approves a dossier in its page, and the issued PDF's approver signature is valid and
trusted to pyHanko and to poppler's `pdfsig`. Then an admin's password reset (shown
once, forced change) and revocation (the approval is refused). And who is who: the
cluster's leaders and the board named as people say them, in the header, the users pages
and the history. Screenshots in tests/artifacts/web/nguoi-dung/."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from documents.verify import verify_pdf_sync
from storage.audit import VIETNAM
from storage.db import Database
from storage.models import AuditEvent, Cluster, ClusterTerm, Unit
from tests.fixtures.browser import (
    PHONE,
    Shots,
    flash,
    new_context,
    see,
    sign_in,
)
from tests.fixtures.nss import nss_db, pdfsig
from tests.fixtures.server import PIN, Api, AppServer

pytestmark = pytest.mark.slow

NEW = "lmhtx.thutruong2"
NAME = "Hà Thị Ngọc Ánh"
TEMPORARY = "tạm-thời-2026"
OWN = 'Mật khẩu "riêng" <&> 2026'
NEW_PIN = "246810"
CUM = "Cụm I – Các cơ quan Quản lý chuyên ngành"
SHOTS = "nguoi-dung"  # tests/artifacts/web/nguoi-dung/
story: dict[str, Any] = {}


def submitted(server: AppServer, clerk: str) -> int:
    api = Api(server, clerk)
    d = api.post(
        "/api/v1/dossiers",
        json={
            "year": 2026,
            "nominees": [
                {"kind": "collective", "name": "Phòng Kế hoạch", "achievements": "Xuất sắc"}
            ],
        },
    ).json()
    api.attach(d["id"])  # the Biên bản bình xét the award requires
    assert api.act(d["id"], "submit").status_code == 200
    api.wait_idle(d["id"])
    return int(d["id"])


def approve_in_page(page: Page, dossier_id: int, pin: str) -> None:
    page.goto(f"/ho-so/{dossier_id}")
    page.get_by_role("button", name="Duyệt và ký…").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Mã PIN ký số").fill(pin)
    dialog.get_by_role("button", name="Ký và duyệt").click()


def change_password(page: Page, current: str, new: str, repeat: str | None = None) -> None:
    page.get_by_label(re.compile("^Mật khẩu (tạm thời|hiện tại)$")).fill(current)
    page.get_by_label("Mật khẩu mới", exact=True).fill(new)
    page.get_by_label("Nhập lại mật khẩu mới").fill(repeat if repeat is not None else new)
    page.get_by_role("button", name="Đổi mật khẩu").click()


def ensure_term_this_year(server: AppServer) -> int:
    """The header names the post of the cluster terms in force: the demo seeds 2025 and
    2026; another year gets Ban Quản lý Khu kinh tế as head, as 2026 has."""
    year = datetime.now(VIETNAM).year
    db = Database(f"sqlite:///{server.var_dir / 'tdkt.sqlite3'}")
    with db.write() as s:
        cluster = s.scalar(select(Cluster).where(Cluster.code == "CUM1-QLCN"))
        assert cluster is not None
        units = {u.code: u.id for u in s.scalars(select(Unit).where(Unit.cluster_id == cluster.id))}
        term = s.scalar(
            select(ClusterTerm).where(
                ClusterTerm.cluster_id == cluster.id, ClusterTerm.year == year
            )
        )
        if term is None:
            s.add(
                ClusterTerm(
                    cluster_id=cluster.id,
                    year=year,
                    head_unit_id=units["BQLKKT"],
                    deputy_unit_id=units["VPDPNTM"],
                )
            )
    db.dispose()
    return year


# ---------------------------------------------------------------- a new approver


def test_a_new_unit_head_gets_a_key_sets_the_pin_and_signs_in_the_page(
    server: AppServer, browser: Browser, shots: Shots, tmp_path: Path
):
    dossier_id = submitted(server, "lmhtx.canbo")
    story["dossier"] = dossier_id

    # The admin: a new account, the role of unit head, and a key asked of the CA.
    admin = sign_in(new_context(browser, server), "admin")
    admin.goto("/quan-tri/nguoi-dung/moi")
    admin.get_by_label("Tên đăng nhập").fill(NEW)
    admin.get_by_label("Họ và tên").fill(NAME)
    admin.get_by_label("Chức vụ (in dưới chữ ký)").fill("Phó Chủ tịch")
    admin.get_by_label("Mật khẩu ban đầu").fill(TEMPORARY)
    admin.get_by_role("button", name="Tạo tài khoản").click()
    expect(flash(admin)).to_contain_text(f"Đã tạo tài khoản {NEW}")
    admin.get_by_role("combobox", name="Vai trò").select_option(label="Thủ trưởng đơn vị")
    admin.get_by_label(re.compile("^Đơn vị")).select_option(label="Liên minh Hợp tác xã tỉnh")
    admin.get_by_role("button", name="Giao vai trò").click()
    expect(admin.locator("ul.roles")).to_contain_text(
        "Thủ trưởng đơn vị, Liên minh Hợp tác xã tỉnh"
    )
    admin.get_by_role("button", name="Cấp khóa ký số").click()
    expect(flash(admin)).to_contain_text("Khóa được tạo khi người dùng đặt mã PIN ký số lần đầu")
    expect(admin.locator("#ky-so")).to_be_visible()
    expect(admin.get_by_text("Tình trạng: Chờ đặt mã PIN ký số.")).to_be_visible()
    see(shots, admin, "quan-tri-cap-khoa")

    # The new head: the temporary password allows nothing but changing it.
    head = sign_in(new_context(browser, server), NEW, TEMPORARY)
    expect(head).to_have_url(re.compile(r"/tai-khoan/mat-khau$"))
    expect(head.locator("p.notice")).to_contain_text("mật khẩu tạm thời")
    head.goto(f"/ho-so/{dossier_id}")
    expect(head).to_have_url(re.compile(r"/tai-khoan/mat-khau$"))
    see(shots, head, "doi-mat-khau-bat-buoc")
    change_password(head, TEMPORARY, OWN, OWN + "x")
    expect(head.locator("#new_password_repeat-loi")).to_have_text(
        "Hai lần nhập mật khẩu mới không khớp."
    )
    change_password(head, TEMPORARY, OWN)
    expect(flash(head)).to_have_text("Đã đổi mật khẩu.")
    who = head.locator("header .who")
    expect(who).to_contain_text("Thủ trưởng đơn vị, Liên minh Hợp tác xã tỉnh")
    expect(head.locator("p.notice")).to_contain_text("Hãy đặt mã PIN ký số trước khi duyệt")
    see(shots, head, "trang-chu-chua-dat-pin")

    # Approving before the PIN is set: the dialog says what to do instead of asking a PIN
    # (the API answers 409 `signing_pin_not_set`: tests/api/test_people_api.py).
    head.goto(f"/ho-so/{dossier_id}")
    head.get_by_role("button", name="Duyệt và ký…").click()
    dialog = head.get_by_role("dialog")
    expect(dialog).to_contain_text("Bạn chưa đặt mã PIN ký số")
    expect(dialog.get_by_label("Mã PIN ký số")).to_have_count(0)
    see(shots, head, "duyet-khi-chua-dat-pin", full_page=False)

    # The PIN: digits, six of them, typed twice; the key is made now.
    head.get_by_role("dialog").get_by_role("link", name="Đặt mã PIN ký số").click()
    expect(head.get_by_role("heading", level=1)).to_have_text("Đặt mã PIN ký số")
    head.get_by_label("Mã PIN ký số mới").fill("2468")
    head.get_by_label("Nhập lại mã PIN").fill("2468")
    head.get_by_role("button", name="Đặt mã PIN và tạo khóa ký số").click()
    expect(head.locator("#pin-loi")).to_have_text("Mã PIN ký số gồm đúng 6 chữ số.")
    see(shots, head, "dat-pin-loi")
    head.get_by_label("Mã PIN ký số mới").fill(NEW_PIN)
    head.get_by_label("Nhập lại mã PIN").fill(NEW_PIN)
    head.get_by_role("button", name="Đặt mã PIN và tạo khóa ký số").click()
    expect(flash(head)).to_contain_text("Khóa ký số của bạn đã được tạo và chứng thực")
    certs = head.locator("table.cert-list")
    expect(certs).to_contain_text(NAME)
    expect(certs).to_contain_text("Khóa do hệ thống giữ")
    expect(certs).to_contain_text("Đang dùng")
    expect(who.get_by_role("link", name="Mã PIN ký số")).to_be_visible()

    # A wrong current PIN when changing it counts toward the lock, as when signing.
    head.get_by_label("Mã PIN hiện tại").fill("000000")
    head.get_by_label("Mã PIN mới", exact=True).fill("135790")
    head.get_by_label("Nhập lại mã PIN mới").fill("135790")
    head.get_by_role("button", name="Đổi mã PIN").click()
    expect(head.locator("#current_pin-loi")).to_have_text("Mã PIN ký số không đúng. Còn 4 lần thử.")
    see(shots, head, "ky-so-cua-toi")

    # The approval, in the page, with the PIN the head chose.
    approve_in_page(head, dossier_id, NEW_PIN)
    expect(flash(head)).to_contain_text("Đã duyệt và ký")
    clerk = Api(server, "lmhtx.canbo")
    clerk.wait_idle(dossier_id)
    docs = clerk.get(f"/api/v1/dossiers/{dossier_id}/documents").json()
    doc = next(x for x in docs if x["form"] == "to_trinh_don_vi")
    pdf = clerk.get(f"/api/v1/documents/{doc['id']}/content").content
    roots = clerk.get("/api/v1/trust-roots").content
    reports = verify_pdf_sync(pdf, [roots])
    assert reports[0].signer == NAME
    assert all(r.intact and r.valid and r.trusted for r in reports), reports
    path = tmp_path / "to-trinh.pdf"
    path.write_bytes(pdf)
    checked = pdfsig(path, nss_db(tmp_path / "nss", roots))
    assert checked.count("Signature is Valid.") == 2, checked
    assert f"Signer Certificate Common Name: {NAME}" in checked, checked
    assert "Certificate issuer is unknown" not in checked and "not trusted" not in checked.lower()

    head.goto(f"/ho-so/{dossier_id}/lich-su")
    expect(head.locator("ol.timeline")).to_contain_text(
        f"{NAME}, Thủ trưởng đơn vị, Liên minh Hợp tác xã tỉnh"
    )
    story["document"] = doc["id"]

    # The admin: a reset shown once, then the key revoked with a reason.
    admin.goto(f"/quan-tri/nguoi-dung/{NEW}")
    admin.get_by_role("button", name="Đặt lại mật khẩu").click()
    expect(flash(admin)).to_contain_text("Hãy báo mật khẩu tạm thời cho người dùng")
    temporary = admin.locator("#mat-khau-tam").inner_text()
    assert re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", temporary), temporary
    see(shots, admin, "quan-tri-dat-lai-mat-khau")
    admin.reload()
    expect(admin.locator("#mat-khau-tam")).to_have_count(0)  # shown once only
    expect(admin.get_by_text("Đang dùng mật khẩu tạm thời")).to_be_visible()

    row = admin.locator("table.cert-list tbody tr").first
    row.get_by_text("Thu hồi…").click()
    row.get_by_role("button", name="Thu hồi chứng thư").click()
    expect(row.locator("textarea")).to_have_attribute("aria-invalid", "true")
    row = admin.locator("table.cert-list tbody tr").first
    row.get_by_text("Thu hồi…").click()
    row.get_by_label("Lý do thu hồi").select_option(label="Chuyển công tác, thôi giữ chức vụ")
    row.get_by_label("Ghi rõ lý do").fill("Chuyển công tác sang Sở Tài chính từ 01/12")
    row.get_by_role("button", name="Thu hồi chứng thư").click()
    expect(flash(admin)).to_have_text("Đã thu hồi chứng thư số.")
    expect(admin.locator("table.cert-list")).to_contain_text("Đã thu hồi")
    expect(admin.locator("table.cert-list")).to_contain_text("Chuyển công tác sang Sở Tài chính")
    see(shots, admin, "quan-tri-thu-hoi")

    # The reset ended the head's session; the generated password must be changed again;
    # the revoked key signs nothing.
    head.goto("/")
    expect(head).to_have_url(re.compile(r"/dang-nhap"))
    head = sign_in(new_context(browser, server), NEW, temporary)
    expect(head).to_have_url(re.compile(r"/tai-khoan/mat-khau$"))
    change_password(head, temporary, OWN + " mới")
    expect(flash(head)).to_have_text("Đã đổi mật khẩu.")
    second = submitted(server, "lmhtx.canbo")
    approve_in_page(head, second, NEW_PIN)
    expect(head.locator("#signing_pin-loi")).to_contain_text("đã bị thu hồi")
    verdict = clerk.get(f"/api/v1/documents/{doc['id']}/verify").json()
    assert verdict["signatures"][0]["problem"] == "revoked", verdict

    db = Database(f"sqlite:///{server.var_dir / 'tdkt.sqlite3'}")
    with db.read() as s:
        events = [
            (e.kind, e.actor_name, e.data)
            for e in s.scalars(select(AuditEvent).order_by(AuditEvent.seq))
            if e.data.get("username") == NEW
        ]
    db.dispose()
    kinds = [k for k, _, _ in events]
    for kind in (
        "user_created",
        "role_granted",
        "signing_key_requested",
        "password_changed",
        "signing_key_issued",
        "password_reset",
        "certificate_revoked",
    ):
        assert kind in kinds, kinds
    recorded = repr(events)
    for secret in (TEMPORARY, OWN, NEW_PIN, temporary):
        assert secret not in recorded


# ---------------------------------------------------------------- who is who


def test_cluster_leaders_and_the_board_are_named_once_with_the_year(
    server: AppServer, browser: Browser, shots: Shots
):
    year = ensure_term_this_year(server)
    cluster = sign_in(new_context(browser, server), "bqlkkt.cum")
    who = cluster.locator("header .who")
    expect(who).to_contain_text(f"Trưởng cụm, {CUM} ({year})")
    expect(who).not_to_contain_text("Lãnh đạo đơn vị Trưởng/Phó trưởng cụm")
    see(shots, cluster, "trang-chu-truong-cum")
    deputy = sign_in(new_context(browser, server), "vpdpntm.cum")
    expect(deputy.locator("header .who")).to_contain_text(f"Phó trưởng cụm, {CUM} ({year})")
    board = sign_in(new_context(browser, server), "ptdkt.chuyenvien")
    expect(board.locator("header .who")).to_contain_text(
        "Chuyên viên, Phòng Thi đua – Khen thưởng, Sở Nội vụ"
    )
    expect(board.locator("ul.places")).to_have_text(
        "Chuyên viên, Phòng Thi đua – Khen thưởng, Sở Nội vụ"
    )
    phone = sign_in(new_context(browser, server, PHONE), "bqlkkt.cum")
    see(shots, phone, "dien-thoai-truong-cum")

    admin = sign_in(new_context(browser, server), "admin")
    admin.goto("/quan-tri/nguoi-dung?q=.cum")
    table = admin.locator("table.list")
    expect(table).to_contain_text(f"Trưởng cụm, {CUM} ({year})")
    expect(table).to_contain_text(f"Phó trưởng cụm, {CUM} ({year})")
    see(shots, admin, "quan-tri-nguoi-dung-cum")

    # The history names the post the unit had in the dossier's year (2026, the seed's).
    dossier_id = story.get("dossier") or submitted(server, "lmhtx.canbo")
    if Api(server, "bqlkkt.cum").get(f"/api/v1/dossiers/{dossier_id}").status_code != 200:
        head = Api(server, "lmhtx.thutruong")
        assert head.act(dossier_id, "approve", signing_pin=PIN).status_code == 200
        head.wait_idle(dossier_id)
    api = Api(server, "bqlkkt.cum")
    r = api.act(dossier_id, "approve", signing_pin=PIN)
    assert r.status_code == 200, r.text
    api.wait_idle(dossier_id)
    cluster.goto(f"/ho-so/{dossier_id}/lich-su")
    line = cluster.locator("ol.timeline .ev-approve .ev-who").last
    expect(line).to_contain_text(
        f"Trưởng cụm, {CUM} (2026); đơn vị Ban Quản lý Khu kinh tế cửa khẩu Đồng Đăng – Lạng Sơn"
    )
    expect(cluster.locator("ol.timeline")).not_to_contain_text("Trưởng/Phó trưởng cụm")
    see(shots, cluster, "lich-su-truong-cum")
