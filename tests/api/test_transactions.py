"""One transaction per request: what a success reports is saved before the client hears
of it, and a failed commit is never reported as a success."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import anyio
import pytest
from fastapi import FastAPI
from sqlalchemy import event, text

from api import errors
from api.deps import WriteSession
from storage.db import Database


def _app(db: Database) -> FastAPI:
    app = FastAPI()
    errors.install(app)
    app.state.runtime = SimpleNamespace(db=db)

    @app.post("/notes", status_code=201)
    def add(s: WriteSession) -> dict[str, str]:
        s.execute(text("INSERT INTO notes (body) VALUES ('Tờ trình < & \" {{ }}')"))
        return {"ok": "đã lưu"}

    return app


def _call(app: FastAPI, at_start: Any) -> list[dict[str, Any]]:
    """POST /notes straight through ASGI; ``at_start`` runs when the response starts."""
    sent: list[dict[str, Any]] = []
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/notes",
        "raw_path": b"/notes",
        "query_string": b"",
        "root_path": "",
        "headers": [],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            at_start(message)
        sent.append(message)

    anyio.run(app, scope, receive, send)
    return sent


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(f"sqlite:///{tmp_path / 'app.sqlite3'}")
    with database.write() as s:
        s.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
    return database


def _saved(db: Database) -> int:
    """Rows another connection sees (the database file read directly)."""
    path = db.engine.url.database
    assert path is not None
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT count(*) FROM notes").fetchone()[0])


def test_what_a_201_reports_is_committed_before_the_response_starts(db: Database) -> None:
    seen: list[tuple[int, int]] = []
    _call(_app(db), lambda m: seen.append((m["status"], _saved(db))))
    assert seen == [(201, 1)]


def test_a_commit_that_fails_is_an_error_response_not_a_success(db: Database) -> None:
    @event.listens_for(db.engine, "commit")
    def refuse(conn: Any) -> None:
        raise RuntimeError("disk full")

    statuses: list[int] = []
    # The error goes on to the server's own error path; what matters is what the client heard.
    with contextlib.suppress(RuntimeError):
        _call(_app(db), lambda m: statuses.append(m["status"]))
    assert statuses and statuses[0] >= 500, statuses
    assert _saved(db) == 0
