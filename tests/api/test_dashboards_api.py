"""The dashboards' API on SQLite and PostgreSQL, over a small province whose right answers
are worked out by hand below: waiting times per step (median, 90th percentile by nearest
rank, in working and calendar days, late and overdue counts), by unit; who sees whose
numbers (the board the province, the cluster's head its members, a unit only itself,
its own drafts included); women's and ethnic minorities' shares with a small unit's
counts hidden; the XLSX export matching the table and audited; the chart as valid SVG.

The dates are October–November 2025 (no holiday), each step at 09:00 in Việt Nam."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from api import errors as api_errors
from api.auth.security import issue_token
from api.dashboards.routes import router
from core.settings import Settings
from storage.db import Database
from storage.models import (
    AuditEvent,
    Authority,
    AwardRound,
    Cluster,
    ClusterTerm,
    Collective,
    Dossier,
    DossierTransition,
    Nominee,
    Person,
    RegistryAward,
    RoleAssignment,
    Unit,
    User,
)

SECRET = "bí-mật-của-phép-thử-bảng-thống-kê-0123456789"
YEAR = 2025
AWARD = "bang_khen_ubnd_tinh"
NAMES = ["Hoàng Thị Mai", "Lường Thị Sen", "Nông Thị Hoa", "Lê Thị Lan", "Vi Văn Tú", "Lò Văn Páo"]


@dataclass
class _Runtime:
    db: Database
    settings: Settings


def at(day: int, month: int = 10) -> datetime:
    return datetime(YEAR, month, day, 2, 0, tzinfo=UTC)  # 09:00 in Việt Nam, stored in UTC


@dataclass
class Province:
    users: dict[str, int]
    units: dict[str, str]


def seed(db: Database) -> Province:
    with db.write() as s:
        a = Authority(code="SNV", name="Sở Nội vụ tỉnh Thử", province="Thử")
        s.add(a)
        s.flush()
        c1 = Cluster(authority_id=a.id, code="C1", name="Cụm thi đua số Một")
        c2 = Cluster(authority_id=a.id, code="C2", name="Cụm thi đua số Hai")
        s.add_all([c1, c2])
        s.flush()
        units = {
            "u1": Unit(authority_id=a.id, cluster_id=c1.id, code="U1", name="Ban Dân tộc thử"),
            "u2": Unit(authority_id=a.id, cluster_id=c1.id, code="U2", name="Liên minh HTX thử"),
            "u3": Unit(authority_id=a.id, cluster_id=c2.id, code="U3", name="Sở Y tế thử"),
            "u4": Unit(authority_id=a.id, cluster_id=c2.id, code="U4", name="Sở Xây dựng thử"),
        }
        s.add_all(units.values())
        s.flush()
        s.add(ClusterTerm(cluster_id=c1.id, year=YEAR, head_unit_id=units["u1"].id))
        users: dict[str, int] = {}
        for name, role, where in (
            ("board", "board_head", {"authority_id": a.id}),
            ("c1head", "cluster_approver", {"unit_id": units["u1"].id}),
            ("u1clerk", "unit_clerk", {"unit_id": units["u1"].id}),
            ("u2clerk", "unit_clerk", {"unit_id": units["u2"].id}),
            ("member", "unit_member", {"unit_id": units["u2"].id}),
        ):
            u = User(username=name, full_name=name, password_hash="x")
            s.add(u)
            s.flush()
            s.add(RoleAssignment(user_id=u.id, role=role, **where))
            users[name] = u.id

        def dossier(unit: str, steps: list[tuple[str, str, datetime]], **kw: Any) -> Dossier:
            u = units[unit]
            status = steps[-1][1] if steps else "draft"
            reached = "board" if status.startswith("board") else "unit"
            d = Dossier(
                process="commendation_proposal",
                award=AWARD,
                year=YEAR,
                title=f"Hồ sơ của {u.name}",
                unit_id=u.id,
                cluster_id=u.cluster_id,
                authority_id=a.id,
                status=status,
                furthest_stage=reached,
                transition_seq=len(steps),
                created_by=users["u1clerk"],
                created_at=at(6),
                **kw,
            )
            s.add(d)
            s.flush()
            for seq, (frm, to, when) in enumerate(steps, start=1):
                s.add(
                    DossierTransition(
                        subject_kind="dossier",
                        subject_id=d.id,
                        dossier_id=d.id,
                        seq=seq,
                        action="approve",
                        from_status=frm,
                        to_status=to,
                        actor_id=users["board"],
                        actor_role="board_head",
                        created_at=when,
                    )
                )
            return d

        d1 = dossier(
            "u1",
            [
                ("draft", "unit_review", at(8)),
                ("unit_review", "cluster_review", at(9)),
                ("cluster_review", "board_appraisal", at(13)),
            ],
        )
        d2 = dossier(
            "u2",
            [
                ("draft", "unit_review", at(6)),
                ("unit_review", "cluster_review", at(10)),
                ("cluster_review", "board_appraisal", at(17)),
                ("board_appraisal", "board_decision", at(21, 11)),
            ],
        )
        dossier(
            "u3",
            [
                ("draft", "unit_review", at(7)),
                ("unit_review", "cluster_review", at(8)),
                ("cluster_review", "board_appraisal", at(20)),
                ("board_appraisal", "board_decision", at(24)),
            ],
        )
        dossier("u1", [])  # a draft never sent: only its unit counts it
        people = [("nu", "Kinh"), ("nu", "Tày"), ("nu", "Nùng"), ("nu", "Kinh")]
        people += [("nam", "Kinh"), ("nam", "Tày")]
        for i, (gender, ethnicity) in enumerate(people):
            s.add(
                Nominee(
                    dossier_id=d1.id,
                    position_no=i + 1,
                    kind="individual",
                    name=NAMES[i],
                    gender=gender,
                    ethnicity=ethnicity,
                    birth_date=date(1980, 1, 1 + i),
                )
            )
        s.add(Nominee(dossier_id=d1.id, position_no=7, kind="collective", name="Phòng Một"))
        for i, (gender, ethnicity) in enumerate([("nu", "Kinh"), ("nam", "Dao")]):
            s.add(
                Nominee(
                    dossier_id=d2.id,
                    position_no=i + 1,
                    kind="individual",
                    name=f"Người thứ {i} của U2",
                    gender=gender,
                    ethnicity=ethnicity,
                )
            )
        woman = Person(full_name="Hoàng Thị Mai", gender="nu", ethnicity="Tày")
        s.add(woman)
        s.flush()

        def award(unit: str, year: int, person: Person | None = None, part: str = "") -> None:
            collective = None
            if person is None:
                collective = Collective(unit_id=units[unit].id, kind="part", name=part)
                s.add(collective)
                s.flush()
            s.add(
                RegistryAward(
                    person_id=person.id if person else None,
                    collective_id=collective.id if collective else None,
                    award=AWARD,
                    year=year,
                    decision_number=f"{year}/QĐ-UBND",
                    decision_date=date(year, 12, 20),
                    issuer="UBND tỉnh Thử",
                    source="import",
                    holder_name=person.full_name if person else "Tập thể",
                    unit_id=units[unit].id,
                )
            )

        award("u1", YEAR, part="Phòng Một")
        award("u1", YEAR, part="Phòng Hai")
        award("u1", YEAR, woman)
        award("u3", YEAR - 1, woman)
        # The board's round of the year: its list made from Wed 1/10 to Fri 3/10 (2 wd, 2
        # days), waiting for the Phòng's head since.
        r = AwardRound(
            authority_id=a.id,
            name="Đợt cuối năm 2025",
            year=YEAR,
            kind="yearly",
            awards=AWARD,
            status="board_review",
            created_by=users["board"],
            created_at=at(1),
        )
        s.add(r)
        s.flush()
        s.add(
            DossierTransition(
                subject_kind="round",
                subject_id=r.id,
                dossier_id=None,
                seq=1,
                action="submit",
                from_status="open",
                to_status="board_review",
                actor_id=users["board"],
                actor_role="board_specialist",
                created_at=at(3),
            )
        )
        return Province(users, {k: u.name for k, u in units.items()})


@pytest.fixture
def province(db: Database) -> Province:
    return seed(db)


@pytest.fixture
def client(db: Database, province: Province) -> Iterator[TestClient]:
    app = FastAPI()
    api_errors.install(app)
    settings = Settings(secret_key=SECRET, stats_min_group=5)
    app.state.runtime = _Runtime(db, settings)
    app.include_router(router)
    with TestClient(app) as c:
        yield c


def get(client: TestClient, province: Province, who: str, path: str, **params: Any) -> Any:
    token = issue_token(province.users[who], SECRET, 10)
    r = client.get(path, params=params, headers={"Authorization": f"Bearer {token}"})
    return r


def board_json(client: TestClient, province: Province, who: str, board: str) -> dict[str, Any]:
    r = get(client, province, who, f"/api/v1/dashboards/{board}", year=YEAR)
    assert r.status_code == 200, r.text
    return dict(r.json())


def table(d: dict[str, Any], key: str) -> list[list[Any]]:
    return next(t["rows"] for t in d["tables"] if t["key"] == key)


def by_label(rows: list[list[Any]], *labels: str) -> list[Any]:
    n = len(labels)
    return next(r[n:] for r in rows if tuple(r[:n]) == labels)


# Row: steps, median wd, p90 wd, median cal, p90 cal, late, waiting, overdue.


def test_the_board_sees_each_steps_median_and_p90_over_what_was_sent(client, province):
    d = board_json(client, province, "board", "waiting-times")
    assert d["scope_level"] == "province"
    rows = table(d, "by_step")
    # Draft: D1 6→8/10 (2 wd, 2 days), D2 0, D3 6→7/10 (1, 1); the unsent draft not counted.
    assert by_label(rows, "Dự thảo") == [3, 1, 2, 1, 2, 0, 0, 0]
    # Cluster: D1 Thu 9 → Mon 13/10 (2 wd, 4 days), D2 10 → 17/10 (5, 7), D3 8 → 20/10 (8, 12):
    # median 5 / 7; 90th percentile rank ⌈0.9·3⌉ = 3: 8 / 12.
    assert by_label(rows, "Chờ Cụm thi đua xét") == [3, 5, 8, 7, 12, 0, 0, 0]
    # Appraisal: D2 17/10 → 21/11 (25 wd, 35 days; due 20 wd later, 14/11: late), D3
    # 20 → 24/10 (4, 4): median 14.5 / 19.5, p90 rank 2: 25 / 35. D1 waits since 13/10/2025:
    # due 10/11/2025, overdue now.
    assert by_label(rows, "Chờ thẩm định") == [2, 14.5, 25, 19.5, 35, 1, 1, 1]


def test_grouped_by_unit_and_cluster(client, province):
    d = board_json(client, province, "board", "waiting-times")
    units = table(d, "by_unit")
    assert by_label(units, province.units["u2"], "Chờ thẩm định") == [1, 25, 25, 35, 35, 1, 0, 0]
    assert by_label(units, province.units["u1"], "Chờ thẩm định") == [
        0,
        None,
        None,
        None,
        None,
        0,
        1,
        1,
    ]
    assert {r[0] for r in units} == {province.units[k] for k in ("u1", "u2", "u3")}
    clusters = table(d, "by_cluster")
    # Cụm Một: D1 (2 wd, 4 days), D2 (5, 7): median 3.5 / 5.5, p90 rank 2: 5 / 7.
    assert by_label(clusters, "Cụm thi đua số Một", "Chờ Cụm thi đua xét") == [
        2,
        3.5,
        5,
        5.5,
        7,
        0,
        0,
        0,
    ]
    assert by_label(clusters, "Cụm thi đua số Hai", "Chờ Cụm thi đua xét") == [
        1,
        8,
        8,
        12,
        12,
        0,
        0,
        0,
    ]


def test_the_boards_round_is_timed_for_the_board_only(client, province):
    d = board_json(client, province, "board", "waiting-times")
    rows = table(d, "by_process")
    assert by_label(rows, "Trình đợt xét khen thưởng", "Đang lập danh sách") == [
        *[1, 2, 2, 2, 2, 0, 0, 0]
    ]
    assert by_label(rows, "Trình đợt xét khen thưởng", "Chờ lãnh đạo Phòng duyệt")[6] == 1
    head = board_json(client, province, "c1head", "waiting-times")
    assert table(head, "by_process") == []
    unit = board_json(client, province, "u2clerk", "waiting-times")
    assert all(t["key"] != "by_process" for t in unit["tables"])


def test_a_cluster_head_sees_its_members_and_a_unit_only_itself(client, province):
    head = board_json(client, province, "c1head", "waiting-times")
    assert head["scope_level"] == "cluster" and "Cụm thi đua số Một" in head["scope_label"]
    assert by_label(table(head, "by_step"), "Chờ Cụm thi đua xét") == [2, 3.5, 5, 5.5, 7, 0, 0, 0]
    assert province.units["u3"] not in str(head)
    unit = board_json(client, province, "u2clerk", "waiting-times")
    assert unit["scope_level"] == "unit"
    assert {r[0] for r in table(unit, "by_unit")} == {province.units["u2"]}
    for other in ("u1", "u3", "u4"):
        assert province.units[other] not in str(unit)
        assert province.units[other] not in str(board_json(client, province, "u2clerk", "overview"))
    # A unit counts its own draft: U1's unsent dossier waits in «Dự thảo».
    own = board_json(client, province, "u1clerk", "waiting-times")
    assert by_label(table(own, "by_step"), "Dự thảo") == [1, 2, 2, 2, 2, 0, 1, 0]
    # A unit member (not its clerk or head) sees no dashboard.
    r = get(client, province, "member", "/api/v1/dashboards/overview", year=YEAR)
    assert r.status_code == 403 and r.json()["code"] == "dashboard_forbidden"


def test_overview_counts_and_shares_with_small_units_hidden(client, province):
    d = board_json(client, province, "board", "overview")
    assert table(d, "by_status") == [
        ["Chờ thẩm định", 1],
        ["Chờ lãnh đạo Phòng duyệt", 2],
        ["Tổng", 3],
    ]
    shares = table(d, "nominee_shares")
    # U1: 6 people, 4 women (66,7%), 3 ethnic minorities (Tày, Nùng, Tày: 50%); U2 has 2,
    # fewer than 5: hidden. All: 8, 5 women (62,5%), 4 minorities (50%).
    assert by_label(shares, province.units["u1"]) == [6, 4, "66,7%", 3, "50,0%"]
    assert by_label(shares, province.units["u2"]) == [2, "—", "—", "—", "—"]
    assert by_label(shares, "Tổng") == [8, 5, "62,5%", 4, "50,0%"]
    assert by_label(table(d, "collective_individual"), str(YEAR)) == [2, 1, 3]
    assert by_label(table(d, "collective_individual"), str(YEAR - 1)) == [0, 1, 1]
    assert table(d, "units_without_proposal") == [[province.units["u4"], "Cụm thi đua số Hai"]]
    # The unit's own view: its 2 people, hidden in the total as well.
    unit = board_json(client, province, "u2clerk", "overview")
    assert table(unit, "nominee_shares") == [
        [province.units["u2"], 2, "—", "—", "—", "—"],
        ["Tổng", 2, "—", "—", "—", "—"],
    ]
    text = str(d) + str(unit)
    for name in NAMES:
        assert name not in text  # no person's name, only counts
    assert "1980" not in text


def test_the_xlsx_export_matches_the_table_and_is_audited(client, province, db):
    d = board_json(client, province, "board", "waiting-times")
    t = next(t for t in d["tables"] if t["key"] == "by_unit")
    r = get(
        client,
        province,
        "board",
        "/api/v1/dashboards/waiting-times",
        year=YEAR,
        format="xlsx",
        table="by_unit",
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(r.content)).worksheets[0]
    values = [list(row) for row in ws.iter_rows(values_only=True)]
    assert values[0] == t["columns"]
    assert values[1 : 1 + len(t["rows"])] == t["rows"]
    assert ws["A1"].font.b and ws["A1"].font.name == "Times New Roman"
    assert ws["A2"].font.name == "Times New Roman" and not ws["A2"].font.b
    assert ws.column_dimensions["A"].width >= len(province.units["u2"])
    with db.read() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.kind == "dashboard_exported")).all()
    assert len(events) == 1
    e = events[0]
    assert e.actor_id == province.users["board"]
    assert e.data["dashboard"] == "waiting-times" and e.data["table"] == "by_unit"
    assert e.data["year"] == YEAR and len(e.data["file_sha256"]) == 64


def test_the_chart_is_svg_with_its_labels(client, province):
    r = get(
        client, province, "board", "/api/v1/dashboards/waiting-times/charts/by_step.svg", year=YEAR
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(r.content)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = " ".join("".join(el.itertext()) for el in root.iter())
    for label in (
        "Chờ Cụm thi đua xét",
        "Chờ thẩm định",
        "Trung vị (ngày làm việc)",
        "ngày làm việc",
    ):
        assert label in texts
    assert "<script" not in r.text and 'href="http' not in r.text
    r = get(client, province, "board", "/api/v1/dashboards/overview/charts/nope.svg", year=YEAR)
    assert r.status_code == 404


def test_without_a_year_the_latest_year_with_dossiers_is_shown(client, province):
    # This year has no dossier in the fixture: a board opening «Thống kê» sees 2025's
    # figures rather than empty tables (a new installation with the demo's past year).
    r = get(client, province, "board", "/api/v1/dashboards/waiting-times")
    assert r.status_code == 200, r.text
    assert r.json()["year"] == YEAR
    assert r.json()["tables"] == board_json(client, province, "board", "waiting-times")["tables"]
