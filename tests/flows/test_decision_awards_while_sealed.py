"""The issuing flow of a decision writes its awards while the Quyết định is sealed (on
PostgreSQL; after it on SQLite): either way the decision is issued with its number, the
awards recorded once, the step's event before the awards' events on the decision's chain;
a seal that fails leaves no award, and the step run again issues it with the same number."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from api.decisions import actions as decision_actions
from api.decisions import service as decisions_service
from api.decisions.schemas import DecisionCreate
from api.deps import Caller
from api.dossiers.schemas import ActionIn
from core.settings import Settings
from documents import fields
from documents.sign import SigningFailed
from domain.process import Action
from domain.subjects import Subject, SubjectKind
from flows import transition
from issuing import runtime as flow_runtime
from issuing.runtime import Runtime
from storage import audit
from storage import decisions as decisions_store
from storage.models import (
    AppraisalResult,
    AuditEvent,
    AwardRound,
    Dossier,
    Nominee,
    OutboxItem,
    RoundDossier,
    Unit,
    User,
    of_subject,
)
from storage.repositories import documents as documents_repo
from storage.repositories import users as users_repo
from tdkt.seed import seed_demo

PIN = "135790"


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


def submitted_round(rt: Runtime) -> int:
    """A submitted round of two approved dossiers, two nominees each, all passed."""
    with rt.db.write() as s:
        units = list(s.scalars(select(Unit).where(Unit.cluster_id.is_not(None))))
        specialist = s.scalar(select(User).where(User.username == "ptdkt.chuyenvien"))
        assert specialist is not None and units
        r = AwardRound(
            authority_id=units[0].authority_id,
            name="Đợt tổng kết năm 2026",
            year=2026,
            kind="thuong_xuyen",
            awards="bang_khen_ubnd_tinh",
            status="submitted",
            created_by=specialist.id,
        )
        s.add(r)
        s.flush()
        for i, unit in enumerate(units[:2]):
            d = Dossier(
                process="commendation_proposal",
                award="bang_khen_ubnd_tinh",
                year=2026,
                title=f"Hồ sơ {i}",
                unit_id=unit.id,
                cluster_id=unit.cluster_id,
                authority_id=unit.authority_id,
                status="approved",
                furthest_stage="done",
                created_by=specialist.id,
            )
            d.nominees += [
                Nominee(position_no=1, kind="collective", name=f"Phòng {i}", unit_name=unit.name),
                Nominee(
                    position_no=2,
                    kind="individual",
                    name=f"Lò Văn Páo {i}",
                    job_title="Chuyên viên",
                    unit_name=unit.name,
                ),
            ]
            s.add(d)
            s.flush()
            for n in d.nominees:
                s.add(
                    AppraisalResult(
                        dossier_id=d.id, nominee_id=n.id, result="dat", recorded_by=specialist.id
                    )
                )
            s.add(
                RoundDossier(
                    round_id=r.id, dossier_id=d.id, position_no=i + 1, added_by=specialist.id
                )
            )
        return r.id


def caller_of(rt: Runtime, username: str) -> Caller:
    with rt.db.read() as s:
        user = users_repo.user_by_username(s, username)
        assert user is not None
        return Caller(user, users_repo.actor_of(user))


async def act(rt: Runtime, username: str, decision_id: int, action: Action, **body: Any) -> int:
    caller = caller_of(rt, username)
    _, outbox_id = await asyncio.to_thread(
        decision_actions.take_action,
        rt,
        caller,
        decision_id,
        action,
        ActionIn(**body),
        [],
        lambda s, d: decisions_service.decision_out(s, caller.actor, d),
    )
    return int(outbox_id)


async def signed_by_the_chairman(rt: Runtime) -> tuple[int, int]:
    """A decision drafted, prepared and signed with the PIN: (its id, the issuing step's
    outbox row)."""
    round_id = submitted_round(rt)
    caller = caller_of(rt, "ptdkt.chuyenvien")
    with rt.db.write() as s:
        decision_id = decisions_service.create(
            s, caller.user, caller.actor, DecisionCreate(round_id=round_id)
        ).id
    await transition.subject_transition_flow(
        await act(rt, "ptdkt.chuyenvien", decision_id, Action.SUBMIT)
    )
    with rt.db.read() as s:
        docs = documents_repo.subject_documents(s, Subject(SubjectKind.DECISION, decision_id))
        signer_id = [v.prepared_for_id for d in docs for v in d.versions if v.prepared_for_id][-1]
        signer = users_repo.user_by_id(s, signer_id)
        assert signer is not None
        username = signer.username
    return decision_id, await act(rt, username, decision_id, Action.APPROVE, signing_pin=PIN)


def decision_events(rt: Runtime, decision_id: int) -> list[str]:
    with rt.db.read() as s:
        subject = Subject(SubjectKind.DECISION, decision_id)
        assert audit.verify_subject_chain(s, subject).ok
        return list(
            s.scalars(
                select(AuditEvent.kind)
                .where(of_subject(AuditEvent, subject))
                .order_by(AuditEvent.id)
            )
        )


async def test_the_awards_are_written_once_with_the_issued_decision(rt: Runtime):
    decision_id, outbox_id = await signed_by_the_chairman(rt)
    await transition.subject_transition_flow(outbox_id)
    with rt.db.read() as s:
        d = decisions_store.decision(s, decision_id)
        assert d is not None and d.status == "issued" and d.number and d.document_id
        doc = documents_repo.document(s, d.document_id)
        assert doc is not None and doc.number == d.number
        assert "pdf-signed" in [v.rendition for v in doc.versions]
        records = decisions_store.records_of(s, decision_id)
        assert len(records) == 4 and all(r.awarded for r in records)
        assert {r.decision_number for r in records} == {d.number}
        assert sorted(r.certificate_no or 0 for r in records) == [1, 2, 3, 4]
    kinds = decision_events(rt, decision_id)
    assert kinds.index("documents_issued") < kinds.index("awards_recorded")
    assert kinds.count("awards_recorded") == 1


async def test_a_seal_that_fails_leaves_no_award_and_the_step_again_issues_it(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
):
    decision_id, outbox_id = await signed_by_the_chairman(rt)
    sign = rt.signing.sign

    async def failing(pdf: bytes, material: Any, **options: Any) -> bytes:
        if options.get("field_name") == fields.SEAL_FIELD:
            raise SigningFailed("the seal's key is not available")
        return await sign(pdf, material, **options)

    monkeypatch.setattr(transition, "RETRY_DELAY_S", 0.01)
    monkeypatch.setattr(rt.signing, "sign", failing)
    with pytest.raises(SigningFailed):
        await transition.subject_transition_flow(outbox_id)
    with rt.db.read() as s:
        d = decisions_store.decision(s, decision_id)
        assert d is not None and d.status == "issued" and d.number is None
        assert decisions_store.records_of(s, decision_id) == []
        item = s.get(OutboxItem, outbox_id)
        assert item is not None and item.state != "done" and item.last_error
        statuses = set(s.scalars(select(Dossier.status)).all())
        assert "awarded" not in statuses
    assert "awards_recorded" not in decision_events(rt, decision_id)

    monkeypatch.setattr(rt.signing, "sign", sign)
    await transition.subject_transition_flow(outbox_id)
    with rt.db.read() as s:
        d = decisions_store.decision(s, decision_id)
        assert d is not None and d.number and d.document_id
        doc = documents_repo.document(s, d.document_id)
        assert doc is not None and doc.number == d.number
        records = decisions_store.records_of(s, decision_id)
        assert len(records) == 4 and {r.decision_number for r in records} == {d.number}
        assert s.scalar(select(Dossier.status).limit(1)) == "awarded"
    kinds = decision_events(rt, decision_id)
    assert kinds.count("awards_recorded") == 1
    assert kinds.index("documents_issued") < kinds.index("awards_recorded")
