"""Template administration over HTTP, against the real server process (embedded mode):
only an admin manages forms; an accepted upload becomes the current version while
version 1 stays exactly as it was; a refused one is explained and stores nothing."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from doc_templates.catalogue import FORMS, template_path
from doc_templates.versions import resolve_template
from storage.db import Database
from storage.objects import LocalObjectStore
from tests.fixtures.server import Api, AppServer
from tests.fixtures.templates import as_docm, builtin, thong_bao_v2, with_undeclared_field

pytestmark = pytest.mark.slow

ADMIN, CLERK, AUDITOR = "admin", "bdt.canbo", "thanhtra"
FORM = "thong_bao"
BASE = "/api/v1/admin/templates"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    srv = AppServer(tmp_path_factory.mktemp("templates"), {}).start()
    yield srv
    srv.stop()


def upload(server: AppServer, data: bytes, *, user: str = ADMIN, note: str = "", name="mau.docx"):
    return Api(server, user).post(
        f"{BASE}/{FORM}/versions", files={"file": (name, data, DOCX)}, data={"note": note}
    )


def forms_by_code(server: AppServer) -> dict[str, dict]:
    r = Api(server, ADMIN).get(BASE)
    assert r.status_code == 200, r.text
    return {f["code"]: f for f in r.json()}


def stored_templates(server: AppServer) -> list[Path]:
    return sorted((server.var_dir / "objects" / "templates").rglob("*.docx"))


@pytest.mark.parametrize("user", [CLERK, AUDITOR])
def test_only_an_admin_manages_templates(server: AppServer, user: str):
    api = Api(server, user)
    for r in (
        api.get(BASE),
        upload(server, thong_bao_v2(), user=user),
        api.get(f"{BASE}/{FORM}/versions/1/content"),
    ):
        assert r.status_code == 403, r.text
        assert r.json()["code"] == "admin_only"
        assert "quản trị" in r.json()["detail"]


def test_admin_adds_a_version_and_version_one_stays_as_it_was(server: AppServer):
    admin = Api(server, ADMIN)
    forms = forms_by_code(server)
    assert set(forms) == set(FORMS)
    for code, form in forms.items():
        [v1] = form["versions"]
        assert (form["current_version"], v1["version"], v1["builtin"], v1["current"]) == (
            "1",
            "1",
            True,
            True,
        )
        assert v1["sha256"] == hashlib.sha256(template_path(code).read_bytes()).hexdigest()
    assert {f["name"] for f in forms[FORM]["fields"]} == set(FORMS[FORM].field_names)

    r = upload(server, thong_bao_v2(), note="Thêm câu thay thế các thông báo trước")
    assert r.status_code == 201, r.text
    added = r.json()
    assert (added["version"], added["current"], added["builtin"]) == ("2", True, False)
    assert added["uploaded_by"] == ADMIN and added["uploaded_by_name"]
    assert added["note"] == "Thêm câu thay thế các thông báo trước"

    form = forms_by_code(server)[FORM]
    assert form["current_version"] == "2"
    assert [(v["version"], v["current"]) for v in form["versions"]] == [("1", False), ("2", True)]

    v1 = admin.get(f"{BASE}/{FORM}/versions/1/content")
    assert v1.status_code == 200 and v1.content == builtin(FORM)
    assert v1.headers["content-type"] == DOCX
    assert v1.headers["x-content-sha256"] == hashlib.sha256(builtin(FORM)).hexdigest()
    v2 = admin.get(f"{BASE}/{FORM}/versions/2/content")
    assert v2.status_code == 200 and v2.content == thong_bao_v2()

    # What the flow gets from the same database and object folder: the new version for a
    # new document, the recorded one for a document issued before.
    db = Database(f"sqlite:///{server.var_dir / 'tdkt.sqlite3'}")
    store = LocalObjectStore(server.var_dir / "objects")
    try:
        with db.write() as s:
            assert resolve_template(s, store, FORM, None).data == thong_bao_v2()
            assert resolve_template(s, store, FORM, "1").data == builtin(FORM)
            assert resolve_template(s, store, "to_trinh_ban", None).version == "1"
    finally:
        db.dispose()


@pytest.mark.parametrize(
    ("kind", "status", "code", "says"),
    [
        ("undeclared field", 422, "template_invalid", "so_tai_khoan"),
        (".docm", 422, "template_invalid", "macro"),
        ("garbage", 422, "template_invalid", "không phải là tài liệu Word"),
        ("empty", 422, "empty_file", "rỗng"),
        ("oversized", 413, "payload_too_large", "MB"),
    ],
)
def test_a_refused_upload_is_explained_and_stores_nothing(
    server: AppServer, kind: str, status: int, code: str, says: str
):
    data = {
        "undeclared field": with_undeclared_field(FORM),
        ".docm": as_docm(builtin(FORM)),
        "garbage": b"GIF89a this is a picture, not a form",
        "empty": b"",
        "oversized": thong_bao_v2() + b"\0" * (2 * 1024 * 1024),  # the server allows 2 MB
    }[kind]
    forms_by_code(server)  # the built-in versions are registered by now
    before_files, before_versions = stored_templates(server), forms_by_code(server)[FORM]

    r = upload(server, data, name="mau.docm" if kind == ".docm" else "mau.docx")
    assert r.status_code == status, r.text
    body = r.json()
    assert body["code"] == code and says in body["detail"], body
    if code == "template_invalid":
        assert body["problems"] and body["detail"].startswith("Mẫu không được chấp nhận: (1) ")

    assert stored_templates(server) == before_files
    assert forms_by_code(server)[FORM] == before_versions


def test_unknown_form_version_and_duplicate(server: AppServer):
    admin = Api(server, ADMIN)
    r = admin.get(f"{BASE}/quyet_dinh/versions/1/content")
    assert (r.status_code, r.json()["code"]) == (404, "form_not_found")
    r = admin.get(f"{BASE}/{FORM}/versions/9/content")
    assert (r.status_code, r.json()["code"]) == (404, "template_version_not_found")
    r = upload(server, builtin(FORM))
    assert (r.status_code, r.json()["code"]) == (409, "template_duplicate")
    assert "phiên bản 1" in r.json()["detail"]
