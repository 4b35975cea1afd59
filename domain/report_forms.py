"""The statistics report forms sent to Bộ Nội vụ (Thông tư 02/2023/TT-BNV, Biểu 0601.N–
0605.N), as data: each form's rows, columns, header layout and units, with its
legal basis and the dates it is in force, and for every cell what it counts (which award
codes of domain/registry.py's catalogue, which holders, which occasions). One engine
(`compute`) fills any form from the registry's grouped counts and what the board entered.
No I/O.

Where the layout comes from (also shown on the page and in the README):
- the form numbers, that 0602.N counts state-level awards and 0603.N the province's, and
  the due date 15/12: DOMAIN.md (✓ numbers, ? columns);
- rows, row codes (mã số), units and column headers: read from the HTML rendering of the
  forms in the public system lifephongphanmem/thiduakhenthuong (views BaoCao/TT022023);
  not checked against the Thông tư's own text (unconfirmed);
- 0604.N and 0605.N (the TĐKT bodies and their staff): rows, codes and headers read from
  the same system's views BaoCao/TT022023/Mau0604–0605; every figure entered; which rows
  total which, and the limits checked on entry (a part never above its total), are our
  reading, unconfirmed too.
- TT 18/2025/TT-BNV (08/10/2025) sets a new reporting regime whose forms may replace
  these; its forms and effective date are unconfirmed, so no version of it is recorded.

A cell the registry cannot tell (e.g. whether a collective is an enterprise, an
individual's leadership rank, an award "đối ngoại" or "niên hạn", medals and badges
tdkt does not record, every figure of 0601.N) is **entered** by the board and kept with
the report; totals are sums of the cells they total.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from domain.awards import NomineeKind
from domain.registry import CATALOGUE, Level, Occasion


class CellKind(StrEnum):
    HEADING = "heading"
    """A heading row ("1. Chia theo…"): no figures."""
    COUNT = "count"
    """Counted from the awards registry."""
    ENTERED = "entered"
    """Entered by the board (the database does not hold it)."""
    SUM = "sum"
    """The sum of other rows (or columns)."""


@dataclass(frozen=True)
class Criteria:
    """Which registry records a row or a column counts; None = no condition."""

    awards: frozenset[str] | None = None
    holder: NomineeKind | None = None
    occasions: frozenset[str] | None = None

    def matches(self, key: FactKey) -> bool:
        return (
            (self.awards is None or key.award in self.awards)
            and (self.holder is None or key.holder == self.holder)
            and (self.occasions is None or key.occasion in self.occasions)
        )


@dataclass(frozen=True)
class FactKey:
    """One group of the registry's counts: an award code, who holds it, on what occasion."""

    award: str
    holder: NomineeKind
    occasion: str


@dataclass(frozen=True)
class Row:
    code: str
    """Mã số (column B); empty for a heading."""
    label: str
    unit: str = ""
    """Đơn vị tính (column C)."""
    kind: CellKind = CellKind.COUNT
    criteria: Criteria = Criteria()
    sum_of: tuple[str, ...] = ()
    bold: bool = False
    note: str = ""
    """Why the database cannot count it (entered rows)."""


@dataclass(frozen=True)
class Column:
    key: str
    """The column's number in the form ("1", "2", …), printed under the header."""
    path: tuple[str, ...]
    """Header texts from the top: equal neighbours are merged across, a short path is
    merged down to the header's last row."""
    kind: CellKind = CellKind.COUNT
    criteria: Criteria = Criteria()
    sum_of: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Limit:
    """`parts` together may not exceed `whole`: along a row (column keys: "Nữ" ≤ "Tổng
    số" in every row) or down a column (row codes: a breakdown ≤ the total row)."""

    axis: str
    """"columns" (keys of columns, checked in every row) or "rows" (codes of rows,
    checked in every column)."""
    parts: tuple[str, ...]
    whole: str


@dataclass(frozen=True)
class Excess:
    """One broken limit: where, the parts' sum and the whole."""

    axis: str
    row: str
    column: str
    parts: tuple[str, ...]
    part_sum: int
    whole: int


@dataclass(frozen=True)
class FormVersion:
    form: str
    """"0603.N"."""
    number: str
    """"Biểu số: 0603.N/BNV-TĐKT"."""
    title: str
    legal_basis: str
    valid_from: date
    valid_to: date | None
    rows: tuple[Row, ...]
    columns: tuple[Column, ...]
    source: str
    """Where the layout was read, and what is unconfirmed."""
    unit_note: str = ""
    """"Đơn vị tính: …" above the table, when the form has one."""
    due: str = "Ngày 15 tháng 12 năm báo cáo"
    universe: frozenset[str] = field(default_factory=frozenset)
    """The award codes the form counts at all (its COUNT cells never leave it)."""
    unit_column: bool = True
    """Whether the form has column C «Đơn vị tính» (0605.N puts its unit in the header)."""
    limits: tuple[Limit, ...] = ()
    """Parts that may not exceed their whole, checked when the board saves entries."""

    def in_force(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on < self.valid_to)

    def row(self, code: str) -> Row:
        return next(r for r in self.rows if r.code == code)

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def entered_cells(self) -> list[tuple[str, str]]:
        """(row code, column key) of every cell the board enters."""
        return [
            (r.code, c.key)
            for r in self.rows
            for c in self.columns
            if cell_kind(r, c) is CellKind.ENTERED
        ]


def cell_kind(row: Row, col: Column) -> CellKind:
    if row.kind is CellKind.HEADING:
        return CellKind.HEADING
    if col.kind is CellKind.SUM or row.kind is CellKind.SUM:
        return CellKind.SUM
    if row.kind is CellKind.COUNT and col.kind is CellKind.COUNT:
        return CellKind.COUNT
    return CellKind.ENTERED


# ------------------------------------------------------------------ the forms

TT02 = "Thông tư số 02/2023/TT-BNV ngày 23/3/2023 của Bộ Nội vụ"
TT02_FROM = date(2023, 3, 23)
"""The Thông tư's date; its effective date is not confirmed (DOMAIN.md)."""
LAYOUT_SOURCE = (
    "Hàng, mã số, đơn vị tính và tiêu đề cột theo cách trình bày biểu của hệ thống "
    "lifephongphanmem/thiduakhenthuong (BaoCao/TT022023); chưa đối chiếu với văn bản "
    "Thông tư (chưa xác nhận)."
)

_C = NomineeKind.COLLECTIVE
_I = NomineeKind.INDIVIDUAL


def _of(*codes: str) -> frozenset[str]:
    for c in codes:
        if c not in CATALOGUE:
            raise ValueError(f"award code {c} is not in the registry's catalogue")
    return frozenset(codes)


def _occ(*occasions: Occasion) -> Criteria:
    return Criteria(occasions=frozenset(str(o) for o in occasions))


_NOT_HELD_ENTERPRISE = "tdkt không ghi tập thể nào là doanh nghiệp"
_NOT_HELD_RANK = "tdkt không phân loại chức vụ của cá nhân"
_NOT_HELD_OCCASION = "tdkt chỉ ghi thường xuyên, chuyên đề, đột xuất"


def _by_holder_and_occasion(first: int) -> tuple[Row, ...]:
    """The rows shared by 0602.N and 0603.N: by holder (tập thể, doanh nghiệp, hộ gia
    đình, cá nhân by rank) then by occasion; `first` is the first row's code number."""
    n = iter(range(first, first + 100))

    def code() -> str:
        return f"{next(n):02d}"

    e = CellKind.ENTERED
    return (
        Row("", "Chia theo đối tượng khen thưởng", kind=CellKind.HEADING, bold=True),
        Row(code(), "- Tập thể", "Tập thể", criteria=Criteria(holder=_C)),
        Row(code(), "Trong đó: Doanh nghiệp", "Doanh nghiệp", kind=e, note=_NOT_HELD_ENTERPRISE),
        Row(code(), "- Hộ gia đình", "Hộ", kind=e, note="tdkt không ghi hộ gia đình"),
        Row(code(), "- Cá nhân", "Người", criteria=Criteria(holder=_I)),
        Row(
            code(),
            "+ Lãnh đạo cấp bộ, cấp tỉnh và tương đương trở lên",
            "Người",
            kind=e,
            note=_NOT_HELD_RANK,
        ),
        Row(
            code(),
            "+ Lãnh đạo cấp vụ, sở, ngành và tương đương",
            "Người",
            kind=e,
            note=_NOT_HELD_RANK,
        ),
        Row(code(), "+ Doanh nhân", "Người", kind=e, note=_NOT_HELD_RANK),
        Row(
            code(),
            "+ Các cấp lãnh đạo khác từ phó phòng trở lên",
            "Người",
            kind=e,
            note=_NOT_HELD_RANK,
        ),
        Row(
            code(),
            "+ Người trực tiếp công tác, lao động, học tập, chiến đấu và phục vụ "
            "chiến đấu (công nhân, nông dân,...)",
            "Người",
            kind=e,
            note=_NOT_HELD_RANK,
        ),
        Row("", "Chia theo phương thức khen thưởng", kind=CellKind.HEADING, bold=True),
        Row(code(), "- Thường xuyên", criteria=_occ(Occasion.YEARLY)),
        Row(code(), "- Chuyên đề", criteria=_occ(Occasion.CAMPAIGN)),
        Row(code(), "- Đột xuất", criteria=_occ(Occasion.SUDDEN)),
        Row(code(), "- Đối ngoại", kind=e, note=_NOT_HELD_OCCASION),
        Row(code(), "- Cống hiến", kind=e, note=_NOT_HELD_OCCASION),
        Row(code(), "- Niên hạn", kind=e, note=_NOT_HELD_OCCASION),
        Row(code(), "- Kháng chiến", kind=e, note=_NOT_HELD_OCCASION),
    )


def _numbered(rows: tuple[Row, ...], prefix: str) -> tuple[Row, ...]:
    """Headings numbered in order ("1. …", "2. …") as the form prints them."""
    out: list[Row] = []
    n = int(prefix)
    for r in rows:
        if r.kind is CellKind.HEADING:
            out.append(Row("", f"{n}. {r.label}", kind=CellKind.HEADING, bold=True))
            n += 1
        else:
            out.append(r)
    return tuple(out)


# 0603.N: awards of the province (Bằng khen, Chiến sĩ thi đua cấp tỉnh, Cờ thi đua).
_BK_TINH = _of("bang_khen_ubnd_tinh")
_CSTD_TINH = _of("chien_si_thi_dua_cap_tinh")
_CO_TINH = _of("co_thi_dua_ubnd_tinh")

FORM_0603 = FormVersion(
    form="0603.N",
    number="Biểu số: 0603.N/BNV-TĐKT",
    title=(
        "SỐ LƯỢNG KHEN THƯỞNG CẤP BỘ, BAN, NGÀNH, ĐOÀN THỂ TRUNG ƯƠNG VÀ TỈNH, "
        "THÀNH PHỐ TRỰC THUỘC TRUNG ƯƠNG"
    ),
    legal_basis=TT02,
    valid_from=TT02_FROM,
    valid_to=None,
    source=LAYOUT_SOURCE,
    universe=_BK_TINH | _CSTD_TINH | _CO_TINH,
    columns=(
        Column("1", ("Tổng số",), kind=CellKind.SUM, sum_of=("2", "3", "4", "5")),
        Column("2", ("Chia ra", "Bằng khen"), criteria=Criteria(awards=_BK_TINH)),
        Column(
            "3",
            ("Chia ra", "Chiến sĩ thi đua cấp bộ, cấp tỉnh"),
            criteria=Criteria(awards=_CSTD_TINH),
        ),
        Column(
            "4",
            (
                "Chia ra",
                "Cờ thi đua của bộ, ban, ngành, đoàn thể Trung ương, tỉnh, "
                "thành phố trực thuộc Trung ương",
            ),
            criteria=Criteria(awards=_CO_TINH),
        ),
        Column(
            "5",
            (
                "Chia ra",
                "Huy hiệu (kỷ niệm chương) của bộ, ban, ngành, đoàn thể "
                "Trung ương, tỉnh, thành phố trực thuộc Trung ương",
            ),
            kind=CellKind.ENTERED,
            note="tdkt không ghi huy hiệu, kỷ niệm chương",
        ),
    ),
    rows=(
        Row("01", "Tổng số", bold=True),
        *_numbered(_by_holder_and_occasion(2), "1"),
    ),
)

# 0602.N: state-level awards of the province's people and collectives (the province's
# Tờ trình to the Thủ tướng). Only the state awards tdkt's catalogue knows are counted;
# the others (Huân chương hạng Nhất/Nhì, Huy chương, Giải thưởng, danh hiệu vinh dự)
# are entered.
_HCLD3 = _of("huan_chuong_lao_dong_hang_ba")
_CO_CP = _of("co_thi_dua_chinh_phu")
_BK_TTG = _of("bang_khen_thu_tuong")
_CSTD_TQ = _of("chien_si_thi_dua_toan_quoc")
_STATE = frozenset(k.code for k in CATALOGUE.values() if k.level is Level.STATE)
_E = CellKind.ENTERED
_OTHER_STATE = "tdkt không ghi hình thức này"

FORM_0602 = FormVersion(
    form="0602.N",
    number="Biểu số: 0602.N/BNV-TĐKT",
    title="SỐ LƯỢNG KHEN THƯỞNG CẤP NHÀ NƯỚC",
    legal_basis=TT02,
    valid_from=TT02_FROM,
    valid_to=None,
    source=LAYOUT_SOURCE
    + " Các cột huân chương, huy chương, danh hiệu vinh dự: mỗi hình thức một cột; tdkt "
    "chỉ dựng các hình thức có trong danh mục.",
    universe=_STATE,
    columns=(
        Column(
            "1",
            ("Tổng số",),
            kind=CellKind.SUM,
            sum_of=("2a", "2b", "2c", "3", "4", "5", "6", "7a", "7b", "8", "9a", "9b"),
        ),
        Column(
            "2a",
            (
                "Chia ra",
                "Các loại huân chương, huy chương",
                "Huân chương Lao động hạng Ba",
                "Tập thể",
            ),
            criteria=Criteria(awards=_HCLD3, holder=_C),
        ),
        Column(
            "2b",
            (
                "Chia ra",
                "Các loại huân chương, huy chương",
                "Huân chương Lao động hạng Ba",
                "Cá nhân",
            ),
            criteria=Criteria(awards=_HCLD3, holder=_I),
        ),
        Column(
            "2c",
            ("Chia ra", "Các loại huân chương, huy chương", "Huân chương, huy chương khác"),
            kind=_E,
            note=_OTHER_STATE,
        ),
        Column("3", ("Chia ra", "Giải thưởng Hồ Chí Minh"), kind=_E, note=_OTHER_STATE),
        Column("4", ("Chia ra", "Giải thưởng Nhà nước"), kind=_E, note=_OTHER_STATE),
        Column("5", ("Chia ra", "Danh hiệu vinh dự nhà nước"), kind=_E, note=_OTHER_STATE),
        Column("6", ("Chia ra", "Cờ thi đua của Chính phủ"), criteria=Criteria(awards=_CO_CP)),
        Column(
            "7a",
            ("Chia ra", "Bằng khen của Thủ tướng Chính phủ", "Tập thể"),
            criteria=Criteria(awards=_BK_TTG, holder=_C),
        ),
        Column(
            "7b",
            ("Chia ra", "Bằng khen của Thủ tướng Chính phủ", "Cá nhân"),
            criteria=Criteria(awards=_BK_TTG, holder=_I),
        ),
        Column(
            "8",
            ("Chia ra", "Danh hiệu “Chiến sĩ thi đua toàn quốc”"),
            criteria=Criteria(awards=_CSTD_TQ),
        ),
        Column(
            "9a",
            ("Chia ra", "Các hình thức khen thưởng khác", "Tập thể"),
            kind=_E,
            note=_OTHER_STATE,
        ),
        Column(
            "9b",
            ("Chia ra", "Các hình thức khen thưởng khác", "Cá nhân"),
            kind=_E,
            note=_OTHER_STATE,
        ),
    ),
    rows=(
        Row("01", "Tổng số", bold=True),
        Row(
            "",
            "1. Chia theo đơn vị ban hành tờ trình Thủ tướng Chính phủ về khen thưởng",
            kind=CellKind.HEADING,
            bold=True,
        ),
        Row(
            "02",
            "- Bộ, ban, ngành, đoàn thể Trung ương",
            "Bộ, ngành",
            kind=_E,
            note="một tỉnh không trình thay bộ, ngành",
        ),
        Row("03", "- Tỉnh, thành phố trực thuộc Trung ương", "Tỉnh, TP"),
        *_numbered(_by_holder_and_occasion(6), "2"),
    ),
)

# 0601.N: emulation movements; nothing of it is in the database.
_MOVE = "tdkt không ghi các phong trào thi đua"

FORM_0601 = FormVersion(
    form="0601.N",
    number="Biểu số: 0601.N/BNV-TĐKT",
    title="SỐ PHONG TRÀO THI ĐUA",
    legal_basis=TT02,
    valid_from=TT02_FROM,
    valid_to=None,
    source=LAYOUT_SOURCE,
    unit_note="Đơn vị tính: Phong trào",
    columns=(
        Column("1=(2+3+4)", ("Tổng số",), kind=CellKind.SUM, sum_of=("2", "3", "4")),
        Column(
            "2",
            (
                "Số phong trào thi đua chia theo cấp chủ trì phát động thi đua",
                "Cấp Trung ương (Hội đồng Thi đua - Khen thưởng Trung ương)",
            ),
            kind=_E,
            note=_MOVE,
        ),
        Column(
            "3",
            (
                "Số phong trào thi đua chia theo cấp chủ trì phát động thi đua",
                "Cấp bộ, ban ngành đoàn thể trung ương, tỉnh, thành phố trực thuộc Trung ương",
            ),
            kind=_E,
            note=_MOVE,
        ),
        Column(
            "4",
            (
                "Số phong trào thi đua chia theo cấp chủ trì phát động thi đua",
                "Cơ quan, tổ chức, đơn vị",
            ),
            kind=_E,
            note=_MOVE,
        ),
    ),
    rows=(
        Row("01", "Tổng số", kind=CellKind.SUM, sum_of=("02", "03", "04", "05"), bold=True),
        Row("", "1. Chia theo phạm vi tổ chức thi đua", kind=CellKind.HEADING, bold=True),
        Row("02", "- Toàn quốc", kind=_E),
        Row("03", "- Bộ, ban, ngành đoàn thể, địa phương", kind=_E),
        Row("04", "- Cụm, khối thi đua do Hội đồng Thi đua - Khen thưởng các cấp tổ chức", kind=_E),
        Row("05", "- Cơ quan, tổ chức, đơn vị", kind=_E),
        Row("", "2. Chia theo thời hạn thi đua", kind=CellKind.HEADING, bold=True),
        Row("06", "- Dưới 1 năm", kind=_E),
        Row("07", "- 1 năm", kind=_E),
        Row("08", "- Từ 1 năm đến dưới 3 năm", kind=_E),
        Row("09", "- Từ 3 năm đến dưới 5 năm", kind=_E),
        Row("10", "- Từ 5 năm trở lên", kind=_E),
        Row(
            "",
            "3. Chia theo phương thức tổ chức phong trào thi đua",
            kind=CellKind.HEADING,
            bold=True,
        ),
        Row("11", "- Thi đua theo chuyên đề", kind=_E),
        Row("12", "- Thi đua thường xuyên hàng năm", kind=_E),
    ),
)

# 0604.N and 0605.N: the bodies and the civil servants doing TĐKT work; the database
# holds neither, so every figure is entered (counts only, never a name).
_ORG = "tdkt không ghi tổ chức bộ máy làm công tác thi đua, khen thưởng"
_STAFF = "tdkt không ghi công chức làm công tác thi đua, khen thưởng"
_OURS = (
    " Dòng «Tổng số» là tổng của các dòng chia theo {what} và kiểm tra khi nhập (phần không "
    "lớn hơn tổng) là cách tdkt hiểu biểu, chưa xác nhận."
)

FORM_0604 = FormVersion(
    form="0604.N",
    number="Biểu số: 0604.N/BNV-TĐKT",
    title=(
        "SỐ LƯỢNG TỔ CHỨC LÀM CÔNG TÁC THI ĐUA, KHEN THƯỞNG CỦA BỘ, BAN, NGÀNH, ĐOÀN THỂ "
        "TRUNG ƯƠNG, TỈNH, THÀNH PHỐ TRỰC THUỘC TRUNG ƯƠNG"
    ),
    legal_basis=TT02,
    valid_from=TT02_FROM,
    valid_to=None,
    source=LAYOUT_SOURCE.replace("BaoCao/TT022023", "BaoCao/TT022023/Mau0604")
    + _OURS.format(what="cơ cấu tổ chức bộ máy")
    + " Các dòng theo cơ cấu trước khi sắp xếp bộ máy năm 2025 (Ban Thi đua - Khen thưởng "
    "thuộc Sở Nội vụ); biểu sau sắp xếp chưa xác nhận.",
    columns=(Column("1", ("Số lượng",), kind=_E, note=_ORG),),
    rows=(
        Row(
            "01",
            "Tổng số",
            "Tổ chức",
            kind=CellKind.SUM,
            sum_of=("02", "03", "04", "05"),
            bold=True,
        ),
        Row("", "Chia theo cơ cấu tổ chức bộ máy", kind=CellKind.HEADING, bold=True),
        Row("02", "- Cấp Vụ thuộc bộ, ban, ngành, đoàn thể Trung ương", "Vụ", kind=_E),
        Row("03", "- Cấp phòng, ban hoặc bộ phận thuộc Vụ", "Phòng", kind=_E),
        Row("04", "- Cấp ban thuộc Sở Nội vụ", "Ban", kind=_E),
        Row("05", "- Cấp phòng thuộc Sở Nội vụ", "Phòng", kind=_E),
    ),
)

_AGES = ("02", "03", "04", "05", "06", "07")
_TRAINING = ("08", "09", "10", "11", "12")
_SENIORITY = ("13", "14", "15")

FORM_0605 = FormVersion(
    form="0605.N",
    number="Biểu số: 0605.N/BNV-TĐKT",
    title=(
        "SỐ LƯỢNG CÔNG CHỨC LÀM CÔNG TÁC THI ĐUA, KHEN THƯỞNG CỦA BỘ, BAN, NGÀNH, ĐOÀN THỂ "
        "TRUNG ƯƠNG, TỈNH, THÀNH PHỐ TRỰC THUỘC TRUNG ƯƠNG"
    ),
    legal_basis=TT02,
    valid_from=TT02_FROM,
    valid_to=None,
    source=LAYOUT_SOURCE.replace("BaoCao/TT022023", "BaoCao/TT022023/Mau0605")
    + _OURS.format(what="độ tuổi")
    + " Mã số 15 của dòng cuối: nguồn ghi hai lần mã 14 (chưa xác nhận).",
    unit_column=False,
    columns=(
        Column("1", ("Số lượng (Người)", "Tổng số"), kind=_E, note=_STAFF),
        Column("2", ("Số lượng (Người)", "Trong đó: Nữ"), kind=_E, note=_STAFF),
    ),
    rows=(
        Row("01", "Tổng số", kind=CellKind.SUM, sum_of=_AGES, bold=True),
        Row("", "1. Chia theo độ tuổi", kind=CellKind.HEADING, bold=True),
        Row("02", "- Từ 30 trở xuống", kind=_E),
        Row("03", "- Từ 31 đến 40", kind=_E),
        Row("04", "- Từ 41 đến 50", kind=_E),
        Row("05", "- Từ 51 đến 55", kind=_E),
        Row("06", "- Từ 56 đến 60", kind=_E),
        Row("07", "- Trên 60 tuổi", kind=_E),
        Row("", "2. Chia theo trình độ đào tạo", kind=CellKind.HEADING, bold=True),
        Row("08", "- Sơ cấp", kind=_E),
        Row("09", "- Trung cấp", kind=_E),
        Row("10", "- Cao đẳng", kind=_E),
        Row("11", "- Đại học", kind=_E),
        Row("12", "- Trên đại học", kind=_E),
        Row(
            "",
            "3. Chia theo thâm niên công tác trong lĩnh vực thi đua, khen thưởng",
            kind=CellKind.HEADING,
            bold=True,
        ),
        Row("13", "- Dưới 5 năm", kind=_E),
        Row("14", "- Từ 5 đến 10 năm", kind=_E),
        Row("15", "- Từ 10 năm trở lên", kind=_E),
    ),
    limits=(
        Limit("columns", ("2",), "1"),
        Limit("rows", _TRAINING, "01"),
        Limit("rows", _SENIORITY, "01"),
    ),
)

VERSIONS: tuple[FormVersion, ...] = (FORM_0601, FORM_0602, FORM_0603, FORM_0604, FORM_0605)

FORMS_NOT_BUILT: dict[str, str] = {}
"""Forms named by a Thông tư but with no layout to follow (404 `report_form_not_built`);
none since 0604.N and 0605.N were built."""

NEW_REGIME = (
    "Thông tư số 18/2025/TT-BNV ngày 08/10/2025 quy định chế độ báo cáo thống kê mới, có "
    "thể thay thế các biểu này; biểu mẫu và ngày hiệu lực chưa xác nhận nên chưa được ghi."
)


def report_day(year: int) -> date:
    """The day a year's report is due (15/12, DOMAIN.md ?): the forms in force then."""
    return date(year, 12, 15)


def form_for(form: str, year: int) -> FormVersion | None:
    """The version of `form` in force for the report of `year`, if any."""
    on = report_day(year)
    return next((v for v in VERSIONS if v.form == form and v.in_force(on)), None)


def forms_for(year: int) -> list[FormVersion]:
    on = report_day(year)
    return [v for v in VERSIONS if v.in_force(on)]


# ------------------------------------------------------------------ the engine

Cells = dict[tuple[str, str], int | None]


def compute(
    form: FormVersion,
    counts: Mapping[FactKey, int],
    entered: Mapping[tuple[str, str], int] | None = None,
) -> Cells:
    """Every cell of the form: counted from the registry's grouped `counts` (only award
    codes in the form's universe), entered by the board, or summed; None for a heading's
    cells and an entered cell nobody entered."""
    entered = entered or {}
    facts = [(k, n) for k, n in counts.items() if k.award in form.universe]
    rows = {r.code: r for r in form.rows if r.code}
    cols = {c.key: c for c in form.columns}
    memo: Cells = {}

    def value(rc: str, ck: str) -> int | None:
        if (rc, ck) in memo:
            return memo[(rc, ck)]
        row, col = rows[rc], cols[ck]
        kind = cell_kind(row, col)
        v: int | None
        if kind is CellKind.SUM:
            parts = (
                [value(rc, k) for k in col.sum_of]
                if col.kind is CellKind.SUM
                else [value(r, ck) for r in row.sum_of]
            )
            v = _sum(parts)
        elif kind is CellKind.COUNT:
            v = sum(n for k, n in facts if row.criteria.matches(k) and col.criteria.matches(k))
        else:
            v = entered.get((rc, ck))
        memo[(rc, ck)] = v
        return v

    return {(rc, ck): value(rc, ck) for rc in rows for ck in cols}


def excesses(form: FormVersion, cells: Cells) -> list[Excess]:
    """Every limit of the form broken by `cells` (computed, so totals are included); a
    whole nobody filled counts as 0 when a part is filled."""
    out: list[Excess] = []
    row_codes = [r.code for r in form.rows if r.code and r.kind is not CellKind.HEADING]
    col_keys = [c.key for c in form.columns]
    for lim in form.limits:
        pairs: list[tuple[str, str, list[tuple[str, str]], tuple[str, str]]]
        if lim.axis == "columns":
            pairs = [
                (rc, lim.whole, [(rc, p) for p in lim.parts], (rc, lim.whole)) for rc in row_codes
            ]
        else:
            pairs = [
                (lim.whole, ck, [(p, ck) for p in lim.parts], (lim.whole, ck)) for ck in col_keys
            ]
        for rc, ck, parts, whole in pairs:
            got = [cells.get(p) for p in parts]
            if all(g is None for g in got):
                continue
            total = sum(g or 0 for g in got)
            w = cells.get(whole) or 0
            if total > w:
                out.append(Excess(lim.axis, rc, ck, lim.parts, total, w))
    return out


def _sum(parts: Iterable[int | None]) -> int | None:
    present = [p for p in parts if p is not None]
    return sum(present) if present else None
