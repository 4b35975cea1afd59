"""The provincial council's meeting on a round, through the HTTP API of the real server: a
round of two approved dossiers cannot be submitted before the council votes; the board
opens the meeting, seats 7 members, 5 are present; each votes in their own request; one
nominee reaches the threshold, the other does not and leaves the round's list and its Tờ
trình; every refusal has its code; the Biên bản, signed by the secretary then the chair,
numbered and sealed, verifies with pyHanko and pdfsig; the audit chain verifies."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from documents.verify import verify_pdf_sync
from tests.fixtures.modes import app_in_mode
from tests.fixtures.nss import nss_db, pdfsig
from tests.fixtures.route import walk_to
from tests.fixtures.server import PIN, Api, AppServer

pytestmark = pytest.mark.slow

SPECIALIST, BOARD_HEAD, CHAIR, OTHER_LEADER, AUDITOR = (
    "ptdkt.chuyenvien",
    "ptdkt.truongphong",
    "snv.giamdoc",
    "snv.phogiamdoc",
    "thanhtra",
)
MEMBERS = [f"hdtd.thanhvien{i}" for i in range(1, 6)]
PRESENT = [CHAIR, BOARD_HEAD, *MEMBERS[:3]]  # 5 of 7
ABSENT = MEMBERS[3:]
AWARD = "bang_khen_ubnd_tinh"
PASSES, FAILS = 'Lò Văn "Páo" <Tày> & {{ x }}', "Hoàng Thị Mai"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    # The province configures 70% of the whole membership for the Chủ tịch's Bằng khen:
    # with 5 of 7 present, 5 votes for (71,4%) pass and 4 (57,1%) do not. The default
    # (80%) lets nobody pass with 5 present: tested in tests/domain/test_meeting_rules.py.
    env = {"TDKT_COUNCIL_THRESHOLDS": f"{AWARD}=70"}
    with app_in_mode(tmp_path_factory.mktemp("meetings"), "embedded", env) as srv:
        yield srv


def make(server: AppServer, name: str) -> int:
    clerk = Api(server, "bdt.canbo")
    nominees = [{"kind": "individual", "name": name, "achievements": "Hoàn thành xuất sắc."}]
    r = clerk.post("/api/v1/dossiers", json={"year": 2026, "award": AWARD, "nominees": nominees})
    assert r.status_code == 201, r.text
    clerk.attach(r.json()["id"])
    d = walk_to(server, int(r.json()["id"]), "approved")
    assert d["status"] == "approved"
    return int(d["id"])


def wait(api: Api, path: str, timeout: float = 180) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        got = api.get(path).json()
        if not got["processing"]:
            return got
        assert time.monotonic() < deadline, f"{path} still processing"
        time.sleep(0.2)


def ids_of(server: AppServer, meeting_id: int) -> dict[str, int]:
    eligible = Api(server, SPECIALIST).get(f"/api/v1/meetings/{meeting_id}/eligible-members")
    assert eligible.status_code == 200, eligible.text
    by_name = {}
    for login in (CHAIR, BOARD_HEAD, OTHER_LEADER, SPECIALIST, *MEMBERS):
        me = Api(server, login).get("/api/v1/me").json()
        by_name[login] = me["id"]
    assert set(by_name.values()) <= {u["user_id"] for u in eligible.json()}
    return by_name


def test_the_council_votes_and_its_biên_bản_decides_the_round_list(server, tmp_path):
    specialist, head, chair = Api(server, SPECIALIST), Api(server, BOARD_HEAD), Api(server, CHAIR)
    first, second = make(server, PASSES), make(server, FAILS)
    r = specialist.post(
        "/api/v1/rounds",
        json={"name": "Đợt tổng kết 2026", "year": 2026, "kind": "thuong_xuyen", "awards": [AWARD]},
    )
    rnd = r.json()
    r = specialist.post(
        f"/api/v1/rounds/{rnd['id']}/dossiers",
        json={"dossier_ids": [first, second], "version": rnd["version"]},
    )
    assert r.status_code == 200, r.text

    # Not before the council has voted and its Biên bản is issued.
    r = specialist.post(f"/api/v1/rounds/{rnd['id']}/actions/submit", json={})
    assert r.status_code == 409 and r.json()["code"] == "council_not_done", r.text

    # The specialist opens the meeting (the Phòng's head may not): one question per nominee.
    body = {"about_id": rnd["id"], "held_on": date.today().isoformat(), "place": "Phòng họp A"}
    r = head.post("/api/v1/meetings", json=body)
    assert r.status_code == 403 and r.json()["code"] == "forbidden_action"
    r = specialist.post("/api/v1/meetings", json=body)
    assert r.status_code == 201, r.text
    m = r.json()
    assert [q["text"] for q in m["questions"]] == [
        f"Đồng ý đề nghị khen thưởng «Bằng khen của Chủ tịch UBND tỉnh» cho {n}"
        for n in (PASSES, FAILS)
    ]
    assert m["rules"][0]["share_text"] == "70%" and not m["rules"][0]["confirmed"]
    assert "chưa xác nhận" in m["rules"][0]["basis"]
    r = specialist.post("/api/v1/meetings", json=body)
    assert r.status_code == 409 and r.json()["code"] == "meeting_exists"
    # The list the council votes on is fixed: no dossier joins the round any more.
    version = specialist.get(f"/api/v1/rounds/{rnd['id']}").json()["version"]
    r = specialist.post(
        f"/api/v1/rounds/{rnd['id']}/dossiers", json={"dossier_ids": [first], "version": version}
    )
    assert r.status_code == 409 and r.json()["code"] == "round_in_council", r.text

    ids = ids_of(server, m["id"])
    seat = [
        {"user_id": ids[CHAIR], "role": "chu_tich"},
        {"user_id": ids[BOARD_HEAD], "role": "thu_ky"},
        *({"user_id": ids[x], "role": "thanh_vien"} for x in MEMBERS),
    ]
    # The chair signs the Biên bản: a leader of the Sở; one chair, one secretary.
    wrong = [{**seat[0], "user_id": ids[MEMBERS[0]]}, *seat[1:2], *seat[3:]]
    r = specialist.request("PUT", f"/api/v1/meetings/{m['id']}/members", json={"members": wrong})
    assert r.status_code == 422 and r.json()["code"] == "chair_not_leader"
    r = specialist.request("PUT", f"/api/v1/meetings/{m['id']}/members", json={"members": seat[1:]})
    assert r.status_code == 422 and r.json()["code"] == "meeting_roles"
    r = specialist.request("PUT", f"/api/v1/meetings/{m['id']}/members", json={"members": seat})
    assert r.status_code == 200 and len(r.json()["members"]) == 7, r.text

    # 4 of 7 present: no quorum, the secretary cannot close.
    four = {"present_user_ids": [ids[x] for x in PRESENT[:4]]}
    r = specialist.request("PUT", f"/api/v1/meetings/{m['id']}/attendance", json=four)
    assert r.status_code == 200, r.text
    r = head.post(f"/api/v1/meetings/{m['id']}/actions/submit", json={})
    assert r.status_code == 409 and r.json()["code"] == "no_quorum", r.text
    assert "4/7" in r.json()["detail"]
    five = {"present_user_ids": [ids[x] for x in PRESENT]}
    m = specialist.request("PUT", f"/api/v1/meetings/{m['id']}/attendance", json=five).json()
    assert sum(1 for x in m["members"] if x["present"]) == 5
    q1, q2 = (q["id"] for q in m["questions"])

    def vote(login: str, first_ballot: str, second_ballot: str):
        return Api(server, login).post(
            f"/api/v1/meetings/{m['id']}/votes",
            json={
                "ballots": [
                    {"question_id": q1, "ballot": first_ballot},
                    {"question_id": q2, "ballot": second_ballot},
                ]
            },
        )

    # An absent member and a non-member cannot vote.
    r = vote(ABSENT[0], "dong_y", "dong_y")
    assert r.status_code == 403 and r.json()["code"] == "absent_member"
    r = vote(OTHER_LEADER, "dong_y", "dong_y")
    assert r.status_code == 403 and r.json()["code"] == "not_a_member"
    # A unit's clerk does not even see the meeting.
    r = Api(server, "bdt.canbo").get(f"/api/v1/meetings/{m['id']}")
    assert r.status_code == 404 and r.json()["code"] == "meeting_not_found"

    ballots = {
        CHAIR: ("dong_y", "dong_y"),
        BOARD_HEAD: ("dong_y", "dong_y"),
        MEMBERS[0]: ("dong_y", "dong_y"),
        MEMBERS[1]: ("dong_y", "khong_dong_y"),
        MEMBERS[2]: ("dong_y", "khong_bieu_quyet"),
    }
    for login, (a, b) in ballots.items():
        r = vote(login, a, b)
        assert r.status_code == 200, r.text
        mine = {q["id"]: q["my_ballot"] for q in r.json()["questions"]}
        assert mine == {q1: a, q2: b}
    # One vote per member and question, and no more changes of members once voting began.
    r = vote(MEMBERS[0], "khong_dong_y", "khong_dong_y")
    assert r.status_code == 409 and r.json()["code"] == "already_voted"
    r = specialist.request("PUT", f"/api/v1/meetings/{m['id']}/attendance", json=four)
    assert r.status_code == 409 and r.json()["code"] == "ballots_cast"
    # Ballots are not shown while voting goes on.
    assert specialist.get(f"/api/v1/meetings/{m['id']}").json()["ballots"] is None

    # Only the meeting's secretary closes it (the specialist holds the role, not the seat).
    r = specialist.post(f"/api/v1/meetings/{m['id']}/actions/submit", json={})
    assert r.status_code == 403 and r.json()["code"] == "not_secretary"
    r = head.post(f"/api/v1/meetings/{m['id']}/actions/submit", json={})
    assert r.status_code == 200, r.text
    m = wait(head, f"/api/v1/meetings/{m['id']}")
    assert m["status"] == "closed"
    results = {x["name"]: x for x in m["results"]}
    assert (results[PASSES]["agree"], results[PASSES]["share_text"]) == (5, "71,4%")
    assert results[PASSES]["passed"] is True
    assert (results[FAILS]["agree"], results[FAILS]["disagree"]) == (3, 1)
    assert results[FAILS]["abstain"] == 1 and results[FAILS]["passed"] is False
    assert len(m["ballots"]) == 10

    # No vote after the close.
    r = vote(MEMBERS[0], "dong_y", "dong_y")
    assert r.status_code == 409 and r.json()["code"] == "meeting_closed"

    # The round's list keeps only whom the council passed.
    got = specialist.get(f"/api/v1/rounds/{rnd['id']}").json()
    assert [n["name"] for n in got["nominee_list"]] == [PASSES]
    assert got["council"]["results"][1]["passed"] is False
    # …and it still waits for the Biên bản.
    r = specialist.post(f"/api/v1/rounds/{rnd['id']}/actions/submit", json={})
    assert r.status_code == 409 and r.json()["code"] == "council_not_done"

    # The chair signs after the secretary only.
    assert m["allowed_actions"] == []
    cm = chair.get(f"/api/v1/meetings/{m['id']}").json()
    assert cm["allowed_actions"] == ["approve"]
    r = chair.post(f"/api/v1/meetings/{m['id']}/actions/approve", json={"signing_pin": PIN})
    assert r.status_code == 409 and r.json()["code"] == "secretary_not_signed", r.text
    r = Api(server, OTHER_LEADER).post(
        f"/api/v1/meetings/{m['id']}/actions/approve", json={"signing_pin": PIN}
    )
    assert r.status_code == 403 and r.json()["code"] == "not_chair"
    r = chair.post(f"/api/v1/meetings/{m['id']}/minutes/sign", json={"signing_pin": PIN})
    assert r.status_code == 403 and r.json()["code"] == "not_secretary"
    r = head.post(f"/api/v1/meetings/{m['id']}/minutes/sign", json={"signing_pin": PIN})
    assert r.status_code == 200, r.text
    assert r.json()["secretary_signed"] is True
    r = chair.post(f"/api/v1/meetings/{m['id']}/actions/approve", json={"signing_pin": PIN})
    assert r.status_code == 200, r.text
    m = wait(chair, f"/api/v1/meetings/{m['id']}")
    assert m["status"] == "signed"

    docs = specialist.get(f"/api/v1/meetings/{m['id']}/documents").json()
    assert len(docs) == 1 and docs[0]["form"] == "bien_ban_hoi_dong" and not docs[0]["draft"]
    doc = docs[0]
    assert doc["number"].endswith("/BB-HĐTĐKT"), doc["number"]
    pdf = specialist.get(f"/api/v1/documents/{doc['id']}/content").content
    path = tmp_path / "bien-ban.pdf"
    path.write_bytes(pdf)
    roots = specialist.get("/api/v1/trust-roots").content
    reports = verify_pdf_sync(pdf, [roots])
    # The secretary's, the chair's, the seal.
    assert len(reports) == 3 and all(x.intact and x.valid and x.trusted for x in reports)
    checked = pdfsig(path, nss_db(tmp_path / "nss", roots))
    assert checked.count("Signature is Valid.") == 3, checked
    text = " ".join(
        subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    for needle in (
        "BIÊN BẢN",
        "THƯ KÝ",
        "CHỦ TỊCH HỘI ĐỒNG",
        "71,4%",
        "42,9%",
        "Không đạt",
        "Páo",
        FAILS,
    ):
        assert needle in text, needle
    assert f"Số: {doc['number']}" in text

    # Now the round goes on, its list and Tờ trình without the nominee who failed.
    rnd = wait(specialist, f"/api/v1/rounds/{rnd['id']}")
    r = specialist.post(f"/api/v1/rounds/{rnd['id']}/actions/submit", json={})
    assert r.status_code == 200, r.text
    rnd = wait(head, f"/api/v1/rounds/{rnd['id']}")
    r = head.post(f"/api/v1/rounds/{rnd['id']}/actions/approve", json={})
    assert r.status_code == 200, r.text
    rnd = wait(chair, f"/api/v1/rounds/{rnd['id']}")
    r = chair.post(f"/api/v1/rounds/{rnd['id']}/actions/approve", json={"signing_pin": PIN})
    assert r.status_code == 200, r.text
    wait(chair, f"/api/v1/rounds/{rnd['id']}")
    to_trinh = specialist.get(f"/api/v1/rounds/{rnd['id']}/documents").json()[0]
    tpath = tmp_path / "to-trinh.pdf"
    tpath.write_bytes(specialist.get(f"/api/v1/documents/{to_trinh['id']}/content").content)
    ttext = subprocess.run(
        ["pdftotext", str(tpath), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Páo" in ttext and FAILS not in ttext

    # The meeting's own history, every step, and the chain intact.
    history = Api(server, AUDITOR).get(f"/api/v1/meetings/{m['id']}/history").json()
    kinds = [e["kind"] for e in history]
    for kind in (
        "meeting_created",
        "meeting_members_set",
        "meeting_attendance",
        "meeting_vote",
        "submit",
        "minutes_signed_by_secretary",
        "approve",
        "documents_issued",
    ):
        assert kind in kinds, kinds
    assert kinds.count("meeting_vote") == 5
    assert Api(server, AUDITOR).get("/api/v1/audit/verify").json()["ok"] is True
