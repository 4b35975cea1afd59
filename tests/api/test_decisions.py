"""The Chủ tịch UBND tỉnh's award decision through the HTTP API of the real server: the
board's specialist drafts it from a submitted round of two dossiers; a Phó Chủ tịch signs
it with the PIN ("KT. CHỦ TỊCH"); the UBND numbers it in its own series and seals it;
every awardee is recorded with the prize money the configuration gives, the nominee the
appraisal failed is marked with the reason, the dossiers read «Đã khen thưởng» and their
units are told; the certificates print one page per awardee. A decision signed elsewhere
is accepted only with a trusted signature; anything else is refused with its code and
nothing changes."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from documents.pki import create_ca, issue_certificate
from documents.sign import SignerMaterial, sign_pdf
from documents.verify import verify_pdf_sync
from documents.vn import today_vn
from tests.fixtures.decisions import make, wait
from tests.fixtures.modes import app_in_mode
from tests.fixtures.nss import nss_db, pdfsig
from tests.fixtures.route import walk_to
from tests.fixtures.server import PIN, Api, AppServer, minutes_pdf

pytestmark = pytest.mark.slow

SPECIALIST, BOARD_HEAD, LEADER, AUDITOR = (
    "ptdkt.chuyenvien",
    "ptdkt.truongphong",
    "snv.phogiamdoc",
    "thanhtra",
)
CHAIRMAN, VICE_CHAIRMAN = "ubnd.chutich", "ubnd.phochutich"
AWARD = "bang_khen_ubnd_tinh"
FAILED = "Hà Văn Trượt"


def approved_with_one_failed(server: AppServer, unit: str, dossier_id: int) -> None:
    """Appraised with the last nominee «Không đạt», then approved to the end."""
    walk_to(server, dossier_id, "board_appraisal", unit=unit)
    specialist = Api(server, SPECIALIST)
    d = specialist.get(f"/api/v1/dossiers/{dossier_id}").json()
    items = [
        {
            "nominee_id": n["id"],
            "result": "khong_dat" if n["name"] == FAILED else "dat",
            "note": "Chưa đủ tiêu chuẩn" if n["name"] == FAILED else "",
        }
        for n in d["nominees"]
    ]
    r = specialist.request(
        "PUT",
        f"/api/v1/dossiers/{dossier_id}/appraisal",
        json={"version": d["version"], "items": items},
    )
    assert r.status_code == 200, r.text
    r = specialist.act(dossier_id, "approve", signing_pin=PIN)
    assert r.status_code == 200, r.text
    walk_to(server, dossier_id, "approved", unit=unit)


def submitted_round(server: AppServer, name: str, dossier_ids: list[int]) -> dict[str, Any]:
    specialist, head, leader = Api(server, SPECIALIST), Api(server, BOARD_HEAD), Api(server, LEADER)
    r = specialist.post(
        "/api/v1/rounds",
        json={"name": name, "year": 2026, "kind": "thuong_xuyen", "awards": [AWARD]},
    )
    assert r.status_code == 201, r.text
    rnd = r.json()
    r = specialist.post(
        f"/api/v1/rounds/{rnd['id']}/dossiers",
        json={"dossier_ids": dossier_ids, "version": rnd["version"]},
    )
    assert r.status_code == 200, r.text
    path = f"/api/v1/rounds/{rnd['id']}"
    for api, action, body in (
        (specialist, "submit", {}),
        (head, "approve", {}),
        (leader, "approve", {"signing_pin": PIN}),
    ):
        wait(api, path)
        r = api.post(f"{path}/actions/{action}", json=body)
        assert r.status_code == 200, r.text
    rnd = wait(specialist, path)
    assert rnd["status"] == "submitted"
    return rnd


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    # The council's vote before a round goes on is tested in test_meetings.py: here the
    # configuration asks none (TDKT_COUNCIL_AWARDS).
    no_council = {"TDKT_COUNCIL_AWARDS": "-"}
    with app_in_mode(tmp_path_factory.mktemp("decisions"), "embedded", no_council) as srv:
        yield srv


@pytest.fixture(scope="module")
def dossiers(server: AppServer) -> dict[str, int]:
    ids = {
        "bdt": make(
            server, "bdt", [("collective", "Phòng Chính sách"), ("individual", "Lò Văn Páo")]
        ),
        "htx": make(server, "lmhtx", [("individual", "Nông Văn Khánh"), ("individual", FAILED)]),
    }
    assert walk_to(server, ids["bdt"], "approved")["status"] == "approved"
    approved_with_one_failed(server, "lmhtx", ids["htx"])
    return ids


@pytest.fixture(scope="module")
def rnd(server: AppServer, dossiers: dict[str, int]) -> dict[str, Any]:
    return submitted_round(server, "Đợt tổng kết năm 2026", [dossiers["bdt"], dossiers["htx"]])


def text_of(pdf: bytes, tmp_path: Any) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(out.stdout.split())


def pdf_info(pdf: bytes, tmp_path: Any) -> dict[str, str]:
    path = tmp_path / "info.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return {
        k.strip(): v.strip()
        for k, _, v in (line.partition(":") for line in out.stdout.splitlines())
    }


def test_a_decision_is_drafted_once_from_a_submitted_round(server, dossiers, rnd):
    specialist = Api(server, SPECIALIST)
    # An open round has no decision yet.
    r = specialist.post(
        "/api/v1/rounds",
        json={"name": "Đợt còn mở", "year": 2026, "kind": "thuong_xuyen", "awards": [AWARD]},
    )
    r = specialist.post("/api/v1/decisions", json={"round_id": r.json()["id"]})
    assert r.status_code == 409 and r.json()["code"] == "round_not_submitted"
    for user in ("bdt.canbo", VICE_CHAIRMAN):
        r = Api(server, user).post("/api/v1/decisions", json={"round_id": rnd["id"]})
        assert r.status_code in (403, 404), (user, r.text)

    r = specialist.post("/api/v1/decisions", json={"round_id": rnd["id"]})
    assert r.status_code == 201, r.text
    d = r.json()
    assert d["status"] == "draft" and d["status_label"] == "Dự thảo quyết định"
    assert d["allowed_actions"] == ["submit"] and d["can_upload"]
    r = specialist.post("/api/v1/decisions", json={"round_id": rnd["id"]})
    assert r.status_code == 409 and r.json()["code"] == "round_has_decision"

    # The prize money of the configuration in force today: lương cơ sở 2.340.000 đ, the
    # Bằng khen's coefficients (1.0 a person, 2.0 a collective) labelled not confirmed.
    by_name = {a["name"]: a for a in d["awardees"]}
    assert by_name["Lò Văn Páo"]["prize_amount"] == 2_340_000
    assert by_name["Phòng Chính sách"]["prize_amount"] == 4_680_000
    assert by_name["Lò Văn Páo"]["prize_text"] == "2.340.000 đồng"
    assert "chưa xác nhận" in by_name["Lò Văn Páo"]["prize_basis"]
    assert not by_name[FAILED]["awarded"] and by_name[FAILED]["prize_amount"] is None
    assert "không đạt" in by_name[FAILED]["reason"]
    assert d["counts"] == {"collectives": 1, "individuals": 2, "not_awarded": 1}
    assert d["prize_total"] == 4_680_000 + 2 * 2_340_000
    values = {v["label"]: v for v in d["prize_values"]}
    assert values["Lương cơ sở"]["value"] == "2.340.000 đồng"
    assert "73/2024" in values["Lương cơ sở"]["legal_basis"]
    assert any(not v["confirmed"] for v in d["prize_values"])

    # Units do not see the decision (its list holds other units' nominees).
    r = Api(server, "bdt.canbo").get(f"/api/v1/decisions/{d['id']}")
    assert r.status_code == 404 and r.json()["code"] == "decision_not_found"


def test_a_vice_chairman_signs_and_the_ubnd_numbers_and_seals_it(server, dossiers, rnd, tmp_path):
    specialist, vice = Api(server, SPECIALIST), Api(server, VICE_CHAIRMAN)
    d = next(x for x in specialist.get("/api/v1/decisions").json() if x["round_id"] == rnd["id"])
    path = f"/api/v1/decisions/{d['id']}"
    r = vice.post(f"{path}/actions/approve", json={"signing_pin": PIN})
    assert r.status_code == 409, r.text  # still a draft
    r = specialist.post(f"{path}/actions/submit", json={})
    assert r.status_code == 200, r.text
    d = wait(vice, path)
    assert d["status"] == "signing" and d["allowed_actions"] == ["approve", "return"]
    assert [x["id"] for x in vice.get("/api/v1/decisions", params={"waiting": "true"}).json()] == [
        d["id"]
    ]
    drafts = vice.get(f"{path}/documents").json()
    assert [(x["form"], x["draft"]) for x in drafts] == [("quyet_dinh_khen_thuong", True)]

    r = vice.post(f"{path}/actions/approve", json={})
    assert r.json()["code"] == "signing_pin_required"
    r = vice.post(f"{path}/actions/approve", json={"signing_pin": PIN})
    assert r.status_code == 200, r.text
    d = wait(vice, path)
    assert d["status"] == "issued" and d["number"].endswith("/QĐ-UBND"), d
    on = date.fromisoformat(d["decided_on"])
    assert d["label"] == f"Quyết định số {d['number']} ngày {on:%d/%m/%Y}"

    docs = specialist.get(f"{path}/documents").json()
    assert len(docs) == 1 and docs[0]["number"] == d["number"] and not docs[0]["draft"]
    pdf = specialist.get(f"/api/v1/documents/{docs[0]['id']}/content").content
    roots = specialist.get("/api/v1/trust-roots").content
    reports = verify_pdf_sync(pdf, [roots])
    assert len(reports) == 2 and all(x.intact and x.valid and x.trusted for x in reports)
    saved = tmp_path / "quyet-dinh.pdf"
    saved.write_bytes(pdf)
    assert pdfsig(saved, nss_db(tmp_path / "nss", roots)).count("Signature is Valid.") == 2
    text = text_of(pdf, tmp_path)
    assert "KT. CHỦ TỊCH" in text and "PHÓ CHỦ TỊCH" in text
    assert f"Số: {d['number']}" in text and "ỦY BAN NHÂN DÂN TỈNH LẠNG SƠN" in text
    assert "Điều 1." in text and "Điều 2." in text and "Điều 3." in text
    assert "mỗi tập thể 4.680.000 đồng, mỗi cá nhân 2.340.000 đồng" in text
    for name in ("Phòng Chính sách", "Lò Văn Páo", "Nông Văn Khánh"):
        assert name in text, name
    assert FAILED not in text

    # Every awardee recorded, numbered in the certificate book; the failed one is not.
    awarded = [a for a in d["awardees"] if a["awarded"]]
    assert sorted(a["certificate_no"] for a in awarded) == [1, 2, 3]
    failed = next(a for a in d["awardees"] if a["name"] == FAILED)
    assert failed["certificate_no"] is None and not failed["awarded"]

    # The dossiers are closed as awarded, and their units told with the number.
    for unit, key in (("bdt", "bdt"), ("lmhtx", "htx")):
        clerk = Api(server, f"{unit}.canbo")
        dossier = clerk.get(f"/api/v1/dossiers/{dossiers[key]}").json()
        assert dossier["status"] == "awarded" and dossier["status_label"] == "Đã khen thưởng"
        assert dossier["award_decision"] == d["label"]
        results = {n["name"]: n["award_result"] for n in dossier["nominees"]}
        assert all(x["decision_number"] == d["number"] for x in results.values())
        if key == "htx":  # what the decision did for each of its nominees
            assert results["Nông Văn Khánh"]["awarded"] and results["Nông Văn Khánh"][
                "text"
            ].startswith(f"Được khen thưởng — {d['label']}, số vào sổ ")
            assert not results[FAILED]["awarded"] and results[FAILED]["certificate_no"] is None
            assert results[FAILED]["text"] == f"Không được khen thưởng: {results[FAILED]['reason']}"
            assert "không đạt" in results[FAILED]["reason"]
        items = clerk.get("/api/v1/notifications").json()
        assert any(
            "Đã khen thưởng" in n["message"] and d["number"] in n["message"] for n in items
        ), items
    assert Api(server, SPECIALIST).get(f"/api/v1/rounds/{rnd['id']}").json()["status"] == "decided"

    # The certificates: one landscape page per awardee, with the decision's number.
    r = specialist.get(f"{path}/certificates.pdf")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    info = pdf_info(r.content, tmp_path)
    assert info["Pages"] == "3" and "841.89 x 595.276" in info["Page size"], info
    certs = text_of(r.content, tmp_path)
    assert "Lò Văn Páo" in certs and d["number"] in certs and "Số vào sổ: 1/" in certs
    assert "KT. CHỦ TỊCH" in certs
    test_page = specialist.get(f"{path}/certificates.pdf", params={"test_page": "true"})
    assert pdf_info(test_page.content, tmp_path)["Pages"] == "1"
    assert "TRANG IN THỬ CĂN LỀ" in text_of(test_page.content, tmp_path)

    history = Api(server, AUDITOR).get(f"{path}/history").json()
    kinds = [e["kind"] for e in history]
    for kind in ("decision_drafted", "submit", "approve", "documents_issued", "awards_recorded"):
        assert kind in kinds, kinds
    dossier_history = Api(server, AUDITOR).get(f"/api/v1/dossiers/{dossiers['bdt']}/history")
    assert "awarded" in [e["kind"] for e in dossier_history.json()]
    assert Api(server, AUDITOR).get("/api/v1/audit/verify").json()["ok"] is True


def _signed(pdf: bytes, signer: SignerMaterial) -> bytes:
    return asyncio.run(
        sign_pdf(
            pdf,
            signer,
            field_name="ChuTich",
            reason="Ký quyết định",
            location="Lạng Sơn",
            stamp_lines=["Ký trên hệ thống quản lý văn bản"],
        )
    )


def test_an_uploaded_decision_is_accepted_only_with_a_trusted_signature(
    server, dossiers, rnd, tmp_path
):
    extra = make(server, "bdt", [("individual", "Đinh Thị Lan")])
    walk_to(server, extra, "approved")
    other = submitted_round(server, "Đợt đột xuất 2026", [extra])
    specialist = Api(server, SPECIALIST)
    d = specialist.post("/api/v1/decisions", json={"round_id": other["id"]}).json()
    path = f"/api/v1/decisions/{d['id']}"

    stranger = create_ca("CA lạ", "Tổ chức không tin cậy")
    made = issue_certificate(
        stranger, common_name="Người lạ", organization="Nơi khác", kind="person", key_type="ec"
    )
    material = SignerMaterial(made.key_pem, made.cert_pem, (stranger.cert_pem,))
    untrusted = _signed(minutes_pdf(), material)
    form = {"number": "1234/QĐ-UBND", "decided_on": "2026-12-04"}
    for bad, code in (
        (minutes_pdf(), "decision_unsigned"),
        (untrusted, "untrusted_certificate"),
        (b"not a pdf", None),
    ):
        r = specialist.post(f"{path}/upload", data=form, files={"file": ("qd.pdf", bad)})
        assert r.status_code == 422, r.text
        if code:
            assert r.json()["code"] == code, r.text
        unchanged = specialist.get(path).json()
        assert unchanged["status"] == "draft" and unchanged["number"] is None
        assert all(a["certificate_no"] is None for a in unchanged["awardees"])
        dossier = Api(server, "bdt.canbo").get(f"/api/v1/dossiers/{extra}").json()
        assert dossier["status"] == "approved"
    r = specialist.post(
        f"{path}/upload", data={"number": ""}, files={"file": ("qd.pdf", untrusted)}
    )
    assert r.status_code == 422
    # A decision is uploaded once signed: not dated after today in Việt Nam.
    tomorrow = (today_vn() + timedelta(days=1)).isoformat()
    r = specialist.post(
        f"{path}/upload",
        data={**form, "decided_on": tomorrow},
        files={"file": ("qd.pdf", untrusted)},
    )
    assert r.status_code == 422 and r.json()["code"] == "decision_date_future", r.text
    assert specialist.get(path).json()["status"] == "draft"
    # A leader of the UBND does not upload; the drafter does.
    r = Api(server, VICE_CHAIRMAN).post(
        f"{path}/upload", data=form, files={"file": ("qd.pdf", minutes_pdf())}
    )
    assert r.status_code == 403, r.text

    # A PDF signed by a certificate of the trusted CA (the first decision, as the
    # province's e-office would hand it out) is accepted with the number and date typed.
    decisions = specialist.get("/api/v1/decisions").json()
    first = next(x for x in decisions if x["round_id"] == rnd["id"])
    doc = specialist.get(f"/api/v1/decisions/{first['id']}/documents").json()[0]
    signed = specialist.get(f"/api/v1/documents/{doc['id']}/content").content
    r = specialist.post(f"{path}/upload", data=form, files={"file": ("qd.pdf", signed)})
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["status"] == "issued" and d["source"] == "upload"
    assert d["number"] == "1234/QĐ-UBND" and d["decided_on"] == "2026-12-04"
    lan = next(a for a in d["awardees"] if a["name"] == "Đinh Thị Lan")
    assert lan["awarded"] and lan["prize_amount"] == 2_340_000 and lan["certificate_no"] == 4
    dossier = Api(server, "bdt.canbo").get(f"/api/v1/dossiers/{extra}").json()
    assert dossier["status_label"] == "Đã khen thưởng"
    r = specialist.post(f"{path}/upload", data=form, files={"file": ("qd.pdf", signed)})
    assert r.status_code == 409 and r.json()["code"] == "decision_issued"
    assert Api(server, AUDITOR).get("/api/v1/audit/verify").json()["ok"] is True
