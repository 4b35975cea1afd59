"""The operator gives the system a CA key (`tdkt pki add-root --key`), so that it can issue
people's keys; without one, asking for a key says why not."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from api.accounts import service as accounts
from core.settings import Settings
from documents.pki import create_ca, decrypt_key
from domain.errors import CaUnavailable
from domain.roles import Role
from storage.db import Database
from storage.migrate import upgrade
from storage.models import AuditEvent, Authority, RoleAssignment, User
from storage.repositories import keys as keys_repo
from storage.repositories import users as users_repo
from tdkt.operator_cli import OperatorError, add_root, issue_key


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    url = f"sqlite:///{tmp_path / 'tdkt.sqlite3'}"
    upgrade(url)
    db = Database(url)
    with db.write() as s:
        a = Authority(code="SNV", name="Sở Nội vụ", province="Lạng Sơn")
        s.add(a)
        s.flush()
        s.add(
            User(
                username="snv.giamdoc",
                full_name="Lê Thị Hồng Hạnh",
                password_hash="x",
                grants=[RoleAssignment(role=Role.AUDITOR, authority_id=a.id)],
            )
        )
    db.dispose()
    return Settings(var_dir=tmp_path, database_url=url, secret_key="s" * 48).resolved()


def test_a_root_with_its_key_lets_the_system_issue_keys(settings: Settings, tmp_path: Path):
    ca, other = create_ca("CA cấp khóa (thử)", "Sở Nội vụ"), create_ca("CA khác", "Khác")
    (tmp_path / "ca.pem").write_bytes(ca.cert_pem)
    (tmp_path / "ca.key").write_bytes(ca.key_pem)
    (tmp_path / "other.key").write_bytes(other.key_pem)

    assert "Đã thêm" in add_root(settings, tmp_path / "ca.pem")  # a trust root only
    with pytest.raises(CaUnavailable):
        issue_key(settings, "snv.giamdoc")
    with pytest.raises(OperatorError, match="không khớp"):
        add_root(settings, tmp_path / "ca.pem", tmp_path / "other.key")
    assert "Đã nhập khóa của CA" in add_root(settings, tmp_path / "ca.pem", tmp_path / "ca.key")
    assert "khi người dùng đặt mã PIN" in issue_key(settings, "snv.giamdoc")

    db = Database(settings.database_url)
    with db.write() as s:
        ca_row = keys_repo.issuing_ca(s)
        assert ca_row is not None and ca_row.key_pem_encrypted is not None
        assert ca.key_pem not in ca_row.key_pem_encrypted
        assert decrypt_key(ca_row.key_pem_encrypted, settings.secret_key) == ca.key_pem
        user = users_repo.user_by_username(s, "snv.giamdoc")
        assert user is not None
        key = accounts.set_first_pin(s, settings.secret_key, user.id, "070809", "070809")
        assert accounts.certificate_view(key).issuer == "CA cấp khóa (thử)"
        kinds = list(s.scalars(select(AuditEvent.kind).order_by(AuditEvent.seq)))
    db.dispose()
    assert kinds == [
        "trust_root_added",
        "ca_key_imported",
        "signing_key_requested",
        "signing_key_issued",
    ]
