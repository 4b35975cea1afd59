"""The statistics reports through the real app and the `tdkt report` command: the board
gets 0603.N as XLSX and PDF with the province's counts; a unit's clerk gets her own unit's
form and is refused the province and another unit; bad forms, scopes and formats are
refused with their codes; the board's entries are checked (a counted cell, a stale
version) and change the form; each download and each save is in the audit chain (and the
chain still verifies), naming the form, year and scope only; the CLI writes the same
form."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from storage.models import AuditEvent, Person, RegistryAward, Unit
from tests.fixtures.decisions_seed import database
from tests.fixtures.server import PIN, Api, AppServer

pytestmark = pytest.mark.slow

SPECIALIST, CLERK, HEAD = "ptdkt.chuyenvien", "bdt.canbo", "ptdkt.truongphong"
YEAR = 2025
PERSON = "Nông Thị Báo Cáo"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    srv = AppServer(tmp_path_factory.mktemp("reports-api"), {}).start()
    db = database(srv)
    with db.write() as s:
        units = {u.code: u for u in s.scalars(select(Unit))}
        for code, award, occasion in (
            ("BDT", "bang_khen_ubnd_tinh", "yearly"),
            ("BDT", "chien_si_thi_dua_cap_tinh", "yearly"),
            ("LMHTX", "bang_khen_ubnd_tinh", "dot_xuat"),
        ):
            p = Person(full_name=PERSON, search_name="x", unit_id=units[code].id)
            s.add(p)
            s.flush()
            s.add(
                RegistryAward(
                    person_id=p.id,
                    award=award,
                    year=YEAR,
                    occasion=occasion,
                    decision_number=f"{p.id}/QĐ-UBND",
                    decision_date=date(YEAR, 11, 1),
                    issuer="Chủ tịch UBND tỉnh",
                    source="import",
                    holder_name=PERSON,
                    unit_id=units[code].id,
                )
            )
    db.dispose()
    yield srv
    srv.stop()


def unit_id(server: AppServer, code: str) -> int:
    db = database(server)
    with db.read() as s:
        u = s.scalar(select(Unit).where(Unit.code == code))
        assert u is not None
        out = u.id
    db.dispose()
    return out


def row(data: bytes, code: str) -> list[object]:
    ws = load_workbook(io.BytesIO(data)).active
    assert ws is not None
    r = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value == code)
    return [ws.cell(r, c).value for c in range(4, 9)]


def report_events(server: AppServer) -> list[AuditEvent]:
    db = database(server)
    with db.read() as s:
        out = list(
            s.scalars(
                select(AuditEvent).where(AuditEvent.kind.like("report_%")).order_by(AuditEvent.seq)
            )
        )
    db.dispose()
    return out


def test_board_unit_and_bad_requests(server: AppServer):
    board, clerk = Api(server, SPECIALIST), Api(server, CLERK)
    bdt, lmhtx = unit_id(server, "BDT"), unit_id(server, "LMHTX")

    listed = board.get("/api/v1/reports", params={"year": YEAR}).json()
    forms = ["0601.N", "0602.N", "0603.N", "0604.N", "0605.N"]
    assert [f["form"] for f in listed["forms"]] == forms
    assert listed["not_built"] == {}
    assert "lifephongphanmem/thiduakhenthuong" in listed["forms"][2]["layout_source"]
    for f in listed["forms"][3:]:  # the TĐKT bodies and staff: every cell entered
        assert "chưa xác nhận" in f["layout_source"] and f["entered_cells"]

    r = board.get("/api/v1/reports/0603.N", params={"year": YEAR, "scope": "province"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    # Bằng khen 2 (one yearly, one đột xuất), CSTĐ tỉnh 1: all to people.
    assert row(r.content, "01") == [3, 2, 1, 0, None]
    assert row(r.content, "05") == [3, 2, 1, 0, None]
    assert row(r.content, "02") == [0, 0, 0, 0, None]
    assert row(r.content, "13") == [1, 1, 0, 0, None]
    assert PERSON.encode() not in r.content
    pdf = board.get("/api/v1/reports/0603.N", params={"year": YEAR, "format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    own = clerk.get("/api/v1/reports/0603.N", params={"year": YEAR, "scope": f"unit:{bdt}"})
    assert own.status_code == 200
    assert row(own.content, "01") == [2, 1, 1, 0, None]
    for scope in ("province", f"unit:{lmhtx}"):
        refused = clerk.get("/api/v1/reports/0603.N", params={"year": YEAR, "scope": scope})
        assert refused.status_code == 403
        assert refused.json()["code"] == "report_scope_forbidden"
    listed = clerk.get("/api/v1/reports", params={"year": YEAR}).json()
    assert [sc["value"] for sc in listed["scopes"]] == [f"unit:{bdt}"]

    for params, status, code in (
        ({"scope": "tinh"}, 422, "report_scope_invalid"),
        ({"format": "doc"}, 422, "report_format_invalid"),
    ):
        r = board.get("/api/v1/reports/0603.N", params={"year": YEAR, **params})
        assert (r.status_code, r.json()["code"]) == (status, code)
    r = board.get("/api/v1/reports/0606.N", params={"year": YEAR})
    assert (r.status_code, r.json()["code"]) == (404, "report_form_not_found")


def test_entries_change_the_form_and_everything_is_audited(server: AppServer, tmp_path: Path):
    board, clerk = Api(server, SPECIALIST), Api(server, CLERK)
    before = len(report_events(server))
    path = "/api/v1/reports/0603.N/entries"
    q = {"year": YEAR, "scope": "province"}
    r = clerk.request(
        "PUT",
        path,
        params={"year": YEAR, "scope": f"unit:{unit_id(server, 'BDT')}"},
        json={"cells": {}},
    )
    assert (r.status_code, r.json()["code"]) == (403, "report_entry_forbidden")
    r = board.request("PUT", path, params=q, json={"cells": {"01|2": 5}})
    assert (r.status_code, r.json()["code"]) == (422, "report_cell_not_entered")
    saved = board.request(
        "PUT",
        path,
        params=q,
        json={"cells": {"06|2": 1, "01|5": 2}, "signer_title": "Giám đốc Sở Nội vụ"},
    )
    assert saved.status_code == 200, saved.text
    version = saved.json()["version"]
    assert board.get(path, params=q).json()["cells"] == {"06|2": 1, "01|5": 2}
    again = board.request("PUT", path, params=q, json={"cells": {}, "version": version + 5})
    assert (again.status_code, again.json()["code"]) == (409, "stale_version")

    r = board.get("/api/v1/reports/0603.N", params=q)
    assert row(r.content, "01") == [5, 2, 1, 0, 2]  # Huy hiệu entered: in the total
    assert row(r.content, "06")[:2] == [1, 1]

    events = report_events(server)[before:]
    kinds = [e.kind for e in events]
    assert kinds == ["report_entries_saved", "report_downloaded"]
    assert events[1].data["form"] == "0603.N" and events[1].data["scope"] == "province"
    assert events[1].actor_name and events[1].data["year"] == YEAR
    assert all(PERSON not in str(e.data) for e in events)
    assert Api(server, "thanhtra").get("/api/v1/audit/verify").json()["ok"] is True

    out = tmp_path / "0603.xlsx"
    done = server.cli("report", "0603.N", "--year", str(YEAR), "--out", str(out))
    assert "0603.N" in done.stdout
    assert row(out.read_bytes(), "01") == [5, 2, 1, 0, 2]
    pdf = tmp_path / "0602.pdf"
    server.cli("report", "0602.N", "--year", str(YEAR), "--out", str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF")
    bad = server.cli(
        "report", "0699.N", "--year", str(YEAR), "--out", str(tmp_path / "x.xlsx"), check=False
    )
    assert bad.returncode == 2 and "report_form_not_found" in bad.stderr
    assert not (tmp_path / "x.xlsx").exists()
    assert report_events(server)[-1].data.get("via") == "cli"


def test_the_board_head_signs_and_seals_a_report(server: AppServer, tmp_path: Path):
    q = {"year": YEAR, "scope": "province"}
    r = Api(server, SPECIALIST).post("/api/v1/reports/0603.N/issue", params=q, json={})
    assert (r.status_code, r.json()["code"]) == (403, "report_issue_forbidden")
    head = Api(server, HEAD)
    r = head.get("/api/v1/reports/0603.N/issued", params=q)
    assert (r.status_code, r.json()["code"]) == (404, "report_not_issued")
    r = head.post("/api/v1/reports/0603.N/issue", params=q, json={"signing_pin": PIN})
    assert r.status_code == 200, r.text
    sha = r.json()["sha256"]
    got = head.get("/api/v1/reports/0603.N/issued", params=q)
    assert got.status_code == 200 and got.content.startswith(b"%PDF")
    assert hashlib.sha256(got.content).hexdigest() == sha
    path = tmp_path / "issued.pdf"
    path.write_bytes(got.content)
    roots = tmp_path / "roots.pem"
    roots.write_bytes(head.get("/api/v1/trust-roots").content)
    out = json.loads(
        server.cli("verify-pdf", str(path), "--trust-roots", str(roots), "--json").stdout
    )
    sigs = out["signatures"] if isinstance(out, dict) else out
    assert len(sigs) == 2
    assert all(s["intact"] and s["trusted"] for s in sigs)
    issued = [e for e in report_events(server) if e.kind == "report_issued"]
    assert len(issued) == 1 and issued[0].data["sha256"] == sha
    # 0605.N (every figure entered) is signed and sealed the same way.
    r = head.post("/api/v1/reports/0605.N/issue", params=q, json={"signing_pin": PIN})
    assert r.status_code == 200, r.text
    got = head.get("/api/v1/reports/0605.N/issued", params=q)
    assert hashlib.sha256(got.content).hexdigest() == r.json()["sha256"]
    path.write_bytes(got.content)
    out = json.loads(
        server.cli("verify-pdf", str(path), "--trust-roots", str(roots), "--json").stdout
    )
    sigs = out["signatures"] if isinstance(out, dict) else out
    assert len(sigs) == 2 and all(s["intact"] and s["trusted"] for s in sigs)
    # A unit's clerk cannot fetch the province's signed report.
    r = Api(server, CLERK).get("/api/v1/reports/0603.N/issued", params=q)
    assert r.status_code == 403


def test_tdkt_staff_entered_checked_and_downloaded(server: AppServer):
    board = Api(server, SPECIALIST)
    q = {"year": YEAR, "scope": "province"}
    path = "/api/v1/reports/0605.N/entries"
    for cells, code in (
        ({"02|1": 2, "02|2": 3}, "report_cell_exceeds_total"),  # Nữ above Tổng số
        ({"02|1": 1.5}, "report_cell_invalid"),
        ({"02|1": -2}, "report_cell_invalid"),
        ({"01|1": 4}, "report_cell_not_entered"),  # the total is summed
    ):
        r = board.request("PUT", path, params=q, json={"cells": cells})
        assert (r.status_code, r.json()["code"]) == (422, code), r.text
        assert r.json()["detail"]
    assert board.get(path, params=q).json()["cells"] == {}
    saved = board.request(
        "PUT", path, params=q, json={"cells": {"02|1": 2, "02|2": 1, "05|1": 1, "11|1": 3}}
    )
    assert saved.status_code == 200, saved.text
    r = board.get("/api/v1/reports/0605.N", params=q)
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws is not None
    got = {
        ws.cell(i, 2).value: [ws.cell(i, 3).value, ws.cell(i, 4).value]
        for i in range(1, ws.max_row + 1)
        if ws.cell(i, 2).value in ("01", "02", "05", "11")
    }
    assert got == {"01": [3, 1], "02": [2, 1], "05": [1, None], "11": [3, None]}
    r = board.request(
        "PUT", "/api/v1/reports/0604.N/entries", params=q, json={"cells": {"05|1": 2}}
    )
    assert r.status_code == 200, r.text
    assert row(board.get("/api/v1/reports/0604.N", params=q).content, "01")[0] == 2
