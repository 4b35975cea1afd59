"""The board's round (đợt xét khen thưởng) through the HTTP API of the real server: a
specialist opens a round, puts approved dossiers of two units in it and reads one list of
every nominee across them; what may not go in is refused whole and named; a unit sees the
round's name on its own dossier and nothing of the round itself."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest

from documents.verify import verify_pdf_sync
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
ROUND_NAME = 'Đợt tổng kết <năm> 2026 & "chuyên đề" {{ x }}'
AWARD = "bang_khen_ubnd_tinh"


def make(server: AppServer, unit: str, names: list[tuple[str, str]]) -> int:
    clerk = Api(server, f"{unit}.canbo")
    nominees = [
        {"kind": kind, "name": name, "achievements": "Hoàn thành xuất sắc nhiệm vụ."}
        for kind, name in names
    ]
    r = clerk.post("/api/v1/dossiers", json={"year": 2026, "award": AWARD, "nominees": nominees})
    assert r.status_code == 201, r.text
    clerk.attach(r.json()["id"])
    return int(r.json()["id"])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    # The council's vote before a round goes on is tested in test_meetings.py: here the
    # configuration asks none (TDKT_COUNCIL_AWARDS).
    no_council = {"TDKT_COUNCIL_AWARDS": "-"}
    with app_in_mode(tmp_path_factory.mktemp("rounds"), "embedded", no_council) as srv:
        yield srv


@pytest.fixture(scope="module")
def dossiers(server: AppServer) -> dict[str, int]:
    """Three approved dossiers (two of Ban Dân tộc, one of Liên minh HTX), one still in
    appraisal."""
    ids = {
        "bdt1": make(
            server, "bdt", [("collective", "Phòng Chính sách"), ("individual", "Lò Văn Páo")]
        ),
        "bdt2": make(server, "bdt", [("individual", "Hoàng Thị Mai")]),
        "htx": make(
            server,
            "lmhtx",
            [("individual", "Nông Văn Khánh"), ("collective", "Văn phòng Liên minh")],
        ),
        "early": make(server, "bdt", [("individual", "Vi Văn Chiến")]),
    }
    for key in ("bdt1", "bdt2"):
        assert walk_to(server, ids[key], "approved")["status"] == "approved"
    assert walk_to(server, ids["htx"], "approved", unit="lmhtx")["status"] == "approved"
    walk_to(server, ids["early"], "board_appraisal")
    return ids


def open_round(server: AppServer, name: str = ROUND_NAME, awards=(AWARD,)) -> dict[str, Any]:
    r = Api(server, SPECIALIST).post(
        "/api/v1/rounds",
        json={"name": name, "year": 2026, "kind": "thuong_xuyen", "awards": list(awards)},
    )
    assert r.status_code == 201, r.text
    return r.json()


def add(server: AppServer, rnd: dict[str, Any], ids: list[int], user=SPECIALIST):
    return Api(server, user).post(
        f"/api/v1/rounds/{rnd['id']}/dossiers", json={"dossier_ids": ids, "version": rnd["version"]}
    )


def test_a_round_lists_every_nominee_of_its_dossiers(server, dossiers):
    rnd = open_round(server)
    assert rnd["status"] == "open" and rnd["status_label"] == "Đang lập danh sách"
    assert rnd["name"] == ROUND_NAME  # stored and shown literally
    assert rnd["kind_label"] == "thường xuyên" and rnd["can_edit_dossiers"]

    # A dossier still in appraisal refuses the whole request, named; nothing is added.
    r = add(server, rnd, [dossiers["bdt1"], dossiers["early"]])
    assert r.status_code == 409 and r.json()["code"] == "dossier_not_approved"
    assert f"Hồ sơ số {dossiers['early']} chưa được lãnh đạo Sở ký trình" in r.json()["detail"]
    unchanged = Api(server, SPECIALIST).get(f"/api/v1/rounds/{rnd['id']}").json()
    assert unchanged["dossier_list"] == [] and unchanged["version"] == rnd["version"]
    assert (
        Api(server, "bdt.canbo").get(f"/api/v1/dossiers/{dossiers['bdt1']}").json()["round"] is None
    )

    r = add(server, rnd, [dossiers["bdt1"], dossiers["htx"], dossiers["bdt2"]])
    assert r.status_code == 200, r.text
    got = r.json()
    assert [d["id"] for d in got["dossier_list"]] == [
        dossiers["bdt1"],
        dossiers["htx"],
        dossiers["bdt2"],
    ]
    listed = [(n["name"], n["kind"], n["unit_name"], n["dossier_id"]) for n in got["nominee_list"]]
    assert ("Lò Văn Páo", "individual", "Ban Dân tộc tỉnh", dossiers["bdt1"]) in listed
    assert (
        "Văn phòng Liên minh",
        "collective",
        "Liên minh Hợp tác xã tỉnh",
        dossiers["htx"],
    ) in listed
    assert ("Nông Văn Khánh", "individual", "Liên minh Hợp tác xã tỉnh", dossiers["htx"]) in listed
    assert len(listed) == 5 and got["counts"] == {"collectives": 2, "individuals": 3}
    assert all(n["cluster_name"].startswith("Cụm") for n in got["nominee_list"])

    # Everyone who sees a dossier sees the round it is in, by name.
    for user, dossier in (("bdt.canbo", "bdt1"), ("lmhtx.canbo", "htx"), (AUDITOR, "bdt2")):
        d = Api(server, user).get(f"/api/v1/dossiers/{dossiers[dossier]}").json()
        assert d["round"]["name"] == ROUND_NAME
        assert d["round"]["label"] == f"Chờ trình khen thưởng ({ROUND_NAME}: đang lập danh sách)"

    # …but only the board, the Sở's leaders and auditors see the round and its list.
    for user in (SPECIALIST, BOARD_HEAD, LEADER, AUDITOR):
        assert Api(server, user).get(f"/api/v1/rounds/{rnd['id']}").status_code == 200
    for user in ("bdt.canbo", "bdt.thutruong", "lmhtx.canbo", "bqlkkt.cum"):
        r = Api(server, user).get(f"/api/v1/rounds/{rnd['id']}")
        assert r.status_code == 404 and r.json()["code"] == "round_not_found"
        assert "Lò Văn Páo" not in r.text
        assert Api(server, user).get("/api/v1/rounds").json() == []

    # The history of a dossier says when it was put in the round.
    history = Api(server, AUDITOR).get(f"/api/v1/dossiers/{dossiers['htx']}/history").json()
    added = [e for e in history if e["kind"] == "added_to_round"]
    assert len(added) == 1 and added[0]["label"] == "Đưa vào đợt xét khen thưởng"


def test_what_may_not_go_in_is_refused_whole_and_named(server, dossiers):
    fresh = open_round(server, "Đợt đột xuất")
    r = add(server, fresh, [dossiers["early"]])
    assert r.status_code == 409 and r.json()["code"] == "dossier_not_approved"
    assert "chưa được lãnh đạo Sở ký trình" in r.json()["detail"]
    got = Api(server, SPECIALIST).get(f"/api/v1/rounds/{fresh['id']}").json()
    assert got["dossier_list"] == [] and got["version"] == fresh["version"]

    # A dossier is in one round only.
    in_first = [x for x in Api(server, SPECIALIST).get("/api/v1/rounds").json() if x["dossiers"]]
    assert in_first, "the first test's round holds dossiers"
    r = add(server, fresh, [dossiers["bdt1"]])
    assert r.status_code == 409 and r.json()["code"] == "in_another_round"
    assert ROUND_NAME in r.json()["detail"]

    # A dossier that does not exist is named as missing.
    r = add(server, fresh, [987654])
    assert r.status_code == 404 and r.json()["code"] == "dossier_not_found"

    # The same dossier twice in one request is bad input.
    r = add(server, fresh, [dossiers["early"], dossiers["early"]])
    assert r.status_code == 422 and r.json()["code"] == "duplicate_dossiers"


def test_composing_is_the_specialists_and_a_stale_view_is_refused(server, dossiers):
    body = {"name": "Đợt", "year": 2026, "kind": "thuong_xuyen", "awards": [AWARD]}
    for user in ("bdt.canbo", BOARD_HEAD, AUDITOR):
        r = Api(server, user).post("/api/v1/rounds", json=body)
        assert r.status_code == 403 and r.json()["code"] == "forbidden_action", user
    bad = [
        ({**body, "name": "   "}, "round_name_required"),
        ({**body, "awards": []}, "round_awards_required"),
        ({**body, "awards": ["huan_chuong_sao_hoa"]}, "round_award_unknown"),
    ]
    for payload, code in bad:
        r = Api(server, SPECIALIST).post("/api/v1/rounds", json=payload)
        assert r.status_code == 422 and r.json()["code"] == code, (payload, r.text)
    r = Api(server, SPECIALIST).post("/api/v1/rounds", json={**body, "kind": "hang_nam"})
    assert r.status_code == 422

    rnd = open_round(server, "Đợt thử phiên bản")
    stale = {**rnd, "version": rnd["version"] - 1}
    r = add(server, stale, [dossiers["early"]])
    assert r.status_code == 409 and r.json()["code"] == "stale_version"
    r = Api(server, BOARD_HEAD).post(
        f"/api/v1/rounds/{rnd['id']}/dossiers", json={"dossier_ids": [dossiers["early"]]}
    )
    assert r.status_code == 403


def test_a_dossier_taken_out_of_an_open_round_can_go_into_another(server, dossiers):
    first = [
        x for x in Api(server, SPECIALIST).get("/api/v1/rounds").json() if x["name"] == ROUND_NAME
    ]
    rnd = Api(server, SPECIALIST).get(f"/api/v1/rounds/{first[0]['id']}").json()
    r = Api(server, SPECIALIST).request(
        "DELETE",
        f"/api/v1/rounds/{rnd['id']}/dossiers/{dossiers['bdt2']}",
        params={"version": rnd["version"]},
    )
    assert r.status_code == 200, r.text
    assert dossiers["bdt2"] not in [d["id"] for d in r.json()["dossier_list"]]
    assert (
        Api(server, "bdt.canbo").get(f"/api/v1/dossiers/{dossiers['bdt2']}").json()["round"] is None
    )
    other = open_round(server, "Đợt sau")
    assert add(server, other, [dossiers["bdt2"]]).status_code == 200
    # Put back where the other tests expect it.
    moved = Api(server, SPECIALIST).get(f"/api/v1/rounds/{other['id']}").json()
    r = Api(server, SPECIALIST).request(
        "DELETE",
        f"/api/v1/rounds/{other['id']}/dossiers/{dossiers['bdt2']}",
        params={"version": moved["version"]},
    )
    assert r.status_code == 200
    again = Api(server, SPECIALIST).get(f"/api/v1/rounds/{rnd['id']}").json()
    assert add(server, again, [dossiers["bdt2"]]).status_code == 200


def test_approving_several_dossiers_is_one_action_all_or_none(server):
    """The unit head approves two dossiers with one PIN; a batch with one dossier that may
    not be approved approves none and names that one."""
    a, b = (make(server, "bdt", [("individual", f"Người số {i}")]) for i in (1, 2))
    draft = make(server, "bdt", [("individual", "Người số 3")])
    for dossier_id in (a, b):
        walk_to(server, dossier_id, "unit_review")
    head = Api(server, "bdt.thutruong")

    def approve(ids, pin=PIN, **extra):
        body = {"dossier_ids": ids, "signing_pin": pin, **extra}
        return head.post("/api/v1/dossiers/actions/approve", json=body)

    r = approve([a, draft])
    assert r.status_code == 409, r.text
    assert r.json()["dossier_id"] == draft and f"Hồ sơ số {draft}" in r.json()["detail"]
    r = approve([a, b], pin="999999")
    assert r.status_code == 403 and r.json()["code"] == "wrong_pin"
    stale = approve([a, b], versions={str(a): 1})
    assert stale.status_code == 409 and stale.json()["dossier_id"] == a
    for dossier_id in (a, b):
        assert head.get(f"/api/v1/dossiers/{dossier_id}").json()["status"] == "unit_review"
    assert approve([]).status_code == 422
    assert approve([a, a]).status_code == 422

    r = approve([a, b])
    assert r.status_code == 200, r.text
    assert [i["dossier"]["id"] for i in r.json()["items"]] == [a, b]
    for dossier_id in (a, b):
        d = head.wait_idle(dossier_id)
        assert d["status"] == "cluster_review"
        history = head.get(f"/api/v1/dossiers/{dossier_id}/history").json()
        signed = [e for e in history if e["kind"] == "approve"]
        assert len(signed) == 1 and len(signed[0]["data"]["signed"]) == 2


def test_a_round_has_its_own_history_on_its_own_chain(server, dossiers):
    rnd = open_round(server, "Đợt có lịch sử")
    other = Api(server, SPECIALIST).get("/api/v1/rounds").json()
    first = next(x for x in other if x["name"] == ROUND_NAME)
    history = Api(server, AUDITOR).get(f"/api/v1/rounds/{first['id']}/history").json()
    kinds = [e["kind"] for e in history]
    assert kinds[0] == "round_created" and "round_dossiers_added" in kinds
    assert [e["seq"] for e in history] == list(range(1, len(history) + 1))
    assert history[0]["label"] == "Lập đợt xét khen thưởng"
    assert history[0]["actor_role_label"] == "Chuyên viên Phòng Thi đua – Khen thưởng"
    added = next(e for e in history if e["kind"] == "round_dossiers_added")
    assert str(dossiers["htx"]) in added["detail"]
    # Its own chain: the new round's history holds only its creation.
    mine = Api(server, SPECIALIST).get(f"/api/v1/rounds/{rnd['id']}/history").json()
    assert [e["kind"] for e in mine] == ["round_created"]
    r = Api(server, "bdt.canbo").get(f"/api/v1/rounds/{first['id']}/history")
    assert r.status_code == 404 and r.json()["code"] == "round_not_found"
    assert Api(server, AUDITOR).get("/api/v1/audit/verify").json()["ok"] is True


def wait_round(api: Api, round_id: int, timeout: float = 180) -> dict[str, Any]:
    """The round once its last step's flow run has finished."""
    deadline = time.monotonic() + timeout
    while True:
        r = api.get(f"/api/v1/rounds/{round_id}").json()
        if not r["processing"]:
            return r
        assert time.monotonic() < deadline, f"round {round_id} still processing"
        time.sleep(0.2)


def round_act(api: Api, rnd: dict[str, Any], action: str, **body: Any) -> Any:
    return api.post(f"/api/v1/rounds/{rnd['id']}/actions/{action}", json=body)


def waiting(api: Api) -> list[int]:
    return [r["id"] for r in api.get("/api/v1/rounds", params={"waiting": "true"}).json()]


def test_an_empty_round_is_not_submitted_and_a_withdrawn_one_opens_again(server, dossiers):
    specialist = Api(server, SPECIALIST)
    empty = open_round(server, "Đợt chưa có hồ sơ")
    r = round_act(specialist, empty, "submit")
    assert r.status_code == 422 and r.json()["code"] == "dossier_incomplete"
    assert r.json()["detail"] == "Đợt chưa đủ để trình: đợt chưa có hồ sơ nào."
    for user in ("bdt.canbo", AUDITOR):
        r = round_act(Api(server, user), empty, "submit")
        assert r.status_code in (403, 404), (user, r.text)
    r = round_act(specialist, empty, "frobnicate")
    assert r.status_code == 422

    one = open_round(server, "Đợt rút về")
    extra = make(server, "bdt", [("individual", "Đinh Thị Lan")])
    walk_to(server, extra, "approved")
    assert add(server, one, [extra]).status_code == 200
    one = wait_round(specialist, one["id"])
    one = round_act(specialist, one, "submit").json()
    assert one["status"] == "board_review"
    one = round_act(specialist, wait_round(specialist, one["id"]), "withdraw").json()
    assert one["status"] == "open" and one["can_edit_dossiers"]
    # Taken out again, so that the other tests' counts are not changed.
    one = wait_round(specialist, one["id"])
    r = specialist.request(
        "DELETE", f"/api/v1/rounds/{one['id']}/dossiers/{extra}", params={"version": one["version"]}
    )
    assert r.status_code == 200


def test_a_round_goes_to_the_chairman_with_one_signed_and_sealed_to_trinh(
    server, dossiers, tmp_path
):
    """Submitted by the specialist, returned once by the Phòng's head with a reason,
    submitted again, approved by the head, signed by the Sở's Phó Giám đốc: the flow
    issues one numbered Tờ trình listing every nominee, signed and sealed, valid to pyHanko
    and to poppler's pdfsig; the dossiers say they were submitted with the round."""
    specialist, head, leader = Api(server, SPECIALIST), Api(server, BOARD_HEAD), Api(server, LEADER)
    first = next(x for x in specialist.get("/api/v1/rounds").json() if x["name"] == ROUND_NAME)
    rnd = wait_round(specialist, first["id"])
    assert rnd["allowed_actions"] == ["submit"] and len(rnd["dossier_list"]) == 3

    # Only the specialist submits, and only from the list being made.
    r = round_act(head, rnd, "submit")
    assert r.status_code == 403 and r.json()["code"] == "forbidden_action"
    r = round_act(leader, rnd, "approve", signing_pin=PIN)
    assert r.status_code == 409 and "Đang lập danh sách" in r.json()["detail"]
    r = round_act(specialist, rnd, "submit", version=rnd["version"] - 1)
    assert r.status_code == 409 and r.json()["code"] == "stale_version"

    rnd = round_act(specialist, rnd, "submit").json()
    assert rnd["status"] == "board_review" and not rnd["can_edit_dossiers"]
    assert add(server, rnd, [dossiers["early"]]).json()["code"] == "round_not_editable"
    rnd = wait_round(head, rnd["id"])
    assert rnd["allowed_actions"] == ["approve", "return"]
    assert waiting(head) == [rnd["id"]] and waiting(leader) == []
    # The specialist's are the rounds still being made (a submitted one waits on others).
    assert rnd["id"] not in waiting(specialist) and waiting(specialist)

    # A return needs a reason, and reopens the list.
    r = round_act(head, rnd, "return")
    assert r.status_code == 422 and r.json()["code"] == "reason_required"
    reason = 'Bổ sung <hồ sơ> & "ghi chú" {{ x }}'
    rnd = round_act(head, rnd, "return", reason=reason).json()
    assert rnd["status"] == "open"
    rnd = wait_round(specialist, rnd["id"])
    rnd = round_act(specialist, rnd, "submit").json()
    rnd = round_act(head, wait_round(head, rnd["id"]), "approve").json()
    assert rnd["status"] == "leadership_review"

    # The Tờ trình is prepared for the leader: a draft only they (and auditors) see.
    rnd = wait_round(leader, rnd["id"])
    assert rnd["allowed_actions"] == ["approve", "return"]
    assert waiting(leader) == [rnd["id"]] and waiting(head) == []
    drafts = leader.get(f"/api/v1/rounds/{rnd['id']}/documents").json()
    assert [(d["form"], d["draft"]) for d in drafts] == [("to_trinh_dot", True)]
    assert specialist.get(f"/api/v1/rounds/{rnd['id']}/documents").json() == []

    r = round_act(leader, rnd, "approve")
    assert r.status_code in (401, 403, 422) and r.json()["code"] == "signing_pin_required"
    r = round_act(leader, rnd, "approve", signing_pin=PIN)
    assert r.status_code == 200, r.text
    rnd = wait_round(leader, rnd["id"])
    assert rnd["status"] == "submitted" and rnd["allowed_actions"] == []

    docs = specialist.get(f"/api/v1/rounds/{rnd['id']}/documents").json()
    assert len(docs) == 1
    doc = docs[0]
    assert doc["subject_kind"] == "round" and doc["subject_id"] == rnd["id"]
    assert doc["dossier_id"] is None and not doc["draft"]
    assert doc["number"].endswith("/TTr-SNV"), doc["number"]
    check = specialist.get(f"/api/v1/documents/{doc['id']}/verify").json()
    assert check["ok"] is True and len(check["signatures"]) == 2, check

    pdf = specialist.get(f"/api/v1/documents/{doc['id']}/content").content
    path = tmp_path / "to-trinh-dot.pdf"
    path.write_bytes(pdf)
    roots = specialist.get("/api/v1/trust-roots").content
    reports = verify_pdf_sync(pdf, [roots])
    assert len(reports) == 2 and all(x.intact and x.valid and x.trusted for x in reports)
    checked = pdfsig(path, nss_db(tmp_path / "nss", roots))
    assert checked.count("Signature is Valid.") == 2, checked
    text = " ".join(
        subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    for name in ("Phòng Chính sách", "Lò Văn Páo", "Hoàng Thị Mai", "Nông Văn Khánh"):
        assert name in text, name
    assert "Vi Văn Chiến" not in text  # still in appraisal: not in the round
    assert "KT. GIÁM ĐỐC" in text and f"Số: {doc['number']}" in text
    assert "Chủ tịch Ủy ban nhân dân tỉnh" in text

    # The dossiers say they went with the round; a unit sees nothing of the round.
    clerk = Api(server, "bdt.canbo")
    d = clerk.get(f"/api/v1/dossiers/{dossiers['bdt1']}").json()
    assert d["round"]["label"] == f"Đã trình khen thưởng ({ROUND_NAME})"
    for path_ in (
        f"/api/v1/rounds/{rnd['id']}/documents",
        f"/api/v1/documents/{doc['id']}/content",
        f"/api/v1/documents/{doc['id']}/verify",
    ):
        r = clerk.get(path_)
        assert r.status_code == 404, path_

    # The round's own history, with the return's reason as typed, and the chain intact.
    history = Api(server, AUDITOR).get(f"/api/v1/rounds/{rnd['id']}/history").json()
    kinds = [e["kind"] for e in history]
    for kind in ("submit", "return", "approve", "documents_issued", "document_downloaded"):
        assert kind in kinds, kinds
    returned = next(e for e in history if e["kind"] == "return")
    assert reason in returned["detail"]
    issued = next(e for e in history if e["kind"] == "documents_issued")
    assert doc["number"] in issued["detail"]
    assert Api(server, AUDITOR).get("/api/v1/audit/verify").json()["ok"] is True
