"""A cluster's year over the HTTP API of the real server: its members as the dated
membership says, its head and deputy units, and who may see it — the board every
cluster's, a member unit its own, a unit of another cluster nothing (404)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from storage.db import Database
from storage.models import Cluster
from tests.fixtures.server import Api, AppServer

pytestmark = pytest.mark.slow

YEAR = 2026


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    srv = AppServer(tmp_path_factory.mktemp("cluster-year"), {}).start()
    yield srv
    srv.stop()


def cluster_id(server: AppServer, code: str) -> int:
    d = Database(f"sqlite:///{server.var_dir / 'tdkt.sqlite3'}")
    with d.read() as s:
        found = s.scalar(select(Cluster.id).where(Cluster.code == code))
    d.dispose()
    assert found is not None
    return found


def test_members_and_posts_of_the_year(server: AppServer) -> None:
    cum1 = cluster_id(server, "CUM1-QLCN")
    r = Api(server, "ptdkt.chuyenvien").get(f"/api/v1/clusters/{cum1}/years/{YEAR}")
    assert r.status_code == 200, r.text
    body = r.json()
    codes = [m["code"] for m in body["members"]]
    assert codes == ["LMHTX", "BQLKKT", "VPDPNTM", "BDT", "BQLDA"]
    posts = {m["code"]: m["post"] for m in body["members"]}
    assert posts["BQLKKT"] == "head" and posts["VPDPNTM"] == "deputy" and posts["BDT"] is None
    assert body["board"] is True and body["runs"] is False


def test_a_member_sees_its_cluster_and_another_cluster_does_not(server: AppServer) -> None:
    cum1 = cluster_id(server, "CUM1-QLCN")
    mine = Api(server, "bdt.canbo").get(f"/api/v1/clusters/{cum1}/years/{YEAR}")
    assert mine.status_code == 200 and mine.json()["member_units"]
    lead = Api(server, "bqlkkt.cum").get(f"/api/v1/clusters/{cum1}/years/{YEAR}")
    assert lead.status_code == 200 and lead.json()["runs"] is True
    other = Api(server, "vnptls.canbo").get(f"/api/v1/clusters/{cum1}/years/{YEAR}")
    assert other.status_code == 404
    assert other.json()["code"] == "cluster_not_found"
