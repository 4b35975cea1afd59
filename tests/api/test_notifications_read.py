"""A unit's people see the result in their notifications, through the real server: when
the decision awarding their dossier is issued (uploaded signed), the unit's clerk and head
find «Đã khen thưởng» with the decision's number in `GET /api/v1/notifications`, with a
link to the dossier's page; `?unread=true` lists only the unread; `POST
/api/v1/notifications/read` marks some (`ids`) or all read. Only one's own: another
person's notification is not found (404), through the API and the page `/thong-bao/{id}`,
and nothing is marked then.

The round and the draft decision are written straight into the server's database; the
decision's upload and its awards are the real ones."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.fixtures.decisions_seed import awarded_by_upload
from tests.fixtures.modes import no_council_app
from tests.fixtures.server import PASSWORD, Api, AppServer

pytestmark = pytest.mark.slow

CLERK, HEAD, OTHER = "bdt.canbo", "bdt.thutruong", "lmhtx.canbo"
NUMBER = "2041/QĐ-UBND"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    with no_council_app(tmp_path_factory.mktemp("notifications-read")) as srv:
        yield srv


@pytest.fixture(scope="module")
def awarded(server: AppServer) -> dict[str, int]:
    return awarded_by_upload(server, "Hồ sơ khen thưởng Ban Dân tộc 2026", NUMBER)


def listed(server: AppServer, username: str, **params: Any) -> list[dict[str, Any]]:
    r = Api(server, username).get("/api/v1/notifications", params=params)
    assert r.status_code == 200, r.text
    return list(r.json())


def award_notice(server: AppServer, username: str, dossier_id: int) -> dict[str, Any]:
    found = [
        n
        for n in listed(server, username)
        if n["subject_kind"] == "dossier" and n["subject_id"] == dossier_id
    ]
    assert len(found) == 1, found
    return found[0]


def web(server: AppServer, username: str) -> httpx.Client:
    """A browser-like client signed in through the sign-in form."""
    client = httpx.Client(base_url=server.base, timeout=60)
    page = client.get("/dang-nhap")
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text
    r = client.post(
        "/dang-nhap",
        data={"username": username, "password": PASSWORD, "csrf": found[1], "tiep": "/"},
    )
    assert r.status_code == 303, r.text
    return client


def test_the_unit_sees_the_award_and_marks_it_read(server, awarded):
    dossier_id = awarded["dossier"]
    for person in (CLERK, HEAD):
        n = award_notice(server, person, dossier_id)
        assert "Đã khen thưởng" in n["message"] and NUMBER in n["message"], n
        assert n["link"] == f"/ho-so/{dossier_id}" and n["read"] is False, n
        assert n["id"] in [u["id"] for u in listed(server, person, unread="true")]
    clerk = Api(server, CLERK)
    before = len(listed(server, CLERK, unread="true"))

    notice = award_notice(server, CLERK, dossier_id)
    r = clerk.post("/api/v1/notifications/read", json={"ids": [notice["id"]]})
    assert r.status_code == 200, r.text
    assert r.json() == {"marked": 1, "unread": before - 1}
    assert award_notice(server, CLERK, dossier_id)["read"] is True
    assert notice["id"] not in [u["id"] for u in listed(server, CLERK, unread="true")]
    # Marking it again marks nothing; the head's copy of the news is still unread.
    r = clerk.post("/api/v1/notifications/read", json={"ids": [notice["id"]]})
    assert r.json() == {"marked": 0, "unread": before - 1}
    assert award_notice(server, HEAD, dossier_id)["read"] is False

    # All of them, without a body.
    head_unread = len(listed(server, HEAD, unread="true"))
    r = Api(server, HEAD).post("/api/v1/notifications/read")
    assert r.status_code == 200, r.text
    assert r.json() == {"marked": head_unread, "unread": 0}
    assert listed(server, HEAD, unread="true") == []
    assert award_notice(server, HEAD, dossier_id)["read"] is True


def test_another_persons_notification_is_not_found(server):
    # A dossier of its own: its notices unread, whatever the test above marked.
    dossier_id = awarded_by_upload(server, "Hồ sơ thứ hai của Ban Dân tộc", "2042/QĐ-UBND")[
        "dossier"
    ]
    mine = award_notice(server, CLERK, dossier_id)
    assert mine["read"] is False
    assert all(n["subject_id"] != dossier_id for n in listed(server, OTHER)), "sees the unit's"
    r = Api(server, OTHER).post("/api/v1/notifications/read", json={"ids": [mine["id"]]})
    assert r.status_code == 404, r.text
    assert r.json()["code"] == "notification_not_found"

    # One's own with someone else's: refused as a whole, nothing marked.
    own = listed(server, OTHER)
    others = award_notice(server, HEAD, dossier_id)
    before = [n["read"] for n in listed(server, CLERK)]
    r = Api(server, CLERK).post(
        "/api/v1/notifications/read", json={"ids": [mine["id"], others["id"]]}
    )
    assert r.status_code == 404 and r.json()["code"] == "notification_not_found", r.text
    assert [n["read"] for n in listed(server, CLERK)] == before
    assert listed(server, OTHER) == own

    # The page's link: another person's is not found, their own leads to the dossier.
    other, clerk = web(server, OTHER), web(server, CLERK)
    try:
        r = other.get(f"/thong-bao/{mine['id']}")
        assert r.status_code == 404 and "Không tìm thấy thông báo." in r.text
        assert [n["read"] for n in listed(server, CLERK)] == before
        r = clerk.get(f"/thong-bao/{mine['id']}")
        assert r.status_code == 303 and r.headers["location"] == f"/ho-so/{dossier_id}"
    finally:
        other.close()
        clerk.close()
    assert award_notice(server, CLERK, dossier_id)["read"] is True
    r = Api(server, CLERK).post("/api/v1/notifications/read", json={"foo": 1})
    assert r.status_code == 422, r.text
