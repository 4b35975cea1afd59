"""The cluster's covenant (Giao ước thi đua) as a document: filled from the plan and the
members' commitments, converted, with one empty personal signature field over each
member head's printed name and the head unit's seal field over the left third of its
head's signature (documents/fields.py); sealed, once every member has signed, with the
head unit's organisation seal and the date.

The covenant is not a step of a process (no transitions): its document is the cluster
year's form `giao_uoc_thi_dua`, prepared when the head unit opens it for signing. The
members' signatures are `issue.sign_personally`, each on top of the latest signed
version; this module prepares and seals.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from doc_templates.catalogue import FORMS
from doc_templates.versions import resolve_template
from documents import fields
from documents.appearance import seal_image
from documents.render import render_docx
from domain.subjects import Subject
from storage.models import Document, subject_columns
from storage.objects import StoredObject
from storage.repositories import documents as documents_repo

from .issue import DOCX, PDF, date_values, latest, organisation_material, record, store, versions
from .jobs import LEGAL_BASES, VIETNAM
from .runtime import Runtime

FORM = "giao_uoc_thi_dua"
SEQ = 0
"""The covenant's document is not a step's: it is the year's only `giao_uoc_thi_dua`."""


@dataclass(frozen=True)
class Signer:
    unit_id: int
    unit_name: str
    user_id: int
    full_name: str
    position: str
    field: str


@dataclass(frozen=True)
class MemberCommitments:
    unit_name: str
    items: list[tuple[str, str, str]]
    """(indicator, target, criterion code or "")."""


def covenant_context(
    *,
    cluster_name: str,
    parent_name: str,
    year: int,
    place: str,
    plan_number: str | None,
    goals: str,
    members: list[MemberCommitments],
    signers: list[Signer],
) -> dict[str, Any]:
    """What the form prints (doc_templates/catalogue.py, field `covenant`)."""
    bases = [
        "Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;",
        LEGAL_BASES[1].removesuffix(".") + ";",
    ]
    if plan_number:
        bases.append(f"Căn cứ Kế hoạch số {plan_number} của Trưởng cụm về thi đua năm {year},")
    else:
        bases[-1] = bases[-1].removesuffix(";") + ","
    lines = [line.strip() for line in goals.splitlines() if line.strip()]
    if not lines:
        lines = [
            f"Thi đua hoàn thành xuất sắc nhiệm vụ chính trị năm {year} của mỗi đơn vị; "
            "thực hiện đúng, đủ, kịp thời các chỉ tiêu đã giao ước dưới đây."
        ]
    blank = {"unit_name": "", "position": "", "full_name": ""}
    people = [
        {
            "unit_name": x.unit_name,
            "position": x.position or "Thủ trưởng đơn vị",
            "full_name": x.full_name,
        }
        for x in signers
    ]
    rows = [
        {"left": people[i], "right": people[i + 1] if i + 1 < len(people) else blank}
        for i in range(0, len(people), 2)
    ]
    return {
        "issuer": {"parent_name": parent_name, "name": cluster_name, "code": ""},
        "place": place,
        "date_text": fields.date_placeholder(),
        "subject": f"Năm {year}",
        "legal_bases": bases,
        "covenant": {
            "year": year,
            "cluster_name": cluster_name,
            "member_names": ", ".join(m.unit_name for m in members),
            "goals": lines,
            "members": [
                {
                    "index": i,
                    "name": m.unit_name,
                    "commitments": [
                        {"index": j, "indicator": ind, "target": tgt, "criterion": crit}
                        for j, (ind, tgt, crit) in enumerate(m.items, 1)
                    ],
                }
                for i, m in enumerate(members, 1)
            ],
            "signer_rows": rows,
        },
    }


def _key(subject: Subject, n: int, rendition: str) -> str:
    ext = "docx" if rendition == "docx" else "pdf"
    return f"{subject.kind.value}s/{subject.id}/{SEQ:03d}-{FORM}-v{n}-{rendition}.{ext}"


def _reserve(rt: Runtime, subject: Subject, title: str, issuer_name: str) -> int:
    with rt.db.write() as s:
        doc = documents_repo.document_of(s, subject, SEQ, FORM, 0)
        if doc is not None:
            return doc.id
        template = resolve_template(s, rt.store, FORM, None)
        doc = Document(
            **subject_columns(subject),
            transition_seq=SEQ,
            form=FORM,
            copy_no=0,
            title=title,
            issuer_name=issuer_name,
            template_id=FORMS[FORM].code,
            template_version=template.version,
            template_sha256=template.sha256,
        )
        s.add(doc)
        s.flush()
        return doc.id


async def prepare(
    rt: Runtime,
    subject: Subject,
    context: dict[str, Any],
    signers: list[Signer],
    head_full_name: str,
    *,
    title: str,
    issuer_name: str,
) -> int:
    """Fill, convert and lay the fields: one personal field per signer (their printed
    name), the seal's over the head unit's head. Returns the document's id; its latest
    `pdf-prepared` version is what the first member signs."""
    doc_id = await asyncio.to_thread(_reserve, rt, subject, title, issuer_name)
    doc, vs = await asyncio.to_thread(versions, rt, doc_id)

    def template() -> bytes:
        with rt.db.write() as s:
            return resolve_template(s, rt.store, FORM, doc.template_version).data

    n = len(vs) + 1
    docx = await asyncio.to_thread(render_docx, await asyncio.to_thread(template), context)
    obj, docx = await asyncio.to_thread(store, rt, _key(subject, n, "docx"), docx, DOCX)
    await asyncio.to_thread(record, rt, doc_id, "docx", obj, DOCX)
    pdf = await rt.converter.convert(docx)
    others = {x.field: x.full_name for x in signers}
    found = await asyncio.to_thread(fields.locate, pdf, head_full_name, others, docx=docx)
    missing = [x.full_name for x in signers if x.field not in found.other_persons]
    if missing:
        raise LookupError(f"covenant: no printed name for {missing}")
    layout = fields.Layout(
        found.page_heights, found.text_fields, None, found.seal_box, found.other_persons
    )
    pdf = await asyncio.to_thread(fields.add_fields, pdf, layout, personal=True, sealed=True)
    obj, _ = await asyncio.to_thread(store, rt, _key(subject, n + 1, "pdf-prepared"), pdf, PDF)
    await asyncio.to_thread(record, rt, doc_id, "pdf-prepared", obj, PDF)
    return doc_id


async def seal(
    rt: Runtime, doc_id: int, head_unit_id: int, head_unit_name: str
) -> tuple[StoredObject, list[dict[str, object]], date]:
    """The date, then the head unit's seal in its field, on top of the last member's
    signature: the sealed covenant (`pdf-signed`). Not recorded here (the caller does, in
    its transaction)."""
    _, vs = await asyncio.to_thread(versions, rt, doc_id)
    base = latest(vs, "pdf-personal")
    if base is None:
        raise LookupError(f"covenant document {doc_id} has no signature to seal")
    pdf = await asyncio.to_thread(rt.store.get, base.object_key, base.object_version_id)
    now = datetime.now(VIETNAM).replace(microsecond=0)
    pdf = await asyncio.to_thread(fields.fill_fields, pdf, date_values(now))

    def material() -> Any:
        with rt.db.read() as s:
            return organisation_material(
                s, rt.settings.secret_key, head_unit_name, unit_id=head_unit_id
            )

    mat, owner = await asyncio.to_thread(material)
    signed = await rt.signing.sign(
        pdf,
        mat,
        field_name=fields.SEAL_FIELD,
        reason=f"Đóng dấu {FORMS[FORM].title}",
        location=rt.settings.place_name,
        stamp_lines=[],
        signing_time=now,
        certify=False,
        background=seal_image(owner),
        **rt.long_term(),
    )
    key = base.object_key.removesuffix(".pdf") + f"-v{base.seq + 1}-pdf-signed.pdf"
    obj, stored = await asyncio.to_thread(store, rt, key, signed, PDF)
    reports = [r.to_dict() for r in await rt.signing.verify(stored, list(mat.chain_pems))]
    return obj, reports, now.date()
