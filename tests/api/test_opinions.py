"""Hiệp y through the HTTP API of the real server: the board asks the configured agencies
for their opinion on an enterprise nominee of a round; the tax agency's «không đồng ý»
holds the nominee back, with that reason, off the round's list until the board head
overrides it with a reason (audited); an unsigned letter is refused and nothing changes;
another agency's reviewer cannot answer; the round is not submitted while an opinion is
missing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.fixtures.modes import app_in_mode
from tests.fixtures.route import walk_to
from tests.fixtures.server import Api, AppServer, minutes_pdf

pytestmark = pytest.mark.slow

SPECIALIST, BOARD_HEAD = "ptdkt.chuyenvien", "ptdkt.truongphong"
TAX, SOCIAL, ENV, POLICE = "thue.canbo", "bhxh.canbo", "snnmt.canbo", "congan.canbo"
ENTERPRISE = 'Công ty CP <Xi măng> & "Đồng Bành"'
NOTE = "Doanh nghiệp còn nợ thuế 1,2 tỷ đồng <quá hạn> & chưa nộp"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    # The council's vote before a round goes on is tested in test_meetings.py: here the
    # configuration asks none (TDKT_COUNCIL_AWARDS).
    no_council = {"TDKT_COUNCIL_AWARDS": "-"}
    with app_in_mode(tmp_path_factory.mktemp("hiepy"), "embedded", no_council) as srv:
        yield srv


@pytest.fixture(scope="module")
def rnd(server: AppServer) -> dict[str, Any]:
    clerk = Api(server, "bdt.canbo")
    nominees = [
        {
            "kind": "collective",
            "name": ENTERPRISE,
            "achievements": "Hoàn thành xuất sắc nhiệm vụ.",
            "opinion_category": "enterprise",
        },
        {"kind": "individual", "name": "Lò Văn Páo", "achievements": "Hoàn thành tốt."},
    ]
    r = clerk.post(
        "/api/v1/dossiers",
        json={"year": 2026, "award": "bang_khen_ubnd_tinh", "nominees": nominees},
    )
    assert r.status_code == 201, r.text
    assert r.json()["nominees"][0]["opinion_category"] == "enterprise"
    dossier_id = int(r.json()["id"])
    clerk.attach(dossier_id)
    walk_to(server, dossier_id, "approved")
    specialist = Api(server, SPECIALIST)
    r = specialist.post(
        "/api/v1/rounds",
        json={
            "name": "Đợt hiệp y 2026",
            "year": 2026,
            "kind": "thuong_xuyen",
            "awards": ["bang_khen_ubnd_tinh"],
        },
    )
    assert r.status_code == 201, r.text
    got = r.json()
    r = specialist.post(
        f"/api/v1/rounds/{got['id']}/dossiers",
        json={"dossier_ids": [dossier_id], "version": got["version"]},
    )
    assert r.status_code == 200, r.text
    return r.json()


def listed(server: AppServer, round_id: int) -> list[str]:
    r = Api(server, SPECIALIST).get(f"/api/v1/rounds/{round_id}")
    return [n["name"] for n in r.json()["nominee_list"]]


def opinions(server: AppServer, round_id: int, user: str = SPECIALIST) -> dict[str, Any]:
    r = Api(server, user).get(f"/api/v1/rounds/{round_id}/opinions")
    assert r.status_code == 200, r.text
    return r.json()


def inbox(server: AppServer, user: str) -> list[dict[str, Any]]:
    r = Api(server, user).get("/api/v1/opinions")
    assert r.status_code == 200, r.text
    return r.json()


def submit(server: AppServer, round_id: int):
    version = Api(server, SPECIALIST).get(f"/api/v1/rounds/{round_id}").json()["version"]
    return Api(server, SPECIALIST).post(
        f"/api/v1/rounds/{round_id}/actions/submit", json={"version": version}
    )


def test_a_negative_tax_opinion_holds_the_enterprise_back_until_the_head_overrides(server, rnd):
    rid = rnd["id"]
    assert ENTERPRISE in listed(server, rid)
    # Before the board asks, the opinions are already missing: no submission.
    r = submit(server, rid)
    assert r.status_code == 409 and r.json()["code"] == "opinions_pending", r.text
    assert "Thuế tỉnh Lạng Sơn" in r.json()["detail"]

    # An agency reviewer does not see the round itself.
    assert Api(server, TAX).get(f"/api/v1/rounds/{rid}").status_code == 404

    r = Api(server, SPECIALIST).post(f"/api/v1/rounds/{rid}/opinions/request")
    assert r.status_code == 200, r.text
    (entry,) = r.json()["nominees"]  # only the enterprise needs opinions
    assert entry["name"] == ENTERPRISE and entry["category_label"] == "Doanh nghiệp"
    assert [x["agency_name"] for x in entry["replies"]] == [
        "Thuế tỉnh Lạng Sơn",
        "Bảo hiểm xã hội tỉnh Lạng Sơn",
        "Sở Nông nghiệp và Môi trường",
        "Công an tỉnh Lạng Sơn",
    ]
    assert "chưa xác nhận" in entry["legal_basis"] and entry["confirmed"] is False
    # Asking twice asks no one again.
    again = Api(server, SPECIALIST).post(f"/api/v1/rounds/{rid}/opinions/request")
    assert again.status_code == 409 and again.json()["code"] == "no_opinions_to_request"

    # Each agency sees its own request only.
    (tax_item,) = inbox(server, TAX)
    assert tax_item["nominee_name"] == ENTERPRISE and tax_item["can_answer"]
    (social_item,) = inbox(server, SOCIAL)
    assert social_item["request_id"] != tax_item["request_id"]
    # Another agency's reviewer cannot answer the tax agency's request, nor learn of it.
    r = Api(server, SOCIAL).post(
        f"/api/v1/opinions/{tax_item['request_id']}/answer", json={"opinion": "agree"}
    )
    assert r.status_code == 404 and r.json()["code"] == "opinion_request_not_found"
    # Nor can the board answer in the agency's name.
    r = Api(server, SPECIALIST).post(
        f"/api/v1/opinions/{tax_item['request_id']}/answer", json={"opinion": "agree"}
    )
    assert r.status_code == 404

    r = Api(server, TAX).post(
        f"/api/v1/opinions/{tax_item['request_id']}/answer",
        json={"opinion": "disagree", "note": NOTE},
    )
    assert r.status_code == 200, r.text
    assert r.json()["opinion_label"] == "Không đồng ý" and r.json()["answered_at_vn"]
    # Answered once.
    r = Api(server, TAX).post(
        f"/api/v1/opinions/{tax_item['request_id']}/answer", json={"opinion": "agree"}
    )
    assert r.status_code == 409 and r.json()["code"] == "opinion_already_given"

    # Held back, with that reason; the others stay listed (and so out of the Tờ trình,
    # which prints this list).
    assert listed(server, rid) == ["Lò Văn Páo"]
    (entry,) = opinions(server, rid, BOARD_HEAD)["nominees"]
    assert entry["held_back"]
    assert entry["held_back_reason"] == (
        "Không đủ điều kiện: ý kiến hiệp y không đồng ý của Thuế tỉnh Lạng Sơn"
    )
    tax_reply = entry["replies"][0]
    assert tax_reply["note"] == NOTE and tax_reply["source"] == "tdkt"

    # The specialist may not override; the head needs a reason.
    body = {"nominee_id": entry["nominee_id"], "reason": "Đã nộp đủ"}
    r = Api(server, SPECIALIST).post(f"/api/v1/rounds/{rid}/opinions/overrides", json=body)
    assert r.status_code == 403
    r = Api(server, BOARD_HEAD).post(
        f"/api/v1/rounds/{rid}/opinions/overrides",
        json={"nominee_id": entry["nominee_id"], "reason": "  "},
    )
    assert r.status_code == 422 and r.json()["code"] == "reason_required"
    assert ENTERPRISE not in listed(server, rid)

    reason = "Doanh nghiệp đã nộp đủ tiền thuế ngày 01/12/2026 (giấy nộp tiền kèm theo)"
    r = Api(server, BOARD_HEAD).post(
        f"/api/v1/rounds/{rid}/opinions/overrides",
        json={"nominee_id": entry["nominee_id"], "reason": reason},
    )
    assert r.status_code == 200, r.text
    (entry,) = r.json()["nominees"]
    assert not entry["held_back"] and entry["override_reason"] == reason
    assert listed(server, rid) == [ENTERPRISE, "Lò Văn Páo"]

    history = Api(server, SPECIALIST).get(f"/api/v1/rounds/{rid}/history").json()
    kinds = [e["kind"] for e in history]
    assert "opinions_requested" in kinds and "opinion_given" in kinds
    overridden = next(e for e in history if e["kind"] == "opinion_overridden")
    assert reason in overridden["detail"]

    # Once the council meets about the round, its list is what it votes on: no override
    # adds a nominee it would never vote on.
    meeting = {"about_id": rid, "held_on": "2026-12-01", "place": "Phòng họp"}
    r = Api(server, SPECIALIST).post("/api/v1/meetings", json=meeting)
    assert r.status_code == 201, r.text
    r = Api(server, BOARD_HEAD).post(
        f"/api/v1/rounds/{rid}/opinions/overrides",
        json={"nominee_id": entry["nominee_id"], "reason": reason},
    )
    assert r.status_code == 409 and r.json()["code"] == "round_in_council", r.text

    # Still missing three replies: no submission.
    r = submit(server, rid)
    assert r.status_code == 409 and r.json()["code"] == "opinions_pending"


def test_an_unsigned_letter_is_refused_and_nothing_changes(server, rnd):
    rid = rnd["id"]
    if not opinions(server, rid)["nominees"][0]["replies"]:
        Api(server, SPECIALIST).post(f"/api/v1/rounds/{rid}/opinions/request")
    (item,) = inbox(server, POLICE)
    before = opinions(server, rid)
    events = len(Api(server, SPECIALIST).get(f"/api/v1/rounds/{rid}/history").json())
    r = Api(server, SPECIALIST).post(
        f"/api/v1/opinions/{item['request_id']}/letter",
        data={"opinion": "agree", "note": ""},
        files={"file": ("cong-van.pdf", minutes_pdf(), "application/pdf")},
    )
    assert r.status_code == 422 and r.json()["code"] == "letter_not_signed", r.text
    assert "chưa được ký số" in r.json()["detail"]
    assert opinions(server, rid) == before
    assert len(Api(server, SPECIALIST).get(f"/api/v1/rounds/{rid}/history").json()) == events
    # A unit's clerk cannot upload one either.
    r = Api(server, "bdt.canbo").post(
        f"/api/v1/opinions/{item['request_id']}/letter",
        data={"opinion": "agree"},
        files={"file": ("cong-van.pdf", minutes_pdf(), "application/pdf")},
    )
    assert r.status_code == 404


def test_every_reply_received_lets_the_round_go_on(server, rnd):
    rid = rnd["id"]
    for user in (SOCIAL, ENV, POLICE):
        for item in inbox(server, user):
            if item["can_answer"]:
                r = Api(server, user).post(
                    f"/api/v1/opinions/{item['request_id']}/answer", json={"opinion": "agree"}
                )
                assert r.status_code == 200, r.text
    got = opinions(server, rid, "thanhtra")  # an auditor sees every reply, with its date
    assert got["pending"] == []
    assert all(x["answered_at_vn"] for x in got["nominees"][0]["replies"])
    r = submit(server, rid)
    assert r.status_code == 200, r.text


def test_the_board_specialist_marks_a_nominee_later_and_the_unit_cannot(server, rnd):
    dossier_id = rnd["dossier_list"][0]["id"]
    d = Api(server, SPECIALIST).get(f"/api/v1/dossiers/{dossier_id}").json()
    person = next(n for n in d["nominees"] if n["name"] == "Lò Văn Páo")
    assert person["opinion_category"] is None
    path = f"/api/v1/nominees/{person['id']}/opinion-category"
    r = Api(server, "bdt.canbo").request("PUT", path, json={"category": "enterprise_leader"})
    assert r.status_code == 403
    r = Api(server, SPECIALIST).request("PUT", path, json={"category": "ngan_hang"})
    assert r.status_code == 422
    r = Api(server, SPECIALIST).request("PUT", path, json={"category": "enterprise_leader"})
    assert r.status_code == 200, r.text
    d = Api(server, SPECIALIST).get(f"/api/v1/dossiers/{dossier_id}").json()
    person = next(n for n in d["nominees"] if n["name"] == "Lò Văn Páo")
    assert person["opinion_category"] == "enterprise_leader"
    history = Api(server, SPECIALIST).get(f"/api/v1/dossiers/{dossier_id}/history").json()
    event = next(e for e in history if e["kind"] == "nominee_category_set")
    assert event["label"] == "Ghi loại đối tượng cần lấy ý kiến hiệp y"
