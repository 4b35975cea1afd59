"""Approving is signing: the approver's own signature, with their PIN or signed elsewhere and
uploaded; every refusal has its own code and leaves the dossier as it was."""

from __future__ import annotations

import asyncio
import hashlib
import re
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import copy_into_new_writer

from documents import fields
from documents.pki import (
    CertKey,
    create_ca,
    decrypt_key,
    issue_certificate,
    pin_passphrase,
)
from documents.sign import SignerMaterial, sign_pdf
from storage.db import Database
from storage.repositories import keys as keys_repo
from storage.repositories import users as users_repo
from tests.fixtures.nss import nss_db, pdfsig
from tests.fixtures.pki import simple_pdf
from tests.fixtures.server import PIN, Api, AppServer, as_make_run

pytestmark = pytest.mark.slow

CLERK, HEAD, OTHER_HEAD, ADMIN = "bdt.canbo", "bdt.thutruong", "lmhtx.thutruong", "admin"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    # As `make run` starts it: the demo's own TSA, PAdES B-LT (what the benchmarks measure).
    srv = as_make_run(AppServer(tmp_path_factory.mktemp("signing"), {}))
    srv.start()
    yield srv
    srv.stop()


def submitted(server: AppServer) -> dict:
    """A dossier waiting for the unit head, with its Tờ trình prepared."""
    clerk = Api(server, CLERK)
    d = clerk.post(
        "/api/v1/dossiers",
        json={
            "year": 2026,
            "nominees": [
                {
                    "kind": "collective",
                    "name": "Phòng Kế hoạch – Tổng hợp",
                    "achievements": "Xuất sắc",
                }
            ],
        },
    ).json()
    clerk.attach(d["id"])  # the Biên bản bình xét the law requires
    assert clerk.act(d["id"], "submit").status_code == 200
    return clerk.wait_idle(d["id"])


def prepared(server: AppServer, dossier: dict, form: str = "to_trinh_don_vi") -> tuple[dict, bytes]:
    head = Api(server, HEAD)
    docs = head.get(f"/api/v1/dossiers/{dossier['id']}/documents").json()
    doc = next(x for x in docs if x["form"] == form)
    pdf = head.get(f"/api/v1/documents/{doc['id']}/content", params={"rendition": "pdf-prepared"})
    assert pdf.status_code == 200
    return doc, pdf.content


def unchanged(server: AppServer, before: dict) -> None:
    now = Api(server, HEAD).get(f"/api/v1/dossiers/{before['id']}").json()
    assert (now["status"], now["version"]) == (before["status"], before["version"])
    docs = Api(server, HEAD).get(f"/api/v1/dossiers/{before['id']}/documents").json()
    doc = next(x for x in docs if x["form"] == "to_trinh_don_vi")
    assert "pdf-personal" not in {v["rendition"] for v in doc["versions"]}


def key_of(server: AppServer, username: str) -> SignerMaterial:
    """The approver's key pair as their own token would hold it (same certificate)."""
    db = Database(f"sqlite:///{server.var_dir / 'tdkt.sqlite3'}")
    secret = (server.var_dir / "secret.key").read_text().strip()
    with db.read() as s:
        user = users_repo.user_by_username(s, username)
        assert user is not None
        key = keys_repo.personal_key(s, user.id)
        assert key is not None and key.key_pem_encrypted is not None
        ca = keys_repo.trust_roots(s)[0].cert_pem
        pem = decrypt_key(key.key_pem_encrypted, pin_passphrase(PIN, secret))
        material = SignerMaterial(pem, key.cert_pem, (ca,))
    db.dispose()
    return material


def demo_ca(server: AppServer) -> CertKey:
    db = Database(f"sqlite:///{server.var_dir / 'tdkt.sqlite3'}")
    secret = (server.var_dir / "secret.key").read_text().strip()
    with db.read() as s:
        ca = keys_repo.trust_roots(s)[0]
        assert ca.key_pem_encrypted is not None
        pair = CertKey(ca.cert_pem, decrypt_key(ca.key_pem_encrypted, secret))
    db.dispose()
    return pair


def sign(pdf: bytes, material: SignerMaterial) -> bytes:
    return asyncio.run(
        sign_pdf(
            pdf,
            material,
            field_name=fields.PERSON_FIELD,
            reason="Duyệt",
            location="Lạng Sơn",
            stamp_lines=["Ký bằng thiết bị riêng"],
            certify=True,
        )
    )


def upload(server: AppServer, dossier: dict, pdf: bytes):
    """The unit's Tờ trình as given, with the achievement report signed by the head (the
    head's approval signs both)."""
    _, report = prepared(server, dossier, "bao_cao_thanh_tich")
    return Api(server, HEAD).post(
        f"/api/v1/dossiers/{dossier['id']}/actions/approve",
        files=[
            ("file", ("bao-cao-da-ky.pdf", sign(report, key_of(server, HEAD)), "application/pdf")),
            ("file", ("to-trinh-da-ky.pdf", pdf, "application/pdf")),
        ],
    )


def test_pin_is_required_and_wrong_pins_lock_signing_until_an_admin_unlocks(server: AppServer):
    d = submitted(server)
    head = Api(server, HEAD)
    r = head.act(d["id"], "approve")
    assert (r.status_code, r.json()["code"]) == (422, "signing_pin_required")
    for left in (4, 3, 2, 1):
        r = head.act(d["id"], "approve", signing_pin="000000")
        assert (r.status_code, r.json()["code"]) == (403, "wrong_pin")
        assert f"Còn {left} lần thử" in r.json()["detail"]
    r = head.act(d["id"], "approve", signing_pin="000000")
    assert (r.status_code, r.json()["code"]) == (403, "signing_locked")
    r = head.act(d["id"], "approve", signing_pin=PIN)  # the right PIN no longer helps
    assert (r.status_code, r.json()["code"]) == (403, "signing_locked")
    unchanged(server, d)

    assert Api(server, CLERK).post(f"/api/v1/admin/users/{HEAD}/unlock-signing").status_code == 403
    r = Api(server, ADMIN).post(f"/api/v1/admin/users/{HEAD}/unlock-signing")
    assert r.status_code == 200 and not r.json()["signing_locked"]
    r = head.act(d["id"], "approve", signing_pin=PIN)
    assert r.status_code == 200, r.text
    assert head.wait_idle(d["id"])["status"] == "cluster_review"
    # The approval the benchmarks time (bench/floor_and_stage.py) went through the demo's
    # time-stamping service: the head's own signature carries a time-stamp token.
    docs = head.get(f"/api/v1/dossiers/{d['id']}/documents").json()
    tt = next(x for x in docs if x["form"] == "to_trinh_don_vi")
    signatures = head.get(f"/api/v1/documents/{tt['id']}/verify").json()["signatures"]
    personal = signatures[0]
    assert personal["valid"] and personal["timestamped"], personal
    assert signatures[-1]["long_term"], signatures[-1]


def test_signed_elsewhere_and_uploaded_is_accepted_and_sealed(server: AppServer, tmp_path: Path):
    d = submitted(server)
    doc, pdf = prepared(server, d)
    own = sign(pdf, key_of(server, HEAD))
    r = upload(server, d, own)
    assert r.status_code == 200, r.text
    Api(server, HEAD).wait_idle(d["id"])
    docs = Api(server, HEAD).get(f"/api/v1/dossiers/{d['id']}/documents").json()
    issued = next(x for x in docs if x["id"] == doc["id"])
    personal = next(v for v in issued["versions"] if v["rendition"] == "pdf-personal")
    assert personal["sha256"] == hashlib.sha256(own).hexdigest()  # kept exactly as uploaded
    final = Api(server, HEAD).get(f"/api/v1/documents/{doc['id']}/content").content
    assert final.startswith(own)  # numbered and sealed incrementally, nothing rewritten
    path = tmp_path / "issued.pdf"
    path.write_bytes(final)
    roots = Api(server, HEAD).get("/api/v1/trust-roots").content
    report = pdfsig(path, nss_db(tmp_path / "nss", roots))
    assert report.count("Signature is Valid.") == 2, report
    assert fields.field_values(final)[fields.NUMBER_FIELD] == issued["number"]
    v = Api(server, HEAD).get(f"/api/v1/documents/{doc['id']}/verify").json()
    seal = v["signatures"][-1]
    assert seal["timestamped"] and seal["long_term"], seal  # PAdES B-LT: time-stamp + DSS
    crl = Api(server, HEAD).get("/api/v1/pki/crl")
    assert crl.status_code == 200 and crl.headers["content-type"] == "application/pkix-crl"


def _add_javascript(pdf: bytes) -> bytes:
    w = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    w.root[generic.NameObject("/OpenAction")] = generic.DictionaryObject(
        {
            generic.NameObject("/S"): generic.NameObject("/JavaScript"),
            generic.NameObject("/JS"): generic.TextStringObject("app.alert('x')"),
        }
    )
    w.update_root()
    out = BytesIO()
    w.write(out)
    return out.getvalue()


def _add_change(pdf: bytes) -> bytes:
    w = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    w.root[generic.NameObject("/Lang")] = generic.TextStringObject("en")
    w.update_root()
    out = BytesIO()
    w.write(out)
    return out.getvalue()


def _rewritten(pdf: bytes) -> bytes:
    """What some tools do on "save": write the whole file anew."""
    w = copy_into_new_writer(PdfFileReader(BytesIO(pdf), strict=False))
    out = BytesIO()
    w.write(out)
    return out.getvalue()


def _encrypted(pdf: bytes) -> bytes:
    w = copy_into_new_writer(PdfFileReader(BytesIO(pdf), strict=False))
    w.encrypt("owner", "user")
    out = BytesIO()
    w.write(out)
    return out.getvalue()


def test_every_bad_upload_is_refused_with_its_own_code(server: AppServer):
    d = submitted(server)
    _, pdf = prepared(server, d)
    mine = key_of(server, HEAD)
    ca = demo_ca(server)
    stranger_ca = create_ca("CA lạ", "Tổ chức không tin cậy")
    name = Api(server, HEAD).get("/api/v1/me").json()["full_name"]

    def person(issuer: CertKey, **kw: object) -> SignerMaterial:
        c = issue_certificate(
            issuer,
            common_name=name,
            organization="Ban Dân tộc tỉnh",
            kind="person",
            key_type="ec",
            **kw,
        )  # type: ignore[arg-type]
        return SignerMaterial(c.key_pem, c.cert_pem, (issuer.cert_pem,))

    expired = person(ca, not_before=datetime.now(UTC) - timedelta(days=400), valid_days=30)
    cases = {
        "signer_mismatch": sign(pdf, key_of(server, OTHER_HEAD)),
        "changed_after_signing": _add_change(sign(pdf, mine)),
        "changed_after_prepared": sign(_add_change(pdf), mine),
        "untrusted_certificate": sign(pdf, person(stranger_ca)),
        "certificate_expired": sign(pdf, expired),
        "pdf_javascript": sign(_add_javascript(pdf), mine),
        "pdf_encrypted": _encrypted(sign(pdf, mine)),
        "prepared_revision_changed": sign(_rewritten(pdf), mine),
        "expected_one_signature": pdf,
    }
    for code, bad in cases.items():
        r = upload(server, d, bad)
        assert r.json().get("code") == code, (code, r.status_code, r.text)
        assert r.status_code in (403, 422)
        unchanged(server, d)
    # After all that, the right signature still goes through.
    assert upload(server, d, sign(pdf, mine)).status_code == 200


def test_pdf_attachments_are_sealed_top_right_with_the_number_they_are_filed_with(
    server: AppServer, tmp_path: Path
):
    clerk = Api(server, CLERK)
    d = clerk.post(
        "/api/v1/dossiers",
        json={
            "year": 2026,
            "nominees": [
                {"kind": "individual", "name": "Nông Thị Hoa", "achievements": "Chiến sĩ thi đua"}
            ],
        },
    ).json()
    evidence = simple_pdf("Bảng tổng hợp số liệu minh chứng năm 2026")
    r = clerk.post(
        f"/api/v1/dossiers/{d['id']}/attachments",
        params={"kind": "bien_ban_binh_xet"},
        files={"file": ("minh-chung.pdf", evidence, "application/pdf")},
    )
    assert r.status_code == 201
    attachment = r.json()["id"]
    assert clerk.act(d["id"], "submit").status_code == 200
    clerk.wait_idle(d["id"])
    assert Api(server, HEAD).act(d["id"], "approve", signing_pin=PIN).status_code == 200
    clerk.wait_idle(d["id"])

    docs = {x["id"]: x for x in clerk.get(f"/api/v1/dossiers/{d['id']}/documents").json()}
    number = next(x["number"] for x in docs.values() if x["form"] == "to_trinh_don_vi")
    sealed = clerk.get(f"/api/v1/documents/{attachment}/content").content
    assert sealed.startswith(evidence)  # the uploaded bytes, then the seal
    v = clerk.get(f"/api/v1/documents/{attachment}/verify").json()
    assert v["ok"] and v["signatures"][0]["signer"] == "Ban Dân tộc tỉnh"
    path = tmp_path / "sealed.pdf"
    path.write_bytes(sealed)
    top_right = subprocess.run(
        [
            "pdftotext",
            "-f",
            "1",
            "-l",
            "1",
            "-x",
            "300",
            "-y",
            "0",
            "-W",
            "300",
            "-H",
            "80",
            str(path),
            "-",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"Số: {number}" in top_right
    assert re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00", top_right)
