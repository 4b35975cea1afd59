"""Corrections of an issued award decision through the HTTP API of the real server: the
decision is never edited; a revoking (thu hồi) or correcting (đính chính) decision signed
in the province's e-office is uploaded with its number, date and the records it changes.
A revoked awardee reads «Đã thu hồi theo Quyết định số … ngày …», leaves the counts and
the certificates, and their dossier's history says so; a corrected one reads the new
text with «Đính chính theo Quyết định số …» and the old text kept. An unsigned or
wrongly signed file, a record of another decision, an unknown field, a second revocation
are refused with their codes and nothing changes; a unit's clerk cannot see the decision,
a leader of the UBND cannot amend it."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from documents.pki import create_ca
from documents.vn import today_vn
from tests.fixtures.decisions import SPECIALIST, issued_decision, signed
from tests.fixtures.modes import app_in_mode
from tests.fixtures.server import Api, AppServer, minutes_pdf

pytestmark = pytest.mark.slow

AUDITOR, VICE_CHAIRMAN = "thanhtra", "ubnd.phochutich"
# The original decision is dated 04/12/2026 (tests/fixtures/decisions.py): a correcting
# or revoking decision is dated that day or later, and not after today in Việt Nam.
REVOKE_FORM = {"number": "1300/QĐ-UBND", "decided_on": "2026-12-04", "kind": "thu_hoi"}
REVOKED_NOTE = "Đã thu hồi theo Quyết định số 1300/QĐ-UBND ngày 04/12/2026"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    no_council = {"TDKT_COUNCIL_AWARDS": "-"}
    with app_in_mode(tmp_path_factory.mktemp("amendments"), "embedded", no_council) as srv:
        yield srv


@pytest.fixture(scope="module")
def issued(server: AppServer) -> dict[str, Any]:
    """A decision of a round of two dossiers (bdt: a collective and an individual; lmhtx:
    one individual), issued by uploading it signed elsewhere."""
    made = issued_decision(
        server,
        {
            "bdt": [("collective", "Phòng Chính sách"), ("individual", "Lò Văn Páo")],
            "lmhtx": [("individual", "Nông Văn Khánh")],
        },
        "Đợt tổng kết năm 2026",
    )
    return {**made, "bdt": made["dossiers"]["bdt"], "htx": made["dossiers"]["lmhtx"]}


def awardee(d: dict[str, Any], name: str) -> dict[str, Any]:
    return next(a for a in d["awardees"] if a["name"] == name)


def text_of(pdf: bytes, tmp_path: Any) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(out.stdout.split())


def test_a_revoking_decision_is_accepted_only_signed_and_then_shown(issued, server, tmp_path):
    specialist = Api(server, SPECIALIST)
    d = issued["decision"]
    path = f"/api/v1/decisions/{d['id']}"
    khanh = awardee(d, "Nông Văn Khánh")
    assert khanh["awarded"] and khanh["record_id"] and not khanh["revoked"]
    assert d["can_amend"] and d["amendments"] == []
    before_counts = d["counts"]
    changes = f'[{{"record_id": {khanh["record_id"]}}}]'
    form = {**REVOKE_FORM, "reason": "Cá nhân vi phạm kỷ luật", "changes": changes}
    good = signed(minutes_pdf(), issued["ca"])
    tomorrow = (today_vn() + timedelta(days=1)).isoformat()

    stranger = create_ca("CA lạ", "Tổ chức không tin cậy")
    for bad, code in (
        (minutes_pdf(), "decision_unsigned"),
        (signed(minutes_pdf(), stranger), "untrusted_certificate"),
    ):
        r = specialist.post(f"{path}/amendments", data=form, files={"file": ("qd.pdf", bad)})
        assert r.status_code == 422 and r.json()["code"] == code, r.text
    for extra, status, code in (
        ({"changes": '[{"record_id": 999999}]'}, 422, "record_not_in_decision"),
        ({"number": "1300"}, 422, "decision_number_required"),
        ({"reason": " "}, 422, "reason_required"),
        ({"kind": "sua"}, 422, "amendment_kind_invalid"),
        ({"decided_on": "2026-12-03"}, 422, "amendment_date_before_original"),
        ({"decided_on": tomorrow}, 422, "decision_date_future"),
    ):
        r = specialist.post(
            f"{path}/amendments", data={**form, **extra}, files={"file": ("qd.pdf", good)}
        )
        assert (r.status_code, r.json()["code"]) == (status, code), r.text
    # Neither a unit's clerk (who does not see decisions) nor a leader of the UBND
    # records a correction; the board's specialist does.
    r = Api(server, "lmhtx.canbo").post(
        f"{path}/amendments", data=form, files={"file": ("qd.pdf", good)}
    )
    assert r.status_code == 404, r.text
    r = Api(server, VICE_CHAIRMAN).post(
        f"{path}/amendments", data=form, files={"file": ("qd.pdf", good)}
    )
    assert r.status_code == 403, r.text
    unchanged = specialist.get(path).json()
    assert unchanged["amendments"] == [] and not awardee(unchanged, "Nông Văn Khánh")["revoked"]
    assert unchanged["counts"] == before_counts
    assert not any(
        e["kind"] == "decision_amended" for e in specialist.get(f"{path}/history").json()
    )
    clerk = Api(server, "lmhtx.canbo")
    told_before = [n["message"] for n in clerk.get("/api/v1/notifications").json()]
    assert not any("thu hồi" in m for m in told_before), told_before

    r = specialist.post(f"{path}/amendments", data=form, files={"file": ("qd.pdf", good)})
    assert r.status_code == 200, r.text
    after = r.json()
    khanh = awardee(after, "Nông Văn Khánh")
    assert khanh["revoked"] and khanh["awarded"]  # the record keeps what the decision said
    assert khanh["notes"] == [REVOKED_NOTE]
    assert after["counts"]["individuals"] == before_counts["individuals"] - 1
    assert after["revoked"] == 1 and after["counts"]["not_awarded"] == 0
    assert after["prize_total"] == d["prize_total"] - khanh["prize_amount"]
    [m] = after["amendments"]
    assert (m["kind"], m["number"], m["decided_on"]) == ("thu_hoi", "1300/QĐ-UBND", "2026-12-04")
    assert m["reason"] == "Cá nhân vi phạm kỷ luật"
    assert [c["record_id"] for c in m["changes"]] == [khanh["record_id"]]
    docs = specialist.get(f"{path}/documents").json()
    assert any(x["id"] == m["document_id"] for x in docs)

    # Revoked once only.
    r = specialist.post(f"{path}/amendments", data=form, files={"file": ("qd.pdf", good)})
    assert r.status_code == 409 and r.json()["code"] == "record_revoked", r.text

    history = specialist.get(f"{path}/history").json()
    amended = [e for e in history if e["kind"] == "decision_amended"]
    assert len(amended) == 1 and "1300/QĐ-UBND" in amended[0]["detail"]
    assert "Nông Văn Khánh" in amended[0]["detail"]

    # The unit is told: its clerk and its head; the other unit of the decision is not.
    told = (
        f"Quyết định số 1300/QĐ-UBND ngày 04/12/2026 thu hồi khen thưởng của "
        f"Nông Văn Khánh (hồ sơ số {issued['htx']})"
    )
    for login in ("lmhtx.canbo", "lmhtx.thutruong"):
        messages = [n["message"] for n in Api(server, login).get("/api/v1/notifications").json()]
        assert messages.count(told) == 1, (login, messages)
    others = [n["message"] for n in Api(server, "bdt.canbo").get("/api/v1/notifications").json()]
    assert not any("1300/QĐ-UBND" in m for m in others), others

    # The dossier whose only awardee was revoked keeps «Đã khen thưởng» as its history,
    # which now says the award was revoked; its unit reads it.
    dossier = clerk.get(f"/api/v1/dossiers/{issued['htx']}").json()
    assert dossier["status_label"] == "Đã khen thưởng"
    assert (
        "thu hồi khen thưởng của 1 tập thể, cá nhân theo Quyết định số 1300/QĐ-UBND"
        in (dossier["award_decision"])
    )
    events = clerk.get(f"/api/v1/dossiers/{issued['htx']}/history").json()
    assert any(e["kind"] == "award_revoked" for e in events), events
    # Its nominee's own result says so too, the first decision kept beside it.
    (result,) = [n["award_result"] for n in dossier["nominees"] if n["name"] == "Nông Văn Khánh"]
    assert result["awarded"] is True and result["revoked_by"].startswith(
        "Quyết định số 1300/QĐ-UBND"
    )
    assert result["text"].startswith("Đã thu hồi khen thưởng theo Quyết định số 1300/QĐ-UBND")
    assert "đã được khen thưởng theo Quyết định số" in result["text"]

    # The certificates leave the revoked awardee out.
    pdf = specialist.get(f"{path}/certificates.pdf").content
    text = text_of(pdf, tmp_path)
    assert "Lò Văn Páo" in text and "Nông Văn Khánh" not in text
    assert Api(server, AUDITOR).get("/api/v1/audit/verify").json()["ok"] is True


def test_a_correcting_decision_shows_the_new_text_and_keeps_the_old(issued, server, tmp_path):
    specialist = Api(server, SPECIALIST)
    d = specialist.get(f"/api/v1/decisions/{issued['decision']['id']}").json()
    path = f"/api/v1/decisions/{d['id']}"
    pao = awardee(d, "Lò Văn Páo")
    good = signed(minutes_pdf(), issued["ca"])
    form = {
        "kind": "dinh_chinh",
        "number": "1301/QĐ-UBND",
        "decided_on": "2026-12-04",
        "reason": "Sai chính tả tên",
    }
    rid = pao["record_id"]
    for changes, status, code in (
        (f'[{{"record_id": {rid}, "field": "award", "new_value": "x"}}]', 422, "unknown_field"),
        (f'[{{"record_id": {rid}, "field": "name", "new_value": ""}}]', 422, "new_value_required"),
        ("not json", 422, "changes_invalid"),
    ):
        r = specialist.post(
            f"{path}/amendments",
            data={**form, "changes": changes},
            files={"file": ("qd.pdf", good)},
        )
        assert (r.status_code, r.json()["code"]) == (status, code), r.text
    assert specialist.get(path).json()["amendments"] == d["amendments"]

    changes = f'[{{"record_id": {rid}, "field": "name", "new_value": "Lò Văn Pảo"}}]'
    r = specialist.post(
        f"{path}/amendments", data={**form, "changes": changes}, files={"file": ("qd.pdf", good)}
    )
    assert r.status_code == 200, r.text
    after = r.json()
    pao = awardee(after, "Lò Văn Pảo")
    assert pao["original"] == {"name": "Lò Văn Páo"} and not pao["revoked"]
    assert pao["notes"] == [
        "Đính chính theo Quyết định số 1301/QĐ-UBND ngày 04/12/2026: "
        "Tên tập thể, cá nhân «Lò Văn Páo» → «Lò Văn Pảo»"
    ]
    assert after["counts"]["individuals"] == d["counts"]["individuals"]
    assert [m["kind"] for m in after["amendments"]] == ["thu_hoi", "dinh_chinh"]
    [c] = after["amendments"][1]["changes"]
    assert (c["field"], c["old_value"], c["new_value"]) == ("name", "Lò Văn Páo", "Lò Văn Pảo")
    text = text_of(specialist.get(f"{path}/certificates.pdf").content, tmp_path)
    assert "Lò Văn Pảo" in text and "Lò Văn Páo" not in text
    events = Api(server, "bdt.canbo").get(f"/api/v1/dossiers/{issued['bdt']}/history").json()
    assert any(e["kind"] == "award_corrected" for e in events), events
    assert Api(server, AUDITOR).get("/api/v1/audit/verify").json()["ok"] is True
    told = (
        "Quyết định số 1301/QĐ-UBND ngày 04/12/2026 đính chính khen thưởng của "
        f"Lò Văn Páo (hồ sơ số {issued['bdt']})"
    )
    messages = [n["message"] for n in Api(server, "bdt.canbo").get("/api/v1/notifications").json()]
    assert told in messages, messages


def test_the_public_register_shows_the_corrections(issued, server):
    """After the revocation and the correction above: the decision's public page and
    JSON read the corrected text, keep the revoked awardee marked, and list the
    correcting and revoking decisions (number, date, kind) — never their reason."""
    decision_id = issued["decision"]["id"]
    web = httpx.Client(base_url=server.base, timeout=60)  # no sign-in
    got = web.get(f"/api/v1/public/decisions/{decision_id}").json()
    by_name = {a["name"]: a for a in got["awardees"]}
    assert set(by_name) == {"Phòng Chính sách", "Lò Văn Pảo", "Nông Văn Khánh"}
    assert by_name["Nông Văn Khánh"]["revoked"] is True
    assert by_name["Nông Văn Khánh"]["notes"] == [REVOKED_NOTE]
    pao = by_name["Lò Văn Pảo"]
    assert not pao["revoked"] and pao["notes"][0].startswith(
        "Đính chính theo Quyết định số 1301/QĐ-UBND ngày 04/12/2026"
    )
    assert not by_name["Phòng Chính sách"]["revoked"] and by_name["Phòng Chính sách"]["notes"] == []
    assert [(m["kind"], m["number"], m["decided_on"], m["names"]) for m in got["amendments"]] == [
        ("thu_hoi", "1300/QĐ-UBND", "2026-12-04", ["Nông Văn Khánh"]),
        ("dinh_chinh", "1301/QĐ-UBND", "2026-12-04", ["Lò Văn Pảo"]),
    ]
    assert "vi phạm kỷ luật" not in str(got) and "Sai chính tả" not in str(got)

    r = web.get(f"/cong-khai/quyet-dinh/{decision_id}")
    assert r.status_code == 200, r.text
    page = r.text
    assert "(3, trong đó 1 đã bị thu hồi)" in page
    row = next(x for x in page.split("<tr") if "Nông Văn Khánh" in x and "data-label" in x)
    assert 'class="revoked"' in row and REVOKED_NOTE in row
    assert "Lò Văn Pảo" in page
    assert "Quyết định đính chính, thu hồi" in page and "1301/QĐ-UBND" in page
    assert "vi phạm kỷ luật" not in page and "Sai chính tả" not in page
