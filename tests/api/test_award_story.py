"""Issue 18's whole story on ONE round, through the HTTP API of the real server, in order:
two dossiers from the demo route approved (one with an enterprise nominee); the board's
round of both; the agencies asked for their opinion (hiệp y), the tax agency's «không đồng
ý» holding the enterprise back until the board head overrides it with a reason; the list
published and a comment posted without signing in; the council (7 members, 5 present)
passing all but one nominee and its Biên bản signed; the round submitted once the
consultation's period is over, its Tờ trình listing exactly whom the council passed; the
Quyết định signed by a Phó Chủ tịch («KT. CHỦ TỊCH»), numbered by the UBND and sealed;
the dossiers «Đã khen thưởng», the nominee the council failed recorded with the council's
reason; one certificate page per awardee; the audit chain intact; the public page never
showing a date of birth.

Each part is tested on its own in test_{opinions,meetings,consultation,decisions}.py; here
the tests run in order, each on what the previous left (module-scoped `story`)."""

from __future__ import annotations

import sqlite3
import subprocess
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
from markupsafe import escape

from documents.verify import verify_pdf_sync
from tests.fixtures.decisions import wait
from tests.fixtures.modes import app_in_mode
from tests.fixtures.nss import nss_db, pdfsig
from tests.fixtures.route import walk_to
from tests.fixtures.server import PIN, Api, AppServer

pytestmark = pytest.mark.slow

SPECIALIST, BOARD_HEAD, LEADER, AUDITOR = (
    "ptdkt.chuyenvien",
    "ptdkt.truongphong",
    "snv.phogiamdoc",
    "thanhtra",
)
CHAIR = "snv.giamdoc"  # chairs the council
VICE_CHAIRMAN = "ubnd.phochutich"
TAX, SOCIAL, ENV, POLICE = "thue.canbo", "bhxh.canbo", "snnmt.canbo", "congan.canbo"
MEMBERS = [f"hdtd.thanhvien{i}" for i in range(1, 6)]
PRESENT = [CHAIR, BOARD_HEAD, *MEMBERS[:3]]  # 5 of 7
AWARD = "bang_khen_ubnd_tinh"

ENTERPRISE = 'Công ty CP <Xi măng> & "Đồng Bành"'
PERSON = "Lò Văn Páo"  # the one with a date of birth, never shown publicly
BIRTH_DATE = "1984-03-17"
SECOND = "Nông Văn Khánh"
FAILS = "Hà Thị Trượt"  # the council does not pass her
TAX_NOTE = "Doanh nghiệp còn nợ thuế 1,2 tỷ đồng <quá hạn> & chưa nộp"
OVERRIDE = "Doanh nghiệp đã nộp đủ tiền thuế ngày 01/12/2026 (giấy nộp tiền kèm theo)"
COMMENT = 'Ông <b>Páo</b> & "chuyên đề" {{ x }} có thành tích tốt.'
COUNCIL_REASON = (
    "Không có trong danh sách đề nghị khen thưởng (Hội đồng Thi đua – Khen thưởng không thông qua)"
)
VIETNAM = timezone(timedelta(hours=7))


def today_vn() -> date:
    return datetime.now(VIETNAM).date()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    # 70% of the whole membership for the Chủ tịch's Bằng khen: with 5 of 7 present, 5
    # votes for (71,4%) pass and 3 (42,9%) do not (test_meetings.py says why not 80%).
    env = {"TDKT_COUNCIL_THRESHOLDS": f"{AWARD}=70"}
    with app_in_mode(tmp_path_factory.mktemp("story"), "embedded", env) as srv:
        yield srv


def make(server: AppServer, unit: str, nominees: list[dict[str, Any]]) -> int:
    clerk = Api(server, f"{unit}.canbo")
    r = clerk.post("/api/v1/dossiers", json={"year": 2026, "award": AWARD, "nominees": nominees})
    assert r.status_code == 201, r.text
    clerk.attach(r.json()["id"])
    return int(r.json()["id"])


def text_of(pdf: bytes, path: Path) -> str:
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(out.stdout.split())


def pages_of(pdf: bytes, path: Path) -> int:
    path.write_bytes(pdf)
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    (line,) = [x for x in out.stdout.splitlines() if x.startswith("Pages:")]
    return int(line.split(":")[1])


@pytest.fixture(scope="module")
def story(server: AppServer) -> dict[str, Any]:
    """Three dossiers walked along the demo route to «approved» — Ban Dân tộc's with an
    enterprise (hiệp y needed) and a person with a date of birth, two of Liên minh HTX's
    with one person each — and the specialist's round of all three. Later tests add what
    they produce."""
    bdt = make(
        server,
        "bdt",
        [
            {
                "kind": "collective",
                "name": ENTERPRISE,
                "achievements": "Hoàn thành xuất sắc nhiệm vụ.",
                "opinion_category": "enterprise",
            },
            {
                "kind": "individual",
                "name": PERSON,
                "job_title": "Trưởng phòng Chính sách",
                "birth_date": BIRTH_DATE,
                "achievements": "Hoàn thành xuất sắc nhiệm vụ.",
            },
        ],
    )
    htx = make(
        server,
        "lmhtx",
        [{"kind": "individual", "name": SECOND, "achievements": "Hoàn thành tốt."}],
    )
    # Alone in a dossier of her own: once the council fails her, nobody of it is awarded.
    lone = make(
        server,
        "lmhtx",
        [{"kind": "individual", "name": FAILS, "achievements": "Hoàn thành tốt."}],
    )
    assert walk_to(server, bdt, "approved")["status"] == "approved"
    assert walk_to(server, htx, "approved", unit="lmhtx")["status"] == "approved"
    assert walk_to(server, lone, "approved", unit="lmhtx")["status"] == "approved"

    specialist = Api(server, SPECIALIST)
    r = specialist.post(
        "/api/v1/rounds",
        json={
            "name": "Đợt tổng kết năm 2026",
            "year": 2026,
            "kind": "thuong_xuyen",
            "awards": [AWARD],
        },
    )
    assert r.status_code == 201, r.text
    rnd = r.json()
    r = specialist.post(
        f"/api/v1/rounds/{rnd['id']}/dossiers",
        json={"dossier_ids": [bdt, htx, lone], "version": rnd["version"]},
    )
    assert r.status_code == 200, r.text
    assert [n["name"] for n in r.json()["nominee_list"]] == [ENTERPRISE, PERSON, SECOND, FAILS]
    return {"bdt": bdt, "htx": htx, "lone": lone, "round_id": rnd["id"]}


def listed(server: AppServer, round_id: int) -> list[str]:
    r = Api(server, SPECIALIST).get(f"/api/v1/rounds/{round_id}")
    return [n["name"] for n in r.json()["nominee_list"]]


def submit(server: AppServer, round_id: int) -> httpx.Response:
    return Api(server, SPECIALIST).post(f"/api/v1/rounds/{round_id}/actions/submit", json={})


def test_1_the_tax_agencys_no_holds_the_enterprise_back_until_the_head_overrides(server, story):
    rid = story["round_id"]
    specialist, head = Api(server, SPECIALIST), Api(server, BOARD_HEAD)
    r = specialist.post(f"/api/v1/rounds/{rid}/opinions/request")
    assert r.status_code == 200, r.text
    (entry,) = r.json()["nominees"]  # only the enterprise needs the agencies' opinions
    assert entry["name"] == ENTERPRISE
    assert [x["agency_name"] for x in entry["replies"]] == [
        "Thuế tỉnh Lạng Sơn",
        "Bảo hiểm xã hội tỉnh Lạng Sơn",
        "Sở Nông nghiệp và Môi trường",
        "Công an tỉnh Lạng Sơn",
    ]

    (tax_item,) = Api(server, TAX).get("/api/v1/opinions").json()
    assert tax_item["nominee_name"] == ENTERPRISE and tax_item["can_answer"]
    r = Api(server, TAX).post(
        f"/api/v1/opinions/{tax_item['request_id']}/answer",
        json={"opinion": "disagree", "note": TAX_NOTE},
    )
    assert r.status_code == 200, r.text
    assert r.json()["opinion_label"] == "Không đồng ý"

    # Held back with the tax agency's reason; everyone else stays on the list.
    assert listed(server, rid) == [PERSON, SECOND, FAILS]
    (entry,) = head.get(f"/api/v1/rounds/{rid}/opinions").json()["nominees"]
    assert entry["held_back"]
    assert entry["held_back_reason"] == (
        "Không đủ điều kiện: ý kiến hiệp y không đồng ý của Thuế tỉnh Lạng Sơn"
    )
    assert entry["replies"][0]["note"] == TAX_NOTE

    r = head.post(
        f"/api/v1/rounds/{rid}/opinions/overrides",
        json={"nominee_id": entry["nominee_id"], "reason": OVERRIDE},
    )
    assert r.status_code == 200, r.text
    (entry,) = r.json()["nominees"]
    assert not entry["held_back"] and entry["override_reason"] == OVERRIDE
    assert listed(server, rid) == [ENTERPRISE, PERSON, SECOND, FAILS]

    # Three replies still missing: the round cannot go on.
    r = submit(server, rid)
    assert r.status_code == 409 and r.json()["code"] == "opinions_pending", r.text

    for user in (SOCIAL, ENV, POLICE):
        (item,) = Api(server, user).get("/api/v1/opinions").json()
        r = Api(server, user).post(
            f"/api/v1/opinions/{item['request_id']}/answer", json={"opinion": "agree"}
        )
        assert r.status_code == 200, r.text

    # The council's chair (a leader of the Sở) sees every reply with its date.
    got = Api(server, CHAIR).get(f"/api/v1/rounds/{rid}/opinions").json()
    assert got["pending"] == []
    (entry,) = got["nominees"]
    assert [x["opinion_label"] for x in entry["replies"]] == [
        "Không đồng ý",
        "Đồng ý",
        "Đồng ý",
        "Đồng ý",
    ]
    assert all(x["answered_at_vn"] for x in entry["replies"])
    assert entry["override_reason"] == OVERRIDE

    history = Api(server, AUDITOR).get(f"/api/v1/rounds/{rid}/history").json()
    overridden = [e for e in history if e["kind"] == "opinion_overridden"]
    assert len(overridden) == 1 and OVERRIDE in overridden[0]["detail"]


def test_2_the_list_is_published_and_anyone_comments(server, story):
    rid = story["round_id"]
    r = Api(server, SPECIALIST).post(f"/api/v1/rounds/{rid}/consultation", json={"working_days": 5})
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["published"] and out["is_open"]
    assert [n["name"] for n in out["nominees"]] == [ENTERPRISE, PERSON, SECOND, FAILS]
    story["public_url"] = url = out["public_url"]
    token = url.rsplit("/", 1)[1]

    with httpx.Client(base_url=server.base) as anyone:  # no credentials
        page = anyone.get(url)
        assert page.status_code == 200
        for shown in (PERSON, "Trưởng phòng Chính sách", SECOND, FAILS, "Ban Dân tộc tỉnh"):
            assert shown in page.text, shown
        assert str(escape(ENTERPRISE)) in page.text  # autoescaped, literally
        for hidden in ("1984", "17/03", "Hoàn thành xuất sắc nhiệm vụ.", TAX_NOTE):
            assert hidden not in page.text, hidden
        r = anyone.post(
            f"/api/v1/public/consultations/{token}/comments",
            json={"name": "Nguyễn Văn Dân", "contact": "0912 345 678", "text": COMMENT},
        )
        assert r.status_code == 201, r.text

    board = Api(server, SPECIALIST).get(f"/api/v1/rounds/{rid}/consultation").json()
    assert [(c["name"], c["text"]) for c in board["comments"]] == [("Nguyễn Văn Dân", COMMENT)]
    history = Api(server, AUDITOR).get(f"/api/v1/rounds/{rid}/history").json()
    said = [e for e in history if e["kind"] == "public_comment"]
    assert len(said) == 1 and COMMENT in said[0]["detail"]


def test_3_the_council_votes_and_signs_its_biên_bản(server, story, tmp_path):
    rid = story["round_id"]
    specialist, head, chair = Api(server, SPECIALIST), Api(server, BOARD_HEAD), Api(server, CHAIR)
    # Not submitted before the council has voted.
    r = submit(server, rid)
    assert r.status_code == 409 and r.json()["code"] in ("consultation_open", "council_not_done")

    body = {"about_id": rid, "held_on": date.today().isoformat(), "place": "Phòng họp A"}
    r = specialist.post("/api/v1/meetings", json=body)
    assert r.status_code == 201, r.text
    m = r.json()
    assert [q["text"] for q in m["questions"]] == [
        f"Đồng ý đề nghị khen thưởng «Bằng khen của Chủ tịch UBND tỉnh» cho {n}"
        for n in (ENTERPRISE, PERSON, SECOND, FAILS)
    ]
    ids = {
        login: Api(server, login).get("/api/v1/me").json()["id"]
        for login in (CHAIR, BOARD_HEAD, *MEMBERS)
    }
    seat = [
        {"user_id": ids[CHAIR], "role": "chu_tich"},
        {"user_id": ids[BOARD_HEAD], "role": "thu_ky"},
        *({"user_id": ids[x], "role": "thanh_vien"} for x in MEMBERS),
    ]
    r = specialist.request("PUT", f"/api/v1/meetings/{m['id']}/members", json={"members": seat})
    assert r.status_code == 200 and len(r.json()["members"]) == 7, r.text
    five = {"present_user_ids": [ids[x] for x in PRESENT]}
    r = specialist.request("PUT", f"/api/v1/meetings/{m['id']}/attendance", json=five)
    assert r.status_code == 200, r.text
    questions = [q["id"] for q in r.json()["questions"]]

    # Everyone present agrees on the first three; FAILS gets 3 for, 1 against, 1 abstaining.
    last = {
        CHAIR: "dong_y",
        BOARD_HEAD: "dong_y",
        MEMBERS[0]: "dong_y",
        MEMBERS[1]: "khong_dong_y",
        MEMBERS[2]: "khong_bieu_quyet",
    }
    for login, ballot in last.items():
        ballots = ["dong_y", "dong_y", "dong_y", ballot]
        r = Api(server, login).post(
            f"/api/v1/meetings/{m['id']}/votes",
            json={
                "ballots": [
                    {"question_id": q, "ballot": b} for q, b in zip(questions, ballots, strict=True)
                ]
            },
        )
        assert r.status_code == 200, r.text
    r = Api(server, MEMBERS[3]).post(
        f"/api/v1/meetings/{m['id']}/votes",
        json={"ballots": [{"question_id": questions[0], "ballot": "dong_y"}]},
    )
    assert r.status_code == 403 and r.json()["code"] == "absent_member"

    r = head.post(f"/api/v1/meetings/{m['id']}/actions/submit", json={})
    assert r.status_code == 200, r.text
    m = wait(head, f"/api/v1/meetings/{m['id']}")
    assert m["status"] == "closed"
    results = {x["name"]: x for x in m["results"]}
    for name in (ENTERPRISE, PERSON, SECOND):
        assert results[name]["passed"] and results[name]["share_text"] == "71,4%", results[name]
    assert results[FAILS]["passed"] is False and results[FAILS]["share_text"] == "42,9%"
    assert listed(server, rid) == [ENTERPRISE, PERSON, SECOND]

    r = head.post(f"/api/v1/meetings/{m['id']}/minutes/sign", json={"signing_pin": PIN})
    assert r.status_code == 200, r.text
    r = chair.post(f"/api/v1/meetings/{m['id']}/actions/approve", json={"signing_pin": PIN})
    assert r.status_code == 200, r.text
    m = wait(chair, f"/api/v1/meetings/{m['id']}")
    assert m["status"] == "signed"
    (doc,) = specialist.get(f"/api/v1/meetings/{m['id']}/documents").json()
    assert doc["form"] == "bien_ban_hoi_dong" and doc["number"].endswith("/BB-HĐTĐKT")
    pdf = specialist.get(f"/api/v1/documents/{doc['id']}/content").content
    reports = verify_pdf_sync(pdf, [specialist.get("/api/v1/trust-roots").content])
    assert len(reports) == 3 and all(x.intact and x.valid and x.trusted for x in reports)
    text = text_of(pdf, tmp_path / "bien-ban.pdf")
    assert "BIÊN BẢN" in text and "42,9%" in text and FAILS in text


def test_4_the_round_goes_on_after_the_consultation_with_whom_the_council_passed(
    server, story, tmp_path
):
    rid = story["round_id"]
    specialist, head, leader = Api(server, SPECIALIST), Api(server, BOARD_HEAD), Api(server, LEADER)
    path = f"/api/v1/rounds/{rid}"
    wait(specialist, path)
    r = submit(server, rid)
    assert r.status_code == 409 and r.json()["code"] == "consultation_open", r.text

    # The period ends: its last day was yesterday (moved in the database, as time would).
    yesterday = today_vn() - timedelta(days=1)
    with sqlite3.connect(server.var_dir / "tdkt.sqlite3", timeout=60) as db:
        db.execute(
            "update round_consultations set end_date = ? where round_id = ?",
            (yesterday.isoformat(), rid),
        )
    r = submit(server, rid)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "board_review"
    wait(head, path)
    r = head.post(f"{path}/actions/approve", json={})
    assert r.status_code == 200, r.text
    wait(leader, path)
    r = leader.post(f"{path}/actions/approve", json={"signing_pin": PIN})
    assert r.status_code == 200, r.text
    rnd = wait(specialist, path)
    assert rnd["status"] == "submitted"

    (to_trinh,) = specialist.get(f"{path}/documents").json()
    text = text_of(
        specialist.get(f"/api/v1/documents/{to_trinh['id']}/content").content,
        tmp_path / "to-trinh.pdf",
    )
    for name in ("Đồng Bành", PERSON, SECOND):
        assert name in text, name
    assert FAILS not in text


def test_5_a_vice_chairman_signs_the_decision(server, story, tmp_path):
    rid = story["round_id"]
    specialist, vice = Api(server, SPECIALIST), Api(server, VICE_CHAIRMAN)
    r = specialist.post("/api/v1/decisions", json={"round_id": rid})
    assert r.status_code == 201, r.text
    path = f"/api/v1/decisions/{r.json()['id']}"
    r = specialist.post(f"{path}/actions/submit", json={})
    assert r.status_code == 200, r.text
    d = wait(vice, path)
    assert d["status"] == "signing" and "approve" in d["allowed_actions"]
    r = vice.post(f"{path}/actions/approve", json={"signing_pin": PIN})
    assert r.status_code == 200, r.text
    d = wait(vice, path)
    assert d["status"] == "issued" and d["number"].endswith("/QĐ-UBND"), d
    story["decision"] = d

    (doc,) = specialist.get(f"{path}/documents").json()
    assert doc["number"] == d["number"] and not doc["draft"]
    pdf = specialist.get(f"/api/v1/documents/{doc['id']}/content").content
    roots = specialist.get("/api/v1/trust-roots").content
    reports = verify_pdf_sync(pdf, [roots])
    assert len(reports) == 2 and all(x.intact and x.valid and x.trusted for x in reports)
    saved = tmp_path / "quyet-dinh.pdf"
    saved.write_bytes(pdf)
    checked = pdfsig(saved, nss_db(tmp_path / "nss", roots))
    assert checked.count("Signature is Valid.") == 2, checked
    text = text_of(pdf, tmp_path / "quyet-dinh-text.pdf")
    assert "KT. CHỦ TỊCH" in text and "PHÓ CHỦ TỊCH" in text
    assert f"Số: {d['number']}" in text
    for name in ("Đồng Bành", PERSON, SECOND):
        assert name in text, name
    assert FAILS not in text


def test_6_awarded_certificates_audit_and_the_public_page(server, story, tmp_path):
    d = story["decision"]
    specialist = Api(server, SPECIALIST)
    by_name = {a["name"]: a for a in d["awardees"]}
    assert set(by_name) == {ENTERPRISE, PERSON, SECOND, FAILS}
    for name in (ENTERPRISE, PERSON, SECOND):
        assert by_name[name]["awarded"] and by_name[name]["certificate_no"], by_name[name]
    assert by_name[ENTERPRISE]["prize_amount"] == 4_680_000
    assert by_name[PERSON]["prize_amount"] == 2_340_000
    failed = by_name[FAILS]
    assert not failed["awarded"] and failed["certificate_no"] is None
    assert failed["reason"] == COUNCIL_REASON
    assert d["counts"] == {"collectives": 1, "individuals": 2, "not_awarded": 1}

    for unit, key in (("bdt", "bdt"), ("lmhtx", "htx")):
        dossier = Api(server, f"{unit}.canbo").get(f"/api/v1/dossiers/{story[key]}").json()
        assert dossier["status"] == "awarded" and dossier["status_label"] == "Đã khen thưởng"
        assert dossier["award_decision"] == d["label"]
    # A dossier none of whose nominees the decision awards is not «Đã khen thưởng»: it
    # says why in its history, and its unit is told.
    clerk = Api(server, "lmhtx.canbo")
    lone = clerk.get(f"/api/v1/dossiers/{story['lone']}").json()
    assert lone["status"] == "approved", lone["status"]
    history = clerk.get(f"/api/v1/dossiers/{story['lone']}/history").json()
    last = [e for e in history if e["kind"] == "not_awarded"]
    assert len(last) == 1 and last[0]["data"]["reasons"] == [COUNCIL_REASON]
    assert not [e for e in history if e["kind"] == "awarded"]
    rnd = specialist.get(f"/api/v1/rounds/{story['round_id']}").json()
    assert rnd["status"] == "decided"

    r = specialist.get(f"/api/v1/decisions/{d['id']}/certificates.pdf")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert pages_of(r.content, tmp_path / "bang-khen.pdf") == 3
    certs = text_of(r.content, tmp_path / "bang-khen-text.pdf")
    assert PERSON in certs and SECOND in certs and d["number"] in certs
    assert FAILS not in certs

    assert Api(server, AUDITOR).get("/api/v1/audit/verify").json()["ok"] is True

    # The public page, at the end of the story too, shows no date of birth.
    with httpx.Client(base_url=server.base) as anyone:
        page = anyone.get(story["public_url"])
        token = story["public_url"].rsplit("/", 1)[1]
        data = anyone.get(f"/api/v1/public/consultations/{token}")
    assert page.status_code == 200 and PERSON in page.text
    assert data.status_code == 200
    for shown in (page.text, data.text):
        assert "1984" not in shown and "17/03" not in shown and BIRTH_DATE not in shown
