"""Dossiers wait for the cluster's vote (issue 21, item 1), over the HTTP API of the real
server. Cụm I runs its 2026 here (its Kế hoạch issued): the collective Bằng khen and the
Cờ thi đua of its member units, once their unit heads approve them, wait at the cluster
in «Chờ Cụm bình xét» instead of being forwarded one by one; the cluster approver cannot
approve one alone (409 awaiting_cluster_vote) but can still return one for supplement;
an individual's Bằng khen keeps today's route. At the vote's close each waiting dossier
moves by its outcome: the Bằng khen candidate who passed and the Cờ of the elected
leading member to «Cụm đã bình xét», the one who failed back to its unit with the tally
as the reason (its Thông báo issued by the flow). A cluster that keeps its year on paper
(no plan issued: Cụm II) sends the same awards on today's route."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from storage.models import AuditEvent, Cluster, Unit, User
from tests.fixtures.cluster_year import db, issue_plan
from tests.fixtures.route import walk_to
from tests.fixtures.server import PIN, Api, AppServer

pytestmark = pytest.mark.slow

YEAR = 2026
CHAIR = "bqlkkt.cum"
VOTERS = ("LMHTX", "BQLKKT", "VPDPNTM", "BDT")  # BQLDA absent
SECRETARY = "bqlkkt.canbo"


def _user(server: AppServer, username: str) -> int:
    d = db(server)
    with d.read() as s:
        found = s.scalar(select(User.id).where(User.username == username))
    d.dispose()
    assert found is not None
    return found


def _ids(server: AppServer) -> tuple[int, dict[str, int]]:
    d = db(server)
    with d.read() as s:
        cluster = s.scalar(select(Cluster.id).where(Cluster.code == "CUM1-QLCN"))
        units = {u.code: u.id for u in s.scalars(select(Unit))}
    d.dispose()
    assert cluster is not None
    return cluster, units


def _dossier(server: AppServer, unit: str, award: str, kind: str = "collective") -> int:
    clerk = Api(server, f"{unit}.canbo")
    name = f"Tập thể {unit.upper()}" if kind == "collective" else f"Nguyễn Văn {unit.upper()}"
    r = clerk.post(
        "/api/v1/dossiers",
        json={
            "year": YEAR,
            "award": award,
            "nominees": [
                {
                    "kind": kind,
                    "name": name,
                    "achievements": 'Hoàn thành xuất sắc nhiệm vụ năm 2026 <"A"> & {{ x }}.',
                }
            ],
        },
    )
    assert r.status_code == 201, r.text
    did = int(r.json()["id"])
    if award == "bang_khen_ubnd_tinh":
        clerk.attach(did)
    return did


def _to_cluster(server: AppServer, did: int, unit: str) -> dict[str, Any]:
    clerk, head = Api(server, f"{unit}.canbo"), Api(server, f"{unit}.thutruong")
    clerk.wait_idle(did)
    assert clerk.act(did, "submit").status_code == 200
    clerk.wait_idle(did)
    r = head.act(did, "approve", signing_pin=PIN)
    assert r.status_code == 200, r.text
    return clerk.wait_idle(did)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    srv = AppServer(tmp_path_factory.mktemp("cluster-vote-route"), {}).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def story(server: AppServer) -> dict[str, Any]:
    issue_plan(server, 30)
    cluster, units = _ids(server)
    out: dict[str, Any] = {"units": units}
    ids = {
        "bdt": _dossier(server, "bdt", "bang_khen_ubnd_tinh"),
        "lmhtx": _dossier(server, "lmhtx", "bang_khen_ubnd_tinh"),
        "vpdpntm_flag": _dossier(server, "vpdpntm", "co_thi_dua_ubnd_tinh"),
        "bqlda": _dossier(server, "bqlda", "bang_khen_ubnd_tinh"),
        "bdt_person": _dossier(server, "bdt", "bang_khen_ubnd_tinh", "individual"),
    }
    out["ids"] = ids
    unit_of = {"bdt": "bdt", "lmhtx": "lmhtx", "vpdpntm_flag": "vpdpntm", "bqlda": "bqlda"}
    out["arrived"] = {k: _to_cluster(server, ids[k], u) for k, u in unit_of.items()}
    out["arrived"]["bdt_person"] = walk_to(server, ids["bdt_person"], "cluster_review")
    cluster_api = Api(server, CHAIR)
    out["approve_alone"] = cluster_api.act(ids["bdt"], "approve", signing_pin=PIN)
    out["actions_at_cluster"] = cluster_api.get(f"/api/v1/dossiers/{ids['bdt']}").json()
    r = cluster_api.act(ids["bqlda"], "return", reason="Bổ sung số liệu năm 2026 <đủ> & đúng.")
    assert r.status_code == 200, r.text
    out["returned_by_hand"] = Api(server, "bqlda.canbo").wait_idle(ids["bqlda"])

    base = f"/api/v1/clusters/{cluster}/years/{YEAR}/vote"
    created = cluster_api.post(base, json={"held_on": "2026-12-20", "place": "Hội trường"})
    assert created.status_code == 201, created.text
    mid = created.json()["id"]
    out["questions"] = created.json()["questions"]
    r = cluster_api.request(
        "PUT",
        f"/api/v1/meetings/{mid}/vote/attendance",
        json={"present_unit_ids": [units[u] for u in VOTERS]},
    )
    assert r.status_code == 200, r.text
    r = cluster_api.request(
        "PUT", f"/api/v1/meetings/{mid}/vote/secretary", json={"user_id": _user(server, SECRETARY)}
    )
    assert r.status_code == 200, r.text
    assert cluster_api.post(f"/api/v1/meetings/{mid}/vote/open").status_code == 200
    by_key = {q["key"]: q["id"] for q in out["questions"]}

    def paper(unit: str) -> list[dict[str, Any]]:
        # Leader: VPDPNTM 4; Bằng khen: BDT 4 agree, LMHTX 2 of 5 (fails); head BQLKKT,
        # deputy VPDPNTM.
        return [
            {"question_id": by_key[-1], "choice": str(units["VPDPNTM"])},
            {"question_id": by_key[ids["bdt"]], "choice": "dong_y"},
            {
                "question_id": by_key[ids["lmhtx"]],
                "choice": "dong_y" if unit in ("LMHTX", "BDT") else "khong_dong_y",
            },
            {"question_id": by_key[-2], "choice": str(units["BQLKKT"])},
            {"question_id": by_key[-3], "choice": str(units["VPDPNTM"])},
        ]

    for unit in VOTERS:
        r = Api(server, f"{unit.lower()}.thutruong").post(
            f"/api/v1/meetings/{mid}/ballots", json={"choices": paper(unit)}
        )
        assert r.status_code == 201, r.text
    closed = cluster_api.post(f"/api/v1/meetings/{mid}/vote/close")
    assert closed.status_code == 200, closed.text
    out["closed"] = closed.json()
    out["after"] = {
        k: Api(server, f"{u}.canbo").wait_idle(ids[k])
        for k, u in (("bdt", "bdt"), ("lmhtx", "lmhtx"), ("vpdpntm_flag", "vpdpntm"))
    }
    out["mid"] = mid
    return out


def test_voted_awards_wait_for_the_vote_others_keep_the_route(story: dict[str, Any]) -> None:
    arrived = story["arrived"]
    for key in ("bdt", "lmhtx", "vpdpntm_flag", "bqlda"):
        assert arrived[key]["status"] == "cluster_vote", key
        assert arrived[key]["status_label"] == "Chờ Cụm bình xét"
    # An individual's Bằng khen: one approval at the cluster, as before.
    assert arrived["bdt_person"]["status"] == "cluster_review"


def test_the_cluster_cannot_approve_a_waiting_dossier_alone(story: dict[str, Any]) -> None:
    r = story["approve_alone"]
    assert r.status_code == 409
    assert r.json()["code"] == "awaiting_cluster_vote"
    assert "bình xét" in r.json()["detail"]
    assert "return" in story["actions_at_cluster"]["allowed_actions"]
    assert "approve" not in story["actions_at_cluster"]["allowed_actions"]
    returned = story["returned_by_hand"]
    assert returned["status"] == "returned"


def test_the_vote_asks_about_each_bang_khen_and_decides_the_flag_by_the_leader(
    story: dict[str, Any],
) -> None:
    keys = [q["key"] for q in story["questions"]]
    ids = story["ids"]
    assert ids["bdt"] in keys and ids["lmhtx"] in keys
    assert ids["vpdpntm_flag"] not in keys  # the leading member's question decides it
    assert ids["bqlda"] not in keys  # returned before the vote
    text = next(q["text"] for q in story["questions"] if q["key"] == ids["bdt"])
    assert "Tập thể BDT" in text


def test_the_close_moves_each_dossier_by_its_outcome(
    server: AppServer, story: dict[str, Any]
) -> None:
    after = story["after"]
    assert after["bdt"]["status"] == "cluster_voted"
    assert after["bdt"]["status_label"] == "Cụm đã bình xét, chờ Tờ trình của Cụm"
    assert after["vpdpntm_flag"]["status"] == "cluster_voted"
    lmhtx = after["lmhtx"]
    assert lmhtx["status"] == "returned"
    settled = {x["dossier_id"]: x for x in story["closed"]["dossiers"]}
    assert settled[story["ids"]["lmhtx"]]["outcome"] == "returned"
    assert settled[story["ids"]["bdt"]]["outcome"] == "passed"
    # The unit reads why in its dossier's history, with the counts and the rule.
    history = Api(server, "lmhtx.canbo").get(f"/api/v1/dossiers/{story['ids']['lmhtx']}/history")
    assert history.status_code == 200, history.text
    text = history.text
    assert "đồng ý 2/5 thành viên Cụm" in text
    assert "trên 50% tổng số thành viên Cụm" in text
    # The flow issued the Thông báo of the return, as for a return by hand.
    docs = Api(server, "lmhtx.canbo").get(f"/api/v1/dossiers/{story['ids']['lmhtx']}/documents")
    assert docs.status_code == 200, docs.text
    assert any(x["form"] == "thong_bao" for x in docs.json()), docs.json()


def test_each_move_is_an_event_of_the_dossier_in_the_chairs_name(
    server: AppServer, story: dict[str, Any]
) -> None:
    d = db(server)
    with d.read() as s:
        events = s.scalars(
            select(AuditEvent).where(AuditEvent.dossier_id.in_(list(story["ids"].values())))
        ).all()
    d.dispose()
    by_vote = [e for e in events if (e.data or {}).get("by_meeting_id") == story["mid"]]
    moves = {(e.dossier_id, e.kind, e.to_status) for e in by_vote}
    ids = story["ids"]
    assert moves == {
        (ids["bdt"], "approve", "cluster_voted"),
        (ids["vpdpntm_flag"], "approve", "cluster_voted"),
        (ids["lmhtx"], "return", "returned"),
    }
    assert {e.actor_role for e in by_vote} == {"cluster_approver"}


def test_a_cluster_without_a_plan_here_keeps_todays_route(server: AppServer) -> None:
    # VNPT Lạng Sơn is in another cluster, whose 2026 plan was never issued here.
    did = _dossier(server, "vnptls", "bang_khen_ubnd_tinh")
    d = _to_cluster(server, did, "vnptls")
    assert d["status"] == "cluster_review"
