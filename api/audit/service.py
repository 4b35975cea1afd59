"""Audit use cases: a dossier's history as entries, as an exported JSON file and as a PDF
sealed by the authority; recording reads of documents and exports in the chain.

A read is an event like any other (kind `document_downloaded`, `history_exported`): it
goes into the global chain and into the dossier's chain, names the file and its SHA-256,
and is shown to auditors (participants see the dossier's steps, not who read what).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

from sqlalchemy.orm import Session

from api.audit.schemas import (
    ChainCheck,
    DocumentRef,
    ExportedDocument,
    ExportedEvent,
    HistoryEntry,
    HistoryExport,
)
from api.dossiers.service import visible_dossier
from doc_templates.catalogue import template_path
from documents.pki import decrypt_key
from documents.render import render_docx
from documents.sign import SignerMaterial
from documents.vn import date_text
from domain.awards import AWARDS
from domain.errors import Forbidden, NotFound
from domain.process import STATUS_LABELS, Status
from domain.roles import ROLE_LABELS, Actor, Role, RoleGrant
from flows.runtime import Runtime
from storage import audit
from storage import repositories as repo
from storage.checkpoints import latest
from storage.db import Database
from storage.models import AuditEvent, ClusterTerm, Dossier, User, utcnow
from storage.objects import ObjectStore

READ_KINDS = ("document_downloaded", "history_exported")
READ_LABELS = {
    "document_downloaded": "Tải, đọc văn bản",
    "history_exported": "Xuất lịch sử hồ sơ",
}
SYSTEM_ACTOR = "Hệ thống tdkt (tự động)"
EXPORT_TYPE = "tdkt.dossier-history"
RENDITION_LABELS = {
    "docx": "bản DOCX",
    "pdf-prepared": "bản PDF chuẩn bị ký",
    "pdf-personal": "bản PDF có chữ ký cá nhân",
    "pdf-signed": "bản PDF đã ký số",
    "upload": "tệp đính kèm",
}
CANONICAL_RULE = {
    "hash": "SHA-256 (hex) of the UTF-8 JSON of `event`: keys sorted, separators ',' and ':', "
    "no ASCII escaping (Python: json.dumps(event, sort_keys=True, separators=(',', ':'), "
    "ensure_ascii=False))",
    "keys": list(audit.CANONICAL_KEYS),
    "keys_format_1": list(audit.CANONICAL_KEYS_V1),
    "global_link": "event.prev_hash is the hash of the previous event in the global chain",
    "dossier_link": "event.dossier_prev_hash is the hash of the previous event of this "
    "dossier; 64 zeros for its first event",
}


def is_auditor(actor: Actor) -> bool:
    return Role.AUDITOR in actor.roles()


def _status_label(status: str | None) -> str | None:
    if status is None:
        return None
    try:
        return STATUS_LABELS[Status(status)]
    except ValueError:
        return status


def _role_label(role: str | None) -> str | None:
    if role is None:
        return None
    try:
        return ROLE_LABELS[Role(role)]
    except ValueError:
        return role


def _label(kind: str, labels: Mapping[str, str]) -> str:
    return labels.get(kind) or READ_LABELS.get(kind) or kind


def history_entry(e: AuditEvent, labels: Mapping[str, str]) -> HistoryEntry:
    return HistoryEntry(
        seq=e.dossier_seq or 0,
        event_seq=e.seq,
        kind=e.kind,
        label=_label(e.kind, labels),
        at=e.occurred_at,
        at_vn=audit.vn_time(e.occurred_at),
        actor=e.actor_name,
        actor_id=e.actor_id,
        actor_role=e.actor_role,
        actor_role_label=_role_label(e.actor_role),
        actor_unit=e.actor_unit,
        on_behalf_of=e.on_behalf_of,
        from_status=e.from_status,
        from_status_label=_status_label(e.from_status),
        to_status=e.to_status,
        to_status_label=_status_label(e.to_status),
        reason=e.reason,
        documents=[
            DocumentRef(
                document_id=d.get("document_id"),
                form=d.get("form"),
                number=d.get("number"),
                rendition=d.get("rendition"),
                object_key=d["object_key"],
                version_id=d.get("version_id"),
                sha256=d["sha256"],
            )
            for d in audit.documents_of_event(e.data)
        ],
        data=e.data,
        hash=e.hash,
        prev_hash=e.prev_hash,
        dossier_prev_hash=e.dossier_prev_hash,
    )


def history(
    s: Session, actor: Actor, dossier_id: int, labels: Mapping[str, str], *, include_reads: bool
) -> list[HistoryEntry]:
    """The history of a dossier the actor can see (404 otherwise). Reads of documents are
    shown to auditors only: who inspected what is the inspection's business."""
    visible_dossier(s, actor, dossier_id)
    if include_reads and not is_auditor(actor):
        raise Forbidden(
            "Chỉ thanh tra, kiểm tra được xem ai đã đọc, tải văn bản của hồ sơ.",
            code="forbidden_action",
        )
    skip = () if include_reads else READ_KINDS
    events = repo.dossier_events(s, dossier_id, without_kinds=skip)
    return [history_entry(e, labels) for e in events]


# ---------------------------------------------------------------- recording reads


def _grant_place(s: Session, g: RoleGrant | None) -> str:
    if g is None:
        return ""
    if g.unit_id is not None:
        return repo.unit(s, g.unit_id).name
    if g.cluster_term_id is not None:
        term = s.get(ClusterTerm, g.cluster_term_id)
        c = repo.cluster(s, term.cluster_id) if term else None
        return c.name if c else ""
    if g.authority_id is not None:
        return repo.authority(s, g.authority_id).name
    return ""


def viewer_who(s: Session, user: User, actor: Actor, d: Dossier) -> audit.Who:
    """Who read a dossier's file: in the role that let them see it (auditor first)."""
    scope = repo.scope_of(s, d)
    grant = next((g for g in actor.grants if g.role == Role.AUDITOR), None) or next(
        (g for g in actor.grants if Actor(actor.user_id, (g,)).can_view(scope)), None
    )
    return audit.Who(
        user.id, user.full_name, str(grant.role) if grant else "", _grant_place(s, grant)
    )


def record_read(
    db: Database, *, user_id: int, dossier_id: int, kind: str, data: dict[str, Any]
) -> int:
    """Append a read to the chain in its own short transaction; returns its seq. The file
    is handed out only after this commits, so no read goes unrecorded."""
    with db.write() as s:
        user = repo.user_by_id(s, user_id)
        d = repo.dossier(s, dossier_id)
        if user is None or d is None:
            raise NotFound("Không tìm thấy hồ sơ.", code="dossier_not_found")
        who = viewer_who(s, user, repo.actor_of(user), d)
        return audit.append(s, kind=kind, dossier_id=d.id, who=who, data=data).seq


# ---------------------------------------------------------------- export


def build_export(
    rt: Runtime, user_id: int, dossier_id: int, labels: Mapping[str, str]
) -> HistoryExport:
    """Everything about one dossier an auditor needs to check it elsewhere: each event
    with exactly the fields its hash covers, each stored file with its SHA-256, the check
    of the dossier's chain and the latest signed checkpoint. Auditors only."""
    with rt.db.read() as s:
        user = repo.user_by_id(s, user_id)
        if user is None:
            raise NotFound("Không tìm thấy tài khoản.", code="user_not_found")
        actor = repo.actor_of(user)
        d = visible_dossier(s, actor, dossier_id)
        if not is_auditor(actor):
            raise Forbidden(
                "Chỉ thanh tra, kiểm tra được xuất lịch sử hồ sơ.", code="forbidden_action"
            )
        return _export(s, rt.store, d, user, labels)


def _export(
    s: Session, store: ObjectStore, d: Dossier, user: User, labels: Mapping[str, str]
) -> HistoryExport:
    events = list(repo.dossier_events(s, d.id))
    chain = audit.check_dossier_events(events)
    cluster = repo.cluster(s, d.cluster_id)
    authority = repo.authority(s, d.authority_id)
    if chain.ok:
        detail = (
            f"Chuỗi lịch sử của hồ sơ toàn vẹn: {chain.events} sự kiện, mỗi sự kiện tính lại "
            "đúng mã băm và nối đúng với sự kiện trước."
        )
    else:
        detail = f"Chuỗi lịch sử của hồ sơ sai ở sự kiện số {chain.first_bad}: {chain.why}."
    cp = latest(store)
    last_seq = events[-1].seq if events else 0
    now = utcnow()
    return HistoryExport(
        type=EXPORT_TYPE,
        format=1,
        dossier={
            "id": d.id,
            "title": d.title,
            "unit_id": d.unit_id,
            "unit_name": repo.unit(s, d.unit_id).name,
            "cluster_name": cluster.name if cluster else None,
            "authority": authority.name,
            "award": d.award,
            "award_name": AWARDS[d.award].name if d.award in AWARDS else d.award,
            "year": d.year,
            "status": d.status,
            "status_label": _status_label(d.status),
        },
        exported_at=now,
        exported_at_vn=audit.vn_time(now),
        exported_by={
            "user_id": user.id,
            "name": user.full_name,
            "role": str(Role.AUDITOR),
            "role_label": ROLE_LABELS[Role.AUDITOR],
        },
        canonical=CANONICAL_RULE,
        events=[
            ExportedEvent(
                event=audit.canonical_body(e),
                hash=e.hash,
                label=_label(e.kind, labels),
                at_vn=audit.vn_time(e.occurred_at),
                actor_role_label=_role_label(e.actor_role),
            )
            for e in events
        ],
        documents=[
            ExportedDocument(
                document_id=doc.id,
                form=doc.form,
                title=doc.title,
                number=doc.number,
                rendition=v.rendition,
                object_key=v.object_key,
                version_id=v.object_version_id,
                sha256=v.sha256,
                size=v.size,
                created_at=v.created_at,
            )
            for doc in repo.documents_of(s, d.id)
            for v in doc.versions
        ],
        chain=ChainCheck(
            ok=chain.ok, events=chain.events, last_hash=chain.last_hash, detail=detail
        ),
        checkpoint=(
            {**cp.summary(), "covers_last_event": cp.count >= last_seq} if cp is not None else None
        ),
    )


async def export_file(
    rt: Runtime,
    user_id: int,
    dossier_id: int,
    format: Literal["json", "pdf"],
    labels: Mapping[str, str],
) -> tuple[bytes, str, str]:
    """One dossier's history as a file for an auditor: (bytes, media type, SHA-256). The
    export is recorded in the history, with the file's SHA-256, before it is handed out."""
    export = await asyncio.to_thread(build_export, rt, user_id, dossier_id, labels)
    if format == "pdf":
        body, media = await export_pdf(rt, export), "application/pdf"
    else:
        body, media = export_json_bytes(export), "application/json"
    digest = hashlib.sha256(body).hexdigest()
    await asyncio.to_thread(
        record_read,
        rt.db,
        user_id=user_id,
        dossier_id=dossier_id,
        kind="history_exported",
        data={
            "format": format,
            "file_sha256": digest,
            "events": len(export.events),
            "last_hash": export.chain.last_hash,
        },
    )
    return body, media, digest


def export_json_bytes(export: HistoryExport) -> bytes:
    return json.dumps(export.model_dump(mode="json"), ensure_ascii=False, indent=2).encode()


def _checkpoint_text(export: HistoryExport) -> str:
    cp = export.checkpoint
    if cp is None:
        return "Chưa có mốc kiểm tra nào được ký vào kho lưu trữ."
    when = audit.vn_time(str(cp["at"]))
    if cp["covers_last_event"]:
        return (
            f"Sự kiện cuối của hồ sơ đã được neo vào mốc kiểm tra số {cp['number']} (ký lúc "
            f"{when}, ghi nhận {cp['count']} sự kiện của toàn hệ thống, mã băm đầu chuỗi "
            f"{cp['hash']}), lưu không sửa được trong kho lưu trữ: {cp['object_key']}."
        )
    return (
        f"Mốc kiểm tra gần nhất là số {cp['number']} (ký lúc {when}, ghi nhận {cp['count']} "
        "sự kiện); các sự kiện sau đó sẽ được neo ở mốc kiểm tra kế tiếp."
    )


def _actor_text(e: ExportedEvent) -> str:
    ev = e.event
    if ev.get("actor_name") is None:
        return SYSTEM_ACTOR
    parts = [str(ev["actor_name"])]
    if e.actor_role_label:
        parts.append(e.actor_role_label)
    if ev.get("actor_unit"):
        parts.append(str(ev["actor_unit"]))
    text = ", ".join(parts)
    behalf = ev.get("on_behalf_of")
    if behalf and behalf != ev.get("actor_unit"):
        text += f"; thay mặt {behalf}"
    return text


def _action_text(e: ExportedEvent) -> str:
    ev = e.event
    src, dst = _status_label(ev.get("from_status")), _status_label(ev.get("to_status"))
    if src and dst and src != dst:
        return f"{e.label} ({src} → {dst})"
    if dst and not src:
        return f"{e.label} ({dst})"
    return e.label


def pdf_context(export: HistoryExport, authority: dict[str, str], place: str) -> dict[str, Any]:
    return {
        "issuer": authority,
        "place": place,
        "date_text": date_text(export.exported_at.astimezone(audit.VIETNAM).date()),
        "subject": f"Hồ sơ số {export.dossier['id']}: {export.dossier['title']}",
        "dossier": export.dossier,
        "events": [
            {
                "index": e.event.get("dossier_seq") or i,
                "at": e.at_vn.removesuffix(" (giờ Việt Nam)"),
                "actor": _actor_text(e),
                "action": _action_text(e),
                "reason": e.event.get("reason") or "",
                "documents": [
                    f"{d['object_key'].rsplit('/', 1)[-1]}: SHA-256 {d['sha256']}"
                    for d in audit.documents_of_event(e.event.get("data") or {})
                ],
                "hash": e.hash,
            }
            for i, e in enumerate(export.events, start=1)
        ],
        "documents": [
            {
                "index": i,
                "title": d.title
                + (f" – số {d.number}" if d.number else "")
                + f" ({RENDITION_LABELS.get(d.rendition, d.rendition)})",
                "object_key": d.object_key,
                "sha256": d.sha256,
            }
            for i, d in enumerate(export.documents, start=1)
        ],
        "chain": {
            "result": export.chain.detail,
            "checkpoint": _checkpoint_text(export),
            "method": (
                "Mã băm của mỗi sự kiện là SHA-256 của dạng chuẩn JSON của sự kiện (các khóa "
                "sắp xếp theo thứ tự, phân cách «,» và «:», mã UTF-8), trong đó có mã băm của "
                "sự kiện trước trong toàn hệ thống và của sự kiện trước trong hồ sơ. Tệp xuất "
                "JSON của cùng hồ sơ chứa đúng các trường này để tự tính lại."
            ),
        },
        "exported_by": f"{export.exported_by['name']} ({export.exported_by['role_label']})",
        "exported_at": export.exported_at_vn,
    }


def _seal(rt: Runtime, authority_id: int) -> tuple[SignerMaterial, dict[str, str]]:
    with rt.db.read() as s:
        a = repo.authority(s, authority_id)
        key = repo.organisation_key(s, authority_id=authority_id)
        if key is None or key.key_pem_encrypted is None:
            raise LookupError(f"no organisation key for authority {a.code}")
        chain = tuple(r.cert_pem for r in repo.trust_roots(s))
        material = SignerMaterial(
            decrypt_key(key.key_pem_encrypted, rt.settings.secret_key), key.cert_pem, chain
        )
        return material, {"parent_name": a.parent_name, "name": a.name, "code": a.code}


def _authority_of(rt: Runtime, dossier_id: int) -> int:
    with rt.db.read() as s:
        d = repo.dossier(s, dossier_id)
        if d is None:
            raise NotFound("Không tìm thấy hồ sơ.", code="dossier_not_found")
        return d.authority_id


async def export_pdf(rt: Runtime, export: HistoryExport) -> bytes:
    """The "Lịch sử hồ sơ" PDF: filled from the DOCX form, converted by LibreOffice and
    sealed (PAdES) by the dossier's authority, like the documents of the steps."""
    authority_id = await asyncio.to_thread(_authority_of, rt, int(export.dossier["id"]))
    material, issuer = await asyncio.to_thread(_seal, rt, authority_id)
    context = pdf_context(export, issuer, rt.settings.place_name)
    docx = await asyncio.to_thread(render_docx, template_path("lich_su_ho_so"), context)
    pdf = await rt.converter.convert(docx)
    now = datetime.now(audit.VIETNAM).replace(microsecond=0)
    return await rt.signing.sign(
        pdf,
        material,
        field_name="ToChucKy",
        reason=f"Lịch sử hồ sơ số {export.dossier['id']}",
        location=rt.settings.place_name,
        stamp_lines=[f"Ký bởi: {issuer['name']}", f"Thời gian ký: {now.isoformat()}"],
        signing_time=now,
    )
