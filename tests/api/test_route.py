"""The walking skeleton through the HTTP API alone, with the demo accounts, against the
real server process: embedded (SQLite + local folder) and production-like (PostgreSQL +
S3 over TLS). Every PDF is checked by poppler's pdfsig and pyHanko against the demo CA."""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from io import BytesIO
from pathlib import Path

import pytest
from docx import Document as DocxDocument
from PIL import Image

from documents.fields import field_values
from tests.fixtures.modes import MODES, app_in_mode
from tests.fixtures.nss import nss_db, pdfsig
from tests.fixtures.pki import simple_pdf
from tests.fixtures.server import PIN, Api, AppServer

pytestmark = pytest.mark.slow

TRICKY_NAME = 'Phòng Chính sách <Dân tộc> & "Đoàn kết" {{ x }}'
TRICKY_TEXT = 'Hoàn thành xuất sắc nhiệm vụ; tỷ lệ < 5% & > 95% "{{ chỉ tiêu }}" {% if %}'
CLERK, HEAD, CLUSTER = "bdt.canbo", "bdt.thutruong", "bqlkkt.cum"  # BQLKKT leads Cụm I in 2026
SPECIALIST, BOARD_HEAD, AUDITOR = "ptdkt.chuyenvien", "ptdkt.truongphong", "thanhtra"
LEADER = "snv.phogiamdoc"  # a Phó Giám đốc of the Sở Nội vụ signs its Tờ trình


@pytest.fixture(scope="module", params=MODES)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AppServer]:
    with app_in_mode(tmp_path_factory.mktemp(request.param), request.param) as srv:
        yield srv


@pytest.fixture(scope="module")
def nss(server: AppServer, tmp_path_factory: pytest.TempPathFactory) -> str:
    roots = Api(server, AUDITOR).get("/api/v1/trust-roots")
    assert roots.status_code == 200 and b"BEGIN CERTIFICATE" in roots.content
    return nss_db(tmp_path_factory.mktemp("nss"), roots.content)


def new_dossier(server: AppServer) -> dict:
    r = Api(server, CLERK).post(
        "/api/v1/dossiers",
        json={
            "year": 2026,
            "award": "bang_khen_ubnd_tinh",
            "nominees": [
                {"kind": "collective", "name": TRICKY_NAME, "achievements": TRICKY_TEXT},
                {
                    "kind": "individual",
                    "name": "Hoàng Thị Ánh Tuyết",
                    "job_title": "Trưởng phòng",
                    "achievements": "Chiến sĩ thi đua cơ sở 3 năm liền (2023–2025).",
                },
            ],
        },
    )
    assert r.status_code == 201, r.text
    Api(server, CLERK).attach(r.json()["id"])  # the Biên bản bình xét the law requires
    return r.json()


def step(server: AppServer, dossier: dict, user: str, action: str, **body) -> dict:
    api = Api(server, user)
    current = api.get(f"/api/v1/dossiers/{dossier['id']}")
    assert current.status_code == 200, current.text
    assert action in current.json()["allowed_actions"]
    if action == "approve":
        body.setdefault("signing_pin", PIN)
    r = api.act(dossier["id"], action, **body)
    assert r.status_code == 200, r.text
    return api.wait_idle(dossier["id"])


def appraise_all_passed(server: AppServer, dossier: dict) -> dict:
    """The specialist records "đạt" for every nominee (approving needs a result each)."""
    api = Api(server, SPECIALIST)
    d = api.get(f"/api/v1/dossiers/{dossier['id']}").json()
    items = [{"nominee_id": n["id"], "result": "dat"} for n in d["nominees"]]
    r = api.request(
        "PUT",
        f"/api/v1/dossiers/{d['id']}/appraisal",
        json={"version": d["version"], "items": items},
    )
    assert r.status_code == 200, r.text
    return api.get(f"/api/v1/dossiers/{d['id']}").json()


def pdf_text(pdf: bytes, tmp: Path) -> str:
    path = tmp / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def page_text(pdf: bytes, tmp: Path, page: int | None = None) -> str:
    """What a reader copies from a page (or the whole PDF), whitespace made single."""
    path = tmp / "page.pdf"
    path.write_bytes(pdf)
    pages = ["-f", str(page), "-l", str(page)] if page else []
    out = subprocess.run(
        ["pdftotext", *pages, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(out.split())


def assert_number_and_date_printed(pdf: bytes, doc: dict, day: datetime, tmp: Path) -> None:
    """An issued form reads its number and date wherever it prints them (page 1, and the
    annex of a Tờ trình), and no dots are left where they were filled in."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    date = f"ngày {day.day:02d} tháng {month} năm {day.year}"
    first = page_text(pdf, tmp, 1)
    assert date in first, first[:300]
    if doc["number"]:
        assert f"Số: {doc['number']} " in first, first[:300]
    if doc["form"].startswith("to_trinh"):
        annex = page_text(pdf, tmp, 2)
        assert f"(Kèm theo Tờ trình số {doc['number']} {date})" in annex, annex[:300]
    assert "....." not in page_text(pdf, tmp)


def docx_text(data: bytes) -> str:
    doc = DocxDocument(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts)


def test_full_route_unit_cluster_board(server: AppServer, nss: str, tmp_path: Path):
    d = new_dossier(server)
    assert (d["status"], d["stage"], d["allowed_actions"]) == ("draft", "unit", ["submit"])

    d = step(server, d, CLERK, "submit")
    assert d["status"] == "unit_review"
    assert d["id"] in [x["id"] for x in Api(server, HEAD).get("/api/v1/inbox").json()]
    assert d["id"] not in [x["id"] for x in Api(server, CLUSTER).get("/api/v1/inbox").json()]
    # One page at a time, with how many wait in all.
    page = Api(server, HEAD).get("/api/v1/inbox?limit=1&offset=0")
    assert len(page.json()) == 1 and int(page.headers["X-Total-Count"]) >= 1
    past_the_end = Api(server, HEAD).get(f"/api/v1/inbox?offset={page.headers['X-Total-Count']}")
    assert past_the_end.json() == []
    assert Api(server, HEAD).get("/api/v1/inbox?limit=0").json()["code"] == "invalid_input"
    # The cluster does not see a dossier that has not reached it.
    assert Api(server, CLUSTER).get(f"/api/v1/dossiers/{d['id']}").status_code == 404

    d = step(server, d, HEAD, "approve")
    assert (d["status"], d["stage"]) == ("cluster_review", "cluster")
    assert d["id"] in [x["id"] for x in Api(server, CLUSTER).get("/api/v1/inbox").json()]
    d = step(server, d, CLUSTER, "approve")
    assert (d["status"], d["stage"]) == ("board_appraisal", "board")
    d = step(server, appraise_all_passed(server, d), SPECIALIST, "approve")
    assert d["status"] == "board_decision"
    d = step(server, d, BOARD_HEAD, "approve")  # passes it on, signs nothing
    assert (d["status"], d["stage"]) == ("leadership_review", "leadership")
    assert d["id"] in [x["id"] for x in Api(server, LEADER).get("/api/v1/inbox").json()]
    d = step(server, d, LEADER, "approve")
    assert (d["status"], d["stage"], d["allowed_actions"]) == ("approved", "done", [])

    auditor = Api(server, AUDITOR)
    docs = auditor.get(f"/api/v1/dossiers/{d['id']}/documents").json()
    minutes = docs.pop(0)  # the Biên bản, uploaded before the submission
    assert (minutes["form"], minutes["kind"]) == ("attachment", "bien_ban_binh_xet")
    forms = [doc["form"] for doc in docs]
    assert forms == [  # the reports are the unit head's, signed with the unit's Tờ trình
        "bao_cao_thanh_tich",
        "bao_cao_thanh_tich",
        "to_trinh_don_vi",
        "to_trinh_cum",
        "phieu_tham_dinh",
        "to_trinh_ban",
    ]
    assert len({doc["transition_seq"] for doc in docs[:3]}) == 1
    numbers = {doc["form"]: doc["number"] for doc in docs}
    assert re.fullmatch(r"\d{2,}/TTr-BDT", numbers["to_trinh_don_vi"])
    assert re.fullmatch(r"\d{2,}/TTr-CUM1-QLCN", numbers["to_trinh_cum"])
    assert numbers["phieu_tham_dinh"] is None  # the specialist's own report: dated only
    assert re.fullmatch(r"\d{2,}/TTr-SNV", numbers["to_trinh_ban"])

    approvers = {
        "bao_cao_thanh_tich": HEAD,
        "to_trinh_don_vi": HEAD,
        "to_trinh_cum": CLUSTER,
        "phieu_tham_dinh": SPECIALIST,
        "to_trinh_ban": LEADER,
    }
    names = {u: Api(server, u).get("/api/v1/me").json()["full_name"] for u in approvers.values()}
    today = datetime.now(timezone(timedelta(hours=7)))
    for doc in docs:
        renditions = {v["rendition"]: v for v in doc["versions"]}
        sealed = doc["form"] != "phieu_tham_dinh"
        assert set(renditions) == {"docx", "pdf-prepared", "pdf-personal", "pdf-signed"}
        assert doc["template_sha256"] and doc["template_version"]
        pdf = auditor.get(f"/api/v1/documents/{doc['id']}/content")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
        assert hashlib.sha256(pdf.content).hexdigest() == renditions["pdf-signed"]["sha256"]
        # Independent validator: poppler/NSS, trusting only the demo CA.
        path = tmp_path / f"{doc['id']}.pdf"
        path.write_bytes(pdf.content)
        report = pdfsig(path, nss)
        signatures = 2 if sealed else 1  # the approver's own, then the seal
        assert report.count("Signature Validation: Signature is Valid.") == signatures, report
        assert report.count("Certificate Validation: Certificate is Trusted.") == signatures
        # pyHanko's validator, through the API.
        v = auditor.get(f"/api/v1/documents/{doc['id']}/verify").json()
        assert v["ok"] and v["stored_sha256_matches"], v
        assert [s["trusted"] and s["intact"] for s in v["signatures"]] == [True] * signatures
        # The seal of the issuing body; a cluster's documents carry its head unit's seal.
        seal = {"to_trinh_cum": "Ban Quản lý Khu kinh tế cửa khẩu"}.get(doc["form"])
        if sealed:
            assert v["signatures"][-1]["signer"].startswith(seal or doc["issuer_name"])
        assert v["signatures"][0]["signer"] == names[approvers[doc["form"]]]
        assert v["signatures"][0]["modification_level"] == "form_filling"
        text = pdf_text(pdf.content, tmp_path)
        assert names[approvers[doc["form"]]] in text
        if doc["form"] == "to_trinh_ban":  # a Phó Giám đốc signs for the Giám đốc
            assert "KT. GIÁM ĐỐC" in text and "PHÓ GIÁM ĐỐC" in text, text
        # Number and date, filled in by the flow after the signature.
        filled = field_values(pdf.content)
        assert filled.get("SoKyHieu") == doc["number"] or doc["number"] is None
        assert (filled["Ngay"], filled["Nam"]) == (f"{today.day:02d}", str(today.year))
        assert_number_and_date_printed(pdf.content, doc, today, tmp_path)

    # The nominee's text, with markup characters and diacritics, appears literally.
    report = next(doc for doc in docs if TRICKY_NAME in doc["title"])
    pdf = auditor.get(f"/api/v1/documents/{report['id']}/content").content
    docx = auditor.get(
        f"/api/v1/documents/{report['id']}/content", params={"rendition": "docx"}
    ).content
    for text in (TRICKY_NAME, TRICKY_TEXT):
        assert text in docx_text(docx)
        assert text in " ".join(pdf_text(pdf, tmp_path).split())

    history = auditor.get(f"/api/v1/dossiers/{d['id']}/history").json()
    human = [
        (h["kind"], h["actor"] is not None)
        for h in history
        if h["kind"] not in ("documents_issued", "routed")
    ]
    assert [k for k, _ in human] == [
        "created",
        "attachment_added",
        "submit",
        "approve",
        "approve",
        "appraisal_recorded",
        "approve",
        "approve",
        "approve",
    ]
    assert all(has_actor for _, has_actor in human)
    assert [h["seq"] for h in history] == list(range(1, len(history) + 1))
    # Documents at the unit head's, the cluster's, the specialist's and the Sở's steps;
    # the submission and the Phòng head's approval route the dossier on.
    assert [h["kind"] for h in history if h["kind"] in ("documents_issued", "routed")] == [
        "routed",
        "documents_issued",
        "documents_issued",
        "documents_issued",
        "routed",
        "documents_issued",
    ]
    issued = {
        x["sha256"]
        for h in history
        if h["kind"] == "documents_issued"
        for x in h["data"]["documents"]
    }
    # Each file of each issued document, with its hash.
    assert issued == {v["sha256"] for doc in docs for v in doc["versions"]}
    signed = [x for h in history if h["kind"] == "approve" for x in h["data"]["signed"]]
    assert len(signed) == 6 and all(len(x["sha256"]) == 64 for x in signed)

    check = auditor.get("/api/v1/audit/verify").json()
    assert check["ok"] and check["objects"] >= 12, check
    cli = server.cli("audit", "verify", "--json", check=False)
    assert cli.returncode == 0 and '"ok": true' in cli.stdout


def test_return_with_reason_then_edit_and_resubmit(server: AppServer, tmp_path: Path):
    d = new_dossier(server)
    d = step(server, d, CLERK, "submit")
    d = step(server, d, HEAD, "approve")
    reason = 'Bổ sung minh chứng <số liệu> & "{{ đánh giá }}" cho tập thể.'
    d = step(server, d, CLUSTER, "return", reason=reason)
    assert (d["status"], d["stage"]) == ("returned", "unit")
    clerk = Api(server, CLERK)
    assert d["id"] in [x["id"] for x in clerk.get("/api/v1/inbox").json()]

    r = clerk.patch(
        f"/api/v1/dossiers/{d['id']}",
        json={
            "version": d["version"],
            "nominees": [
                {
                    "kind": "collective",
                    "name": TRICKY_NAME,
                    "achievements": TRICKY_TEXT + " Đã bổ sung minh chứng.",
                }
            ],
        },
    )
    assert r.status_code == 200, r.text
    d = step(server, r.json(), CLERK, "submit")
    assert d["status"] == "unit_review"

    history = clerk.get(f"/api/v1/dossiers/{d['id']}/history").json()
    returned = next(h for h in history if h["kind"] == "return")
    assert returned["reason"] == reason and returned["actor_role"] == "cluster_approver"
    assert [h["kind"] for h in history if h["kind"] not in ("documents_issued", "routed")] == [
        "created",
        "attachment_added",
        "submit",
        "approve",
        "return",
        "edited",
        "submit",
    ]
    notice = next(
        doc
        for doc in clerk.get(f"/api/v1/dossiers/{d['id']}/documents").json()
        if doc["form"] == "thong_bao"
    )
    pdf = clerk.get(f"/api/v1/documents/{notice['id']}/content").content
    assert reason in " ".join(pdf_text(pdf, tmp_path).split())
    assert re.fullmatch(r"\d{2,}/TB-CUM1-QLCN", notice["number"])
    assert_number_and_date_printed(
        pdf, notice, datetime.now(timezone(timedelta(hours=7))), tmp_path
    )


def test_reject_ends_the_dossier(server: AppServer):
    d = new_dossier(server)
    for user, action in ((CLERK, "submit"), (HEAD, "approve"), (CLUSTER, "approve")):
        d = step(server, d, user, action)
    d = step(server, d, SPECIALIST, "reject", reason="Thành tích không đạt tiêu chuẩn.")
    assert (d["status"], d["stage"]) == ("rejected", "done")
    for user in (CLERK, HEAD, SPECIALIST, BOARD_HEAD):
        assert Api(server, user).get(f"/api/v1/dossiers/{d['id']}").json()["allowed_actions"] == []
    r = Api(server, CLERK).act(d["id"], "submit")
    assert (r.status_code, r.json()["code"]) == (409, "illegal_transition")


def test_refusals_have_status_code_and_vietnamese_message(server: AppServer):
    clerk, head = Api(server, CLERK), Api(server, HEAD)
    d = new_dossier(server)
    path = f"/api/v1/dossiers/{d['id']}"

    r = head.act(d["id"], "approve")  # right person, wrong state
    assert (r.status_code, r.json()["code"]) == (409, "illegal_transition")
    assert "Dự thảo" in r.json()["detail"]
    r = clerk.act(d["id"], "approve")  # a clerk never approves
    assert (r.status_code, r.json()["code"]) == (403, "forbidden_action")
    r = Api(server, "vpdpntm.canbo").get(path)  # another unit cannot even see it
    assert (r.status_code, r.json()["code"]) == (404, "dossier_not_found")

    ok = clerk.patch(path, json={"version": d["version"], "title": "Hồ sơ đã sửa lần 1"})
    assert ok.status_code == 200 and ok.json()["version"] == d["version"] + 1
    stale = clerk.patch(path, json={"version": d["version"], "title": "Bản cũ ghi đè"})
    assert (stale.status_code, stale.json()["code"]) == (409, "stale_version")
    assert clerk.get(path).json()["title"] == "Hồ sơ đã sửa lần 1"
    r = clerk.act(d["id"], "submit", version=d["version"])
    assert (r.status_code, r.json()["code"]) == (409, "stale_version")

    r = clerk.post("/api/v1/dossiers", json={"year": "2026", "nominees": "không phải danh sách"})
    body = r.json()
    assert (r.status_code, body["code"]) == (422, "invalid_input")
    assert {e["field"] for e in body["errors"]} == {"year", "nominees"}
    assert "Dữ liệu không hợp lệ" in body["detail"]
    r = clerk.post(
        "/api/v1/dossiers", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert (r.status_code, r.json()["code"]) == (422, "invalid_input")

    step(server, d, CLERK, "submit")
    r = head.act(d["id"], "return")
    assert (r.status_code, r.json()["code"]) == (422, "reason_required")
    assert head.get(path).json()["status"] == "unit_review"  # nothing changed

    anonymous = Api.__new__(Api)
    anonymous.server, anonymous.headers = server, {}
    r = anonymous.get(path)
    assert (r.status_code, r.json()["code"]) == (401, "not_authenticated")
    bad = Api.__new__(Api)
    bad.server, bad.headers = server, {"Authorization": "Bearer sai"}
    assert bad.get("/api/v1/me").json()["code"] == "invalid_token"


def test_me_and_users_list_never_show_passwords(server: AppServer):
    me = Api(server, CLUSTER).get("/api/v1/me").json()
    assert me["username"] == CLUSTER and me["roles"][0]["role"] == "cluster_approver"
    out = server.cli("users", "list", "--json").stdout
    assert '"username": "bdt.canbo"' in out and "Ban Dân tộc tỉnh" in out
    assert "argon2" not in out and "password" not in out


def test_attachments_are_checked_by_content_and_stored_write_once(server: AppServer):
    clerk = Api(server, CLERK)
    d = new_dossier(server)
    url = f"/api/v1/dossiers/{d['id']}/attachments"
    pdf = simple_pdf("Minh chứng thành tích <&> của tập thể")
    r = clerk.post(url, files={"file": ("../../etc/Bảng\u202e tổng hợp.pdf", pdf)})
    assert r.status_code == 201, r.text
    doc = r.json()
    version = doc["versions"][0]
    assert version["file_name"] == "Bảng tổng hợp.pdf"  # no path, no bidi override
    assert version["sha256"] == hashlib.sha256(pdf).hexdigest()
    body = clerk.get(f"/api/v1/documents/{doc['id']}/content")
    assert body.content == pdf and body.headers["content-type"] == "application/pdf"

    png = BytesIO()
    Image.new("RGB", (40, 20), "white").save(png, "PNG")
    png = png.getvalue()
    assert clerk.post(url, files={"file": ("anh.png", png)}).status_code == 201
    r = clerk.post(url, files={"file": ("virus.pdf", b"MZ\x90\x00 not a pdf")})
    assert (r.status_code, r.json()["code"]) == (415, "unsupported_file_type")
    r = clerk.post(url, files={"file": ("trong.pdf", b"")})
    assert (r.status_code, r.json()["code"]) == (422, "empty_file")
    big = b"%PDF-1.7\n" + b"0" * (int(server.env["TDKT_MAX_UPLOAD_BYTES"]) + 1)
    r = clerk.post(url, files={"file": ("lon.pdf", big)})
    assert (r.status_code, r.json()["code"]) == (413, "payload_too_large")
    r = Api(server, "vpdpntm.canbo").post(url, files={"file": ("x.pdf", pdf)})
    assert r.status_code == 404

    forms = [x["form"] for x in clerk.get(f"/api/v1/dossiers/{d['id']}/documents").json()]
    # The Biên bản and the two accepted uploads: the refused uploads left nothing.
    assert forms == ["attachment", "attachment", "attachment"]
    step(server, d, CLERK, "submit")
    r = clerk.post(url, files={"file": ("muon.pdf", pdf)})
    assert (r.status_code, r.json()["code"]) == (409, "not_editable")
