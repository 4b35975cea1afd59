"""People and collectives of the awards registry through the HTTP API of the real server
(embedded and PostgreSQL): a unit's clerk creates and finds its people without caring for
diacritics; another unit neither sees nor links them; the cluster's approver sees the
record without its personal data; the board's reads of it are in the person's history;
the board merges two records of one person (their awards move, both histories say so);
restrictions are recorded; identity numbers are checked; nominees refer to records."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import select

from storage.db import Database
from storage.models import RegistryAward, Unit
from tests.fixtures.modes import MODES, app_in_mode
from tests.fixtures.server import Api, AppServer

pytestmark = pytest.mark.slow

CLERK, HEAD, OTHER_CLERK = "bdt.canbo", "bdt.thutruong", "bqlda.canbo"
CLUSTER = "bqlkkt.cum"  # BQLKKT leads Cụm I (with Ban Dân tộc tỉnh) in 2026
FAR_CLUSTER = "bdls.cum"  # leads another cluster
SPECIALIST, BOARD_HEAD, AUDITOR = "ptdkt.chuyenvien", "ptdkt.truongphong", "thanhtra"
TRICKY = 'Lò Văn <Bình> & "Minh" {{ x }}'
# Lạng Sơn (020), a man of the 20th century (0), born in 1985 (85).
AN_CCCD = "020085012345"


@pytest.fixture(scope="module", params=MODES)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AppServer]:
    with app_in_mode(tmp_path_factory.mktemp(request.param), request.param) as srv:
        yield srv


def db_of(server: AppServer) -> Database:
    url = server.env.get("TDKT_DATABASE_URL") or f"sqlite:///{server.var_dir / 'tdkt.sqlite3'}"
    return Database(url)


def new_person(server: AppServer, user: str = CLERK, **body: object) -> dict:
    r = Api(server, user).post("/api/v1/people", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def history_kinds(server: AppServer, person_id: int, user: str = AUDITOR) -> list[str]:
    r = Api(server, user).get(f"/api/v1/people/{person_id}/history")
    assert r.status_code == 200, r.text
    return [e["kind"] for e in r.json()]


def test_created_found_without_diacritics_and_not_by_another_unit(server: AppServer) -> None:
    an = new_person(
        server,
        full_name="Nguyễn Văn An",
        birth_date="1985-04-02",
        gender="nam",
        ethnicity="Kinh",
        identity_no=AN_CCCD,
        position="Chuyên viên",
    )
    assert an["personal_data_shown"] and an["identity_no"] == AN_CCCD
    clerk = Api(server, CLERK)
    for q in ("Nguyen Van An", "nguyen van", "NGUYỄN văn AN"):
        found = clerk.get("/api/v1/people", params={"q": q}).json()
        assert an["id"] in [p["id"] for p in found], q
    # a list never carries personal data
    listed = clerk.get("/api/v1/people", params={"q": "Nguyen Van An"}).json()
    assert all("identity_no" not in p and "birth_date" not in p for p in listed)
    # «Nguyễn Văn Ân» of another unit (the demo's) is not the clerk's to see
    assert all(p["unit_name"] == "Ban Dân tộc tỉnh" for p in listed)

    other = Api(server, OTHER_CLERK)
    assert an["id"] not in [
        p["id"] for p in other.get("/api/v1/people", params={"q": "Nguyen Van An"}).json()
    ]
    r = other.get(f"/api/v1/people/{an['id']}")
    assert r.status_code == 404 and r.json()["code"] == "person_not_found"
    r = other.post(
        "/api/v1/dossiers",
        json={
            "year": 2026,
            "nominees": [
                {"kind": "individual", "name": "Nguyễn Văn An", "person_id": an["id"]},
            ],
        },
    )
    assert r.status_code == 422 and r.json()["code"] == "person_not_in_unit", r.text
    assert Api(server, FAR_CLUSTER).get(f"/api/v1/people/{an['id']}").status_code == 404


def test_personal_data_hidden_from_the_cluster_and_board_reads_recorded(
    server: AppServer,
) -> None:
    p = new_person(
        server,
        full_name="Hà Thị Thu",
        birth_date="1991-07-30",
        gender="nu",
        ethnicity="Tày",
        identity_no="020191000777",
    )
    cluster = Api(server, CLUSTER).get(f"/api/v1/people/{p['id']}")
    assert cluster.status_code == 200, cluster.text
    seen = cluster.json()
    assert seen["full_name"] == "Hà Thị Thu" and not seen["personal_data_shown"]
    assert seen["identity_no"] is None and seen["birth_date"] is None and seen["ethnicity"] is None
    assert "020191000777" not in cluster.text and "1991-07-30" not in cluster.text
    r = Api(server, CLUSTER).get(f"/api/v1/people/{p['id']}/restrictions")
    assert r.status_code == 403

    # the unit reads its own people's records: not recorded; the board's read is
    Api(server, HEAD).get(f"/api/v1/people/{p['id']}")
    assert "person.personal_data_read" not in history_kinds(server, p["id"])
    board = Api(server, SPECIALIST).get(f"/api/v1/people/{p['id']}")
    assert board.json()["identity_no"] == "020191000777"
    Api(server, AUDITOR).get(f"/api/v1/people/{p['id']}")
    entries = Api(server, AUDITOR).get(f"/api/v1/people/{p['id']}/history").json()
    reads = [e for e in entries if e["kind"] == "person.personal_data_read"]
    assert len(reads) == 2 and reads[0]["label"] == "Xem dữ liệu cá nhân"
    assert {e["actor"] for e in reads} >= {board_name(server, SPECIALIST)}
    # the cluster's approver does not learn who read it
    cluster_history = Api(server, CLUSTER).get(f"/api/v1/people/{p['id']}/history").json()
    assert "person.personal_data_read" not in [e["kind"] for e in cluster_history]


def board_name(server: AppServer, username: str) -> str:
    return str(Api(server, username).get("/api/v1/me").json()["full_name"])


def test_identity_numbers_checked(server: AppServer) -> None:
    clerk = Api(server, CLERK)
    bad = {
        "12345": "12 chữ số",
        "02008501234a": "12 chữ số",
        "003085012345": "mã tỉnh",  # 003 is no province's code
        "020185012345": "giới tính",  # 1: a woman, the body says a man
        "020086012345": "năm sinh",  # born in 1985, not 1986
    }
    for number, words in bad.items():
        r = clerk.post(
            "/api/v1/people",
            json={
                "full_name": "Vi Văn Sai",
                "identity_no": number,
                "birth_date": "1985-01-01",
                "gender": "nam",
            },
        )
        assert r.status_code == 422, (number, r.text)
        assert r.json()["code"] == "identity_no_invalid" and words in r.json()["detail"], number
    new_person(server, full_name="Vi Văn Đúng", identity_no="020085099999")
    r = clerk.post(
        "/api/v1/people", json={"full_name": "Vi Văn Khác", "identity_no": "020085099999"}
    )
    assert r.status_code == 409 and r.json()["code"] == "identity_no_taken"


def test_edit_with_version_and_text_kept_intact(server: AppServer) -> None:
    p = new_person(server, full_name=TRICKY, position='Tổ trưởng "A" & <B>')
    clerk = Api(server, CLERK)
    got = clerk.get(f"/api/v1/people/{p['id']}").json()
    assert got["full_name"] == TRICKY and got["position"] == 'Tổ trưởng "A" & <B>'
    found = clerk.get("/api/v1/people", params={"q": "lo van <binh>"}).json()
    assert [x["full_name"] for x in found] == [TRICKY]
    r = clerk.patch(
        f"/api/v1/people/{p['id']}", json={"version": p["version"], "position": "Tổ phó {{ y }}"}
    )
    assert r.status_code == 200 and r.json()["position"] == "Tổ phó {{ y }}"
    stale = clerk.patch(
        f"/api/v1/people/{p['id']}", json={"version": p["version"], "position": "Khác"}
    )
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    assert "person.edited" in history_kinds(server, p["id"])
    page = server.client().get(f"/ca-nhan/{p['id']}")  # not signed in: no page
    assert TRICKY not in page.text


def add_award(server: AppServer, person_id: int, year: int, award: str, number: str) -> None:
    db = db_of(server)
    try:
        with db.write() as s:
            bdt = s.scalar(select(Unit).where(Unit.code == "BDT"))
            assert bdt is not None
            s.add(
                RegistryAward(
                    person_id=person_id,
                    award=award,
                    year=year,
                    decision_number=number,
                    decision_date=date(year, 12, 20),
                    issuer="Trưởng Ban Dân tộc tỉnh",
                    source="unit",
                    holder_name="Lương Văn Trùng",
                    unit_id=bdt.id,
                )
            )
    finally:
        db.dispose()


def test_board_merges_two_records_awards_move_history_says_so(server: AppServer) -> None:
    kept = new_person(server, full_name="Lương Văn Trùng", birth_date="1980-03-03")
    other = new_person(server, full_name="Lương Văn Trùng", identity_no="020080123456")
    add_award(server, kept["id"], 2023, "chien_si_thi_dua_co_so", "10/QĐ-BDT")
    add_award(server, other["id"], 2024, "chien_si_thi_dua_co_so", "11/QĐ-BDT")
    body = {"other_id": other["id"], "reason": "Cùng một người, lập hai lần"}
    r = Api(server, CLERK).post(f"/api/v1/people/{kept['id']}/merge", json=body)
    assert r.status_code == 403
    r = Api(server, SPECIALIST).post(f"/api/v1/people/{kept['id']}/merge", json=body)
    assert r.status_code == 200, r.text
    merged = r.json()
    assert [y["year"] for y in merged["awards_by_year"]] == [2024, 2023]
    assert merged["awards_by_year"][0]["awards"][0]["award_name"] == "Chiến sĩ thi đua cơ sở"
    assert merged["identity_no"] == "020080123456" and merged["merged_from"] == [other["id"]]
    gone = Api(server, CLERK).get(f"/api/v1/people/{other['id']}").json()
    assert gone["merged_into_id"] == kept["id"] and gone["awards_by_year"] == []
    assert "person.merged" in history_kinds(server, kept["id"])
    entries = Api(server, CLERK).get(f"/api/v1/people/{other['id']}/history").json()
    into = [e for e in entries if e["kind"] == "person.merged_into"]
    assert into and into[0]["reason"] == "Cùng một người, lập hai lần"
    # the merged record is no longer listed; the same merge again is refused
    listed = Api(server, CLERK).get("/api/v1/people", params={"q": "luong van trung"}).json()
    assert [p["id"] for p in listed] == [kept["id"]]
    again = Api(server, SPECIALIST).post(f"/api/v1/people/{kept['id']}/merge", json=body)
    assert again.status_code == 409 and again.json()["code"] == "person_merged"
    # a nominee given the merged record refers to the kept one
    r = Api(server, CLERK).post(
        "/api/v1/dossiers",
        json={
            "year": 2026,
            "nominees": [
                {"kind": "individual", "name": "Lương Văn Trùng", "person_id": other["id"]}
            ],
        },
    )
    assert r.status_code == 201, r.text
    assert r.json()["nominees"][0]["person_id"] == kept["id"]


def test_restrictions_recorded(server: AppServer) -> None:
    p = new_person(server, full_name="Đinh Văn Kỷ")
    clerk = Api(server, CLERK)
    r = clerk.post(
        f"/api/v1/people/{p['id']}/restrictions",
        json={"kind": "discipline", "starts_on": "2025-01-10"},
    )
    assert r.status_code == 422 and r.json()["code"] == "restriction_level_required"
    r = clerk.post(
        f"/api/v1/people/{p['id']}/restrictions",
        json={
            "kind": "discipline",
            "level": "canh_cao",
            "starts_on": "2025-01-10",
            "ends_on": "2026-01-09",
            "note": "Quyết định số 5/QĐ-BDT",
        },
    )
    assert r.status_code == 201, r.text
    assert r.json()["label"] == "Kỷ luật: Cảnh cáo"
    r = Api(server, SPECIALIST).post(
        f"/api/v1/people/{p['id']}/restrictions",
        json={"kind": "investigation", "starts_on": "2026-02-01"},
    )
    assert r.status_code == 201, r.text
    listed = clerk.get(f"/api/v1/people/{p['id']}/restrictions").json()
    assert [x["kind"] for x in listed] == ["investigation", "discipline"]
    assert listed[0]["running"] is True and listed[0]["ends_on"] is None
    assert history_kinds(server, p["id"]).count("person.restricted") == 2
    r = Api(server, OTHER_CLERK).post(
        f"/api/v1/people/{p['id']}/restrictions",
        json={"kind": "complaint", "starts_on": "2026-02-01"},
    )
    assert r.status_code == 404


def test_nominees_refer_to_records(server: AppServer) -> None:
    clerk = Api(server, CLERK)
    hoa = clerk.get("/api/v1/people", params={"q": "Nong Thi Hoa"}).json()[0]  # the demo's
    r = clerk.post(
        "/api/v1/dossiers",
        json={
            "year": 2026,
            "nominees": [
                {"kind": "collective", "name": "Ban Dân tộc tỉnh"},
                {"kind": "collective", "name": "Tổ Công nghệ <mới> & số"},
                {"kind": "individual", "name": "Nông Thị Hoa", "person_id": hoa["id"]},
                {"kind": "individual", "name": "Triệu Văn Mới", "birth_date": "1992-01-05"},
                {
                    "kind": "individual",
                    "name": "Nguyễn Văn An",
                    "identity_no": AN_CCCD,
                },
            ],
        },
    )
    assert r.status_code == 201, r.text
    d = r.json()
    unit_c, part_c, hoa_n, new_n, an_n = d["nominees"]
    assert hoa_n["person_id"] == hoa["id"]
    unit = clerk.get(f"/api/v1/collectives/{unit_c['collective_id']}").json()
    assert unit["kind"] == "unit" and unit["name"] == "Ban Dân tộc tỉnh"
    part = clerk.get(f"/api/v1/collectives/{part_c['collective_id']}").json()
    assert part["kind"] == "part" and part["name"] == "Tổ Công nghệ <mới> & số"
    made = clerk.get(f"/api/v1/people/{new_n['person_id']}").json()
    assert made["full_name"] == "Triệu Văn Mới" and made["birth_date"] == "1992-01-05"
    an = clerk.get("/api/v1/people", params={"q": "Nguyen Van An"}).json()
    assert an_n["person_id"] in [p["id"] for p in an]
    # saved again without the ids: the same records, none made twice
    again = clerk.patch(
        f"/api/v1/dossiers/{d['id']}",
        json={
            "version": d["version"],
            "nominees": [
                {"kind": "individual", "name": "Triệu Văn Mới", "achievements": "Sửa"},
                {"kind": "collective", "name": "Tổ Công nghệ <mới> & số"},
            ],
        },
    )
    assert again.status_code == 200, again.text
    assert [n["person_id"] or n["collective_id"] for n in again.json()["nominees"]] == [
        new_n["person_id"],
        part_c["collective_id"],
    ]
    assert len(clerk.get("/api/v1/people", params={"q": "Trieu Van Moi"}).json()) == 1
    wrong = clerk.post(
        "/api/v1/dossiers",
        json={
            "year": 2026,
            "nominees": [{"kind": "collective", "name": "X", "person_id": hoa["id"]}],
        },
    )
    assert wrong.status_code == 422 and wrong.json()["code"] == "nominee_kind_mismatch"
    # the unit's own collective is made once
    r = clerk.post("/api/v1/collectives", json={"kind": "unit"})
    assert r.status_code == 200 and r.json()["id"] == unit_c["collective_id"]
    r = clerk.post("/api/v1/collectives", json={"kind": "part", "name": "Tổ Công nghệ <mới> & số"})
    assert r.status_code == 409 and r.json()["code"] == "collective_taken"
    listed = clerk.get("/api/v1/collectives", params={"q": "to cong nghe"}).json()
    assert [c["id"] for c in listed] == [part_c["collective_id"]]
    assert Api(server, OTHER_CLERK).get(f"/api/v1/collectives/{part['id']}").status_code == 404


def test_awards_listed_by_year_on_the_demo_person(server: AppServer) -> None:
    tuyet = (
        Api(server, SPECIALIST).get("/api/v1/people", params={"q": "hoang thi anh tuyet"}).json()
    )
    assert len(tuyet) == 1
    got = Api(server, CLUSTER).get(f"/api/v1/people/{tuyet[0]['id']}").json()
    years = {y["year"]: [a["award_name"] for a in y["awards"]] for y in got["awards_by_year"]}
    assert years == {2024: ["Chiến sĩ thi đua cơ sở"], 2023: ["Chiến sĩ thi đua cơ sở"]}
    assert got["birth_date"] is None
