"""The cluster's plan of the year over the HTTP API of the real server: the head unit's
cluster approver drafts it with its criteria, copies, saves against the version it read,
issues it with the PIN; the issued Kế hoạch carries the leader's personal signature and
the head unit's seal (pyHanko and poppler's pdfsig), its number in the cluster's series;
members and the board are told. A member clerk cannot edit it, a unit of another cluster
sees neither the plan nor its PDF."""

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
from storage.models import AuditEvent, Cluster
from tests.fixtures.nss import nss_db, pdfsig
from tests.fixtures.server import PIN, Api, AppServer

pytestmark = pytest.mark.slow

YEAR = 2026
HEAD = "bqlkkt.cum"
TRICKY = 'Tỷ lệ hồ sơ đúng hạn ≥ 98% <"mức A"> & {{ chỉ tiêu }}'
GOALS = 'Đẩy mạnh phong trào thi đua yêu nước năm 2026 <"toàn diện"> & {{ hiệu quả }}.'


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    srv = AppServer(tmp_path_factory.mktemp("cluster-plan"), {}).start()
    yield srv
    srv.stop()


def cluster_id(server: AppServer, code: str) -> int:
    d = Database(f"sqlite:///{server.var_dir / 'tdkt.sqlite3'}")
    with d.read() as s:
        found = s.scalar(select(Cluster.id).where(Cluster.code == code))
    d.dispose()
    assert found is not None
    return found


def draft(version: int, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "version": version,
        "goals": GOALS,
        "covenant_signing_on": "2026-02-20",
        "registration_deadline": "2026-03-15",
        "midyear_review_on": "2026-07-15",
        "yearend_review_on": "2026-12-10",
        "criteria": [
            {
                "group_name": "Thực hiện nhiệm vụ chuyên môn",
                "code": "1.1",
                "title": TRICKY,
                "max_points": "40",
                "mandatory": True,
                "evidence": "Báo cáo kết quả & số liệu «thống kê»",
            },
            {
                "group_name": "Thực hiện nhiệm vụ chuyên môn",
                "code": "1.2",
                "title": "Cải cách hành chính, chuyển đổi số",
                "max_points": "20.5",
            },
            {
                "group_name": "Công tác thi đua, khen thưởng",
                "code": "2.1",
                "title": "Tổ chức, hưởng ứng phong trào thi đua",
                "max_points": "39.5",
                "mandatory": False,
                "evidence": "",
            },
        ],
    }
    body.update(changes)
    return body


def wait_issued(api: Api, path: str, timeout: float = 180) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        plan = api.get(path).json()
        if plan["document_id"] and plan["number"]:
            return plan
        if time.monotonic() > deadline:
            raise TimeoutError(f"plan not issued: {plan}")
        time.sleep(0.3)


def test_the_plan_drafted_guarded_and_issued(server: AppServer, tmp_path: Path) -> None:
    cum1 = cluster_id(server, "CUM1-QLCN")
    path = f"/api/v1/clusters/{cum1}/years/{YEAR}/plan"
    head, clerk = Api(server, HEAD), Api(server, "bdt.canbo")

    empty = head.get(path)
    assert empty.status_code == 200, empty.text
    assert empty.json()["exists"] is False and empty.json()["can_issue"] is True

    # Nothing to copy from 2025 yet.
    r = head.post(path + "/copy-from-last-year", json={"version": 0})
    assert r.status_code == 404 and r.json()["code"] == "no_plan_last_year"

    # Issuing an empty plan: 422 with every problem.
    r = head.post(path + "/actions/issue", json={"signing_pin": PIN})
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "plan_invalid" and len(r.json()["problems"]) == 6

    # Last year's head unit drafted 2025's plan; this year's copies it a year on.
    last = draft(
        0,
        goals="Phong trào thi đua năm 2025.",
        covenant_signing_on="2025-02-20",
        registration_deadline="2025-03-15",
        midyear_review_on="2025-07-15",
        yearend_review_on="2025-12-10",
    )
    r = Api(server, "lmhtx.cum").request("PUT", path.replace(f"/{YEAR}/", "/2025/"), json=last)
    assert r.status_code == 200, r.text
    r = head.post(path + "/copy-from-last-year", json={"version": 0})
    assert r.status_code == 200, r.text
    copy = r.json()
    assert copy["status"] == "draft" and copy["goals"] == "Phong trào thi đua năm 2026."
    assert copy["midyear_review_on"] == "2026-07-15" and copy["problems"] == []
    assert [c["code"] for c in copy["criteria"]] == ["1.1", "1.2", "2.1"]
    assert copy["criteria"][0]["title"] == TRICKY

    r = head.request("PUT", path, json=draft(copy["version"]))
    assert r.status_code == 200, r.text
    plan = r.json()
    assert plan["exists"] and plan["status"] == "draft" and plan["problems"] == []
    assert plan["goals"] == GOALS
    assert plan["criteria"][0]["title"] == TRICKY
    assert plan["criteria"][0]["evidence"] == "Báo cáo kết quả & số liệu «thống kê»"
    assert float(plan["total_points"]) == 100
    version = plan["version"]

    # A member's clerk reads it, never edits it; another cluster's unit sees nothing.
    assert clerk.get(path).json()["criteria"][0]["title"] == TRICKY
    r = clerk.request("PUT", path, json=draft(version, goals="Sửa"))
    assert r.status_code == 403 and r.json()["code"] == "cluster_lead_only"
    r = Api(server, "vnptls.canbo").get(path)
    assert r.status_code == 404 and r.json()["code"] == "cluster_not_found"

    # Saving against a version someone else moved on: 409, nothing changed.
    r = head.request("PUT", path, json=draft(version, goals="Mới hơn"))
    assert r.status_code == 200 and r.json()["version"] > version
    r = head.request("PUT", path, json=draft(version, goals="Ghi đè"))
    assert r.status_code == 409 and r.json()["code"] == "stale_version"
    current = head.get(path).json()
    assert current["goals"] == "Mới hơn"

    # An invalid draft may be saved, not issued.
    bad = draft(current["version"], midyear_review_on="2026-12-20")
    bad["criteria"][1]["code"] = "1.1"
    r = head.request("PUT", path, json=bad)
    assert r.status_code == 200
    assert "Mã tiêu chí «1.1» bị trùng." in r.json()["problems"]
    r = head.post(path + "/actions/issue", json={"signing_pin": PIN})
    assert r.status_code == 422
    assert "Ngày hội nghị sơ kết phải trước ngày hội nghị tổng kết." in r.json()["problems"]

    r = head.request("PUT", path, json=draft(r_version(head, path)))
    assert r.status_code == 200 and r.json()["problems"] == []

    # The deputy unit's approver drafts too, but only the head unit signs it.
    r = Api(server, "vpdpntm.cum").post(path + "/actions/issue", json={"signing_pin": PIN})
    assert r.status_code == 403 and r.json()["code"] == "cluster_head_only"
    r = head.post(path + "/actions/issue", json={"signing_pin": "000000"})
    assert r.status_code in (401, 403, 422), r.text
    assert head.get(path).json()["status"] == "draft"

    r = head.post(path + "/actions/issue", json={"signing_pin": PIN})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "issued"
    plan = wait_issued(head, path)
    assert "/KH-" in plan["number"] and plan["number"].endswith("/KH-CỤM I"), plan["number"]
    assert plan["can_edit"] is False and plan["problems"] == []

    r = head.post(path + "/actions/issue", json={"signing_pin": PIN})
    assert r.status_code == 409 and r.json()["code"] == "plan_issued"
    r = head.request("PUT", path, json=draft(plan["version"]))
    assert r.status_code == 409 and r.json()["code"] == "plan_issued"

    # A member downloads the issued PDF: the leader's signature and the seal, both valid.
    doc = plan["document_id"]
    r = clerk.get(f"/api/v1/documents/{doc}/content")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    pdf_path = tmp_path / "ke-hoach.pdf"
    pdf_path.write_bytes(r.content)
    roots = clerk.get("/api/v1/trust-roots").content
    reports = verify_pdf_sync(r.content, [roots])
    assert len(reports) == 2 and all(x.intact and x.valid and x.trusted for x in reports)
    checked = pdfsig(pdf_path, nss_db(tmp_path / "nss", roots))
    assert checked.count("Signature is Valid.") == 2, checked
    verified = Api(server, "ptdkt.chuyenvien").get(f"/api/v1/documents/{doc}/verify").json()
    assert verified["ok"] is True and len(verified["signatures"]) == 2
    text = subprocess.run(
        ["pdftotext", str(pdf_path), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    for expected in (
        "KẾ HOẠCH",
        "TRƯỞNG CỤM",
        plan["number"].split("/")[1],
        "Cải cách hành chính, chuyển đổi số",
        "mức A",
        "{{ chỉ tiêu }}",
        "Tổng cộng",
        "100",
        "Bắt buộc",
    ):
        assert expected in flat, expected
    # Another cluster's unit: the PDF does not exist for it.
    assert Api(server, "vnptls.canbo").get(f"/api/v1/documents/{doc}/content").status_code == 404

    # Members' clerks and heads and the board's specialists are told.
    for who in ("bdt.canbo", "lmhtx.thutruong", "ptdkt.chuyenvien"):
        notes = Api(server, who).get("/api/v1/notifications").json()
        mine = [n for n in notes if n["subject_kind"] == "cluster_year"]
        assert mine and plan["number"] in mine[0]["message"], (who, notes)
        assert mine[0]["link"].startswith("/cum-thi-dua/nam/")
    notes = Api(server, "vnptls.canbo").get("/api/v1/notifications").json()
    assert not [n for n in notes if n["subject_kind"] == "cluster_year"]


def test_every_step_is_in_the_years_history(server: AppServer) -> None:
    # After the walk above: each action of the plan is an audit event of the year.
    d = Database(f"sqlite:///{server.var_dir / 'tdkt.sqlite3'}")
    with d.read() as s:
        kinds = list(
            s.scalars(select(AuditEvent.kind).where(AuditEvent.subject_kind == "cluster_year"))
        )
    d.dispose()
    assert kinds.count("cluster_plan_issued") == 1
    assert kinds.count("cluster_plan_copied") == 1
    assert kinds.count("cluster_plan_saved") >= 4
    assert {"documents_issued", "document_downloaded"} <= set(kinds)


def r_version(api: Api, path: str) -> int:
    return int(api.get(path).json()["version"])
