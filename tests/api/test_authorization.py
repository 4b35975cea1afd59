"""Who may do what to a dossier, endpoint by endpoint: every role in and out of scope,
asserting the exact status. Nothing is reachable by guessing an id."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fixtures.server import PIN, Api, AppServer

pytestmark = pytest.mark.slow

# The dossier of Ban Dân tộc tỉnh (Cụm I – Quản lý chuyên ngành) waits for its cluster.
IN = {
    "clerk": "bdt.canbo",
    "head": "bdt.thutruong",
    "cluster": "bqlkkt.cum",
    "specialist": "ptdkt.chuyenvien",
    "board_head": "ptdkt.truongphong",
    "leader": "snv.phogiamdoc",
    "auditor": "thanhtra",
    "admin": "admin",
    "member": "bdt.anhtuyet",  # of the unit, but not a nominee of this dossier
}
OUT = {  # same roles, other units or another cluster
    "other_clerk": "vpdpntm.canbo",
    "other_head": "vpdpntm.thutruong",
    "other_cluster": "bdls.cum",
}
ALL = {**IN, **OUT}

# Expected status per endpoint; the order of roles: IN then OUT.
MATRIX: dict[str, dict[str, int]] = {
    "read": {
        "clerk": 200,
        "head": 200,
        "cluster": 200,
        "specialist": 404,
        "leader": 404,
        "member": 404,
        "board_head": 404,
        "auditor": 200,
        "admin": 404,
        "other_clerk": 404,
        "other_head": 404,
        "other_cluster": 404,
    },
    "edit": {
        "clerk": 409,
        "head": 403,
        "cluster": 403,
        "specialist": 404,
        "leader": 404,
        "member": 404,
        "board_head": 404,
        "auditor": 403,
        "admin": 404,
        "other_clerk": 404,
        "other_head": 404,
        "other_cluster": 404,
    },
    "approve": {
        "clerk": 403,
        "head": 409,
        "specialist": 404,
        "leader": 404,
        "member": 404,
        "board_head": 404,
        "auditor": 403,
        "admin": 404,
        "other_clerk": 404,
        "other_head": 404,
        "other_cluster": 404,
    },
    "export": {
        "clerk": 403,
        "head": 403,
        "cluster": 403,
        "specialist": 404,
        "leader": 404,
        "member": 404,
        "board_head": 404,
        "auditor": 200,
        "admin": 404,
        "other_clerk": 404,
        "other_head": 404,
        "other_cluster": 404,
    },
    "audit_verify": {
        "clerk": 403,
        "head": 403,
        "cluster": 403,
        "specialist": 403,
        "leader": 403,
        "member": 403,
        "board_head": 403,
        "auditor": 200,
        "admin": 200,
        "other_clerk": 403,
        "other_head": 403,
        "other_cluster": 403,
    },
    "admin_users": {
        "clerk": 403,
        "head": 403,
        "cluster": 403,
        "specialist": 403,
        "leader": 403,
        "member": 403,
        "board_head": 403,
        "auditor": 403,
        "admin": 200,
        "other_clerk": 403,
        "other_head": 403,
        "other_cluster": 403,
    },
    "appraisal": {  # the recorded results: the Phòng, the Sở's leadership, auditors
        "clerk": 403,
        "head": 403,
        "cluster": 403,
        "specialist": 404,
        "leader": 404,
        "member": 404,
        "board_head": 404,
        "auditor": 200,
        "admin": 404,
        "other_clerk": 404,
        "other_head": 404,
        "other_cluster": 404,
    },
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    srv = AppServer(tmp_path_factory.mktemp("authz"), {}).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def dossier(server: AppServer) -> dict:
    clerk, head = Api(server, IN["clerk"]), Api(server, IN["head"])
    d = clerk.post(
        "/api/v1/dossiers",
        json={
            "year": 2026,
            "nominees": [
                {"kind": "collective", "name": "Phòng Chính sách", "achievements": "Xuất sắc"}
            ],
        },
    ).json()
    clerk.attach(d["id"])  # the Biên bản bình xét the law requires
    assert clerk.act(d["id"], "submit").status_code == 200
    clerk.wait_idle(d["id"])
    assert head.act(d["id"], "approve", signing_pin=PIN).status_code == 200
    d = clerk.wait_idle(d["id"])
    assert d["status"] == "cluster_review"
    docs = clerk.get(f"/api/v1/dossiers/{d['id']}/documents").json()
    return d | {"doc": next(x["id"] for x in docs if x["form"] != "attachment")}


def status(api: Api, what: str, d: dict) -> int:
    i = d["id"]
    calls = {
        "read": [
            ("GET", f"/api/v1/dossiers/{i}"),
            ("GET", f"/api/v1/dossiers/{i}/history"),
            ("GET", f"/api/v1/dossiers/{i}/documents"),
            ("GET", f"/api/v1/documents/{d['doc']}/content"),
            ("GET", f"/api/v1/documents/{d['doc']}/verify"),
        ],
        "edit": [("PATCH", f"/api/v1/dossiers/{i}")],
        "approve": [("POST", f"/api/v1/dossiers/{i}/actions/approve")],
        "export": [("GET", f"/api/v1/dossiers/{i}/history/export")],
        "audit_verify": [("GET", "/api/v1/audit/verify")],
        "admin_users": [("GET", "/api/v1/admin/users")],
        "appraisal": [("GET", f"/api/v1/dossiers/{i}/appraisal")],
    }[what]
    answers = set()
    for method, path in calls:
        body = {"version": d["version"], "title": "x"} if method == "PATCH" else None
        if what == "approve":
            body = {"signing_pin": "000000"}  # never the right one: nothing may be signed
        answers.add(api.request(method, path, json=body).status_code)
    assert len(answers) == 1, (what, api.username, answers)  # one verdict per endpoint group
    return answers.pop()


@pytest.mark.parametrize("what", list(MATRIX))
def test_every_role_in_and_out_of_scope_gets_the_exact_status(
    server: AppServer, dossier: dict, what: str
):
    got = {
        role: status(Api(server, user), what, dossier)
        for role, user in ALL.items()
        if role in MATRIX[what]
    }
    assert got == MATRIX[what]


def test_lists_and_inboxes_never_show_what_is_not_yours(server: AppServer, dossier: dict):
    sees = {"clerk", "head", "cluster", "auditor"}
    for role, user in ALL.items():
        ids = [x["id"] for x in Api(server, user).get("/api/v1/dossiers").json()["items"]]
        assert (dossier["id"] in ids) == (role in sees), role
        inbox = [x["id"] for x in Api(server, user).get("/api/v1/inbox").json()]
        assert (dossier["id"] in inbox) == (role == "cluster"), role


def test_guessing_ids_reveals_nothing(server: AppServer, dossier: dict):
    other = Api(server, OUT["other_clerk"])
    for i in (dossier["id"], dossier["id"] + 1, 999_999):
        r = other.get(f"/api/v1/dossiers/{i}")
        assert (r.status_code, r.json()["code"]) == (404, "dossier_not_found")
    for doc in (dossier["doc"], 999_999):
        r = other.get(f"/api/v1/documents/{doc}/content")
        assert (r.status_code, r.json()["code"]) == (404, "document_not_found")
