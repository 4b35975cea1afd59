"""Hostile and unlucky requests: throttled sign-in, revoked tokens, racing approvers,
repeated actions, malformed and oversized bodies, dangerous uploads. Each is refused with
a stable code, or done exactly once, and nothing is lost."""

from __future__ import annotations

import io
import threading
import zipfile
from collections.abc import Iterator

import httpx
import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import copy_into_new_writer

from tests.fixtures.pki import simple_pdf
from tests.fixtures.server import PASSWORD, PIN, Api, AppServer

pytestmark = pytest.mark.slow

CLERK, HEAD = "bdt.canbo", "bdt.thutruong"
HEAD_UNIT_APPROVER, DEPUTY_UNIT_APPROVER = "bqlkkt.cum", "vpdpntm.cum"  # Cụm I, 2026


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    srv = AppServer(tmp_path_factory.mktemp("hardening"), {}).start()
    yield srv
    srv.stop()


def new_dossier(server: AppServer, *, submittable: bool = True) -> dict:
    """`submittable`: with the Biên bản bình xét the law requires to submit it."""
    r = Api(server, CLERK).post(
        "/api/v1/dossiers",
        json={
            "year": 2026,
            "nominees": [
                {
                    "kind": "collective",
                    "name": "Phòng Tổng hợp",
                    "achievements": "Hoàn thành xuất sắc",
                }
            ],
        },
    )
    assert r.status_code == 201, r.text
    if submittable:
        Api(server, CLERK).attach(r.json()["id"])
    return r.json()


def login(server: AppServer, username: str, password: str) -> httpx.Response:
    return httpx.post(
        f"{server.base}/api/v1/auth/token", data={"username": username, "password": password}
    )


def test_sign_in_is_throttled_after_five_wrong_passwords(server: AppServer):
    for _ in range(5):
        r = login(server, "bqlda.canbo", "sai-mat-khau")
        assert (r.status_code, r.json()["code"]) == (401, "bad_credentials")
    r = login(server, "bqlda.canbo", PASSWORD)  # even the right one, for now
    assert (r.status_code, r.json()["code"]) == (429, "too_many_attempts")
    assert login(server, "bqlda.thutruong", PASSWORD).status_code == 200  # others unaffected


def test_a_signed_out_token_no_longer_works(server: AppServer):
    token = login(server, "bqlda.thutruong", PASSWORD).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert httpx.get(f"{server.base}/api/v1/me", headers=headers).status_code == 200
    assert httpx.post(f"{server.base}/api/v1/auth/logout", headers=headers).status_code == 204
    r = httpx.get(f"{server.base}/api/v1/me", headers=headers)
    assert (r.status_code, r.json()["code"]) == (401, "token_revoked")


def test_two_approvers_at_the_same_moment_exactly_one_wins(server: AppServer):
    d = new_dossier(server)
    Api(server, CLERK).act(d["id"], "submit")
    Api(server, CLERK).wait_idle(d["id"])
    Api(server, HEAD).act(d["id"], "approve", signing_pin=PIN)
    Api(server, HEAD).wait_idle(d["id"])
    approvers = [Api(server, HEAD_UNIT_APPROVER), Api(server, DEPUTY_UNIT_APPROVER)]
    start = threading.Barrier(2)
    answers: list[httpx.Response] = []

    def approve(api: Api) -> None:
        start.wait()
        answers.append(api.act(d["id"], "approve", signing_pin=PIN))

    threads = [threading.Thread(target=approve, args=(a,)) for a in approvers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(r.status_code for r in answers)
    assert codes == [200, 409], [r.text for r in answers]
    loser = next(r for r in answers if r.status_code == 409)
    assert loser.json()["code"] in ("illegal_transition", "processing", "stale_version")
    Api(server, CLERK).wait_idle(d["id"])
    history = Api(server, CLERK).get(f"/api/v1/dossiers/{d['id']}/history").json()
    assert sum(h["kind"] == "approve" for h in history) == 2  # unit head + one cluster approver
    docs = Api(server, CLERK).get(f"/api/v1/dossiers/{d['id']}/documents").json()
    cluster_form = next(x for x in docs if x["form"] == "to_trinh_cum")
    assert [v["rendition"] for v in cluster_form["versions"]].count("pdf-personal") == 1


def test_a_repeated_action_with_the_same_idempotency_key_is_done_once(server: AppServer):
    clerk = Api(server, CLERK)
    d = new_dossier(server)
    first = clerk.post(
        f"/api/v1/dossiers/{d['id']}/actions/submit",
        json={},
        headers={"Idempotency-Key": "nop-ho-so-1"},
    )
    again = clerk.post(
        f"/api/v1/dossiers/{d['id']}/actions/submit",
        json={},
        headers={"Idempotency-Key": "nop-ho-so-1"},
    )
    assert first.status_code == again.status_code == 200
    assert first.json()["transition_seq"] == again.json()["transition_seq"] == 1
    clerk.wait_idle(d["id"])
    history = clerk.get(f"/api/v1/dossiers/{d['id']}/history").json()
    assert [h["kind"] for h in history].count("submit") == 1
    other = new_dossier(server)
    r = clerk.post(
        f"/api/v1/dossiers/{other['id']}/actions/submit",
        json={},
        headers={"Idempotency-Key": "nop-ho-so-1"},
    )
    assert (r.status_code, r.json()["code"]) == (422, "idempotency_key_reused")
    assert clerk.get(f"/api/v1/dossiers/{other['id']}").json()["status"] == "draft"


def test_malformed_and_oversized_bodies_are_refused_cleanly(server: AppServer):
    clerk = Api(server, CLERK)
    json_headers = {"content-type": "application/json"}
    before = clerk.get("/api/v1/dossiers").json()["total"]
    cases = [
        (b'{"year": 2026, "title": "\xff\xfe"}', 422, "invalid_input"),  # not UTF-8
        (b"[" * 100_000 + b"]" * 100_000, 422, "invalid_input"),  # deep nesting
        (b'{"year": 2026, "title": "' + b"a" * (2 * 1024 * 1024) + b'"}', 413, "payload_too_large"),
        (b'{"year": 2026, "nominees": [' + b'{"kind": "x"},' * 10 + b"]}", 422, "invalid_input"),
    ]
    for body, status, code in cases:
        r = clerk.post("/api/v1/dossiers", content=body, headers=json_headers)
        assert (r.status_code, r.json()["code"]) == (status, code), r.text[:200]
    assert clerk.get("/api/v1/dossiers").json()["total"] == before  # nothing half-created
    r = clerk.post(
        "/api/v1/dossiers",
        json={
            "year": 2026,
            "nominees": [{"kind": "collective", "name": "x" * 300, "achievements": "y"}],
        },
    )
    assert (r.status_code, r.json()["code"]) == (422, "invalid_input")


def _docx(extra: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(
            "[Content_Types].xml",
            extra.pop(
                "[Content_Types].xml",
                (
                    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                    'package/2006/content-types"><Override PartName="/word/document.xml" '
                    'ContentType="application/vnd.openxmlformats-officedocument.'
                    'wordprocessingml.document.main+xml"/></Types>'
                ),
            ),
        )
        z.writestr(
            "word/document.xml",
            '<w:document xmlns:w="http://schemas.openxmlformats.org'
            '/wordprocessingml/2006/main"><w:body/></w:document>',
        )
        for name, text in extra.items():
            z.writestr(name, text)
    return out.getvalue()


def _bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"\0" * (120 * 1024 * 1024))
    return out.getvalue()


def _pdf_with_javascript() -> bytes:
    w = IncrementalPdfFileWriter(io.BytesIO(simple_pdf("Có mã độc")), strict=False)
    w.root[generic.NameObject("/OpenAction")] = generic.DictionaryObject(
        {
            generic.NameObject("/S"): generic.NameObject("/JavaScript"),
            generic.NameObject("/JS"): generic.TextStringObject("app.alert(1)"),
        }
    )
    w.update_root()
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def _encrypted_pdf() -> bytes:
    w = copy_into_new_writer(PdfFileReader(io.BytesIO(simple_pdf("Bí mật")), strict=False))
    w.encrypt("owner", "user")
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def test_dangerous_uploads_are_refused_by_content_and_leave_nothing(server: AppServer):
    clerk = Api(server, CLERK)
    d = new_dossier(server, submittable=False)
    url = f"/api/v1/dossiers/{d['id']}/attachments"
    macro = _docx(
        {
            "[Content_Types].xml": (
                '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                'content-types"><Override PartName="/word/document.xml" ContentType="application/'
                'vnd.ms-word.document.macroEnabled.main+xml"/></Types>'
            )
        }
    )
    external = _docx(
        {
            "word/_rels/document.xml.rels": (
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                '<Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                'relationships/attachedTemplate" Target="http://example.invalid/x.dotm" '
                'TargetMode="External"/></Relationships>'
            )
        }
    )
    cases = {
        "docx_unsafe": [macro, external, _bomb()],
        "pdf_javascript": [_pdf_with_javascript()],
        "pdf_encrypted": [_encrypted_pdf()],
        "invalid_image": [b"\x89PNG\r\n\x1a\n" + b"\0" * 64],
        "unsupported_file_type": [b"#!/bin/sh\nrm -rf /\n"],
    }
    for code, files in cases.items():
        for data in files:
            r = clerk.post(url, files={"file": ("tai-lieu.pdf", data)})
            assert (r.status_code, r.json()["code"]) == (415, code), (code, r.text[:300])
    big = b"%PDF-1.7\n" + b"0" * (int(server.env["TDKT_MAX_UPLOAD_BYTES"]) + 100_000)
    r = clerk.post(url, files={"file": ("lon.pdf", big)})
    assert (r.status_code, r.json()["code"]) == (413, "payload_too_large")
    assert clerk.get(f"/api/v1/dossiers/{d['id']}/documents").json() == []


def test_every_answer_carries_the_security_headers(server: AppServer):
    for r in (
        httpx.get(f"{server.base}/healthz"),
        Api(server, CLERK).get("/api/v1/inbox"),
        httpx.get(f"{server.base}/api/v1/me"),
    ):
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "SAMEORIGIN"
        assert "frame-ancestors 'self'" in r.headers["content-security-policy"]
