"""Exports of more lists (api/exports/): the board's rounds, the award decisions, the
council's meetings, the registry's people and collectives, the inbox. Each
export holds the rows the list's own function returns the caller — the function the page
calls, run here on the same database for the same person —, nothing another person may
not see, and the page's «Xuất Excel» / «Xuất CSV» buttons keep its filters. The people
list, as its page, holds no identity number, date of birth or ethnicity for anyone."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session

from api.decisions import service as decisions_service
from api.meetings import service as meetings_service
from api.meetings.service import PROCESS
from api.people import service as people_service
from api.rounds import service as rounds_service
from domain.meetings import MeetingStatus
from domain.roles import Actor
from domain.subjects import SubjectKind
from storage.models import AwardRound, Meeting
from storage.repositories import dossiers as dossiers_repo
from storage.repositories import users as users_repo
from tests.fixtures.decisions_seed import database, decided_round, new_dossier
from tests.fixtures.server import Api, AppServer

pytestmark = pytest.mark.slow

BOARD, CLERK = "ptdkt.chuyenvien", "bdt.canbo"
ROUND_NAME = 'Đợt "Tổng kết" <&> {{ z }} năm 2026'


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    srv = AppServer(tmp_path_factory.mktemp("exports-more"), {})
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def decided(server: AppServer) -> dict[str, int]:
    """Two rounds of the board: one decided (its decision issued), one with a draft."""
    one = new_dossier(server, [{"kind": "collective", "name": "Phòng A", "achievements": "Tốt"}])
    two = new_dossier(server, [{"kind": "collective", "name": "Phòng B", "achievements": "Tốt"}])
    r1, d1, _ = decided_round(
        server, ROUND_NAME, one, number="88/QĐ-UBND", decided_on=date(2026, 12, 2), published=False
    )
    r2, d2, _ = decided_round(
        server, "Đợt bổ sung", two, number=None, decided_on=None, published=False
    )
    return {"round": r1, "decision": d1, "draft_round": r2, "draft": d2}


def own(server: AppServer, username: str, fn: Callable[[Session, Actor], Any]) -> Any:
    """What the list's own function returns `username`."""
    db = database(server)
    try:
        with db.read() as s:
            user = users_repo.user_by_username(s, username)
            assert user is not None
            return fn(s, users_repo.actor_of(user))
    finally:
        db.dispose()


def csv_rows(r: httpx.Response) -> list[dict[str, str]]:
    assert r.status_code == 200, r.text
    assert r.content.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"), newline="")))


def export(server: AppServer, user: str, path: str, **params: Any) -> list[dict[str, str]]:
    return csv_rows(Api(server, user).get(path, params={"format": "csv", **params}))


def web(server: AppServer, user: str, path: str) -> httpx.Response:
    """A page or a file of the web, signed in as `user` (the session holds the API's
    token)."""
    token = Api(server, user).headers["Authorization"].removeprefix("Bearer ")
    client = server.client()
    client.cookies.set("tdkt_session", token)
    try:
        return client.get(path)
    finally:
        client.cookies.clear()


def test_the_rounds_export_holds_the_rounds_the_list_shows(server, decided):
    rows = export(server, BOARD, "/api/v1/exports/rounds")
    listed = own(server, BOARD, lambda s, a: rounds_service.list_rounds(s, a, year=None))
    assert [(int(r["Số"]), r["Tên đợt"], r["Trạng thái"], r["Loại"]) for r in rows] == [
        (x.id, x.name, x.status_label, x.kind_label) for x in listed
    ]
    assert {decided["round"], decided["draft_round"]} <= {int(r["Số"]) for r in rows}
    assert [r["Số hồ sơ"] for r in rows if int(r["Số"]) == decided["round"]] == ["1"]

    assert (
        export(server, BOARD, "/api/v1/exports/rounds", year=2025)
        == []
        == own(server, BOARD, lambda s, a: rounds_service.list_rounds(s, a, year=2025))
    )
    # a unit's clerk does not see the board's rounds: not in her export either
    mine = export(server, CLERK, "/api/v1/exports/rounds")
    assert len(mine) == len(
        own(server, CLERK, lambda s, a: rounds_service.list_rounds(s, a, year=None))
    )
    assert decided["round"] not in {int(r["Số"]) for r in mine}


def test_the_rounds_page_exports_with_its_year(server, decided):
    page = web(server, BOARD, "/dot-xet?nam=2026")
    assert page.status_code == 200
    assert 'href="/dot-xet/xuat?nam=2026&amp;dinh-dang=xlsx"' in page.text
    assert 'href="/dot-xet/xuat?nam=2026&amp;dinh-dang=csv"' in page.text
    rows = csv_rows(web(server, BOARD, "/dot-xet/xuat?nam=2026&dinh-dang=csv"))
    assert ROUND_NAME in {r["Tên đợt"] for r in rows}
    assert csv_rows(web(server, BOARD, "/dot-xet/xuat?nam=2025&dinh-dang=csv")) == []


def test_the_decisions_export_holds_the_decisions_the_list_shows(server, decided):
    rows = export(server, BOARD, "/api/v1/exports/decisions")
    listed = own(server, BOARD, lambda s, a: decisions_service.list_decisions(s, a))
    waiting = own(
        server,
        BOARD,
        lambda s, a: {d.id for d in decisions_service.list_decisions(s, a, waiting=True)},
    )
    assert [
        (int(r["Số"]), r["Trạng thái"], r["Đợt xét khen thưởng"], r["Chờ bạn"]) for r in rows
    ] == [
        (d.id, d.status_label, d.round_name, "Có" if d.id in waiting else "Không") for d in listed
    ]
    by_id = {int(r["Số"]): r for r in rows}
    assert by_id[decided["decision"]]["Số quyết định"] == "88/QĐ-UBND"
    assert by_id[decided["decision"]]["Ngày ban hành"] == "02/12/2026"
    assert by_id[decided["draft"]]["Số quyết định"] == f"Dự thảo số {decided['draft']}"

    # a unit's clerk does not see the decisions: none in her export
    mine = export(server, CLERK, "/api/v1/exports/decisions")
    assert len(mine) == len(own(server, CLERK, lambda s, a: decisions_service.list_decisions(s, a)))
    assert not {decided["decision"], decided["draft"]} & {int(r["Số"]) for r in mine}

    page = web(server, BOARD, "/quyet-dinh")
    assert 'href="/quyet-dinh/xuat?dinh-dang=csv"' in page.text
    assert {
        int(r["Số"]) for r in csv_rows(web(server, BOARD, "/quyet-dinh/xuat?dinh-dang=csv"))
    } == set(by_id)


def convened(server: AppServer, round_id: int, title: str) -> int:
    """A council meeting about the round, written straight into the database (convening
    one through the API needs a round still being composed; tests/api/test_meetings.py)."""
    db = database(server)
    try:
        with db.write() as s:
            r = s.get(AwardRound, round_id)
            assert r is not None
            m = Meeting(
                authority_id=r.authority_id,
                about_kind=str(SubjectKind.ROUND),
                about_id=round_id,
                title=title,
                held_on=date(2026, 12, 3),
                process=PROCESS,
                status=str(MeetingStatus.OPEN),
                rules=[],
                created_by=r.created_by,
            )
            s.add(m)
            s.flush()
            return m.id
    finally:
        db.dispose()


def test_the_meetings_export_holds_the_meetings_the_list_shows(server, decided):
    meeting = convened(server, decided["draft_round"], "Họp <&> xét")
    rows = export(server, BOARD, "/api/v1/exports/meetings")
    listed = own(server, BOARD, lambda s, a: meetings_service.list_meetings(s, a))
    assert [(int(x["Số"]), x["Cuộc họp"], x["Ngày họp"], x["Trạng thái"]) for x in rows] == [
        (m.id, m.title, m.held_on.strftime("%d/%m/%Y"), m.status_label) for m in listed
    ]
    assert meeting in {int(x["Số"]) for x in rows}

    # a unit's clerk does not see the council's meetings: not in her export
    mine = export(server, CLERK, "/api/v1/exports/meetings")
    assert len(mine) == len(own(server, CLERK, lambda s, a: meetings_service.list_meetings(s, a)))
    assert meeting not in {int(x["Số"]) for x in mine}

    page = web(server, BOARD, "/hop-hoi-dong")
    assert 'href="/hop-hoi-dong/xuat?dinh-dang=xlsx"' in page.text
    assert meeting in {
        int(x["Số"]) for x in csv_rows(web(server, BOARD, "/hop-hoi-dong/xuat?dinh-dang=csv"))
    }


PERSON_ID_NO, PERSON_BIRTH = "020185004321", "1985-06-07"


def test_the_people_export_holds_the_list_without_personal_data(server):
    made = Api(server, CLERK).post(
        "/api/v1/people",
        json={
            "full_name": 'Hoàng Thị "Mơ" <&>',
            "position": "Chuyên viên",
            "gender": "nu",
            "ethnicity": "Nùng",
            "birth_date": PERSON_BIRTH,
            "identity_no": PERSON_ID_NO,
        },
    )
    assert made.status_code == 201, made.text
    mine = made.json()["id"]
    other = Api(server, "lmhtx.canbo").post(
        "/api/v1/people", json={"full_name": "Đinh Văn Khải", "position": "Kế toán"}
    )
    assert other.status_code == 201, other.text
    theirs = other.json()["id"]

    def listed(user: str, q: str | None = None) -> list[tuple[str, int, str]]:
        return own(
            server,
            user,
            lambda s, a: (
                [("Cá nhân", p.id, p.full_name) for p in people_service.list_people(s, a, q, None)]
                + [
                    ("Tập thể", c.id, c.name)
                    for c in people_service.list_collectives(s, a, q, None)
                ]
            ),
        )

    for user in (CLERK, BOARD):
        r = Api(server, user).get("/api/v1/exports/people", params={"format": "csv"})
        rows = csv_rows(r)
        assert [
            (x["Cá nhân / tập thể"], int(x["Số hồ sơ"]), x["Họ và tên, tên tập thể"]) for x in rows
        ] == listed(user)
        # the clerk reads her person's identity number on the person's page; the list
        # (and so its export) shows it to no one
        assert not {"Ngày sinh", "Số định danh cá nhân", "Dân tộc"} & set(rows[0])
        assert PERSON_ID_NO.encode() not in r.content and b"07/06/1985" not in r.content
        assert b"1985-06-07" not in r.content and "Nùng".encode() not in r.content
    clerk_people = {
        int(x["Số hồ sơ"])
        for x in export(server, CLERK, "/api/v1/exports/people")
        if x["Cá nhân / tập thể"] == "Cá nhân"
    }
    assert mine in clerk_people and theirs not in clerk_people  # another unit's person: not hers
    board_people = {
        int(x["Số hồ sơ"])
        for x in export(server, BOARD, "/api/v1/exports/people")
        if x["Cá nhân / tập thể"] == "Cá nhân"
    }
    assert {mine, theirs} <= board_people

    rows = export(server, CLERK, "/api/v1/exports/people", q="hoang thi mo")
    assert [
        (x["Cá nhân / tập thể"], int(x["Số hồ sơ"]), x["Họ và tên, tên tập thể"]) for x in rows
    ] == listed(CLERK, "hoang thi mo")
    assert [x["Chức vụ"] for x in rows] == ["Chuyên viên"]

    page = web(server, CLERK, "/ca-nhan?q=hoang+thi+mo")
    assert 'href="/ca-nhan/xuat?q=hoang+thi+mo&amp;dinh-dang=csv"' in page.text
    got = csv_rows(web(server, CLERK, "/ca-nhan/xuat?q=hoang+thi+mo&dinh-dang=csv"))
    assert [int(x["Số hồ sơ"]) for x in got] == [mine]
    # a cluster's approver has no such list: no export either
    assert web(server, "bqlkkt.cum", "/ca-nhan/xuat?dinh-dang=csv").status_code == 404


def test_the_inbox_export_holds_every_dossier_waiting_for_the_caller(server):
    wanted = new_dossier(
        server, [{"kind": "collective", "name": "Tổ Xuất «việc chờ»", "achievements": "Tốt"}]
    )
    new_dossier(server, [{"kind": "collective", "name": "Tổ Khác", "achievements": "Tốt"}])

    def waiting(user: str, q: str | None = None) -> list[int]:
        return own(server, user, lambda s, a: [d.id for d in dossiers_repo.inbox(s, a, q=q)[0]])

    rows = export(server, CLERK, "/api/v1/exports/inbox")
    assert [int(r["Số hồ sơ"]) for r in rows] == waiting(CLERK)
    assert wanted in {int(r["Số hồ sơ"]) for r in rows}
    assert {r["Đơn vị"] for r in rows} == {"Ban Dân tộc tỉnh"}
    assert {r["Trạng thái"] for r in rows if int(r["Số hồ sơ"]) == wanted} == {"Dự thảo"}

    rows = export(server, CLERK, "/api/v1/exports/inbox", q="to xuat viec cho")
    assert [int(r["Số hồ sơ"]) for r in rows] == waiting(CLERK, "to xuat viec cho") == [wanted]

    # another unit's clerk: her own waiting dossiers, never Ban Dân tộc's
    theirs = export(server, "lmhtx.canbo", "/api/v1/exports/inbox")
    assert [int(r["Số hồ sơ"]) for r in theirs] == waiting("lmhtx.canbo")
    assert wanted not in {int(r["Số hồ sơ"]) for r in theirs}

    page = web(server, CLERK, "/?q=to+xuat+viec+cho")
    assert 'href="/viec-cho/xuat?q=to+xuat+viec+cho&amp;dinh-dang=xlsx"' in page.text
    got = csv_rows(web(server, CLERK, "/viec-cho/xuat?q=to+xuat+viec+cho&dinh-dang=csv"))
    assert [int(r["Số hồ sơ"]) for r in got] == [wanted]
