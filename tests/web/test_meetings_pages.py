"""The council's meeting on a round through the pages in a real browser (Debian's Chromium
driven by Playwright) against the real app: the specialist opens the meeting from the
round's page, seats 7 members and marks 5 present; each present member signs in and votes
in their own ballot form (an absent one gets no form); the secretary closes the meeting and
signs the Biên bản with the PIN, the chair signs on top; the round's page shows the
result per nominee and its list keeps only whom the council passed. Screenshots:
tests/artifacts/web/hop-hoi-dong/."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.fixtures.browser import Shots, flash, new_context, see, sign_in, wait_idle
from tests.fixtures.route import walk_to
from tests.fixtures.server import PIN, Api, AppServer

pytestmark = pytest.mark.slow

AWARD = "bang_khen_ubnd_tinh"
# 70% of the whole membership for the Bằng khen: 5 of 7 pass, 4 of 7 do not.
SERVER_ENV = {"TDKT_COUNCIL_THRESHOLDS": f"{AWARD}=70"}
SHOTS = "hop-hoi-dong"
SPECIALIST, SECRETARY, CHAIR = "ptdkt.chuyenvien", "ptdkt.truongphong", "snv.giamdoc"
MEMBERS = [f"hdtd.thanhvien{i}" for i in range(1, 6)]
PRESENT = [CHAIR, SECRETARY, *MEMBERS[:3]]
PASSES, FAILS = 'Lò Văn "Páo" <Tày> & {{ x }}', "Hoàng Thị Mai"


def make(server: AppServer, name: str) -> int:
    clerk = Api(server, "bdt.canbo")
    nominees = [{"kind": "individual", "name": name, "achievements": "Hoàn thành xuất sắc."}]
    r = clerk.post("/api/v1/dossiers", json={"year": 2026, "award": AWARD, "nominees": nominees})
    assert r.status_code == 201, r.text
    clerk.attach(r.json()["id"])
    walk_to(server, int(r.json()["id"]), "approved")
    return int(r.json()["id"])


def vote_in_page(browser: Browser, server: AppServer, login: str, url: str, first: str) -> Page:
    page = sign_in(new_context(browser, server), login)
    page.goto(url)
    forms = page.locator("fieldset.ballot")
    expect(forms).to_have_count(2)
    forms.nth(0).get_by_label(first, exact=True).check()
    # The second nominee: 4 of the 5 agree (one disagrees).
    second = "Không đồng ý" if login == MEMBERS[2] else "Đồng ý"
    forms.nth(1).get_by_label(second, exact=True).check()
    page.get_by_role("button", name="Gửi phiếu biểu quyết").click()
    expect(flash(page)).to_contain_text("Đã ghi nhận phiếu biểu quyết")
    expect(page.locator("fieldset.ballot")).to_have_count(0)
    return page


def test_members_vote_in_the_page_and_the_round_shows_the_result(
    server: AppServer, browser: Browser, shots: Shots
):
    first, second = make(server, PASSES), make(server, FAILS)
    specialist_api = Api(server, SPECIALIST)
    rnd: dict[str, Any] = specialist_api.post(
        "/api/v1/rounds",
        json={"name": "Đợt tổng kết 2026", "year": 2026, "kind": "thuong_xuyen", "awards": [AWARD]},
    ).json()
    r = specialist_api.post(
        f"/api/v1/rounds/{rnd['id']}/dossiers",
        json={"dossier_ids": [first, second], "version": rnd["version"]},
    )
    assert r.status_code == 200, r.text
    names = {
        u: Api(server, u).get("/api/v1/me").json()["full_name"]
        for u in (CHAIR, SECRETARY, *MEMBERS)
    }

    # The round cannot be submitted before the council: refused in the page.
    page = sign_in(new_context(browser, server), SPECIALIST)
    page.goto(f"/dot-xet/{rnd['id']}")
    page.get_by_role("button", name="Trình duyệt đợt").click()
    expect(page.locator("#loi-dot")).to_contain_text("chưa được Hội đồng Thi đua – Khen thưởng")

    page.get_by_label("Địa điểm").fill("Phòng họp số 1")
    page.get_by_role("button", name="Lập cuộc họp Hội đồng").click()
    expect(flash(page)).to_contain_text("Đã lập cuộc họp Hội đồng")
    meeting_url = page.url
    expect(page.locator("#quy-dinh").locator("..")).to_contain_text("chưa xác nhận")
    roles = {CHAIR: "Chủ tịch Hội đồng", SECRETARY: "Thư ký"}
    for login in (CHAIR, SECRETARY, *MEMBERS):
        page.get_by_label(names[login], exact=True).select_option(
            label=roles.get(login, "Thành viên")
        )
    page.get_by_role("button", name="Ghi thành phần").click()
    expect(flash(page)).to_contain_text("Đã ghi thành phần: 7 thành viên")
    for login in PRESENT:
        page.get_by_label(f"{names[login]} (", exact=False).check()
    page.get_by_role("button", name="Ghi điểm danh").click()
    expect(flash(page)).to_contain_text("5 thành viên có mặt")
    see(shots, page, "chuyen-vien-thanh-phan")

    # Each present member votes in their own page; an absent member gets no ballot form.
    for login in PRESENT:
        voter = vote_in_page(browser, server, login, meeting_url, "Đồng ý")
    see(shots, voter, "thanh-vien-da-bieu-quyet")
    absent = sign_in(new_context(browser, server), MEMBERS[3])
    absent.goto(meeting_url)
    expect(absent.locator("fieldset.ballot")).to_have_count(0)
    expect(absent.get_by_role("heading", name="Phiếu biểu quyết của bạn")).to_have_count(0)

    # The secretary closes, then signs; the chair signs on top.
    secretary = sign_in(new_context(browser, server), SECRETARY)
    secretary.goto(meeting_url)
    secretary.get_by_role("button", name="Kết thúc họp và kiểm phiếu").click()
    expect(flash(secretary)).to_contain_text("Đã kết thúc cuộc họp")
    wait_idle(secretary)
    results = secretary.locator("#ket-qua").locator("..")
    expect(results.locator("tr.result-dat")).to_contain_text(PASSES)
    expect(results.locator("tr.result-khong-dat")).to_contain_text("57,1% (cần 70%)")
    secretary.get_by_label("Mã PIN ký số").fill(PIN)
    secretary.get_by_role("button", name="Thư ký ký Biên bản").click()
    expect(flash(secretary)).to_contain_text("Đã ký Biên bản")
    see(shots, secretary, "thu-ky-da-ky")

    chair = sign_in(new_context(browser, server), CHAIR)
    chair.goto(meeting_url)
    chair.get_by_label("Mã PIN ký số").fill(PIN)
    chair.get_by_role("button", name="Chủ tịch ký Biên bản").click()
    expect(flash(chair)).to_contain_text("Đã ký Biên bản")
    wait_idle(chair)
    expect(chair.locator(".status-line .status")).to_have_text("Đã ký, ban hành Biên bản")
    expect(chair.locator("#van-ban-hop").locator("..")).to_contain_text("/BB-HĐTĐKT")
    see(shots, chair, "chu-tich-da-ky")

    # The round's page: the council's result per nominee, its list without who failed.
    page.goto(f"/dot-xet/{rnd['id']}")
    council = page.locator("#hoi-dong").locator("..")
    expect(council.locator("table")).to_contain_text("Không đạt")
    listed = page.locator("#danh-sach").locator("..")
    expect(listed).to_contain_text(PASSES)
    expect(listed).not_to_contain_text(FAILS)
    page.get_by_role("button", name="Trình duyệt đợt").click()
    expect(flash(page)).to_contain_text("Đã trình duyệt đợt")
    see(shots, page, "dot-da-trinh")
