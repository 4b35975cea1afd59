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
from storage.db import Database
from storage.models import (
    AuditEvent,
    Cluster,
    Document,
    DocumentVersion,
    Dossier,
    RoundDossier,
    Unit,
)
from tests.fixtures.nss import nss_db, pdfsig
from tests.fixtures.server import PIN, Api, AppServer

pytestmark = pytest.mark.slow

YEAR = 2026
CHAIR = "bqlkkt.cum"  # the 2026 head unit's cluster approver (its leader)
DEPUTY = "vpdpntm.cum"
SPECIALIST, BOARD_HEAD = "ptdkt.chuyenvien", "ptdkt.truongphong"
VOTERS = {
    "LMHTX": "lmhtx.thutruong",
    "BQLKKT": "bqlkkt.thutruong",
    "VPDPNTM": "vpdpntm.thutruong",
    "BDT": "bdt.thutruong",
}
CANDIDATES = {
    "BDT": "bang_khen_ubnd_tinh",
    "LMHTX": "bang_khen_ubnd_tinh",
    "BQLDA": "bang_khen_ubnd_tinh",  # fails the vote
    "VPDPNTM": "co_thi_dua_ubnd_tinh",
}
AWARDS_SETTING = "bang_khen_ubnd_tinh,co_thi_dua_ubnd_tinh"


def _db(server: AppServer) -> Database:
    return Database(f"sqlite:///{server.var_dir / 'tdkt.sqlite3'}")


def _code(r: Any) -> str:
    return str(r.json().get("code"))


def _ids(server: AppServer) -> tuple[int, dict[str, int]]:
    d = _db(server)
    with d.read() as s:
        cluster = s.scalar(select(Cluster.id).where(Cluster.code == "CUM1-QLCN"))
        units = {u.code: u.id for u in s.scalars(select(Unit))}
    d.dispose()
    assert cluster is not None
    return cluster, units


def _waiting_dossier(server: AppServer, unit: str, award: str) -> int:
    r = Api(server, f"{unit.lower()}.canbo").post(
        "/api/v1/dossiers",
        json={
            "year": YEAR,
            "award": award,
            "nominees": [
                {
                    "kind": "collective",
                    "name": f"Tập thể {unit} <&> «{award}»",
                    "achievements": "Hoàn thành xuất sắc nhiệm vụ năm 2026.",
                }
            ],
        },
    )
    assert r.status_code == 201, r.text
    did = int(r.json()["id"])
    d = _db(server)
    with d.write() as s:
        row = s.get(Dossier, did)
        assert row is not None
        row.status, row.furthest_stage = "cluster_review", "cluster"
    d.dispose()
    return did


def _status(server: AppServer, dossier_id: int) -> str:
    d = _db(server)
    with d.read() as s:
        row = s.get(Dossier, dossier_id)
        assert row is not None
        status = row.status
    d.dispose()
    return status


def _sign_minutes(server: AppServer, meeting_id: int) -> None:
    """The vote's Biên bản signed and sealed (another part of the work issues it)."""
    d = _db(server)
    with d.write() as s:
        doc = Document(
            subject_kind="meeting",
            subject_id=meeting_id,
            transition_seq=1,
            form="bien_ban_binh_xet_cum",
            copy_no=0,
            title="Biên bản họp bình xét, suy tôn",
            number="01/BB-CỤM I",
        )
        s.add(doc)
        s.flush()
        s.add(
            DocumentVersion(
                document_id=doc.id,
                seq=1,
                rendition="pdf-signed",
                object_key=f"test/bien-ban-{meeting_id}.pdf",
                sha256="0" * 64,
                size=0,
                media_type="application/pdf",
                file_name="bien-ban.pdf",
            )
        )
    d.dispose()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    srv = AppServer(
        tmp_path_factory.mktemp("cluster-proposal"), {"TDKT_CLUSTER_VOTE_AWARDS": AWARDS_SETTING}
    ).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def voted(server: AppServer) -> dict[str, Any]:
    """A closed vote: BDT, LMHTX (Bằng khen) and VPDPNTM (Cờ thi đua) pass, BQLDA fails."""
    cluster, units = _ids(server)
    dossiers = {u: _waiting_dossier(server, u, a) for u, a in CANDIDATES.items()}
    base = f"/api/v1/clusters/{cluster}/years/{YEAR}"
    out: dict[str, Any] = {"cluster": cluster, "units": units, "dossiers": dossiers, "base": base}
    # Before any vote: nothing to draft from.
    out["no_vote"] = Api(server, CHAIR).post(base + "/proposal", json={"version": 0})
    chair = Api(server, CHAIR)
    created = chair.post(
        base + "/vote", json={"held_on": "2026-12-20", "place": "Hội trường Ban Quản lý"}
    )
    assert created.status_code == 201, created.text
    mid = created.json()["id"]
    out["meeting_id"] = mid
    r = chair.request(
        "PUT",
        f"/api/v1/meetings/{mid}/vote/attendance",
        json={"present_unit_ids": [units[u] for u in VOTERS]},
    )
    assert r.status_code == 200, r.text
    questions = {q["key"]: q for q in r.json()["questions"]}
    assert {dossiers[u] for u in CANDIDATES} <= set(questions)
    assert chair.post(f"/api/v1/meetings/{mid}/vote/open").status_code == 200
    out["vote_open"] = chair.post(base + "/proposal", json={"version": 0})

    def paper(unit: str) -> list[dict[str, Any]]:
        choices = []
        for q in r.json()["questions"]:
            key = q["key"]
            if key == -1:
                choice = str(units["BDT"])
            elif key == -2:
                choice = str(units["VPDPNTM"])
            elif key == -3:
                choice = str(units["BDT"])
            elif key == dossiers["BQLDA"]:
                choice = "dong_y" if unit == "BDT" else "khong_dong_y"
            else:
                choice = "dong_y"
            choices.append({"question_id": q["id"], "choice": choice})
        return choices

    for unit, login in VOTERS.items():
        cast = Api(server, login).post(
            f"/api/v1/meetings/{mid}/ballots", json={"choices": paper(unit)}
        )
        assert cast.status_code == 201, cast.text
    closed = chair.post(f"/api/v1/meetings/{mid}/vote/close")
    assert closed.status_code == 200, closed.text
    tally = chair.get(f"/api/v1/meetings/{mid}/tally").json()
    passed = {int(x["key"]): x["passed"] for x in tally["results"] if x["kind"] == "bang_khen"}
    assert passed == {
        dossiers["BDT"]: True,
        dossiers["LMHTX"]: True,
        dossiers["BQLDA"]: False,
        dossiers["VPDPNTM"]: True,
    }, tally
    # What item 1 does at the close: passed → cluster_voted, failed → returned.
    d = _db(server)
    with d.write() as s:
        for did, ok in passed.items():
            row = s.get(Dossier, did)
            assert row is not None
            row.status = "cluster_voted" if ok else "returned"
    d.dispose()
    return out


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

    assert voted["no_vote"].status_code == 409 and _code(voted["no_vote"]) == "vote_missing"
    assert voted["vote_open"].status_code == 409 and _code(voted["vote_open"]) == "vote_not_closed"

    empty = head.get(path)
    assert empty.status_code == 200, empty.text
    assert empty.json()["exists"] is False and empty.json()["waiting"] == 3
    assert empty.json()["vote_closed"] is True and empty.json()["can_refresh"] is True

    # A member's clerk reads, never drafts; another cluster's unit sees nothing.
    r = Api(server, "bdt.canbo").post(path, json={"version": 0})
    assert r.status_code == 403 and _code(r) == "cluster_lead_only"
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
    assert "Biên bản họp bình xét, suy tôn chưa được ký, đóng dấu." in p["problems"]
    r = head.post(path, json={"version": 0})
    assert r.status_code == 409 and _code(r) == "stale_version"

    r = deputy.post(path + "/actions/sign", json={"signing_pin": PIN})
    assert r.status_code == 403 and _code(r) == "cluster_head_only"
    r = head.post(path + "/actions/sign", json={"signing_pin": PIN})
    assert r.status_code == 422 and _code(r) == "minutes_not_signed", r.text
    assert r.json()["problems"]

    _sign_minutes(server, voted["meeting_id"])
    p = head.get(path).json()
    assert p["minutes_document_id"] and p["problems"] == [] and p["can_sign"] is True
    r = head.post(path + "/actions/sign", json={"signing_pin": PIN, "version": p["version"] - 1})
    assert r.status_code == 409 and _code(r) == "stale_version"
    r = head.post(path + "/actions/sign", json={"signing_pin": PIN, "version": p["version"]})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "board_appraisal"
    p = wait_numbered(head, path)
    assert p["number"].endswith("/TTr-CỤM I"), p["number"]
    r = deputy.post(path, json={"version": p["version"]})
    assert r.status_code == 409 and _code(r) == "proposal_not_editable"

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
    assert r.status_code == 403 and _code(r) == "forbidden_action"
    r = specialist.post(path + "/strike", json=strike)
    assert r.status_code == 422 and _code(r) == "reason_required"
    r = specialist.post(path + "/strike", json={"dossier_id": dossiers["BQLDA"], "reason": "x"})
    assert r.status_code == 404 and _code(r) == "dossier_not_in_proposal"
    reason = "Thành tích chưa tiêu biểu so với tiêu chuẩn Bằng khen (Điều 74 Luật)."
    r = specialist.post(path + "/strike", json={**strike, "reason": reason})
    assert r.status_code == 200, r.text
    r = specialist.post(path + "/strike", json={**strike, "reason": reason})
    assert r.status_code == 409 and _code(r) == "already_struck"

    # Approval: the board's head only; a return needs a reason.
    r = specialist.post(path + "/actions/approve", json={})
    assert r.status_code == 403 and _code(r) == "forbidden_action"
    r = board_head.post(path + "/actions/return", json={})
    assert r.status_code == 422 and _code(r) == "reason_required"
    r = head.post(path + "/actions/approve", json={})
    assert r.status_code == 403 and _code(r) == "forbidden_action"
    r = board_head.post(path + "/actions/approve", json={})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "approved"
    assert _status(server, dossiers["BDT"]) == "approved"
    assert _status(server, dossiers["VPDPNTM"]) == "approved"
    assert _status(server, dossiers["LMHTX"]) == "rejected"
    assert _status(server, dossiers["BQLDA"]) == "returned"
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
    assert r.status_code == 409 and _code(r) == "already_in_round"
    d = _db(server)
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
        ("cluster_proposal", "cluster_proposal_entered_round"),
        ("dossier", "cluster_proposal_approved"),
        ("dossier", "cluster_proposal_struck_rejected"),
        ("dossier", "struck_from_cluster_proposal"),
    } <= kinds, kinds
    assert dossier_events and dossier_events[0].reason == reason
