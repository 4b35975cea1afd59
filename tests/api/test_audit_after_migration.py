"""An operator's upgrade: a database written by the code of migration 0012 is migrated by
`tdkt seed` (as `make run` does), the app extends its history with a dossier submitted
through the API — whose flow issues documents and notifies, all recorded by subject —
and `tdkt audit verify` and `GET /api/v1/audit/verify` count every event, old and new,
as intact; an old and a new event changed in the database are each named."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage.db import Database
from storage.models import AuditEvent, Document, Notification
from tests.fixtures.old_chain import drop_audit_triggers, set_reason, write_0012_database
from tests.fixtures.pg import fresh_database
from tests.fixtures.server import Api, AppServer

AUDITOR = "thanhtra"
CLERK = "bdt.canbo"


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tdkt.sqlite3'}"
    else:
        with fresh_database() as u:
            yield u


def verify(server: AppServer) -> tuple[dict, dict]:
    api = Api(server, AUDITOR).get("/api/v1/audit/verify")
    assert api.status_code == 200, api.text
    cli = server.cli("audit", "verify", "--json", check=False)
    return api.json(), json.loads(cli.stdout)


def test_history_written_before_the_upgrade_verifies_with_what_came_after(url: str, tmp_path: Path):
    old = write_0012_database(url)
    server = AppServer(tmp_path / "var", {"TDKT_DATABASE_URL": url}).start()
    try:
        clerk = Api(server, CLERK)
        r = clerk.post(
            "/api/v1/dossiers",
            json={
                "year": 2026,
                "nominees": [
                    {"kind": "collective", "name": "Phòng Chính sách", "achievements": "."}
                ],
            },
        )
        assert r.status_code == 201, r.text
        dossier_id = r.json()["id"]
        clerk.attach(dossier_id)
        assert clerk.act(dossier_id, "submit").status_code == 200
        clerk.wait_idle(dossier_id)

        db = Database(url)
        with db.read() as s:
            total = s.scalar(select(func.count()).select_from(AuditEvent))
            new = s.scalars(select(AuditEvent).where(AuditEvent.dossier_id == dossier_id)).all()
            issued = s.scalars(select(Document).where(Document.dossier_id == dossier_id)).all()
            notified = s.scalars(
                select(Notification).where(Notification.dossier_id == dossier_id)
            ).all()
        db.dispose()
        assert {e.format for e in new} == {3} and len(new) >= 3
        assert {(e.subject_kind, e.subject_id) for e in new} == {("dossier", dossier_id)}
        assert [e.subject_seq for e in sorted(new, key=lambda e: e.seq)] == list(
            range(1, len(new) + 1)
        )
        assert issued and {(d.subject_kind, d.subject_id) for d in issued} == {
            ("dossier", dossier_id)
        }
        assert notified and {n.subject_id for n in notified} == {dossier_id}

        api, cli = verify(server)
        assert (api["ok"], api["events"], api["first_bad"]) == (True, total, None), api
        assert (cli["ok"], cli["events"]) == (True, total), cli

        drop_audit_triggers(url)
        was = set_reason(url, 3, "lý do đã bị sửa")  # the old dossier's format 2 event
        api, cli = verify(server)
        assert (api["ok"], api["first_bad"], api["code"]) == (False, 3, "event_modified")
        assert api["dossier_id"] == old.dossier_id
        assert (cli["ok"], cli["first_bad"], cli["code"]) == (False, 3, "event_modified")
        set_reason(url, 3, was)

        last = max(e.seq for e in new)
        was = set_reason(url, last, "lý do đã bị sửa")  # a format 3 event of the new dossier
        api, cli = verify(server)
        assert (api["ok"], api["first_bad"], api["code"]) == (False, last, "event_modified")
        assert api["dossier_id"] == dossier_id
        assert (cli["ok"], cli["first_bad"]) == (False, last)
        set_reason(url, last, was)
        assert verify(server)[0]["ok"]
    finally:
        server.stop()
