"""Hiệp y seen by the people it concerns, through the real server: when the board asks
the agencies for their opinion, each asked agency's reviewers get a notification and see
the request on their home page (`/hiep-y`); the council's meeting — its page and
`GET /api/v1/meetings/{id}` — shows every agency's reply per nominee (agency, agree or
not, date, reason) and the board head's override with its reason. The UBND's leaders
and the board find the award decisions in their menu (`/quyet-dinh`).

The round is written straight into the server's database (an approved dossier whose
enterprise nominee the appraisal passed): walking a dossier to approval is tested
elsewhere and takes minutes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import httpx
import pytest

from domain.appraisal import Result
from domain.rounds import RoundStatus
from storage.db import Database
from storage.models import (
    AppraisalResult,
    AwardRound,
    Dossier,
    RoundDossier,
)
from storage.repositories import users as users_repo
from tests.fixtures.decisions_seed import waiting_for_signature
from tests.fixtures.modes import no_council_app
from tests.fixtures.server import PASSWORD, Api, AppServer

pytestmark = pytest.mark.slow

CLERK, SPECIALIST, BOARD_HEAD = "bdt.canbo", "ptdkt.chuyenvien", "ptdkt.truongphong"
TAX, SOCIAL = "thue.canbo", "bhxh.canbo"
CHAIRMAN = "ubnd.chutich"
ENTERPRISE = "Công ty TNHH <Chè> & Hồi Xứ Lạng"
ROUND = "Đợt hiệp y thông báo 2026"
NOTE = "Doanh nghiệp chậm nộp thuế quý III <2026>"
OVERRIDE = "Đã nộp đủ tiền thuế chậm nộp ngày 30/11/2026"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    with no_council_app(tmp_path_factory.mktemp("agency-notified")) as srv:
        yield srv


@pytest.fixture(scope="module")
def round_id(server: AppServer) -> int:
    r = Api(server, CLERK).post(
        "/api/v1/dossiers",
        json={
            "year": 2026,
            "award": "bang_khen_ubnd_tinh",
            "nominees": [
                {
                    "kind": "collective",
                    "name": ENTERPRISE,
                    "achievements": "Hoàn thành xuất sắc.",
                    "opinion_category": "enterprise",
                }
            ],
        },
    )
    assert r.status_code == 201, r.text
    dossier_id = int(r.json()["id"])
    db = Database(f"sqlite:///{server.var_dir / 'tdkt.sqlite3'}")
    try:
        with db.write() as s:
            specialist = users_repo.user_by_username(s, SPECIALIST)
            d = s.get(Dossier, dossier_id)
            assert specialist is not None and d is not None
            d.status = "approved"
            rnd = AwardRound(
                authority_id=d.authority_id,
                name=ROUND,
                year=2026,
                kind="thuong_xuyen",
                awards="bang_khen_ubnd_tinh",
                status=str(RoundStatus.OPEN),
                created_by=specialist.id,
            )
            s.add(rnd)
            s.flush()
            s.add(
                RoundDossier(
                    round_id=rnd.id, dossier_id=d.id, position_no=1, added_by=specialist.id
                )
            )
            for n in d.nominees:
                s.add(
                    AppraisalResult(
                        dossier_id=d.id,
                        nominee_id=n.id,
                        result=str(Result.PASSED),
                        recorded_by=specialist.id,
                    )
                )
            return rnd.id
    finally:
        db.dispose()


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


def notices(server: AppServer, username: str) -> list[str]:
    r = Api(server, username).get("/api/v1/notifications")
    assert r.status_code == 200, r.text
    return [n["message"] for n in r.json()]


def test_the_asked_agencies_reviewers_are_notified_and_see_the_request_at_home(server, round_id):
    assert not [m for m in notices(server, TAX) if ROUND in m]
    r = Api(server, SPECIALIST).post(f"/api/v1/rounds/{round_id}/opinions/request")
    assert r.status_code == 200, r.text

    for reviewer in (TAX, SOCIAL):
        (message,) = [m for m in notices(server, reviewer) if ROUND in m]
        assert "xin ý kiến hiệp y về 1 đối tượng" in message, message
    # Nobody else is told: the unit's clerk is not asked anything.
    assert not [m for m in notices(server, CLERK) if "hiệp y" in m]

    # The reviewer's home page is the list of requests to their agency.
    tax = web(server, TAX)
    home = tax.get("/", follow_redirects=True)
    assert home.status_code == 200 and home.url.path == "/hiep-y"
    assert "Công ty TNHH &lt;Chè&gt; &amp; Hồi Xứ Lạng" in home.text
    assert ROUND in home.text
    tax.close()


def test_the_council_sees_every_agency_reply_and_the_override(server, round_id):
    # (after the request of the test above)
    items = Api(server, TAX).get("/api/v1/opinions").json()
    (item,) = [x for x in items if x["round_name"] == ROUND]
    r = Api(server, TAX).post(
        f"/api/v1/opinions/{item['request_id']}/answer", json={"opinion": "disagree", "note": NOTE}
    )
    assert r.status_code == 200, r.text
    social = [x for x in Api(server, SOCIAL).get("/api/v1/opinions").json()]
    (social_item,) = [x for x in social if x["round_name"] == ROUND]
    r = Api(server, SOCIAL).post(
        f"/api/v1/opinions/{social_item['request_id']}/answer", json={"opinion": "agree"}
    )
    assert r.status_code == 200, r.text
    nominee_id = (
        Api(server, SPECIALIST)
        .get(f"/api/v1/rounds/{round_id}/opinions")
        .json()["nominees"][0]["nominee_id"]
    )
    r = Api(server, BOARD_HEAD).post(
        f"/api/v1/rounds/{round_id}/opinions/overrides",
        json={"nominee_id": nominee_id, "reason": OVERRIDE},
    )
    assert r.status_code == 200, r.text

    r = Api(server, SPECIALIST).post(
        "/api/v1/meetings",
        json={
            "about_id": round_id,
            "held_on": date(2026, 12, 10).isoformat(),
            "place": "Phòng họp",
        },
    )
    assert r.status_code == 201, r.text
    meeting_id = r.json()["id"]

    got = Api(server, BOARD_HEAD).get(f"/api/v1/meetings/{meeting_id}").json()
    (entry,) = got["opinions"]
    assert entry["name"] == ENTERPRISE and entry["override_reason"] == OVERRIDE
    replies = {x["agency_name"]: x for x in entry["replies"]}
    tax = replies["Thuế tỉnh Lạng Sơn"]
    assert tax["opinion"] == "disagree" and tax["note"] == NOTE and tax["answered_at_vn"]
    assert replies["Bảo hiểm xã hội tỉnh Lạng Sơn"]["opinion"] == "agree"
    # The agencies not yet answered are there too, as not answered.
    assert replies["Công an tỉnh Lạng Sơn"]["opinion"] is None

    # The meeting's page shows the same to the council.
    head = web(server, BOARD_HEAD)
    page = head.get(f"/hop-hoi-dong/{meeting_id}")
    assert page.status_code == 200, page.text
    section = page.text[page.text.index('id="y-kien-hiep-y"') :]
    assert "Thuế tỉnh Lạng Sơn" in section and "Không đồng ý" in section
    assert "Doanh nghiệp chậm nộp thuế quý III &lt;2026&gt;" in section
    assert tax["answered_at_vn"] in section
    assert f"Lý do: {OVERRIDE}" in section
    head.close()


def test_the_decision_makers_inbox_menu_and_the_decisions_list(server):
    decision_id = waiting_for_signature(server, "Đợt chờ Chủ tịch ký 2026")
    r = Api(server, CHAIRMAN).get("/api/v1/decisions?waiting=true")
    assert [d["id"] for d in r.json()] == [decision_id], r.text

    chairman = web(server, CHAIRMAN)
    home = chairman.get("/")
    assert home.status_code == 200
    assert 'href="/quyet-dinh"' in home.text  # the menu
    inbox = home.text[home.text.index('id="quyet-dinh-cho"') :]
    assert "Quyết định khen thưởng chờ bạn" in inbox and "(1)" in inbox
    assert f'href="/quyet-dinh/{decision_id}"' in inbox
    assert "Đợt chờ Chủ tịch ký 2026" in inbox and "Chờ lãnh đạo UBND tỉnh ký" in inbox
    listing = chairman.get("/quyet-dinh")
    assert listing.status_code == 200 and "<h1>Quyết định khen thưởng</h1>" in listing.text
    assert f'href="/quyet-dinh/{decision_id}"' in listing.text and "Chờ bạn" in listing.text
    chairman.close()
    # The board sees the menu too; a unit does not.
    board = web(server, SPECIALIST)
    assert 'href="/quyet-dinh"' in board.get("/").text
    board.close()
    clerk = web(server, CLERK)
    assert 'href="/quyet-dinh"' not in clerk.get("/").text
    clerk.close()
