"""Errors the app answers itself, whatever the route: a clear Vietnamese message, a stable
code, the right status."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from api import errors
from storage.db import Database


def test_a_database_pool_that_stays_busy_answers_503_busy_with_retry_after():
    app = FastAPI()
    errors.install(app)

    @app.get("/x")
    def x() -> None:
        raise PoolTimeout("QueuePool limit of size 5 overflow 10 reached")

    r = TestClient(app).get("/x")
    assert r.status_code == 503
    assert r.json()["code"] == "busy" and "thử lại" in r.json()["detail"]
    assert r.headers["Retry-After"] == "5"


def test_sqlite_locked_by_another_process_answers_503_busy():
    app = FastAPI()
    errors.install(app)

    @app.get("/x")
    def x() -> None:
        raise OperationalError(
            "BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked")
        )

    r = TestClient(app).get("/x")
    assert (r.status_code, r.json()["code"]) == (503, "busy")


def test_an_integer_too_large_for_sqlite_is_invalid_input_not_a_server_error(
    tmp_path: Path,
) -> None:
    """Found by the fuzzer: an id of 2**63 in a path made SQLite raise OverflowError."""
    db = Database(f"sqlite:///{tmp_path / 'tdkt.sqlite3'}")
    app = FastAPI()
    errors.install(app)

    @app.get("/dossiers/{dossier_id}")
    def get(dossier_id: int) -> int:
        with db.read() as s:
            return int(s.execute(text("SELECT :id"), {"id": dossier_id}).scalar_one())

    client = TestClient(app, raise_server_exceptions=False)
    assert client.get(f"/dossiers/{2**63 - 1}").json() == 2**63 - 1
    r = client.get(f"/dossiers/{2**63}")
    assert r.status_code == 422
    assert r.json()["code"] == "invalid_input" and "vượt quá giới hạn" in r.json()["detail"]
    db.dispose()
