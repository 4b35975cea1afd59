"""The rules of a correcting or revoking decision (domain/decisions.py): only an issued
decision is amended; a change names a record of the decision, a known field and a new
value; an award is revoked once."""

from __future__ import annotations

from datetime import date

import pytest

from domain.decisions import (
    AmendmentKind,
    RecordState,
    amendment_message,
    amendment_note,
    check_amendable,
    check_amendment_date,
    check_upload_fields,
    plan_amendment,
)
from domain.errors import Conflict, InvalidInput

RECORDS = {
    1: RecordState(1, 10, True, False, {"name": "Lò Văn Páo", "position": "", "unit_name": "X"}),
    2: RecordState(2, 10, True, True, {"name": "Đã Thu Hồi", "position": "", "unit_name": "X"}),
    3: RecordState(3, 11, False, False, {"name": "Hà Văn Trượt", "position": "", "unit_name": ""}),
}


def code_of(exc: pytest.ExceptionInfo[Exception]) -> str:
    return getattr(exc.value, "code", "")


def test_only_an_issued_decision_is_amended():
    for status in ("draft", "signing"):
        with pytest.raises(Conflict) as e:
            check_amendable(status)
        assert code_of(e) == "decision_not_issued"
    check_amendable("issued")


@pytest.mark.parametrize(
    ("kind", "changes", "error", "code"),
    [
        (AmendmentKind.REVOKE, [], InvalidInput, "changes_required"),
        (AmendmentKind.REVOKE, [(99, None, None)], InvalidInput, "record_not_in_decision"),
        (AmendmentKind.REVOKE, [(2, None, None)], Conflict, "record_revoked"),
        (AmendmentKind.CORRECT, [(2, "name", "Mới")], Conflict, "record_revoked"),
        (AmendmentKind.REVOKE, [(3, None, None)], Conflict, "record_not_awarded"),
        (AmendmentKind.CORRECT, [(1, "award", "x")], InvalidInput, "unknown_field"),
        (AmendmentKind.CORRECT, [(1, None, "x")], InvalidInput, "unknown_field"),
        (AmendmentKind.CORRECT, [(1, "name", "  ")], InvalidInput, "new_value_required"),
        (AmendmentKind.CORRECT, [(1, "name", "Lò  Văn Páo")], InvalidInput, "new_value_unchanged"),
        (
            AmendmentKind.REVOKE,
            [(1, None, None), (1, None, None)],
            InvalidInput,
            "duplicate_change",
        ),
    ],
)
def test_refusals_name_their_code(kind, changes, error, code):
    with pytest.raises(error) as e:
        plan_amendment(kind, changes, RECORDS)
    assert code_of(e) == code


def test_a_correction_keeps_the_old_value_and_a_revocation_names_the_record():
    [c] = plan_amendment(AmendmentKind.CORRECT, [(1, "name", " Lò  Văn Pảo ")], RECORDS)
    assert (c.field, c.old_value, c.new_value, c.dossier_id) == (
        "name",
        "Lò Văn Páo",
        "Lò Văn Pảo",
        10,
    )
    [r] = plan_amendment(AmendmentKind.REVOKE, [(1, None, None)], RECORDS)
    assert (r.record_id, r.kind, r.field) == (1, AmendmentKind.REVOKE, None)
    on = date(2026, 12, 10)
    assert amendment_note("thu_hoi", "13/QĐ-UBND", on) == (
        "Đã thu hồi theo Quyết định số 13/QĐ-UBND ngày 10/12/2026"
    )
    assert amendment_note("dinh_chinh", "14/QĐ-UBND", on).startswith("Đính chính theo Quyết định")


def test_a_decision_signed_elsewhere_is_not_dated_after_today():
    today = date(2026, 12, 4)
    assert check_upload_fields(" 13/QĐ-UBND ", today, today) == "13/QĐ-UBND"
    with pytest.raises(InvalidInput) as e:
        check_upload_fields("13/QĐ-UBND", date(2026, 12, 5), today)
    assert code_of(e) == "decision_date_future" and "04/12/2026" in str(e.value)


def test_an_amendment_is_not_dated_before_the_decision_it_amends():
    original = date(2026, 12, 4)
    check_amendment_date(original, original)
    check_amendment_date(date(2027, 1, 2), original)
    with pytest.raises(InvalidInput) as e:
        check_amendment_date(date(2026, 12, 3), original)
    assert code_of(e) == "amendment_date_before_original" and "04/12/2026" in str(e.value)


def test_the_units_are_told_what_an_amendment_did_to_their_dossier():
    on = date(2026, 12, 4)
    assert amendment_message("thu_hoi", "13/QĐ-UBND", on, ["Lò Văn Páo", "Hà Thị Mai"], 7) == (
        "Quyết định số 13/QĐ-UBND ngày 04/12/2026 thu hồi khen thưởng của Lò Văn Páo, "
        "Hà Thị Mai (hồ sơ số 7)"
    )
    assert amendment_message("dinh_chinh", "14/QĐ-UBND", on, ["Lò Văn Páo"], 7).startswith(
        "Quyết định số 14/QĐ-UBND ngày 04/12/2026 đính chính khen thưởng của Lò Văn Páo"
    )
