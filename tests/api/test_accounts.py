"""People's credentials and the keys they sign with, on SQLite and PostgreSQL: a key made
only when its owner sets the PIN, PIN and password changes (wrong ones counted), an
admin's reset, a token's certificate registered only when it should be, revocation (the
CRL lists it, nothing signs with it, checks say so), and who is who from the cluster
terms in force."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select

from api.accounts import service as accounts
from api.admin import service as admin_service
from api.auth.security import verify_password
from api.dossiers import signing
from documents import fields
from documents.pki import (
    CertKey,
    create_ca,
    decrypt_key,
    encrypt_key,
    fingerprint,
    issue_certificate,
    pin_passphrase,
    revoked_serials,
)
from documents.sign import sign_pdf
from documents.verify import verify_pdf_sync
from domain.errors import (
    CaUnavailable,
    CertificateConflict,
    CertificateRejected,
    CertificateRevoked,
    DomainError,
    InvalidInput,
    SigningLocked,
    SigningPinNotSet,
    TooManyAttempts,
    WrongPassword,
    WrongPin,
)
from domain.roles import Role
from issuing.runtime import crls_of
from storage.db import Database
from storage.migrate import upgrade
from storage.models import (
    AuditEvent,
    Authority,
    Cluster,
    ClusterTerm,
    RoleAssignment,
    SigningKey,
    Unit,
    User,
)
from storage.repositories import keys as keys_repo
from storage.repositories import users as users_repo
from tests.fixtures.pg import fresh_database
from tests.fixtures.pki import simple_pdf

SECRET = "s" * 48
CUM = "Cụm I – Các cơ quan Quản lý chuyên ngành"
NAME = "Hà Thị Ngọc Ánh"


@dataclass
class Org:
    db: Database
    ca: CertKey
    year: int
    units: dict[str, int]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def org(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Org]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('accounts') / 'tdkt.sqlite3'}"
        yield from _org(url)
    else:
        with fresh_database() as url:
            yield from _org(url)


def _org(url: str) -> Iterator[Org]:
    upgrade(url)
    db = Database(url)
    ca = create_ca("CA hệ thống (thử)", "tdkt thử nghiệm")
    year = accounts.this_year()
    with db.write() as s:
        a = Authority(
            code="SNV",
            name="Sở Nội vụ",
            board_name="Phòng Thi đua – Khen thưởng",
            province="Lạng Sơn",
        )
        s.add(a)
        s.flush()
        c = Cluster(authority_id=a.id, code="CUM1", name=CUM)
        s.add(c)
        s.flush()
        units = {}
        for code, name in (
            ("BQLKKT", "Ban Quản lý Khu kinh tế cửa khẩu Đồng Đăng – Lạng Sơn"),
            ("VPDP", "Văn phòng Điều phối nông thôn mới"),
            ("BDT", "Ban Dân tộc tỉnh"),
        ):
            u = Unit(authority_id=a.id, cluster_id=c.id, code=code, name=name)
            s.add(u)
            s.flush()
            units[code] = u.id
        s.add(
            ClusterTerm(
                cluster_id=c.id,
                year=year,
                head_unit_id=units["BQLKKT"],
                deputy_unit_id=units["VPDP"],
            )
        )
        s.add(
            SigningKey(
                kind="ca",
                subject="CA hệ thống (thử)",
                fingerprint=fingerprint(ca.cert_pem),
                cert_pem=ca.cert_pem,
                key_pem_encrypted=encrypt_key(ca.key_pem, SECRET, secret=True),
            )
        )
        s.add(
            User(
                username="admin",
                full_name="Quản Trị Viên",
                password_hash="x",
                grants=[RoleAssignment(role=Role.ADMIN, authority_id=a.id)],
            )
        )
    yield Org(db, ca, year, units)
    db.dispose()


def admin(s) -> User:  # type: ignore[no-untyped-def]
    user = users_repo.user_by_username(s, "admin")
    assert user is not None
    return user


def newcomer(org: Org, username: str, role: Role = Role.UNIT_HEAD, unit: str = "BDT") -> int:
    with org.db.write() as s:
        u = admin_service.create_user(
            s, admin(s), username=username, full_name=NAME, position="", password="tạm-thời-1"
        )
        admin_service.grant_role(s, admin(s), username, role, unit_id=org.units[unit])
        return u.id


def events(org: Org, kind: str) -> list[AuditEvent]:
    with org.db.read() as s:
        found = list(s.scalars(select(AuditEvent).where(AuditEvent.kind == kind)))
        s.expunge_all()
    return found


def code_of(fn) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as e:
        fn()
    return e.value.code


# ---------------------------------------------------------------- a key the system holds


def test_a_key_is_made_only_when_its_owner_sets_the_pin(org: Org):
    uid = newcomer(org, "bdt.moi")
    with org.db.write() as s:
        accounts.request_key(s, admin(s), "bdt.moi")
        assert keys_repo.personal_keys(s, uid) == []  # nothing made yet: the admin knows no PIN
        user = s.get(User, uid)
        assert accounts.signing_state(s, user) == "pin_required"
    with pytest.raises(SigningPinNotSet):  # an approval now: told to set the PIN
        signing.unlock(org.db, uid, "123456", SECRET)

    for pin, repeat, code in (
        ("12345", None, "invalid_pin"),
        ("12a456", None, "invalid_pin"),
        ("１２３４５６", None, "invalid_pin"),  # full-width digits
        ("246810", "246801", "pin_mismatch"),
    ):
        with org.db.write() as s:
            with pytest.raises(InvalidInput) as e:
                accounts.set_first_pin(s, SECRET, uid, pin, repeat)
            assert e.value.code == code

    with org.db.write() as s:
        key = accounts.set_first_pin(s, SECRET, uid, "246810", "246810")
        key_id = key.id
    with org.db.read() as s:
        key = s.get(SigningKey, key_id)
        assert key is not None and key.key_pem_encrypted is not None
        cert = x509.load_pem_x509_certificate(key.cert_pem)
        cert.verify_directly_issued_by(x509.load_pem_x509_certificate(org.ca.cert_pem))
        assert cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value == NAME
        assert b"246810" not in key.key_pem_encrypted
        decrypt_key(key.key_pem_encrypted, pin_passphrase("246810", SECRET))
        assert not s.get(User, uid).signing_key_pending  # type: ignore[union-attr]
    material = signing.unlock(org.db, uid, "246810", SECRET)
    assert material.cert_pem == key.cert_pem
    with org.db.write() as s:  # set once: later changes need the current PIN
        assert code_of(lambda: accounts.set_first_pin(s, SECRET, uid, "135790")) == (
            "signing_key_not_requested"
        )
    issued = [e for e in events(org, "signing_key_issued") if e.data["username"] == "bdt.moi"]
    assert len(issued) == 1 and issued[0].actor_id == uid  # the person made it, not the admin
    assert "246810" not in json.dumps([e.data for e in issued])


def test_without_a_ca_key_no_key_can_be_issued(org: Org):
    newcomer(org, "bdt.khongca")
    with org.db.write() as s:
        ca = keys_repo.issuing_ca(s)
        assert ca is not None
        held, ca.key_pem_encrypted = ca.key_pem_encrypted, None
        s.flush()
        with pytest.raises(CaUnavailable):
            accounts.request_key(s, admin(s), "bdt.khongca")
        s.rollback()
    with org.db.read() as s:
        assert keys_repo.issuing_ca(s) is not None and held is not None


def test_changing_the_pin_needs_the_current_one_and_wrong_ones_lock_signing(org: Org):
    uid = newcomer(org, "bdt.doipin")
    with org.db.write() as s:
        accounts.request_key(s, admin(s), "bdt.doipin")
    with org.db.write() as s:
        accounts.set_first_pin(s, SECRET, uid, "111222")
    for left in (4, 3, 2):
        with pytest.raises(WrongPin, match=f"Còn {left} lần thử"), org.db.write() as s:
            accounts.change_pin(s, SECRET, uid, "999999", "333444", "333444")
    with org.db.read() as s:  # counted although every request failed
        assert s.get(User, uid).pin_failures == 3  # type: ignore[union-attr]
    with pytest.raises(WrongPin, match="Còn 1 lần thử"):  # one count for signing and changing
        signing.unlock(org.db, uid, "999999", SECRET)
    with pytest.raises(SigningLocked), org.db.write() as s:  # the fifth
        accounts.change_pin(s, SECRET, uid, "999999", "333444", "333444")
    with pytest.raises(SigningLocked), org.db.write() as s:  # the right PIN no longer helps
        accounts.change_pin(s, SECRET, uid, "111222", "333444", "333444")
    with org.db.write() as s:
        admin_service.unlock_signing(s, admin(s), "bdt.doipin")
    with org.db.write() as s:
        assert code_of(lambda: accounts.change_pin(s, SECRET, uid, "111222", "111222")) == (
            "pin_unchanged"
        )
        assert code_of(lambda: accounts.change_pin(s, SECRET, uid, "111222", "33344")) == (
            "invalid_pin"
        )
    with org.db.write() as s:
        accounts.change_pin(s, SECRET, uid, "111222", "333444", "333444")
    signing.unlock(org.db, uid, "333444", SECRET)
    with pytest.raises(WrongPin):
        signing.unlock(org.db, uid, "111222", SECRET)  # the old PIN opens nothing now
    kinds = [e.data for e in events(org, "signing_pin_changed") if e.actor_id == uid]
    assert (
        len(kinds) == 1 and "333444" not in json.dumps(kinds) and "111222" not in json.dumps(kinds)
    )


# ---------------------------------------------------------------- passwords


def test_passwords_changed_by_their_owner_and_reset_by_an_admin(org: Org):
    uid = newcomer(org, "bdt.matkhau")
    with org.db.read() as s:
        assert s.get(User, uid).must_change_password  # type: ignore[union-attr]
    with pytest.raises(WrongPassword), org.db.write() as s:
        accounts.change_password(s, _settings(), uid, "sai", "mật-khẩu-mới-1", "10.0.0.1")
    with org.db.write() as s:
        for new, code in (("ngắn", "password_too_short"), ("tạm-thời-1", "password_unchanged")):
            assert (
                code_of(
                    lambda new=new: accounts.change_password(
                        s, _settings(), uid, "tạm-thời-1", new, "10.0.0.1"
                    )
                )
                == code
            )
    with org.db.write() as s:
        epoch = s.get(User, uid).session_epoch  # type: ignore[union-attr]
        token = accounts.change_password(s, _settings(), uid, "tạm-thời-1", "Mới <&> {{ x }}", "h")
    assert token
    with org.db.read() as s:
        user = s.get(User, uid)
        assert user is not None and not user.must_change_password
        assert user.session_epoch == epoch + 1  # sessions opened before have ended
        assert verify_password(user.password_hash, "Mới <&> {{ x }}")

    with org.db.write() as s:
        generated = accounts.reset_password(s, admin(s), "bdt.matkhau")
    assert generated and len(generated) == 14
    with org.db.write() as s:
        assert accounts.reset_password(s, admin(s), "bdt.matkhau", "đặt-bởi-quản-trị") is None
        assert code_of(lambda: accounts.reset_password(s, admin(s), "bdt.matkhau", "ngắn")) == (
            "password_too_short"
        )
    with org.db.read() as s:
        user = s.get(User, uid)
        assert user is not None and user.must_change_password
        assert verify_password(user.password_hash, "đặt-bởi-quản-trị")
    resets = [e.data for e in events(org, "password_reset") if e.data["user_id"] == uid]
    assert [r["generated"] for r in resets] == [True, False]
    assert generated not in json.dumps(resets) and "đặt-bởi" not in json.dumps(resets)

    # Four more wrong current passwords (five with the first): further tries are refused.
    for _ in range(4):
        with pytest.raises(WrongPassword), org.db.write() as s:
            accounts.change_password(s, _settings(), uid, "sai", "mật-khẩu-mới-2", "h")
    with pytest.raises(TooManyAttempts), org.db.write() as s:
        accounts.change_password(s, _settings(), uid, "đặt-bởi-quản-trị", "mật-khẩu-mới-2", "h")


def _settings():  # type: ignore[no-untyped-def]
    from core.settings import Settings

    return Settings(secret_key=SECRET)


# ---------------------------------------------------------------- a token's certificate


def _person_cert(ca: CertKey, **kw: object) -> CertKey:
    return issue_certificate(
        ca,
        common_name=NAME,
        organization="Ban Dân tộc tỉnh",
        kind="person",
        key_type="ec",
        **kw,  # type: ignore[arg-type]
    )


def _without_signing_usage(ca: CertKey) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = x509.load_pem_x509_certificate(ca.cert_pem)
    ca_key = serialization.load_pem_private_key(ca.key_pem, password=None)
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, NAME)]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=True,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())  # type: ignore[arg-type]
    )
    return cert.public_bytes(serialization.Encoding.PEM)


def test_a_tokens_certificate_is_registered_only_when_it_should_be(org: Org):
    newcomer(org, "bdt.token")
    newcomer(org, "bdt.khac")
    token_root = create_ca("Root CA Chính phủ (thử)", "Ban Cơ yếu Chính phủ")
    with org.db.write() as s:  # a trust root without its key, as `tdkt pki add-root` adds
        s.add(
            SigningKey(
                kind="ca",
                subject="Root CA Chính phủ (thử)",
                fingerprint=fingerprint(token_root.cert_pem),
                cert_pem=token_root.cert_pem,
            )
        )
    mine = _person_cert(token_root)
    der = x509.load_pem_x509_certificate(mine.cert_pem).public_bytes(serialization.Encoding.DER)
    old = datetime.now(UTC) - timedelta(days=400)
    cases = {
        "certificate_invalid": b"-----BEGIN CERTIFICATE-----\nxx\n-----END CERTIFICATE-----",
        "certificate_not_for_signing": token_root.cert_pem,  # a CA
        "certificate_expired": _person_cert(token_root, not_before=old, valid_days=30).cert_pem,
        "certificate_untrusted": _person_cert(create_ca("CA lạ", "Không tin cậy")).cert_pem,
    }
    cases_extra = {"certificate_not_for_signing": _without_signing_usage(token_root)}
    for code, data in [*cases.items(), *cases_extra.items()]:
        with org.db.write() as s:
            with pytest.raises(CertificateRejected) as e:
                accounts.register_certificate(s, admin(s), "bdt.token", data)
            assert e.value.code == code, (code, e.value.message)
            assert e.value.status == 422

    with org.db.write() as s:  # DER, as a token's software exports it
        key = accounts.register_certificate(s, admin(s), "bdt.token", der)
        assert key.key_pem_encrypted is None and key.subject == NAME
        uid = key.user_id
    with org.db.read() as s:
        user = s.get(User, uid)
        assert user is not None and accounts.signing_state(s, user) == "token"
        assert fingerprint(mine.cert_pem) in signing.registered_fingerprints(s, uid)
    for who, code in (
        ("bdt.token", "certificate_already_registered"),
        ("bdt.khac", "certificate_taken"),
    ):
        with org.db.write() as s:
            with pytest.raises(CertificateConflict) as e:
                accounts.register_certificate(s, admin(s), who, mine.cert_pem)
            assert (e.value.code, e.value.status) == (code, 409)
    registered = events(org, "certificate_registered")
    assert [e.data["fingerprint"] for e in registered if e.data["username"] == "bdt.token"] == [
        fingerprint(mine.cert_pem)
    ]


# ---------------------------------------------------------------- revocation


def test_a_revoked_certificate_is_listed_signs_nothing_and_is_reported_revoked(org: Org):
    uid = newcomer(org, "bdt.thuhoi")
    with org.db.write() as s:
        accounts.request_key(s, admin(s), "bdt.thuhoi")
    with org.db.write() as s:
        key_id = accounts.set_first_pin(s, SECRET, uid, "864200").id
    material = signing.unlock(org.db, uid, "864200", SECRET)
    signed = asyncio.run(
        sign_pdf(
            simple_pdf("Tờ trình thử nghiệm thu hồi"),
            material,
            field_name=fields.PERSON_FIELD,
            reason="Duyệt",
            location="Lạng Sơn",
            stamp_lines=["Ký bởi: " + NAME],
            certify=True,
        )
    )
    roots = [org.ca.cert_pem]
    with org.db.read() as s:
        before = crls_of(s, SECRET)
    assert verify_pdf_sync(signed, roots, before)[0].ok

    with org.db.write() as s:
        for reason, code, expected in (
            ("  ", None, "revocation_reason_required"),
            ("Lộ mã PIN", "bí mật", "invalid_revocation_reason"),
        ):
            assert (
                code_of(
                    lambda r=reason, c=code: accounts.revoke_certificate(
                        s, admin(s), "bdt.thuhoi", key_id, r, c
                    )
                )
                == expected
            )
    with org.db.write() as s:
        accounts.revoke_certificate(
            s, admin(s), "bdt.thuhoi", key_id, 'Lộ mã PIN <ghi chú> & "x"', "key_compromise"
        )
    with org.db.write() as s:
        assert (
            code_of(
                lambda: accounts.revoke_certificate(s, admin(s), "bdt.thuhoi", key_id, "lại", None)
            )
            == "certificate_already_revoked"
        )

    with org.db.read() as s:
        crls = crls_of(s, SECRET)
        key = s.get(SigningKey, key_id)
        assert key is not None and key.revocation_reason == 'Lộ mã PIN <ghi chú> & "x"'
        serial = x509.load_pem_x509_certificate(key.cert_pem).serial_number
    assert revoked_serials(crls[0]) == {serial: "key_compromise"}
    with pytest.raises(CertificateRevoked):
        signing.unlock(org.db, uid, "864200", SECRET)
    report = verify_pdf_sync(signed, roots, crls)[0]
    assert (report.intact, report.trusted, report.problem) == (True, False, "revoked")
    assert "thu hồi" in report.summary_vi
    assert verify_pdf_sync(signed, roots)[0].ok  # without the CRL nothing could know

    revoked = [e for e in events(org, "certificate_revoked") if e.data["user_id"] == uid]
    assert len(revoked) == 1 and revoked[0].reason == 'Lộ mã PIN <ghi chú> & "x"'
    assert revoked[0].data["reason_code"] == "key_compromise"

    # A new key for the same person: asked for again, made at the new PIN.
    with org.db.write() as s:
        accounts.request_key(s, admin(s), "bdt.thuhoi")
    with org.db.write() as s:
        accounts.set_first_pin(s, SECRET, uid, "975310")
    signing.unlock(org.db, uid, "975310", SECRET)


# ---------------------------------------------------------------- who is who


def test_titles_come_from_the_cluster_terms_in_force(org: Org):
    newcomer(org, "bqlkkt.cum2", Role.CLUSTER_APPROVER, "BQLKKT")
    newcomer(org, "vpdp.cum2", Role.CLUSTER_APPROVER, "VPDP")
    newcomer(org, "bdt.cum2", Role.CLUSTER_APPROVER, "BDT")
    with org.db.write() as s:
        u = admin_service.create_user(
            s, admin(s), username="ptdkt.cv2", full_name=NAME, position="", password="tạm-thời-1"
        )
        admin_service.grant_role(s, admin(s), "ptdkt.cv2", Role.BOARD_SPECIALIST)
        assert u.id
    y = org.year
    with org.db.read() as s:

        def titles(username: str) -> list[str]:
            user = users_repo.user_by_username(s, username)
            assert user is not None
            return accounts.role_titles(s, user.grants)

        assert titles("bqlkkt.cum2") == [f"Trưởng cụm, {CUM} ({y})"]
        assert titles("vpdp.cum2") == [f"Phó trưởng cụm, {CUM} ({y})"]
        assert "không là Trưởng cụm" in titles("bdt.cum2")[0]
        assert titles("ptdkt.cv2") == ["Chuyên viên, Phòng Thi đua – Khen thưởng, Sở Nội vụ"]
        user = users_repo.user_by_username(s, "bqlkkt.cum2")
        assert user is not None  # next year's leadership is not this year's
        assert "không là Trưởng cụm" in accounts.role_titles(s, user.grants, y + 1)[0]


def test_the_pin_rule(tmp_path: Path):
    from domain.credentials import check_new_pin

    check_new_pin("012345", "012345")
    for bad in ("", "1234567", "12 456", "abcdef", "٠١٢٣٤٥"):
        with pytest.raises(InvalidInput):
            check_new_pin(bad)
