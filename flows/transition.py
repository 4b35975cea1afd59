"""The machine work after a committed step: one Prefect flow run per outbox row.

route (who is next) → fill the step's forms (docxtpl) → PDF (LibreOffice) → number and
organisation signature (PAdES) → store (write-once) → audit event → notify.

Idempotent per (dossier, transition seq): a document row and its number are reserved
once; a file already stored under its deterministic key by an earlier attempt is adopted,
never written twice; the audit event has a unique key. Parameters are ids only.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from sqlalchemy import select

from doc_templates.catalogue import FORMS, template_path, template_sha256
from documents.pki import decrypt_key
from documents.render import render_docx
from documents.sign import SignerMaterial, sign_pdf
from documents.verify import verify_pdf
from documents.vn import document_number
from domain.process import PROCESSES, STATUS_LABELS, STATUS_STAGE, Status
from storage import audit
from storage import repositories as repo
from storage.models import Document, DocumentVersion, Notification, OutboxItem, utcnow
from storage.objects import ObjectExists, StoredObject

from .forms import VIETNAM, FormJob, form_context, issued_at, plan_step
from .runtime import Runtime, current

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"


def object_key(job: FormJob, ext: str) -> str:
    suffix = f"-{job.copy_no:02d}" if job.copy_no else ""
    return f"dossiers/{job.dossier_id}/{job.seq:03d}-{job.form}{suffix}.{ext}"


def _reserve(rt: Runtime, job: FormJob) -> int:
    """The document row of this job, created once with its number (gap-free: the number is
    taken in the same transaction that records the document)."""
    with rt.db.write() as s:
        doc = repo.find_document(s, job.dossier_id, job.seq, job.form, job.copy_no)
        if doc is not None:
            return doc.id
        spec = FORMS[job.form]
        t = repo.transition(s, job.dossier_id, job.seq)
        assert t is not None
        number = None
        if job.numbered:
            n = repo.next_number(s, job.issuer.series, spec.doc_type_code, issued_at(t).year)
            number = document_number(n, spec.doc_type_code, job.issuer.code)
        doc = Document(
            dossier_id=job.dossier_id,
            transition_seq=job.seq,
            form=job.form,
            copy_no=job.copy_no,
            title=job.title,
            number=number,
            issuer_name=job.issuer.name,
            template_id=spec.code,
            template_version=spec.version,
            template_sha256=template_sha256(spec.code),
        )
        s.add(doc)
        s.flush()
        return doc.id


def _store(rt: Runtime, key: str, data: bytes, media_type: str) -> tuple[StoredObject, bytes]:
    """Write once; if an earlier attempt already stored this key, adopt what it stored."""
    try:
        return rt.store.put(key, data, media_type), data
    except ObjectExists:
        return rt.store.stat(key), rt.store.get(key)


def _record(
    rt: Runtime,
    doc_id: int,
    rendition: str,
    obj: StoredObject,
    media_type: str,
    file_name: str,
    signatures: list[dict[str, object]] | None = None,
) -> None:
    with rt.db.write() as s:
        exists = s.scalar(select(DocumentVersion).where(DocumentVersion.object_key == obj.key))
        if exists is not None:
            return
        doc = repo.document(s, doc_id)
        assert doc is not None
        s.add(
            DocumentVersion(
                document_id=doc_id,
                seq=len(doc.versions) + 1,
                rendition=rendition,
                object_key=obj.key,
                object_version_id=obj.version_id,
                sha256=obj.sha256,
                size=obj.size,
                media_type=media_type,
                file_name=file_name,
                signatures=signatures,
            )
        )


def _existing(rt: Runtime, doc_id: int) -> tuple[str | None, dict[str, DocumentVersion]]:
    """The document's number and the files already recorded for it."""
    with rt.db.read() as s:
        doc = repo.document(s, doc_id)
        assert doc is not None
        return doc.number, {v.rendition: v for v in doc.versions}


def _seal_material(rt: Runtime, job: FormJob) -> SignerMaterial:
    with rt.db.read() as s:
        key = repo.organisation_key(
            s, unit_id=job.issuer.key_unit_id, authority_id=job.issuer.key_authority_id
        )
        if key is None or key.key_pem_encrypted is None:
            raise LookupError(f"no organisation key for {job.issuer.series}")
        chain = tuple(r.cert_pem for r in repo.trust_roots(s))
        return SignerMaterial(
            decrypt_key(key.key_pem_encrypted, rt.settings.secret_key), key.cert_pem, chain
        )


def _context(rt: Runtime, job: FormJob, doc_id: int) -> dict[str, object]:
    with rt.db.read() as s:
        doc = repo.document(s, doc_id)
        assert doc is not None
        return form_context(s, job, doc, rt.settings.place_name)


@task(name="issue-form", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=1)
async def issue_form(job: FormJob) -> int:
    rt = current()
    doc_id = await asyncio.to_thread(_reserve, rt, job)
    number, done = await asyncio.to_thread(_existing, rt, doc_id)
    if "pdf-signed" in done:
        return doc_id
    base = object_key(job, "docx").rsplit("/", 1)[1].removesuffix(".docx")
    if "docx" in done:
        docx = await asyncio.to_thread(rt.store.get, done["docx"].object_key)
    else:
        context = await asyncio.to_thread(_context, rt, job, doc_id)
        rendered = await asyncio.to_thread(render_docx, template_path(job.form), context)
        obj, docx = await asyncio.to_thread(_store, rt, object_key(job, "docx"), rendered, DOCX)
        await asyncio.to_thread(_record, rt, doc_id, "docx", obj, DOCX, f"{base}.docx")
    pdf = await rt.converter.convert(docx)
    material = await asyncio.to_thread(_seal_material, rt, job)
    now = datetime.now(VIETNAM).replace(microsecond=0)
    lines = [f"Ký bởi: {job.issuer.name}"]
    if number:
        lines.append(f"Số: {number}")
    lines.append(f"Thời gian ký: {now.isoformat()}")
    signed = await sign_pdf(
        pdf,
        material,
        field_name="ToChucKy",
        reason=FORMS[job.form].title,
        location=rt.settings.place_name,
        stamp_lines=lines,
        signing_time=now,
    )
    obj, stored = await asyncio.to_thread(_store, rt, object_key(job, "pdf"), signed, PDF)
    roots = [material.chain_pems[0]] if material.chain_pems else []
    reports = [r.to_dict() for r in await verify_pdf(stored, roots)]
    await asyncio.to_thread(_record, rt, doc_id, "pdf-signed", obj, PDF, f"{base}.pdf", reports)
    return doc_id


def _finish(rt: Runtime, outbox_id: int, doc_ids: list[int]) -> None:
    """Notify who is next, record the machine step in the history, close the outbox row."""
    with rt.db.write() as s:
        item = s.get(OutboxItem, outbox_id)
        assert item is not None
        d = repo.dossier(s, item.dossier_id)
        assert d is not None
        t = repo.transition(s, d.id, item.transition_seq)
        assert t is not None
        process = PROCESSES[d.process]
        scope = repo.scope_of(s, d)
        to_status = Status(t.to_status)
        next_roles = {r for tr in process.transitions if tr.source == to_status for r in tr.roles}
        recipients = {u.id for r in next_roles for u in repo.users_holding(s, r, scope)}
        for user_id in sorted(recipients):
            seen = s.scalar(
                select(Notification).where(
                    Notification.user_id == user_id,
                    Notification.dossier_id == d.id,
                    Notification.transition_seq == t.seq,
                )
            )
            if seen is None:
                s.add(
                    Notification(
                        user_id=user_id,
                        dossier_id=d.id,
                        transition_seq=t.seq,
                        message=f"Hồ sơ «{d.title}»: {STATUS_LABELS[to_status]}",
                    )
                )
        docs = []
        for doc_id in doc_ids:
            doc = repo.document(s, doc_id)
            assert doc is not None
            docs += [
                {
                    "document_id": doc.id,
                    "form": doc.form,
                    "number": doc.number,
                    "object_key": v.object_key,
                    "version_id": v.object_version_id,
                    "sha256": v.sha256,
                }
                for v in doc.versions
            ]
        audit.append(
            s,
            kind="documents_issued" if docs else "routed",
            dossier_id=d.id,
            event_key=f"step:{d.id}:{t.seq}",
            from_status=t.from_status,
            to_status=t.to_status,
            data={
                "transition_seq": t.seq,
                "documents": docs,
                "stage": str(STATUS_STAGE[to_status]),
                "notified_user_ids": sorted(recipients),
            },
        )
        item.state, item.finished_at, item.last_error = "done", utcnow(), None


def _fail(rt: Runtime, outbox_id: int, error: str) -> None:
    with rt.db.write() as s:
        item = s.get(OutboxItem, outbox_id)
        if item is not None and item.state != "done":
            item.state, item.last_error = "failed", error[:2000]


@flow(name="dossier_transition_flow", log_prints=False)
async def dossier_transition_flow(outbox_id: int) -> list[int]:
    rt = current()
    with rt.db.read() as s:
        item = repo.outbox_item(s, outbox_id)
        if item is None or item.state == "done":
            return []
        dossier_id, seq = item.dossier_id, item.transition_seq
    try:
        with rt.db.read() as s:
            jobs = plan_step(s, dossier_id, seq)
        doc_ids = list(await asyncio.gather(*(issue_form(job) for job in jobs)))
        await asyncio.to_thread(_finish, rt, outbox_id, doc_ids)
        return doc_ids
    except Exception as e:
        await asyncio.to_thread(_fail, rt, outbox_id, f"{type(e).__name__}: {e}")
        raise
