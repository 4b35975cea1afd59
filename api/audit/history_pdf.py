"""The "Lịch sử hồ sơ" PDF of a dossier's history export: filled from the DOCX form
(doc_templates/ `lich_su_ho_so`), converted by LibreOffice and sealed (PAdES) by the
dossier's authority, like the documents of the steps."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from api.audit.labels import RENDITION_LABELS, SYSTEM_ACTOR, status_label
from api.audit.schemas import ExportedEvent, HistoryExport
from doc_templates.catalogue import template_path
from documents.render import render_docx
from documents.sign import SignerMaterial
from documents.vn import date_text
from domain.errors import NotFound
from issuing.issue import organisation_material
from issuing.runtime import Runtime
from storage import audit
from storage.repositories import dossiers as dossiers_repo
from storage.repositories import org as org_repo


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
    if e.actor_line:
        return e.actor_line
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
    src, dst = status_label(ev.get("from_status")), status_label(ev.get("to_status"))
    if src and dst and src != dst:
        return f"{e.label} ({src} → {dst})"
    if dst and not src:
        return f"{e.label} ({dst})"
    return e.label


def _file_text(d: dict[str, Any], known: dict[str, tuple[str, str | None, str]]) -> str:
    """A file an event names: its document's title and number, which rendition, and (the
    PDF is for auditors) its storage key and SHA-256."""
    title, number, rendition = known.get(d["object_key"], (d.get("form") or "Tệp", None, ""))
    number = d.get("number") or number
    label = RENDITION_LABELS.get(rendition or d.get("rendition") or "", "")
    head = title + (f" số {number}" if number else "") + (f" ({label})" if label else "")
    return f"{head} – {d['object_key']}: SHA-256 {d['sha256']}"


def pdf_context(export: HistoryExport, authority: dict[str, str], place: str) -> dict[str, Any]:
    known = {d.object_key: (d.title, d.number, d.rendition) for d in export.documents}
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
                    _file_text(d, known)
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


def _seal(rt: Runtime, dossier_id: int) -> tuple[SignerMaterial, dict[str, str]]:
    """The seal of the dossier's authority, and the authority as the PDF names it."""
    with rt.db.read() as s:
        d = dossiers_repo.dossier(s, dossier_id)
        if d is None:
            raise NotFound("Không tìm thấy hồ sơ.", code="dossier_not_found")
        a = org_repo.authority(s, d.authority_id)
        material, _ = organisation_material(
            s, rt.settings.secret_key, f"authority {a.code}", authority_id=a.id
        )
        return material, {"parent_name": a.parent_name, "name": a.name, "code": a.code}


async def export_pdf(rt: Runtime, export: HistoryExport) -> bytes:
    """The "Lịch sử hồ sơ" PDF: filled from the DOCX form, converted by LibreOffice and
    sealed (PAdES) by the dossier's authority, like the documents of the steps."""
    material, issuer = await asyncio.to_thread(_seal, rt, int(export.dossier["id"]))
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
