"""Deadlines per step through the HTTP API and the pages of the real server: a dossier
that reached the board's appraisal on Friday 13/02/2026 (moved there in the database, as
time would) is due on Friday 20/03/2026 across Tết Bính Ngọ and shows «Quá hạn»; the
administrator's make-up working day moves it to 19/03 and removing it moves it back
(both audited); the inbox puts it before a dossier that arrived today; appraised late,
the history says «chậm N ngày làm việc»; the admin page of the calendar lists the days
off and takes an announced day."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import date, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from domain.calendar import add_working_days, working_days_between
from tests.fixtures.modes import no_council_app
from tests.fixtures.route import walk_to
from tests.fixtures.server import PASSWORD, Api, AppServer

pytestmark = pytest.mark.slow

SPECIALIST, ADMIN = "ptdkt.chuyenvien", "admin"
AWARD = "bang_khen_ubnd_tinh"
VIETNAM = timezone(timedelta(hours=7))


def today_vn() -> date:
    return datetime.now(VIETNAM).date()


def make(server: AppServer, unit: str, name: str) -> int:
    clerk = Api(server, f"{unit}.canbo")
    r = clerk.post(
        "/api/v1/dossiers",
        json={
            "year": 2026,
            "award": AWARD,
            "nominees": [{"kind": "individual", "name": name, "achievements": "Hoàn thành."}],
        },
    )
    assert r.status_code == 201, r.text
    clerk.attach(r.json()["id"])
    return int(r.json()["id"])


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


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html
    return found[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    with no_council_app(tmp_path_factory.mktemp("deadlines")) as srv:
        yield srv


@pytest.fixture(scope="module")
def at_board(server: AppServer) -> dict[str, Any]:
    """Two dossiers waiting for the board's appraisal: `old` arrived on 13/02/2026 at
    09:00 in Việt Nam (02:00 UTC), `new` today."""
    old = make(server, "bdt", "Lò Văn Páo")
    new = make(server, "lmhtx", "Nông Văn Khánh")
    assert walk_to(server, old, "board_appraisal")["status"] == "board_appraisal"
    assert walk_to(server, new, "board_appraisal", unit="lmhtx")["status"] == "board_appraisal"
    with sqlite3.connect(server.var_dir / "tdkt.sqlite3", timeout=60) as db:
        # Its earlier steps on Thursday 12/02, the cluster's approval on Friday 13/02.
        db.execute(
            "update dossier_transitions set created_at = '2026-02-12 02:00:00.000000' "
            "where dossier_id = ?",
            (old,),
        )
        changed = db.execute(
            "update dossier_transitions set created_at = '2026-02-13 02:00:00.000000' "
            "where dossier_id = ? and seq = (select transition_seq from dossiers where id = ?)",
            (old, old),
        ).rowcount
    assert changed == 1
    return {"old": old, "new": new}


def deadline(server: AppServer, dossier_id: int) -> dict[str, Any]:
    r = Api(server, SPECIALIST).get(f"/api/v1/dossiers/{dossier_id}")
    assert r.status_code == 200, r.text
    return dict(r.json()["deadline"] or {})


def test_the_due_date_across_tet_2026_and_an_administrators_make_up_day(server, at_board):
    # 20 working days after Friday 13/02/2026: Tết off Sat 14–Sun 22/02; 23–27/02 (5),
    # 02–06/03 (10), 09–13/03 (15), 16–20/03 (20): Friday 20/03/2026. Long past: overdue.
    due = deadline(server, at_board["old"])
    assert due["due_date"] == "2026-03-20"
    assert (due["state"], due["state_label"]) == ("overdue", "Quá hạn")
    assert due["working_days_left"] == -working_days_between(date(2026, 3, 20), today_vn())
    assert due["rule"].startswith("20 ngày làm việc") and not due["confirmed"]
    assert "chưa xác nhận" in due["basis"]
    fresh = deadline(server, at_board["new"])
    assert fresh["due_date"] == add_working_days(today_vn(), 20).isoformat()
    assert fresh["state"] == "on_time" and fresh["working_days_left"] == 20

    # Only the administrator enters a day; Saturday 07/03/2026 made a working day pulls
    # the due date to Thursday 19/03; removing the entry puts it back.
    day = {"day": "2026-03-07", "kind": "work", "note": "Làm bù", "basis": "TB 1/TB-UBND"}
    r = Api(server, SPECIALIST).post("/api/v1/calendar/days", json=day)
    assert r.status_code == 403 and r.json()["code"] == "admin_only"
    r = Api(server, ADMIN).post("/api/v1/calendar/days", json=day)
    assert r.status_code == 201 and r.json()["basis"] == "TB 1/TB-UBND", r.text
    assert deadline(server, at_board["old"])["due_date"] == "2026-03-19"
    r = Api(server, SPECIALIST).get("/api/v1/calendar/due", params={"date": "2026-02-13", "n": 20})
    assert r.json()["due"] == "2026-03-19"
    assert [d["day"] for d in r.json()["skipped"]] == [f"2026-02-{d}" for d in range(16, 21)]
    year = Api(server, SPECIALIST).get("/api/v1/calendar/days", params={"year": 2026}).json()
    made = {d["day"]: d for d in year["make_up_days"]}
    assert made["2026-03-07"]["source"] == "announced" and "2026-08-22" in made
    assert (
        Api(server, SPECIALIST).request("DELETE", "/api/v1/calendar/days/2026-03-07").status_code
        == 403
    )
    r = Api(server, ADMIN).request("DELETE", "/api/v1/calendar/days/2026-03-07")
    assert r.status_code == 204, r.text
    r = Api(server, ADMIN).request("DELETE", "/api/v1/calendar/days/2026-03-07")
    assert r.status_code == 404 and r.json()["code"] == "calendar_day_not_found"
    assert deadline(server, at_board["old"])["due_date"] == "2026-03-20"
    with sqlite3.connect(server.var_dir / "tdkt.sqlite3", timeout=60) as db:
        kinds = [k for (k,) in db.execute("select kind from audit_events order by seq")]
    assert kinds.count("calendar_day_set") == 1 and kinds.count("calendar_day_removed") == 1


def test_the_inbox_puts_the_nearest_deadline_first_and_marks_it(server, at_board):
    r = Api(server, SPECIALIST).get("/api/v1/inbox", params={"limit": 200})
    assert r.status_code == 200, r.text
    ids = [d["id"] for d in r.json()]
    assert ids.index(at_board["old"]) < ids.index(at_board["new"])
    assert ids[0] == at_board["old"]  # the overdue one leads
    item = r.json()[0]
    assert item["deadline"]["state"] == "overdue"
    with closing(web(server, SPECIALIST)) as page:
        home = page.get("/").text
        assert "Quá hạn" in home and "20/03/2026" in home
        assert home.index(f"/ho-so/{at_board['old']}") < home.index(f"/ho-so/{at_board['new']}")
        shown = page.get(f"/ho-so/{at_board['old']}").text
        assert "Hạn xử lý bước này" in shown and "20/03/2026" in shown
        assert "20 ngày làm việc kể từ khi nhận" in shown and "chưa xác nhận" in shown


def test_a_late_appraisal_says_so_in_the_history(server, at_board):
    old = at_board["old"]
    assert walk_to(server, old, "board_decision")["status"] == "board_decision"
    r = Api(server, SPECIALIST).get(f"/api/v1/dossiers/{old}/history")
    assert r.status_code == 200, r.text
    step = next(
        e for e in r.json() if e["kind"] == "approve" and e["from_status"] == "board_appraisal"
    )
    late = working_days_between(date(2026, 3, 20), today_vn())
    assert step["due_date"] == "2026-03-20" and step["late_working_days"] == late > 0
    # The steps before were on time (the year-end date 10/12/2026 not yet passed).
    earlier = [
        e for e in r.json() if e["kind"] == "approve" and e["from_status"] == "cluster_review"
    ]
    assert earlier and earlier[0]["late_working_days"] == 0
    assert earlier[0]["due_date"] == "2026-12-10"
    # No deadline is set for the Phòng's head: none shown.
    assert deadline(server, old) == {}
    with closing(web(server, SPECIALIST)) as page:
        assert f"chậm {late} ngày làm việc" in page.get(f"/ho-so/{old}").text


def test_the_admin_page_lists_the_days_off_and_takes_an_announced_day(server):
    with closing(web(server, ADMIN)) as page:
        shown = page.get("/quan-tri/lich-lam-viec", params={"nam": 2026})
        assert shown.status_code == 200, shown.text
        assert "Tết Nguyên Đán" in shown.text and "Theo luật" in shown.text
        assert "Lịch làm việc" in shown.text
        r = page.post(
            "/quan-tri/lich-lam-viec",
            data={
                "csrf": csrf_of(shown.text),
                "day": "2026-12-31",
                "kind": "off",
                "note": "Nghỉ theo Quyết định của UBND tỉnh",
                "basis": "QĐ 12/QĐ-UBND <b>tỉnh</b>",
            },
        )
        assert r.status_code == 303, r.text
        listed = page.get("/quan-tri/lich-lam-viec", params={"nam": 2026}).text
        assert "Nghỉ theo Quyết định của UBND tỉnh" in listed
        assert "QĐ 12/QĐ-UBND &lt;b&gt;tỉnh&lt;/b&gt;" in listed  # shown literally
        r = page.post(
            "/quan-tri/lich-lam-viec",
            data={"csrf": csrf_of(listed), "day": "", "kind": "off"},
        )
        # A POST ends in a redirect to the page it made (here the form with its error).
        assert r.status_code == 303, r.text
        held = page.get(r.headers["location"])
        assert held.status_code == 422 and "Hãy nhập ngày" in held.text
        r = page.post("/quan-tri/lich-lam-viec/2026-12-31/xoa", data={"csrf": csrf_of(listed)})
        assert r.status_code == 303, r.text
    with closing(web(server, SPECIALIST)) as page:
        assert page.get("/quan-tri/lich-lam-viec").status_code == 403
