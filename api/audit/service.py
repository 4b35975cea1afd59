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
from typing import Any, Literal

from sqlalchemy.orm import Session

from api.audit.history_pdf import export_pdf
from api.audit.labels import READ_LABELS, actor_line, actor_title, role_label, status_label
from api.audit.schemas import (
    ChainCheck,
    DocumentRef,
    ExportedDocument,
    ExportedEvent,
    HistoryEntry,
    HistoryExport,
)
from api.dossiers.deadlines import step_lateness
from api.dossiers.service import visible_dossier
from api.people import service as people_service
from documents.names import display_name
from domain import rounds as rounds_rules
from domain.awards import AWARDS
from domain.decisions import DecisionScope
from domain.errors import Forbidden, NotFound
from domain.process import Action
from domain.roles import ROLE_LABELS, Actor, Role, RoleGrant
from domain.subjects import Subject, SubjectKind
from issuing.runtime import Runtime
from storage import audit
from storage import decisions as decisions_store
from storage import rounds as rounds_store
from storage.checkpoints import latest
from storage.db import Database
from storage.models import (
    AuditEvent,
    ClusterProposal,
    ClusterTerm,
    ClusterYear,
    Dossier,
    User,
    utcnow,
)
from storage.objects import ObjectStore
from storage.repositories import documents as documents_repo
from storage.repositories import dossiers as dossiers_repo
from storage.repositories import org as org_repo
from storage.repositories import users as users_repo

READ_KINDS = ("document_downloaded", "history_exported", "list_exported")
EXPORT_TYPE = "tdkt.dossier-history"
CANONICAL_RULE = {
    "hash": "SHA-256 (hex) of the UTF-8 JSON of `event`: keys sorted, separators ',' and ':', "
    "no ASCII escaping (Python: json.dumps(event, sort_keys=True, separators=(',', ':'), "
    "ensure_ascii=False))",
    "keys": list(audit.CANONICAL_KEYS),
    "keys_format_2": list(audit.CANONICAL_KEYS_V2),
    "keys_format_1": list(audit.CANONICAL_KEYS_V1),
    "global_link": "event.prev_hash is the hash of the previous event in the global chain",
    "dossier_link": "event.dossier_prev_hash is the hash of the previous event of this "
    "dossier; 64 zeros for its first event",
    "subject_link": "from format 3, event.subject_prev_hash is the hash of the previous "
    "event of the same subject (subject_kind, subject_id); for a dossier it equals "
    "dossier_prev_hash",
}


def is_auditor(actor: Actor) -> bool:
    return Role.AUDITOR in actor.roles()


def _label(kind: str, labels: Mapping[str, str]) -> str:
    return labels.get(kind) or READ_LABELS.get(kind) or kind


class ActorTitles:
    """The titles of a dossier's actors (their cluster post in the dossier's year, the
    board of its authority), each looked up once."""

    def __init__(self, s: Session, d: Dossier) -> None:
        self.s, self.d = s, d
        self.board = org_repo.authority(s, d.authority_id).board_name or None

    def __call__(self, e: AuditEvent) -> tuple[str | None, str]:
        post = None
        if e.actor_role == Role.CLUSTER_APPROVER:
            post = org_repo.acted_in_cluster_post(self.s, self.d, e.actor_unit)
        title = actor_title(
            e.actor_role,
            e.actor_unit,
            e.on_behalf_of,
            year=self.d.year,
            cluster_post=post,
            board=self.board,
        )
        return title, actor_line(e.actor_name, title, e.actor_role, e.actor_unit, e.on_behalf_of)


FileNames = Mapping[str, tuple[str, str | None, str, str]]
"""Storage key → (document title, number, rendition, file name)."""


def file_names(s: Session, dossier_id: int) -> FileNames:
    """What each stored file of the dossier is, as people name it."""
    return {
        v.object_key: (
            doc.title,
            doc.number,
            v.rendition,
            display_name(doc.form, doc.title, doc.number, v.rendition, v.file_name),
        )
        for doc in documents_repo.documents_of(s, dossier_id)
        for v in doc.versions
    }


def _ref(d: dict[str, Any], names: FileNames) -> DocumentRef:
    title, number, rendition, file_name = names.get(d["object_key"], (None, None, None, None))
    return DocumentRef(
        document_id=d.get("document_id"),
        form=d.get("form"),
        number=d.get("number") or number,
        rendition=d.get("rendition") or rendition,
        object_key=d["object_key"],
        version_id=d.get("version_id"),
        sha256=d["sha256"],
        title=title or d.get("title"),
        file_name=file_name or d.get("file_name"),
    )


def history_entry(
    e: AuditEvent,
    labels: Mapping[str, str],
    titles: ActorTitles | None = None,
    names: FileNames | None = None,
) -> HistoryEntry:
    title, line = titles(e) if titles is not None else (None, "")
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
        actor_role_label=role_label(e.actor_role),
        actor_title=title,
        actor_line=line
        or actor_line(e.actor_name, None, e.actor_role, e.actor_unit, e.on_behalf_of),
        actor_unit=e.actor_unit,
        on_behalf_of=e.on_behalf_of,
        from_status=e.from_status,
        from_status_label=status_label(e.from_status),
        to_status=e.to_status,
        to_status_label=status_label(e.to_status),
        reason=e.reason,
        documents=[_ref(d, names or {}) for d in audit.documents_of_event(e.data)],
        data=e.data,
        hash=e.hash,
        prev_hash=e.prev_hash,
        dossier_prev_hash=e.dossier_prev_hash,
    )


STEP_KINDS = frozenset(a.value for a in Action)
"""The events that are a step of the process (their kind is the action)."""


def history(
    s: Session, actor: Actor, dossier_id: int, labels: Mapping[str, str], *, include_reads: bool
) -> list[HistoryEntry]:
    """The history of a dossier the actor can see (404 otherwise). Reads of documents are
    shown to auditors only: who inspected what is the inspection's business."""
    d = visible_dossier(s, actor, dossier_id)
    if include_reads and not is_auditor(actor):
        raise Forbidden(
            "Chỉ thanh tra, kiểm tra được xem ai đã đọc, tải văn bản của hồ sơ.",
            code="forbidden_action",
        )
    skip = () if include_reads else READ_KINDS
    events = dossiers_repo.dossier_events(s, dossier_id, without_kinds=skip)
    titles, names = ActorTitles(s, d), file_names(s, d.id)
    entries = [history_entry(e, labels, titles, names) for e in events]
    # A step taken late says so: its last day and the working days it was late (the
    # steps' own times; the k-th step event of an action is the k-th step of it).
    late = iter(step_lateness(s, d))
    for e in entries:
        if e.kind in STEP_KINDS and e.from_status:
            found = next(late, None)
            if found is not None and found[:2] == (e.kind, e.from_status):
                e.due_date, e.late_working_days = found[2], found[3]
    return entries


# ---------------------------------------------------------------- recording reads


def _grant_place(s: Session, g: RoleGrant | None) -> str:
    if g is None:
        return ""
    if g.unit_id is not None:
        return org_repo.unit(s, g.unit_id).name
    if g.cluster_term_id is not None:
        term = s.get(ClusterTerm, g.cluster_term_id)
        c = org_repo.cluster(s, term.cluster_id) if term else None
        return c.name if c else ""
    if g.authority_id is not None:
        return org_repo.authority(s, g.authority_id).name
    return ""


def viewer_who(s: Session, user: User, actor: Actor, d: Dossier) -> audit.Who:
    """Who read a dossier's file: in the role that let them see it (auditor first)."""
    scope = dossiers_repo.scope_of(s, d)
    grant = next((g for g in actor.grants if g.role == Role.AUDITOR), None) or next(
        (g for g in actor.grants if Actor(actor.user_id, (g,)).can_view(scope)), None
    )
    return audit.Who(
        user.id, user.full_name, str(grant.role) if grant else "", _grant_place(s, grant)
    )


def record_read(
    db: Database, *, user_id: int, subject: Subject, kind: str, data: dict[str, Any]
) -> int:
    """Append a read to the subject's chain in its own short transaction; returns its
    seq. The file is handed out only after this commits, so no read goes unrecorded."""
    with db.write() as s:
        user = users_repo.user_by_id(s, user_id)
        if user is None:
            raise NotFound("Không tìm thấy tài khoản.", code="user_not_found")
        actor = users_repo.actor_of(user)
        if subject.kind is SubjectKind.ROUND:
            r = rounds_store.award_round(s, subject.id)
            if r is None:
                raise NotFound("Không tìm thấy đợt xét khen thưởng.", code="round_not_found")
            # In the role that let them see it: the authority's own first, else auditor.
            roles = sorted(rounds_rules.roles_over(actor, r.authority_id)) or [Role.AUDITOR]
            place = org_repo.authority(s, r.authority_id).name
            who = audit.Who(user.id, user.full_name, str(roles[0]), place, place)
        elif subject.kind is SubjectKind.DECISION:
            dec = decisions_store.decision(s, subject.id)
            if dec is None:
                raise NotFound("Không tìm thấy quyết định khen thưởng.", code="decision_not_found")
            held = [
                r for r in sorted(actor.roles()) if actor.holds(r, DecisionScope(dec.authority_id))
            ]
            place = org_repo.authority(s, dec.authority_id).name
            who = audit.Who(user.id, user.full_name, str((held or [Role.AUDITOR])[0]), place, place)
        elif subject.kind in (SubjectKind.PERSON, SubjectKind.COLLECTIVE):
            # A unit's decision uploaded with a title: in the role that let them see the
            # person's (collective's) record.
            holder = (
                people_service.visible_person(s, actor, subject.id)[1]
                if subject.kind is SubjectKind.PERSON
                else people_service.visible_collective(s, actor, subject.id)[1]
            )
            who = people_service.who(s, user, actor, holder)
        elif subject.kind is SubjectKind.CLUSTER_YEAR:
            # A cluster year's document (its plan, …): in the role held, at the cluster.
            year = s.get(ClusterYear, subject.id)
            if year is None:
                raise NotFound("Không có năm thi đua này.", code="cluster_year_not_found")
            roles = sorted(actor.roles()) or [Role.AUDITOR]
            place = f"{year.cluster.name} ({year.year})"
            who = audit.Who(user.id, user.full_name, str(roles[0]), place, place)
        elif subject.kind is SubjectKind.CLUSTER_PROPOSAL:
            # The cluster's Tờ trình: in the role held, at the cluster.
            p = s.get(ClusterProposal, subject.id)
            cy = s.get(ClusterYear, p.cluster_year_id) if p is not None else None
            if cy is None:
                raise NotFound("Không tìm thấy Tờ trình của Cụm.", code="proposal_not_found")
            roles = sorted(actor.roles()) or [Role.AUDITOR]
            place = f"{cy.cluster.name} ({cy.year})"
            who = audit.Who(user.id, user.full_name, str(roles[0]), place, place)
        else:
            d = dossiers_repo.dossier(s, subject.id)
            if d is None:
                raise NotFound("Không tìm thấy hồ sơ.", code="dossier_not_found")
            who = viewer_who(s, user, actor, d)
        return audit.append(s, kind=kind, subject=subject, who=who, data=data).seq


# ---------------------------------------------------------------- export


def build_export(
    rt: Runtime, user_id: int, dossier_id: int, labels: Mapping[str, str]
) -> HistoryExport:
    """Everything about one dossier an auditor needs to check it elsewhere: each event
    with exactly the fields its hash covers, each stored file with its SHA-256, the check
    of the dossier's chain and the latest signed checkpoint. Auditors only."""
    with rt.db.read() as s:
        user = users_repo.user_by_id(s, user_id)
        if user is None:
            raise NotFound("Không tìm thấy tài khoản.", code="user_not_found")
        actor = users_repo.actor_of(user)
        d = visible_dossier(s, actor, dossier_id)
        if not is_auditor(actor):
            raise Forbidden(
                "Chỉ thanh tra, kiểm tra được xuất lịch sử hồ sơ.", code="forbidden_action"
            )
        return _export(s, rt.store, d, user, labels)


def _export(
    s: Session, store: ObjectStore, d: Dossier, user: User, labels: Mapping[str, str]
) -> HistoryExport:
    events = list(dossiers_repo.dossier_events(s, d.id))
    chain = audit.check_dossier_events(events)
    cluster = org_repo.cluster(s, d.cluster_id)
    authority = org_repo.authority(s, d.authority_id)
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
    titles = ActorTitles(s, d)
    return HistoryExport(
        type=EXPORT_TYPE,
        format=1,
        dossier={
            "id": d.id,
            "title": d.title,
            "unit_id": d.unit_id,
            "unit_name": org_repo.unit(s, d.unit_id).name,
            "cluster_name": cluster.name if cluster else None,
            "authority": authority.name,
            "award": d.award,
            "award_name": AWARDS[d.award].name if d.award in AWARDS else d.award,
            "year": d.year,
            "status": d.status,
            "status_label": status_label(d.status),
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
                actor_role_label=role_label(e.actor_role),
                actor_line=titles(e)[1],
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
            for doc in documents_repo.documents_of(s, d.id)
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
        subject=Subject.dossier(dossier_id),
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
