"""Taking an action with the approver's signature.

Order matters: every refusal that needs no secret first (wrong person, wrong state,
missing reason) in a read-only look; then the PIN (its own transaction, so that a wrong
PIN is counted) or the uploaded signed PDFs; then the signatures; and last the one
transaction that records the signed PDFs, the new state, the audit event and the outbox
row. Nothing changes in the dossier unless all of it succeeds.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import anyio.from_thread
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from api.deps import Caller
from api.dossiers import service, signing
from api.dossiers.schemas import ActionIn, ActionOut, DossierOut, OwnReportSignIn
from api.dossiers.service import Signed, ToSign
from documents import fields
from documents.sign import SignerMaterial
from documents.verify import SignatureReport
from domain.errors import (
    DocumentsNotReady,
    DomainError,
    Forbidden,
    InvalidInput,
    PayloadTooLarge,
    SignatureRejected,
    SigningPinRequired,
    StaleVersion,
    UnsupportedMediaType,
)
from domain.process import PROCESSES, Action, Status, Transition
from domain.subjects import Subject
from issuing import issue
from issuing.forms import FormJob, plan_next
from issuing.runtime import Runtime
from storage.models import Dossier, IdempotentRequest
from storage.objects import StoredObject
from storage.repositories import appraisal as appraisal_repo
from storage.repositories import documents as documents_repo
from storage.repositories import dossiers as dossiers_repo
from storage.repositories import pages as pages_repo
from storage.repositories import users as users_repo

PDF = "application/pdf"


async def read_action(request: Request, limit: int) -> tuple[ActionIn, list[bytes]]:
    """The action's body: JSON (`reason`, `signing_pin`, `version`), or multipart with the
    same fields and one `file` per prepared PDF signed elsewhere."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        form = await request.form(max_files=10, max_fields=10, max_part_size=limit)
        files: list[bytes] = []
        fields: dict[str, Any] = {}
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                if key != "file":
                    raise InvalidInput("Tệp phải gửi trong trường «file».", code="invalid_input")
                data = await value.read(limit + 1)
                if len(data) > limit:
                    raise PayloadTooLarge()
                files.append(data)
            elif key == "version":
                fields[key] = int(value) if value.strip().lstrip("-").isdigit() else value
            else:
                fields[key] = value
        return _validate(fields), files
    raw = await request.body()
    if len(raw) > limit:
        raise PayloadTooLarge()
    if not raw.strip():
        return ActionIn(), []
    if kind not in ("application/json", ""):
        raise UnsupportedMediaType("Hãy gửi JSON hoặc multipart/form-data.")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as e:
        raise RequestValidationError(
            [{"type": "json_invalid", "loc": ("body",), "msg": str(e), "input": None}]
        ) from e
    return _validate(data), []


def _validate(data: Any) -> ActionIn:
    try:
        return ActionIn.model_validate(data)
    except ValidationError as e:
        raise RequestValidationError(e.errors()) from e


def take_action(
    rt: Runtime,
    caller: Caller,
    dossier_id: int,
    action: Action,
    body: ActionIn,
    files: list[bytes],
    render: Callable[[Session, Dossier], DossierOut],
    idempotency_key: str | None = None,
) -> tuple[ActionOut, int | None]:
    """Runs in a worker thread. Returns the answer and the outbox row to dispatch.

    With an `idempotency_key`, a repeat of the same request by the same user (a retry
    after a lost answer, a double click) gets the first answer back and changes nothing.
    """
    fingerprint = _fingerprint(dossier_id, action, body, files)
    with rt.db.read() as s:
        if idempotency_key and (done := _replay(s, caller, idempotency_key, fingerprint)):
            return done, None
        d, t = service.check(s, caller.actor, dossier_id, action, body)
        items = service.to_sign(s, d, t)
        service.check_signable(items, caller.user)
    signed = signatures(rt, caller, items, files, body.signing_pin)
    with rt.db.write() as s:
        user = users_repo.user_by_id(s, caller.user.id)
        assert user is not None
        if idempotency_key:
            service.visible_dossier(s, caller.actor, dossier_id, for_update=True)
            # A twin request that got the dossier's lock first has answered already.
            if done := _replay(s, caller, idempotency_key, fingerprint):
                return done, None
        d, outbox = service.act(s, user, caller.actor, dossier_id, action, body, signed)
        out = ActionOut(dossier=render(s, d), transition_seq=d.transition_seq)
        outbox_id = outbox.id if outbox is not None else None
        if idempotency_key:
            s.add(
                IdempotentRequest(
                    user_id=user.id,
                    key=idempotency_key,
                    fingerprint=fingerprint,
                    status=200,
                    body=out.model_dump(mode="json"),
                )
            )
    return out, outbox_id


def signatures(
    rt: Runtime, caller: Caller, items: Sequence[ToSign], files: list[bytes], pin: str | None
) -> list[Signed]:
    """The approver's signatures on what the step signs, for any subject: the uploaded
    files signed elsewhere, else their own made here with the PIN; none when the step
    signs nothing (and then an uploaded file is refused)."""
    if items and files:
        return accept_uploads(rt, caller, list(items), files)
    if items:
        return sign_each(rt, caller, unlock(rt, caller, pin), items)
    if files:
        raise InvalidInput("Bước này không cần tệp đã ký.", code="unexpected_file")
    return []


def prepared_to_sign(s: Session, subject: Subject, seq: int, t: Transition) -> list[ToSign]:
    """What an approval of `subject` signs: each form of its next step as prepared when
    the subject came to the approver's desk (a round's Tờ trình, a decision)."""
    if t.action != Action.APPROVE or not t.forms:
        return []
    items = []
    for job in plan_next(s, subject, seq):
        doc = documents_repo.document_of(s, job.subject, job.seq, job.form, job.copy_no)
        prepared = [v for v in (doc.versions if doc else []) if v.rendition == "pdf-prepared"]
        if doc is None or not prepared:
            raise DocumentsNotReady()
        items.append(ToSign(doc.id, prepared[-1], job, prepared[-1]))
    return items


def unlock(rt: Runtime, caller: Caller, pin: str | None) -> SignerMaterial:
    """The caller's key, unlocked by their PIN (its own transaction: a wrong PIN counts)."""
    if not pin:
        raise SigningPinRequired()
    return signing.unlock(rt.db, caller.user.id, pin, rt.settings.secret_key)


def sign_each(
    rt: Runtime, caller: Caller, material: SignerMaterial, items: Sequence[ToSign]
) -> list[Signed]:
    """The caller's personal signature on each document the approval signs: all at once
    (a unit head's approval signs the Tờ trình and each individual's report), so the
    signing pool's processes and the time-stamp round trips overlap."""
    bases = [_base_for(rt, caller, item) for item in items]

    async def sign_all() -> list[tuple[StoredObject, list[dict[str, object]]]]:
        return list(
            await asyncio.gather(
                *(
                    issue.sign_personally(rt, item.job.title, base, caller.user, material)
                    for item, base in zip(items, bases, strict=True)
                )
            )
        )

    done = asyncio.run(sign_all())
    return [
        Signed(item.document_id, stored, reports)
        for item, (stored, reports) in zip(items, done, strict=True)
    ]


def _fingerprint(dossier_id: int, action: Action, body: ActionIn, files: list[bytes]) -> str:
    h = hashlib.sha256(f"{dossier_id}:{action}:".encode())
    h.update(body.model_dump_json(exclude={"signing_pin"}).encode())
    for f in files:
        h.update(hashlib.sha256(f).digest())
    return h.hexdigest()


def _replay(s: Session, caller: Caller, key: str, fingerprint: str) -> ActionOut | None:
    done = pages_repo.idempotent_request(s, caller.user.id, key)
    if done is None:
        return None
    if done.fingerprint != fingerprint:
        raise InvalidInput(
            "Khóa Idempotency-Key này đã dùng cho một yêu cầu khác.", code="idempotency_key_reused"
        )
    return ActionOut.model_validate(done.body)


def _current(item: ToSign, user_id: int) -> bool:
    """The prepared PDF prints the caller's name and what the data says now."""
    return item.prepared.prepared_for_id == user_id and (
        item.fresh_after is None or item.prepared.created_at >= item.fresh_after
    )


def _base_for(rt: Runtime, caller: Caller, item: ToSign) -> Any:
    """What the caller signs: the individual's signed copy of their report, or the
    prepared PDF with the caller's name under the signature — prepared again now if it
    was prepared for another approver (a deputy signing instead of the head) or before
    the data it prints last changed (the appraisal's results)."""
    if item.base is not item.prepared or _current(item, caller.user.id):
        return item.base
    anyio.from_thread.run(
        functools.partial(issue.prepare, rt, item.job, caller.user.id, newer_than=item.fresh_after)
    )
    _, versions = issue.versions(rt, item.document_id)
    prepared = issue.latest(versions, "pdf-prepared")
    if prepared is None:
        raise DocumentsNotReady()
    return prepared


def accept_uploads(
    rt: Runtime, caller: Caller, items: list[ToSign], files: list[bytes]
) -> list[Signed]:
    """Every uploaded file checked against the PDF it signs (found by its prefix; a file
    that starts with none of them is taken for the one left over, to say what is wrong
    with it), and stored only once all of them are accepted."""
    if len(files) != len(items):
        raise SignatureRejected(
            f"Cần đúng {len(items)} tệp đã ký, nhận được {len(files)}.", code="wrong_file_count"
        )
    bases = {}
    for item in items:
        if item.base is item.prepared and not _current(item, caller.user.id):
            raise DocumentsNotReady(
                "Văn bản được chuẩn bị với tên người ký khác, hoặc trước khi dữ liệu của "
                "nó thay đổi. Hãy yêu cầu chuẩn bị lại (POST …/prepare), tải về, ký rồi "
                "gửi lên.",
                code="not_prepared_for_you",
            )
        bases[item.document_id] = rt.store.get(item.base.object_key, item.base.object_version_id)
    left = list(files)
    uploads: dict[int, bytes] = {}
    for item in items:
        found = next((f for f in left if f.startswith(bases[item.document_id])), None)
        if found is not None:
            uploads[item.document_id] = found
            left.remove(found)
    for item in items:
        if item.document_id not in uploads:
            uploads[item.document_id] = left.pop(0)
    crls = rt.crls()  # a certificate an admin revoked signs nothing more

    def verify(pdf: bytes, roots: Sequence[bytes]) -> list[SignatureReport]:
        return rt.signing.verify_blocking(pdf, roots, crls)

    checked = []
    with rt.db.read() as s:
        for item in items:
            reports = signing.check_uploaded(
                s,
                caller.user,
                bases[item.document_id],
                uploads[item.document_id],
                verify,
                signed_before=len(item.base.signatures or []),
            )
            checked.append((item, reports))
    signed = []
    for item, reports in checked:
        key = issue.personal_key(item.base, caller.user.id)
        stored, _ = issue.store(rt, key, uploads[item.document_id], PDF)
        signed.append(Signed(item.document_id, stored, reports))
    return signed


async def prepare_for(rt: Runtime, caller: Caller, dossier_id: int) -> None:
    """Prepare the step's forms with the caller's name (also those never prepared: a
    dossier that waited at this step when the step's forms changed), except a report its
    individual signed already (preparing it again would lose that signature)."""

    def look() -> tuple[list[FormJob], datetime | None]:
        with rt.db.read() as s:
            d = service.visible_dossier(s, caller.actor, dossier_id)
            step = PROCESSES[d.process].find(Action.APPROVE, Status(d.status))
            if step is None or not step.forms:
                raise InvalidInput("Bước này không có văn bản cần ký.", code="nothing_to_sign")
            if not caller.actor.holds_any(step.roles, dossiers_repo.scope_of(s, d)):
                raise Forbidden("Bạn không phải người duyệt bước này.", code="forbidden_action")
            signed = {r.document_id for r in service.own_reports(s, d) if r.signed is not None}
            jobs = [
                job
                for job in plan_next(s, d.id, d.transition_seq)
                if (doc := documents_repo.find_document(s, d.id, job.seq, job.form, job.copy_no))
                is None
                or doc.id not in signed
            ]
            changed = (
                appraisal_repo.appraisal_changed_at(s, d.id) if step.checks_appraisal else None
            )
            return jobs, changed

    jobs, changed = await asyncio.to_thread(look)
    for job in jobs:
        await issue.prepare(rt, job, caller.user.id, newer_than=changed)


def sign_own_report(
    rt: Runtime,
    caller: Caller,
    dossier_id: int,
    body: OwnReportSignIn,
    render: Callable[[Session, Dossier], DossierOut],
) -> DossierOut:
    """An individual signs their own achievement report with their PIN, in their request
    (runs in a worker thread). The dossier does not move; the unit head's approval, which
    waits for it, then signs on top of it."""
    with rt.db.read() as s:
        d = service.visible_dossier(s, caller.actor, dossier_id)
        if body.version is not None and body.version != d.version:
            raise StaleVersion()
        waiting = service.reports_to_sign_by(s, d, caller.user.id)
    if not body.signing_pin:
        raise SigningPinRequired()
    material = signing.unlock(rt.db, caller.user.id, body.signing_pin, rt.settings.secret_key)
    signed = []
    for r in waiting:
        assert r.prepared is not None and r.document_id is not None
        title = f"Báo cáo thành tích – {r.nominee.name}"
        stored, reports = asyncio.run(
            issue.sign_personally(
                rt,
                title,
                r.prepared,
                caller.user,
                material,
                field_name=fields.REPORTER_FIELD,
                rendition=documents_repo.REPORTER_RENDITION,
                reason=f"Người báo cáo thành tích ký: {title}",
            )
        )
        signed.append(Signed(r.document_id, stored, reports))
    with rt.db.write() as s:
        user = users_repo.user_by_id(s, caller.user.id)
        assert user is not None
        d = service.record_own_signatures(s, user, caller.actor, dossier_id, signed)
        return render(s, d)


class BulkRefused(DomainError):
    """One dossier of a bulk approval may not be approved: nothing of the batch is done.
    Carries the refusal's own status and code, and which dossier it is about."""

    def __init__(self, dossier_id: int, cause: DomainError) -> None:
        self.status, self.dossier_id = cause.status, dossier_id
        super().__init__(f"Hồ sơ số {dossier_id}: {cause.message}", code=cause.code)

    def extra(self) -> dict[str, object]:
        return {"dossier_id": self.dossier_id}


MAX_BULK = 50


def approve_many(
    rt: Runtime,
    caller: Caller,
    dossier_ids: Sequence[int],
    signing_pin: str | None,
    versions: dict[int, int],
    render: Callable[[Session, Dossier], DossierOut],
) -> tuple[list[ActionOut], list[int]]:
    """Approve several dossiers as one action: all or none. Every refusal that needs no
    secret is found first, for every dossier; then the PIN once; then each signature;
    then one transaction for all. Returns the answers and the outbox rows to dispatch."""
    if not dossier_ids:
        raise InvalidInput("Hãy chọn ít nhất một hồ sơ.", code="no_dossiers")
    if len(dossier_ids) > MAX_BULK or len(set(dossier_ids)) != len(dossier_ids):
        raise InvalidInput(
            f"Chọn tối đa {MAX_BULK} hồ sơ, mỗi hồ sơ một lần.", code="invalid_dossier_list"
        )
    plans: list[tuple[int, list[ToSign]]] = []
    with rt.db.read() as s:
        for dossier_id in dossier_ids:
            body = ActionIn(signing_pin=signing_pin, version=versions.get(dossier_id))
            try:
                d, t = service.check(s, caller.actor, dossier_id, Action.APPROVE, body)
                items = service.to_sign(s, d, t)
                service.check_signable(items, caller.user)
            except DomainError as e:
                raise BulkRefused(dossier_id, e) from e
            plans.append((dossier_id, items))
    signed: dict[int, list[Signed]] = {i: [] for i in dossier_ids}
    if any(items for _, items in plans):
        material = unlock(rt, caller, signing_pin)
        for dossier_id, items in plans:
            signed[dossier_id] = sign_each(rt, caller, material, items)
    answers: list[ActionOut] = []
    outbox_ids: list[int] = []
    with rt.db.write() as s:
        user = users_repo.user_by_id(s, caller.user.id)
        assert user is not None
        for dossier_id in dossier_ids:
            body = ActionIn(signing_pin=signing_pin, version=versions.get(dossier_id))
            try:
                d, outbox = service.act(
                    s, user, caller.actor, dossier_id, Action.APPROVE, body, signed[dossier_id]
                )
            except DomainError as e:  # someone else moved it meanwhile: roll back all
                raise BulkRefused(dossier_id, e) from e
            answers.append(ActionOut(dossier=render(s, d), transition_seq=d.transition_seq))
            if outbox is not None:
                outbox_ids.append(outbox.id)
    return answers, outbox_ids
