"""The awards registry through the real app: an issued decision writes its awards there
(a revoking decision marks them, a corrected name is read), the search finds names typed
without diacritics, a unit sees only its own records, and past awards are imported from
XLSX or CSV — a 100 000-row file with 37 bad rows reports exactly those rows, writes
nothing until accepted, writes the 99 963 clean rows once; the same file again adds
nothing; broken or oversized files are refused with their code and nothing written. No
identity number in an answer, a page or the server's log."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from domain.registry_import import HEADERS
from storage.models import AuditEvent, RegistryAward, RegistryImport
from tests.fixtures.decisions import SPECIALIST, issued_decision, signed
from tests.fixtures.decisions_seed import database
from tests.fixtures.modes import NO_COUNCIL, app_in_mode
from tests.fixtures.server import PASSWORD, Api, AppServer, minutes_pdf

pytestmark = pytest.mark.slow

IMPORT_LIMIT = 24 * 1024 * 1024
AUDITOR = "thanhtra"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    env = {**NO_COUNCIL, "TDKT_MAX_IMPORT_BYTES": str(IMPORT_LIMIT)}
    with app_in_mode(tmp_path_factory.mktemp("registry"), "embedded", env) as srv:
        yield srv


def signed_in(server: AppServer, username: str) -> httpx.Client:
    client = httpx.Client(base_url=server.base, timeout=60)
    found = re.search(r'name="csrf" value="([^"]+)"', client.get("/dang-nhap").text)
    assert found
    r = client.post(
        "/dang-nhap",
        data={"username": username, "password": PASSWORD, "csrf": found[1], "tiep": "/"},
    )
    assert r.status_code == 303, r.text
    return client


def upload(api: Api, name: str, data: bytes) -> httpx.Response:
    return api.post("/api/v1/registry/imports", files={"file": (name, data)})


def checked(api: Api, import_id: int, timeout: float = 300) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        r = api.get(f"/api/v1/registry/imports/{import_id}")
        assert r.status_code == 200, r.text
        out = r.json()
        if out["status"] != "checking":
            return out
        assert time.monotonic() < deadline, out
        time.sleep(0.2)


def all_problems(api: Api, import_id: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    page = 1
    while True:
        got = api.get(f"/api/v1/registry/imports/{import_id}?page={page}").json()["problems"]
        if not got:
            return out
        out += got
        page += 1


def search(api: Api, **params: Any) -> dict[str, Any]:
    r = api.get("/api/v1/registry", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def count_awards(server: AppServer, import_id: int | None = None) -> int:
    db = database(server)
    with db.read() as s:
        q = select(func.count()).select_from(RegistryAward)
        if import_id is not None:
            q = q.where(RegistryAward.import_id == import_id)
        n = s.scalar(q) or 0
    db.dispose()
    return n


def as_csv(rows: list[list[str]], bom: bool = True) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(HEADERS)
    w.writerows(rows)
    return (("\ufeff" if bom else "") + buf.getvalue()).encode("utf-8")


# ------------------------------------------------------------------ decisions


def test_an_issued_decision_writes_the_registry_and_its_amendments_follow(server):
    made = issued_decision(
        server,
        {
            "bdt": [("collective", "Phòng Chính sách"), ("individual", "Lò Văn Páo")],
            "lmhtx": [("individual", "Nông Văn Khánh")],
        },
        "Đợt tổng kết năm 2026",
    )
    specialist = Api(server, SPECIALIST)
    found = search(specialist, decision_number="1234/QĐ-UBND")
    by_name = {r["holder_name"]: r for r in found["items"]}
    assert set(by_name) == {"Phòng Chính sách", "Lò Văn Páo", "Nông Văn Khánh"}
    pao = by_name["Lò Văn Páo"]
    assert pao["source"] == "decision" and pao["award"] == "bang_khen_ubnd_tinh"
    assert pao["holder_kind"] == "individual" and pao["person_id"]
    assert by_name["Phòng Chính sách"]["collective_id"]
    assert pao["decision_date"] == "2026-12-04" and pao["year"] == 2026
    assert "UBND" in pao["issuer"] or "Ủy ban" in pao["issuer"], pao["issuer"]
    assert not any(r["revoked"] for r in found["items"])
    # Without diacritics, in capitals: the same record.
    [hit] = search(specialist, q="LO VAN PAO")["items"]
    assert hit["id"] == pao["id"]
    # A unit sees its own people's records only; another unit's filter is refused.
    lmhtx = Api(server, "lmhtx.canbo")
    assert [r["holder_name"] for r in search(lmhtx, decision_number="1234/QĐ-UBND")["items"]] == [
        "Nông Văn Khánh"
    ]
    r = lmhtx.get("/api/v1/registry", params={"unit_id": pao["unit_id"]})
    assert r.status_code == 403 and r.json()["code"] == "registry_other_unit", r.text

    d = made["decision"]
    khanh = next(a for a in d["awardees"] if a["name"] == "Nông Văn Khánh")
    r = specialist.post(
        f"/api/v1/decisions/{d['id']}/amendments",
        data={
            "number": "1300/QĐ-UBND",
            "decided_on": "2026-12-04",
            "kind": "thu_hoi",
            "reason": "Cá nhân vi phạm kỷ luật",
            "changes": f'[{{"record_id": {khanh["record_id"]}}}]',
        },
        files={"file": ("qd.pdf", signed(minutes_pdf(), made["ca"]))},
    )
    assert r.status_code == 200, r.text
    after = {
        r["holder_name"]: r for r in search(specialist, decision_number="1234/QĐ-UBND")["items"]
    }
    assert after["Nông Văn Khánh"]["revoked"] and after["Nông Văn Khánh"]["revoked_at"]
    assert not after["Lò Văn Páo"]["revoked"]
    # A correcting decision of the name: the registry reads, and is found by, the new one.
    pao_record = next(a for a in d["awardees"] if a["name"] == "Lò Văn Páo")["record_id"]
    r = specialist.post(
        f"/api/v1/decisions/{d['id']}/amendments",
        data={
            "number": "1301/QĐ-UBND",
            "decided_on": "2026-12-04",
            "kind": "dinh_chinh",
            "reason": "Sai chính tả họ tên",
            "changes": f'[{{"record_id": {pao_record}, "field": "name", '
            '"new_value": "Lò Văn Pảo"}]',
        },
        files={"file": ("qd.pdf", signed(minutes_pdf(), made["ca"]))},
    )
    assert r.status_code == 200, r.text
    [fixed] = search(specialist, q="lo van pao")["items"]
    assert (fixed["id"], fixed["holder_name"]) == (pao["id"], "Lò Văn Pảo")


# ------------------------------------------------------------------ the template


def test_the_template_downloads_and_imports_cleanly_when_filled(server):
    specialist = Api(server, SPECIALIST)
    r = specialist.get("/api/v1/registry/imports/template.csv")
    assert r.status_code == 200 and r.content.startswith(b"\xef\xbb\xbf")
    assert next(csv.reader(io.StringIO(r.content.decode("utf-8-sig")))) == list(HEADERS)
    r = specialist.get("/api/v1/registry/imports/template.xlsx")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb.worksheets[0]
    assert [c.value for c in ws[1]] == list(HEADERS)
    assert "Hướng dẫn" in wb.sheetnames
    tricky = 'Đặng Thị <Hồng> & "Nhung" {{ x }}'
    ws.append(
        [tricky, "079190000001", "05/03/1990", "Nữ", "BDT", "Cá nhân", "chien_si_thi_dua_co_so",
         2024, "15/QĐ-BDT", "20/01/2025", "Ban Dân tộc tỉnh", "Thường xuyên"]
    )  # fmt: skip
    ws.append(
        ["Phòng Tổng hợp", None, None, None, "bdt", "tập thể", "tap_the_lao_dong_tien_tien",
         2024, "15/QĐ-BDT", "20/01/2025", "Ban Dân tộc tỉnh", None]
    )  # fmt: skip
    buf = io.BytesIO()
    wb.save(buf)
    r = upload(specialist, "mau-da-dien.xlsx", buf.getvalue())
    assert r.status_code == 202, r.text
    out = checked(specialist, r.json()["id"])
    assert (out["status"], out["rows_total"], out["rows_bad"]) == ("preview", 2, 0), out
    assert count_awards(server, out["id"]) == 0
    r = specialist.post(f"/api/v1/registry/imports/{out['id']}/accept", json={})
    assert r.status_code == 200 and r.json()["rows_written"] == 2, r.text
    [hit] = search(specialist, q="dang thi hong nhung")["items"]
    assert hit["holder_name"] == tricky and hit["source"] == "import"
    assert hit["award_name"] == "Chiến sĩ thi đua cơ sở" and hit["year"] == 2024
    [team] = search(specialist, q="phong tong hop")["items"]
    assert team["holder_kind"] == "collective"
    # The page shows the text escaped, never the identity number.
    web = signed_in(server, SPECIALIST)
    page = web.get("/tra-cuu-khen-thuong", params={"q": "Dang Thi Hong"})
    assert page.status_code == 200
    assert "Đặng Thị &lt;Hồng&gt; &amp; &#34;Nhung&#34; {{ x }}" in page.text, page.text
    assert "Tra cứu khen thưởng" in page.text and "079190000001" not in page.text
    web.close()


# ------------------------------------------------------------------ 100 000 rows

N = 100_000
FAMILIES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hương", "Lan", "Minh", "Nga", "Tùng"]


def good_row(i: int) -> list[str]:
    name = f"{FAMILIES[i % 10]} Văn {GIVEN[(i // 10) % 10]} {i}"
    unit = "BDT" if i % 2 else "LMHTX"
    return [name, f"001085{i:06d}", "01/02/1985", "Nam", unit, "Cá nhân",
            "lao_dong_tien_tien", "2023", f"{i % 50 + 1}/QĐ-{unit}", "15/01/2024",
            "Thủ trưởng đơn vị", "Thường xuyên"]  # fmt: skip


BREAKS: list[tuple[int, str, Any]] = [
    (1, "identity_no_invalid", "12345"),
    (6, "award_unknown", "khong_co_ma_nay"),
    (6, "award_holder_kind", "tap_the_lao_dong_tien_tien"),
    (9, "decision_date_invalid", "31/02/2024"),
    (7, "year_inconsistent", "2019"),
    (4, "unit_unknown", "KHONGCO"),
    (0, "name_required", ""),
    (11, "occasion_invalid", "Hàng tháng"),
    (3, "gender_invalid", "K"),
    (-1, "duplicate_in_file", None),
]


def big_file() -> tuple[bytes, dict[int, str]]:
    rows = [good_row(i) for i in range(1, N + 1)]
    bad: dict[int, str] = {}
    for k in range(37):
        row_no = 1000 + k * 2600
        column, code, value = BREAKS[k % len(BREAKS)]
        if column == -1:
            rows[row_no - 1] = list(rows[row_no - 2])  # the row above, again
        else:
            rows[row_no - 1][column] = value
        bad[row_no] = code
    return as_csv(rows), bad


def test_a_100000_row_file_reports_exactly_its_37_bad_rows_and_writes_once(server):
    data, bad = big_file()
    assert len(data) < IMPORT_LIMIT
    specialist = Api(server, SPECIALIST)
    before = count_awards(server)
    started = time.monotonic()
    r = upload(specialist, "khen-thuong-cu.csv", data)
    assert r.status_code == 202, r.text
    import_id = r.json()["id"]
    out = checked(specialist, import_id)
    check_s = time.monotonic() - started
    assert out["status"] == "preview", out
    assert (out["rows_total"], out["rows_done"], out["rows_bad"]) == (N, N, 37), out
    assert out["sha256"] == hashlib.sha256(data).hexdigest()
    problems = all_problems(specialist, import_id)
    assert {p["row_no"]: p["code"] for p in problems} == bad
    assert all(p["message"] and p["column_label"] for p in problems)
    assert count_awards(server) == before  # nothing written before acceptance

    r = specialist.post(f"/api/v1/registry/imports/{import_id}/accept", json={})
    assert r.status_code == 409 and r.json()["code"] == "import_has_problems", r.text
    assert count_awards(server) == before
    started = time.monotonic()
    r = specialist.post(f"/api/v1/registry/imports/{import_id}/accept", json={"only_clean": True})
    accept_s = time.monotonic() - started
    assert r.status_code == 200, r.text
    assert r.json()["rows_written"] == N - 37 == 99_963
    assert count_awards(server, import_id) == 99_963
    r = specialist.post(f"/api/v1/registry/imports/{import_id}/accept", json={"only_clean": True})
    assert r.status_code == 409 and r.json()["code"] == "import_closed"
    print(f"\n100 000-row CSV: check {check_s:.1f} s, accept {accept_s:.1f} s (embedded, SQLite)")

    # Found without diacritics; the answer carries no identity number.
    found = search(specialist, q="VU VAN HA 12345", year=2023)
    assert [x["holder_name"] for x in found["items"]] == ["Vũ Văn Hà 12345"], found
    assert "900000012345" not in str(found)

    # The same file again: every row is reported, nothing more is written.
    r = upload(specialist, "khen-thuong-cu-lan-2.csv", data)
    again = checked(specialist, r.json()["id"])
    assert again["rows_bad"] == N and again["duplicates_in_registry"] == 99_963, again
    assert again["note"] and "đã có trong sổ" in again["note"]
    r = specialist.post(f"/api/v1/registry/imports/{again['id']}/accept", json={"only_clean": True})
    assert r.status_code == 200 and r.json()["rows_written"] == 0, r.text
    assert count_awards(server, import_id) == 99_963
    assert count_awards(server) == before + 99_963

    # One audit event per import, with the file's SHA-256 and the counts.
    db = database(server)
    with db.read() as s:
        events = s.scalars(
            select(AuditEvent).where(
                AuditEvent.subject_kind == "registry_import", AuditEvent.subject_id == import_id
            )
        ).all()
    db.dispose()
    [e] = events
    assert e.data["sha256"] == hashlib.sha256(data).hexdigest()
    assert (e.data["rows_written"], e.data["rows_bad"]) == (99_963, 37)

    # The preview page lists the problems by row; no personal data anywhere.
    web = signed_in(server, SPECIALIST)
    page = web.get(f"/tra-cuu-khen-thuong/nhap/{import_id}")
    assert page.status_code == 200 and "identity_no_invalid" in page.text
    assert "Đã ghi vào sổ" in page.text
    web.close()
    log = (server.var_dir / "server.log").read_text(errors="replace")
    assert "900000001000" not in log and "900000012345" not in log


# ------------------------------------------------------------------ refusals and scope


def test_broken_wrong_and_huge_files_are_refused_and_nothing_is_written(server):
    specialist = Api(server, SPECIALIST)
    db = database(server)

    def imports() -> int:
        with db.read() as s:
            return s.scalar(select(func.count()).select_from(RegistryImport)) or 0

    before_imports, before_awards = imports(), count_awards(server)
    good = as_csv([good_row(5)])
    for name, data, status, code in (
        ("bang.xlsx", minutes_pdf(), 415, "import_not_xlsx"),
        ("bang.pdf", minutes_pdf(), 415, "import_file_type"),
        ("bang.csv", good.decode("utf-8").encode("cp1258", errors="replace"), 422,
         "import_csv_encoding"),
        ("bang.csv", "Tên,Năm\nAn,2024\n".encode(), 422, "import_header_invalid"),
        ("bang.csv", b"", 422, "import_empty"),
        ("bang.csv", b"x" * (IMPORT_LIMIT + 1024), 413, "payload_too_large"),
    ):  # fmt: skip
        r = upload(specialist, name, data)
        assert (r.status_code, r.json()["code"]) == (status, code), (name, r.text)
    assert imports() == before_imports and count_awards(server) == before_awards
    # Broken half-way (an unclosed quote): the import fails, nothing can be accepted.
    broken = as_csv([good_row(7)]) + b'"Nguy\xe1\xbb\x85n V\xc4\x83n A,1\n'
    r = upload(specialist, "hong.csv", broken)
    assert r.status_code == 202, r.text
    out = checked(specialist, r.json()["id"])
    assert out["status"] == "failed" and "CSV" in out["error"], out
    r = specialist.post(f"/api/v1/registry/imports/{out['id']}/accept", json={"only_clean": True})
    assert r.status_code == 409 and r.json()["code"] == "import_closed"
    r = specialist.post(f"/api/v1/registry/imports/{out['id']}/discard")
    assert r.status_code == 200 and r.json()["status"] == "discarded"
    assert count_awards(server) == before_awards
    db.dispose()


def test_a_unit_imports_its_own_grassroots_titles_only_and_sees_only_its_records(server):
    clerk = Api(server, "bdt.canbo")
    rows = [
        ["Hoàng Thị Mai", "079185000123", "", "", "BDT", "Cá nhân", "lao_dong_tien_tien",
         "2025", "3/QĐ-BDT", "10/01/2025", "Ban Dân tộc tỉnh", ""],
        ["Vi Văn Sơn", "079185000124", "", "", "LMHTX", "Cá nhân", "lao_dong_tien_tien",
         "2025", "3/QĐ-BDT", "10/01/2025", "Ban Dân tộc tỉnh", ""],
        ["Lục Văn Tài", "079185000125", "", "", "BDT", "Cá nhân", "bang_khen_ubnd_tinh",
         "2025", "3/QĐ-BDT", "10/01/2025", "Ban Dân tộc tỉnh", ""],
    ]  # fmt: skip
    r = upload(clerk, "don-vi.csv", as_csv(rows, bom=False))
    assert r.status_code == 202, r.text
    out = checked(clerk, r.json()["id"])
    codes = {p["row_no"]: p["code"] for p in all_problems(clerk, out["id"])}
    assert codes == {2: "unit_not_own", 3: "award_not_unit_decides"}
    # Another unit's clerk does not see the import.
    assert (
        Api(server, "lmhtx.canbo").get(f"/api/v1/registry/imports/{out['id']}").status_code == 404
    )
    r = clerk.post(f"/api/v1/registry/imports/{out['id']}/accept", json={"only_clean": True})
    assert r.status_code == 200 and r.json()["rows_written"] == 1, r.text
    assert [x["holder_name"] for x in search(clerk, q="hoang thi mai")["items"]] == [
        "Hoàng Thị Mai"
    ]
    assert search(Api(server, "lmhtx.canbo"), q="hoang thi mai")["items"] == []
    assert len(search(Api(server, AUDITOR), q="hoang thi mai")["items"]) == 1
    # The unit's menu leads to the search page.
    web = signed_in(server, "bdt.canbo")
    home = web.get("/")
    assert 'href="/tra-cuu-khen-thuong"' in home.text
    web.close()


def test_a_unit_enters_a_title_it_decided_with_its_decision_and_a_second_time_is_refused(server):
    clerk = Api(server, "bdt.canbo")
    pdf = ("qd-don-vi.pdf", minutes_pdf())
    form = {
        "award": "chien_si_thi_dua_co_so",
        "year": "2025",
        "decision_number": "45/QĐ-BDT",
        "decided_on": "2026-01-10",
        "holder_name": "Triệu Thị Dung",
        "identity_no": "079186000777",
    }
    r = clerk.post("/api/v1/registry/unit-awards", data=form, files={"file": pdf})
    assert r.status_code == 201, r.text
    made = r.json()
    assert (made["source"], made["holder_name"], made["issuer"]) == (
        "unit",
        "Triệu Thị Dung",
        "Ban Dân tộc tỉnh",
    )
    assert "079186000777" not in r.text
    r = clerk.post("/api/v1/registry/unit-awards", data=form, files={"file": pdf})
    assert r.status_code == 409 and r.json()["code"] == "registry_duplicate", r.text
    for extra, files, status, code in (
        ({"award": "bang_khen_ubnd_tinh"}, {"file": pdf}, 422, "award_not_unit_decides"),
        ({"year": "2020"}, {"file": pdf}, 422, "year_inconsistent"),
        ({}, {"file": ("qd.txt", b"khong phai pdf")}, 415, None),
    ):
        r = clerk.post("/api/v1/registry/unit-awards", data={**form, **extra}, files=files)
        assert r.status_code == status, r.text
        assert code is None or r.json()["code"] == code, r.text
    # The unit itself, as a collective: its own title.
    team = {k: v for k, v in form.items() if k not in ("holder_name", "identity_no")}
    r = clerk.post(
        "/api/v1/registry/unit-awards",
        data={**team, "award": "tap_the_lao_dong_tien_tien"},
        files={"file": pdf},
    )
    assert r.status_code == 201 and r.json()["holder_kind"] == "collective", r.text
    # The board enters no unit's title; the unit finds what it entered.
    r = Api(server, SPECIALIST).post("/api/v1/registry/unit-awards", data=form, files={"file": pdf})
    assert r.status_code == 403, r.text
    found = search(clerk, decision_number="45/QĐ-BDT")["items"]
    assert sorted(x["award"] for x in found) == [
        "chien_si_thi_dua_co_so",
        "tap_the_lao_dong_tien_tien",
    ]
