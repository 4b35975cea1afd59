"""The award decision through the pages in a real browser (Debian's Chromium driven by
Playwright) against the real app: from a round the Sở submitted (made through the API),
the specialist drafts the decision on the round's page and reads the list with the prize
money and the values it used (those not confirmed said so); sends it to be signed; the
Phó Chủ tịch UBND tỉnh signs it in the page with the PIN (a wrong PIN said beside it); the
page then shows its number in the UBND's series and the certificates; the unit's clerk
sees «Đã khen thưởng» with the decision's number on the dossier. Screenshots:
tests/artifacts/web/quyet-dinh/."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Browser, expect

from tests.fixtures.browser import flash, new_context, see, sign_in, wait_idle
from tests.fixtures.route import walk_to
from tests.fixtures.server import PIN, Api, AppServer

pytestmark = pytest.mark.slow

SHOTS = "quyet-dinh"
SPECIALIST, HEAD, LEADER = "ptdkt.chuyenvien", "ptdkt.truongphong", "snv.phogiamdoc"
ROUND = 'Đợt tổng kết <công tác> & "thi đua" năm 2026'
AWARD = "bang_khen_ubnd_tinh"

# The council's vote is tested in test_meetings_pages.py: here none is asked.
SERVER_ENV = {"TDKT_COUNCIL_AWARDS": "-"}


def make(server: AppServer, unit: str, names: list[tuple[str, str]]) -> int:
    clerk = Api(server, f"{unit}.canbo")
    nominees = [{"kind": k, "name": n, "achievements": "Hoàn thành xuất sắc."} for k, n in names]
    r = clerk.post("/api/v1/dossiers", json={"year": 2026, "award": AWARD, "nominees": nominees})
    assert r.status_code == 201, r.text
    clerk.attach(r.json()["id"])
    return int(r.json()["id"])


def submitted_round(server: AppServer, dossier_ids: list[int]) -> int:
    people = {u: Api(server, u) for u in (SPECIALIST, HEAD, LEADER)}
    r = people[SPECIALIST].post(
        "/api/v1/rounds",
        json={"name": ROUND, "year": 2026, "kind": "thuong_xuyen", "awards": [AWARD]},
    )
    rnd = r.json()
    path = f"/api/v1/rounds/{rnd['id']}"
    r = people[SPECIALIST].post(
        f"{path}/dossiers", json={"dossier_ids": dossier_ids, "version": rnd["version"]}
    )
    assert r.status_code == 200, r.text
    for user, action, body in (
        (SPECIALIST, "submit", {}),
        (HEAD, "approve", {}),
        (LEADER, "approve", {"signing_pin": PIN}),
    ):
        deadline = time.monotonic() + 180
        while people[user].get(path).json()["processing"]:
            assert time.monotonic() < deadline
            time.sleep(0.3)
        r = people[user].post(f"{path}/actions/{action}", json=body)
        assert r.status_code == 200, r.text
    return int(rnd["id"])


def test_the_decision_is_drafted_signed_and_seen_by_the_unit(
    server: AppServer, browser: Browser, shots
):
    a = make(server, "bdt", [("collective", "Phòng Chính sách"), ("individual", "Lò Thị Mai")])
    b = make(server, "lmhtx", [("individual", "Nông Văn Khánh")])
    walk_to(server, a, "approved")
    walk_to(server, b, "approved", unit="lmhtx")
    round_id = submitted_round(server, [a, b])

    context = new_context(browser, server)
    page = sign_in(context, SPECIALIST)
    page.goto(f"/dot-xet/{round_id}")
    wait_idle(page)
    page.get_by_role("button", name="Lập dự thảo quyết định khen thưởng").click()
    expect(flash(page)).to_contain_text("Đã lập dự thảo quyết định khen thưởng")
    expect(page.get_by_role("heading", level=1)).to_have_text("Quyết định khen thưởng")
    expect(page.locator(".lead")).to_contain_text(ROUND)  # literally, escaped
    listed = page.locator("#danh-sach-khen-thuong").locator("..")
    for name in ("Phòng Chính sách", "Lò Thị Mai", "Nông Văn Khánh"):
        expect(listed).to_contain_text(name)
    expect(listed).to_contain_text("4.680.000 đồng")
    expect(listed).to_contain_text("2.340.000 đồng")
    values = page.locator("#tien-thuong").locator("..")
    expect(values).to_contain_text("Nghị định số 73/2024/NĐ-CP")
    expect(values).to_contain_text("(chưa xác nhận)")
    see(shots, page, "du-thao")
    decision_url = page.url
    page.get_by_role("button", name="Trình ký quyết định").click()
    expect(flash(page)).to_contain_text("Đã trình ký quyết định")
    wait_idle(page)
    expect(page.locator(".status-line")).to_contain_text("Chờ lãnh đạo UBND tỉnh ký")
    context.close()

    context = new_context(browser, server)
    vice = sign_in(context, "ubnd.phochutich")
    vice.goto(decision_url)
    wait_idle(vice)
    vice.get_by_role("button", name="Ký quyết định…").click()
    dialog = vice.get_by_role("dialog")
    expect(dialog).to_contain_text("Quyết định khen thưởng")
    dialog.get_by_label("Mã PIN ký số").fill("000000")
    dialog.get_by_role("button", name="Ký quyết định").click()
    expect(vice.locator("#signing_pin-loi")).to_contain_text("Mã PIN ký số không đúng")
    see(shots, vice, "sai-pin")
    dialog = vice.get_by_role("dialog")
    dialog.get_by_label("Mã PIN ký số").fill(PIN)
    dialog.get_by_role("button", name="Ký quyết định").click()
    expect(flash(vice)).to_contain_text("Đã ký")
    wait_idle(vice)
    heading = vice.get_by_role("heading", level=1)
    expect(heading).to_contain_text("Quyết định số ")
    expect(heading).to_contain_text("/QĐ-UBND")
    number = heading.inner_text().split("Quyết định số ", 1)[1].split(" ", 1)[0]
    expect(vice.locator(".status-line")).to_contain_text("Đã ban hành")
    expect(vice.get_by_role("link", name="In bằng khen (mỗi trang một bằng)")).to_be_visible()
    timeline = vice.locator("#lich-su-quyet-dinh").locator("..")
    expect(timeline).to_contain_text("Ghi nhận khen thưởng cho từng tập thể, cá nhân")
    see(shots, vice, "da-ban-hanh")
    context.close()

    context = new_context(browser, server)
    clerk = sign_in(context, "bdt.canbo")
    clerk.goto(f"/ho-so/{a}")
    expect(clerk.locator(".status-line")).to_contain_text("Đã khen thưởng")
    expect(clerk.locator(".award-tag")).to_contain_text(f"Quyết định số {number}")
    see(shots, clerk, "ho-so-da-khen-thuong")
    response = clerk.goto(decision_url)
    assert response is not None and response.status == 404
    context.close()
