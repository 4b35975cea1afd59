"""Making a document, in the order a văn thư would: prepare → (approver signs) → issue.

- `prepare`: fill the form (docxtpl), convert it (LibreOffice), lay form fields over the
  dots left for the number and the date and empty signature fields over the signature
  block. Stored as the DOCX and the "pdf-prepared" version.
- `sign_personally` (in the approver's request): their own signature on the prepared
  PDF, with their signature image. Stored as "pdf-personal". An individual's report is
  signed first by the individual (in a request of theirs, "pdf-reporter"), then by the
  unit head on top of it: the first signature on a PDF certifies it (form filling and
  further signatures allowed), later ones approve.
- `issue`: take the next number of the issuer's series, fill number and date, apply the
  organisation's seal in its reserved field — the seal last; a form that is a person's own
  report (`FormJob.sealed` false) gets number and date only. Stored as "pdf-signed": the
  issued document.

Every file has a deterministic key and is written once; a retry finds the rows it
recorded and adopts a file an earlier attempt stored but did not record. These are plain
async functions: the Prefect tasks in flows/transition.py and the API call them.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from doc_templates.catalogue import FORMS
from doc_templates.versions import resolve_template
from documents import fields
from documents.appearance import seal_image, signature_image
from documents.names import form_file_name, sealed_copy_name
from documents.pki import decrypt_key
from documents.render import render_docx
from documents.sign import SignerMaterial, SigningFailed
from documents.vn import document_number
from storage.models import Document, DocumentVersion, User, subject_columns
from storage.objects import ObjectExists, StoredObject
from storage.repositories import documents as documents_repo
from storage.repositories import keys as keys_repo
from storage.repositories import steps
from storage.repositories import users as users_repo

from .forms import default_signer, form_context
from .jobs import VIETNAM, FormJob, issued_at
from .runtime import Runtime

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"


def object_key(job: FormJob, n: int, rendition: str) -> str:
    suffix = f"-{job.copy_no:02d}" if job.copy_no else ""
    ext = "docx" if rendition == "docx" else "pdf"
    # A dossier's files under dossiers/<id>/, a round's under rounds/<id>/, …
    where = f"{job.subject.kind.value}s/{job.subject.id}"
    return f"{where}/{job.seq:03d}-{job.form}{suffix}-v{n}-{rendition}.{ext}"


def store(rt: Runtime, key: str, data: bytes, media_type: str) -> tuple[StoredObject, bytes]:
    """Write once; if an earlier attempt already stored this key, adopt what it stored."""
    try:
        return rt.store.put(key, data, media_type), data
    except ObjectExists:
        return rt.store.stat(key), rt.store.get(key)


def reserve(rt: Runtime, job: FormJob) -> int:
    """The document row of this job, created once (its number comes when it is issued),
    with the template version current now: a retry renders with the same one."""
    with rt.db.write() as s:
        doc = documents_repo.document_of(s, job.subject, job.seq, job.form, job.copy_no)
        if doc is not None:
            return doc.id
        spec = FORMS[job.form]
        template = resolve_template(s, rt.store, job.form, None)
        doc = Document(
            **subject_columns(job.subject),
            transition_seq=job.seq,
            form=job.form,
            copy_no=job.copy_no,
            title=job.title,
            issuer_name=job.issuer.name,
            template_id=spec.code,
            template_version=template.version,
            template_sha256=template.sha256,
        )
        s.add(doc)
        s.flush()
        return doc.id


def versions(rt: Runtime, doc_id: int) -> tuple[Document, list[DocumentVersion]]:
    with rt.db.read() as s:
        doc = documents_repo.document(s, doc_id)
        assert doc is not None
        return doc, list(doc.versions)


def latest(vs: list[DocumentVersion], *renditions: str) -> DocumentVersion | None:
    found = [v for v in vs if v.rendition in renditions]
    return found[-1] if found else None


def record(rt: Runtime, doc_id: int, *args: Any, **kwargs: Any) -> None:
    """`record_in`, in a transaction of its own."""
    with rt.db.write() as s:
        record_in(s, doc_id, *args, **kwargs)


def record_in(
    s: Session,
    doc_id: int,
    rendition: str,
    obj: StoredObject,
    media_type: str,
    *,
    signatures: list[dict[str, object]] | None = None,
    prepared_for_id: int | None = None,
    file_name: str | None = None,
    filed_with_id: int | None = None,
) -> None:
    """Record a stored file as the next version of its document (once per key), named as
    people will see it: by default the form's number and title (documents/names.py)."""
    doc = documents_repo.lock_document(s, doc_id)
    assert doc is not None
    if s.scalar(select(DocumentVersion).where(DocumentVersion.object_key == obj.key)):
        return
    s.add(
        DocumentVersion(
            document_id=doc_id,
            seq=documents_repo.next_version_seq(s, doc_id),
            rendition=rendition,
            object_key=obj.key,
            object_version_id=obj.version_id,
            sha256=obj.sha256,
            size=obj.size,
            media_type=media_type,
            file_name=file_name or form_file_name(doc.title, doc.number, rendition),
            signatures=signatures,
            prepared_for_id=prepared_for_id,
            filed_with_id=filed_with_id,
        )
    )
    s.flush()


async def prepare(
    rt: Runtime, job: FormJob, signer_id: int | None = None, *, newer_than: datetime | None = None
) -> int:
    """Fill and convert the form with `signer_id`'s name (default: `default_signer`).
    A version made before `newer_than` (the data it prints changed since) does not count:
    the form is filled again."""
    doc_id = await asyncio.to_thread(reserve, rt, job)
    doc, vs = await asyncio.to_thread(versions, rt, doc_id)

    def context() -> tuple[int, str, dict[str, object]]:
        with rt.db.read() as s:
            signer = users_repo.user_by_id(s, signer_id) if signer_id else default_signer(s, job)
            assert signer is not None
            return signer.id, signer.full_name, form_context(s, job, signer, rt.settings.place_name)

    def template() -> bytes:
        with rt.db.write() as s:  # may register a built-in version on first use
            return resolve_template(s, rt.store, job.form, doc.template_version).data

    def current(v: DocumentVersion | None) -> bool:
        return (
            v is not None
            and v.prepared_for_id == who
            and (newer_than is None or v.created_at >= newer_than)
        )

    def keep_docx(docx: bytes) -> bytes:
        obj, kept = store(rt, object_key(job, n, "docx"), docx, DOCX)
        record(rt, doc_id, "docx", obj, DOCX, prepared_for_id=who)
        return kept

    who, name, ctx = await asyncio.to_thread(context)
    if current(latest(vs, "pdf-prepared")):
        return doc_id
    last = vs[-1] if vs else None
    if last is not None and last.rendition == "docx" and current(last):
        # An earlier attempt recorded this DOCX and died before its PDF: convert that one
        # rather than fill the form a second time.
        n = last.seq
        docx = await asyncio.to_thread(rt.store.get, last.object_key, last.object_version_id)
        pdf = await rt.converter.convert(docx)
    else:
        n = len(vs) + 1
        docx = await asyncio.to_thread(render_docx, await asyncio.to_thread(template), ctx)
        # The DOCX is archived and recorded while LibreOffice converts it: the PDF's
        # record (below) still comes after the DOCX's, as the retry above expects.
        pdf, kept = await asyncio.gather(
            rt.converter.convert(docx), asyncio.to_thread(keep_docx, docx)
        )
        if kept != docx:  # an earlier attempt archived its own DOCX: the PDF is of that one
            docx = kept
            pdf = await rt.converter.convert(docx)
    others = {fields.REPORTER_FIELD: job.reporter_name} if job.reporter_id else None
    layout = await asyncio.to_thread(fields.locate, pdf, name, others, docx=docx)
    pdf = await asyncio.to_thread(
        fields.add_fields, pdf, layout, personal=job.personal, sealed=job.sealed
    )
    obj, _ = await asyncio.to_thread(store, rt, object_key(job, n + 1, "pdf-prepared"), pdf, PDF)
    await asyncio.to_thread(record, rt, doc_id, "pdf-prepared", obj, PDF, prepared_for_id=who)
    return doc_id


def organisation_material(
    s: Session,
    secret: str,
    whose: str,
    *,
    unit_id: int | None = None,
    authority_id: int | None = None,
) -> tuple[SignerMaterial, str]:
    """A unit's or the authority's seal: key (decrypted), certificate and trust chain, and
    the subject it is issued to. `whose` names the body in the error if it has no key."""
    key = keys_repo.organisation_key(s, unit_id=unit_id, authority_id=authority_id)
    if key is None or key.key_pem_encrypted is None:
        raise LookupError(f"no organisation key for {whose}")
    chain = tuple(r.cert_pem for r in keys_repo.trust_roots(s))
    material = SignerMaterial(decrypt_key(key.key_pem_encrypted, secret), key.cert_pem, chain)
    return material, key.subject


def seal_material(rt: Runtime, job: FormJob) -> tuple[SignerMaterial, str]:
    """The issuing body's seal: key and certificate, and whose seal it is (a cluster's
    documents carry the seal of its head unit of the year)."""
    with rt.db.read() as s:
        return organisation_material(
            s,
            rt.settings.secret_key,
            job.issuer.series,
            unit_id=job.issuer.key_unit_id,
            authority_id=job.issuer.key_authority_id,
        )


def _number(rt: Runtime, job: FormJob, doc_id: int) -> tuple[str | None, datetime]:
    """The document's number, taken once from its issuer's series, and its date."""
    with rt.db.write() as s:
        doc = documents_repo.document(s, doc_id)
        t = steps.transition(s, job.subject, job.seq)
        assert doc is not None and t is not None
        when = issued_at(t)
        if job.numbered and doc.number is None:
            spec = FORMS[job.form]
            series = spec.number_series(job.issuer.series)
            n = documents_repo.next_number(s, series, spec.doc_type_code, when.year)
            doc.number = document_number(n, spec.doc_type_code, job.issuer.code)
        return doc.number, when


def _roots(rt: Runtime) -> list[bytes]:
    with rt.db.read() as s:
        return [r.cert_pem for r in keys_repo.trust_roots(s)]


def date_values(when: datetime) -> dict[str, str]:
    """Day below 10 and months 1–2 with a leading zero (Nghị định 30/2020)."""
    month = f"{when.month:02d}" if when.month <= 2 else str(when.month)
    return {
        fields.DAY_FIELD: f"{when.day:02d}",
        fields.MONTH_FIELD: month,
        fields.YEAR_FIELD: str(when.year),
    }


def numbered(rt: Runtime, job: FormJob) -> int | None:
    """The job's document numbered now, before `issue` seals it (which then finds the
    number taken): its id, or None when there is nothing to issue from yet."""
    doc_id = reserve(rt, job)
    _, vs = versions(rt, doc_id)
    if latest(vs, "pdf-signed") is None:
        base = latest(vs, "pdf-personal") if job.personal else latest(vs, "pdf-prepared")
        if base is None:
            return None
        _number(rt, job, doc_id)
    return doc_id


async def issue(rt: Runtime, job: FormJob) -> int:
    """Number, date and seal the document: the issued PDF."""
    doc_id = await asyncio.to_thread(reserve, rt, job)
    _, vs = await asyncio.to_thread(versions, rt, doc_id)
    if latest(vs, "pdf-signed") is not None:
        return doc_id
    base = latest(vs, "pdf-personal") if job.personal else latest(vs, "pdf-prepared")
    if base is None:
        raise LookupError(f"document {doc_id} has nothing to issue from")
    pdf = await asyncio.to_thread(rt.store.get, base.object_key, base.object_version_id)
    number, when = await asyncio.to_thread(_number, rt, job, doc_id)
    values = date_values(when)
    values[fields.NUMBER_FIELD] = number or ""  # an unnumbered form shows no dots either
    pdf = await asyncio.to_thread(fields.fill_fields, pdf, values)
    if not job.sealed:
        # A person's own report: their signature (certifying, form filling allowed) and
        # the date; nobody seals it as if the body's head had signed.
        obj, stored = await asyncio.to_thread(
            store, rt, object_key(job, len(vs) + 1, "pdf-signed"), pdf, PDF
        )
        reports = [
            r.to_dict()
            for r in await rt.signing.verify(stored, await asyncio.to_thread(_roots, rt))
        ]
        await asyncio.to_thread(record, rt, doc_id, "pdf-signed", obj, PDF, signatures=reports)
        return doc_id
    material, owner = await asyncio.to_thread(seal_material, rt, job)
    now = datetime.now(VIETNAM).replace(microsecond=0)
    signed = await rt.signing.sign(
        pdf,
        material,
        field_name=fields.SEAL_FIELD,
        reason=f"Phát hành {FORMS[job.form].title}",
        location=rt.settings.place_name,
        stamp_lines=[],
        signing_time=now,
        certify=not job.personal,
        background=seal_image(owner),
        **rt.long_term(),
    )
    obj, stored = await asyncio.to_thread(
        store, rt, object_key(job, len(vs) + 1, "pdf-signed"), signed, PDF
    )
    reports = [r.to_dict() for r in await rt.signing.verify(stored, list(material.chain_pems))]
    await asyncio.to_thread(record, rt, doc_id, "pdf-signed", obj, PDF, signatures=reports)
    return doc_id


def personal_key(base: DocumentVersion, user_id: int, rendition: str = "pdf-personal") -> str:
    """Where a person's signed copy of a PDF goes: one key per version signed on and
    signer, so a retry adopts only that signer's own earlier signature."""
    stem = base.object_key.removesuffix(f"-v{base.seq}-{base.rendition}.pdf")
    if stem == base.object_key:  # a name of another shape: keep it whole
        stem = base.object_key.removesuffix(".pdf")
    return f"{stem}-v{base.seq + 1}-{rendition}-u{user_id}.pdf"


async def sign_personally(
    rt: Runtime,
    title: str,
    base: DocumentVersion,
    user: User,
    material: SignerMaterial,
    *,
    field_name: str = fields.PERSON_FIELD,
    rendition: str = "pdf-personal",
    reason: str | None = None,
) -> tuple[StoredObject, list[dict[str, object]]]:
    """A person's own signature on a prepared PDF, or on one already signed by someone
    before them (in their request): certifying when it is the first signature."""
    pdf = await asyncio.to_thread(rt.store.get, base.object_key, base.object_version_id)
    now = datetime.now(VIETNAM).replace(microsecond=0)
    signed = await rt.signing.sign(
        pdf,
        material,
        field_name=field_name,
        reason=reason or f"Duyệt: {title}",
        location=rt.settings.place_name,
        stamp_lines=[f"Ký bởi: {user.full_name}", f"Thời gian: {now.isoformat()}"],
        signing_time=now,
        certify=base.rendition == "pdf-prepared",
        background=signature_image(user.full_name),
        **rt.long_term(),
    )
    key = personal_key(base, user.id, rendition)
    obj, stored = await asyncio.to_thread(store, rt, key, signed, PDF)
    reports = [r.to_dict() for r in await rt.signing.verify(stored, list(material.chain_pems))]
    return obj, reports


ATTACHMENT_BOX = (355, 782, 580, 827)
"""Top right of an A4 page 1, inside the 15 mm right and 10 mm top edges."""


async def seal_attachments(rt: Runtime, job: FormJob) -> list[int]:
    """Seal the dossier's PDF attachments with the number of the document they are filed
    with (the unit's Tờ trình): top right of page 1, no image, số/ký hiệu and the time in
    ISO 8601 (Nghị định 30/2020).

    Each Tờ trình that files an attachment gives it a sealed copy of its own, with its
    number: after a return and a new Tờ trình the attachment is sealed again; the earlier
    sealed copy stays in the archive. A retry finds the copy this Tờ trình already
    recorded. Removed (or replaced) attachments are not filed. An attachment that cannot
    be signed (damaged, encrypted) stays as uploaded and the step goes on."""

    def pending() -> tuple[int | None, str | None, list[tuple[int, DocumentVersion]]]:
        with rt.db.read() as s:
            main = documents_repo.document_of(s, job.subject, job.seq, job.form, job.copy_no)
            if main is None:
                return None, None, []
            found = []
            for doc in documents_repo.attachments_of(s, job.dossier_id, current=True):
                if any(v.filed_with_id == main.id for v in doc.versions):
                    continue
                upload = latest(list(doc.versions), "upload")
                if upload is not None and upload.media_type == PDF:
                    found.append((doc.id, upload))
            return main.id, main.number, found

    main_id, number, items = await asyncio.to_thread(pending)
    if main_id is None or not items:
        return []
    material, _ = await asyncio.to_thread(seal_material, rt, job)
    done = []
    for doc_id, upload in items:
        pdf = await asyncio.to_thread(rt.store.get, upload.object_key, upload.object_version_id)
        now = datetime.now(VIETNAM).replace(microsecond=0)
        lines = [f"Số: {number}", now.isoformat()] if number else [now.isoformat()]
        try:
            signed = await rt.signing.sign(
                pdf,
                material,
                field_name=fields.SEAL_FIELD,
                reason=f"Văn bản kèm theo Tờ trình số {number}" if number else "Văn bản kèm theo",
                location=rt.settings.place_name,
                stamp_lines=lines,
                page=0,
                box=ATTACHMENT_BOX,
                signing_time=now,
                certify=True,
                font_size=10,
                **rt.long_term(),
            )
        except SigningFailed:
            continue
        # One key per (upload, Tờ trình): a retry adopts its own copy, never another's.
        key = upload.object_key.rsplit(".", 1)[0] + f"-filed-{main_id}-pdf-signed.pdf"
        obj, stored = await asyncio.to_thread(store, rt, key, signed, PDF)
        reports = [r.to_dict() for r in await rt.signing.verify(stored, list(material.chain_pems))]
        await asyncio.to_thread(
            record,
            rt,
            doc_id,
            "pdf-signed",
            obj,
            PDF,
            signatures=reports,
            file_name=sealed_copy_name(upload.file_name, number),
            filed_with_id=main_id,
        )
        done.append(doc_id)
    return done
