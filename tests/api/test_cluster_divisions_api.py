"""Division decisions over the HTTP API of the real server: the admin records a decision
moving Ban Dân tộc tỉnh out of Cụm I from 01/01/2027; the clusters on 31/12/2026 still
hold it, those of 02/01/2027 do not; its 2026 dossier and Cụm I's 2026 year stay with
Cụm I, Cụm I's 2027 year is no longer its business (404). Only the admin records; bad
decisions are refused with a stable code; text comes back as typed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from storage.db import Database
from storage.models import AuditEvent, Cluster, Notification, Unit, User
from tests.fixtures.server import Api, AppServer

pytestmark = pytest.mark.slow

TEXT = 'Về việc <điều chỉnh> cụm & khối "thi đua" {{ năm }} – Đồng Đăng'


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    srv = AppServer(tmp_path_factory.mktemp("cluster-divisions"), {}).start()
    yield srv
    srv.stop()


def ids(server: AppServer) -> dict[str, int]:
    d = Database(f"sqlite:///{server.var_dir / 'tdkt.sqlite3'}")
    with d.read() as s:
        out = {c.code: c.id for c in s.scalars(select(Cluster))}
        out |= {u.code: u.id for u in s.scalars(select(Unit))}
    d.dispose()
    return out


def members(api: Api, on: str) -> dict[str, list[str]]:
    r = api.get("/api/v1/clusters", params={"on": on})
    assert r.status_code == 200, r.text
    return {c["code"]: [m["code"] for m in c["members"]] for c in r.json()}


def test_demo_history_the_border_districts_cluster_ended_with_the_district_level(
    server: AppServer,
) -> None:
    board = Api(server, "ptdkt.chuyenvien")
    before = members(board, "2025-06-30")
    assert before["CUM-5HBG"] == ["VANLANG", "DINHLAP", "TRANGDINH", "CAOLOC", "LOCBINH"]
    assert "CUM-5HBG" not in members(board, "2025-07-01")
    decisions = board.get("/api/v1/cluster-divisions").json()
    demo = [d for d in decisions if d["effective_from"] == "2025-07-01"]
    assert demo and "dữ liệu mẫu" in demo[0]["number"]
    assert [c["name"] for c in demo[0]["clusters_ended"]] == ["Cụm thi đua 5 huyện biên giới"]
    assert len(demo[0]["changes"]) == 5 and all(c["after"] is None for c in demo[0]["changes"])
    # In force since 2025: the districts' "today's cluster" is none any more.
    d = Database(f"sqlite:///{server.var_dir / 'tdkt.sqlite3'}")
    with d.read() as s:
        assert s.scalar(select(Unit.cluster_id).where(Unit.code == "VANLANG")) is None
    d.dispose()


def test_moving_a_unit_leaves_its_past_with_the_old_cluster(server: AppServer) -> None:
    k = ids(server)
    cum1, other = k["CUM1-QLCN"], k["CUM1-DNTW"]
    clerk, admin = Api(server, "bdt.canbo"), Api(server, "admin")
    # A dossier of 2026, made before the decision, is Cụm I's.
    r = clerk.post(
        "/api/v1/dossiers",
        json={
            "year": 2026,
            "award": "bang_khen_ubnd_tinh",
            "nominees": [{"kind": "individual", "name": "Nông Thị Hoa", "achievements": "Tốt."}],
        },
    )
    assert r.status_code == 201, r.text
    dossier_id = r.json()["id"]
    assert r.json()["cluster_id"] == cum1

    r = admin.post(
        "/api/v1/cluster-divisions",
        json={
            "number": "1234/QĐ-UBND",
            "signed_on": "2026-12-01",
            "effective_from": "2027-01-01",
            "title": TEXT,
            "note": TEXT,
            "changes": [{"op": "move", "unit_id": k["BDT"], "to_cluster_id": other}],
        },
    )
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["title"] == TEXT and out["note"] == TEXT
    assert out["changes"] == [
        {
            "unit_id": k["BDT"],
            "unit_name": "Ban Dân tộc tỉnh",
            "before": {"id": cum1, "name": "Cụm I – Các cơ quan Quản lý chuyên ngành"},
            "after": {"id": other, "name": "Cụm I – Các doanh nghiệp Trung ương"},
        }
    ]
    listed = admin.get("/api/v1/cluster-divisions").json()
    assert listed[0]["id"] == out["id"] and listed[0]["title"] == TEXT  # newest first

    board = Api(server, "ptdkt.chuyenvien")
    assert "BDT" in members(board, "2026-12-31")["CUM1-QLCN"]
    on_2027 = members(board, "2027-01-02")
    assert "BDT" not in on_2027["CUM1-QLCN"] and "BDT" in on_2027["CUM1-DNTW"]
    r = board.get(f"/api/v1/clusters/{other}/members", params={"on": "2027-01-02"})
    bdt = next(m for m in r.json()["members"] if m["code"] == "BDT")
    assert bdt["since"] == "2027-01-01" and bdt["division_number"] == "1234/QĐ-UBND"

    # Today's cluster is still Cụm I (the decision takes effect later): the dossier
    # keeps it, and a dossier made now is Cụm I's too.
    assert clerk.get(f"/api/v1/dossiers/{dossier_id}").json()["cluster_id"] == cum1
    # The 2026 year of Cụm I lists BDT; its 2027 year does not, and is not BDT's to see.
    y2026 = board.get(f"/api/v1/clusters/{cum1}/years/2026").json()
    assert "BDT" in [m["code"] for m in y2026["members"]]
    y2027 = board.get(f"/api/v1/clusters/{cum1}/years/2027").json()
    assert "BDT" not in [m["code"] for m in y2027["members"]]
    assert clerk.get(f"/api/v1/clusters/{cum1}/years/2026").status_code == 200
    gone = clerk.get(f"/api/v1/clusters/{cum1}/years/2027")
    assert gone.status_code == 404 and gone.json()["code"] == "cluster_not_found"
    assert clerk.get(f"/api/v1/clusters/{other}/years/2027").status_code == 200

    # A unit's people see their own cluster only, on the day asked.
    assert list(members(clerk, "2026-12-31")) == ["CUM1-QLCN"]
    assert list(members(clerk, "2027-01-02")) == ["CUM1-DNTW"]
    hidden = clerk.get(f"/api/v1/clusters/{k['CUM1-DNTW']}/members", params={"on": "2026-12-31"})
    assert hidden.status_code == 404

    # The audit event, and the notices to BDT's clerk and the head units' approvers.
    d = Database(f"sqlite:///{server.var_dir / 'tdkt.sqlite3'}")
    with d.read() as s:
        ev = s.scalars(
            select(AuditEvent).where(AuditEvent.kind == "cluster_division_recorded")
        ).all()[-1]
        assert ev.data["number"] == "1234/QĐ-UBND" and ev.data["title"] == TEXT
        assert ev.data["changes"][0]["unit"] == "Ban Dân tộc tỉnh"
        # Effective later: today's cluster of BDT is still Cụm I.
        assert s.scalar(select(Unit.cluster_id).where(Unit.code == "BDT")) == cum1
        told = {
            s.get(User, n.user_id).username: n.message  # type: ignore[union-attr]
            for n in s.scalars(select(Notification).where(Notification.transition_seq < 0))
        }
    d.dispose()
    assert "1234/QĐ-UBND" in told["bdt.canbo"] and "Ban Dân tộc tỉnh" in told["bdt.canbo"]
    # Neither cluster has its 2027 head unit yet: those leading in 2026 are told.
    assert "Cụm I – Các cơ quan Quản lý chuyên ngành" in told["bqlkkt.cum"]
    assert "Cụm I – Các doanh nghiệp Trung ương" in told["bdls.cum"]
    assert "vnptls.canbo" not in told
    notices = clerk.get("/api/v1/notifications").json()
    notice = next(n for n in notices if "1234/QĐ-UBND" in n["message"])
    assert notice["link"] == f"/cum-thi-dua/nam/{notice['subject_id']}"


def test_only_the_admin_records_and_bad_decisions_are_refused(server: AppServer) -> None:
    k = ids(server)
    body = {
        "number": "99/QĐ-UBND",
        "signed_on": "2027-01-05",
        "effective_from": "2027-02-01",
        "changes": [{"op": "copy"}],
    }
    for who in ("ptdkt.truongphong", "bdt.canbo", "thanhtra"):
        r = Api(server, who).post("/api/v1/cluster-divisions", json=body)
        assert r.status_code == 403 and r.json()["code"] == "admin_only", who
    admin = Api(server, "admin")
    bad = [
        ({"number": "  "}, "division_number_required"),
        ({"effective_from": "2026-12-31"}, "division_before_latest"),
        (
            {"changes": [{"op": "move", "unit_id": 99999, "to_cluster_id": k["CUM1-QLCN"]}]},
            "division_unknown_unit",
        ),
        (
            {"changes": [{"op": "move", "unit_id": k["BQLDA"], "to_cluster_id": 99999}]},
            "division_unknown_cluster",
        ),
        (
            {"changes": [{"op": "move", "unit_id": k["BQLDA"], "to_cluster_id": k["CUM-5HBG"]}]},
            "division_unknown_cluster",
        ),
        (
            {
                "changes": [
                    {"op": "move", "unit_id": k["BQLDA"], "to_cluster_id": k["CUM1-DNTW"]},
                    {
                        "op": "create",
                        "unit_ids": [k["BQLDA"]],
                        "new_cluster": {"code": "CUM-MOI", "name": "Cụm mới"},
                    },
                ]
            },
            "division_unit_in_two_clusters",
        ),
        ({"changes": []}, "division_no_operations"),
    ]
    for change, code in bad:
        r = admin.post("/api/v1/cluster-divisions", json={**body, **change})
        assert r.status_code == 422, (code, r.text)
        assert r.json()["code"] == code
    # Nothing of the refused ones was recorded.
    numbers = [d["number"] for d in admin.get("/api/v1/cluster-divisions").json()]
    assert "99/QĐ-UBND" not in numbers and "  " not in numbers
