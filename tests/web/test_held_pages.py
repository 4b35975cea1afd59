"""The pages' POST → 303 → GET, on SQLite and PostgreSQL: the page a POST answered is shown
once, by the GET it redirects to, to the session it was made for and nobody else; and the
errors no page handled (an unknown address, a POST address opened, a server error) are
pages for the pages' addresses and JSON for the API's."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from api import errors as api_errors
from api.web import errors as web_errors
from api.web.pages import HELD_COOKIE, WebRoute, redirect
from api.web.session import SESSION_COOKIE
from storage.db import Database
from storage.models import HeldPage, utcnow


@dataclass
class _Settings:
    cookie_secure: bool = False


@dataclass
class _Runtime:
    db: Database
    settings: _Settings


def _app(db: Database) -> FastAPI:
    app = FastAPI()
    api_errors.install(app)
    app.state.runtime = _Runtime(db, _Settings())
    pages = APIRouter(route_class=WebRoute)

    @pages.get("/mau")
    def form_page() -> HTMLResponse:
        return HTMLResponse("<p>biểu mẫu trống</p>")

    @pages.post("/mau/gui")
    def refused() -> HTMLResponse:
        return HTMLResponse('<p id="loi">Năm phải là số – «20x6» <&></p>', status_code=422)

    @pages.post("/mau/xong")
    def accepted() -> object:
        return redirect("/mau")

    @pages.get("/loi")
    def broken() -> None:
        raise RuntimeError("boom")

    api = APIRouter()

    @api.get("/api/v1/loi")
    def api_broken() -> None:
        raise RuntimeError("boom")

    app.include_router(pages)
    app.include_router(api)
    web_errors.install(app)
    return app


@pytest.fixture
def client(db: Database) -> Iterator[TestClient]:
    with TestClient(_app(db), raise_server_exceptions=False) as c:
        c.cookies.set(SESSION_COOKIE, "phiên-của-người-này".encode().hex())
        yield c


def test_a_refused_post_is_shown_once_by_the_get_it_redirects_to(client: TestClient):
    sent = client.post(
        "/mau/gui", headers={"Referer": "http://testserver/mau?x=1"}, follow_redirects=False
    )
    assert sent.status_code == 303 and sent.headers["location"] == "/mau?x=1"
    assert HELD_COOKIE in sent.cookies
    shown = client.get("/mau?x=1", follow_redirects=False)
    assert (shown.status_code, shown.text) == (422, '<p id="loi">Năm phải là số – «20x6» <&></p>')
    assert shown.headers["cache-control"] == "no-store"
    again = client.get("/mau?x=1")  # a reload: the page itself
    assert (again.status_code, again.text) == (200, "<p>biểu mẫu trống</p>")


def test_without_a_referer_the_nearest_page_above_the_post_address(client: TestClient):
    sent = client.post("/mau/gui", follow_redirects=False)
    assert sent.headers["location"] == "/mau"
    assert client.get("/mau").status_code == 422
    # A redirect of the handler's own is left alone.
    done = client.post("/mau/xong", follow_redirects=False)
    assert (done.status_code, done.headers["location"]) == (303, "/mau")
    assert HELD_COOKIE not in done.cookies


def test_a_held_page_is_nobody_elses_and_does_not_last(client: TestClient, db: Database):
    client.post("/mau/gui", follow_redirects=False)
    held = client.cookies[HELD_COOKIE]
    # Another session with the same cookie gets the plain page; the owner still gets it.
    with TestClient(client.app, cookies={SESSION_COOKIE: "nguoi-khac", HELD_COOKIE: held}) as other:
        assert other.get("/mau").status_code == 200
    # Another address does not take it (nor drop the cookie).
    assert client.get("/mau?khac=1").status_code == 200
    assert HELD_COOKIE in client.cookies
    assert client.get("/mau").status_code == 422
    assert HELD_COOKIE not in client.cookies

    client.post("/mau/gui", follow_redirects=False)
    with db.write() as s:
        s.execute(update(HeldPage).values(created_at=utcnow() - timedelta(minutes=6)))
    assert client.get("/mau").status_code == 200  # too old
    assert HELD_COOKIE not in client.cookies  # and the cookie is dropped with it
    # Pages nobody came back for are dropped when the next one is held.
    with db.write() as s:
        s.add(
            HeldPage(
                id="0" * 64,
                binding="x",
                target="/mau",
                status=422,
                body=b"old",
                created_at=utcnow() - timedelta(hours=1),
            )
        )
    client.post("/mau/gui", follow_redirects=False)
    with db.read() as s:
        assert [p.target for p in s.scalars(select(HeldPage))] == ["/mau"]
        assert s.get(HeldPage, "0" * 64) is None


def test_errors_no_page_handled_are_pages_there_and_json_in_the_api(client: TestClient):
    broken = client.get("/loi")
    assert broken.status_code == 500 and broken.headers["content-type"].startswith("text/html")
    assert "Lỗi hệ thống" in broken.text and 'class="brand"' in broken.text
    assert "boom" not in broken.text
    api = client.get("/api/v1/loi")
    assert (api.status_code, api.json()["code"]) == (500, "internal_error")
    unknown = client.get("/khong-co")
    assert unknown.status_code == 404 and "Không có trang này" in unknown.text
    assert client.get("/api/v1/khong-co").json()["code"] == "not_found"
    opened = client.get("/mau/gui")
    assert opened.status_code == 405 and 'href="/mau"' in opened.text
    assert opened.headers["allow"] == "POST"
    assert client.get("/api/v1/loi", headers={}).status_code == 500
