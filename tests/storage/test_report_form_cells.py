"""The statistics report forms on both databases, for a fixture year (2025) whose every
figure is worked out by hand below: each non-empty cell of 0601.N, 0602.N and 0603.N for
the province, a cluster and a unit, and of 0604.N and 0605.N from entries (with their
refusals: negative, not whole, a part above its total); records of another year, another
province, revoked or of a unit-level title are not counted; the board's entered cells are
kept and summed; each scope is seen only by those it belongs to. The XLSX keeps its merged
header cells and LibreOffice turns it into a PDF."""

from __future__ import annotations

import io
import re
import subprocess
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from domain.errors import Forbidden, InvalidInput, NotFound
from domain.roles import Actor, Role, RoleGrant
from issuing.reports import build as reports
from storage.db import Database
from storage.migrate import upgrade
from storage.models import (
    Authority,
    Cluster,
    ClusterMembership,
    ClusterTerm,
    Collective,
    Person,
    RegistryAward,
    Unit,
    User,
)
from tests.fixtures.pg import fresh_database

YEAR = 2025
TODAY = date(2025, 12, 10)


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'reports.sqlite3'}"
        upgrade(url)
        d = Database(url)
        yield d
        d.dispose()
        return
    with fresh_database() as url:
        upgrade(url)
        d = Database(url)
        yield d
        d.dispose()


class Org:
    authority = 0
    other_authority = 0
    cluster = 0
    u1 = u2 = u3 = u4 = 0
    user = 0


def seed(db: Database) -> Org:
    """Cụm I = {U1, U2}; U3 in no cluster; U4 in another province. The year's records:

    U1: Bằng khen tỉnh to 2 people (yearly) and 1 collective (yearly); Cờ thi đua tỉnh
        (collective, yearly); Chiến sĩ thi đua cấp tỉnh (person, chuyên đề).
    U2: Bằng khen tỉnh (person, đột xuất); Bằng khen Thủ tướng (person and collective,
        yearly); Huân chương Lao động hạng Ba (collective, yearly).
    U3: Bằng khen tỉnh (collective, chuyên đề); Chiến sĩ thi đua toàn quốc (person,
        yearly); Cờ thi đua Chính phủ (collective, yearly).
    Not counted: U1's Bằng khen of 2024; U1's revoked Bằng khen of 2025; U4's Bằng khen
    (another province); U1's Lao động tiên tiến and Giấy khen (unit-level).
    """
    o = Org()
    with db.write() as s:
        a = Authority(code="SNV", name="Sở Nội vụ tỉnh Lạng Sơn", province="Lạng Sơn")
        b = Authority(code="SNV2", name="Sở Nội vụ tỉnh Cao Bằng", province="Cao Bằng")
        s.add_all([a, b])
        s.flush()
        c = Cluster(authority_id=a.id, code="C1", name="Cụm I")
        s.add(c)
        s.flush()
        units = [
            Unit(authority_id=a.id, cluster_id=c.id, code="U1", name="Ban Dân tộc tỉnh"),
            Unit(authority_id=a.id, cluster_id=c.id, code="U2", name="Liên minh HTX tỉnh"),
            Unit(authority_id=a.id, code="U3", name="Bưu điện tỉnh Lạng Sơn"),
            Unit(authority_id=b.id, code="U4", name="Ban Dân tộc tỉnh Cao Bằng"),
        ]
        s.add_all(units)
        s.flush()
        for u in units[:2]:
            s.add(ClusterMembership(cluster_id=c.id, unit_id=u.id, valid_from=date(2020, 1, 1)))
        s.add(ClusterTerm(cluster_id=c.id, year=YEAR, head_unit_id=units[0].id))
        user = User(username="bo", full_name="Chuyên viên", password_hash="x")
        s.add(user)
        s.flush()
        n = iter(range(1, 1000))

        def award(unit: Unit, code: str, holder: str, occasion: str = "yearly", **kw: object):
            if holder == "p":
                h = Person(full_name=f"Người {next(n)}", unit_id=unit.id)
                s.add(h)
                s.flush()
                who = {"person_id": h.id}
            else:
                col = Collective(unit_id=unit.id, kind="part", name=f"Phòng {next(n)}")
                s.add(col)
                s.flush()
                who = {"collective_id": col.id}
            s.add(
                RegistryAward(
                    award=code,
                    year=kw.get("year", YEAR),
                    occasion=occasion,
                    decision_number=f"{next(n)}/QĐ-UBND",
                    decision_date=date(2025, 6, 1),
                    issuer="UBND tỉnh",
                    source="import",
                    holder_name="x",
                    unit_id=unit.id,
                    revoked_at=kw.get("revoked_at"),
                    **who,
                )
            )

        u1, u2, u3, u4 = units
        award(u1, "bang_khen_ubnd_tinh", "p")
        award(u1, "bang_khen_ubnd_tinh", "p")
        award(u1, "bang_khen_ubnd_tinh", "c")
        award(u1, "co_thi_dua_ubnd_tinh", "c")
        award(u1, "chien_si_thi_dua_cap_tinh", "p", "chuyen_de")
        award(u2, "bang_khen_ubnd_tinh", "p", "dot_xuat")
        award(u2, "bang_khen_thu_tuong", "p")
        award(u2, "bang_khen_thu_tuong", "c")
        award(u2, "huan_chuong_lao_dong_hang_ba", "c")
        award(u3, "bang_khen_ubnd_tinh", "c", "chuyen_de")
        award(u3, "chien_si_thi_dua_toan_quoc", "p")
        award(u3, "co_thi_dua_chinh_phu", "c")
        # not counted
        award(u1, "bang_khen_ubnd_tinh", "p", year=2024)
        award(u1, "bang_khen_ubnd_tinh", "p", revoked_at=datetime(2025, 9, 1, tzinfo=UTC))
        award(u4, "bang_khen_ubnd_tinh", "p")
        award(u1, "lao_dong_tien_tien", "p")
        award(u1, "giay_khen", "c")
        o.authority, o.other_authority, o.cluster = a.id, b.id, c.id
        o.u1, o.u2, o.u3, o.u4 = (u.id for u in units)
        o.user = user.id
    return o


def cells(db: Database, form: str, scope: reports.Scope, actor: Actor | None = None):
    with db.read() as s:
        r = reports.build(s, actor, form, YEAR, scope, place="Lạng Sơn", today=TODAY)
    return {k: v for k, v in r.cells.items() if v is not None}


def table(rows: dict[str, list[int]], keys: list[str]) -> dict[tuple[str, str], int]:
    return {(r, k): v for r, vals in rows.items() for k, v in zip(keys, vals, strict=True)}


K0603 = ["1", "2", "3", "4"]  # Tổng số, Bằng khen, CSTĐ cấp tỉnh, Cờ thi đua (5: entered)


def test_0603_province_cluster_unit(db: Database):
    o = seed(db)
    # Province: Bằng khen 5 (2 collectives, 3 people; 3 yearly, 1 chuyên đề, 1 đột xuất),
    # CSTĐ tỉnh 1 (person, chuyên đề), Cờ 1 (collective, yearly).
    assert cells(db, "0603.N", reports.Scope("province")) == table(
        {
            "01": [7, 5, 1, 1],
            "02": [3, 2, 0, 1],
            "05": [4, 3, 1, 0],
            "11": [4, 3, 0, 1],
            "12": [2, 1, 1, 0],
            "13": [1, 1, 0, 0],
        },
        K0603,
    )
    # Cụm I (U1, U2): U3's Bằng khen (collective, chuyên đề) is out.
    assert cells(db, "0603.N", reports.Scope("cluster", o.cluster)) == table(
        {
            "01": [6, 4, 1, 1],
            "02": [2, 1, 0, 1],
            "05": [4, 3, 1, 0],
            "11": [4, 3, 0, 1],
            "12": [1, 0, 1, 0],
            "13": [1, 1, 0, 0],
        },
        K0603,
    )
    # U3 alone: one collective's Bằng khen on a chuyên đề.
    assert cells(db, "0603.N", reports.Scope("unit", o.u3)) == table(
        {
            "01": [1, 1, 0, 0],
            "02": [1, 1, 0, 0],
            "05": [0, 0, 0, 0],
            "11": [0, 0, 0, 0],
            "12": [1, 1, 0, 0],
            "13": [0, 0, 0, 0],
        },
        K0603,
    )


K0602 = ["1", "2a", "2b", "6", "7a", "7b", "8"]  # the columns tdkt counts


def test_0602_state_awards_of_the_province(db: Database):
    seed(db)
    # HCLĐ hạng Ba: 1 collective; Cờ Chính phủ 1; Bằng khen Thủ tướng: 1 collective and
    # 1 person; CSTĐ toàn quốc 1 person: all yearly, all proposed by the province.
    total = [5, 1, 0, 1, 1, 1, 1]
    zero = [0] * 7
    assert cells(db, "0602.N", reports.Scope("province")) == table(
        {
            "01": total,
            "03": total,
            "06": [3, 1, 0, 1, 1, 0, 0],
            "09": [2, 0, 0, 0, 0, 1, 1],
            "15": total,
            "16": zero,
            "17": zero,
        },
        K0602,
    )


def test_entered_cells_are_kept_and_summed(db: Database):
    o = seed(db)
    board = Actor(1, (RoleGrant(Role.BOARD_SPECIALIST, authority_id=o.authority),))
    province = reports.Scope("province")
    with db.write() as s:
        reports.save_entries(
            s,
            board,
            o.user,
            "0603.N",
            YEAR,
            province,
            {"03|2": "1", "01|5": "4", "14|4": ""},
            signer_title="Giám đốc Sở Nội vụ",
            signer_name="Hoàng Văn Bình",
            preparer_name="Lê Thị Hoa",
            expected_version=None,
        )
    got = cells(db, "0603.N", province)
    assert got[("03", "2")] == 1 and got[("03", "1")] == 1  # Doanh nghiệp: entered, summed
    assert got[("01", "5")] == 4 and got[("01", "1")] == 7 + 4  # Huy hiệu added to the total
    assert ("14", "4") not in got
    # A counted cell is not typed over; a negative or a word is refused; nothing changed.
    for bad, code in (
        ({"01|2": "9"}, "report_cell_not_entered"),
        ({"03|2": "-1"}, "report_cell_invalid"),
    ):
        with pytest.raises(InvalidInput) as e, db.write() as s:
            reports.save_entries(
                s,
                board,
                o.user,
                "0603.N",
                YEAR,
                province,
                bad,
                signer_title="",
                signer_name="",
                preparer_name="",
                expected_version=None,
            )
        assert e.value.code == code
    assert cells(db, "0603.N", province) == got
    # 0601.N is all entered: totals by row and by column.
    entered = {"02|2": 1, "03|3": 4, "04|3": 2, "05|4": 6, "07|3": 5, "12|3": 5}
    with db.write() as s:
        reports.save_entries(
            s,
            board,
            o.user,
            "0601.N",
            YEAR,
            province,
            entered,
            signer_title="",
            signer_name="",
            preparer_name="",
            expected_version=None,
        )
    assert cells(db, "0601.N", province) == {
        ("01", "1=(2+3+4)"): 13,
        ("01", "2"): 1,
        ("01", "3"): 6,
        ("01", "4"): 6,
        ("02", "1=(2+3+4)"): 1,
        ("02", "2"): 1,
        ("03", "1=(2+3+4)"): 4,
        ("03", "3"): 4,
        ("04", "1=(2+3+4)"): 2,
        ("04", "3"): 2,
        ("05", "1=(2+3+4)"): 6,
        ("05", "4"): 6,
        ("07", "1=(2+3+4)"): 5,
        ("07", "3"): 5,
        ("12", "1=(2+3+4)"): 5,
        ("12", "3"): 5,
    }


def test_each_scope_only_to_those_it_belongs_to(db: Database):
    o = seed(db)
    board = Actor(1, (RoleGrant(Role.BOARD_HEAD, authority_id=o.authority),))
    other_board = Actor(2, (RoleGrant(Role.BOARD_HEAD, authority_id=o.other_authority),))
    head_unit = Actor(3, (RoleGrant(Role.CLUSTER_APPROVER, unit_id=o.u1),))
    clerk3 = Actor(4, (RoleGrant(Role.UNIT_CLERK, unit_id=o.u3),))
    province = reports.Scope("province")
    cluster = reports.Scope("cluster", o.cluster)
    u1, u3 = reports.Scope("unit", o.u1), reports.Scope("unit", o.u3)
    for actor, allowed, refused in (
        (board, [province, cluster, u1, u3], []),
        (other_board, [], [province, cluster, u3]),
        (head_unit, [cluster], [province, u3]),
        (clerk3, [u3], [province, cluster, u1]),
    ):
        for sc in allowed:
            assert cells(db, "0603.N", sc, actor)
        for sc in refused:
            with pytest.raises(Forbidden):
                cells(db, "0603.N", sc, actor)
    with pytest.raises(Forbidden) as e, db.write() as s:
        reports.save_entries(
            s,
            clerk3,
            o.user,
            "0603.N",
            YEAR,
            u3,
            {},
            signer_title="",
            signer_name="",
            preparer_name="",
            expected_version=None,
        )
    assert e.value.code == "report_entry_forbidden"
    with pytest.raises(NotFound) as nf:
        cells(db, "0999.N", province)
    assert nf.value.code == "report_form_not_found"
    with pytest.raises(NotFound) as nf, db.read() as s:
        reports.build(s, None, "0603.N", 2022, province, place="x", today=TODAY)
    assert nf.value.code == "report_form_not_in_force"


def _header_merges(data: bytes) -> tuple[set[str], int]:
    ws = load_workbook(io.BytesIO(data)).active
    assert ws is not None
    head = next(r for r in range(1, 30) if ws.cell(r, 2).value == "Mã số")
    return {str(m) for m in ws.merged_cells.ranges}, head


def test_xlsx_keeps_its_merged_header_and_becomes_a_pdf(db: Database, tmp_path: Path):
    seed(db)
    with db.read() as s:
        report = reports.build(
            s, None, "0603.N", YEAR, reports.Scope("province"), place="Lạng Sơn", today=TODAY
        )
    data = reports.xlsx(report)
    merged, h = _header_merges(data)
    # A, B (Mã số), C (Đơn vị tính) and column 1 (Tổng số) span both header rows; «Chia
    # ra» spans the four columns 2–5 (E:H).
    for rng in (
        f"A{h}:A{h + 1}",
        f"B{h}:B{h + 1}",
        f"C{h}:C{h + 1}",
        f"D{h}:D{h + 1}",
        f"E{h}:H{h}",
    ):
        assert rng in merged
    ws = load_workbook(io.BytesIO(data)).active
    assert ws is not None
    assert ws.cell(h, 5).value == "Chia ra"
    assert ws.cell(h + 1, 5).value == "Bằng khen"
    assert ws.cell(h, 1).font.name == "Times New Roman"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    assert ws.print_area
    pdf = reports.pdf(report, profile_root=tmp_path / "lo")
    assert pdf.startswith(b"%PDF")
    (tmp_path / "r.pdf").write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "r.pdf"), "-"], capture_output=True, check=True
    ).stdout.decode()
    assert "0603.N/BNV-TĐKT" in out
    assert "Lạng Sơn, ngày 10 tháng 12 năm 2025" in out
    assert "Bằng khen" in out
    # 0602.N: three header levels, «Bằng khen của Thủ tướng» over Tập thể / Cá nhân.
    with db.read() as s:
        r2 = reports.build(
            s, None, "0602.N", YEAR, reports.Scope("province"), place="Lạng Sơn", today=TODAY
        )
    merged2, h2 = _header_merges(reports.xlsx(r2))
    ws2 = load_workbook(io.BytesIO(reports.xlsx(r2))).active
    assert ws2 is not None
    col7a = next(c for c in range(4, 20) if ws2.cell(h2 + 4, c).value == "7a")
    assert ws2.cell(h2 + 1, col7a).value == "Bằng khen của Thủ tướng Chính phủ"
    assert any(m.startswith(f"{ws2.cell(h2 + 1, col7a).coordinate}:") for m in merged2)
    assert reports.pdf(r2, profile_root=tmp_path / "lo").startswith(b"%PDF")


def _save(db: Database, o: Org, form: str, entered: dict[str, object]) -> None:
    board = Actor(1, (RoleGrant(Role.BOARD_SPECIALIST, authority_id=o.authority),))
    with db.write() as s:
        reports.save_entries(
            s,
            board,
            o.user,
            form,
            YEAR,
            reports.Scope("province"),
            entered,
            signer_title="Giám đốc Sở Nội vụ",
            signer_name="Hoàng Văn Bình",
            preparer_name="Lê Thị Hoa",
            expected_version=None,
        )


def test_0604_bodies_entered_and_totalled(db: Database):
    o = seed(db)
    province = reports.Scope("province")
    assert cells(db, "0604.N", province) == {}  # nothing counted from awards
    # One Ban and two Phòng under the Sở Nội vụ; row 01 (Tổ chức) is their sum.
    _save(db, o, "0604.N", {"04|1": "1", "05|1": "2", "02|1": ""})
    assert cells(db, "0604.N", province) == {("01", "1"): 3, ("04", "1"): 1, ("05", "1"): 2}
    with pytest.raises(InvalidInput) as e:
        _save(db, o, "0604.N", {"01|1": "9"})
    assert e.value.code == "report_cell_not_entered"


def test_0605_staff_entered_totalled_and_checked(db: Database):
    o = seed(db)
    province = reports.Scope("province")
    entered: dict[str, object] = {
        # by age (Tổng số, Nữ): row 01 is their sum
        "02|1": "2", "02|2": "1",
        "03|1": "3", "03|2": "2",
        "04|1": "1", "04|2": "0",
        "06|1": "1",
        # by training: 7 of 7
        "11|1": "5", "11|2": "2",
        "12|1": "2", "12|2": "1",
        # by seniority in TĐKT work
        "13|1": "4", "13|2": "2",
        "14|1": "2",
        "15|1": "1", "15|2": "1",
    }  # fmt: skip
    _save(db, o, "0605.N", entered)
    want = {
        ("01", "1"): 7,
        ("01", "2"): 3,
        ("02", "1"): 2,
        ("02", "2"): 1,
        ("03", "1"): 3,
        ("03", "2"): 2,
        ("04", "1"): 1,
        ("04", "2"): 0,
        ("06", "1"): 1,
        ("11", "1"): 5,
        ("11", "2"): 2,
        ("12", "1"): 2,
        ("12", "2"): 1,
        ("13", "1"): 4,
        ("13", "2"): 2,
        ("14", "1"): 2,
        ("15", "1"): 1,
        ("15", "2"): 1,
    }
    assert cells(db, "0605.N", province) == want
    # Refusals: Vietnamese message, stable code, nothing of the saved figures lost.
    nu_over = "«Trong đó: Nữ» (5) lớn hơn «Tổng số» (2)"
    for bad, code, words in (
        ({"02|1": "-1"}, "report_cell_invalid", "không được âm"),
        ({"02|1": "1.5"}, "report_cell_invalid", "số nguyên"),
        ({"02|1": "2,5"}, "report_cell_invalid", "số nguyên"),
        ({"02|1": "hai"}, "report_cell_invalid", "số nguyên không âm"),
        ({"02|1": "2", "02|2": "5"}, "report_cell_exceeds_total", nu_over),
        ({"03|2": "1"}, "report_cell_exceeds_total", "Dòng 03"),
        ({"02|1": "2", "11|1": "9"}, "report_cell_exceeds_total", "các dòng 08–12 (9) lớn hơn"),
        (
            {"02|1": "2", "13|1": "2", "14|1": "1"},
            "report_cell_exceeds_total",
            "các dòng 13–15 (3) lớn hơn dòng 01",
        ),
        ({"01|1": "7"}, "report_cell_not_entered", "không nhập tay"),
    ):
        with pytest.raises(InvalidInput) as e:
            _save(db, o, "0605.N", bad)
        assert e.value.code == code, (bad, e.value.code)
        assert words in e.value.message, e.value.message
    assert cells(db, "0605.N", province) == want


def _words(pdf: Path) -> list[tuple[str, float, float, float]]:
    """(word, xMin, xMax, yMin) of the PDF's first page, by pdftotext -bbox."""
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf), "-"],
        capture_output=True,
        check=True,
    ).stdout.decode()
    found = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>',
        html,
    )
    return [(w, float(x1), float(x2), float(y1)) for x1, y1, x2, w in found]


def test_0604_0605_xlsx_and_pdf_keep_their_headers(db: Database, tmp_path: Path):
    o = seed(db)
    _save(db, o, "0605.N", {"02|1": "2", "02|2": "1", "11|1": "2"})
    _save(db, o, "0604.N", {"04|1": "1"})
    province = reports.Scope("province")
    with db.read() as s:
        r5 = reports.build(s, None, "0605.N", YEAR, province, place="Lạng Sơn", today=TODAY)
        r4 = reports.build(s, None, "0604.N", YEAR, province, place="Lạng Sơn", today=TODAY)
    data = reports.xlsx(r5)
    merged, h = _header_merges(data)
    # 0605.N has no «Đơn vị tính»: A and B (Mã số) span both header rows, «Số lượng
    # (Người)» spans Tổng số (C) and Trong đó: Nữ (D).
    for rng in (f"A{h}:A{h + 1}", f"B{h}:B{h + 1}", f"C{h}:D{h}"):
        assert rng in merged
    ws = load_workbook(io.BytesIO(data)).active
    assert ws is not None
    assert ws.cell(h, 3).value == "Số lượng (Người)"
    assert (ws.cell(h + 1, 3).value, ws.cell(h + 1, 4).value) == ("Tổng số", "Trong đó: Nữ")
    assert [ws.cell(h + 2, c).value for c in range(1, 5)] == ["A", "B", "1", "2"]
    total = next(r for r in range(h, ws.max_row + 1) if ws.cell(r, 2).value == "01")
    assert [ws.cell(total, c).value for c in (3, 4)] == [2, 1]
    assert all(ws.cell(r, c).value != "Đơn vị tính" for r in range(1, 40) for c in range(1, 6))
    assert ws.cell(h, 3).font.name == "Times New Roman" and ws.cell(h, 3).border.left.style
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.print_area and ws.print_title_rows
    signer = [ws.cell(r, c).value for r in range(total, ws.max_row + 1) for c in (1, 3)]
    assert "NGƯỜI LẬP BIỂU" in signer and "GIÁM ĐỐC SỞ NỘI VỤ" in signer
    assert "Hoàng Văn Bình" in signer and "Lê Thị Hoa" in signer

    pdf = tmp_path / "0605.pdf"
    pdf.write_bytes(reports.pdf(r5, profile_root=tmp_path / "lo"))
    words = _words(pdf)
    # The merged «Số lượng (Người)» is centred over both columns: its middle lies between
    # «Tổng số» (column 1) and «Trong đó: Nữ» (column 2) on the row below, not over one.
    nguoi = next(w for w in words if w[0] == "(Người)")
    so = next(w for w in words if w[0] == "Số" and abs(w[3] - nguoi[3]) < 2)
    below = [w for w in words if so[3] + 5 < w[3] < so[3] + 60]
    i = next(i for i, w in enumerate(below) if w[0] == "Tổng")
    tong_so_end = below[i + 1][2]  # the «số» of «Tổng số»
    trong = next(w for w in below if w[0] == "Trong")
    middle = (so[1] + nguoi[2]) / 2
    assert tong_so_end < middle < trong[1], (below, so, nguoi)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True
    ).stdout.decode()
    assert "0605.N/BNV-TĐKT" in text and "Trên đại học" in text and "Từ 10 năm trở lên" in text

    data4 = reports.xlsx(r4)
    merged4, h4 = _header_merges(data4)
    ws4 = load_workbook(io.BytesIO(data4)).active
    assert ws4 is not None
    head4 = [ws4.cell(h4, c).value for c in range(1, 5)]
    assert head4 == [None, "Mã số", "Đơn vị tính", "Số lượng"]
    assert not any(m.startswith(f"A{h4}:") for m in merged4)  # one header row, no 1×1 merge
    units = {ws4.cell(r, 2).value: ws4.cell(r, 3).value for r in range(h4 + 2, h4 + 8)}
    assert units == {
        "01": "Tổ chức",
        None: None,
        "02": "Vụ",
        "03": "Phòng",
        "04": "Ban",
        "05": "Phòng",
    }
    pdf4 = tmp_path / "0604.pdf"
    pdf4.write_bytes(reports.pdf(r4, profile_root=tmp_path / "lo"))
    text4 = subprocess.run(
        ["pdftotext", "-layout", str(pdf4), "-"], capture_output=True, check=True
    ).stdout.decode()
    assert "0604.N/BNV-TĐKT" in text4 and "Cấp phòng thuộc Sở Nội vụ" in text4
    assert "Lạng Sơn, ngày 10 tháng 12 năm 2025" in text4
