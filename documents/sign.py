"""PAdES (baseline B-B) signing of PDFs with pyHanko, with a visible Vietnamese stamp.

Every signature is an incremental update: signatures already in the file stay valid.
The first signature on a document may be a certifying one (DocMDP ``FILL_FORMS``) so
that later approval signatures remain allowed. pyHanko's validator (and Acrobat, for
the strict reading of DocMDP P=2) does not accept *new visible* signature fields added
after a certifying signature, so reserve the later approvers' fields in the certifying
call with ``reserve_fields`` and sign them later by ``field_name``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from io import BytesIO
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import load_der_public_key
from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.keys.internal import translate_pyca_cryptography_key_to_asn1
from pyhanko.pdf_utils import misc
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko.sign.signers.pdf_signer import PdfSigningSession, PreSignValidationStatus
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.validation.pdf_embedded import read_certification_data
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from documents.stamp import stamp_style

__all__ = [
    "DEFAULT_BOX_SIZE",
    "VN_TZ",
    "SignatureSlot",
    "SignerMaterial",
    "SigningFailed",
    "default_box",
    "sign_pdf",
]

DEFAULT_BOX_SIZE = (200, 70)  # width, height in pt
MARGIN = 36  # pt from the page edge (0.5 in)
GAP = 8  # pt between reserved boxes
VN_TZ = timezone(timedelta(hours=7), "ICT")


class SigningFailed(ValueError):
    """The PDF could not be signed (unreadable input, field already signed, DocMDP…)."""


@dataclass(frozen=True)
class SignerMaterial:
    key_pem: bytes  # PKCS#8 PEM, unencrypted
    cert_pem: bytes
    chain_pems: tuple[bytes, ...] = ()  # intermediates / root (embedded in the CMS)


@dataclass(frozen=True)
class SignatureSlot:
    """An empty signature field to create now and sign later (e.g. before certifying)."""

    field_name: str
    page: int = -1
    box: tuple[int, int, int, int] | None = None  # None: next free default position


def _page_count(w: IncrementalPdfFileWriter) -> int:
    return int(w.root["/Pages"]["/Count"])


def _normalise_page(w: IncrementalPdfFileWriter, page: int) -> int:
    count = _page_count(w)
    ix = page + count if page < 0 else page
    if not 0 <= ix < count:
        raise SigningFailed(f"page {page} out of range (document has {count} pages)")
    return ix


def _media_box(w: IncrementalPdfFileWriter, page_ix: int) -> tuple[float, float, float, float]:
    page_ref, _ = w.find_page_for_modification(page_ix)
    node = page_ref.get_object()
    while node is not None:
        for key in ("/CropBox", "/MediaBox"):
            if key in node:
                x0, y0, x1, y1 = (float(v) for v in node[key])
                return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)
        parent = node.get("/Parent")
        node = parent.get_object() if parent is not None else None
    return 0.0, 0.0, 595.0, 842.0  # A4


def default_box(
    page_box: tuple[float, float, float, float], index: int = 0
) -> tuple[int, int, int, int]:
    """The ``index``-th 200×70 pt stamp position on a page: bottom right first, then
    leftwards, then one row up."""
    llx, lly, urx, _ = page_box
    bw, bh = DEFAULT_BOX_SIZE
    per_row = max(1, int((urx - llx - 2 * MARGIN + GAP) // (bw + GAP)))
    col, row = index % per_row, index // per_row
    x1 = urx - MARGIN - col * (bw + GAP)
    y0 = lly + MARGIN + row * (bh + GAP)
    return round(x1 - bw), round(y0), round(x1), round(y0 + bh)


class _PreloadedKeySigner(signers.SimpleSigner):
    """SimpleSigner that parses the private key once per signing operation.

    pyHanko's SimpleSigner re-parses the key (with cryptography's full RSA consistency
    check, ~0.1 s for RSA-3072) on every raw signature, including the dry run that only
    sizes the signature container. Here the key is parsed once without that check, and
    every RSA signature is verified against the *certificate's* public key before it is
    used — which also catches a key that does not belong to the certificate.
    """

    def __init__(self, *, pyca_key: PrivateKeyTypes, **kwargs):
        super().__init__(**kwargs)
        self._pyca_key = pyca_key

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run=False) -> bytes:
        if dry_run and isinstance(self._pyca_key, rsa.RSAPrivateKey):
            return bytes((self._pyca_key.key_size + 7) // 8)  # same size as a real one
        return self.sign_raw(data, digest_algorithm)

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        key = self._pyca_key
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        if not isinstance(key, rsa.RSAPrivateKey) or mechanism.signature_algo != (
            "rsassa_pkcs1v15"
        ):
            return super().sign_raw(data, digest_algorithm)
        cert = self.signing_cert
        if cert is None:
            raise SigningFailed("no signing certificate")
        hash_algo = get_pyca_cryptography_hash(digest_algorithm)
        signature = key.sign(data, PKCS1v15(), hash_algo)
        public = load_der_public_key(cert.public_key.dump())
        if not isinstance(public, rsa.RSAPublicKey):
            raise SigningFailed("the certificate's key is not an RSA key")
        try:
            public.verify(signature, data, PKCS1v15(), hash_algo)
        except InvalidSignature as exc:
            raise SigningFailed("the private key does not match the certificate") from exc
        return signature


def _build_signer(material: SignerMaterial) -> signers.SimpleSigner:
    try:
        pyca_key = serialization.load_pem_private_key(
            material.key_pem, password=None, unsafe_skip_rsa_key_validation=True
        )
        key: asn1_keys.PrivateKeyInfo = translate_pyca_cryptography_key_to_asn1(pyca_key)
        certs: list[asn1_x509.Certificate] = list(load_certs_from_pemder_data(material.cert_pem))
        chain = [c for pem in material.chain_pems for c in load_certs_from_pemder_data(pem)]
    except (ValueError, TypeError) as exc:
        raise SigningFailed(f"unreadable signing key or certificate: {exc}") from exc
    if len(certs) != 1:
        raise SigningFailed("cert_pem must hold exactly one certificate")
    return _PreloadedKeySigner(
        pyca_key=pyca_key,
        signing_cert=certs[0],
        signing_key=key,
        cert_registry=SimpleCertificateStore.from_certs([certs[0], *chain]),
    )


async def sign_pdf(
    pdf: bytes,
    signer: SignerMaterial,
    *,
    field_name: str,
    reason: str,
    location: str,
    stamp_lines: Sequence[str],
    page: int = -1,
    box: tuple[int, int, int, int] | None = None,
    certify: bool = False,
    signing_time: datetime | None = None,
    reserve_fields: Sequence[SignatureSlot] = (),
    background: Path | None = None,
    font_size: int | None = None,
    timestamper: TimeStamper | None = None,
    validation_context: ValidationContext | None = None,
) -> bytes:
    """Sign ``pdf`` (PAdES B-B, ETSI.CAdES.detached) as an incremental update.

    The signature goes into the signature field ``field_name``; if it does not exist it
    is created on ``page`` (-1: last page) at ``box`` (default: 200×70 pt at the bottom
    right). The field gets a visible stamp with ``stamp_lines`` in Liberation Serif.
    ``certify=True`` makes a certifying signature (DocMDP FILL_FORMS); ``reserve_fields``
    creates further empty signature fields in the same revision, for later approvers.
    ``signing_time`` (default: now, Vietnam time) becomes the signature's /M.
    ``background`` is a one-page PDF drawn under the stamp text (documents/appearance.py).
    With a ``timestamper`` the signature gets an RFC 3161 time-stamp (PAdES B-T); with a
    ``validation_context`` too, the chain and revocation data are embedded (PAdES B-LT).
    Signing an existing (e.g. reserved) empty field uses that field's page and box.

    Raises :class:`SigningFailed` for unreadable or encrypted input, an already signed
    field, a new field on a certified document, or a key that does not match the
    certificate.
    """
    try:
        return await _sign_pdf(
            pdf,
            signer,
            field_name=field_name,
            reason=reason,
            location=location,
            stamp_lines=stamp_lines,
            page=page,
            box=box,
            certify=certify,
            signing_time=signing_time,
            reserve_fields=reserve_fields,
            background=background,
            font_size=font_size,
            timestamper=timestamper,
            validation_context=validation_context,
        )
    except SigningFailed:
        raise
    except Exception as exc:  # pyHanko raises many error types for odd input
        raise SigningFailed(f"signing failed: {exc}") from exc


async def _sign_pdf(
    pdf: bytes,
    signer: SignerMaterial,
    *,
    field_name: str,
    reason: str,
    location: str,
    stamp_lines: Sequence[str],
    page: int,
    box: tuple[int, int, int, int] | None,
    certify: bool,
    signing_time: datetime | None,
    reserve_fields: Sequence[SignatureSlot],
    background: Path | None,
    font_size: int | None,
    timestamper: TimeStamper | None,
    validation_context: ValidationContext | None,
) -> bytes:
    if not field_name or "." in field_name:
        raise SigningFailed(f"invalid signature field name: {field_name!r}")
    if signing_time is None:
        signing_time = datetime.now(VN_TZ).replace(microsecond=0)
    elif signing_time.tzinfo is None:
        signing_time = signing_time.replace(tzinfo=UTC)

    try:
        # strict=False: accept hybrid-reference files and minor syntax slips that
        # LibreOffice and other producers leave behind.
        w = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    except Exception as exc:
        raise SigningFailed(f"unreadable PDF: {exc}") from exc
    if w.security_handler is not None:
        raise SigningFailed("encrypted PDFs are not supported")

    existing = {name: value for name, value, _ in fields.enumerate_sig_fields(w)}
    if field_name in existing and existing[field_name] is not None:
        raise SigningFailed(f"signature field {field_name!r} is already signed")
    certified = read_certification_data(w.prev) is not None
    if certified and certify:
        raise SigningFailed("the document already has a certifying signature")
    if certified:
        new_names = [f.field_name for f in reserve_fields if f.field_name not in existing]
        if field_name not in existing:
            new_names.append(field_name)
        if new_names:
            # A new visible field after a certifying signature invalidates it (pyHanko's
            # default diff policy, and the strict reading of DocMDP P=2).
            raise SigningFailed(
                f"document is certified: signature field(s) {sorted(set(new_names))} "
                "must be reserved (reserve_fields=...) by the certifying signature"
            )

    # Empty fields to reserve for later signers (needed before a certifying signature).
    taken = 0
    for slot in reserve_fields:
        if slot.field_name in existing or slot.field_name == field_name:
            continue
        slot_page = _normalise_page(w, slot.page)
        slot_box = slot.box
        if slot_box is None:
            taken += 1
            slot_box = default_box(_media_box(w, slot_page), taken)
        fields.append_signature_field(
            w, fields.SigFieldSpec(slot.field_name, on_page=slot_page, box=slot_box)
        )

    new_field_spec = None
    if field_name not in existing:
        page_ix = _normalise_page(w, page)
        field_box = box if box is not None else default_box(_media_box(w, page_ix), 0)
        new_field_spec = fields.SigFieldSpec(field_name, on_page=page_ix, box=field_box)

    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        reason=reason,
        location=location,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        certify=certify,
        docmdp_permissions=fields.MDPPerm.FILL_FORMS,
        embed_validation_info=validation_context is not None and timestamper is not None,
        validation_context=validation_context if timestamper is not None else None,
    )
    pdf_signer = signers.PdfSigner(
        meta,
        signer=_build_signer(signer),
        stamp_style=stamp_style(stamp_lines, background, font_size),
        new_field_spec=new_field_spec,
        timestamper=timestamper,
    )
    # The CMS container's size depends on the signer's certificates and key (the signed
    # attributes have fixed sizes) and, with a time-stamp, on the token of that TSA:
    # pyHanko sizes it with the time-stamper's cached sample token (one real request per
    # time-stamper, which each process keeps: documents/timestamps.py `_options`), and
    # reserves half again as much (not "tight"). PAdES puts the revocation data in the
    # document's DSS after signing, not in the container.
    size_key = (signer.cert_pem, signer.chain_pems, _stamper_key(timestamper))
    output = await _async_sign(pdf_signer, w, signing_time, size_key)
    return output.getvalue()


# Bytes to reserve for the signature container, by signer (certificate, chain) and TSA.
# pyHanko sizes the container by building a whole CMS signature as a dry run, about a
# third of the cost of signing (a third of the signing processes' samples under `make
# run`, where every signature is time-stamped and was sized every time until ADR 0019's
# addendum); the size is the same every time for a signer and TSA. Signers are few
# (organisation keys, approvers); past the bound the table starts again.
_CONTAINER_SIZES: dict[tuple[bytes, tuple[bytes, ...], object], int] = {}
_CONTAINER_SIZES_KEPT = 1024


def _stamper_key(timestamper: TimeStamper | None) -> object:
    """Which TSA's tokens a container holds: its address, or the time-stamper itself (the
    demo's in-process one); None without a time-stamp."""
    if timestamper is None:
        return None
    url = getattr(timestamper, "url", None)
    return url if isinstance(url, str) else id(timestamper)


async def _container_size(
    session: PdfSigningSession,
    validation_info: PreSignValidationStatus | None,
    size_key: tuple[bytes, tuple[bytes, ...], object],
    tight: bool,
) -> int:
    # Sized every time: Adobe-style revocation data inside the container (not PAdES), or
    # a tight estimate (no margin for a TSA token a few bytes longer than the last).
    revinfo = validation_info.adobe_revinfo_attr if validation_info is not None else None
    if revinfo is not None or tight:
        return int(await session.estimate_signature_container_size(validation_info, tight=tight))
    size = _CONTAINER_SIZES.get(size_key)
    if size is None:
        size = int(await session.estimate_signature_container_size(None, tight=tight))
        if len(_CONTAINER_SIZES) >= _CONTAINER_SIZES_KEPT:
            _CONTAINER_SIZES.clear()
        _CONTAINER_SIZES[size_key] = size
    return size


async def _async_sign(
    pdf_signer: signers.PdfSigner,
    w: IncrementalPdfFileWriter,
    signing_time: datetime,
    size_key: tuple[bytes, tuple[bytes, ...], object],
) -> BytesIO:
    """``PdfSigner.async_sign_pdf`` step by step (pyHanko's interrupted-signing API), so
    that the signing time can be set instead of taken from the clock, and the container
    sized once per signer and TSA (``size_key``)."""
    session = pdf_signer.init_signing_session(w, existing_fields_only=False)
    session.system_time = signing_time
    validation_info = await session.perform_presign_validation(w)
    bytes_reserved = await _container_size(
        session, validation_info, size_key, pdf_signer.signature_meta.tight_size_estimates
    )
    tbs = session.prepare_tbs_document(
        validation_info=validation_info, bytes_reserved=bytes_reserved
    )
    prepared, output = tbs.digest_tbs_document(output=BytesIO())
    post = await tbs.perform_signature(
        document_digest=prepared.document_digest,
        pdf_cms_signed_attrs=PdfCMSSignedAttributes(
            signing_time=signing_time,
            cades_signed_attrs=pdf_signer.signature_meta.cades_signed_attr_spec,
        ),
    )
    await post.post_signature_processing(output, chunk_size=misc.DEFAULT_CHUNK_SIZE)
    assert isinstance(output, BytesIO)
    return output
