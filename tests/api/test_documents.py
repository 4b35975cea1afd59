"""A dossier's documents through the HTTP API, against the real server (embedded: SQLite
and a local folder; production-like: PostgreSQL and S3 over TLS): grouped by submission
after a return, with drafts only for whoever can sign them and the attachments sealed
again with the new Tờ trình's number; attachments removed and replaced without losing
anything; the names files are downloaded under; the documents each award requires; the
nominee's date of birth, gender and ethnicity, printed in the report and kept from
whoever may not read them."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from tests.fixtures.modes import MODES, app_in_mode
from tests.fixtures.pki import simple_pdf
from tests.fixtures.route import CLERK, CLUSTER, HEAD, SPECIALIST, send_back, walk_to
from tests.fixtures.server import Api, AppServer

pytestmark = pytest.mark.slow

AUDITOR, OTHER_CLERK = "thanhtra", "vpdpntm.canbo"
PERSON = {
    "kind": "individual",
    "name": "Lò Thị Mai",
    "job_title": "Phó Trưởng phòng Chính sách dân tộc và Tuyên truyền",
    "achievements": "Hoàn thành xuất sắc nhiệm vụ năm 2026.",
    "birth_date": "1982-03-12",
    "gender": "nu",
    "ethnicity": "Tày",
}
BORN_ISO, BORN_VN = "1982-03-12", "12/03/1982"


@pytest.fixture(scope="module", params=MODES)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AppServer]:
    with app_in_mode(tmp_path_factory.mktemp(f"documents-{request.param}"), request.param) as srv:
        yield srv


def create(server: AppServer, *nominees: dict[str, Any], award: str = "bang_khen_ubnd_tinh"):
    r = Api(server, CLERK).post(
        "/api/v1/dossiers",
        json={"year": 2026, "award": award, "nominees": list(nominees) or [PERSON]},
    )
    assert r.status_code == 201, r.text
    return r.json()


def documents(server: AppServer, user: str, dossier_id: int) -> list[dict[str, Any]]:
    r = Api(server, user).get(f"/api/v1/dossiers/{dossier_id}/documents")
    assert r.status_code == 200, r.text
    return list(r.json())


def top_right_text(pdf: bytes, tmp: Path) -> str:
    """The text of the stamp an attachment is sealed with (top right of page 1)."""
    path = tmp / "sealed.pdf"
    path.write_bytes(pdf)
    region = ["-f", "1", "-l", "1", "-x", "300", "-y", "0", "-W", "300", "-H", "80"]
    return subprocess.run(
        ["pdftotext", *region, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def pdf_text(pdf: bytes, tmp: Path) -> str:
    path = tmp / "doc.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(out.stdout.split())


def signature_reasons(pdf: bytes) -> list[str]:
    """What pyHanko reads in each signature's /Reason."""
    reader = PdfFileReader(BytesIO(pdf))
    return [str(sig.sig_object.get("/Reason")) for sig in reader.embedded_signatures]


@pytest.fixture(scope="module")
def resubmitted(server: AppServer) -> dict[str, Any]:
    """Submitted with a Biên bản, an evidence file and a note; approved by the unit head;
    returned by the cluster; then the clerk replaces the evidence, removes the note and
    submits again; the unit head approves the new Tờ trình."""
    clerk = Api(server, CLERK)
    d = create(server)
    minutes = clerk.attach(d["id"]).json()
    evidence = clerk.attach(d["id"], "khac", "Bảng tổng hợp số liệu.pdf").json()
    note = clerk.attach(d["id"], "khac", "Ghi chú.pdf", simple_pdf("Ghi chú của đơn vị")).json()
    walk_to(server, d["id"], "cluster_review")
    send_back(server, d["id"], "Bổ sung số liệu năm 2026.")

    newer = simple_pdf("Bảng tổng hợp số liệu năm 2026 – bản bổ sung")
    r = clerk.request(
        "PUT",
        f"/api/v1/dossiers/{d['id']}/attachments/{evidence['id']}",
        files={"file": ("Bảng tổng hợp số liệu (bổ sung).pdf", newer, "application/pdf")},
    )
    assert r.status_code == 200, r.text
    replacement = r.json()
    r = clerk.request("DELETE", f"/api/v1/dossiers/{d['id']}/attachments/{note['id']}")
    assert r.status_code == 200, r.text
    assert r.json()["removed"] and r.json()["replaced_by"] is None

    walk_to(server, d["id"], "cluster_review")
    return {
        "id": d["id"],
        "minutes": minutes["id"],
        "evidence": evidence["id"],
        "replacement": replacement["id"],
        "replacement_bytes": newer,
        "note": note["id"],
    }


def test_documents_are_grouped_by_submission_and_attachments_sealed_again(
    server: AppServer, resubmitted: dict[str, Any], tmp_path: Path
):
    dossier_id = resubmitted["id"]
    docs = {x["id"]: x for x in documents(server, CLERK, dossier_id)}
    by_form: dict[str, list[dict[str, Any]]] = {}
    for x in docs.values():
        by_form.setdefault(x["form"], []).append(x)

    # Two reports and two Tờ trình of the unit, one per submission; the earlier ones say
    # which document of submission 2 replaced them.
    reports = sorted(by_form["bao_cao_thanh_tich"], key=lambda x: x["submission"])
    proposals = sorted(by_form["to_trinh_don_vi"], key=lambda x: x["submission"])
    assert [x["submission"] for x in reports] == [x["submission"] for x in proposals] == [1, 2]
    assert reports[0]["replaced_by"] == reports[1]["id"] and reports[1]["replaced_by"] is None
    assert proposals[0]["replaced_by"] == proposals[1]["id"]
    assert proposals[0]["superseded_by_submission"] == 2
    first, second = proposals[0]["number"], proposals[1]["number"]
    assert re.fullmatch(r"\d{2}/TTr-BDT", first) and re.fullmatch(r"\d{2}/TTr-BDT", second)
    assert first != second
    [notice] = by_form["thong_bao"]
    assert (notice["submission"], notice["replaced_by"]) == (1, None)

    # The clerk sees no draft: neither the cluster's Tờ trình prepared for submission 1
    # (never signed) nor the one prepared for submission 2 (the cluster's to sign).
    assert "to_trinh_cum" not in by_form and not any(x["draft"] for x in docs.values())
    cluster = {x["id"]: x for x in documents(server, CLUSTER, dossier_id)}
    drafts = [x for x in cluster.values() if x["draft"]]
    assert [(x["form"], x["submission"]) for x in drafts] == [("to_trinh_cum", 2)]
    auditor = documents(server, AUDITOR, dossier_id)
    assert sorted(x["submission"] for x in auditor if x["form"] == "to_trinh_cum") == [1, 2]
    hidden = next(x for x in auditor if x["form"] == "to_trinh_cum" and x["submission"] == 1)
    r = Api(server, CLERK).get(f"/api/v1/documents/{hidden['id']}/content")
    assert (r.status_code, r.json()["code"]) == (404, "document_not_found")
    r = Api(server, CLUSTER).get(f"/api/v1/documents/{drafts[0]['id']}/content")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")

    # The Biên bản stayed in the dossier: filed with both submissions, sealed once with
    # each Tờ trình's number; the earlier sealed copy is still archived.
    minutes = docs[resubmitted["minutes"]]
    assert minutes["submissions"] == [1, 2] and minutes["kind"] == "bien_ban_binh_xet"
    sealed = [v for v in minutes["versions"] if v["rendition"] == "pdf-signed"]
    assert [(v["filed_with"], v["filed_with_number"], v["submission"]) for v in sealed] == [
        (proposals[0]["id"], first, 1),
        (proposals[1]["id"], second, 2),
    ]
    for v, number in zip(sealed, (first, second), strict=True):
        r = Api(server, CLERK).get(
            f"/api/v1/documents/{minutes['id']}/content", params={"version": v["seq"]}
        )
        assert r.status_code == 200
        assert f"Số: {number}" in top_right_text(r.content, tmp_path)
        assert signature_reasons(r.content) == [f"Văn bản kèm theo Tờ trình số {number}"]
        check = Api(server, CLERK).get(
            f"/api/v1/documents/{minutes['id']}/verify", params={"version": v["seq"]}
        )
        assert check.json()["ok"], check.text
    assert sealed[1]["file_name"] == f"Biên bản họp bình xét (kèm {second.replace('/', '-')}).pdf"

    # The replaced evidence: filed with submission 1 only, sealed with the first number;
    # its replacement with submission 2, sealed with the second.
    old, new = docs[resubmitted["evidence"]], docs[resubmitted["replacement"]]
    assert (old["removed"], old["replaced_by"], old["submissions"]) == (True, new["id"], [1])
    assert old["superseded_by_submission"] == 2
    assert [v["filed_with_number"] for v in old["versions"] if v["filed_with"]] == [first]
    assert [v["filed_with_number"] for v in new["versions"] if v["filed_with"]] == [second]
    assert (new["submissions"], new["title"]) == ([2], old["title"])
    note = docs[resubmitted["note"]]
    assert (note["removed"], note["submissions"]) == (True, [1])


def test_removed_and_replaced_attachments_stay_archived_and_in_the_history(
    server: AppServer, resubmitted: dict[str, Any], tmp_path: Path
):
    clerk = Api(server, CLERK)
    dossier_id = resubmitted["id"]
    # The earlier file is still served, byte for byte, and so is its replacement.
    old = clerk.get(f"/api/v1/documents/{resubmitted['evidence']}/content?rendition=upload")
    assert (
        old.status_code == 200
        and old.content
        == Api(server, AUDITOR)
        .get(f"/api/v1/documents/{resubmitted['evidence']}/content?rendition=upload")
        .content
    )
    new = clerk.get(f"/api/v1/documents/{resubmitted['replacement']}/content?rendition=upload")
    assert new.content == resubmitted["replacement_bytes"] != old.content

    history = clerk.get(f"/api/v1/dossiers/{dossier_id}/history").json()
    replaced = next(e for e in history if e["kind"] == "attachment_replaced")
    assert replaced["data"]["replaces_document_id"] == resubmitted["evidence"]
    assert replaced["documents"][0]["file_name"] == "Bảng tổng hợp số liệu (bổ sung).pdf"
    assert replaced["documents"][0]["title"] == "Bảng tổng hợp số liệu"
    assert replaced["actor_role"] == "unit_clerk" and replaced["label"] == (
        "Thay tệp tài liệu kèm theo"
    )
    removed = next(e for e in history if e["kind"] == "attachment_removed")
    assert removed["data"]["document_id"] == resubmitted["note"]
    # The step that sealed the Biên bản again names its new sealed copy.
    sealed = [
        d
        for e in history
        if e["kind"] == "documents_issued"
        for d in e["data"].get("sealed_attachments", [])
    ]
    assert [d["document_id"] for d in sealed].count(resubmitted["minutes"]) == 2
    assert Api(server, AUDITOR).get("/api/v1/audit/verify").json()["ok"]
    # The sealed history PDF names each event's files by title and number too.
    pdf = Api(server, AUDITOR).get(
        f"/api/v1/dossiers/{dossier_id}/history/export", params={"format": "pdf"}
    )
    assert pdf.status_code == 200
    text = pdf_text(pdf.content, tmp_path)
    proposals = [
        x["number"] for x in documents(server, CLERK, dossier_id) if x["form"] == "to_trinh_don_vi"
    ]
    for number in proposals:
        assert f"Tờ trình đề nghị khen thưởng của đơn vị số {number}" in text
    assert "Bảng tổng hợp số liệu (tệp đính kèm)" in text

    # Submitted: no more changes, for the clerk (409) or anyone else.
    url = f"/api/v1/dossiers/{dossier_id}/attachments/{resubmitted['minutes']}"
    r = clerk.request("DELETE", url)
    assert (r.status_code, r.json()["code"]) == (409, "not_editable")
    assert "dự thảo hoặc bị trả lại" in r.json()["detail"]
    r = clerk.request("PUT", url, files={"file": ("x.pdf", simple_pdf("x"), "application/pdf")})
    assert (r.status_code, r.json()["code"]) == (409, "not_editable")
    r = Api(server, CLUSTER).request("DELETE", url)
    assert (r.status_code, r.json()["code"]) == (403, "forbidden_action")
    r = Api(server, OTHER_CLERK).request("DELETE", url)
    assert r.status_code == 404
    minutes = next(
        x for x in documents(server, CLERK, dossier_id) if x["id"] == resubmitted["minutes"]
    )
    assert not minutes["removed"]


def test_a_removed_attachment_cannot_be_removed_or_replaced_again(server: AppServer):
    clerk = Api(server, CLERK)
    d = create(server)
    doc = clerk.attach(d["id"]).json()
    url = f"/api/v1/dossiers/{d['id']}/attachments/{doc['id']}"
    assert clerk.request("DELETE", url).status_code == 200
    r = clerk.request("DELETE", url)
    assert (r.status_code, r.json()["code"]) == (409, "attachment_removed")
    r = clerk.request("PUT", url, files={"file": ("x.pdf", simple_pdf("x"), "application/pdf")})
    assert (r.status_code, r.json()["code"]) == (409, "attachment_removed")
    r = clerk.request(
        "PUT",
        f"/api/v1/dossiers/{d['id']}/attachments/999999",
        files={"file": ("x.pdf", simple_pdf("x"), "application/pdf")},
    )
    assert (r.status_code, r.json()["code"]) == (404, "attachment_not_found")
    # A replacement is checked like an upload: by content, with nothing left behind.
    fresh = clerk.attach(d["id"]).json()
    url = f"/api/v1/dossiers/{d['id']}/attachments/{fresh['id']}"
    r = clerk.request("PUT", url, files={"file": ("virus.pdf", b"MZ\x90\x00 not a pdf")})
    assert (r.status_code, r.json()["code"]) == (415, "unsupported_file_type")
    assert len(documents(server, CLERK, d["id"])) == 2
    # The removed Biên bản does not count: the dossier still has the one uploaded after.
    assert clerk.act(d["id"], "submit").status_code == 200
    clerk.wait_idle(d["id"])


def test_download_names_are_the_uploaded_name_and_the_number_and_title(server: AppServer):
    clerk = Api(server, CLERK)
    d = create(server)
    doc = clerk.attach(d["id"], name="Biên bản họp bình xét – Đợt 2.pdf").json()
    r = clerk.get(f"/api/v1/documents/{doc['id']}/content")
    assert r.headers["content-disposition"] == (
        "inline; filename=\"Bien ban hop binh xet _ Dot 2.pdf\"; filename*=UTF-8''"
        + quote("Biên bản họp bình xét – Đợt 2.pdf", safe="")
    )
    walk_to(server, d["id"], "cluster_review")
    proposal = next(x for x in documents(server, CLERK, d["id"]) if x["form"] == "to_trinh_don_vi")
    name = f"{proposal['number'].replace('/', '-')} Tờ trình đề nghị khen thưởng của đơn vị.pdf"
    issued = next(v for v in proposal["versions"] if v["rendition"] == "pdf-signed")
    assert issued["file_name"] == name
    r = clerk.get(f"/api/v1/documents/{proposal['id']}/content")
    ascii_name = name.replace(
        "Tờ trình đề nghị khen thưởng của đơn vị", "To trinh de nghi khen thuong cua don vi"
    )
    assert r.headers["content-disposition"] == (
        f"inline; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
    )
    history = clerk.get(f"/api/v1/dossiers/{d['id']}/history").json()
    issued_refs = [
        ref for e in history if e["kind"] == "documents_issued" for ref in e["documents"]
    ]
    assert any(ref["file_name"] == name and ref["title"] for ref in issued_refs)


def test_submit_is_refused_without_the_documents_the_award_requires(server: AppServer):
    clerk = Api(server, CLERK)
    d = create(server)
    r = clerk.act(d["id"], "submit")
    assert (r.status_code, r.json()["code"]) == (422, "dossier_incomplete")
    assert (
        "còn thiếu Biên bản bình xét — Điều 84 Luật Thi đua, khen thưởng số 06/2022/QH15"
        in r.json()["detail"]
    )
    clerk.attach(d["id"], "khac", "Ảnh hoạt động.pdf")  # another kind does not count
    assert clerk.act(d["id"], "submit").json()["code"] == "dossier_incomplete"
    r = clerk.post(
        f"/api/v1/dossiers/{d['id']}/attachments",
        params={"kind": "bien_ban_gia"},
        files={"file": ("x.pdf", simple_pdf("x"), "application/pdf")},
    )
    assert r.status_code == 422

    fighter = create(server, award="chien_si_thi_dua_cap_tinh")
    clerk.attach(fighter["id"])
    r = clerk.act(fighter["id"], "submit")
    assert r.json()["code"] == "dossier_incomplete"
    assert "Giấy chứng nhận sáng kiến" in r.json()["detail"]
    assert "Biên bản" not in r.json()["detail"]
    clerk.attach(fighter["id"], "giay_chung_nhan_sang_kien", "Giấy chứng nhận sáng kiến.pdf")
    r = clerk.act(fighter["id"], "submit")
    assert r.status_code == 200, r.text
    clerk.wait_idle(fighter["id"])


def test_nominee_details_are_checked_printed_and_kept_from_others(
    server: AppServer, tmp_path: Path
):
    clerk = Api(server, CLERK)
    for bad, field, message in (
        ({**PERSON, "birth_date": "2099-01-01"}, "birth_date", "quá khứ"),
        ({**PERSON, "birth_date": "1900-01-01"}, "birth_date", "tuổi"),
        ({**PERSON, "ethnicity": "Không có"}, "ethnicity", "dân tộc"),
        ({"kind": "collective", "name": "Phòng A", "gender": "nam"}, "gender", "cá nhân"),
    ):
        r = clerk.post("/api/v1/dossiers", json={"year": 2026, "nominees": [bad]})
        assert r.status_code == 422, r.text
        [error] = r.json()["errors"]
        assert error["field"] == f"nominees.0.{field}" and message in error["message"]

    d = create(server)
    [n] = d["nominees"]
    assert (n["birth_date"], n["gender"], n["ethnicity"]) == (BORN_ISO, "nu", "Tày")
    assert n["job_title"] == PERSON["job_title"]
    clerk.attach(d["id"])
    walk_to(server, d["id"], "cluster_review")

    report = next(x for x in documents(server, CLERK, d["id"]) if x["form"] == "bao_cao_thanh_tich")
    text = pdf_text(clerk.get(f"/api/v1/documents/{report['id']}/content").content, tmp_path)
    assert f"Sinh ngày, tháng, năm: {BORN_VN}. Giới tính: Nữ." in text
    assert "Dân tộc: Tày." in text
    proposal = next(x for x in documents(server, CLERK, d["id"]) if x["form"] == "to_trinh_don_vi")
    listing = pdf_text(clerk.get(f"/api/v1/documents/{proposal['id']}/content").content, tmp_path)
    assert BORN_VN not in listing  # the Tờ trình's list others sign does not print it

    # Another unit's clerk sees nothing; the cluster sees the nominee without the date
    # of birth or the ethnicity; the board (once reached) and auditors see them.
    other = Api(server, OTHER_CLERK)
    for path in (f"/api/v1/dossiers/{d['id']}", f"/api/v1/dossiers/{d['id']}/history"):
        r = other.get(path)
        assert r.status_code == 404 and BORN_ISO not in r.text
    assert BORN_ISO not in other.get("/api/v1/dossiers", params={"q": "Lò Thị Mai"}).text
    cluster = Api(server, CLUSTER)
    [seen] = cluster.get(f"/api/v1/dossiers/{d['id']}").json()["nominees"]
    assert (seen["birth_date"], seen["ethnicity"], seen["gender"]) == (None, None, "nu")
    for path in (
        f"/api/v1/dossiers/{d['id']}/history",
        "/api/v1/dossiers",
        "/api/v1/inbox",
        f"/api/v1/dossiers/{d['id']}/documents",
    ):
        body = cluster.get(path).text
        assert BORN_ISO not in body and BORN_VN not in body and "Tày" not in body, path
    assert (
        Api(server, AUDITOR).get(f"/api/v1/dossiers/{d['id']}").json()["nominees"][0]["birth_date"]
        == BORN_ISO
    )
    assert Api(server, SPECIALIST).get(f"/api/v1/dossiers/{d['id']}").status_code == 404
    walk_to(server, d["id"], "board_appraisal")
    [board] = Api(server, SPECIALIST).get(f"/api/v1/dossiers/{d['id']}").json()["nominees"]
    assert (board["birth_date"], board["ethnicity"]) == (BORN_ISO, "Tày")
    assert (
        Api(server, HEAD).get(f"/api/v1/dossiers/{d['id']}").json()["nominees"][0]["ethnicity"]
        == "Tày"
    )
    # Never in a log line.
    log = server.log.read_text(errors="replace")
    assert BORN_ISO not in log and BORN_VN not in log
