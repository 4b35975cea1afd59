"""The audit chain on SQLite and PostgreSQL, against a tampering operator.

The database refuses UPDATE and DELETE on the history by itself. Someone with database
access who drops those triggers can change an event, remove the last ones, swap a stored
file, or rewrite the whole chain consistently: `verify_all` names the place each time,
using the signed checkpoints in the write-once archive for what the database alone can
no longer prove.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from minio.commonconfig import COMPLIANCE
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from documents.pki import (
    CertKey,
    create_ca,
    encrypt_key,
    fingerprint,
    issue_certificate,
    make_crl,
)
from domain.roles import Role
from domain.subjects import Subject
from storage import audit
from storage.checkpoints import (
    CheckpointRefused,
    cms_signer,
    json_key,
    sig_key,
    verify_cms,
    write_checkpoint,
)
from storage.checkpoints import body as checkpoint_body
from storage.db import Database
from storage.integrity import verify_all
from storage.models import (
    AuditEvent,
    Authority,
    ChainHead,
    Cluster,
    Document,
    DocumentVersion,
    Dossier,
    SigningKey,
    Unit,
    User,
)
from storage.objects import LocalObjectStore, ObjectExists, ObjectStore
from tests.fixtures.s3 import MotoS3Server, s3_store

CLUSTER = "Cụm I – Các cơ quan Quản lý chuyên ngành"
UNIT = "Ban Dân tộc tỉnh"
AUTHORITY = "Sở Nội vụ"


@dataclass(frozen=True)
class Pki:
    ca: CertKey
    seal: CertKey


@pytest.fixture(scope="module")
def pki() -> Pki:
    ca = create_ca("tdkt test CA (chỉ dùng thử)", "tdkt test")
    seal = issue_certificate(ca, common_name=AUTHORITY, organization=AUTHORITY, kind="organisation")
    return Pki(ca, seal)


@dataclass(frozen=True)
class Org:
    dossiers: tuple[int, int]
    clerk: int
    approver: int


@pytest.fixture
def org(db: Database, pki: Pki) -> Org:
    """The smallest organisation a history needs: an authority with its seal and trust
    root, a cluster, a unit, two people, two dossiers."""
    with db.write() as s:
        a = Authority(code="SNV", name=AUTHORITY, parent_name="UBND tỉnh Lạng Sơn", province="LS")
        s.add(a)
        s.flush()
        c = Cluster(authority_id=a.id, code="CUM1", name=CLUSTER)
        s.add(c)
        s.flush()
        u = Unit(authority_id=a.id, cluster_id=c.id, code="BDT", name=UNIT)
        s.add(u)
        s.flush()
        clerk = User(username="canbo", full_name="Nguyễn Văn Hùng", password_hash="x")
        approver = User(username="cum", full_name="Lê Thị Lan", password_hash="x")
        s.add_all([clerk, approver])
        for cert, kind, key in ((pki.ca, "ca", None), (pki.seal, "organisation", pki.seal)):
            s.add(
                SigningKey(
                    kind=kind,
                    authority_id=a.id,
                    subject=kind,
                    fingerprint=fingerprint(cert.cert_pem),
                    cert_pem=cert.cert_pem,
                    key_pem_encrypted=encrypt_key(key.key_pem, "k" * 40) if key else None,
                )
            )
        s.flush()
        ids = []
        for title in ("Hồ sơ A", "Hồ sơ B"):
            d = Dossier(
                process="p",
                award="bang_khen_ubnd_tinh",
                year=2026,
                title=title,
                unit_id=u.id,
                cluster_id=c.id,
                authority_id=a.id,
                status="draft",
                furthest_stage="unit",
                created_by=clerk.id,
            )
            s.add(d)
            s.flush()
            ids.append(d.id)
        return Org((ids[0], ids[1]), clerk.id, approver.id)


@pytest.fixture
def store(tmp_path: Path) -> LocalObjectStore:
    s = LocalObjectStore(tmp_path / "objects")
    s.ensure_ready()
    return s


@pytest.fixture
def sign(pki: Pki):
    return cms_signer(pki.seal.key_pem, pki.seal.cert_pem, (pki.ca.cert_pem,))


def add_events(db: Database, org: Org, n: int) -> None:
    """n steps alternating between the two dossiers, by the clerk and the cluster."""
    with db.write() as s:
        for i in range(n):
            clerk = i % 2 == 0
            who = (
                audit.Who(org.clerk, "Nguyễn Văn Hùng", Role.UNIT_CLERK, UNIT)
                if clerk
                else audit.Who(org.approver, "Lê Thị Lan", Role.CLUSTER_APPROVER, "Ban QLKKT")
            )
            audit.append(
                s,
                kind="submit" if clerk else "approve",
                dossier_id=org.dossiers[i % 2],
                who=who,
                from_status="draft",
                to_status="unit_review",
                reason=f'lý do {i + 1} <&> "{{{{ x }}}}"',
                data={"transition_seq": i + 1},
            )


def drop_triggers(db: Database) -> None:
    """What an operator with full database access can do."""
    pg = [
        "DROP TRIGGER audit_events_append_only ON audit_events",
        "DROP TRIGGER audit_events_no_truncate ON audit_events",
        "DROP TRIGGER audit_chain_head_forward ON audit_chain_head",
    ]
    sqlite = [
        "DROP TRIGGER audit_events_no_update",
        "DROP TRIGGER audit_events_no_delete",
        "DROP TRIGGER audit_chain_head_forward",
    ]
    with db.write() as s:
        for sql in sqlite if db.is_sqlite else pg:
            s.execute(text(sql))


def report(db: Database, store: ObjectStore):
    with db.read() as s:
        return verify_all(s, store)


# ---------------------------------------------------------------- the database refuses


def test_database_itself_refuses_to_change_or_remove_history(db: Database, org: Org):
    add_events(db, org, 3)
    refused = [
        "UPDATE audit_events SET reason = 'đã sửa' WHERE seq = 2",
        "DELETE FROM audit_events WHERE seq = 3",
        "DELETE FROM audit_events",
        "UPDATE audit_chain_head SET seq = seq - 1",
        "DELETE FROM audit_chain_head",
    ]
    if not db.is_sqlite:
        refused += ["TRUNCATE audit_events", "TRUNCATE audit_chain_head"]
    for sql in refused:
        with pytest.raises(DBAPIError, match="refused"), db.write() as s:
            s.execute(text(sql))
    with pytest.raises(DBAPIError, match="append-only"), db.write() as s:  # through the ORM too
        e = s.scalars(select(AuditEvent).where(AuditEvent.seq == 1)).one()
        e.reason = "đã sửa"

    with db.read() as s:
        assert [e.reason for e in s.scalars(select(AuditEvent).order_by(AuditEvent.seq))] == [
            'lý do 1 <&> "{{ x }}"',
            'lý do 2 <&> "{{ x }}"',
            'lý do 3 <&> "{{ x }}"',
        ]
        assert audit.verify_chain(s).ok


def test_each_event_says_who_for_whom_and_links_globally_and_per_dossier(
    db: Database, org: Org, store: LocalObjectStore
):
    add_events(db, org, 5)
    with db.read() as s:
        events = s.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
        approve = events[1]
        assert (approve.actor_name, approve.actor_role) == ("Lê Thị Lan", "cluster_approver")
        assert (approve.actor_unit, approve.on_behalf_of) == ("Ban QLKKT", CLUSTER)
        assert events[0].on_behalf_of == UNIT
        assert [e.dossier_seq for e in events] == [1, 1, 2, 2, 3]
        # Recomputed the way the README tells an outside tool to, from the fields alone.
        prev, per_dossier = audit.GENESIS, {}
        for e in events:
            body = audit.canonical_body(e)
            assert set(body) == set(audit.CANONICAL_KEYS)
            raw = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            assert hashlib.sha256(raw.encode()).hexdigest() == e.hash
            assert body["occurred_at"].endswith("Z") and body["prev_hash"] == prev
            assert body["dossier_prev_hash"] == per_dossier.get(e.dossier_id, audit.GENESIS)
            prev, per_dossier[e.dossier_id] = e.hash, e.hash
        assert audit.verify_dossier_chain(s, org.dossiers[0]).events == 3
        assert audit.verify_dossier_chain(s, org.dossiers[1]).events == 2
    r = report(db, store)
    assert r.ok and r.events == 5 and r.checkpoints == 0


def test_events_appended_in_one_pass_chain_like_single_appends_and_are_written_once(
    db: Database, org: Org, store: LocalObjectStore
):
    """A decision's awards write an event per dossier in one pass (`append_many`): the
    global and per-dossier links go on from the events before, a key already written is
    not written again, and the whole chain verifies."""
    add_events(db, org, 3)  # dossier 0 has events 1 and 3, dossier 1 has event 2
    who = audit.Who(org.clerk, "Nguyễn Văn Hùng", Role.UNIT_CLERK, UNIT)
    batch = [
        audit.Entry(kind="awarded", subject=Subject.dossier(d), who=who, event_key=f"k:{d}")
        for d in (org.dossiers[1], org.dossiers[0])
    ]
    with db.write() as s:
        audit.append_many(s, [*batch, audit.Entry(kind="x", event_key=f"k:{org.dossiers[1]}")])
        audit.append(s, kind="after", dossier_id=org.dossiers[0])
    with db.write() as s:
        audit.append_many(s, batch)  # a retried step: nothing new
    with db.read() as s:
        events = s.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
        assert [(e.seq, e.kind, e.dossier_seq) for e in events[3:]] == [
            (4, "awarded", 2),
            (5, "awarded", 3),
            (6, "after", 4),
        ]
        assert events[3].dossier_prev_hash == events[1].hash
        assert events[4].dossier_prev_hash == events[2].hash
        assert events[4].on_behalf_of == UNIT
        assert s.get(ChainHead, 1).seq == 6
    r = report(db, store)
    assert r.ok and r.events == 6


# ---------------------------------------------------------------- tampering is detected


def test_changed_reason_is_reported_at_that_event(db: Database, org: Org, store, sign):
    add_events(db, org, 6)
    write_checkpoint(db, store, sign)
    drop_triggers(db)
    with db.write() as s:
        s.execute(update(AuditEvent).where(AuditEvent.seq == 4).values(reason="lý do khác"))

    r = report(db, store)
    assert (r.ok, r.first_bad, r.code, r.bad_object) == (False, 4, "event_modified", None)
    assert r.dossier_id == org.dossiers[1]
    assert "sự kiện số 4" in r.detail and "sửa đổi" in r.detail


def test_deleting_the_last_three_events_is_reported_against_the_checkpoint(
    db: Database, org: Org, store, sign
):
    add_events(db, org, 8)
    cp = write_checkpoint(db, store, sign)
    assert cp is not None and cp.count == 8
    drop_triggers(db)
    with db.write() as s:  # and cover the tracks: the head points at event 5 again
        s.execute(text("DELETE FROM audit_events WHERE seq > 5"))
        fifth = s.scalars(select(AuditEvent).where(AuditEvent.seq == 5)).one()
        s.execute(update(ChainHead).values(seq=5, hash=fifth.hash))

    with db.read() as s:
        assert audit.verify_chain(s).ok  # the database alone can no longer tell
    r = report(db, store)
    assert (r.ok, r.first_bad, r.code) == (False, 6, "event_missing")
    assert "từ số 6 đến 8" in r.detail and "mốc kiểm tra số 1" in r.detail
    # Nor will the scheduled job sign the shortened chain.
    with pytest.raises(CheckpointRefused, match="không nối tiếp"):
        write_checkpoint(db, store, sign)


def test_deleting_the_tail_without_a_checkpoint_still_shows_against_the_head(
    db: Database, org: Org, store
):
    add_events(db, org, 4)
    drop_triggers(db)
    with db.write() as s:
        s.execute(text("DELETE FROM audit_events WHERE seq >= 3"))
    r = report(db, store)
    assert (r.ok, r.first_bad, r.code) == (False, 3, "event_missing")


def test_swapped_bytes_of_a_stored_pdf_are_reported_at_that_object(
    db: Database, org: Org, store: LocalObjectStore
):
    base = f"dossiers/{org.dossiers[0]}/002-to_trinh_don_vi"
    pdfs = {
        f"{base}.pdf": "%PDF-1.7\nTờ trình số 01\n%%EOF".encode(),
        f"{base}.docx": b"PK\x03\x04 docx",
    }
    with db.write() as s:
        doc = Document(
            dossier_id=org.dossiers[0], transition_seq=2, form="to_trinh_don_vi", title="Tờ trình"
        )
        s.add(doc)
        s.flush()
        recorded = []
        for i, (key, data) in enumerate(pdfs.items(), start=1):
            obj = store.put(key, data, "application/pdf")
            s.add(
                DocumentVersion(
                    document_id=doc.id,
                    seq=i,
                    rendition="pdf-signed" if key.endswith("pdf") else "docx",
                    object_key=key,
                    sha256=obj.sha256,
                    size=obj.size,
                    media_type="application/pdf",
                    file_name=key.rsplit("/", 1)[1],
                )
            )
            recorded.append({"document_id": doc.id, "object_key": key, "sha256": obj.sha256})
        audit.append(
            s, kind="documents_issued", dossier_id=org.dossiers[0], data={"documents": recorded}
        )
    assert report(db, store).ok

    pdf_key = next(iter(pdfs))
    path = store.root / pdf_key
    os.chmod(path, 0o644)  # the store never writes twice; someone on the server did
    path.write_bytes("%PDF-1.7\nTờ trình số 99 (giả)\n%%EOF".encode())

    r = report(db, store)
    assert (r.ok, r.bad_object, r.code, r.first_bad) == (False, pdf_key, "object_modified", None)
    assert r.objects == 1 and r.events == 1
    assert pdf_key in r.detail and "sự kiện số 1" in r.detail


def rewrite_from(db: Database, first: int, reason: str) -> None:
    """Change one event's reason and rebuild every later hash and link: a chain that
    checks out on its own."""
    with db.write() as s:
        events = s.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
        prev, per_dossier = audit.GENESIS, {}
        for e in events:
            if e.seq >= first:
                if e.seq == first:
                    e.reason = reason
                e.prev_hash = prev
                e.dossier_prev_hash = per_dossier.get(e.dossier_id, audit.GENESIS)
                e.subject_prev_hash = e.dossier_prev_hash  # format 3: a dossier's, the same
                e.hash = audit.event_hash(e)
            prev, per_dossier[e.dossier_id] = e.hash, e.hash
        s.flush()
        s.execute(update(ChainHead).values(hash=prev))


def test_consistent_rewrite_after_a_checkpoint_is_reported_at_the_rewritten_event(
    db: Database, org: Org, store, sign
):
    add_events(db, org, 5)
    first = write_checkpoint(db, store, sign)
    add_events(db, org, 4)
    second = write_checkpoint(db, store, sign)
    assert first is not None and second is not None
    assert (first.count, second.number, second.from_seq, second.count) == (5, 2, 6, 9)
    assert second.previous == first.sha256
    drop_triggers(db)
    rewrite_from(db, 3, "lý do được viết lại")

    with db.read() as s:
        assert audit.verify_chain(s).ok  # consistent: the database alone is fooled
    r = report(db, store)
    assert (r.ok, r.first_bad, r.code) == (False, 3, "checkpoint_mismatch")
    assert r.problems[0].checkpoint == 1 and "viết lại từ sự kiện này" in r.detail
    assert r.checkpoints == 2


# ---------------------------------------------------------------- the checkpoints


def test_checkpoints_are_signed_chained_write_once_and_forgeries_are_named(
    db: Database, org: Org, store: LocalObjectStore, sign, pki: Pki
):
    assert write_checkpoint(db, store, sign) is None  # nothing to anchor yet
    add_events(db, org, 3)
    cp = write_checkpoint(db, store, sign)
    assert cp is not None and (cp.number, cp.count, cp.from_seq, cp.previous) == (1, 3, 1, None)
    assert write_checkpoint(db, store, sign) is None  # the chain did not grow
    raw = store.get(json_key(1))
    body = json.loads(raw)
    assert body["hash"] == body["hashes"][-1] and len(body["hashes"]) == 3
    with db.read() as s:
        assert body["hash"] == s.get(ChainHead, 1).hash

    signature = store.get(sig_key(1))
    problem, signer = verify_cms(raw, signature, [pki.ca.cert_pem])
    assert problem is None and signer is not None and AUTHORITY in signer
    other_ca = create_ca("Một CA khác", "khác")
    problem, _ = verify_cms(raw, signature, [other_ca.cert_pem])
    assert problem and "không thuộc chứng thư gốc tin cậy" in problem
    problem, _ = verify_cms(raw + b" ", signature, [pki.ca.cert_pem])
    assert problem and "khác với nội dung đã ký" in problem

    with pytest.raises(ObjectExists):  # write-once, also for the archive's checkpoints
        store.put(json_key(1), raw.replace(b'"count":3', b'"count":2'), "application/json")
    with pytest.raises(PermissionError):
        store.delete(json_key(1))

    # A checkpoint made by someone without the authority's seal is named as such.
    add_events(db, org, 2)
    forger = issue_certificate(
        other_ca, common_name=AUTHORITY, organization=AUTHORITY, kind="organisation"
    )
    forged_sign = cms_signer(forger.key_pem, forger.cert_pem, (other_ca.cert_pem,))
    forged = write_checkpoint(db, store, forged_sign)
    assert forged is not None and forged.number == 2
    r = report(db, store)
    assert (r.ok, r.code, r.bad_object) == (False, "checkpoint_invalid", json_key(2))
    assert "không thuộc chứng thư gốc tin cậy" in r.detail and r.checkpoints == 1
    add_events(db, org, 1)  # and the real seal will not build on it
    with pytest.raises(CheckpointRefused, match="số 2 không hợp lệ"):
        write_checkpoint(db, store, sign)


def _without_signing_key_usage(ca: CertKey) -> CertKey:
    """A certificate of our CA for the authority's name whose key may only encrypt keys."""
    ca_cert = x509.load_pem_x509_certificate(ca.cert_pem)
    ca_key = serialization.load_pem_private_key(ca.key_pem, password=None)
    assert isinstance(ca_key, rsa.RSAPrivateKey)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    start = datetime.now(UTC) - timedelta(minutes=5)
    usage = x509.KeyUsage(
        digital_signature=False,
        content_commitment=False,
        key_encipherment=True,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, AUTHORITY)]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return CertKey(cert.public_bytes(serialization.Encoding.PEM), key_pem)


CHECKPOINT = checkpoint_body(1, 1, "a" * 64, "2026-12-03T08:00:00Z", 1, ["a" * 64], None)


def test_checkpoint_signatures_are_checked_for_trust_integrity_revocation_and_key_usage(
    pki: Pki, sign
) -> None:
    """pyHanko's CMS validation: only the authority's seal, unrevoked and allowed to sign,
    over exactly these bytes, makes a good checkpoint."""
    signature = sign(CHECKPOINT)
    seal_serial = x509.load_pem_x509_certificate(pki.seal.cert_pem).serial_number
    clean_crl, revoking_crl = make_crl(pki.ca), make_crl(pki.ca, [seal_serial])

    problem, signer = verify_cms(CHECKPOINT, signature, [pki.ca.cert_pem], [clean_crl])
    assert problem is None and signer is not None and AUTHORITY in signer

    other_ca = create_ca("Một CA khác", "khác")
    problem, _ = verify_cms(CHECKPOINT, signature, [other_ca.cert_pem])
    assert problem == "chứng thư của người ký không thuộc chứng thư gốc tin cậy"

    tampered = CHECKPOINT.replace(b'"count":1', b'"count":2')
    problem, _ = verify_cms(tampered, signature, [pki.ca.cert_pem])
    assert problem == "nội dung tệp khác với nội dung đã ký"

    # Signed after the CA revoked the seal (an admin's revocation, in the CA's CRL).
    problem, _ = verify_cms(CHECKPOINT, signature, [pki.ca.cert_pem], [revoking_crl])
    assert problem == "chứng thư của người ký đã bị thu hồi"

    cannot_sign = _without_signing_key_usage(pki.ca)
    by_it = cms_signer(cannot_sign.key_pem, cannot_sign.cert_pem, (pki.ca.cert_pem,))
    problem, _ = verify_cms(CHECKPOINT, by_it(CHECKPOINT), [pki.ca.cert_pem], [clean_crl])
    assert problem == "chứng thư của người ký không được dùng để ký (mục đích sử dụng khóa)"

    problem, _ = verify_cms(CHECKPOINT, b"\x30\x03\x02\x01\x01", [pki.ca.cert_pem])
    assert problem is not None and "không đọc được" in problem


def test_a_revoked_seals_checkpoint_is_named_and_not_built_on(
    db: Database, org: Org, store: LocalObjectStore, sign, pki: Pki
) -> None:
    add_events(db, org, 2)
    seal_serial = x509.load_pem_x509_certificate(pki.seal.cert_pem).serial_number
    revoked = [make_crl(pki.ca, [seal_serial])]
    assert write_checkpoint(db, store, sign) is not None
    with db.read() as s:
        assert verify_all(s, store, [make_crl(pki.ca)]).ok
        r = verify_all(s, store, revoked)
    assert (r.ok, r.code, r.bad_object) == (False, "checkpoint_invalid", json_key(1))
    assert "đã bị thu hồi" in r.detail
    add_events(db, org, 1)
    with pytest.raises(CheckpointRefused, match=r"số 1 không hợp lệ: .*thu hồi"):
        write_checkpoint(db, store, sign, crls=revoked)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_checkpoint_of_s3_archive_is_under_object_lock(db: Database, org: Org, sign):
    with MotoS3Server() as server:
        store = s3_store(server, "tdkt-audit", object_lock=True, retention_days=1)
        add_events(db, org, 2)
        cp = write_checkpoint(db, store, sign)
        assert cp is not None
        for key in (json_key(1), sig_key(1)):
            info = server.client().stat_object("tdkt-audit", key)
            assert info.metadata["x-amz-object-lock-mode"] == COMPLIANCE
        with pytest.raises(ObjectExists):
            store.put(json_key(1), b"{}", "application/json")
        r = report(db, store)
        assert r.ok and r.checkpoints == 1 and r.last_checkpoint["count"] == 2


class CrashBeforeSignature(LocalObjectStore):
    """The writer's process dies after the checkpoint's JSON, before its signature."""

    def put(self, key: str, data: bytes, content_type: str):
        if key.endswith(".p7s"):
            raise ConnectionError("process killed")
        return super().put(key, data, content_type)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_checkpoint_left_unsigned_by_a_crash_is_named_then_completed(
    db: Database, org: Org, store: LocalObjectStore, sign
):
    add_events(db, org, 3)
    with pytest.raises(ConnectionError):
        write_checkpoint(db, CrashBeforeSignature(store.root), sign)
    r = report(db, store)
    assert (r.ok, r.code, r.bad_object) == (False, "checkpoint_invalid", json_key(1))
    assert "thiếu tệp chữ ký" in r.detail

    assert write_checkpoint(db, store, sign) is None  # signs what the crash left, adds none
    assert store.exists(sig_key(1))
    r = report(db, store)
    assert r.ok and r.checkpoints == 1 and r.last_checkpoint["count"] == 3
