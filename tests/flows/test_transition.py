"""The step flow is idempotent: re-running it, or resuming after a crash between storing
a file and recording it, creates no second number, document, file or event."""

from __future__ import annotations

import asyncio
import hashlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from api.deps import Caller
from api.documents import service as documents
from api.dossiers import approvals, service
from api.dossiers.routes import dossier_out
from api.dossiers.schemas import ActionIn, DossierCreate, NomineeIn
from core.settings import Settings
from domain.awards import NomineeKind
from domain.process import Action
from flows import transition
from flows.dispatch import Dispatcher
from issuing import issue
from issuing import runtime as flow_runtime
from issuing.runtime import Runtime
from storage import outbox
from storage.models import AuditEvent, Document, DocumentVersion, NumberSeries, OutboxItem
from storage.repositories import documents as documents_repo
from storage.repositories import users as users_repo
from tdkt.seed import seed_demo
from tests.fixtures.server import MINUTES, minutes_pdf

PIN = "246810"


@pytest.fixture
def rt(db_url: str, tmp_path: Path) -> Iterator[Runtime]:
    settings = Settings(var_dir=tmp_path, database_url=db_url, converter_workers=1).resolved()
    runtime = Runtime.from_settings(settings)
    runtime.store.ensure_ready()
    with runtime.db.write() as s:
        seed_demo(s, password="x", key_passphrase=settings.secret_key, pin=PIN)
    flow_runtime.install(runtime)
    yield runtime
    runtime.close()


async def act(rt: Runtime, username: str, dossier_id: int, action: Action) -> int:
    """The action as the API takes it (with the approver's PIN), in a worker thread."""
    with rt.db.read() as s:
        user = users_repo.user_by_username(s, username)
        assert user is not None
        caller = Caller(user, users_repo.actor_of(user))
    body = ActionIn(signing_pin=PIN if action == Action.APPROVE else None)
    _, outbox_id = await asyncio.to_thread(
        approvals.take_action,
        rt,
        caller,
        dossier_id,
        action,
        body,
        [],
        lambda s, d: dossier_out(s, caller.actor, d),
    )
    assert outbox_id is not None
    return outbox_id


def new_dossier(rt: Runtime, nominee: str, achievements: str) -> int:
    """A unit clerk's new dossier with one collective nominee and the Biên bản bình xét
    (a PDF, sealed with the unit's Tờ trình) the law requires to submit it."""
    with rt.db.write() as s:
        clerk = users_repo.user_by_username(s, "bdt.canbo")
        assert clerk is not None
        body = DossierCreate(
            year=2026,
            nominees=[
                NomineeIn(kind=NomineeKind.COLLECTIVE, name=nominee, achievements=achievements)
            ],
        )
        d = service.create(s, clerk, users_repo.actor_of(clerk), body)
        caller = Caller(clerk, users_repo.actor_of(clerk))
        minutes = io.BytesIO(minutes_pdf())
        documents.add_attachment(s, rt, caller, d.id, minutes, MINUTES, None, "bien_ban_binh_xet")
        return d.id


class FailingRecord:
    """`issue.record` that raises ConnectionError when a `rendition` is recorded, `left`
    more times (None: until `left` is set to 0), and records as usual otherwise."""

    def __init__(self, rendition: str, error: str, left: int | None = None) -> None:
        self.rendition, self.error, self.left = rendition, error, left
        self.real = issue.record

    def __call__(self, rt_: Runtime, doc_id: int, rendition: str, *a: Any, **kw: Any) -> None:
        if rendition == self.rendition and self.left != 0:
            if self.left is not None:
                self.left -= 1
            raise ConnectionError(self.error)
        self.real(rt_, doc_id, rendition, *a, **kw)


def counts(rt: Runtime, dossier_id: int) -> dict[str, Any]:
    with rt.db.read() as s:
        return {
            "documents": s.scalar(
                select(func.count()).select_from(Document).where(Document.dossier_id == dossier_id)
            ),
            "versions": s.scalar(select(func.count()).select_from(DocumentVersion)),
            "events": s.scalar(select(func.count()).select_from(AuditEvent)),
            "numbers": s.scalars(select(NumberSeries.last_number)).all(),
        }


async def test_rerun_and_crash_between_store_and_record_create_nothing_twice(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
):
    dossier_id = new_dossier(rt, "Phòng A", "X")
    first = await act(rt, "bdt.canbo", dossier_id, Action.SUBMIT)
    await transition.subject_transition_flow(first)

    # The unit head approves: the step issues the achievement report and the numbered Tờ
    # trình. The first attempts die after the signed PDF is stored and before it is
    # recorded.
    outbox_id = await act(rt, "bdt.thutruong", dossier_id, Action.APPROVE)
    # Every attempt fails: so does the run.
    crash_on_pdf = FailingRecord("pdf-signed", "database went away")
    monkeypatch.setattr(issue, "record", crash_on_pdf)
    with pytest.raises(ConnectionError):
        await transition.subject_transition_flow(outbox_id)
    crash_on_pdf.left = 0
    with rt.db.read() as s:
        item = s.get(OutboxItem, outbox_id)
        assert item is not None and item.state == "failed"
        assert outbox.is_processing(s, dossier_id)  # the user sees the step as unfinished
    stored_pdf = rt.store.get(f"dossiers/{dossier_id}/002-to_trinh_don_vi-v4-pdf-signed.pdf")

    # The re-drive picks the failed row up and completes it, adopting the stored PDF.
    await Dispatcher(rt).run(outbox_id)
    after = counts(rt, dossier_id)
    with rt.db.read() as s:
        doc = documents_repo.find_document(s, dossier_id, 2, "to_trinh_don_vi", 0)
        assert doc is not None and doc.number == "01/TTr-BDT"
        pdf = next(v for v in doc.versions if v.rendition == "pdf-signed")
        assert pdf.sha256 == hashlib.sha256(stored_pdf).hexdigest()
        assert not outbox.is_processing(s, dossier_id)
    # The Biên bản (sealed once, with the Tờ trình's number), the achievement report, the
    # issued Tờ trình, and the cluster's Tờ trình prepared for the next approver (not
    # numbered until it is issued).
    assert after["documents"] == 4 and after["numbers"] == [1]
    with rt.db.read() as s:
        [minutes] = documents_repo.attachments_of(s, dossier_id)
        assert [v.rendition for v in minutes.versions] == ["upload", "pdf-signed"]
        assert minutes.versions[-1].filed_with_id == doc.id

    # Running the same step again, even forced back to pending, changes nothing.
    with rt.db.write() as s:
        item = s.get(OutboxItem, outbox_id)
        assert item is not None
        item.state = "pending"
    await Dispatcher(rt).run(outbox_id)
    assert counts(rt, dossier_id) == after


async def test_crash_before_the_prepared_pdf_is_recorded_fills_the_form_once(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
):
    dossier_id = new_dossier(rt, "Phòng B", "Y")
    outbox_id = await act(rt, "bdt.canbo", dossier_id, Action.SUBMIT)

    # Every attempt of the first run dies after the DOCX is recorded and the prepared PDF
    # stored, before that PDF is recorded (a worker killed during the conversion step).
    crash_on_prepared = FailingRecord("pdf-prepared", "worker killed")
    monkeypatch.setattr(issue, "record", crash_on_prepared)
    with pytest.raises(ConnectionError):
        await transition.subject_transition_flow(outbox_id)
    crash_on_prepared.left = 0
    await Dispatcher(rt).run(outbox_id)

    with rt.db.read() as s:
        assert not outbox.is_processing(s, dossier_id)
        docs = [d for d in documents_repo.documents_of(s, dossier_id) if d.form != "attachment"]
        assert docs
        for doc in docs:
            renditions = [v.rendition for v in doc.versions]
            # One DOCX per document: the retry converted the recorded one again and
            # adopted the PDF the first attempt had stored.
            assert renditions.count("docx") == 1, (doc.form, renditions)
            assert len(renditions) == len(set(renditions)), (doc.form, renditions)
            for v in doc.versions:
                assert hashlib.sha256(rt.store.get(v.object_key)).hexdigest() == v.sha256


async def test_a_form_that_fails_twice_is_retried_within_the_step(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
):
    dossier_id = new_dossier(rt, "Phòng C", "Z")
    await transition.subject_transition_flow(await act(rt, "bdt.canbo", dossier_id, Action.SUBMIT))
    outbox_id = await act(rt, "bdt.thutruong", dossier_id, Action.APPROVE)

    # The store does not answer twice when a seal is recorded (a network blip): the step
    # waits and tries that form again; nobody has to re-drive it.
    blip = FailingRecord("pdf-signed", "object store did not answer", 2)
    monkeypatch.setattr(issue, "record", blip)
    monkeypatch.setattr(transition, "RETRY_DELAY_S", 0.05)
    doc_ids = await transition.subject_transition_flow(outbox_id)

    assert blip.left == 0
    with rt.db.read() as s:
        item = s.get(OutboxItem, outbox_id)
        assert item is not None and item.state == "done"
        assert not outbox.is_processing(s, dossier_id)
        issued = [documents_repo.document(s, i) for i in doc_ids]
        assert [d.form for d in issued if d] == ["bao_cao_thanh_tich", "to_trinh_don_vi"]
        for d in issued:
            assert d is not None
            renditions = [v.rendition for v in d.versions]
            assert renditions.count("pdf-signed") == 1, renditions
