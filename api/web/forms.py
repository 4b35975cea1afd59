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

    def is_blank(self) -> bool:
        return not (
            self.name.strip()
            or self.job_title.strip()
            or self.achievements.strip()
            or self.birth_date.strip()
        )


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
            )
        )
    return rows


def nominees_in(rows: list[NomineeRow], checked: Checked) -> list[NomineeIn]:
    """The rows kept (not removed, not left blank) as the API's nominees; a problem of row
    `i` goes to field `n-<i>-<field>`."""
    kept = []
    for row in rows:
        if row.remove or row.is_blank():
            continue
        data: dict[str, Any] = {f: getattr(row, f) for f in NOMINEE_FIELDS}
        data["account"] = data["account"] or None
        data["opinion_category"] = row.opinion_category or None
        if row.person_id.isdigit() and row.kind == "individual":
            data["person_id"] = int(row.person_id)
        data |= {f: v.strip() for f in DETAIL_FIELDS if (v := getattr(row, f)).strip()}
        if "birth_date" in data:
            data["birth_date"] = iso_date(data["birth_date"])
        nominee = validate(NomineeIn, data, checked, prefix=f"n-{row.index}-")
        if nominee is not None:
            kept.append(nominee)
    return kept
