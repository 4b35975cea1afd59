"""The operator's commands: the first admin, trust roots, real organisation seals."""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from sqlalchemy import select

from api.auth.security import verify_password
from core.settings import Settings
from documents.pki import create_ca, decrypt_key, issue_certificate
from storage.db import Database
from storage.migrate import upgrade
from storage.models import AuditEvent, Authority, SigningKey, Unit
from storage.repositories import keys as keys_repo
from storage.repositories import users as users_repo
from tdkt.operator_cli import OperatorError, add_root, create_admin, import_seal


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    url = f"sqlite:///{tmp_path / 'tdkt.sqlite3'}"
    upgrade(url)
    db = Database(url)
    with db.write() as s:
        a = Authority(code="SNV", name="Sở Nội vụ", province="Lạng Sơn")
        s.add(a)
        s.flush()
        s.add(Unit(authority_id=a.id, code="BDT", name="Ban Dân tộc tỉnh"))
    db.dispose()
    return Settings(var_dir=tmp_path, database_url=url, secret_key="s" * 48).resolved()


def typed(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text + "\n"))


def events(settings: Settings) -> list[str]:
    db = Database(settings.database_url)
    with db.read() as s:
        kinds = list(s.scalars(select(AuditEvent.kind).order_by(AuditEvent.seq)))
    db.dispose()
    return kinds


def test_first_admin_gets_a_typed_password_and_the_admin_role(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    typed(monkeypatch, "ngắn")
    with pytest.raises(OperatorError, match="12"):
        create_admin(settings, "quantri", "Nguyễn Văn Quản", None)

    typed(monkeypatch, "mật-khẩu-đủ-dài-2026")
    assert "quantri" in create_admin(settings, "quantri", "Nguyễn Văn Quản", None)
    db = Database(settings.database_url)
    with db.read() as s:
        user = users_repo.user_by_username(s, "quantri")
        assert user is not None and [g.role for g in user.grants] == ["admin"]
        assert verify_password(user.password_hash, "mật-khẩu-đủ-dài-2026")
    db.dispose()
    assert events(settings) == ["user_created"]

    typed(monkeypatch, "mật-khẩu-đủ-dài-2026")
    with pytest.raises(OperatorError, match="đã có"):
        create_admin(settings, "quantri", "Người khác", None)


def test_trust_root_is_added_once_and_must_be_a_ca(settings: Settings, tmp_path: Path) -> None:
    ca = create_ca("Root CA Chính phủ (thử)", "Ban Cơ yếu Chính phủ")
    root = tmp_path / "root.pem"
    root.write_bytes(ca.cert_pem)
    assert "Đã thêm" in add_root(settings, root)
    assert "đã có" in add_root(settings, root)
    leaf = issue_certificate(
        ca, common_name="Ban Dân tộc", organization="Ban Dân tộc", kind="organisation"
    )
    not_ca = tmp_path / "leaf.pem"
    not_ca.write_bytes(leaf.cert_pem)
    with pytest.raises(OperatorError, match="CA"):
        add_root(settings, not_ca)
    db = Database(settings.database_url)
    with db.read() as s:
        assert [r.subject for r in keys_repo.trust_roots(s)] == ["Root CA Chính phủ (thử)"]
    db.dispose()


def test_a_real_seal_replaces_the_organisation_key(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ca = create_ca("CA chuyên dùng (thử)", "Ban Cơ yếu Chính phủ")
    seal = issue_certificate(
        ca, common_name="Ban Dân tộc tỉnh", organization="Ban Dân tộc", kind="organisation"
    )
    cert, key = tmp_path / "seal.pem", tmp_path / "seal.key"
    cert.write_bytes(seal.cert_pem)
    key.write_bytes(seal.key_pem)
    args = argparse.Namespace(unit="BDT", authority=None, p12=None, cert=str(cert), key=str(key))
    assert "Ban Dân tộc tỉnh" in import_seal(settings, args)

    db = Database(settings.database_url)
    with db.read() as s:
        unit = s.scalar(select(Unit).where(Unit.code == "BDT"))
        assert unit is not None
        stored = keys_repo.organisation_key(s, unit_id=unit.id)
        assert stored is not None and stored.cert_pem == seal.cert_pem
        assert stored.key_pem_encrypted is not None and seal.key_pem not in stored.key_pem_encrypted
        assert decrypt_key(stored.key_pem_encrypted, settings.secret_key) == seal.key_pem

    # The same seal delivered by the CA as PKCS#12, for the authority, with a password.
    other = issue_certificate(
        ca, common_name="Sở Nội vụ", organization="Sở Nội vụ", kind="organisation"
    )
    p12 = tmp_path / "snv.p12"
    p12.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"snv",
            serialization.load_pem_private_key(other.key_pem, None),  # type: ignore[arg-type]
            x509.load_pem_x509_certificate(other.cert_pem),
            None,
            serialization.BestAvailableEncryption(b"mat-khau-p12"),
        )
    )
    typed(monkeypatch, "mat-khau-p12")
    args = argparse.Namespace(unit=None, authority="SNV", p12=str(p12), cert=None, key=None)
    assert "Sở Nội vụ tỉnh Lạng Sơn" in import_seal(settings, args)

    # A key that is not the certificate's is refused, and nothing is stored.
    key.write_bytes(other.key_pem)
    args = argparse.Namespace(unit="BDT", authority=None, p12=None, cert=str(cert), key=str(key))
    with pytest.raises(OperatorError, match="không khớp"):
        import_seal(settings, args)
    with db.read() as s:
        kinds = s.scalars(select(SigningKey.kind)).all()
    db.dispose()
    assert kinds == ["organisation", "organisation"]
    assert events(settings) == ["seal_imported", "seal_imported"]
