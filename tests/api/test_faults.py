"""Faults lose nothing: with the object store gone for a while, a step stays "processing"
(never a false success) and completes by itself once the store is back, with nothing done
twice."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.fixtures.server import PIN, Api, AppServer

pytestmark = pytest.mark.slow

CLERK, HEAD = "bdt.canbo", "bdt.thutruong"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    srv = AppServer(tmp_path_factory.mktemp("faults"), {}).start()
    yield srv
    srv.stop()


def test_object_store_outage_is_ridden_out(server: AppServer):
    clerk, head = Api(server, CLERK), Api(server, HEAD)
    d = clerk.post(
        "/api/v1/dossiers",
        json={
            "year": 2026,
            "nominees": [
                {
                    "kind": "individual",
                    "name": "Hà Thị Mai",
                    "achievements": "Chiến sĩ thi đua cơ sở",
                }
            ],
        },
    ).json()
    clerk.attach(d["id"])  # the Biên bản bình xét the law requires
    assert clerk.act(d["id"], "submit").status_code == 200
    clerk.wait_idle(d["id"])

    objects = server.var_dir / "objects"
    away = server.var_dir / "objects-unmounted"
    objects.rename(away)  # the archive volume disappears
    try:
        r = head.act(d["id"], "approve", signing_pin=PIN)
        # The approver's signature cannot be stored: refused, nothing changed.
        assert r.status_code == 503 and r.json()["code"] == "storage_unavailable", r.text
        assert head.get(f"/api/v1/dossiers/{d['id']}").json()["status"] == "unit_review"
    finally:
        away.rename(objects)
    assert head.act(d["id"], "approve", signing_pin=PIN).status_code == 200
    objects.rename(away)  # gone again while the flow issues the Tờ trình
    try:
        time.sleep(8)
        now = clerk.get(f"/api/v1/dossiers/{d['id']}").json()
        assert now["processing"] and now["allowed_actions"] == []  # no false success
    finally:
        away.rename(objects)
    done = clerk.wait_idle(d["id"], timeout=120)  # re-driven after the outage
    assert done["status"] == "cluster_review"
    docs = clerk.get(f"/api/v1/dossiers/{d['id']}/documents").json()
    issued = [x for x in docs if x["form"] == "to_trinh_don_vi"]
    assert len(issued) == 1 and issued[0]["number"].startswith("01/")
    renditions = [v["rendition"] for v in issued[0]["versions"]]
    assert renditions.count("pdf-signed") == 1 and renditions.count("pdf-personal") == 1
    check = Api(server, "thanhtra").get("/api/v1/audit/verify").json()
    assert check["ok"], check
