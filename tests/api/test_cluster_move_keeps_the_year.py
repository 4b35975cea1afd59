"""A unit moved to another cluster by a new division decision leaves its year with the old
one: Ban Dân tộc tỉnh registers and scores in Cụm I's 2026; a decision moves it to Cụm I –
Các doanh nghiệp Trung ương from 01/01/2027. Cụm I's 2026 year still holds its
registration, its sheet and its place in the ranking (and its progress), which its people
still see; the new cluster's 2026 year knows nothing of it; Cụm I's 2027 year is not its
business any more (404), while the new cluster's 2027 year is."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fixtures.cluster_year import YEAR, issue_plan
from tests.fixtures.server import Api, AppServer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    srv = AppServer(tmp_path_factory.mktemp("cluster-move"), {}).start()
    yield srv
    srv.stop()


def test_a_moved_unit_leaves_its_registration_and_scores_with_the_old_cluster(
    server: AppServer,
) -> None:
    ids = issue_plan(server, deadline_in_days=10)
    cum1, bdt = ids["cluster"], ids["units"]["BDT"]
    base = f"/api/v1/clusters/{cum1}/years/{YEAR}"
    clerk = Api(server, "bdt.canbo")
    r = clerk.request(
        "PUT",
        f"{base}/registrations/{bdt}",
        json={"items": [{"kind": "collective", "award": "tap_the_lao_dong_xuat_sac"}]},
    )
    assert r.status_code == 200, r.text
    r = clerk.request(
        "PUT",
        f"{base}/scores/midyear/{bdt}",
        json={
            "scores": [
                {"criterion_id": c, "points": p, "evidence": "Báo cáo"}
                for c, p in zip(ids["criteria"], ["29", "18", "9"], strict=True)
            ]
        },
    )
    assert r.status_code == 200, r.text
    assert clerk.post(f"{base}/scores/midyear/{bdt}/submit").status_code == 200

    admin = Api(server, "admin")
    other = next(
        c["id"]
        for c in admin.get("/api/v1/clusters", params={"on": "2026-12-31"}).json()
        if c["code"] == "CUM1-DNTW"
    )
    r = admin.post(
        "/api/v1/cluster-divisions",
        json={
            "number": "88/QĐ-UBND",
            "signed_on": "2026-12-01",
            "effective_from": "2027-01-01",
            "title": "Điều chỉnh cụm thi đua năm 2027",
            "note": "",
            "changes": [{"op": "move", "unit_id": bdt, "to_cluster_id": other}],
        },
    )
    assert r.status_code == 201, r.text

    head, board = Api(server, "bqlkkt.cum"), Api(server, "ptdkt.chuyenvien")
    for api in (head, board, clerk):
        regs = api.get(f"{base}/registrations").json()["registrations"]
        assert bdt in [x["unit_id"] for x in regs]
        ranking = api.get(f"{base}/scores", params={"period": "midyear"}).json()["ranking"]
        mine = next(x for x in ranking if x["unit_id"] == bdt)
        assert mine["rank"] == 1 and mine["submitted"] is True
    progress = head.get(f"{base}/progress").json()
    bdt_row = next(m for m in progress["members"] if m["unit_id"] == bdt)
    assert {s["step"]: s["mark"] for s in bdt_row["steps"]}["midyear"] == "done"

    moved_to = f"/api/v1/clusters/{other}/years/{YEAR}"
    assert bdt not in [
        x["unit_id"] for x in board.get(f"{moved_to}/registrations").json()["registrations"]
    ]
    assert bdt not in [
        x["unit_id"]
        for x in board.get(f"{moved_to}/scores", params={"period": "midyear"}).json()["ranking"]
    ]

    gone = clerk.get(f"/api/v1/clusters/{cum1}/years/2027")
    assert gone.status_code == 404 and gone.json()["code"] == "cluster_not_found"
    r = clerk.request(
        "PUT",
        f"/api/v1/clusters/{cum1}/years/2027/registrations/{bdt}",
        json={"items": [{"kind": "collective", "award": "tap_the_lao_dong_xuat_sac"}]},
    )
    assert r.status_code == 404
    assert clerk.get(f"/api/v1/clusters/{other}/years/2027").status_code == 200
