"""New approvers over the HTTP API and the CLI, against the real app process: a temporary
password allows nothing but changing it; a token's certificate registered from a root the
operator added, and that person's PDF signed elsewhere accepted, then refused once the
certificate is revoked; a key from the demo CA made when its owner sets the PIN, used to
approve, then revoked (the CRL lists it, the document's check says so); `tdkt users`."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from sqlalchemy import select

from documents import fields
from documents.pki import CertKey, create_ca, issue_certificate, revoked_serials
from documents.sign import SignerMaterial, sign_pdf
from storage.audit import VIETNAM
from storage.db import Database
from storage.models import Cluster, ClusterTerm, Unit
from tests.fixtures.server import Api, AppServer

pytestmark = pytest.mark.slow

NAME = "Hà Thị Ngọc Ánh"
TEMPORARY = "tạm-thời-2026"
OWN = "Mật khẩu riêng <&> {{ x }}"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    srv = AppServer(tmp_path_factory.mktemp("people-api"), {}).start()
    yield srv
    srv.stop()


def db(server: AppServer) -> Database:
    return Database(f"sqlite:///{server.var_dir / 'tdkt.sqlite3'}")


def unit_id(server: AppServer, code: str) -> int:
    d = db(server)
    with d.read() as s:
        found = s.scalar(select(Unit.id).where(Unit.code == code))
    d.dispose()
    assert found is not None
    return found


class Person:
    """Someone signed in with a password of their own (not the demo's)."""

    def __init__(self, server: AppServer, username: str, password: str) -> None:
        self.server, self.username = server, username
        self.token = self.sign_in(password)

    def sign_in(self, password: str) -> str:
        r = httpx.post(
            f"{self.server.base}/api/v1/auth/token",
            data={"username": self.username, "password": password},
        )
        assert r.status_code == 200, r.text
        token: str = r.json()["access_token"]
        return token

    def call(self, method: str, path: str, token: str | None = None, **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token or self.token}"}
        return httpx.request(
            method, f"{self.server.base}{path}", headers=headers, timeout=120, **kw
        )

    def act(self, dossier_id: int, **body: Any) -> httpx.Response:
        return self.call("POST", f"/api/v1/dossiers/{dossier_id}/actions/approve", json=body)


def new_approver(server: AppServer, username: str, unit: str) -> Person:
    """An admin's new unit head; they sign in and replace the temporary password."""
    admin = Api(server, "admin")
    r = admin.post(
        "/api/v1/admin/users",
        json={
            "username": username,
            "full_name": NAME,
            "position": "Phó Giám đốc",
            "password": TEMPORARY,
        },
    )
    assert r.status_code == 201, r.text
    r = admin.post(
        f"/api/v1/admin/users/{username}/roles",
        json={"role": "unit_head", "unit_id": unit_id(server, unit)},
    )
    assert r.status_code == 201, r.text
    person = Person(server, username, TEMPORARY)
    r = person.call(
        "POST", "/api/v1/me/password", json={"current_password": TEMPORARY, "new_password": OWN}
    )
    assert r.status_code == 200, r.text
    person.token = r.json()["access_token"]
    return person


def submitted(server: AppServer, clerk: str) -> dict[str, Any]:
    api = Api(server, clerk)
    d = api.post(
        "/api/v1/dossiers",
        json={
            "year": 2026,
            "nominees": [
                {"kind": "collective", "name": "Phòng Tổng hợp", "achievements": "Xuất sắc"}
            ],
        },
    ).json()
    api.attach(d["id"])  # the Biên bản bình xét the award requires
    assert api.act(d["id"], "submit").status_code == 200
    return api.wait_idle(d["id"])


PDF = "application/pdf"


def to_trinh(server: AppServer, clerk: str, dossier_id: int) -> dict[str, Any]:
    docs = Api(server, clerk).get(f"/api/v1/dossiers/{dossier_id}/documents").json()
    doc: dict[str, Any] = next(x for x in docs if x["form"] == "to_trinh_don_vi")
    return doc


def sign(pdf: bytes, material: SignerMaterial) -> bytes:
    return asyncio.run(
        sign_pdf(
            pdf,
            material,
            field_name=fields.PERSON_FIELD,
            reason="Duyệt",
            location="Lạng Sơn",
            stamp_lines=["Ký bằng thiết bị ký số riêng"],
            certify=True,
        )
    )


# ---------------------------------------------------------------- passwords


def test_a_temporary_password_allows_nothing_but_changing_it(server: AppServer):
    admin = Api(server, "admin")
    body = {"username": "lmhtx.tam", "full_name": NAME, "password": TEMPORARY}
    r = Api(server, "lmhtx.canbo").post("/api/v1/admin/users", json=body)
    assert (r.status_code, r.json()["code"]) == (403, "admin_only")
    r = admin.post("/api/v1/admin/users", json=body)
    assert r.status_code == 201 and r.json()["must_change_password"], r.text
    admin.post(
        "/api/v1/admin/users/lmhtx.tam/roles",
        json={"role": "unit_clerk", "unit_id": unit_id(server, "LMHTX")},
    )

    person = Person(server, "lmhtx.tam", TEMPORARY)
    for method, path in (
        ("GET", "/api/v1/me"),
        ("GET", "/api/v1/dossiers"),
        ("GET", "/api/v1/inbox"),
    ):
        r = person.call(method, path)
        assert (r.status_code, r.json()["code"]) == (403, "password_change_required"), path
    r = person.call(
        "POST", "/api/v1/me/password", json={"current_password": "sai", "new_password": OWN}
    )
    assert (r.status_code, r.json()["code"]) == (403, "wrong_password")
    r = person.call(
        "POST", "/api/v1/me/password", json={"current_password": TEMPORARY, "new_password": "ngắn"}
    )
    assert (r.status_code, r.json()["code"]) == (422, "password_too_short")
    r = person.call(
        "POST", "/api/v1/me/password", json={"current_password": TEMPORARY, "new_password": OWN}
    )
    assert r.status_code == 200, r.text
    fresh = r.json()["access_token"]
    r = person.call("GET", "/api/v1/me")  # the session of the temporary password has ended
    assert (r.status_code, r.json()["code"]) == (401, "token_revoked")
    me = person.call("GET", "/api/v1/me", token=fresh).json()
    assert me["roles"][0]["title"] == "Cán bộ phụ trách TĐKT của đơn vị, Liên minh Hợp tác xã tỉnh"
    assert me["signing"] == "none"
    assert person.sign_in(OWN)

    # An admin's reset: a generated password shown once, sessions end, the change forced.
    r = admin.post("/api/v1/admin/users/lmhtx.tam/reset-password", json={})
    assert r.status_code == 200 and r.json()["must_change_password"], r.text
    temporary = r.json()["temporary_password"]
    assert temporary and len(temporary) == 14
    r = person.call("GET", "/api/v1/me", token=fresh)
    assert (r.status_code, r.json()["code"]) == (401, "token_revoked")
    again = person.sign_in(temporary)
    r = person.call("GET", "/api/v1/dossiers", token=again)
    assert (r.status_code, r.json()["code"]) == (403, "password_change_required")
    assert person.call("POST", "/api/v1/auth/logout", token=again).status_code == 204
    listed = next(
        u for u in admin.get("/api/v1/admin/users").json() if u["username"] == "lmhtx.tam"
    )
    assert listed["must_change_password"] and "password" not in json.dumps(listed).replace(
        "must_change_password", ""
    )


# ---------------------------------------------------------------- a token's certificate


def test_a_tokens_certificate_is_registered_its_uploads_accepted_until_revoked(
    server: AppServer, tmp_path: Path
):
    # The operator trusts the root of the people's tokens (a CA the system holds no key of).
    root = create_ca("Root CA Chính phủ (thử nghiệm)", "Ban Cơ yếu Chính phủ")
    (tmp_path / "root.pem").write_bytes(root.cert_pem)
    out = server.cli("pki", "add-root", str(tmp_path / "root.pem")).stdout
    assert "Đã thêm chứng thư gốc tin cậy" in out
    assert root.cert_pem in Api(server, "lmhtx.canbo").get("/api/v1/trust-roots").content

    person = new_approver(server, "lmhtx.token", "LMHTX")
    token = issue_certificate(
        root,
        common_name=NAME,
        organization="Liên minh Hợp tác xã tỉnh",
        kind="person",
        key_type="ec",
    )
    der = x509.load_pem_x509_certificate(token.cert_pem).public_bytes(serialization.Encoding.DER)
    files = {"file": ("token.cer", der, "application/pkix-cert")}
    admin = Api(server, "admin")
    r = Api(server, "lmhtx.canbo").post("/api/v1/admin/users/lmhtx.token/certificates", files=files)
    assert (r.status_code, r.json()["code"]) == (403, "admin_only")
    r = admin.post(
        "/api/v1/admin/users/lmhtx.token/certificates",
        files={"file": ("sai.cer", b"khong phai chung thu", "application/pkix-cert")},
    )
    assert (r.status_code, r.json()["code"]) == (422, "certificate_invalid")
    r = admin.post("/api/v1/admin/users/lmhtx.token/certificates", files=files)
    assert r.status_code == 201, r.text
    cert = r.json()
    assert (cert["held_by_system"], cert["state"], cert["subject"]) == (False, "active", NAME)
    r = admin.post("/api/v1/admin/users/lmhtx.token/certificates", files=files)
    assert (r.status_code, r.json()["code"]) == (409, "certificate_already_registered")
    r = admin.post("/api/v1/admin/users/lmhtx.thutruong/certificates", files=files)
    assert (r.status_code, r.json()["code"]) == (409, "certificate_taken")
    assert person.call("GET", "/api/v1/me").json()["signing"] == "token"

    material = SignerMaterial(token.key_pem, token.cert_pem, (root.cert_pem,))

    def sign_elsewhere(dossier_id: int) -> list[tuple[str, tuple[str, bytes, str]]]:
        # Every document the approval signs (the unit's Tờ trình and the achievement
        # report), prepared with this approver's name, downloaded, signed with the token.
        assert person.call("POST", f"/api/v1/dossiers/{dossier_id}/prepare").status_code == 200
        docs = person.call("GET", f"/api/v1/dossiers/{dossier_id}/documents").json()
        waiting = [
            x
            for x in docs
            if x["form"] in ("to_trinh_don_vi", "bao_cao_thanh_tich")
            and not any(v["rendition"] == "pdf-signed" for v in x["versions"])
        ]
        assert len(waiting) == 2, docs
        signed = []
        for doc in waiting:
            pdf = person.call(
                "GET",
                f"/api/v1/documents/{doc['id']}/content",
                params={"rendition": "pdf-prepared"},
            )
            assert pdf.status_code == 200
            signed.append(("file", (f"da-ky-{doc['id']}.pdf", sign(pdf.content, material), PDF)))
        return signed

    d = submitted(server, "lmhtx.canbo")
    r = person.call(
        "POST",
        f"/api/v1/dossiers/{d['id']}/actions/approve",
        files=sign_elsewhere(d["id"]),
    )
    assert r.status_code == 200, r.text
    Api(server, "lmhtx.canbo").wait_idle(d["id"])
    doc = to_trinh(server, "lmhtx.canbo", d["id"])
    check = person.call("GET", f"/api/v1/documents/{doc['id']}/verify").json()
    assert check["ok"] and check["signatures"][0]["signer"] == NAME, check

    r = admin.post(
        f"/api/v1/admin/users/lmhtx.token/certificates/{cert['id']}/revoke",
        json={"reason": "Mất thiết bị ký số (token) ngày 02/12", "reason_code": "key_compromise"},
    )
    assert r.status_code == 200 and r.json()["state"] == "revoked", r.text
    r = admin.post(
        f"/api/v1/admin/users/lmhtx.token/certificates/{cert['id']}/revoke", json={"reason": "x"}
    )
    assert (r.status_code, r.json()["code"]) == (409, "certificate_already_revoked")

    second = submitted(server, "lmhtx.canbo")
    r = person.call(
        "POST",
        f"/api/v1/dossiers/{second['id']}/actions/approve",
        files=sign_elsewhere(second["id"]),
    )
    assert (r.status_code, r.json()["code"]) == (422, "certificate_revoked"), r.text
    now = Api(server, "lmhtx.canbo").get(f"/api/v1/dossiers/{second['id']}").json()
    assert (now["status"], now["version"]) == (second["status"], second["version"])


# ---------------------------------------------------------------- a key from the demo CA


def test_a_key_from_the_demo_ca_signs_until_revoked_and_the_crl_says_so(server: AppServer):
    admin = Api(server, "admin")
    person = new_approver(server, "bdt.pin", "BDT")
    r = admin.post("/api/v1/admin/users/bdt.pin/signing-key")
    assert r.status_code == 202 and r.json()["signing_key_pending"], r.text
    assert person.call("GET", "/api/v1/me").json()["signing"] == "pin_required"

    d = submitted(server, "bdt.canbo")
    r = person.act(d["id"], signing_pin="123456")
    assert (r.status_code, r.json()["code"]) == (409, "signing_pin_not_set")
    r = person.call("POST", "/api/v1/me/signing-pin", json={"pin": "12345"})
    assert (r.status_code, r.json()["code"]) == (422, "invalid_pin")
    r = person.call(
        "POST", "/api/v1/me/signing-pin", json={"pin": "246810", "pin_repeat": "246810"}
    )
    assert r.status_code == 201, r.text
    cert = r.json()
    assert cert["held_by_system"] and cert["issuer"].startswith("tdkt Demo CA")
    r = person.call("POST", "/api/v1/me/signing-pin", json={"pin": "135790"})
    assert (r.status_code, r.json()["code"]) == (409, "signing_key_not_requested")

    r = person.call(
        "POST",
        "/api/v1/me/signing-pin/change",
        json={"current_pin": "000000", "new_pin": "135790"},
    )
    assert (r.status_code, r.json()["code"]) == (403, "wrong_pin")
    assert "Còn 4 lần thử" in r.json()["detail"]
    listed = next(u for u in admin.get("/api/v1/admin/users").json() if u["username"] == "bdt.pin")
    assert listed["pin_failures"] == 1  # the wrong current PIN counts toward the lock
    r = person.call(
        "POST",
        "/api/v1/me/signing-pin/change",
        json={"current_pin": "246810", "new_pin": "135790", "new_pin_repeat": "135790"},
    )
    assert r.status_code == 204, r.text

    r = person.act(d["id"], signing_pin="246810")  # the old PIN
    assert (r.status_code, r.json()["code"]) == (403, "wrong_pin")
    r = person.act(d["id"], signing_pin="135790")
    assert r.status_code == 200, r.text
    Api(server, "bdt.canbo").wait_idle(d["id"])
    doc = to_trinh(server, "bdt.canbo", d["id"])
    check = person.call("GET", f"/api/v1/documents/{doc['id']}/verify").json()
    assert check["ok"] and check["signatures"][0]["signer"] == NAME, check

    r = admin.post(
        f"/api/v1/admin/users/bdt.pin/certificates/{cert['id']}/revoke",
        json={"reason": "Chuyển công tác", "reason_code": "affiliation_changed"},
    )
    assert r.status_code == 200, r.text
    crl = httpx.get(f"{server.base}/api/v1/pki/crl")
    assert crl.status_code == 200
    assert revoked_serials(crl.content) == {int(cert["serial"], 16): "affiliation_changed"}
    check = person.call("GET", f"/api/v1/documents/{doc['id']}/verify").json()
    personal = check["signatures"][0]
    assert not check["ok"] and (personal["problem"], personal["trusted"]) == ("revoked", False)
    assert check["signatures"][-1]["ok"]  # the seal of the unit is not touched

    again = submitted(server, "bdt.canbo")
    r = person.act(again["id"], signing_pin="135790")
    assert (r.status_code, r.json()["code"]) == (409, "certificate_revoked")
    assert admin.post("/api/v1/admin/users/bdt.pin/signing-key").status_code == 202
    assert person.call("GET", "/api/v1/me").json()["signing"] == "pin_required"


# ---------------------------------------------------------------- the CLI


def _ensure_term_this_year(server: AppServer) -> int:
    from datetime import datetime

    year = datetime.now(VIETNAM).year
    d = db(server)
    with d.write() as s:
        cluster = s.scalar(select(Cluster).where(Cluster.code == "CUM1-QLCN"))
        assert cluster is not None
        units = {u.code: u.id for u in s.scalars(select(Unit).where(Unit.cluster_id == cluster.id))}
        if (
            s.scalar(
                select(ClusterTerm).where(
                    ClusterTerm.cluster_id == cluster.id, ClusterTerm.year == year
                )
            )
            is None
        ):
            s.add(
                ClusterTerm(
                    cluster_id=cluster.id,
                    year=year,
                    head_unit_id=units["BQLKKT"],
                    deputy_unit_id=units["VPDPNTM"],
                )
            )
    d.dispose()
    return year


def test_users_list_has_a_header_and_the_operator_manages_keys(server: AppServer, tmp_path: Path):
    year = _ensure_term_this_year(server)
    lines = server.cli("users", "list").stdout.splitlines()
    assert lines[0].split()[:3] == ["Tên", "đăng", "nhập"] and lines[0].endswith("Vai trò, nơi giữ")
    row = next(x for x in lines if x.startswith("bqlkkt.cum "))
    assert row.endswith(f"Trưởng cụm, Cụm I – Các cơ quan Quản lý chuyên ngành ({year})")
    row = next(x for x in lines if x.startswith("ptdkt.chuyenvien "))
    assert row.endswith("Chuyên viên, Phòng Thi đua – Khen thưởng, Sở Nội vụ")
    listed = json.loads(server.cli("users", "list", "--json").stdout)
    assert {tuple(sorted(r)) for r in listed} == {
        ("full_name", "position", "roles", "unit", "username")
    }
    assert "password" not in json.dumps(listed) and "argon2" not in json.dumps(listed)

    out = server.cli("users", "reset-password", "vtls.canbo", "--generate").stdout
    assert "phải đổi khi đăng nhập" in out and "Mật khẩu tạm thời" in out
    out = server.cli("users", "issue-key", "vtls.thutruong").stdout
    assert "khi người dùng đặt mã PIN" in out

    # A token certificate from the demo CA, registered by the operator, then revoked.
    ca = _demo_ca(server)
    token = issue_certificate(
        ca, common_name="Lê Văn Thắng", organization="Viễn thông Lạng Sơn", kind="person"
    )
    (tmp_path / "token.pem").write_bytes(token.cert_pem)
    out = server.cli("users", "register-certificate", "vtls.thutruong", str(tmp_path / "token.pem"))
    assert "Đã đăng ký chứng thư" in out.stdout
    refused = server.cli(
        "users", "register-certificate", "vtls.canbo", str(tmp_path / "token.pem"), check=False
    )
    assert refused.returncode == 1 and "certificate_taken" in refused.stderr
    found = json.loads(server.cli("users", "certificates", "vtls.thutruong", "--json").stdout)
    mine = next(c for c in found if not c["held_by_system"])
    out = server.cli(
        "users",
        "revoke-certificate",
        "vtls.thutruong",
        mine["fingerprint"][:12],
        "--reason",
        "Thôi giữ chức vụ",
        "--code",
        "affiliation_changed",
    ).stdout
    assert "Đã thu hồi" in out
    crl = httpx.get(f"{server.base}/api/v1/pki/crl").content
    assert int(mine["serial"], 16) in revoked_serials(crl)
    table = server.cli("users", "certificates", "vtls.thutruong").stdout
    assert "Đã thu hồi" in table and "Đang dùng" in table  # the seed's key is still in use

    d = db(server)
    with d.read() as s:
        from storage.models import AuditEvent

        kinds = [
            (e.kind, e.data.get("by"))
            for e in s.scalars(
                select(AuditEvent).where(
                    AuditEvent.data["username"].as_string() == "vtls.thutruong"
                )
            )
        ]
    d.dispose()
    for kind in ("signing_key_requested", "certificate_registered", "certificate_revoked"):
        assert (kind, "tdkt") in kinds


def _demo_ca(server: AppServer) -> CertKey:
    from documents.pki import decrypt_key
    from storage.repositories import keys as keys_repo

    d = db(server)
    secret = (server.var_dir / "secret.key").read_text().strip()
    with d.read() as s:
        ca = keys_repo.issuing_ca(s)
        assert ca is not None and ca.key_pem_encrypted is not None
        pair = CertKey(ca.cert_pem, decrypt_key(ca.key_pem_encrypted, secret))
    d.dispose()
    return pair
