"""Errors the app answers itself, whatever the route: a clear Vietnamese message, a stable
code, the right status."""

from __future__ import annotations

import sqlite3

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from api import errors


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
