"""Commands for the operator of a production installation (docs/production.md):

- `tdkt users create-admin USERNAME --full-name …`: the first administrator, with a
  password read from the terminal (or one line of stdin), never from the command line;
- `tdkt pki add-root FILE.pem`: a trust root (a CA whose signatures we accept, e.g. the
  Ban Cơ yếu Chính phủ's root), published at /api/v1/trust-roots;
- `tdkt pki import-seal (--unit CODE | --authority CODE) …`: an organisation's real seal
  certificate and key, from PEM files or a PKCS#12 (.p12/.pfx) file; the key is stored
  encrypted under TDKT_SECRET_KEY and used for the documents issued from then on.

Every change is one transaction with an audit event (no person: the operator's shell).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from tdkt.settings import Settings

MIN_ADMIN_PASSWORD = 12


class OperatorError(Exception):
    """A refusal, printed for the operator (Vietnamese)."""


def _secret(prompt: str, *, confirm: bool) -> str:
    """From the terminal (asked twice) or, when stdin is not a terminal, its first line."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    value = getpass.getpass(prompt)
    if confirm and getpass.getpass("Nhập lại: ") != value:
        raise OperatorError("hai lần nhập không khớp")
    return value


def create_admin(settings: Settings, username: str, full_name: str, authority: str | None) -> str:
    from sqlalchemy import select

    from api.auth.security import hash_password
    from domain.roles import Role
    from storage import audit
    from storage import repositories as repo
    from storage.db import Database
    from storage.models import Authority, RoleAssignment, User

    password = _secret("Mật khẩu của quản trị viên: ", confirm=True)
    if len(password) < MIN_ADMIN_PASSWORD:
        raise OperatorError(f"mật khẩu cần ít nhất {MIN_ADMIN_PASSWORD} ký tự")
    db = Database(settings.database_url)
    try:
        with db.write() as s:
            q = select(Authority).order_by(Authority.id)
            if authority:
                q = q.where(Authority.code == authority)
            found = s.scalars(q).first()
            if found is None:
                raise OperatorError(
                    "chưa có cơ quan quản lý (Sở Nội vụ) trong cơ sở dữ liệu"
                    if not authority
                    else f"không có cơ quan mã {authority}"
                )
            if repo.user_by_username(s, username) is not None:
                raise OperatorError(f"tài khoản {username} đã có")
            user = User(
                username=username,
                full_name=full_name,
                position="Quản trị hệ thống",
                password_hash=hash_password(password),
                grants=[RoleAssignment(role=Role.ADMIN, authority_id=found.id)],
            )
            s.add(user)
            s.flush()
            audit.append(
                s,
                kind="user_created",
                data={"user_id": user.id, "username": username, "role": "admin", "by": "tdkt"},
            )
            return f"Đã tạo quản trị viên {username} của {found.name}."
    finally:
        db.dispose()


def _load_cert(data: bytes) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(data)
    except ValueError:
        return x509.load_der_x509_certificate(data)


def add_root(settings: Settings, path: Path) -> str:
    from sqlalchemy import select

    from documents.pki import fingerprint, subject_common_name
    from storage import audit
    from storage.db import Database
    from storage.models import SigningKey

    cert = _load_cert(path.read_bytes())
    constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    if not constraints.ca:
        raise OperatorError("chứng thư này không phải của một CA (BasicConstraints CA:FALSE)")
    pem = cert.public_bytes(serialization.Encoding.PEM)
    name = subject_common_name(pem)
    db = Database(settings.database_url)
    try:
        with db.write() as s:
            fp = fingerprint(pem)
            if s.scalar(select(SigningKey).where(SigningKey.fingerprint == fp)) is not None:
                return f"Chứng thư gốc {name} đã có."
            s.add(
                SigningKey(
                    kind="ca",
                    subject=name,
                    fingerprint=fp,
                    cert_pem=pem,
                    not_after=cert.not_valid_after_utc,
                )
            )
            audit.append(
                s, kind="trust_root_added", data={"subject": name, "fingerprint": fp, "by": "tdkt"}
            )
            return f"Đã thêm chứng thư gốc tin cậy {name} (SHA-256 {fp})."
    finally:
        db.dispose()


def _seal_material(args: argparse.Namespace) -> tuple[bytes, x509.Certificate]:
    """The private key (unencrypted PKCS#8 PEM, in memory only) and the certificate."""
    if args.p12:
        password = _secret("Mật khẩu của tệp PKCS#12: ", confirm=False)
        key, cert, _ = pkcs12.load_key_and_certificates(
            Path(args.p12).read_bytes(), password.encode() or None
        )
        if key is None or cert is None:
            raise OperatorError("tệp PKCS#12 không có khóa riêng và chứng thư")
    else:
        if not (args.cert and args.key):
            raise OperatorError("hãy cho --p12 TỆP hoặc cả --cert và --key")
        cert = _load_cert(Path(args.cert).read_bytes())
        raw = Path(args.key).read_bytes()
        try:
            key = serialization.load_pem_private_key(raw, password=None)
        except TypeError:  # the key file is encrypted
            password = _secret("Mật khẩu của khóa riêng: ", confirm=False)
            key = serialization.load_pem_private_key(raw, password=password.encode())
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    der = serialization.Encoding.DER
    if key.public_key().public_bytes(der, public) != cert.public_key().public_bytes(der, public):
        raise OperatorError("khóa riêng không khớp với chứng thư")
    if cert.not_valid_after_utc <= datetime.now(UTC):
        raise OperatorError(f"chứng thư đã hết hạn ngày {cert.not_valid_after_utc:%d/%m/%Y}")
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return pem, cert


def import_seal(settings: Settings, args: argparse.Namespace) -> str:
    from documents.pki import encrypt_key, fingerprint
    from storage import audit
    from storage.db import Database
    from storage.models import Authority, SigningKey, Unit

    key_pem, cert = _seal_material(args)
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    db = Database(settings.database_url)
    try:
        with db.write() as s:
            from sqlalchemy import select

            owner: dict[str, Any]
            if args.unit:
                unit = s.scalar(select(Unit).where(Unit.code == args.unit))
                if unit is None:
                    raise OperatorError(f"không có đơn vị mã {args.unit}")
                owner, subject = {"unit_id": unit.id}, unit.name
            else:
                a = s.scalar(select(Authority).where(Authority.code == args.authority))
                if a is None:
                    raise OperatorError(f"không có cơ quan mã {args.authority}")
                owner, subject = {"authority_id": a.id}, f"{a.name} tỉnh {a.province}"
            fp = fingerprint(cert_pem)
            if s.scalar(select(SigningKey).where(SigningKey.fingerprint == fp)) is not None:
                raise OperatorError("chứng thư này đã được nhập")
            s.add(
                SigningKey(
                    kind="organisation",
                    subject=subject,
                    fingerprint=fp,
                    cert_pem=cert_pem,
                    key_pem_encrypted=encrypt_key(key_pem, settings.secret_key, secret=True),
                    not_after=cert.not_valid_after_utc,
                    **owner,
                )
            )
            audit.append(
                s,
                kind="seal_imported",
                data={"subject": subject, "fingerprint": fp, "by": "tdkt", **owner},
            )
            return f"Đã nhập con dấu số của {subject} (SHA-256 {fp}); dùng từ văn bản tiếp theo."
    finally:
        db.dispose()


def add_commands(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    users: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    """Add the operator's commands to the `tdkt` parser (tdkt/cli.py)."""
    ca = users.add_parser("create-admin", help="tạo quản trị viên đầu tiên (mật khẩu nhập vào)")
    ca.add_argument("username")
    ca.add_argument("--full-name", required=True)
    ca.add_argument("--authority", help="mã cơ quan (mặc định: cơ quan đầu tiên)")
    ca.set_defaults(fn=lambda st, a: _run(create_admin, st, a.username, a.full_name, a.authority))

    pki = sub.add_parser("pki", help="chứng thư số").add_subparsers(dest="pki_cmd", required=True)
    ar = pki.add_parser("add-root", help="thêm chứng thư gốc tin cậy (PEM hoặc DER)")
    ar.add_argument("file", type=Path)
    ar.set_defaults(fn=lambda st, a: _run(add_root, st, a.file))
    si = pki.add_parser("import-seal", help="nhập con dấu số (chứng thư và khóa) của một tổ chức")
    owner = si.add_mutually_exclusive_group(required=True)
    owner.add_argument("--unit", help="mã đơn vị (ký hiệu, ví dụ BDT)")
    owner.add_argument("--authority", help="mã cơ quan (ví dụ SNV)")
    si.add_argument("--p12", help="tệp PKCS#12 (.p12/.pfx); mật khẩu nhập vào")
    si.add_argument("--cert", help="chứng thư (PEM hoặc DER)")
    si.add_argument("--key", help="khóa riêng (PEM; nếu có mật khẩu thì nhập vào)")
    si.set_defaults(fn=lambda st, a: _run(import_seal, st, a))


def _run(fn: Any, settings: Settings, *args: Any) -> int:
    try:
        print(fn(settings, *args))
    except (OperatorError, ValueError) as e:
        print(f"Không thực hiện được: {e}.", file=sys.stderr)
        return 1
    return 0
