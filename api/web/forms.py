"""Reading the pages' forms into the API's request models, with each problem attached to
the field it is about (so the page can show it next to that field)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from api.dossiers.schemas import NomineeIn

FIELD_MESSAGES = {
    "missing": "Không được để trống.",
    "string_too_short": "Không được để trống.",
    "string_too_long": "Quá dài.",
    "int_parsing": "Phải là một số.",
    "int_type": "Phải là một số.",
    "greater_than_equal": "Giá trị quá nhỏ.",
    "less_than_equal": "Giá trị quá lớn.",
    "enum": "Hãy chọn một giá trị trong danh sách.",
    "too_long": "Quá nhiều dòng.",
    "date_from_datetime_parsing": "Hãy nhập ngày theo dạng ngày/tháng/năm, ví dụ 12/03/1982.",
    "date_parsing": "Hãy nhập ngày theo dạng ngày/tháng/năm, ví dụ 12/03/1982.",
    "date_from_datetime_inexact": "Hãy nhập ngày theo dạng ngày/tháng/năm, ví dụ 12/03/1982.",
    "birth_date_future": "Ngày sinh phải là một ngày trong quá khứ.",
    "birth_date_age": "Ngày sinh không hợp lý: tuổi phải từ 15 đến 100. Hãy kiểm tra lại năm sinh.",
    "not_individual": "Chỉ cá nhân có ngày sinh, giới tính, dân tộc.",
    "ethnicity": "Hãy chọn một dân tộc trong danh sách.",
    "literal_error": "Hãy chọn một giá trị trong danh sách.",
    "counts": "Không được lớn hơn số thành viên.",
    "not_collective": "Chỉ tập thể có số liệu thành viên.",
}


def message_for(error_type: str) -> str:
    return FIELD_MESSAGES.get(error_type, "Giá trị không hợp lệ.")


@dataclass
class Checked:
    """What a form said, and the problems found, by field name."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def text(form: FormData, name: str, limit: int = 20_000) -> str:
    value = form.get(name)
    return value[:limit] if isinstance(value, str) else ""


def integer(form: FormData, name: str, checked: Checked, message: str) -> int | None:
    raw = text(form, name).strip()
    try:
        return int(raw)
    except ValueError:
        checked.errors[name] = message
        return None


def validate(
    model: type[BaseModel], data: dict[str, Any], checked: Checked, prefix: str = ""
) -> Any:
    """Validate with the API's own model; its errors go to `prefix + field`."""
    try:
        return model.model_validate(data)
    except ValidationError as e:
        for err in e.errors():
            loc = [str(p) for p in err.get("loc", ())]
            checked.errors.setdefault(prefix + "-".join(loc), message_for(err.get("type", "")))
        return None


NOMINEE_FIELDS = ("kind", "name", "job_title", "unit_name", "achievements", "account")
DETAIL_FIELDS = ("birth_date", "gender", "ethnicity")
"""An individual's details; left blank they are not sent (a collective has none)."""


INITIATIVE_ROWS = 3
"""Empty rows of «Sáng kiến, đề tài» offered under each individual (more after a save)."""
MAX_INITIATIVES = 20
COUNT_FIELDS = (
    "members",
    "completed_duties",
    "lao_dong_tien_tien",
    "chien_si_thi_dua_co_so",
    "disciplined_canh_cao_or_above",
)
"""A collective's counts (Tập thể lao động xuất sắc), as `CollectiveCountsIn` names them."""
COUNT_LABELS = {
    "members": "Tổng số thành viên",
    "completed_duties": "Số hoàn thành nhiệm vụ",
    "lao_dong_tien_tien": "Số đạt Lao động tiên tiến",
    "chien_si_thi_dua_co_so": "Số đạt Chiến sĩ thi đua cơ sở",
    "disciplined_canh_cao_or_above": "Số bị kỷ luật từ cảnh cáo trở lên",
}


@dataclass
class InitiativeRow:
    """One row of an individual's «Sáng kiến, đề tài», as typed."""

    title: str = ""
    scope: str = ""
    recognized_by: str = ""
    recognized_on: str = ""
    """dd/mm/yyyy as typed."""
    applied: bool = False
    document_id: str = ""
    """The certificate: an attachment of the dossier, by id."""

    def is_blank(self) -> bool:
        return not (
            self.title.strip()
            or self.scope
            or self.recognized_by.strip()
            or self.recognized_on.strip()
            or self.applied
            or self.document_id
        )

    def data(self) -> dict[str, Any]:
        """As `InitiativeIn` reads it; what cannot be read is passed on for it to refuse."""
        out: dict[str, Any] = {
            "title": self.title,
            "recognized_by": self.recognized_by,
            "applied": self.applied,
        }
        if self.scope:
            out["scope"] = self.scope
        if self.recognized_on.strip():
            out["recognized_on"] = iso_date(self.recognized_on.strip())
        if self.document_id:
            out["document_id"] = int(self.document_id) if self.document_id.isdigit() else -1
        return out


def _count(raw: str) -> int | str:
    raw = raw.strip()
    return int(raw) if raw.isdigit() and len(raw) <= 9 else raw


@dataclass
class NomineeRow:
    index: int
    kind: str = "collective"
    name: str = ""
    job_title: str = ""
    unit_name: str = ""
    achievements: str = ""
    birth_date: str = ""
    """As typed: dd/mm/yyyy (the Vietnamese way; YYYY-MM-DD is read too)."""
    gender: str = ""
    ethnicity: str = ""
    remove: bool = False
    account: str = ""
    """The username of an individual's own account in the unit, or empty."""
    opinion_category: str = ""
    """Hiệp y (domain/opinions.py): enterprise, enterprise_leader … or empty."""
    person_id: str = ""
    """An individual's record in the registry, as chosen in the picker; empty: found or
    made from the details (api/people/service.py)."""
    initiatives: list[InitiativeRow] = field(default_factory=list)
    """An individual's initiatives, the blank rows left out."""
    counts: dict[str, str] = field(default_factory=dict)
    """A collective's counts as typed, by `COUNT_FIELDS`."""

    def is_blank(self) -> bool:
        return not (
            self.name.strip()
            or self.job_title.strip()
            or self.achievements.strip()
            or self.birth_date.strip()
            or (self.kind == "individual" and self.initiatives)
            or (self.kind == "collective" and any(v.strip() for v in self.counts.values()))
        )

    def initiative_rows(self) -> list[InitiativeRow]:
        """What the page shows: the initiatives, then empty rows (at least one, and
        `INITIATIVE_ROWS` in all when there are few)."""
        blanks = max(1, INITIATIVE_ROWS - len(self.initiatives))
        blanks = min(blanks, MAX_INITIATIVES - len(self.initiatives))
        return self.initiatives + [InitiativeRow() for _ in range(max(0, blanks))]


_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")


def iso_date(typed: str) -> str:
    """12/03/1982 (day first, as Vietnamese write it) → 1982-03-12; anything else as typed,
    for the API's model to refuse with its reason."""
    m = _DMY.fullmatch(typed)
    return f"{m.group(3)}-{int(m.group(2)):02d}-{int(m.group(1)):02d}" if m else typed


def nominee_rows(form: FormData) -> list[NomineeRow]:
    """The rows of the nominees table: `n-<i>-<field>`, in the order of `i`."""
    indexes = sorted(
        {
            int(key.split("-")[1])
            for key in form
            if key.startswith("n-") and key.count("-") == 2 and key.split("-")[1].isdigit()
        }
    )[:500]
    rows = []
    for i in indexes:
        rows.append(
            NomineeRow(
                i,
                kind=text(form, f"n-{i}-kind"),
                name=text(form, f"n-{i}-name"),
                job_title=text(form, f"n-{i}-job_title"),
                unit_name=text(form, f"n-{i}-unit_name"),
                achievements=text(form, f"n-{i}-achievements"),
                birth_date=text(form, f"n-{i}-birth_date", 32),
                gender=text(form, f"n-{i}-gender", 16),
                ethnicity=text(form, f"n-{i}-ethnicity", 64),
                remove=text(form, f"n-{i}-remove") == "1",
                account=text(form, f"n-{i}-account", 64),
                opinion_category=text(form, f"n-{i}-opinion_category", 32),
                person_id=text(form, f"n-{i}-person_id", 20).strip(),
                initiatives=_initiative_rows(form, i),
                counts={f: text(form, f"n-{i}-collective_counts-{f}", 12) for f in COUNT_FIELDS},
            )
        )
    return rows


def _initiative_rows(form: FormData, i: int) -> list[InitiativeRow]:
    """The rows `n-<i>-initiatives-<j>-<field>` in the order of `j`, the blank ones left
    out (so the rows sent, and the problems the API finds in them, keep one numbering)."""
    head = f"n-{i}-initiatives-"
    indexes = sorted(
        {
            int(key[len(head) :].split("-")[0])
            for key in form
            if key.startswith(head) and key[len(head) :].split("-")[0].isdigit()
        }
    )[:50]
    rows = []
    for j in indexes:
        p = f"{head}{j}-"
        row = InitiativeRow(
            title=text(form, p + "title", 600),
            scope=text(form, p + "scope", 16),
            recognized_by=text(form, p + "recognized_by", 600),
            recognized_on=text(form, p + "recognized_on", 32),
            applied=text(form, p + "applied") == "1",
            document_id=text(form, p + "document_id", 20).strip(),
        )
        if not row.is_blank():
            rows.append(row)
    return rows[:MAX_INITIATIVES]


def kept_rows(rows: list[NomineeRow]) -> list[NomineeRow]:
    """The rows sent as nominees, in their order: not removed, not left blank."""
    return [r for r in rows if not (r.remove or r.is_blank())]


def nominees_in(
    rows: list[NomineeRow], checked: Checked, *, counts: bool = False
) -> list[NomineeIn]:
    """The rows kept (not removed, not left blank) as the API's nominees; a problem of row
    `i` goes to field `n-<i>-<field>`. An individual's initiatives are always sent (so
    emptied rows remove them); `counts`: the page asked for a collective's counts (all
    left blank: none)."""
    kept = []
    for row in kept_rows(rows):
        data: dict[str, Any] = {f: getattr(row, f) for f in NOMINEE_FIELDS}
        data["account"] = data["account"] or None
        data["opinion_category"] = row.opinion_category or None
        if row.person_id.isdigit() and row.kind == "individual":
            data["person_id"] = int(row.person_id)
        data |= {f: v.strip() for f in DETAIL_FIELDS if (v := getattr(row, f)).strip()}
        if "birth_date" in data:
            data["birth_date"] = iso_date(data["birth_date"])
        if row.kind == "individual":
            data["initiatives"] = [i.data() for i in row.initiatives]
        elif row.kind == "collective" and counts:
            typed = {f: v for f, v in row.counts.items() if v.strip()}
            data["collective_counts"] = {f: _count(v) for f, v in typed.items()} or None
        nominee = validate(NomineeIn, data, checked, prefix=f"n-{row.index}-")
        if nominee is not None:
            kept.append(nominee)
    return kept
