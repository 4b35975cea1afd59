"""Signed checkpoints of the audit chain, kept in the write-once archive.

A checkpoint records the head of the global chain (`count` events, the last `hash`, the
time `at`) and the hash of every event since the previous checkpoint (`hashes`, from
`from_seq` to `count`), so that a later check can name the exact event that was removed
or rewritten. It is canonical JSON (sorted keys, "," and ":", UTF-8) stored as
`audit/checkpoints/NNNNNNNN.json`, with a detached CMS signature (DER, SHA-256) of those
bytes by the authority's organisation key next to it as `….json.p7s`. Anyone can check one
with the published trust roots:

    openssl cms -verify -binary -inform DER -in 00000001.json.p7s \\
        -content 00000001.json -CAfile roots.pem -purpose any

Reading one back, the signature is checked with pyHanko's CMS validation and
pyhanko-certvalidator (`verify_cms`): trust exactly our roots, the CRLs of our CAs,
key usage, validity at the signing time.

Checkpoints are numbered from 1 without gaps (the store refuses a second write to a
key, so of two racing writers one wins and the other moves on), and each names the
SHA-256 of the previous one's bytes, so they form a chain of their own. Someone who can
change the database, triggers and all, cannot change what is already in the archive:
removing the chain's tail or rewriting it consistently no longer matches these hashes.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import hashlib
import json
import time
from collections.abc import Callable, Coroutine, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from asn1crypto import cms as asn1_cms
from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate
from pyhanko.sign.general import CMSExtractionError
from pyhanko.sign.validation import async_validate_detached_cms
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.policy_decl import (
    CertRevTrustPolicy,
    RevocationCheckingPolicy,
    RevocationCheckingRule,
)

from storage.audit import GENESIS, Anchor, canonical_json, event_hash, events_in_order, iso_utc
from storage.db import Database
from storage.models import ChainHead, utcnow
from storage.objects import ObjectCorrupted, ObjectExists, ObjectNotFound, ObjectStore
from storage.repositories import keys as keys_repo

PREFIX = "audit/checkpoints"
TYPE = "tdkt.audit.checkpoint"
FORMAT = 1
JSON_TYPE = "application/json"
SIG_TYPE = "application/pkcs7-signature"
SIGNATURE_WAIT_TRIES = 10

T = TypeVar("T")

Signer = Callable[[bytes], bytes]
"""Makes the detached CMS signature (DER) of the given bytes."""


def json_key(number: int) -> str:
    return f"{PREFIX}/{number:08d}.json"


def sig_key(number: int) -> str:
    return json_key(number) + ".p7s"


class CheckpointRefused(Exception):
    """The chain in the database does not extend the last checkpoint: nothing is signed."""


class CheckpointInvalid(ValueError):
    """An archived checkpoint is not what this module writes."""


@dataclass(frozen=True)
class Checkpoint:
    number: int
    count: int
    hash: str
    at: str
    from_seq: int
    hashes: tuple[str, ...]
    previous: str | None
    """SHA-256 (hex) of the previous checkpoint's JSON bytes; None for the first."""
    raw: bytes = field(repr=False)

    @property
    def key(self) -> str:
        return json_key(self.number)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()

    def anchors(self) -> Iterator[Anchor]:
        for i, h in enumerate(self.hashes):
            yield Anchor(self.from_seq + i, h, self.number, self.at)

    def summary(self) -> dict[str, object]:
        return {
            "number": self.number,
            "count": self.count,
            "hash": self.hash,
            "at": self.at,
            "object_key": self.key,
            "sha256": self.sha256,
        }


def body(
    number: int,
    count: int,
    head: str,
    at: str,
    from_seq: int,
    hashes: Sequence[str],
    prev: str | None,
) -> bytes:
    return canonical_json(
        {
            "type": TYPE,
            "format": FORMAT,
            "number": number,
            "count": count,
            "hash": head,
            "at": at,
            "from_seq": from_seq,
            "hashes": list(hashes),
            "previous": prev,
        }
    )


def parse(number: int, raw: bytes) -> Checkpoint:
    try:
        d = json.loads(raw)
        cp = Checkpoint(
            number=int(d["number"]),
            count=int(d["count"]),
            hash=str(d["hash"]),
            at=str(d["at"]),
            from_seq=int(d["from_seq"]),
            hashes=tuple(str(h) for h in d["hashes"]),
            previous=d["previous"],
            raw=raw,
        )
        ok = d.get("type") == TYPE and d.get("format") == FORMAT
    except (ValueError, KeyError, TypeError) as exc:
        raise CheckpointInvalid(f"không đọc được: {exc}") from exc
    if not ok or cp.number != number:
        raise CheckpointInvalid("không phải mốc kiểm tra của tdkt hoặc sai số thứ tự")
    if len(cp.hashes) != cp.count - cp.from_seq + 1 or (cp.hashes and cp.hashes[-1] != cp.hash):
        raise CheckpointInvalid("danh sách mã băm không khớp với đầu chuỗi")
    return cp


def last_number(store: ObjectStore) -> int:
    """The highest checkpoint number in the archive (0 if none), in O(log n) probes:
    numbers have no gaps, so gallop up, then bisect."""
    if not store.exists(json_key(1)):
        return 0
    lo, hi = 1, 2
    while store.exists(json_key(hi)):
        lo, hi = hi, hi * 2
    while hi - lo > 1:  # lo exists, hi does not
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if store.exists(json_key(mid)) else (lo, mid)
    return lo


def latest(store: ObjectStore) -> Checkpoint | None:
    n = last_number(store)
    return parse(n, store.get(json_key(n))) if n else None


# ---------------------------------------------------------------- writing


def _chain_since(db: Database, prev: Checkpoint | None) -> tuple[int, str, list[str]]:
    """The head and the hashes of the events after `prev`, each recomputed and linked:
    a chain that does not extend the last checkpoint is refused, never signed."""
    after, link = (prev.count, prev.hash) if prev else (0, GENESIS)
    with db.read() as s:
        head = s.get(ChainHead, 1)
        if head is None:
            raise CheckpointRefused("cơ sở dữ liệu chưa có đầu chuỗi lịch sử")
        count, top = head.seq, head.hash
        if count < after or (count == after and top != link):
            raise CheckpointRefused(
                f"chuỗi lịch sử có {count} sự kiện, không nối tiếp mốc kiểm tra số "
                f"{prev.number if prev else 0} ({after} sự kiện)"
            )
        hashes: list[str] = []
        for e in events_in_order(s, after=after, until=count):
            if e.seq != after + len(hashes) + 1 or e.prev_hash != link or event_hash(e) != e.hash:
                raise CheckpointRefused(f"chuỗi lịch sử sai ở sự kiện số {e.seq}")
            hashes.append(e.hash)
            link = e.hash
        if after + len(hashes) != count or link != top:
            raise CheckpointRefused("cuối chuỗi không khớp với đầu chuỗi đã ghi")
    return count, top, hashes


def _complete_signature(db: Database, store: ObjectStore, sign: Signer, cp: Checkpoint) -> None:
    """A writer that died between the JSON and its signature left the JSON alone: sign
    it now, but only if it is exactly what the database chain says."""
    if store.exists(sig_key(cp.number)):
        return
    with db.read() as s:
        found = [e.hash for e in events_in_order(s, after=cp.from_seq - 1, until=cp.count)]
    if tuple(found) != cp.hashes:
        raise CheckpointRefused(f"mốc kiểm tra số {cp.number} chưa ký và không khớp với chuỗi")
    with contextlib.suppress(ObjectExists):
        store.put(sig_key(cp.number), sign(cp.raw), SIG_TYPE)


def _check_signed(
    db: Database, store: ObjectStore, cp: Checkpoint, crls: Sequence[bytes] = ()
) -> None:
    """Never extend a checkpoint the authority did not sign: someone wrote into the
    archive, and a person has to look (`tdkt audit verify` names it)."""
    with db.read() as s:
        roots = [r.cert_pem for r in keys_repo.trust_roots(s)]
    problem, _ = verify_cms(cp.raw, store.get(sig_key(cp.number)), roots, crls)
    if problem:
        raise CheckpointRefused(f"mốc kiểm tra số {cp.number} không hợp lệ: {problem}")


def write_checkpoint(
    db: Database,
    store: ObjectStore,
    sign: Signer,
    *,
    attempts: int = 5,
    crls: Sequence[bytes] = (),
) -> Checkpoint | None:
    """Write the next checkpoint if the chain grew since the last one; None if not.
    The last one must verify first (against `crls` too: see :func:`verify_cms`)."""
    for _ in range(attempts):
        n = last_number(store)
        prev = parse(n, store.get(json_key(n))) if n else None
        if prev is not None:
            _complete_signature(db, store, sign, prev)
            _check_signed(db, store, prev, crls)
        count, head, hashes = _chain_since(db, prev)
        if count == (prev.count if prev else 0):
            return None
        raw = body(
            n + 1,
            count,
            head,
            iso_utc(utcnow()),
            (prev.count if prev else 0) + 1,
            hashes,
            prev.sha256 if prev else None,
        )
        signature = sign(raw)
        try:
            store.put(json_key(n + 1), raw, JSON_TYPE)
        except ObjectExists:
            continue  # another writer took this number: start again from its checkpoint
        with contextlib.suppress(ObjectExists):  # completed by a racing writer
            store.put(sig_key(n + 1), signature, SIG_TYPE)
        return parse(n + 1, raw)
    raise CheckpointRefused("không ghi được mốc kiểm tra (quá nhiều lần ghi tranh nhau)")


# ---------------------------------------------------------------- signing (CMS, detached)


def cms_signer(key_pem: bytes, cert_pem: bytes, chain_pems: Sequence[bytes] = ()) -> Signer:
    key = serialization.load_pem_private_key(key_pem, password=None)
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise TypeError("checkpoints are signed with an RSA or EC key")
    cert = x509.load_pem_x509_certificate(cert_pem)
    extra = [c for pem in chain_pems for c in x509.load_pem_x509_certificates(pem)]

    def sign(data: bytes) -> bytes:
        builder = pkcs7.PKCS7SignatureBuilder().set_data(data)
        builder = builder.add_signer(cert, key, hashes.SHA256())
        for c in extra:
            builder = builder.add_certificate(c)
        return builder.sign(
            serialization.Encoding.DER,
            [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary],
        )

    return sign


# Our CA issues signing certificates with both bits; a seal imported from another CA
# (tdkt pki import-seal) may assert only one of them, as PDF signatures accept.
_KEY_USAGE = KeyUsageConstraints(
    key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False
)
# A signer whose issuer's CRL we hold is checked against it: the certificates our CA
# issues carry no CRL distribution point, so "soft-fail" alone would never look.
_CRL_REQUIRED = CertRevTrustPolicy(
    RevocationCheckingPolicy(
        ee_certificate_rule=RevocationCheckingRule.CRL_REQUIRED,
        intermediate_ca_cert_rule=RevocationCheckingRule.CHECK_IF_DECLARED_SOFT,
    )
)
_REVOKED = {
    AdESFailure.REVOKED,
    AdESIndeterminate.REVOKED_NO_POE,
    AdESIndeterminate.REVOKED_CA_NO_POE,
}
_OUT_OF_VALIDITY = {
    AdESIndeterminate.EXPIRED,
    AdESIndeterminate.OUT_OF_BOUNDS_NO_POE,
    AdESIndeterminate.OUT_OF_BOUNDS_NOT_REVOKED,
    AdESIndeterminate.NOT_YET_VALID,
    AdESFailure.NOT_YET_VALID,
}


def verify_cms(
    data: bytes, signature: bytes, roots_pem: Sequence[bytes], crls: Sequence[bytes] = ()
) -> tuple[str | None, str | None]:
    """Check a detached CMS signature of `data` with pyHanko's CMS validation: intact, by a
    certificate that chains to one of `roots_pem`, was valid when it signed, is not
    revoked by one of `crls` (DER; the CRL of the signer's issuer, when given, must be
    consulted) and may sign (key usage digitalSignature or nonRepudiation). Returns
    (problem, signer subject); problem is None when the signature is good.

    The certificate is judged at the signing time the signature states (checkpoints
    outlive their seal's certificate); a revocation dated before it refuses it."""
    try:
        info = asn1_cms.ContentInfo.load(signature)
        if info["content_type"].native != "signed_data":
            return "chữ ký không đúng dạng CMS một người ký", None
        signed_data = info["content"]
        if len(signed_data["signer_infos"]) != 1:
            return "chữ ký không đúng dạng CMS một người ký", None
        signer_info = signed_data["signer_infos"][0]
        signed_at = next(
            (
                a["values"][0].native
                for a in signer_info["signed_attrs"] or []
                if a["type"].native == "signing_time"
            ),
            None,
        )
        anchors = [c for pem in roots_pem for c in load_certs_from_pemder_data(pem)]
        crl_list = [asn1_crl.CertificateList.load(c) for c in crls]
    except (ValueError, TypeError, KeyError) as exc:
        return f"chữ ký không đọc được ({exc})", None
    at = signed_at if isinstance(signed_at, datetime) else datetime.now(UTC)
    try:
        status = _run(
            async_validate_detached_cms(
                data,
                signed_data,
                signer_validation_context=_context(signed_data, anchors, crls, crl_list, at),
                key_usage_settings=_KEY_USAGE,
            )
        )
    except CMSExtractionError:
        return "thiếu chứng thư của người ký trong chữ ký", None
    except (ValueError, TypeError, KeyError) as exc:  # pyHanko's own errors are ValueErrors
        return f"chữ ký không đọc được ({exc})", None
    who = x509.load_der_x509_certificate(status.signing_cert.dump()).subject.rfc4514_string()
    indic = status.trust_problem_indic
    if not status.intact:
        return "nội dung tệp khác với nội dung đã ký", who
    if not status.valid:
        return "chữ ký không hợp lệ", who
    if status.revoked or indic in _REVOKED:
        return "chứng thư của người ký đã bị thu hồi", who
    if indic in _OUT_OF_VALIDITY:
        return "chứng thư của người ký không còn hiệu lực lúc ký", who
    if indic == AdESIndeterminate.CHAIN_CONSTRAINTS_FAILURE:  # pyHanko's key usage check
        return "chứng thư của người ký không được dùng để ký (mục đích sử dụng khóa)", who
    if indic is not None or not status.trusted:
        if indic in (None, AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND):
            return "chứng thư của người ký không thuộc chứng thư gốc tin cậy", who
        return f"chứng thư của người ký không đáp ứng yêu cầu để tin cậy ({indic})", who
    return None, who


def _context(
    signed_data: asn1_cms.SignedData,
    anchors: list[asn1_x509.Certificate],
    crls: Sequence[bytes],
    crl_list: list[asn1_crl.CertificateList],
    at: datetime,
) -> ValidationContext:
    """Trust exactly `anchors`, no fetching; CRLs issued after the signing time still
    speak about it (a revocation dated before the signature refuses it)."""
    sid = signed_data["signer_infos"][0]["sid"]
    signer_issuers = [
        c.chosen.issuer
        for c in signed_data["certificates"] or []
        if c.name == "certificate"
        and sid.name == "issuer_and_serial_number"
        and c.chosen.serial_number == sid.chosen["serial_number"].native
    ]
    crl_issuers = [c["tbs_cert_list"]["issuer"] for c in crl_list]
    if any(issuer == crl_issuer for issuer in signer_issuers for crl_issuer in crl_issuers):
        return ValidationContext(
            trust_roots=anchors,
            crls=list(crls),
            allow_fetching=False,
            moment=at,
            retroactive_revinfo=True,
            revinfo_policy=_CRL_REQUIRED,
        )
    return ValidationContext(
        trust_roots=anchors,
        crls=list(crls),
        allow_fetching=False,
        moment=at,
        retroactive_revinfo=True,
        revocation_mode="soft-fail",
    )


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Await pyHanko's validation from synchronous code, also from an event loop's thread
    (a helper thread with a loop of its own)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


# ---------------------------------------------------------------- reading for verification


@dataclass
class CheckpointProblem:
    number: int
    object_key: str
    why: str


class ArchivedCheckpoints:
    """Reads the archive's checkpoints in order, each checked (signature, numbering, link
    to the previous one) before its hashes are offered as anchors for the chain walk."""

    def __init__(
        self, store: ObjectStore, roots_pem: Sequence[bytes], crls: Sequence[bytes] = ()
    ) -> None:
        self.store = store
        self.roots_pem = list(roots_pem)
        self.crls = list(crls)
        self.valid: list[Checkpoint] = []
        self.problem: CheckpointProblem | None = None
        self.done = False

    @property
    def last(self) -> Checkpoint | None:
        return self.valid[-1] if self.valid else None

    def _read(self, number: int) -> Checkpoint | None:
        key = json_key(number)
        try:
            raw = self.store.get(key)
        except ObjectNotFound:
            return None
        except ObjectCorrupted:
            raise CheckpointInvalid("tệp đã bị thay đổi sau khi ghi") from None
        cp = parse(number, raw)
        signature = self._signature(number)
        problem, _ = verify_cms(raw, signature, self.roots_pem, self.crls)
        if problem:
            raise CheckpointInvalid(problem)
        prev = self.last
        if prev is not None and (
            cp.previous != prev.sha256 or cp.from_seq != prev.count + 1 or cp.count <= prev.count
        ):
            raise CheckpointInvalid(f"không nối tiếp mốc kiểm tra số {prev.number}")
        if prev is None and (cp.previous is not None or cp.from_seq != 1):
            raise CheckpointInvalid("mốc đầu tiên phải bắt đầu từ sự kiện số 1")
        return cp

    def _signature(self, number: int) -> bytes:
        # The newest checkpoint may be caught between its two writes: give the writer a
        # moment before calling the signature missing.
        for attempt in range(SIGNATURE_WAIT_TRIES):
            try:
                return self.store.get(sig_key(number))
            except ObjectNotFound:
                if attempt + 1 == SIGNATURE_WAIT_TRIES or self.store.exists(json_key(number + 1)):
                    break
                time.sleep(0.2)
        raise CheckpointInvalid("thiếu tệp chữ ký (.p7s)")

    def anchors(self) -> Iterator[Anchor]:
        number = len(self.valid) + 1
        while not self.done:
            try:
                cp = self._read(number)
            except CheckpointInvalid as exc:
                self.problem = CheckpointProblem(number, json_key(number), str(exc))
                cp = None
            if cp is None:
                self.done = True
                return
            self.valid.append(cp)
            yield from cp.anchors()
            number += 1

    def drain(self) -> None:
        for _ in self.anchors():
            pass
