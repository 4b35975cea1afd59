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

Checkpoints are numbered from 1 without gaps (the store refuses a second write to a
key, so of two racing writers one wins and the other moves on), and each names the
SHA-256 of the previous one's bytes, so they form a chain of their own. Someone who can
change the database, triggers and all, cannot change what is already in the archive:
removing the chain's tail or rewriting it consistently no longer matches these hashes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from asn1crypto import cms as asn1_cms
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs7

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


def _check_signed(db: Database, store: ObjectStore, cp: Checkpoint) -> None:
    """Never extend a checkpoint the authority did not sign: someone wrote into the
    archive, and a person has to look (`tdkt audit verify` names it)."""
    with db.read() as s:
        roots = [r.cert_pem for r in keys_repo.trust_roots(s)]
    problem, _ = verify_cms(cp.raw, store.get(sig_key(cp.number)), roots)
    if problem:
        raise CheckpointRefused(f"mốc kiểm tra số {cp.number} không hợp lệ: {problem}")


def write_checkpoint(
    db: Database, store: ObjectStore, sign: Signer, *, attempts: int = 5
) -> Checkpoint | None:
    """Write the next checkpoint if the chain grew since the last one; None if not."""
    for _ in range(attempts):
        n = last_number(store)
        prev = parse(n, store.get(json_key(n))) if n else None
        if prev is not None:
            _complete_signature(db, store, sign, prev)
            _check_signed(db, store, prev)
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


_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


def _attr(signed_attrs: asn1_cms.CMSAttributes, name: str) -> object | None:
    for a in signed_attrs:
        if a["type"].native == name:
            return a["values"][0].native
    return None


def verify_cms(
    data: bytes, signature: bytes, roots_pem: Sequence[bytes]
) -> tuple[str | None, str | None]:
    """Check a detached CMS signature of `data`: intact, by a certificate that chains to
    one of `roots_pem` and was valid when it signed. Returns (problem, signer subject);
    problem is None when the signature is good."""
    try:
        info = asn1_cms.ContentInfo.load(signature)
        sd = info["content"]
        if info["content_type"].native != "signed_data" or len(sd["signer_infos"]) != 1:
            return "chữ ký không đúng dạng CMS một người ký", None
        si = sd["signer_infos"][0]
        certs = [
            x509.load_der_x509_certificate(c.chosen.dump())
            for c in sd["certificates"] or []
            if c.name == "certificate"
        ]
        sid = si["sid"]
        if sid.name != "issuer_and_serial_number":
            return "chữ ký không nêu chứng thư của người ký", None
        serial, issuer = sid.chosen["serial_number"].native, sid.chosen["issuer"].dump()
        signer = next(
            (c for c in certs if c.serial_number == serial and c.issuer.public_bytes() == issuer),
            None,
        )
        attrs = si["signed_attrs"]
        algo = si["digest_algorithm"]["algorithm"].native
    except (ValueError, TypeError, KeyError) as exc:
        return f"chữ ký không đọc được ({exc})", None
    if signer is None:
        return "thiếu chứng thư của người ký trong chữ ký", None
    who = signer.subject.rfc4514_string()
    if not attrs or algo not in _HASHES:
        return "chữ ký thiếu thuộc tính được ký hoặc dùng thuật toán băm không hỗ trợ", who
    if _attr(attrs, "message_digest") != hashlib.new(algo, data).digest():
        return "nội dung tệp khác với nội dung đã ký", who
    signed = b"\x31" + attrs.dump()[1:]  # signed attributes are signed as a SET OF
    sig = si["signature"].native
    pub = signer.public_key()
    try:
        if isinstance(pub, rsa.RSAPublicKey):
            if si["signature_algorithm"].signature_algo == "rsassa_pss":
                pss = padding.PSS(padding.MGF1(_HASHES[algo]()), padding.PSS.AUTO)
                pub.verify(sig, signed, pss, _HASHES[algo]())
            else:
                pub.verify(sig, signed, padding.PKCS1v15(), _HASHES[algo]())
        elif isinstance(pub, ec.EllipticCurvePublicKey):
            pub.verify(sig, signed, ec.ECDSA(_HASHES[algo]()))
        else:
            return "loại khóa của người ký không được hỗ trợ", who
    except InvalidSignature:
        return "chữ ký không hợp lệ", who
    when = _attr(attrs, "signing_time")
    at = when if isinstance(when, datetime) else datetime.now(UTC)
    if not signer.not_valid_before_utc <= at <= signer.not_valid_after_utc:
        return "chứng thư của người ký không còn hiệu lực lúc ký", who
    if not _chains_to(signer, certs, roots_pem):
        return "chứng thư của người ký không thuộc chứng thư gốc tin cậy", who
    return None, who


def _chains_to(
    cert: x509.Certificate, pool: Sequence[x509.Certificate], roots_pem: Sequence[bytes]
) -> bool:
    roots = [c for pem in roots_pem for c in x509.load_pem_x509_certificates(pem)]
    current = cert
    for _ in range(6):
        for issuer in roots:
            if _issued_by(current, issuer):
                return True
        parent = next(
            (c for c in pool if c != current and _is_ca(c) and _issued_by(current, c)), None
        )
        if parent is None:
            return False
        current = parent
    return False


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return _is_ca(issuer)


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


# ---------------------------------------------------------------- reading for verification


@dataclass
class CheckpointProblem:
    number: int
    object_key: str
    why: str


class ArchivedCheckpoints:
    """Reads the archive's checkpoints in order, each checked (signature, numbering, link
    to the previous one) before its hashes are offered as anchors for the chain walk."""

    def __init__(self, store: ObjectStore, roots_pem: Sequence[bytes]) -> None:
        self.store = store
        self.roots_pem = list(roots_pem)
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
        problem, _ = verify_cms(raw, signature, self.roots_pem)
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
