"""The board's round through the pages in a real browser (Debian's Chromium driven by
Playwright) against the real app: the specialist opens a round from the menu (a refusal
next to its field), picks approved dossiers of two units, reads the list of every nominee;
a dossier still in appraisal is not offered; a unit's clerk sees the round's name on the
dossier and gets the not-found page for the round. Screenshots: tests/artifacts/web/dot-xet/.

The tests of this module run in order and share one server, one browser and the dossiers.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.fixtures.browser import PHONE, Shots, flash, new_context, see, sign_in
from tests.fixtures.route import walk_to
from tests.fixtures.server import Api, AppServer

pytestmark = pytest.mark.slow

SPECIALIST = "ptdkt.chuyenvien"
ROUND = 'Đợt tổng kết <công tác> & "thi đua" năm 2026'
SHOTS = "dot-xet"
story: dict[str, Any] = {}


def make(server: AppServer, unit: str, names: list[tuple[str, str]]) -> int:
    clerk = Api(server, f"{unit}.canbo")
    nominees = [{"kind": k, "name": n, "achievements": "Hoàn thành xuất sắc."} for k, n in names]
    r = clerk.post("/api/v1/dossiers", json={"year": 2026, "nominees": nominees})
    assert r.status_code == 201, r.text
    clerk.attach(r.json()["id"])
    return int(r.json()["id"])


def test_the_specialist_opens_a_round_and_fills_it(
    server: AppServer, browser: Browser, shots: Shots
):
    a = make(server, "bdt", [("collective", "Phòng Chính sách"), ("individual", "Lò Thị Mai")])
    b = make(server, "lmhtx", [("individual", "Nông Văn Khánh")])
    early = make(server, "bdt", [("individual", "Vi Văn Chiến")])
    walk_to(server, a, "approved")
    walk_to(server, b, "approved", unit="lmhtx")
    walk_to(server, early, "board_appraisal")
    story.update(a=a, b=b, early=early)

    context = new_context(browser, server)
    page = sign_in(context, SPECIALIST)
    page.get_by_role("link", name="Đợt xét khen thưởng").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đợt xét khen thưởng")

    # Without an award the round is refused, beside the awards, and what was typed stays.
    page.get_by_label("Tên đợt").fill(ROUND)
    page.get_by_label("Chuyên đề").check()
    page.get_by_role("button", name="Lập đợt").click()
    expect(page.locator("#awards-loi")).to_contain_text("ít nhất một hình thức")
    expect(page.get_by_label("Tên đợt")).to_have_value(ROUND)
    see(shots, page, "thieu-hinh-thuc")

    page.get_by_label("Bằng khen của Chủ tịch UBND tỉnh").check()
    page.get_by_role("button", name="Lập đợt").click()
    expect(flash(page)).to_contain_text("Đã lập đợt xét khen thưởng")
    expect(page.get_by_role("heading", level=1)).to_have_text(ROUND)
    story["round"] = int(page.url.rstrip("/").rsplit("/", 1)[-1])

    # Only approved dossiers are offered: the one in appraisal is not.
    offered = page.locator("input[name=dossier_ids]")
    values = {offered.nth(i).get_attribute("value") for i in range(offered.count())}
    assert {str(a), str(b)} <= values and str(early) not in values
    page.locator(f"#chon-{a}").check()
    page.locator(f"#chon-{b}").check()
    page.get_by_role("button", name="Đưa các hồ sơ đã chọn vào đợt").click()
    expect(flash(page)).to_contain_text("Đã đưa 2 hồ sơ vào đợt")
    listed = page.locator("#danh-sach").locator("..")
    for name in ("Phòng Chính sách", "Lò Thị Mai", "Nông Văn Khánh"):
        expect(listed).to_contain_text(name)
    expect(page.locator("dl.facts")).to_contain_text("1 tập thể, 2 cá nhân")
    timeline = page.locator("#lich-su-dot").locator("..")
    expect(timeline).to_contain_text("Lập đợt xét khen thưởng")
    expect(timeline).to_contain_text(f"Đưa hồ sơ vào đợt — Hồ sơ số {a}, {b}")
    see(shots, page, "dot-co-ho-so")
    context.close()

    phone = new_context(browser, server, PHONE)
    page = sign_in(phone, SPECIALIST)
    page.goto(f"/dot-xet/{story['round']}")
    see(shots, page, "dot-dien-thoai")
    phone.close()


def test_the_unit_sees_the_round_on_its_dossier_and_not_the_round(
    server: AppServer, browser: Browser, shots: Shots
):
    context = new_context(browser, server)
    page = sign_in(context, "bdt.canbo")
    page.goto(f"/ho-so/{story['a']}")
    expect(page.locator(".round-tag")).to_have_text(
        f"Chờ trình khen thưởng ({ROUND}: đang lập danh sách)"
    )
    assert page.locator(".round-tag a").count() == 0  # named, not linked
    see(shots, page, "ho-so-trong-dot")
    assert page.get_by_role("link", name="Đợt xét khen thưởng").count() == 0
    response = page.goto(f"/dot-xet/{story['round']}")
    assert response is not None and response.status == 404
    expect(page.locator("body")).not_to_contain_text("Nông Văn Khánh")
    context.close()


def test_taking_a_dossier_out_offers_it_again(server: AppServer, browser: Browser, shots: Shots):
    context = new_context(browser, server)
    page = sign_in(context, SPECIALIST)
    page.goto(f"/dot-xet/{story['round']}")
    page.get_by_role("button", name=f"Bỏ hồ sơ số {story['b']} ra khỏi đợt").click()
    expect(flash(page)).to_contain_text(f"Đã bỏ hồ sơ số {story['b']} ra khỏi đợt")
    expect(page.locator(f"#chon-{story['b']}")).to_be_visible()
    expect(page.locator("#danh-sach").locator("..")).not_to_contain_text("Nông Văn Khánh")
    context.close()
