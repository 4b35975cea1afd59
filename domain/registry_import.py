"""Importing past awards into the registry from a table (XLSX or CSV): the template's
columns, how one row is read and checked, and the problems a row may have — each on its
column, in Vietnamese, with a stable code. Who may search the registry. No I/O.

A row names its holder (an individual by the identity number, số định danh cá nhân /
CCCD, 12 digits; a collective by its name within its unit), the award (a code of
domain/registry.py's catalogue), the year and the decision. Duplicates (the same holder,
award, year and decision number) are found by `RowKey`, inside the file and, by the
caller, against the registry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from domain.awards import NomineeKind
from domain.errors import Forbidden, InvalidInput
from domain.people import identity_no_problem
from domain.registry import CATALOGUE, Occasion, award_name
from domain.roles import AUTHORITY_ROLES, UNIT_ROLES, Actor, Role
from domain.search import fold

# (key, header as in the template, what the template's guide says of it)
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("name", "Họ tên", "Họ và tên cá nhân, hoặc tên tập thể (bắt buộc)."),
    (
        "identity_no",
        "Số định danh (CCCD)",
        "Số định danh cá nhân / CCCD, đúng 12 chữ số (bắt buộc với cá nhân; để trống với tập thể).",
    ),
    ("birth_date", "Ngày sinh", "dd/mm/yyyy (cá nhân; có thể để trống)."),
    ("gender", "Giới tính", "Nam hoặc Nữ (cá nhân; có thể để trống)."),
    ("unit", "Đơn vị (mã)", "Mã đơn vị trên hệ thống, ví dụ BDT (bắt buộc)."),
    ("holder_kind", "Loại (cá nhân/tập thể)", "Cá nhân hoặc Tập thể."),
    ("award", "Mã khen thưởng", "Mã trong danh mục (trang Hướng dẫn), ví dụ lao_dong_tien_tien."),
    ("year", "Năm", "Năm của thành tích được khen thưởng, ví dụ 2024."),
    ("decision_number", "Số quyết định", "Ví dụ 123/QĐ-UBND."),
    ("decision_date", "Ngày quyết định", "dd/mm/yyyy."),
    ("issuer", "Cơ quan quyết định", "Ví dụ UBND tỉnh Lạng Sơn."),
    ("occasion", "Hình thức", "Thường xuyên, Chuyên đề hoặc Đột xuất."),
)
COLUMN_KEYS = tuple(k for k, _, _ in COLUMNS)
HEADERS = tuple(h for _, h, _ in COLUMNS)
HEADER_OF = {k: h for k, h, _ in COLUMNS}

MAX_TEXT = 255
MAX_DECISION_NUMBER = 64
IDENTITY_RE = re.compile(r"^\d{12}$")
DECISION_YEARS_AFTER = 2
"""A decision comes in the year of the achievement or at most this many years later."""

_HOLDER_KINDS = {
    "ca nhan": NomineeKind.INDIVIDUAL,
    "individual": NomineeKind.INDIVIDUAL,
    "tap the": NomineeKind.COLLECTIVE,
    "collective": NomineeKind.COLLECTIVE,
}
_OCCASIONS = {
    "thuong xuyen": Occasion.YEARLY,
    "hang nam": Occasion.YEARLY,
    "yearly": Occasion.YEARLY,
    "chuyen de": Occasion.CAMPAIGN,
    "chuyen_de": Occasion.CAMPAIGN,
    "dot xuat": Occasion.SUDDEN,
    "dot_xuat": Occasion.SUDDEN,
    "khac": Occasion.OTHER,
}
_GENDERS = {"nam": "nam", "nu": "nu"}


@dataclass(frozen=True)
class Problem:
    column: str
    """A key of COLUMNS (or "file")."""
    code: str
    message: str


@dataclass(frozen=True)
class RowKey:
    """What makes two rows (or a row and a record) the same achievement."""

    holder_kind: NomineeKind
    holder: str
    """The identity number of an individual; "unit id|folded name" of a collective."""
    award: str
    year: int
    decision_number: str


@dataclass(frozen=True)
class ImportRow:
    """A clean row, ready to be written."""

    row_no: int
    name: str
    identity_no: str | None
    birth_date: date | None
    gender: str | None
    unit_id: int
    holder_kind: NomineeKind
    award: str
    year: int
    decision_number: str
    decision_date: date
    issuer: str
    occasion: Occasion

    @property
    def key(self) -> RowKey:
        holder = (
            self.identity_no or ""
            if self.holder_kind is NomineeKind.INDIVIDUAL
            else f"{self.unit_id}|{fold(self.name)}"
        )
        return RowKey(self.holder_kind, holder, self.award, self.year, self.decision_number)


def header_problem(cells: list[Any]) -> str | None:
    """Why the first row is not the template's header (None: it is)."""
    got = [fold(str(c or "")) for c in cells]
    while got and not got[-1]:
        got.pop()
    want = [fold(h) for h in HEADERS]
    if got != want:
        return (
            "Dòng đầu của tệp không đúng mẫu: cần đúng "
            f"{len(HEADERS)} cột theo thứ tự của tệp mẫu ({', '.join(HEADERS)})."
        )
    return None


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return " ".join(str(v).split())


def _date(v: Any) -> date | None:
    """dd/mm/yyyy, yyyy-mm-dd, or a spreadsheet's own date; None: not a date."""
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    t = _text(v)
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.strptime(t, fmt).date()
        except ValueError:
            continue
    return None


def check_row(
    row_no: int,
    cells: list[Any],
    *,
    units: dict[str, int],
    today: date,
    own_unit_id: int | None = None,
) -> tuple[ImportRow | None, list[Problem]]:
    """Read and check one data row (`row_no`: 1 = the first row under the header).
    `units`: unit id by its code (upper case); `own_unit_id`: a unit importing its own
    grassroots titles (only its unit, only awards it decides). The problems never repeat
    the row's personal data (the caller shows them to the importer only, by row)."""
    values = {k: (cells[i] if i < len(cells) else None) for i, k in enumerate(COLUMN_KEYS)}
    out: list[Problem] = []

    def bad(column: str, code: str, message: str) -> None:
        out.append(Problem(column, code, message))

    name = _text(values["name"])
    if not name:
        bad("name", "name_required", "Thiếu họ tên (tên tập thể).")
    elif len(name) > MAX_TEXT:
        bad("name", "name_too_long", f"Họ tên dài quá {MAX_TEXT} ký tự.")

    kind = _HOLDER_KINDS.get(fold(_text(values["holder_kind"])))
    if kind is None:
        bad("holder_kind", "holder_kind_invalid", "Loại phải là «Cá nhân» hoặc «Tập thể».")

    identity = _text(values["identity_no"]).replace(" ", "")
    if identity and not IDENTITY_RE.match(identity):
        bad("identity_no", "identity_no_invalid", "Số định danh phải gồm đúng 12 chữ số.")
    elif not identity and kind is NomineeKind.INDIVIDUAL:
        bad("identity_no", "identity_no_required", "Cá nhân cần số định danh (12 chữ số).")
    elif identity and kind is NomineeKind.COLLECTIVE:
        bad("identity_no", "identity_no_for_collective", "Tập thể không có số định danh.")

    birth: date | None = None
    if _text(values["birth_date"]):
        birth = _date(values["birth_date"])
        if birth is None:
            bad("birth_date", "birth_date_invalid", "Ngày sinh không đúng dạng dd/mm/yyyy.")
        elif birth > today or birth.year < 1900:
            bad("birth_date", "birth_date_invalid", "Ngày sinh không hợp lệ.")
            birth = None

    gender: str | None = None
    if _text(values["gender"]):
        gender = _GENDERS.get(fold(_text(values["gender"])))
        if gender is None:
            bad("gender", "gender_invalid", "Giới tính phải là «Nam» hoặc «Nữ».")
    if identity and IDENTITY_RE.match(identity) and kind is NomineeKind.INDIVIDUAL:
        # The same check as a record made on a page (domain/people.py): the province code
        # and, where known, the century/gender and year digits; its words, not the digits.
        problem = identity_no_problem(identity, birth, gender)
        if problem is not None:
            bad("identity_no", "identity_no_invalid", problem.split(":")[0].rstrip(".") + ".")

    code = _text(values["unit"]).upper()
    unit_id = units.get(code)
    if not code:
        bad("unit", "unit_required", "Thiếu mã đơn vị.")
    elif unit_id is None:
        bad("unit", "unit_unknown", "Không có đơn vị với mã này trên hệ thống.")
    elif own_unit_id is not None and unit_id != own_unit_id:
        bad("unit", "unit_not_own", "Đơn vị chỉ nhập khen thưởng của chính đơn vị mình.")

    award = _text(values["award"])
    entry = CATALOGUE.get(award)
    if entry is None:
        bad("award", "award_unknown", "Mã khen thưởng không có trong danh mục.")
    else:
        if kind is not None and kind not in entry.holders:
            who = "cá nhân" if kind is NomineeKind.INDIVIDUAL else "tập thể"
            bad("award", "award_holder_kind", f"«{entry.name}» không xét cho {who}.")
        if own_unit_id is not None and not entry.unit_decides:
            bad(
                "award",
                "award_not_unit_decides",
                f"«{entry.name}» không do đơn vị quyết định: Phòng TĐKT nhập.",
            )

    year: int | None = None
    raw_year = _text(values["year"])
    if raw_year.isdigit() and 1945 <= int(raw_year) <= today.year:
        year = int(raw_year)
    else:
        bad("year", "year_invalid", f"Năm phải là số từ 1945 đến {today.year}.")

    number = _text(values["decision_number"])
    if not number:
        bad("decision_number", "decision_number_required", "Thiếu số quyết định.")
    elif len(number) > MAX_DECISION_NUMBER:
        bad("decision_number", "decision_number_too_long", "Số quyết định quá dài.")

    decided = _date(values["decision_date"])
    if decided is None:
        bad(
            "decision_date",
            "decision_date_invalid",
            "Ngày quyết định không đúng dạng dd/mm/yyyy.",
        )
    elif decided > today:
        bad("decision_date", "decision_date_future", "Ngày quyết định sau ngày hôm nay.")
        decided = None
    elif year is not None and not (year <= decided.year <= year + DECISION_YEARS_AFTER):
        bad(
            "year",
            "year_inconsistent",
            "Năm không khớp ngày quyết định (quyết định trong năm đó hoặc "
            f"tối đa {DECISION_YEARS_AFTER} năm sau).",
        )

    issuer = _text(values["issuer"])
    if not issuer:
        bad("issuer", "issuer_required", "Thiếu cơ quan quyết định.")
    elif len(issuer) > MAX_TEXT:
        bad("issuer", "issuer_too_long", f"Tên cơ quan dài quá {MAX_TEXT} ký tự.")

    occasion = _OCCASIONS.get(fold(_text(values["occasion"])) or "thuong xuyen")
    if occasion is None:
        bad(
            "occasion",
            "occasion_invalid",
            "Hình thức phải là «Thường xuyên», «Chuyên đề» hoặc «Đột xuất».",
        )

    if out:
        return None, out
    assert kind is not None and unit_id is not None and year is not None
    assert decided is not None and occasion is not None
    return (
        ImportRow(
            row_no=row_no,
            name=name,
            identity_no=identity or None,
            birth_date=birth if kind is NomineeKind.INDIVIDUAL else None,
            gender=gender if kind is NomineeKind.INDIVIDUAL else None,
            unit_id=unit_id,
            holder_kind=kind,
            award=award,
            year=year,
            decision_number=number,
            decision_date=decided,
            issuer=issuer,
            occasion=occasion,
        ),
        [],
    )


def duplicate_in_file(first_row: int) -> Problem:
    return Problem(
        "name",
        "duplicate_in_file",
        f"Trùng với dòng {first_row} của tệp "
        "(cùng người/tập thể, khen thưởng, năm, số quyết định).",
    )


DUPLICATE_IN_REGISTRY = Problem(
    "name",
    "duplicate_in_registry",
    "Đã có trong sổ khen thưởng (cùng người/tập thể, khen thưởng, năm, số quyết định).",
)


def search_text(
    holder_name: str, award: str, decision_number: str, *, folded_name: str | None = None
) -> str:
    """What a registry record is found by: the holder's name, the award's name and the
    decision's number, folded, one per line (`folded_name`: the name already folded)."""
    name = fold(holder_name) if folded_name is None else folded_name
    return "\n".join(x for x in (name, _folded(award_name(award)), _folded(decision_number)) if x)


@lru_cache(maxsize=4096)
def _folded(text: str) -> str:
    """Award names and decision numbers repeat over thousands of rows: folded once."""
    return fold(text)


@dataclass(frozen=True)
class RegistryScope:
    """Which records an actor may search: all the authority's (board, leaders,
    auditors) or their own units' (a unit's clerk and head)."""

    all_units: bool
    unit_ids: frozenset[int] = frozenset()


def registry_scope(actor: Actor) -> RegistryScope:
    roles = actor.roles()
    if roles & (AUTHORITY_ROLES | {Role.AUDITOR}):
        return RegistryScope(all_units=True)
    units = frozenset(
        g.unit_id for g in actor.grants if g.role in UNIT_ROLES and g.unit_id is not None
    )
    if units:
        return RegistryScope(all_units=False, unit_ids=units)
    raise Forbidden("Chỉ Phòng TĐKT, thanh tra và đơn vị được tra cứu sổ khen thưởng.")


def import_unit(actor: Actor) -> int | None:
    """Who may import: the board (None: any unit, any award) or a unit's clerk (their
    unit: its own grassroots titles only)."""
    if actor.roles() & (AUTHORITY_ROLES - {Role.AUTHORITY_LEADER}):
        return None
    for g in actor.grants:
        if g.role == Role.UNIT_CLERK and g.unit_id is not None:
            return g.unit_id
    raise Forbidden("Chỉ Phòng TĐKT hoặc cán bộ TĐKT của đơn vị được nhập khen thưởng.")


def unit_award_unit(actor: Actor) -> int:
    """The unit whose clerk enters a title the unit decided itself."""
    return unit_award_grant(actor, None)[0]


UNIT_AWARD_ROLES = frozenset({Role.UNIT_CLERK, Role.UNIT_HEAD})
"""Who enters a title the unit decided itself: its clerk, or its head (who signed it)."""


def unit_award_grant(actor: Actor, unit_id: int | None) -> tuple[int, Role]:
    """The unit (the one asked for, else the actor's first) and the role in which the
    actor enters a title the unit decided itself: its clerk or its head."""
    for role in (Role.UNIT_CLERK, Role.UNIT_HEAD):
        for g in actor.grants:
            if g.role == role and g.unit_id is not None and unit_id in (None, g.unit_id):
                return g.unit_id, role
    raise Forbidden(
        "Chỉ cán bộ TĐKT hoặc thủ trưởng của đơn vị nhập danh hiệu do đơn vị quyết định."
    )


def may_enter_unit_award(actor: Actor, unit_id: int | None) -> bool:
    return unit_id is not None and any(
        g.role in UNIT_AWARD_ROLES and g.unit_id == unit_id for g in actor.grants
    )


def unit_award_codes(kind: NomineeKind) -> list[tuple[str, str]]:
    """(code, name) of the titles a unit decides itself for this kind of holder."""
    return [(e.code, e.name) for e in CATALOGUE.values() if e.unit_decides and kind in e.holders]


ONCE_A_YEAR_EXCEPT = frozenset({"giay_khen"})
"""A Giấy khen may be given more than once a year; the titles and the rating only once."""


def once_a_year(award: str, occasion: str) -> bool:
    """Whether a holder can have this award only once for a year: the yearly titles and
    the yearly rating (one achievement, rewarded once)."""
    return occasion == Occasion.YEARLY and award not in ONCE_A_YEAR_EXCEPT


MAX_ISSUER = 255


def unit_award_occasion(raw: str | None) -> str:
    """The occasion of a unit's title (yearly when not given); 422 for another value."""
    value = (raw or "").strip() or Occasion.YEARLY.value
    if value not in {o.value for o in Occasion}:
        raise InvalidInput("Hãy chọn hình thức trong danh sách.", code="occasion_invalid")
    return value


def unit_award_issuer(raw: str | None, unit_name: str) -> str:
    """Who decided (as the decision names them); the unit's name when not given."""
    value = " ".join((raw or "").split()) or unit_name
    if len(value) > MAX_ISSUER:
        raise InvalidInput("Cấp quyết định quá dài (tối đa 255 ký tự).", code="issuer_too_long")
    return value


def default_issuer(head_position: str | None, unit_name: str) -> str:
    """What the form proposes as the issuer: the head's title followed by the unit's name
    («Thủ trưởng Ban Dân tộc tỉnh»), or the unit's name alone."""
    position = " ".join((head_position or "").split())
    if not position:
        return unit_name
    if position.lower().endswith(" đơn vị"):
        position = position[: -len(" đơn vị")]
    if unit_name.lower() in position.lower():
        return position
    return f"{position} {unit_name}"


def check_unit_award(
    award: str, year: int, decision_number: str, decided_on: date | None, today: date
) -> str:
    """The checks of a title entered by its unit (the same as an imported row's);
    returns the decision number cleaned."""
    entry = CATALOGUE.get(award)
    if entry is None:
        raise InvalidInput("Mã khen thưởng không có trong danh mục.", code="award_unknown")
    if not entry.unit_decides:
        raise InvalidInput(
            f"«{entry.name}» không do đơn vị quyết định: Phòng TĐKT ghi nhận.",
            code="award_not_unit_decides",
        )
    if not 1945 <= year <= today.year:
        raise InvalidInput(f"Năm phải từ 1945 đến {today.year}.", code="year_invalid")
    number = " ".join(decision_number.split())
    if not number or len(number) > MAX_DECISION_NUMBER:
        raise InvalidInput("Cần số quyết định (tối đa 64 ký tự).", code="decision_number_required")
    if decided_on is None:
        raise InvalidInput("Cần ngày quyết định.", code="decision_date_invalid")
    if decided_on > today:
        raise InvalidInput("Ngày quyết định sau ngày hôm nay.", code="decision_date_future")
    if not year <= decided_on.year <= year + DECISION_YEARS_AFTER:
        raise InvalidInput("Năm không khớp ngày quyết định.", code="year_inconsistent")
    return number


def check_holder_kind(award: str, kind: NomineeKind) -> None:
    entry = CATALOGUE[award]
    if kind not in entry.holders:
        who = "cá nhân" if kind is NomineeKind.INDIVIDUAL else "tập thể"
        raise InvalidInput(f"«{entry.name}» không xét cho {who}.", code="award_holder_kind")
