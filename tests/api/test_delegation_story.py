"""Ủy quyền, ký thay, through the HTTP API of the real server (embedded mode):

- the board head (Trưởng phòng) on leave delegates their role to the Phó Trưởng phòng for
  one week: the deputy sees the dossier waiting for the head in their inbox and approves
  it; the history names the deputy and on whose behalf; a notice the deputy returns a
  dossier with is signed «TL. GIÁM ĐỐC … / KT. TRƯỞNG PHÒNG … / PHÓ TRƯỞNG PHÒNG …» with
  the deputy's name, sealed, valid to pyHanko and pdfsig;
- a unit head delegates to a colleague (TUQ.): the unit's Tờ trình carries the colleague's
  own personal signature under «TUQ. THỦ TRƯỞNG ĐƠN VỊ», valid to pyHanko and pdfsig;
- once the week is over (the dates moved in the database) the deputy gets 403, and a
  revoked delegation stops at the next request;
- refusals carry stable codes; creating and revoking are audit events.
"""

from __future__ import annotations

import sqlite3
import subprocess
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from documents.vn import today_vn
from tests.fixtures.nss import nss_db, pdfsig
from tests.fixtures.route import walk_to
from tests.fixtures.server import PIN, Api, AppServer

pytestmark = pytest.mark.slow

CLERK, HEAD = "bdt.canbo", "bdt.thutruong"
BOARD_HEAD, DEPUTY, AUDITOR, ADMIN = (
    "ptdkt.truongphong",
    "ptdkt.photruongphong",
    "thanhtra",
    "admin",
)
COLLEAGUE = "bdt.anhtuyet"  # Trưởng phòng Chính sách dân tộc of Ban Dân tộc


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    srv = AppServer(tmp_path_factory.mktemp("delegation"), {}).start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def nss(server: AppServer, tmp_path_factory: pytest.TempPathFactory) -> str:
    roots = Api(server, AUDITOR).get("/api/v1/trust-roots")
    return nss_db(tmp_path_factory.mktemp("nss"), roots.content)


def dossier(server: AppServer, name: str) -> dict[str, Any]:
    clerk = Api(server, CLERK)
    r = clerk.post(
        "/api/v1/dossiers",
        json={
            "year": 2026,
            "nominees": [
                {"kind": "collective", "name": name, "achievements": "Hoàn thành xuất sắc."}
            ],
        },
    )
    assert r.status_code == 201, r.text
    clerk.attach(r.json()["id"])
    return r.json()


def delegate(server: AppServer, user: str, **body: Any) -> Any:
    return Api(server, user).post("/api/v1/delegations", json=body)


def text_of(pdf: bytes, tmp: Path) -> str:
    path = tmp / "text.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(out.stdout.split())


def valid_signatures(server: AppServer, doc: dict[str, Any], nss: str, tmp: Path) -> list[dict]:
    pdf = Api(server, AUDITOR).get(f"/api/v1/documents/{doc['id']}/content").content
    path = tmp / f"{doc['id']}.pdf"
    path.write_bytes(pdf)
    report = pdfsig(path, nss)
    v = Api(server, AUDITOR).get(f"/api/v1/documents/{doc['id']}/verify").json()
    n = len(v["signatures"])
    assert v["ok"] and n, v
    assert report.count("Signature Validation: Signature is Valid.") == n, report
    assert report.count("Certificate Validation: Certificate is Trusted.") == n, report
    return v["signatures"]


def issued(server: AppServer, dossier_id: int, form: str) -> list[dict[str, Any]]:
    docs = Api(server, AUDITOR).get(f"/api/v1/dossiers/{dossier_id}/documents").json()
    return [doc for doc in docs if doc["form"] == form]


def name_of(server: AppServer, user: str) -> str:
    return Api(server, user).get("/api/v1/me").json()["full_name"]


def move_dates(server: AppServer, delegation_id: int, start: date, end: date) -> None:
    with sqlite3.connect(server.var_dir / "tdkt.sqlite3", timeout=60) as db:
        db.execute(
            "UPDATE delegations SET valid_from = ?, valid_to = ? WHERE id = ?",
            (start.isoformat(), end.isoformat(), delegation_id),
        )


def test_refusals_have_stable_codes(server: AppServer):
    week = (today_vn() + timedelta(days=6)).isoformat()
    cases = [
        (
            BOARD_HEAD,
            {"delegate": BOARD_HEAD, "role": "board_head", "valid_to": week},
            422,
            "self_delegation",
        ),
        (
            BOARD_HEAD,
            {"delegate": "bdt.canbo", "role": "board_head", "valid_to": week},
            422,
            "delegate_elsewhere",
        ),
        (
            DEPUTY,
            {"delegate": "ptdkt.chuyenvien", "role": "board_head", "valid_to": week},
            403,
            "grant_not_held",
        ),
        (
            BOARD_HEAD,
            {
                "delegate": DEPUTY,
                "role": "board_head",
                "valid_from": week,
                "valid_to": today_vn().isoformat(),
            },
            422,
            "delegation_dates",
        ),
        (
            DEPUTY,
            {"delegator": BOARD_HEAD, "delegate": DEPUTY, "role": "board_head", "valid_to": week},
            403,
            "admin_only",
        ),
    ]
    for user, body, status, code in cases:
        r = delegate(server, user, **body)
        assert (r.status_code, r.json()["code"]) == (status, code), r.text
        assert r.json()["detail"]


def test_the_deputy_signs_for_the_board_head_while_the_week_lasts(
    server: AppServer, nss: str, tmp_path: Path
):
    head_name, deputy_name = name_of(server, BOARD_HEAD), name_of(server, DEPUTY)
    approved = dossier(server, "Phòng Tổng hợp (ủy quyền)")
    returned = dossier(server, "Phòng Chính sách (ủy quyền)")
    for d in (approved, returned):
        walk_to(server, d["id"], "board_decision")
    deputy = Api(server, DEPUTY)
    waiting = {x["id"] for x in deputy.get("/api/v1/inbox").json()}
    assert approved["id"] not in waiting
    # A specialist of their own: the head's step is not theirs (another step's, 409).
    assert deputy.act(approved["id"], "approve").status_code == 409

    # The head goes on leave for a week: the deputy holds the head's role meanwhile.
    week = today_vn() + timedelta(days=6)
    r = delegate(
        server,
        BOARD_HEAD,
        delegate=DEPUTY,
        role="board_head",
        valid_to=week.isoformat(),
        kind="KT",
        reason="Nghỉ phép năm",
    )
    assert r.status_code == 201, r.text
    d = r.json()
    assert (
        d["in_force"]
        and d["kind_label"].startswith("KT.")
        and d["delegate"]["full_name"] == deputy_name
    )
    again = delegate(
        server, BOARD_HEAD, delegate=DEPUTY, role="board_head", valid_to=week.isoformat()
    )
    assert (again.status_code, again.json()["code"]) == (409, "delegation_overlap")
    mine = deputy.get("/api/v1/delegations").json()
    assert [x["id"] for x in mine] == [d["id"]]

    waiting = {x["id"] for x in deputy.get("/api/v1/inbox").json()}
    assert {approved["id"], returned["id"]} <= waiting
    r = deputy.act(approved["id"], "approve", signing_pin=PIN)
    assert r.status_code == 200, r.text
    assert deputy.wait_idle(approved["id"])["status"] == "leadership_review"

    # The history: the deputy acted, on behalf of the head.
    history = Api(server, AUDITOR).get(f"/api/v1/dossiers/{approved['id']}/history").json()
    events = history["events"] if isinstance(history, dict) else history
    step = next(
        e for e in events if e["kind"] == "approve" and e["from_status"] == "board_decision"
    )
    assert step["actor"] == deputy_name and head_name in step["on_behalf_of"]
    assert deputy_name in step["actor_line"] and head_name in step["actor_line"], step
    page = Api(server, AUDITOR).get(f"/dossiers/{approved['id']}/history")
    if page.status_code == 200:
        assert deputy_name in page.text and head_name in page.text

    # The notice the deputy returns a dossier with: signed for the head, in their own name.
    r = deputy.act(returned["id"], "return", reason="Thiếu biên bản họp xét.")
    assert r.status_code == 200, r.text
    deputy.wait_idle(returned["id"])
    (notice,) = issued(server, returned["id"], "thong_bao")
    pdf = Api(server, AUDITOR).get(f"/api/v1/documents/{notice['id']}/content").content
    text = text_of(pdf, tmp_path)
    assert "KT. TRƯỞNG PHÒNG" in text and "PHÓ TRƯỞNG PHÒNG" in text, text
    assert deputy_name in text and head_name not in text, text
    assert valid_signatures(server, notice, nss, tmp_path)

    # After the week the deputy holds nothing of the head's any more.
    later = dossier(server, "Phòng Kế hoạch (ủy quyền)")
    walk_to(server, later["id"], "board_decision")
    move_dates(server, d["id"], today_vn() - timedelta(days=8), today_vn() - timedelta(days=1))
    r = deputy.act(later["id"], "approve", signing_pin=PIN)
    assert (r.status_code, r.json()["code"]) == (403, "delegation_ended"), r.text
    assert head_name in r.json()["detail"]
    assert later["id"] not in {x["id"] for x in deputy.get("/api/v1/inbox").json()}
    assert not deputy.get("/api/v1/delegations").json()[0]["in_force"]


def test_a_unit_head_delegates_and_the_colleague_signs_the_tờ_trình_personally(
    server: AppServer, nss: str, tmp_path: Path
):
    colleague = name_of(server, COLLEAGUE)
    d = dossier(server, "Phòng Tuyên truyền (ủy quyền)")
    walk_to(server, d["id"], "unit_review")
    r = delegate(
        server,
        ADMIN,
        delegator=HEAD,
        delegate=COLLEAGUE,
        role="unit_head",
        valid_to=(today_vn() + timedelta(days=3)).isoformat(),
        kind="TUQ",
        reason="Thủ trưởng đi công tác",
    )
    assert r.status_code == 201, r.text
    delegation = r.json()
    api = Api(server, COLLEAGUE)
    r = api.act(d["id"], "approve", signing_pin=PIN)
    assert r.status_code == 200, r.text
    api.wait_idle(d["id"])
    (doc,) = issued(server, d["id"], "to_trinh_don_vi")
    text = text_of(
        Api(server, AUDITOR).get(f"/api/v1/documents/{doc['id']}/content").content, tmp_path
    )
    assert "TUQ. THỦ TRƯỞNG ĐƠN VỊ" in text and colleague in text, text
    signers = valid_signatures(server, doc, nss, tmp_path)
    assert any(colleague in str(s.get("signer")) for s in signers), signers

    # Revoked: it stops at the next request.
    r = Api(server, ADMIN).post(f"/api/v1/delegations/{delegation['id']}/revoke")
    assert r.status_code == 200 and r.json()["revoked_at"], r.text
    other = dossier(server, "Phòng Văn thư (ủy quyền)")
    walk_to(server, other["id"], "unit_review")
    # A member of the unit sees no dossier but her own: not even that it exists, now.
    assert api.act(other["id"], "approve", signing_pin=PIN).status_code == 404
    assert other["id"] not in {x["id"] for x in api.get("/api/v1/inbox").json()}
    again = Api(server, ADMIN).post(f"/api/v1/delegations/{delegation['id']}/revoke")
    assert (again.status_code, again.json()["code"]) == (409, "delegation_closed")
    with sqlite3.connect(server.var_dir / "tdkt.sqlite3", timeout=60) as db:
        kinds = [
            k for (k,) in db.execute("SELECT kind FROM audit_events WHERE kind LIKE 'delegation_%'")
        ]
    assert kinds.count("delegation_created") == 2 and kinds.count("delegation_revoked") == 1
    assert Api(server, AUDITOR).get("/api/v1/audit/verify").json()["ok"]
