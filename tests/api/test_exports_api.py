"""Exports of the lists (api/exports/) against the real app: a unit's export holds only
its own rows; a cluster's export of nominees has no identity number, date of birth or
ethnicity at all, and none of another cluster's people; the public cannot export; the
XLSX and CSV hold Vietnamese text and `< & " {{ }}` as typed (the CSV with a BOM, the
XLSX header in Times New Roman); a formula stays text; a bad format and a too-wide
export are refused with their codes; each export is an audit event."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from storage.db import Database
from storage.models import AuditEvent
from tests.fixtures.decisions_seed import decided_round, new_dossier
from tests.fixtures.route import walk_to
from tests.fixtures.server import Api, AppServer

pytestmark = pytest.mark.slow

TRICKY = 'Lò Thị Ngọc Ánh <&> "Út" {{ x }}'
FORMULA = "=1+2 Tổ Kỹ thuật"
BDT_BIRTH, BDT_ID = "1985-03-04", "020185001234"
LMHTX_BIRTH, LMHTX_ID = "1980-01-02", "020080005678"
VNPT_BIRTH, VNPT_ID = "1990-05-06", "020190009991"


def submitted(server: AppServer, clerk: str, nominees: list[dict[str, Any]]) -> int:
    api = Api(server, clerk)
    r = api.post("/api/v1/dossiers", json={"year": 2026, "nominees": nominees})
    assert r.status_code == 201, r.text
    dossier_id: int = r.json()["id"]
    assert api.attach(dossier_id).status_code == 201
    walk_to(server, dossier_id, "cluster_review", unit=clerk.split(".")[0])
    return dossier_id


def person(name: str, birth: str, ident: str, gender: str = "nu") -> dict[str, Any]:
    return {
        "kind": "individual",
        "name": name,
        "job_title": "Chuyên viên",
        "achievements": "Hoàn thành xuất sắc nhiệm vụ",
        "birth_date": birth,
        "gender": gender,
        "ethnicity": "Tày",
        "identity_no": ident,
    }


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    srv = AppServer(tmp_path_factory.mktemp("exports-api"), {"TDKT_EXPORT_MAX_ROWS": "3"})
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def dossiers(server: AppServer) -> dict[str, int]:
    """Ban Dân tộc tỉnh and Liên minh HTX (both of Cụm I, led in 2026 by BQLKKT) and
    VNPT Lạng Sơn (another cluster) each submit one dossier, which its head approves:
    it reaches its cluster."""
    return {
        "bdt": submitted(
            server,
            "bdt.canbo",
            [
                person(TRICKY, BDT_BIRTH, BDT_ID),
                {"kind": "collective", "name": FORMULA, "achievements": "Tốt"},
            ],
        ),
        "lmhtx": submitted(
            server, "lmhtx.canbo", [person("Nguyễn Văn Bình", LMHTX_BIRTH, LMHTX_ID, "nam")]
        ),
        "vnpt": submitted(server, "vnptls.canbo", [person("Trần Thị Cúc", VNPT_BIRTH, VNPT_ID)]),
    }


def get(server: AppServer, user: str, path: str, **params: Any) -> httpx.Response:
    return Api(server, user).get(path, params=params)


def csv_rows(r: httpx.Response) -> list[dict[str, str]]:
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith(b"\xef\xbb\xbf"), r.content[:10]  # the BOM, for Excel
    return list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"), newline="")))


def xlsx_rows(r: httpx.Response) -> tuple[list[str], list[dict[str, Any]], Any]:
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(r.content)).active
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in ws.iter_rows(2)]
    return header, rows, ws


def test_a_unit_exports_its_own_nominees_with_their_personal_data(server, dossiers):
    rows = csv_rows(get(server, "bdt.canbo", "/api/v1/exports/nominees", format="csv"))
    assert {r["Số hồ sơ"] for r in rows} == {str(dossiers["bdt"])}
    named = {r["Tên tập thể, họ tên"]: r for r in rows}
    assert set(named) == {TRICKY, "'" + FORMULA}  # a formula's text, never run by Excel
    mine = named[TRICKY]
    assert mine["Ngày sinh"] == "04/03/1985"
    assert mine["Số định danh cá nhân"] == BDT_ID
    assert mine["Dân tộc"] == "Tày" and mine["Giới tính"] == "Nữ"
    assert mine["Đơn vị đề nghị"] == "Ban Dân tộc tỉnh"

    ids = [
        r["Số hồ sơ"]
        for r in csv_rows(get(server, "bdt.canbo", "/api/v1/exports/dossiers", format="csv"))
    ]
    assert ids == [str(dossiers["bdt"])]


def test_the_xlsx_holds_the_text_as_typed_under_a_times_new_roman_header(server, dossiers):
    header, rows, ws = xlsx_rows(get(server, "bdt.canbo", "/api/v1/exports/nominees"))
    assert header[:2] == ["Số hồ sơ", "Năm"] and "Số định danh cá nhân" in header
    assert ws["A1"].font.name == "Times New Roman" and ws["A1"].font.b
    names = {r["Tên tập thể, họ tên"]: r for r in rows}
    assert set(names) == {TRICKY, FORMULA}
    formula_cell = next(c for c in ws["G"] if c.value == FORMULA)
    assert formula_cell.data_type == "s"  # text, not a formula
    assert names[TRICKY]["Ngày sinh"].date().isoformat() == BDT_BIRTH
    assert names[TRICKY]["Số định danh cá nhân"] == BDT_ID
    assert r_disposition(get(server, "bdt.canbo", "/api/v1/exports/nominees")).endswith(".xlsx")


def r_disposition(r: httpx.Response) -> str:
    value: str = r.headers["content-disposition"]
    assert value.startswith("attachment;")
    return value.split("filename=")[1].split(";")[0].strip('"')


def test_a_cluster_export_has_its_members_nominees_without_any_personal_data(server, dossiers):
    for fmt in ("csv", "xlsx"):
        r = get(server, "bqlkkt.cum", "/api/v1/exports/nominees", format=fmt)
        assert r.status_code == 200, r.text
        for secret in (BDT_ID, LMHTX_ID, VNPT_ID, "04/03/1985", "02/01/1980", "Tày"):
            assert secret.encode() not in r.content, (fmt, secret)
        if fmt == "csv":
            rows = csv_rows(r)
            header = list(rows[0])
        else:
            header, rows, _ = xlsx_rows(r)
        assert not {"Ngày sinh", "Số định danh cá nhân", "Dân tộc"} & set(header)
        seen = {str(row["Số hồ sơ"]) for row in rows}
        assert seen == {str(dossiers["bdt"]), str(dossiers["lmhtx"])}  # not VNPT's cluster
        assert "Trần Thị Cúc" not in {row["Tên tập thể, họ tên"] for row in rows}


def test_the_export_keeps_the_filters_of_the_list(server, dossiers):
    bdt = get(server, "bdt.canbo", "/api/v1/dossiers").json()["items"][0]["unit_id"]
    rows = csv_rows(
        get(server, "bqlkkt.cum", "/api/v1/exports/dossiers", format="csv", unit_id=bdt)
    )
    assert [r["Số hồ sơ"] for r in rows] == [str(dossiers["bdt"])]
    assert rows[0]["Đơn vị"] == "Ban Dân tộc tỉnh" and rows[0]["Năm"] == "2026"
    rows = csv_rows(get(server, "bqlkkt.cum", "/api/v1/exports/nominees", format="csv", q="binh"))
    assert [r["Tên tập thể, họ tên"] for r in rows] == ["Nguyễn Văn Bình"]


def test_an_auditor_reads_personal_data_and_a_too_wide_export_is_refused(server, dossiers):
    r = get(server, "thanhtra", "/api/v1/exports/nominees", format="csv")
    assert r.status_code == 422 and r.json()["code"] == "export_too_large", r.text
    assert "quá 3 dòng" in r.json()["detail"]
    rows = csv_rows(get(server, "thanhtra", "/api/v1/exports/nominees", format="csv", q="cuc"))
    assert [(x["Tên tập thể, họ tên"], x["Số định danh cá nhân"]) for x in rows] == [
        ("Trần Thị Cúc", VNPT_ID)
    ]


def test_bad_format_and_no_sign_in_are_refused(server, dossiers):
    r = get(server, "bdt.canbo", "/api/v1/exports/dossiers", format="pdf")
    assert r.status_code == 422 and r.json()["code"] == "export_format_invalid", r.text
    r = httpx.get(f"{server.base}/api/v1/exports/nominees?format=csv")
    assert r.status_code == 401 and BDT_ID.encode() not in r.content
    r = httpx.get(f"{server.base}/ho-so/xuat-tap-the-ca-nhan?dinh-dang=csv")
    assert r.status_code in (303, 307) and "/dang-nhap" in r.headers["location"]


def test_the_registry_export_of_a_unit_holds_only_its_records(server, dossiers):
    rows = csv_rows(get(server, "bdt.canbo", "/api/v1/exports/registry", format="csv"))
    assert rows and {r["Đơn vị"] for r in rows} == {"Ban Dân tộc tỉnh"}
    assert "Hoàng Thị Ánh Tuyết" in {r["Tên tập thể, họ tên"] for r in rows}
    other = csv_rows(get(server, "lmhtx.canbo", "/api/v1/exports/registry", format="csv"))
    assert "Hoàng Thị Ánh Tuyết" not in {r["Tên tập thể, họ tên"] for r in other}
    bdt = get(server, "bdt.canbo", "/api/v1/dossiers").json()["items"][0]["unit_id"]
    r = get(server, "lmhtx.canbo", "/api/v1/exports/registry", format="csv", unit_id=bdt)
    assert r.status_code == 403 and r.json()["code"] == "registry_other_unit"
    header, _, _ = xlsx_rows(get(server, "ptdkt.chuyenvien", "/api/v1/exports/registry", year=2024))
    assert "Số định danh cá nhân" not in header and "Ngày sinh" not in header


def test_every_export_is_in_the_history_with_who_what_filters_and_rows(server, dossiers):
    r = get(server, "bqlkkt.cum", "/api/v1/exports/nominees", format="xlsx", year=2026)
    assert r.status_code == 200 and r.headers["x-export-rows"] == "3"
    db = Database(f"sqlite:///{server.var_dir / 'tdkt.sqlite3'}")
    try:
        with db.read() as s:
            events = s.scalars(
                select(AuditEvent)
                .where(AuditEvent.kind == "list_exported")
                .order_by(AuditEvent.seq)
            ).all()
    finally:
        db.dispose()
    last = events[-1]
    assert last.actor_role == "cluster_approver"
    assert last.actor_unit == "Ban Quản lý Khu kinh tế cửa khẩu Đồng Đăng – Lạng Sơn"
    assert last.data == {
        "list": "nominees",
        "title": "Tập thể, cá nhân được đề nghị",
        "format": "xlsx",
        "filters": {"year": 2026},
        "rows": 3,
        "personal_data": False,
    }
    refused = [e for e in events if e.data["rows"] > 3]
    assert not refused  # a refused export is not handed out, so not recorded
    assert any(e.data["personal_data"] and e.actor_name for e in events)


def test_a_decision_list_exports_as_its_page_shows_it_and_joins_its_history(server, dossiers):
    dossier_id = new_dossier(
        server,
        [{"kind": "collective", "name": 'Phòng "Đổi mới" <&> {{ y }}', "achievements": "Tốt"}],
    )
    _, decision_id, _ = decided_round(
        server,
        "Đợt xuất danh sách",
        dossier_id,
        number="77/QĐ-UBND",
        decided_on=date(2026, 12, 1),
        published=False,
    )
    path = f"/api/v1/exports/decisions/{decision_id}/awards"
    header, rows, _ = xlsx_rows(get(server, "ptdkt.chuyenvien", path))
    assert header[:4] == [
        "STT",
        "Hình thức khen thưởng",
        "Tập thể / cá nhân",
        "Tên tập thể, họ tên",
    ]
    assert [(r["Tên tập thể, họ tên"], r["Được khen thưởng"]) for r in rows] == [
        ('Phòng "Đổi mới" <&> {{ y }}', "Có")
    ]
    assert rows[0]["Số hồ sơ"] == dossier_id and rows[0]["STT"] == 1
    r = get(server, "bdt.canbo", path, format="csv")  # a unit does not see the decision
    assert r.status_code == 404 and r.json()["code"] == "decision_not_found"
    db = Database(f"sqlite:///{server.var_dir / 'tdkt.sqlite3'}")
    try:
        with db.read() as s:
            e = s.scalars(
                select(AuditEvent).where(
                    AuditEvent.subject_kind == "decision",
                    AuditEvent.subject_id == decision_id,
                    AuditEvent.kind == "list_exported",
                )
            ).one()
    finally:
        db.dispose()
    assert e.data["rows"] == 1 and e.data["filters"] == {"decision_id": decision_id}
    assert e.actor_name and e.actor_role == "board_specialist"


def test_a_dossier_history_exports_as_its_page_lists_it(server, dossiers):
    clerk = Api(server, "bdt.canbo")
    r = clerk.post(
        "/api/v1/dossiers",
        json={"year": 2026, "nominees": [{"kind": "collective", "name": "Tổ Lịch sử"}]},
    )
    assert r.status_code == 201, r.text
    fresh = r.json()["id"]
    path = f"/api/v1/exports/dossiers/{fresh}/history"
    rows = csv_rows(get(server, "bdt.canbo", path, format="csv"))
    assert [(r["STT"], r["Việc"]) for r in rows] == [("1", "Lập hồ sơ")]
    assert "Nông Văn Tuấn" in rows[0]["Người thực hiện"]
    r = get(server, "lmhtx.canbo", path, format="csv")  # another unit's dossier
    assert r.status_code == 404 and r.json()["code"] == "dossier_not_found"
    r = get(server, "bdt.canbo", path, format="csv", include_reads="true")
    assert r.status_code == 403 and r.json()["code"] == "forbidden_action"
    # A longer history is more rows than this server's limit (3): refused, as any list.
    long = f"/api/v1/exports/dossiers/{dossiers['bdt']}/history"
    r = get(server, "bdt.canbo", long, format="xlsx")
    assert r.status_code == 422 and r.json()["code"] == "export_too_large"
    assert "dòng, quá 3 dòng" in r.json()["detail"]
    # The export is a read in the dossier's chain: the auditor sees it, the clerk not.
    history = f"/api/v1/dossiers/{fresh}/history"
    seen = get(server, "thanhtra", history, include_reads="true").json()
    assert [e["kind"] for e in seen].count("list_exported") == 1
    assert [e["kind"] for e in get(server, "bdt.canbo", history).json()] == ["created"]
