"""The board specialist's appraisal (thẩm định) of each nominee, as rules: what a result
may say, what it prints, and when the appraisal is complete enough to approve. No I/O.

A nominee is found đạt (goes on to the board's Tờ trình), không đạt, or proposed for
another form of award (one of `domain.awards`, or a free text such as "Giấy khen" decided
at a lower level); or struck from the dossier with a reason (a nominee under discipline,
listed twice, withdrawn): the others go on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from domain.awards import AWARDS
from domain.errors import AppraisalIncomplete, NobodyPasses


class Result(StrEnum):
    PASSED = "dat"
    FAILED = "khong_dat"
    OTHER_FORM = "hinh_thuc_khac"


RESULT_LABELS = {
    Result.PASSED: "Đạt",
    Result.FAILED: "Không đạt",
    Result.OTHER_FORM: "Đề nghị hình thức khác",
}
STRUCK_LABEL = "Loại khỏi danh sách"
NO_RESULT_LABEL = "Chưa có kết quả"
NOTE_MAX = 2000


@dataclass(frozen=True)
class Appraisal:
    """What the specialist recorded for one nominee."""

    result: Result | None = None
    note: str = ""
    other_award: str = ""
    """With OTHER_FORM: an award's code, or the form in words."""
    struck: bool = False
    strike_reason: str = ""

    @property
    def passed(self) -> bool:
        return not self.struck and self.result == Result.PASSED

    @property
    def decided(self) -> bool:
        return self.struck or self.result is not None


def award_code_or_text(text: str) -> str:
    """An award typed by its code or its name is stored as its code; anything else (a
    form decided elsewhere, "Giấy khen của Giám đốc Sở") as typed."""
    wanted = " ".join(text.split())
    for award in AWARDS.values():
        if wanted.casefold() in (award.code.casefold(), award.name.casefold()):
            return award.code
    return wanted


def award_label(value: str) -> str:
    return AWARDS[value].name if value in AWARDS else value


def problems(a: Appraisal, dossier_award: str) -> dict[str, str]:
    """Why a recorded result cannot stand, by field, in Vietnamese; empty when it can."""
    found: dict[str, str] = {}
    if a.struck and not a.strike_reason.strip():
        found["strike_reason"] = "Cần nêu lý do loại khỏi danh sách."
    if a.result == Result.OTHER_FORM and not a.struck:
        if not a.other_award.strip():
            found["other_award"] = "Hãy ghi hình thức khen thưởng khác được đề nghị."
        elif a.other_award == dossier_award:
            found["other_award"] = (
                f"Hình thức khác phải khác «{award_label(dossier_award)}» đang xét."
            )
    if len(a.note) > NOTE_MAX or len(a.strike_reason) > NOTE_MAX:
        found.setdefault("note", f"Ghi chú, lý do dài tối đa {NOTE_MAX} ký tự.")
    return found


def printed(a: Appraisal | None) -> tuple[str, str]:
    """The result and the note as the Báo cáo thẩm định prints them."""
    if a is None or not a.decided:
        return NO_RESULT_LABEL, ""
    if a.struck:
        note = f"Lý do: {a.strike_reason.strip()}"
        return STRUCK_LABEL, note + (f" {a.note.strip()}" if a.note.strip() else "")
    assert a.result is not None
    if a.result == Result.OTHER_FORM:
        return f"{RESULT_LABELS[a.result]}: {award_label(a.other_award)}", a.note.strip()
    return RESULT_LABELS[a.result], a.note.strip()


def check_complete(nominees: Sequence[tuple[str, Appraisal | None]]) -> None:
    """Approving the appraisal needs a result (or a strike) for every nominee, and at
    least one nominee who passes; otherwise the specialist rejects or returns."""
    missing = [name for name, a in nominees if a is None or not a.decided]
    if missing:
        listed = ", ".join(f"«{n}»" for n in missing)
        raise AppraisalIncomplete(f"Chưa ghi kết quả thẩm định cho: {listed}.")
    if not any(a is not None and a.passed for _, a in nominees):
        raise NobodyPasses()
