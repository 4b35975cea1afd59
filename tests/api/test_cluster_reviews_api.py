"""The cluster's mid-year review over the HTTP API of the real server: the head unit
records the conference, downloads the drafted Báo cáo sơ kết, edits it in a DOCX editor
(python-docx), uploads it back, signs it with the PIN; the signed PDF holds the added
sentence and two valid signatures (the signer's and the host unit's seal, for pyHanko
and `pdfsig`), and the board is told. Macro-laden or non-Word files are refused with
their codes; a member's clerk may not record; another cluster sees nothing."""

from __future__ import annotations

import io
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from sqlalchemy import select

from storage.db import Database
from storage.models import AuditEvent, Cluster, Unit
from tests.fixtures.server import PIN, Api, AppServer

pytestmark = pytest.mark.slow

YEAR = 2026
AGENDA = (
    "1. Thông qua dự thảo Báo cáo sơ kết 6 tháng đầu năm của Cụm.\n"
    '2. Thảo luận: chỉ tiêu «giải quyết đúng hạn» < 98% & "ý kiến" {{ bổ sung }}.'
)
ADDED = "Cụm đề nghị Phòng Thi đua – Khen thưởng hướng dẫn chấm điểm tiêu chí mới."
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    srv = AppServer(tmp_path_factory.mktemp("cluster-reviews"), {}).start()
    yield srv
    srv.stop()


def _db(server: AppServer) -> Database:
    return Database(f"sqlite:///{server.var_dir / 'tdkt.sqlite3'}")


def ids(server: AppServer) -> tuple[int, dict[str, int]]:
    d = _db(server)
    with d.read() as s:
        cluster = s.scalar(select(Cluster.id).where(Cluster.code == "CUM1-QLCN"))
        units = {u.code: u.id for u in s.scalars(select(Unit))}
    d.dispose()
    assert cluster is not None
    return cluster, units


def base(cluster: int) -> str:
    return f"/api/v1/clusters/{cluster}/years/{YEAR}/reviews"


def record(units: dict[str, int]) -> dict[str, Any]:
    return {
        "period": "midyear",
        "held_on": f"{YEAR}-07-10",
        "place": "Hội trường Ban Quản lý Khu kinh tế cửa khẩu Đồng Đăng – Lạng Sơn",
        "agenda": AGENDA,
        "board_rep_name": "Hoàng Thị Lan",
        "board_rep_position": "Chuyên viên Phòng Thi đua – Khen thưởng",
        "attendees": [
            {"unit_id": units["BQLKKT"], "name": "Nguyễn Văn Hùng", "position": "Phó Trưởng ban"},
            {"unit_id": units["VPDPNTM"], "name": "Lý Thị Mai", "position": "Chánh Văn phòng"},
            {"unit_id": units["LMHTX"], "name": "Hà Văn Đức", "position": "Phó Chủ tịch"},
            {"unit_id": units["BQLDA"], "name": "Vi Văn Tú", "position": "Phó Giám đốc"},
        ],
    }


def edited(docx: bytes) -> bytes:
    """Open the draft in python-docx, add a sentence to the outlook paragraph, save."""
    doc = Document(io.BytesIO(docx))
    target = next(p for p in doc.paragraphs if p.text.startswith("(Đơn vị đăng cai bổ sung"))
    target.add_run(" " + ADDED)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def with_part(docx: bytes, name: str, data: bytes, content_type: str | None = None) -> bytes:
    """The package with one more part (and its content type, if given)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "[Content_Types].xml" and content_type:
                body = body.replace(
                    b"</Types>",
                    f'<Override PartName="/{name}" ContentType="{content_type}"/></Types>'.encode(),
                )
            dst.writestr(info, body)
        dst.writestr(name, data)
    return out.getvalue()


def as_docm(docx: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "[Content_Types].xml":
                body = body.replace(
                    b"wordprocessingml.document.main+xml", b"ms-word.document.macroEnabled.main+xml"
                ).replace(
                    b"application/vnd.openxmlformats-officedocument."
                    b"ms-word.document.macroEnabled.main+xml",
                    b"application/vnd.ms-word.document.macroEnabled.main+xml",
                )
            dst.writestr(info, body)
    return out.getvalue()


def test_a_member_clerk_cannot_record_and_another_cluster_sees_nothing(server: AppServer) -> None:
    cluster, units = ids(server)
    r = Api(server, "bdt.canbo").post(base(cluster), json=record(units))
    assert r.status_code == 403, r.text
    assert r.json()["code"] == "cluster_lead_only"
    other = Api(server, "vnptls.canbo")
    assert other.get(base(cluster)).status_code == 404
    r = other.post(base(cluster), json=record(units))
    assert r.status_code == 404 and r.json()["code"] == "cluster_not_found"


def test_midyear_report_drafted_edited_uploaded_signed_and_sent(
    server: AppServer, tmp_path: Path
) -> None:
    cluster, units = ids(server)
    lead = Api(server, "bqlkkt.cum")
    r = lead.post(base(cluster), json=record(units))
    assert r.status_code == 201, r.text
    review = r.json()
    rid = review["id"]
    assert review["agenda"] == AGENDA
    assert review["host_unit_id"] == units["BQLKKT"]
    present = {a["unit_id"]: a["present"] for a in review["attendees"]}
    assert present[units["BDT"]] is False and present[units["LMHTX"]] is True
    assert review["report"]["status_label"] == "Dự thảo"

    # Edited with its version: Ban Dân tộc came after all; a stale version is refused.
    changed = record(units)
    changed["attendees"].append(
        {"unit_id": units["BDT"], "name": "Nông Thị Hoa", "position": "Phó Trưởng ban"}
    )
    url = f"{base(cluster)}/{rid}"
    r = lead.request("PUT", url, json=changed | {"version": review["version"]})
    assert r.status_code == 200, r.text
    assert {a["unit_id"]: a["name"] for a in r.json()["attendees"]}[units["BDT"]] == "Nông Thị Hoa"
    stale = lead.request("PUT", url, json=changed | {"version": review["version"]})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"

    # A member sees the record; another cluster's user does not (404).
    seen = Api(server, "bdt.canbo").get(f"{base(cluster)}/{rid}")
    assert seen.status_code == 200 and seen.json()["agenda"] == AGENDA
    assert Api(server, "vnptls.canbo").get(f"{base(cluster)}/{rid}").status_code == 404
    assert (
        Api(server, "bdt.canbo").get(f"{base(cluster)}/{rid}/report/draft.docx").status_code == 403
    )

    draft = lead.get(f"{base(cluster)}/{rid}/report/draft.docx")
    assert draft.status_code == 200, draft.text
    assert draft.headers["content-type"].startswith(DOCX)
    text = "\n".join(p.text for p in Document(io.BytesIO(draft.content)).paragraphs)
    assert "CỤM THI ĐUA I – CÁC CƠ QUAN QUẢN LÝ CHUYÊN NGÀNH" in draft_text_all(draft.content)
    assert AGENDA.splitlines()[1] in text  # < & " {{ }} and diacritics intact
    assert "2. Đăng ký thi đua\n(chưa có dữ liệu)" in text
    assert "3. Chấm điểm, xếp hạng\n(chưa có dữ liệu)" in text

    # What cannot be the report is refused, each with its code.
    upload = f"{base(cluster)}/{rid}/report"
    docm = lead.post(upload, files={"file": ("bao-cao.docm", as_docm(draft.content), DOCX)})
    assert docm.status_code == 415 and docm.json()["code"] == "report_macro_enabled", docm.text
    vba = with_part(
        draft.content,
        "word/vbaProject.bin",
        b"\xd0\xcf\x11\xe0",
        "application/vnd.ms-office.vbaProject",
    )
    r = lead.post(upload, files={"file": ("bao-cao.docx", vba, DOCX)})
    assert r.status_code == 422 and r.json()["code"] == "report_docx_unsafe", r.text
    big = b"PK" + b"\0" * (2 * 1024 * 1024 + 10)  # the server's limit is 2 MiB
    r = lead.post(upload, files={"file": ("bao-cao.docx", big, DOCX)})
    assert r.status_code == 413 and r.json()["code"] == "payload_too_large", r.text
    r = lead.post(upload, files={"file": ("bao-cao.docx", b"%PDF-1.7 not a docx", DOCX)})
    assert r.status_code == 415 and r.json()["code"] == "report_not_docx", r.text
    stripped = Document(io.BytesIO(draft.content))
    for p in stripped.paragraphs:
        if p.text.startswith("Số:"):
            p.text = "Số: 01/BC-CỤM"
    for t in stripped.tables:
        for row in t.rows:
            for c in row.cells:
                for p in c.paragraphs:
                    if p.text.startswith("Số:"):
                        p.text = "Số: 01/BC-CỤM"
                    if "ngày" in p.text and "tháng" in p.text:
                        p.text = "Lạng Sơn, ngày 10 tháng 7 năm 2026"
    buf = io.BytesIO()
    stripped.save(buf)
    r = lead.post(upload, files={"file": ("bao-cao.docx", buf.getvalue(), DOCX)})
    assert r.status_code == 422 and r.json()["code"] == "report_fields_missing", r.text
    assert (
        Api(server, "bdt.canbo")
        .post(upload, files={"file": ("bao-cao.docx", edited(draft.content), DOCX)})
        .status_code
        == 403
    )

    r = lead.post(upload, files={"file": ("bao-cao.docx", edited(draft.content), DOCX)})
    assert r.status_code == 200, r.text
    assert r.json()["report"]["status_label"] == "Đã tải lên"

    wrong = lead.post(f"{upload}/actions/sign", json={"signing_pin": "000000"})
    assert wrong.status_code == 403 and wrong.json()["code"] == "wrong_pin"
    signed = lead.post(f"{upload}/actions/sign", json={"signing_pin": PIN})
    assert signed.status_code == 200, signed.text
    report = signed.json()["report"]
    assert report["status_label"] == "Đã ký, gửi Phòng TĐKT"
    assert report["number"] == "01/BC-CỤM I"
    again = lead.post(f"{upload}/actions/sign", json={"signing_pin": PIN})
    assert again.status_code == 409 and again.json()["code"] == "review_signed"
    late = lead.request("PUT", f"{base(cluster)}/{rid}", json=record(units) | {"version": None})
    assert late.status_code == 409 and late.json()["code"] == "review_signed"

    # The board gets the signed PDF: the added sentence, two valid signatures.
    board = Api(server, "ptdkt.chuyenvien")
    pdf = board.get(report["signed_pdf"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    path = tmp_path / "bao-cao-so-ket.pdf"
    path.write_bytes(pdf.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    assert " ".join(ADDED.split()) in flat
    assert "01/BC-CỤM I" in flat
    assert "< 98% &" in flat and "{{ bổ sung }}" in flat
    verified = board.get(f"{upload}/verify")
    assert verified.status_code == 200, verified.text
    body = verified.json()
    assert body["ok"] is True and len(body["signatures"]) == 2
    assert all(x["intact"] and x["valid"] and x["trusted"] for x in body["signatures"])
    pdfsig = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
    assert pdfsig.count("Signature Validation: Signature is Valid.") == 2, pdfsig

    notices = board.get("/api/v1/notifications").json()
    assert any("Báo cáo sơ kết năm 2026" in n["message"] for n in notices), notices
    assert any(n["link"].startswith("/cum-thi-dua/nam/") for n in notices)
    listed = Api(server, "bdt.canbo").get(base(cluster)).json()
    assert listed[0]["report"]["signed_pdf"] == report["signed_pdf"]

    d = _db(server)
    with d.read() as s:
        kinds = list(s.scalars(select(AuditEvent.kind).where(AuditEvent.kind.like("cluster_%"))))
    d.dispose()
    for kind in (
        "cluster_review_recorded",
        "cluster_review_updated",
        "cluster_report_uploaded",
        "cluster_report_signed",
        "cluster_report_sent",
    ):
        assert kind in kinds


def draft_text_all(docx: bytes) -> str:
    doc = Document(io.BytesIO(docx))
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            for c in row.cells:
                parts += [p.text for p in c.paragraphs]
    return "\n".join(parts)
