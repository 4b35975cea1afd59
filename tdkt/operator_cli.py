"""Commands for the operator of a production installation (docs/production.md):

- `tdkt users create-admin USERNAME --full-name …`: the first administrator, with a
  password read from the terminal (or one line of stdin), never from the command line;
- `tdkt pki add-root FILE.pem`: a trust root (a CA whose signatures we accept, e.g. the
  Ban Cơ yếu Chính phủ's root), published at /api/v1/trust-roots;
- `tdkt pki import-seal (--unit CODE | --authority CODE) …`: an organisation's real seal
  certificate and key, from PEM files or a PKCS#12 (.p12/.pfx) file; the key is stored
  encrypted under TDKT_SECRET_KEY and used for the documents issued from then on;
- `tdkt pki add-root FILE --key KEY.pem`: also the CA's key, so that the system issues
  people's keys (`tdkt users issue-key`) and publishes the CRL of what it revoked;
- people's passwords and certificates, as the admin pages do them: `tdkt users
  reset-password`, `issue-key`, `register-certificate`, `certificates`,
  `revoke-certificate`.

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

from core.settings import Settings

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
    from storage.db import Database
    from storage.models import Authority, RoleAssignment, User
    from storage.repositories import users as users_repo

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
            if users_repo.user_by_username(s, username) is not None:
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


def add_root(settings: Settings, path: Path, key_path: Path | None = None) -> str:
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
    sealed = _ca_key(settings, key_path, cert) if key_path else None
    db = Database(settings.database_url)
    try:
        with db.write() as s:
            fp = fingerprint(pem)
            existing = s.scalar(select(SigningKey).where(SigningKey.fingerprint == fp))
            if existing is not None and (sealed is None or existing.key_pem_encrypted):
                return f"Chứng thư gốc {name} đã có."
            if existing is not None:
                existing.key_pem_encrypted = sealed
                audit.append(
                    s,
                    kind="ca_key_imported",
                    data={"subject": name, "fingerprint": fp, "by": "tdkt"},
                )
                return f"Đã nhập khóa của CA {name}: hệ thống cấp được khóa ký số cho người dùng."
            s.add(
                SigningKey(
                    kind="ca",
                    subject=name,
                    fingerprint=fp,
                    cert_pem=pem,
                    key_pem_encrypted=sealed,
                    not_after=cert.not_valid_after_utc,
                )
            )
            audit.append(
                s,
                kind="trust_root_added",
                data={"subject": name, "fingerprint": fp, "by": "tdkt", "with_key": bool(sealed)},
            )
            return f"Đã thêm chứng thư gốc tin cậy {name} (SHA-256 {fp})." + (
                " Hệ thống giữ khóa của CA này: cấp được khóa ký số cho người dùng."
                if sealed
                else ""
            )
    finally:
        db.dispose()


def _ca_key(settings: Settings, key_path: Path, cert: x509.Certificate) -> bytes:
    """The CA's private key, checked against its certificate, sealed under the secret."""
    from documents.pki import encrypt_key

    raw = key_path.read_bytes()
    try:
        key = serialization.load_pem_private_key(raw, password=None)
    except TypeError:  # the key file is encrypted
        password = _secret("Mật khẩu của khóa riêng của CA: ", confirm=False)
        key = serialization.load_pem_private_key(raw, password=password.encode())
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    der = serialization.Encoding.DER
    if key.public_key().public_bytes(der, public) != cert.public_key().public_bytes(der, public):
        raise OperatorError("khóa riêng không khớp với chứng thư của CA")
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return encrypt_key(pem, settings.secret_key, secret=True)


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


# ---------------------------------------------------------------- people (as the admin pages)


def _people(settings: Settings, fn: Any) -> Any:
    """Run one of api.accounts.service's use cases in one transaction, as the operator."""
    from storage.db import Database

    db = Database(settings.database_url)
    try:
        with db.write() as s:
            return fn(s)
    finally:
        db.dispose()


def reset_password(settings: Settings, username: str, generate: bool) -> str:
    from api.accounts import service

    password = None if generate else _secret("Mật khẩu tạm thời: ", confirm=True)
    generated = _people(settings, lambda s: service.reset_password(s, None, username, password))
    shown = f" Mật khẩu tạm thời (chỉ hiện lần này): {generated}" if generated else ""
    return f"Đã đặt lại mật khẩu của {username}; người dùng phải đổi khi đăng nhập.{shown}"


def issue_key(settings: Settings, username: str) -> str:
    from api.accounts import service

    _people(settings, lambda s: service.request_key(s, None, username))
    return (
        f"Đã yêu cầu cấp khóa ký số cho {username}: khóa được tạo và chứng thực khi người "
        "dùng đặt mã PIN ký số lần đầu (trang «Đặt mã PIN ký số» hoặc POST /api/v1/me/signing-pin)."
    )


def register_certificate(settings: Settings, username: str, path: Path) -> str:
    from api.accounts import service
    from issuing.runtime import crls_of

    def register(s: Any) -> str:
        key = service.register_certificate(
            s, None, username, path.read_bytes(), crls_of(s, settings.secret_key)
        )
        return f"Đã đăng ký chứng thư {key.subject} (SHA-256 {key.fingerprint}) cho {username}."

    return str(_people(settings, register))


def list_certificates(settings: Settings, username: str, as_json: bool) -> str:
    import json

    from api.accounts import service

    def views(s: Any) -> list[Any]:
        return service.certificates_of(s, service.find_user(s, username).id)

    found = _people(settings, views)
    if as_json:
        return json.dumps(
            [
                {
                    "id": v.id,
                    "subject": v.subject,
                    "issuer": v.issuer,
                    "serial": v.serial,
                    "fingerprint": v.fingerprint,
                    "not_after": v.not_after.isoformat(),
                    "held_by_system": v.held_by_system,
                    "state": v.state,
                    "revocation_reason": v.revocation_reason,
                }
                for v in found
            ],
            ensure_ascii=False,
            indent=2,
        )
    if not found:
        return f"{username} chưa có chứng thư số."
    lines = [
        f"{'Mã':<5} {'SHA-256 (đầu)':<17} {'Hết hạn':<11} {'Tình trạng':<12} Chủ thể – cấp bởi"
    ]
    for v in found:
        lines.append(
            f"{v.id:<5} {v.fingerprint[:16]:<17} {v.not_after:%d/%m/%Y} {v.state_label:<12} "
            f"{v.subject} – {v.issuer}"
        )
    return "\n".join(lines)


def revoke_certificate(
    settings: Settings, username: str, ref: str, reason: str, code: str | None
) -> str:
    from api.accounts import service

    # A short number is the certificate's id (`tdkt users certificates`); else a prefix.
    which: str | int = int(ref) if ref.isdigit() and len(ref) < 8 else ref
    key = _people(
        settings, lambda s: service.revoke_certificate(s, None, username, which, reason, code)
    )
    return f"Đã thu hồi chứng thư SHA-256 {key.fingerprint} của {username}."


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
    ar.add_argument(
        "--key", type=Path, help="khóa riêng của CA (PEM): hệ thống cấp khóa ký số cho người dùng"
    )
    ar.set_defaults(fn=lambda st, a: _run(add_root, st, a.file, a.key))
    si = pki.add_parser("import-seal", help="nhập con dấu số (chứng thư và khóa) của một tổ chức")
    owner = si.add_mutually_exclusive_group(required=True)
    owner.add_argument("--unit", help="mã đơn vị (ký hiệu, ví dụ BDT)")
    owner.add_argument("--authority", help="mã cơ quan (ví dụ SNV)")
    si.add_argument("--p12", help="tệp PKCS#12 (.p12/.pfx); mật khẩu nhập vào")
    si.add_argument("--cert", help="chứng thư (PEM hoặc DER)")
    si.add_argument("--key", help="khóa riêng (PEM; nếu có mật khẩu thì nhập vào)")
    si.set_defaults(fn=lambda st, a: _run(import_seal, st, a))

    rp = users.add_parser(
        "reset-password", help="đặt lại mật khẩu (tạm thời: người dùng phải đổi khi đăng nhập)"
    )
    rp.add_argument("username")
    rp.add_argument("--generate", action="store_true", help="hệ thống tạo và in ra một lần")
    rp.set_defaults(fn=lambda st, a: _run(reset_password, st, a.username, a.generate))
    ik = users.add_parser(
        "issue-key", help="cấp khóa ký số do hệ thống giữ (tạo khi người dùng đặt mã PIN)"
    )
    ik.add_argument("username")
    ik.set_defaults(fn=lambda st, a: _run(issue_key, st, a.username))
    rc = users.add_parser(
        "register-certificate", help="đăng ký chứng thư của thiết bị ký số (PEM hoặc DER)"
    )
    rc.add_argument("username")
    rc.add_argument("file", type=Path)
    rc.set_defaults(fn=lambda st, a: _run(register_certificate, st, a.username, a.file))
    lc = users.add_parser("certificates", help="các chứng thư số của một người")
    lc.add_argument("username")
    lc.add_argument("--json", action="store_true")
    lc.set_defaults(fn=lambda st, a: _run(list_certificates, st, a.username, a.json))
    vc = users.add_parser("revoke-certificate", help="thu hồi một chứng thư số, có lý do")
    vc.add_argument("username")
    vc.add_argument("certificate", help="mã (số) hoặc ít nhất 8 ký tự đầu của SHA-256")
    vc.add_argument("--reason", required=True, help="lý do thu hồi")
    vc.add_argument(
        "--code",
        choices=[
            "unspecified",
            "key_compromise",
            "affiliation_changed",
            "superseded",
            "cessation_of_operation",
        ],
        help="mã lý do trong CRL (mặc định unspecified)",
    )
    vc.set_defaults(
        fn=lambda st, a: _run(revoke_certificate, st, a.username, a.certificate, a.reason, a.code)
    )


def _run(fn: Any, settings: Settings, *args: Any) -> int:
    from domain.errors import DomainError

    try:
        print(fn(settings, *args))
    except DomainError as e:  # a use case's refusal, in the pages' own words
        print(f"Không thực hiện được: {e.message} ({e.code})", file=sys.stderr)
        return 1
    except (OperatorError, ValueError) as e:
        print(f"Không thực hiện được: {e}.", file=sys.stderr)
        return 1
    return 0
