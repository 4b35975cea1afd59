"""Issue 18's whole story on ONE round, walked through the pages in a real browser (Debian's
Chromium driven by Playwright) against the real app, each step by the role who does it:
two dossiers approved along the demo route (made through the API: the dossier's own route
has its page tests); then, in the pages, the board's specialist composes the round of
both and publishes its list; a member of the public, not signed in, comments on
/cong-khai/…; the specialist opens the council's meeting and seats 7 members, the
secretary records 5 present, each present member votes in their own page (one nominee
gets 3 of 7 and fails the threshold), the secretary closes and signs the Biên bản, the
chair signs on top; once the consultation's period is over (its last day moved in the
database, as time would) the specialist submits the round, the board head approves, the
Sở's leader signs the Tờ trình; the specialist drafts the decision and submits it; the
Phó Chủ tịch UBND tỉnh signs it with the PIN; the decision, numbered «…/QĐ-UBND», reads
«KT. CHỦ TỊCH», is sealed and valid to poppler; the certificates are printed; the units'
clerks see «Đã khen thưởng»; the auditor's page finds the history intact.

Each step is tested in detail on its own in test_{rounds,consultation,meetings,decisions}
_pages.py; the HTTP API's version of the story is tests/api/test_award_story.py. The
tests of this module run in order, each on what the previous left (`story`).
Screenshots: tests/artifacts/web/khen-thuong-tron-ven/."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.fixtures.browser import Shots, flash, new_context, see, sign_in, wait_idle
from tests.fixtures.nss import nss_db, pdfsig
from tests.fixtures.route import walk_to
from tests.fixtures.server import PIN, Api, AppServer

pytestmark = pytest.mark.slow

AWARD = "bang_khen_ubnd_tinh"
# 55% of the whole membership: with 5 of 7 present, 4 votes for (57,1%) pass and 3 (42,9%)
# do not.
SERVER_ENV = {"TDKT_COUNCIL_THRESHOLDS": f"{AWARD}=55"}
SHOTS = "khen-thuong-tron-ven"

SPECIALIST, HEAD, LEADER = "ptdkt.chuyenvien", "ptdkt.truongphong", "snv.phogiamdoc"
SECRETARY, CHAIR = HEAD, "snv.giamdoc"
VICE_CHAIRMAN, AUDITOR = "ubnd.phochutich", "thanhtra"
MEMBERS = [f"hdtd.thanhvien{i}" for i in range(1, 6)]
PRESENT = [CHAIR, SECRETARY, *MEMBERS[:3]]  # 5 of 7
ROUND = "Đợt tổng kết công tác thi đua năm 2026"

PERSON = "Lò Văn Páo"  # with a date of birth, never shown publicly
FAILS = "Hà Thị Trượt"  # 3 of 7 for: the council does not pass her
SECOND = "Nông Văn Khánh"  # 4 of 7 for: passes
COMMENT = 'Ông <b>Páo</b> & "chuyên đề" {{ x }} có thành tích tốt.'
VIETNAM = timezone(timedelta(hours=7))

story: dict[str, Any] = {}


def make(server: AppServer, unit: str, nominees: list[dict[str, Any]]) -> int:
    clerk = Api(server, f"{unit}.canbo")
    r = clerk.post("/api/v1/dossiers", json={"year": 2026, "award": AWARD, "nominees": nominees})
    assert r.status_code == 201, r.text
    clerk.attach(r.json()["id"])
    return int(r.json()["id"])


def status_is(page: Page, label: str) -> None:
    expect(page.locator(".status-line .status")).to_have_text(label)


def as_user(browser: Browser, server: AppServer, login: str) -> Page:
    return sign_in(new_context(browser, server), login)


def text_of(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(out.stdout.split())


def test_1_the_specialist_composes_the_round_and_publishes_its_list(
    server: AppServer, browser: Browser, shots: Shots
):
    a = make(
        server,
        "bdt",
        [
            {
                "kind": "individual",
                "name": PERSON,
                "job_title": "Trưởng phòng Chính sách",
                "birth_date": "1984-03-17",
                "achievements": "Hoàn thành xuất sắc nhiệm vụ.",
            },
            {"kind": "individual", "name": FAILS, "achievements": "Hoàn thành tốt."},
        ],
    )
    b = make(
        server, "lmhtx", [{"kind": "individual", "name": SECOND, "achievements": "Hoàn thành tốt."}]
    )
    walk_to(server, a, "approved")
    walk_to(server, b, "approved", unit="lmhtx")
    story.update(a=a, b=b)

    page = as_user(browser, server, SPECIALIST)
    page.get_by_role("link", name="Đợt xét khen thưởng").click()
    page.get_by_label("Tên đợt").fill(ROUND)
    page.get_by_label("Bằng khen của Chủ tịch UBND tỉnh").check()
    page.get_by_role("button", name="Lập đợt").click()
    expect(flash(page)).to_contain_text("Đã lập đợt xét khen thưởng")
    expect(page.get_by_role("heading", level=1)).to_have_text(ROUND)
    story["round"] = int(page.url.rstrip("/").rsplit("/", 1)[-1])
    page.locator(f"#chon-{a}").check()
    page.locator(f"#chon-{b}").check()
    page.get_by_role("button", name="Đưa các hồ sơ đã chọn vào đợt").click()
    expect(flash(page)).to_contain_text("Đã đưa 2 hồ sơ vào đợt")
    listed = page.locator("#danh-sach").locator("..")
    for name in (PERSON, FAILS, SECOND):
        expect(listed).to_contain_text(name)
    expect(page.locator("dl.facts")).to_contain_text("3 cá nhân")
    see(shots, page, "chuyen-vien-lap-dot")

    # Publishing for comments: the shortest period; its end is moved later (test 3).
    page.get_by_label("Số ngày làm việc lấy ý kiến").fill("1")
    page.get_by_role("button", name="Công khai danh sách để lấy ý kiến").click()
    expect(flash(page)).to_contain_text("Đã công khai danh sách", timeout=60_000)
    expect(page.locator("#cong-khai")).to_contain_text("1 ngày làm việc")
    public_url = page.locator("#trang-cong-khai").get_attribute("href")
    assert public_url and public_url.startswith("/cong-khai/dot/")
    story["public_url"] = public_url
    see(shots, page, "chuyen-vien-da-cong-khai")
    page.context.close()


def test_2_anyone_reads_the_list_and_comments(server: AppServer, browser: Browser, shots: Shots):
    anyone = new_context(browser, server)
    pub = anyone.new_page()
    pub.goto("/cong-khai")
    pub.get_by_role("link", name=ROUND).click()
    assert pub.url.endswith(story["public_url"])
    listed = pub.locator("#danh-sach-cong-khai").locator("..")
    for shown in (PERSON, "Trưởng phòng Chính sách", FAILS, SECOND, "Ban Dân tộc tỉnh"):
        expect(listed).to_contain_text(shown)
    for hidden in ("1984", "17/03", "Hoàn thành xuất sắc nhiệm vụ.", "Đăng xuất"):
        expect(pub.locator("body")).not_to_contain_text(hidden)
    pub.get_by_label("Họ và tên").fill("Nguyễn Văn Dân")
    pub.get_by_label("Điện thoại hoặc thư điện tử").fill("0912 345 678")
    pub.get_by_label("Nội dung ý kiến").fill(COMMENT)
    pub.get_by_role("button", name="Gửi ý kiến").click()
    expect(flash(pub)).to_contain_text("Đã nhận ý kiến của bạn", timeout=60_000)
    see(shots, pub, "nguoi-dan-gop-y")
    anyone.close()


def vote(browser: Browser, server: AppServer, login: str, url: str, shots: Shots) -> None:
    """Everyone present agrees on PERSON; SECOND gets 4 for, FAILS 3 for."""
    ballots = {
        PERSON: "Đồng ý",
        SECOND: "Không đồng ý" if login == MEMBERS[2] else "Đồng ý",
        FAILS: {MEMBERS[1]: "Không đồng ý", MEMBERS[2]: "Không biểu quyết"}.get(login, "Đồng ý"),
    }
    page = as_user(browser, server, login)
    page.goto(url)
    forms = page.locator("fieldset.ballot")
    expect(forms).to_have_count(3)
    for name, ballot in ballots.items():
        forms.filter(has_text=name).get_by_label(ballot, exact=True).check()
    if login == MEMBERS[2]:
        see(shots, page, "thanh-vien-bieu-quyet")
    page.get_by_role("button", name="Gửi phiếu biểu quyết").click()
    expect(flash(page)).to_contain_text("Đã ghi nhận phiếu biểu quyết")
    expect(page.locator("fieldset.ballot")).to_have_count(0)
    page.context.close()


def test_3_the_council_meets_votes_and_signs_its_biên_bản(
    server: AppServer, browser: Browser, shots: Shots
):
    names = {
        u: Api(server, u).get("/api/v1/me").json()["full_name"] for u in (CHAIR, HEAD, *MEMBERS)
    }
    page = as_user(browser, server, SPECIALIST)
    page.goto(f"/dot-xet/{story['round']}")
    # Not submitted while the list is open for comments: refused in the page.
    page.get_by_role("button", name="Trình duyệt đợt").click()
    expect(page.locator("#loi-dot")).to_contain_text("đang được lấy ý kiến công khai đến hết ngày")
    page.get_by_label("Địa điểm").fill("Phòng họp số 1, Sở Nội vụ")
    page.get_by_role("button", name="Lập cuộc họp Hội đồng").click()
    expect(flash(page)).to_contain_text("Đã lập cuộc họp Hội đồng")
    meeting_url = story["meeting_url"] = page.url
    # The date left blank is today in Việt Nam (also between 00:00 and 07:00, UTC's eve).
    today = datetime.now(VIETNAM).date().strftime("%d/%m/%Y")
    held_on = page.locator("dl.facts div").filter(has_text="Ngày họp").locator("dd")
    expect(held_on).to_have_text(today)
    roles = {CHAIR: "Chủ tịch Hội đồng", SECRETARY: "Thư ký"}
    for login in (CHAIR, SECRETARY, *MEMBERS):
        page.get_by_label(names[login], exact=True).select_option(
            label=roles.get(login, "Thành viên")
        )
    page.get_by_role("button", name="Ghi thành phần").click()
    expect(flash(page)).to_contain_text("Đã ghi thành phần: 7 thành viên")
    see(shots, page, "chuyen-vien-lap-cuoc-hop")
    page.context.close()

    # The secretary records who is present.
    secretary = as_user(browser, server, SECRETARY)
    secretary.goto(meeting_url)
    for login in PRESENT:
        secretary.get_by_label(f"{names[login]} (", exact=False).check()
    secretary.get_by_role("button", name="Ghi điểm danh").click()
    expect(flash(secretary)).to_contain_text("5 thành viên có mặt")
    see(shots, secretary, "thu-ky-diem-danh")

    for login in PRESENT:
        vote(browser, server, login, meeting_url, shots)
    absent = as_user(browser, server, MEMBERS[3])
    absent.goto(meeting_url)
    expect(absent.locator("fieldset.ballot")).to_have_count(0)
    absent.context.close()

    secretary.goto(meeting_url)
    secretary.get_by_role("button", name="Kết thúc họp và kiểm phiếu").click()
    expect(flash(secretary)).to_contain_text("Đã kết thúc cuộc họp")
    wait_idle(secretary)
    results = secretary.locator("#ket-qua").locator("..")
    passed = results.locator("tr.result-dat")
    expect(passed).to_have_count(2)
    expect(passed.filter(has_text=PERSON)).to_contain_text("71,4% (cần 55%)")
    expect(passed.filter(has_text=SECOND)).to_contain_text("57,1% (cần 55%)")
    failed = results.locator("tr.result-khong-dat")
    expect(failed).to_have_count(1)
    expect(failed).to_contain_text(FAILS)
    expect(failed).to_contain_text("42,9% (cần 55%)")
    secretary.get_by_label("Mã PIN ký số").fill(PIN)
    secretary.get_by_role("button", name="Thư ký ký Biên bản").click()
    expect(flash(secretary)).to_contain_text("Đã ký Biên bản")
    see(shots, secretary, "thu-ky-da-ky-bien-ban")
    secretary.context.close()

    chair = as_user(browser, server, CHAIR)
    chair.goto(meeting_url)
    chair.get_by_label("Mã PIN ký số").fill(PIN)
    chair.get_by_role("button", name="Chủ tịch ký Biên bản").click()
    expect(flash(chair)).to_contain_text("Đã ký Biên bản")
    wait_idle(chair)
    status_is(chair, "Đã ký, ban hành Biên bản")
    expect(chair.locator("#van-ban-hop").locator("..")).to_contain_text("/BB-HĐTĐKT")
    see(shots, chair, "chu-tich-da-ky-bien-ban")
    chair.context.close()


def test_4_after_the_period_the_round_is_submitted_approved_and_signed(
    server: AppServer, browser: Browser, shots: Shots
):
    round_url = f"/dot-xet/{story['round']}"
    page = as_user(browser, server, SPECIALIST)
    page.goto(round_url)
    council = page.locator("#hoi-dong").locator("..")
    expect(council.locator("table")).to_contain_text("Không đạt")
    listed = page.locator("#danh-sach").locator("..")
    expect(listed).to_contain_text(PERSON)
    expect(listed).to_contain_text(SECOND)
    expect(listed).not_to_contain_text(FAILS)
    # The board reads the public comment literally.
    expect(page.locator("#cong-khai .comment-text").first).to_have_text(COMMENT)
    see(shots, page, "dot-sau-hoi-dong")

    # The period ends: its last day was yesterday (moved in the database, as time would).
    yesterday = datetime.now(VIETNAM).date() - timedelta(days=1)
    with sqlite3.connect(server.var_dir / "tdkt.sqlite3", timeout=60) as db:
        db.execute(
            "update round_consultations set end_date = ? where round_id = ?",
            (yesterday.isoformat(), story["round"]),
        )
    page.goto(round_url)
    wait_idle(page)
    page.get_by_role("button", name="Trình duyệt đợt").click()
    expect(flash(page)).to_contain_text("Đã trình duyệt đợt")
    status_is(page, "Chờ lãnh đạo Phòng duyệt")
    wait_idle(page)
    see(shots, page, "chuyen-vien-da-trinh-dot")
    page.context.close()

    head = as_user(browser, server, HEAD)
    head.goto("/")
    head.locator("#dot-cho").locator("..").get_by_role("link", name=ROUND).click()
    head.get_by_role("button", name="Duyệt…").click()
    head.get_by_role("dialog").get_by_role("button", name="Duyệt", exact=True).click()
    expect(flash(head)).to_contain_text("Đã duyệt")
    status_is(head, "Chờ lãnh đạo Sở ký")
    wait_idle(head)
    see(shots, head, "truong-phong-da-duyet")
    head.context.close()

    leader = as_user(browser, server, LEADER)
    leader.goto("/")
    leader.locator("#dot-cho").locator("..").get_by_role("link", name=ROUND).click()
    leader.get_by_role("button", name="Duyệt và ký…").click()
    dialog = leader.get_by_role("dialog")
    dialog.get_by_label("Mã PIN ký số").fill(PIN)
    dialog.get_by_role("button", name="Ký và duyệt").click()
    expect(flash(leader)).to_contain_text("Đã duyệt và ký")
    wait_idle(leader)
    status_is(leader, "Đã trình Chủ tịch UBND tỉnh")
    row = leader.locator("#van-ban-dot").locator("..").locator("tr.doc-row")
    expect(row).to_contain_text("Đã ký số, đóng dấu")
    assert row.locator("td.num").inner_text().strip().endswith("/TTr-SNV")
    see(shots, leader, "lanh-dao-so-da-ky-to-trinh")
    leader.context.close()


def test_5_the_decision_is_drafted_and_a_vice_chairman_signs_it(
    server: AppServer, browser: Browser, shots: Shots, tmp_path: Path
):
    page = as_user(browser, server, SPECIALIST)
    page.goto(f"/dot-xet/{story['round']}")
    wait_idle(page)
    page.get_by_role("button", name="Lập dự thảo quyết định khen thưởng").click()
    expect(flash(page)).to_contain_text("Đã lập dự thảo quyết định khen thưởng")
    listed = page.locator("#danh-sach-khen-thuong").locator("..")
    expect(listed.locator("tr.awarded")).to_have_count(2)
    expect(listed.locator("tr.not-awarded")).to_contain_text(FAILS)
    expect(listed.locator("tr.not-awarded")).to_contain_text("Hội đồng Thi đua – Khen thưởng")
    see(shots, page, "du-thao-quyet-dinh")
    decision_url = story["decision_url"] = page.url
    page.get_by_role("button", name="Trình ký quyết định").click()
    expect(flash(page)).to_contain_text("Đã trình ký quyết định")
    wait_idle(page)
    expect(page.locator(".status-line")).to_contain_text("Chờ lãnh đạo UBND tỉnh ký")
    page.context.close()

    vice = as_user(browser, server, VICE_CHAIRMAN)
    vice.goto(decision_url)
    wait_idle(vice)
    vice.get_by_role("button", name="Ký quyết định…").click()
    dialog = vice.get_by_role("dialog")
    expect(dialog).to_contain_text("Quyết định khen thưởng")
    dialog.get_by_label("Mã PIN ký số").fill(PIN)
    dialog.get_by_role("button", name="Ký quyết định").click()
    expect(flash(vice)).to_contain_text("Đã ký")
    wait_idle(vice)
    heading = vice.get_by_role("heading", level=1)
    expect(heading).to_contain_text("/QĐ-UBND")
    number = heading.inner_text().split("Quyết định số ", 1)[1].split(" ", 1)[0]
    assert number.endswith("/QĐ-UBND"), number
    story["number"] = number
    status_is(vice, "Đã ban hành")
    see(shots, vice, "pho-chu-tich-da-ky")
    vice.context.close()

    # The specialist downloads the decision and the certificates through the page's links.
    page = as_user(browser, server, SPECIALIST)
    page.goto(decision_url)
    row = page.locator("#van-ban-quyet-dinh").locator("..").locator("tr.doc-row")
    expect(row).to_have_count(1)
    expect(row.locator("td.num")).to_have_text(number)
    with page.expect_download() as download:
        row.get_by_role("link", name="Tải về").click()
    pdf_path = tmp_path / "quyet-dinh.pdf"
    download.value.save_as(pdf_path)
    roots = Api(server, SPECIALIST).get("/api/v1/trust-roots").content
    checked = pdfsig(pdf_path, nss_db(tmp_path / "nss", roots))
    assert checked.count("Signature is Valid.") == 2, checked
    text = text_of(pdf_path)
    assert "KT. CHỦ TỊCH" in text and "PHÓ CHỦ TỊCH" in text, text
    assert f"Số: {number}" in text
    assert PERSON in text and SECOND in text and FAILS not in text
    shutil.copy(pdf_path, shots.folder / "quyet-dinh.pdf")

    link = page.get_by_role("link", name="In bằng khen (mỗi trang một bằng)")
    story["certificates_href"] = href = link.get_attribute("href") or ""
    decision_id = int(decision_url.rstrip("/").rsplit("/", 1)[-1])
    assert href == f"/quyet-dinh/{decision_id}/bang-khen.pdf", href
    certs = Api(server, SPECIALIST).get(f"/api/v1/decisions/{decision_id}/certificates.pdf")
    assert certs.status_code == 200 and certs.headers["content-type"] == "application/pdf"
    certs_path = tmp_path / "bang-khen.pdf"
    certs_path.write_bytes(certs.content)
    text = text_of(certs_path)
    assert PERSON in text and SECOND in text and number in text and FAILS not in text
    shutil.copy(certs_path, shots.folder / "bang-khen.pdf")
    see(shots, page, "chuyen-vien-quyet-dinh-da-ban-hanh")
    page.context.close()


def test_6_the_units_see_awarded_and_the_history_is_intact(
    server: AppServer, browser: Browser, shots: Shots
):
    for unit, key in (("bdt", "a"), ("lmhtx", "b")):
        clerk = as_user(browser, server, f"{unit}.canbo")
        clerk.goto(f"/ho-so/{story[key]}")
        expect(clerk.locator(".status-line")).to_contain_text("Đã khen thưởng")
        expect(clerk.locator(".award-tag")).to_contain_text(f"Quyết định số {story['number']}")
        see(shots, clerk, f"don-vi-{unit}-da-khen-thuong")
        clerk.context.close()

    auditor = as_user(browser, server, AUDITOR)
    auditor.goto("/kiem-tra")
    auditor.get_by_role("button", name="Chạy kiểm tra").click()
    result = auditor.locator("#ket-qua-kiem-tra")
    expect(result.locator(".verdict")).to_contain_text("Toàn vẹn", timeout=60_000)
    see(shots, auditor, "thanh-tra-kiem-tra-toan-ven")
    auditor.context.close()


def test_7_the_certificates_link_prints_for_the_signed_in_specialist(
    server: AppServer, browser: Browser
):
    page = as_user(browser, server, SPECIALIST)
    got = page.context.request.get(story["certificates_href"])
    assert got.status == 200 and got.headers["content-type"] == "application/pdf"
    assert got.body().startswith(b"%PDF")
    page.context.close()
