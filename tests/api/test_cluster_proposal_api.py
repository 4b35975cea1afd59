"""The cluster's ONE proposal (Tờ trình của Cụm) over the HTTP API of the real server, for
Cụm I (five members, four present): a closed secret vote with four candidate dossiers
(three for the Bằng khen, one for the Cờ thi đua); one fails and goes back; the head unit
drafts the proposal from the vote, its leader signs the Tờ trình (TM. CỤM THI ĐUA) once
the vote's Biên bản is signed: numbered in the cluster's series, signed and sealed (valid
to pyHanko and pdfsig), listing the nominees by award; the board's specialist strikes one
dossier with a reason, the board's head approves the rest as a whole, they are approved
and put into a round; the refusals with their codes.

How dossiers come to wait for the vote and move after it (item 1 of the work) and the
Biên bản of the vote (item 3) are other parts of the work: the fixture puts the dossiers
at the cluster's step, moves them after the tally, and records a signed Biên bản
document of the meeting directly in the database."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from documents.verify import verify_pdf_sync
from storage.models import AuditEvent, RoundDossier
from tests.fixtures.cluster_proposal import (
    AWARDS_SETTING,
    BOARD_HEAD,
    CHAIR,
    DEPUTY,
    SPECIALIST,
    YEAR,
    closed_vote,
    code_of,
    db_of,
    sign_minutes,
    status_of,
)
from tests.fixtures.modes import MODES, app_in_mode
from tests.fixtures.nss import nss_db, pdfsig
from tests.fixtures.server import PIN, Api, AppServer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=MODES)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AppServer]:
    """The app embedded (SQLite) and production-like (PostgreSQL, S3 with object lock)."""
    env = {"TDKT_CLUSTER_VOTE_AWARDS": AWARDS_SETTING}
    with app_in_mode(tmp_path_factory.mktemp(request.param), request.param, env) as srv:
        yield srv


@pytest.fixture(scope="module")
def voted(server: AppServer) -> dict[str, Any]:
    return closed_vote(server)


def wait_numbered(api: Api, path: str, timeout: float = 180) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        p = api.get(path).json()
        if p["document_id"] and p["number"]:
            return p
        if time.monotonic() > deadline:
            raise TimeoutError(f"proposal not issued: {p}")
        time.sleep(0.3)


def test_the_proposal_drafted_signed_appraised_approved_and_put_in_a_round(
    server: AppServer, voted: dict[str, Any], tmp_path: Path
) -> None:
    base, dossiers = voted["base"], voted["dossiers"]
    path = base + "/proposal"
    head, deputy = Api(server, CHAIR), Api(server, DEPUTY)
    specialist, board_head = Api(server, SPECIALIST), Api(server, BOARD_HEAD)

    assert voted["no_vote"].status_code == 409 and code_of(voted["no_vote"]) == "vote_missing"
    assert (
        voted["vote_open"].status_code == 409 and code_of(voted["vote_open"]) == "vote_not_closed"
    )

    empty = head.get(path)
    assert empty.status_code == 200, empty.text
    assert empty.json()["exists"] is False and empty.json()["waiting"] == 3
    assert empty.json()["vote_closed"] is True and empty.json()["can_refresh"] is True

    # A member's clerk reads, never drafts; another cluster's unit sees nothing.
    r = Api(server, "bdt.canbo").post(path, json={"version": 0})
    assert r.status_code == 403 and code_of(r) == "cluster_lead_only"
    assert Api(server, "vnptls.canbo").get(path).status_code == 404

    # The deputy unit drafts (runs the year), only the head unit's leader signs.
    r = deputy.post(path, json={"version": 0})
    assert r.status_code == 200, r.text
    p = r.json()
    assert p["exists"] and p["status"] == "draft"
    groups = {g["award"]: [e["dossier_id"] for e in g["entries"]] for g in p["groups"]}
    assert groups == {
        "bang_khen_ubnd_tinh": [dossiers["BDT"], dossiers["LMHTX"]],
        "co_thi_dua_ubnd_tinh": [dossiers["VPDPNTM"]],
    }
    assert [g["award"] for g in p["groups"]] == ["bang_khen_ubnd_tinh", "co_thi_dua_ubnd_tinh"]
    bdt = p["groups"][0]["entries"][0]
    assert bdt["vote_passed"] is True and "Đồng ý 4" in bdt["tally_text"], bdt
    # The Cờ has no question of its own: it passed with the leading member elected.
    flag = p["groups"][1]["entries"][0]
    assert flag["vote_passed"] is True and "được suy tôn với 4/5 phiếu" in flag["tally_text"]
    assert "Biên bản họp bình xét, suy tôn chưa được ký, đóng dấu." in p["problems"]
    r = head.post(path, json={"version": 0})
    assert r.status_code == 409 and code_of(r) == "stale_version"

    r = deputy.post(path + "/actions/sign", json={"signing_pin": PIN})
    assert r.status_code == 403 and code_of(r) == "cluster_head_only"
    r = head.post(path + "/actions/sign", json={"signing_pin": PIN})
    assert r.status_code == 422 and code_of(r) == "minutes_not_signed", r.text
    assert r.json()["problems"]

    # Before the Tờ trình is sent the board does not see the members' dossiers …
    assert specialist.get(f"/api/v1/dossiers/{dossiers['BDT']}").status_code == 404
    sign_minutes(server, voted["meeting_id"])
    p = head.get(path).json()
    assert p["minutes_document_id"] and p["problems"] == [] and p["can_sign"] is True
    r = head.post(path + "/actions/sign", json={"signing_pin": PIN, "version": p["version"] - 1})
    assert r.status_code == 409 and code_of(r) == "stale_version"
    r = head.post(path + "/actions/sign", json={"signing_pin": PIN, "version": p["version"]})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "board_appraisal"
    # … once sent with it, it opens each of them to appraise the whole.
    seen = specialist.get(f"/api/v1/dossiers/{dossiers['BDT']}")
    assert seen.status_code == 200 and seen.json()["status"] == "cluster_voted", seen.text
    first = wait_numbered(head, path)["number"]
    assert first.endswith("/TTr-CỤM I"), first

    # Returned by the board with a reason, refreshed and signed again: a new number.
    r = board_head.post(path + "/actions/return", json={"reason": "Bổ sung báo cáo thành tích."})
    assert r.status_code == 200, r.text
    p = r.json()
    assert p["status"] == "returned" and p["return_reason"] == "Bổ sung báo cáo thành tích."
    assert p["can_sign"] is False and head.get(path).json()["can_sign"] is True
    r = deputy.post(path, json={"version": p["version"]})
    assert r.status_code == 200, r.text
    r = head.post(path + "/actions/sign", json={"signing_pin": PIN, "version": r.json()["version"]})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "board_appraisal" and r.json()["return_reason"] is None
    p = wait_numbered(head, path)
    assert p["number"].endswith("/TTr-CỤM I") and p["number"] != first, (first, p["number"])
    r = deputy.post(path, json={"version": p["version"]})
    assert r.status_code == 409 and code_of(r) == "proposal_not_editable"

    # The signed Tờ trình: the leader's signature and the head unit's seal, both valid.
    doc = p["document_id"]
    r = specialist.get(f"/api/v1/documents/{doc}/content")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf", r.text
    pdf_path = tmp_path / "to-trinh-cum.pdf"
    pdf_path.write_bytes(r.content)
    roots = specialist.get("/api/v1/trust-roots").content
    reports = verify_pdf_sync(r.content, [roots])
    assert len(reports) == 2 and all(x.intact and x.valid and x.trusted for x in reports)
    checked = pdfsig(pdf_path, nss_db(tmp_path / "nss", roots))
    assert checked.count("Signature is Valid.") == 2, checked
    flat = " ".join(
        subprocess.run(
            ["pdftotext", str(pdf_path), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    for expected in (
        "TỜ TRÌNH",
        "TM. CỤM THI ĐUA",
        "TRƯỞNG CỤM",
        p["number"].split("/")[1],
        "I. BẰNG KHEN CỦA CHỦ TỊCH UBND TỈNH",
        "II. CỜ THI ĐUA CỦA UBND TỈNH",
        "Tập thể BDT <&> «bang_khen_ubnd_tinh»",
        "Tập thể LMHTX",
        "Tập thể VPDPNTM",
        "01/BB-CỤM I",
        "./.",
    ):
        assert expected in flat, (expected, flat)
    assert "Tập thể BQLDA" not in flat
    assert Api(server, "vnptls.canbo").get(f"/api/v1/documents/{doc}/content").status_code == 404

    # The board: in its list of things to do, told of its arrival.
    todo = specialist.get("/api/v1/cluster-proposals").json()
    assert [x["id"] for x in todo] == [p["id"]] and todo[0]["dossiers"] == 3
    notes = specialist.get("/api/v1/notifications").json()
    assert any(n["subject_kind"] == "cluster_proposal" for n in notes), notes
    assert Api(server, "bdt.canbo").get("/api/v1/cluster-proposals").json() == []

    # Strikes: only the specialist, with a reason, a dossier of the list.
    strike = {"dossier_id": dossiers["LMHTX"], "reason": ""}
    r = board_head.post(path + "/strike", json={**strike, "reason": "Thiếu"})
    assert r.status_code == 403 and code_of(r) == "forbidden_action"
    r = specialist.post(path + "/strike", json=strike)
    assert r.status_code == 422 and code_of(r) == "reason_required"
    r = specialist.post(path + "/strike", json={"dossier_id": dossiers["BQLDA"], "reason": "x"})
    assert r.status_code == 404 and code_of(r) == "dossier_not_in_proposal"
    reason = "Thành tích chưa tiêu biểu so với tiêu chuẩn Bằng khen (Điều 74 Luật)."
    r = specialist.post(path + "/strike", json={**strike, "reason": reason})
    assert r.status_code == 200, r.text
    r = specialist.post(path + "/strike", json={**strike, "reason": reason})
    assert r.status_code == 409 and code_of(r) == "already_struck"

    # Approval: the board's head only; a return needs a reason.
    r = specialist.post(path + "/actions/approve", json={})
    assert r.status_code == 403 and code_of(r) == "forbidden_action"
    r = board_head.post(path + "/actions/return", json={})
    assert r.status_code == 422 and code_of(r) == "reason_required"
    r = head.post(path + "/actions/approve", json={})
    assert r.status_code == 403 and code_of(r) == "forbidden_action"
    r = board_head.post(path + "/actions/approve", json={})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "approved"
    assert status_of(server, dossiers["BDT"]) == "approved"
    assert status_of(server, dossiers["VPDPNTM"]) == "approved"
    assert status_of(server, dossiers["LMHTX"]) == "rejected"
    assert status_of(server, dossiers["BQLDA"]) == "returned"
    r = board_head.post(path + "/actions/approve", json={})
    assert r.status_code == 409, r.text

    # Into a round of the award-decision work.
    created = specialist.post(
        "/api/v1/rounds",
        json={
            "name": "Đợt khen thưởng tổng kết năm 2026",
            "year": YEAR,
            "kind": "thuong_xuyen",
            "awards": ["bang_khen_ubnd_tinh", "co_thi_dua_ubnd_tinh"],
        },
    )
    assert created.status_code == 201, created.text
    rid = created.json()["id"]
    r = Api(server, "bdt.canbo").post(path + "/actions/enter-round", json={"round_id": rid})
    assert r.status_code in (403, 404), r.text
    r = specialist.post(path + "/actions/enter-round", json={"round_id": rid})
    assert r.status_code == 200, r.text
    assert r.json()["round_id"] == rid
    r = specialist.post(path + "/actions/enter-round", json={"round_id": rid})
    assert r.status_code == 409 and code_of(r) == "already_in_round"
    d = db_of(server)
    with d.read() as s:
        in_round = set(
            s.scalars(select(RoundDossier.dossier_id).where(RoundDossier.round_id == rid))
        )
        kinds = {
            (e.subject_kind, e.kind)
            for e in s.scalars(select(AuditEvent).where(AuditEvent.kind.like("%cluster_proposal%")))
        }
        dossier_events = list(
            s.scalars(
                select(AuditEvent).where(
                    AuditEvent.dossier_id == dossiers["LMHTX"],
                    AuditEvent.kind == "cluster_proposal_struck_rejected",
                )
            )
        )
    d.dispose()
    assert in_round == {dossiers["BDT"], dossiers["VPDPNTM"]}
    assert {
        ("cluster_proposal", "cluster_proposal_created"),
        ("cluster_proposal", "cluster_proposal_signed"),
        ("cluster_proposal", "cluster_proposal_struck"),
        ("cluster_proposal", "cluster_proposal_approved"),
        ("cluster_proposal", "cluster_proposal_returned"),
        ("cluster_proposal", "cluster_proposal_refreshed"),
        ("cluster_proposal", "cluster_proposal_entered_round"),
        ("dossier", "cluster_proposal_approved"),
        ("dossier", "cluster_proposal_struck_rejected"),
        ("dossier", "struck_from_cluster_proposal"),
    } <= kinds, kinds
    assert dossier_events and dossier_events[0].reason == reason
