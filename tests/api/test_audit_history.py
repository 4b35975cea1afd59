"""An auditor's view, end to end against the real app process (embedded: SQLite, local
write-once folder, in-process Prefect flows with the checkpoint schedule running):
who may read a history, what each entry says, that reads are recorded, that an export
can be checked outside tdkt (JSON recomputed by hand, PDF seal, checkpoint signature
with openssl), and that a swapped archived PDF is named by the API and the CLI."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from doc_templates.build_templates import build_bytes
from doc_templates.catalogue import REPORTS, template_path
from documents.render import template_variables
from documents.verify import verify_pdf_sync
from tests.fixtures.server import Api, AppServer

pytestmark = pytest.mark.slow

CLERK, HEAD, CLUSTER = "bdt.canbo", "bdt.thutruong", "bqlkkt.cum"
OTHER_CLERK, SPECIALIST, AUDITOR, ADMIN = "vpdpntm.canbo", "ptdkt.chuyenvien", "thanhtra", "admin"
CLUSTER_NAME = "Cụm I – Các cơ quan Quản lý chuyên ngành"
BQLKKT = "Ban Quản lý Khu kinh tế cửa khẩu Đồng Đăng – Lạng Sơn"
REASON = 'Bổ sung minh chứng <số liệu> & "{{ đánh giá }}" cho tập thể.'


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    srv = AppServer(tmp_path_factory.mktemp("audit"), {"TDKT_CHECKPOINT_MINUTES": "0.05"}).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def dossier(server: AppServer) -> dict:
    """Submitted by the unit, approved by its head, returned by the cluster with a reason."""
    r = Api(server, CLERK).post(
        "/api/v1/dossiers",
        json={
            "year": 2026,
            "nominees": [
                {"kind": "collective", "name": "Phòng Chính sách", "achievements": "Xuất sắc"}
            ],
        },
    )
    assert r.status_code == 201, r.text
    d = r.json()
    Api(server, CLERK).attach(d["id"])  # the Biên bản bình xét the law requires
    pin = server.env.get("TDKT_DEMO_PIN", "123456")  # the head signs in person
    for user, action, body in (
        (CLERK, "submit", {}),
        (HEAD, "approve", {"signing_pin": pin}),
        (CLUSTER, "return", {"reason": REASON}),
    ):
        api = Api(server, user)
        r = api.act(d["id"], action, **body)
        assert r.status_code == 200, r.text
        d = api.wait_idle(d["id"])
    assert d["status"] == "returned"
    return d


def history(server: AppServer, user: str, dossier_id: int, **params) -> list[dict]:
    r = Api(server, user).get(f"/api/v1/dossiers/{dossier_id}/history", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def test_history_says_who_for_whom_when_why_and_which_files(server: AppServer, dossier: dict):
    entries = history(server, CLERK, dossier["id"])
    machine = ("documents_issued", "routed")  # the submission issues nothing: "routed"
    assert [e["kind"] for e in entries if e["kind"] not in machine] == [
        "created",
        "attachment_added",
        "submit",
        "approve",
        "return",
    ]
    assert [e["seq"] for e in entries] == list(range(1, len(entries) + 1))

    returned = next(e for e in entries if e["kind"] == "return")
    assert returned["reason"] == REASON
    assert (returned["actor_role"], returned["actor_unit"]) == ("cluster_approver", BQLKKT)
    assert returned["on_behalf_of"] == CLUSTER_NAME  # the cluster, not the staff's own unit
    assert returned["actor_role_label"] and returned["to_status_label"] == "Bị trả lại"
    assert (returned["from_status"], returned["to_status"]) == ("cluster_review", "returned")
    at = datetime.fromisoformat(returned["at"].replace("Z", "+00:00"))
    assert at.utcoffset() == timedelta(0)
    vn = (at + timedelta(hours=7)).strftime("%d/%m/%Y %H:%M:%S")
    assert returned["at_vn"] == f"{vn} (giờ Việt Nam)"

    # Machine steps name every file they stored, with the SHA-256 the archive holds.
    issued = {
        d["object_key"]: d["sha256"]
        for e in entries
        if e["kind"] == "documents_issued"
        for d in e["documents"]
    }
    stored = {
        v["object_key"]: v["sha256"]
        for doc in Api(server, CLERK).get(f"/api/v1/dossiers/{dossier['id']}/documents").json()
        for v in doc["versions"]
        if v["rendition"] == "pdf-signed"
    }
    # Report, unit's proposal, the Biên bản sealed with its number, cluster's notice.
    assert len(stored) == 4
    assert all(issued[key] == sha256 for key, sha256 in stored.items())
    assert all(key.endswith((".pdf", ".docx")) for key in issued)
    step = next(e for e in entries if e["kind"] == "documents_issued")
    assert step["actor"] is None and step["hash"] != step["prev_hash"]


def test_only_auditors_and_participants_read_a_history(server: AppServer, dossier: dict):
    path = f"/api/v1/dossiers/{dossier['id']}/history"
    for user in (AUDITOR, CLERK, HEAD, CLUSTER):
        assert Api(server, user).get(path).status_code == 200, user
    for user in (OTHER_CLERK, SPECIALIST, ADMIN):  # another unit; the board it never reached
        r = Api(server, user).get(path)
        assert (r.status_code, r.json()["code"]) == (404, "dossier_not_found"), user

    r = Api(server, CLERK).get(path, params={"include_reads": True})
    assert (r.status_code, r.json()["code"]) == (403, "forbidden_action")
    assert "thanh tra" in r.json()["detail"]
    r = Api(server, CLERK).get(f"{path}/export")
    assert (r.status_code, r.json()["code"]) == (403, "forbidden_action")
    assert Api(server, OTHER_CLERK).get(f"{path}/export").status_code == 404
    r = Api(server, CLERK).get("/api/v1/audit/verify")
    assert (r.status_code, r.json()["code"]) == (403, "forbidden_action")


def test_every_download_is_recorded_with_the_file_hash(server: AppServer, dossier: dict):
    clerk = Api(server, CLERK)
    docs = clerk.get(f"/api/v1/dossiers/{dossier['id']}/documents").json()
    notice = next(doc for doc in docs if doc["form"] == "thong_bao")
    pdf = next(v for v in notice["versions"] if v["rendition"] == "pdf-signed")
    body = clerk.get(f"/api/v1/documents/{notice['id']}/content")
    assert body.status_code == 200 and hashlib.sha256(body.content).hexdigest() == pdf["sha256"]

    read = history(server, AUDITOR, dossier["id"], include_reads=True)[-1]
    assert read["kind"] == "document_downloaded" and read["actor_role"] == "unit_clerk"
    assert read["actor"] == Api(server, CLERK).get("/api/v1/me").json()["full_name"]
    assert read["documents"][0]["object_key"] == pdf["object_key"]
    assert read["documents"][0]["sha256"] == pdf["sha256"] and read["data"]["intact"]
    # Participants see the dossier's steps, not who inspected what.
    assert "document_downloaded" not in {e["kind"] for e in history(server, CLERK, dossier["id"])}


def canonical_hash(event: dict) -> str:
    """The README's recipe, with nothing from tdkt."""
    raw = json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def test_exported_json_can_be_recomputed_outside_tdkt(server: AppServer, dossier: dict):
    r = Api(server, AUDITOR).get(f"/api/v1/dossiers/{dossier['id']}/history/export")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert hashlib.sha256(r.content).hexdigest() == r.headers["x-content-sha256"]
    export = r.json()
    assert export["chain"]["ok"] and export["dossier"]["id"] == dossier["id"]

    prev = "0" * 64
    for i, item in enumerate(export["events"], start=1):
        event = item["event"]
        assert canonical_hash(event) == item["hash"]
        assert (event["dossier_seq"], event["dossier_prev_hash"]) == (i, prev)
        prev = item["hash"]
    assert export["chain"]["last_hash"] == prev
    assert {e["event"]["kind"] for e in export["events"]} >= {"return", "document_downloaded"}
    files = {d["object_key"]: d["sha256"] for d in export["documents"]}
    steps = [e["event"] for e in export["events"] if e["event"]["kind"] == "documents_issued"]
    issued = [
        d
        for step in steps
        for d in step["data"]["documents"] + step["data"].get("sealed_attachments", [])
    ]
    assert all(files[d["object_key"]] == d["sha256"] for d in issued)
    signed = {d["object_key"] for d in export["documents"] if d["rendition"] == "pdf-signed"}
    assert len(signed) == 4 and signed <= {d["object_key"] for d in issued}

    # The export itself is now in the history, with the hash of the file handed out.
    last = history(server, AUDITOR, dossier["id"], include_reads=True)[-1]
    assert last["kind"] == "history_exported" and last["actor_role"] == "auditor"
    assert last["data"]["file_sha256"] == hashlib.sha256(r.content).hexdigest()


def test_exported_pdf_is_sealed_and_lists_every_hash(
    server: AppServer, dossier: dict, tmp_path: Path
):
    auditor = Api(server, AUDITOR)
    url = f"/api/v1/dossiers/{dossier['id']}/history/export"
    before = auditor.get(url).json()  # what the PDF must at least list
    r = auditor.get(url, params={"format": "pdf"})
    assert r.status_code == 200 and r.content.startswith(b"%PDF-")
    roots = auditor.get("/api/v1/trust-roots").content
    [seal] = verify_pdf_sync(r.content, [roots])
    assert seal.intact and seal.trusted and "Sở Nội vụ" in seal.signer

    path = tmp_path / "lich-su.pdf"
    path.write_bytes(r.content)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = "".join(text.split())
    assert "LỊCHSỬHỒSƠ" in flat and "".join(REASON.split()) in flat
    *listed, exported = history(server, AUDITOR, dossier["id"], include_reads=True)
    assert exported["kind"] == "history_exported"  # recorded after the PDF was made
    assert listed[-1]["kind"] == "history_exported"  # the JSON export just before
    for e in listed:
        assert e["hash"] in flat, e["kind"]
    assert before["documents"]
    for d in before["documents"]:
        assert d["sha256"] in flat, d["object_key"]


def test_history_form_reads_only_what_the_catalogue_declares():
    spec = REPORTS["lich_su_ho_so"]
    assert template_variables(template_path("lich_su_ho_so")) == spec.field_names
    assert build_bytes("lich_su_ho_so") == template_path("lich_su_ho_so").read_bytes()


def latest_checkpoint(server: AppServer) -> dict | None:
    return Api(server, AUDITOR).get("/api/v1/audit/verify").json()["last_checkpoint"]


def test_checkpoints_are_signed_on_schedule_and_check_out_with_openssl(
    server: AppServer, dossier: dict, tmp_path: Path
):
    deadline = time.monotonic() + 60
    while latest_checkpoint(server) is None:  # the app's schedule, nobody asked
        assert time.monotonic() < deadline, "no checkpoint written on schedule"
        time.sleep(0.5)

    out = server.cli("audit", "checkpoint", "--json")
    result = json.loads(out.stdout)
    check = Api(server, AUDITOR).get("/api/v1/audit/verify").json()
    assert check["ok"] and check["checkpoints"] >= 1, check
    # Nothing happened since (the verify call is not an event): the newest checkpoint
    # anchors the whole chain, whoever wrote it.
    assert check["last_checkpoint"]["count"] == check["events"]
    assert result["written"] or "không ghi mốc mới" in result["detail"]

    cp = check["last_checkpoint"]
    objects = server.var_dir / "objects"
    roots = tmp_path / "roots.pem"
    roots.write_bytes(Api(server, AUDITOR).get("/api/v1/trust-roots").content)
    command = ["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-purpose", "any"]
    command += ["-in", str(objects / f"{cp['object_key']}.p7s")]
    command += ["-content", str(objects / cp["object_key"]), "-CAfile", str(roots)]
    verified = subprocess.run([*command, "-out", os.devnull], capture_output=True, text=True)
    assert verified.returncode == 0, verified.stderr
    body = json.loads((objects / cp["object_key"]).read_bytes())
    assert (body["count"], body["hash"]) == (cp["count"], cp["hash"])
    at = datetime.fromisoformat(body["at"].replace("Z", "+00:00"))
    assert datetime.now(UTC) - at < timedelta(minutes=5)


def test_swapped_archived_pdf_is_named_by_the_api_and_the_cli(server: AppServer, dossier: dict):
    """Last in the module: it damages the archive."""
    auditor = Api(server, AUDITOR)
    assert auditor.get("/api/v1/audit/verify").json()["ok"]
    docs = auditor.get(f"/api/v1/dossiers/{dossier['id']}/documents").json()
    proposal = next(doc for doc in docs if doc["form"] == "to_trinh_don_vi")
    key = next(v for v in proposal["versions"] if v["rendition"] == "pdf-signed")["object_key"]
    other = next(doc for doc in docs if doc["form"] == "thong_bao")
    other_key = next(v for v in other["versions"] if v["rendition"] == "pdf-signed")["object_key"]

    path = server.var_dir / "objects" / key
    os.chmod(path, 0o644)  # the store itself never writes twice: someone on the server
    path.write_bytes((server.var_dir / "objects" / other_key).read_bytes())

    r = auditor.get("/api/v1/audit/verify").json()
    assert (r["ok"], r["bad_object"], r["code"], r["first_bad"]) == (
        False,
        key,
        "object_modified",
        None,
    )
    assert key in r["detail"] and r["dossier_id"] == dossier["id"]
    cli = server.cli("audit", "verify", "--json", check=False)
    assert cli.returncode == 1
    assert json.loads(cli.stdout)["bad_object"] == key
    text = server.cli("audit", "verify", check=False).stdout
    assert "không khớp mã băm SHA-256" in text and key in text
