"""The cluster's year-end secret vote in a real browser against the real app, for Cụm I
(five members, four present): the head unit's cluster approver opens the meeting from
the cluster's year page, records the attendance on their one screen, opens the ballots
and watches the live count of who has voted (never what); a member's representative
votes on a phone-sized screen and is shown their receipt once; after the close the
tally, next year's head and deputy, and the receipt check. Screenshots in
tests/artifacts/web/binh-xet/.

Two candidate dossiers are put at the cluster's step directly in the database (how they
come to wait for the vote is another part of the work); two members vote through the API."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from storage.db import Database
from storage.models import Cluster, Dossier, Unit
from tests.fixtures.browser import PHONE, Shots, flash, new_context, see, sign_in
from tests.fixtures.server import PIN, Api, AppServer

pytestmark = pytest.mark.slow

SHOTS = "binh-xet"
CUM1 = "Cụm I – Các cơ quan Quản lý chuyên ngành"
BQLDA = "Ban Quản lý Dự án Đầu tư xây dựng tỉnh Lạng Sơn"
SECRETARY = "bqlkkt.canbo"


def _db(server: AppServer) -> Database:
    return Database(f"sqlite:///{server.var_dir / 'tdkt.sqlite3'}")


def _waiting_dossier(server: AppServer, unit: str) -> int:
    r = Api(server, f"{unit.lower()}.canbo").post(
        "/api/v1/dossiers",
        json={
            "year": 2026,
            "award": "bang_khen_ubnd_tinh",
            "nominees": [{"kind": "collective", "name": f"Tập thể {unit}", "achievements": "Tốt."}],
        },
    )
    assert r.status_code == 201, r.text
    did = int(r.json()["id"])
    d = _db(server)
    with d.write() as s:
        row = s.get(Dossier, did)
        assert row is not None
        row.status, row.furthest_stage = "cluster_vote", "cluster"
        row.process = "cluster_voted_proposal"
    d.dispose()
    return did


def _units(server: AppServer) -> tuple[int, dict[str, int]]:
    d = _db(server)
    with d.read() as s:
        cluster = s.scalar(select(Cluster.id).where(Cluster.code == "CUM1-QLCN"))
        units = {u.code: u.id for u in s.scalars(select(Unit))}
    d.dispose()
    assert cluster is not None
    return cluster, units


def test_the_chair_runs_the_vote_and_a_member_votes_on_a_phone(
    server: AppServer, browser: Browser, shots: Shots
) -> None:
    cluster, units = _units(server)
    dossiers = [_waiting_dossier(server, u) for u in ("BDT", "BQLDA")]

    chair = sign_in(new_context(browser, server), "bqlkkt.cum")
    chair.goto(f"/cum-thi-dua/{cluster}/2026")
    chair.get_by_role("link", name="Họp bình xét, suy tôn cuối năm 2026 (bỏ phiếu kín)").click()
    expect(chair.get_by_role("heading", level=1)).to_have_text("Họp bình xét, suy tôn năm 2026")
    chair.get_by_label("Ngày họp").fill("2026-12-20")
    chair.get_by_label("Địa điểm").fill("Hội trường Ban Quản lý Khu kinh tế")
    see(shots, chair, "lap-cuoc-hop")
    chair.get_by_role("button", name="Lập cuộc họp bình xét").click()
    expect(flash(chair)).to_contain_text("Đã lập cuộc họp bình xét")
    meeting_id = int(re.search(r"/bo-phieu/(\d+)", chair.url).group(1))  # type: ignore[union-attr]

    for code, unit_id in units.items():
        if code in ("LMHTX", "BQLKKT", "VPDPNTM", "BDT"):
            chair.locator(f"#co-mat-{unit_id}").check()
    expect(chair.locator(f"#co-mat-{units['BQLDA']}")).not_to_be_checked()
    chair.get_by_role("button", name="Lưu điểm danh").click()
    expect(flash(chair)).to_contain_text("Đã điểm danh: 4 đơn vị có mặt")
    expect(chair.locator(f"#co-mat-{units['BQLDA']}")).not_to_be_checked()
    expect(chair.locator(f"#co-mat-{units['BDT']}")).to_be_checked()
    see(shots, chair, "chu-tri-diem-danh")
    chair.get_by_role("button", name="Mở bỏ phiếu kín").click()
    expect(flash(chair)).to_contain_text("Đã mở bỏ phiếu kín")
    expect(chair.locator("#thanh-vien tr", has_text=BQLDA)).to_contain_text("Vắng mặt")
    expect(chair.locator("#so-da-bo-phieu")).to_have_text("0")
    # The chair's own screen never shows a ballot form for the chair nor any count.
    expect(chair.locator("#ket-qua")).to_have_count(0)

    phone = sign_in(new_context(browser, server, PHONE), "lmhtx.thutruong")
    phone.goto(f"/bo-phieu/{meeting_id}")
    ballot = phone.locator("#phieu-bau")
    expect(ballot).to_be_visible()
    fieldsets = ballot.locator("fieldset")
    expect(fieldsets).to_have_count(5)  # leader, two candidates, head, deputy
    fieldsets.nth(0).get_by_label("Ban Dân tộc tỉnh").check()
    fieldsets.nth(1).get_by_label("Đồng ý", exact=True).check()
    fieldsets.nth(2).get_by_label("Không đồng ý").check()
    fieldsets.nth(3).get_by_label(
        "Văn phòng Điều phối chương trình xây dựng nông thôn mới tỉnh"
    ).check()
    fieldsets.nth(4).get_by_label("Ban Dân tộc tỉnh").check()
    # Nothing wider than the phone's screen.
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
    see(shots, phone, "phieu-bau-dien-thoai")
    phone.get_by_role("button", name="Gửi phiếu").click()
    receipt = phone.locator("#ma-bien-nhan").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){3}", receipt), receipt
    expect(phone.locator("#phieu-bau")).to_have_count(0)
    see(shots, phone, "da-bo-phieu-bien-nhan")

    # The live count on the chair's screen follows, without a reload.
    expect(chair.locator("#so-da-bo-phieu")).to_have_text("1", timeout=15_000)
    chair.reload()
    expect(chair.locator("#thanh-vien tr", has_text="Liên minh Hợp tác xã tỉnh")).to_contain_text(
        "Đã bỏ phiếu"
    )
    see(shots, chair, "chu-tri-so-phieu")

    questions = Api(server, "bqlkkt.cum").get(f"/api/v1/meetings/{meeting_id}/vote").json()
    ids = {q["key"]: q["id"] for q in questions["questions"]}
    for login in ("bqlkkt.thutruong", "vpdpntm.thutruong", "bdt.thutruong"):
        r = Api(server, login).post(
            f"/api/v1/meetings/{meeting_id}/ballots",
            json={
                "choices": [
                    {"question_id": ids[-1], "choice": str(units["BDT"])},
                    {"question_id": ids[dossiers[0]], "choice": "dong_y"},
                    {"question_id": ids[dossiers[1]], "choice": "khong_dong_y"},
                    {"question_id": ids[-2], "choice": str(units["VPDPNTM"])},
                    {"question_id": ids[-3], "choice": str(units["BDT"])},
                ]
            },
        )
        assert r.status_code == 201, r.text
    chair.reload()
    expect(chair.locator("#so-da-bo-phieu")).to_have_text("4")
    # The secretary: the head unit's clerk, chosen first in the list (no representative,
    # no chair); their signing key asked by the admin, their PIN set by themselves.
    expect(
        chair.get_by_label("Thư ký cuộc họp (lập và ký Biên bản trước chủ trì)")
    ).to_contain_text("Ban Quản lý Khu kinh tế")
    r = Api(server, "admin").post(f"/api/v1/admin/users/{SECRETARY}/signing-key")
    assert r.status_code == 202, r.text
    r = Api(server, SECRETARY).post("/api/v1/me/signing-pin", json={"pin": PIN, "pin_repeat": PIN})
    assert r.status_code == 201, r.text
    chair.get_by_role("button", name="Kết thúc bỏ phiếu và kiểm phiếu").click()
    expect(flash(chair)).to_contain_text("Đã kết thúc bỏ phiếu và kiểm phiếu")
    table = chair.locator("#bang-ket-qua")
    expect(table.locator("tr", has_text=f"hồ sơ số {dossiers[0]}")).to_contain_text("Đạt")
    expect(table.locator("tr", has_text=f"hồ sơ số {dossiers[1]}")).to_contain_text("Không đạt")
    expect(table.locator("tr", has_text="Bầu đơn vị Trưởng cụm năm 2027")).to_contain_text(
        "Văn phòng Điều phối chương trình xây dựng nông thôn mới tỉnh"
    )
    expect(chair.locator("#nhiem-ky-moi")).to_be_visible()
    # What became of each waiting dossier: the one that failed goes back with the tally.
    after = chair.locator("#ho-so-sau-binh-xet")
    expect(after.locator("tr", has_text=f"Hồ sơ số {dossiers[0]}")).to_contain_text(
        "Được Cụm đề nghị"
    )
    expect(after.locator("tr", has_text=f"Hồ sơ số {dossiers[1]}")).to_contain_text(
        "Không đạt, trả lại đơn vị"
    )
    see(shots, chair, "ket-qua-kiem-phieu")

    # The Biên bản: the secretary signs first, then the chair; numbered and sealed.
    secretary = sign_in(new_context(browser, server), SECRETARY)
    secretary.goto(f"/bo-phieu/{meeting_id}")
    for _ in range(120):  # the flow prepares it (DOCX → PDF)
        if secretary.locator("#thu-ky-ky").count():
            break
        secretary.wait_for_timeout(1000)
        secretary.reload()
    expect(chair.locator("#chu-tri-ky")).to_have_count(0)
    secretary.get_by_label("Mã PIN ký số").fill(PIN)
    see(shots, secretary, "thu-ky-ky-bien-ban")
    secretary.get_by_role("button", name="Thư ký ký Biên bản").click()
    expect(flash(secretary)).to_contain_text("Thư ký đã ký Biên bản")
    chair.reload()
    expect(chair.locator("#trang-thai-bien-ban")).to_contain_text("chờ chủ trì ký")
    chair.get_by_label("Mã PIN ký số").fill(PIN)
    chair.get_by_role("button", name="Chủ trì ký Biên bản").click()
    expect(flash(chair)).to_contain_text("Đã ký Biên bản")
    for _ in range(120):  # the flow numbers and seals it
        if chair.locator("#tai-bien-ban").count():
            break
        chair.wait_for_timeout(1000)
        chair.reload()
    expect(chair.locator("#so-bien-ban")).to_contain_text("/BB-CỤM I")
    see(shots, chair, "bien-ban-da-ky")
    chair.locator("#ho-so-sau-binh-xet").get_by_role("link", name=f"Hồ sơ số {dossiers[1]}").click()
    expect(chair.locator(".status-line")).to_contain_text("Bị trả lại")
    see(shots, chair, "ho-so-tra-lai-sau-binh-xet")

    phone.goto(f"/bo-phieu/{meeting_id}")
    phone.get_by_label("Mã biên nhận").fill(receipt)
    phone.get_by_role("button", name="Kiểm tra phiếu của tôi").click()
    found = phone.locator("#ket-qua-bien-nhan")
    expect(found).to_contain_text("Phiếu có trong kết quả kiểm phiếu")
    expect(found.locator("li")).to_have_count(5)
    expect(found).to_contain_text("Không đồng ý")
    see(shots, phone, "kiem-tra-bien-nhan-dien-thoai")

    board = sign_in(new_context(browser, server), "ptdkt.chuyenvien")
    board.goto("/hop-hoi-dong")
    board.get_by_role("link", name=f"Họp bình xét, suy tôn năm 2026 – {CUM1}").click()
    expect(board.locator("#bang-ket-qua")).to_contain_text("Không đạt")
    expect(board.locator("#phieu-bau")).to_have_count(0)
    see(shots, board, "ban-xem-ket-qua")
    board.goto(f"/cum-thi-dua/{cluster}/2027")
    expect(board.get_by_role("heading", level=1)).to_contain_text(CUM1)
    head = Api(server, "ptdkt.chuyenvien").get(f"/api/v1/clusters/{cluster}/years/2027").json()
    assert head["head_unit_id"] == units["VPDPNTM"] and head["deputy_unit_id"] == units["BDT"]
