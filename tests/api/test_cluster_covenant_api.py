"""The cluster's covenant (Giao ước thi đua) over the HTTP API of the real server: the five
members of Cụm I enter their commitments (each only its own), the head unit opens it,
the five heads sign the same PDF one after another, the head unit seals it; the final PDF
carries six valid signatures for pyHanko and pdfsig; a second signature by the same
member is refused; a byte changed in the third signature's revision breaks that
signature and the later ones while the first two stay intact; a unit of another cluster
sees nothing (404)."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from documents.verify import verify_pdf_sync
from storage.db import Database
from storage.models import Cluster, ClusterPlan, ClusterYear
from tests.fixtures.nss import nss_db, pdfsig
from tests.fixtures.server import PIN, Api, AppServer

pytestmark = pytest.mark.slow

YEAR = 2026
MEMBERS = ["lmhtx", "bqlkkt", "vpdpntm", "bdt", "bqlda"]
TRICKY = 'Tỷ lệ hồ sơ "đúng hạn" < 5 ngày & {{ không }} vượt {% if %}'


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    srv = AppServer(tmp_path_factory.mktemp("covenant"), {}).start()
    yield srv
    srv.stop()


def db(server: AppServer) -> Database:
    return Database(f"sqlite:///{server.var_dir / 'tdkt.sqlite3'}")


def cluster_id(server: AppServer, code: str) -> int:
    d = db(server)
    with d.read() as s:
        found = s.scalar(select(Cluster.id).where(Cluster.code == code))
    d.dispose()
    assert found is not None
    return found


def issue_plan(server: AppServer, cid: int) -> None:
    """The plan is another part's work: its issued row, put there directly."""
    d = db(server)
    with d.write() as s:
        year = s.scalar(
            select(ClusterYear).where(ClusterYear.cluster_id == cid, ClusterYear.year == YEAR)
        )
        if year is None:
            year = ClusterYear(cluster_id=cid, year=YEAR)
            s.add(year)
            s.flush()
        s.add(
            ClusterPlan(
                cluster_year_id=year.id,
                status="issued",
                goals="Hoàn thành xuất sắc nhiệm vụ chính trị năm 2026 của từng đơn vị.",
                number="67/KH-CỤM I",
            )
        )
    d.dispose()


def units(api: Api, base: str) -> dict[str, int]:
    got = api.get(base).json()
    return {m["code"].lower(): m["unit_id"] for m in got["members"]}


def put(api: Api, base: str, unit_id: int, items: list[dict[str, Any]]) -> Any:
    return api.request("PUT", f"{base}/covenant/commitments/{unit_id}", json={"items": items})


def test_five_members_sign_one_covenant_and_the_head_unit_seals_it(server, tmp_path):
    cid = cluster_id(server, "CUM1-QLCN")
    issue_plan(server, cid)
    base = f"/api/v1/clusters/{cid}/years/{YEAR}"
    ids = units(Api(server, "ptdkt.chuyenvien"), base)

    # Nothing to open before every member has entered its commitments.
    lead = Api(server, "bqlkkt.cum")
    r = lead.post(f"{base}/covenant/actions/open")
    assert r.status_code == 409 and r.json()["code"] == "covenant_commitments_missing", r.text

    # Each member enters its own; another unit's is refused (403).
    r = put(Api(server, "bdt.canbo"), base, ids["lmhtx"], [{"indicator": "x", "target": "y"}])
    assert r.status_code == 403 and r.json()["code"] == "cluster_member_only", r.text
    for i, member in enumerate(MEMBERS):
        login = member
        items = [
            {"indicator": "Tỷ lệ hồ sơ giải quyết đúng hạn", "target": f"≥ {98 - i}%"},
            {"indicator": f"Số sáng kiến được công nhận ({login.upper()})", "target": "02"},
        ]
        if member == "bdt":
            items.append({"indicator": TRICKY, "target": "≥ 95% «đạt» & hơn"})
        who = f"{login}.canbo" if i % 2 == 0 else f"{login}.thutruong"
        r = put(Api(server, who), base, ids[login], items)
        assert r.status_code == 200, r.text
    got = lead.get(f"{base}/covenant").json()
    bdt = next(m for m in got["members"] if m["code"] == "BDT")
    assert bdt["commitments"][2]["indicator"] == TRICKY
    assert got["status"] == "draft" and got["can_open"] is True

    # Only the head unit opens it.
    r = Api(server, "bdt.thutruong").post(f"{base}/covenant/actions/open")
    assert r.status_code == 403 and r.json()["code"] == "cluster_lead_only"
    r = lead.post(f"{base}/covenant/actions/open")
    assert r.status_code == 200, r.text
    cov = r.json()
    assert cov["status"] == "signing" and cov["document_id"]
    assert cov["waiting"] == [m["name"] for m in cov["members"]]
    doc_id = cov["document_id"]

    # Frozen once open.
    r = put(Api(server, "bdt.canbo"), base, ids["bdt"], [{"indicator": "x", "target": "y"}])
    assert r.status_code == 409 and r.json()["code"] == "covenant_frozen"

    # A clerk does not sign; nor does anyone of another cluster (404).
    r = Api(server, "bdt.canbo").post(f"{base}/covenant/actions/sign", json={"signing_pin": PIN})
    assert r.status_code == 403 and r.json()["code"] == "covenant_member_head_only"
    other = Api(server, "vnptls.thutruong")
    r = other.post(f"{base}/covenant/actions/sign", json={"signing_pin": PIN})
    assert r.status_code == 404
    assert other.get(f"{base}/covenant").status_code == 404
    assert other.get(f"/api/v1/documents/{doc_id}/content").status_code == 404

    # The members read the prepared PDF before signing.
    prepared = Api(server, "lmhtx.canbo").get(f"/api/v1/documents/{doc_id}/content")
    assert prepared.status_code == 200 and prepared.content.startswith(b"%PDF")

    # Five heads sign in an order of their own; the sealing waits for all.
    order = ["bdt", "lmhtx", "bqlda", "bqlkkt", "vpdpntm"]
    after_third = b""
    for n, login in enumerate(order, 1):
        if n == 3:
            r = lead.post(f"{base}/covenant/actions/seal")
            assert r.status_code == 409 and r.json()["code"] == "covenant_not_all_signed"
        head = Api(server, f"{login}.thutruong")
        r = head.post(f"{base}/covenant/actions/sign", json={"signing_pin": PIN})
        assert r.status_code == 200, r.text
        got = r.json()
        assert got["signed_count"] == n
        mine = next(m for m in got["members"] if m["code"] == login.upper())
        assert mine["signed"] and mine["signed_at"] and mine["signed_by"] == mine["signer_name"]
        if n == 3:
            after_third = head.get(f"/api/v1/documents/{doc_id}/content").content
        if n == 1:
            # Twice: refused.
            r = head.post(f"{base}/covenant/actions/sign", json={"signing_pin": PIN})
            assert r.status_code == 409 and r.json()["code"] == "covenant_already_signed"
    assert got["waiting"] == [] and got["can_seal"] is False  # the head does not seal: its unit

    r = Api(server, "vpdpntm.cum").post(f"{base}/covenant/actions/seal")
    assert r.status_code == 403 and r.json()["code"] == "covenant_head_unit_only", r.text
    r = lead.post(f"{base}/covenant/actions/seal")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "sealed"
    r = lead.post(f"{base}/covenant/actions/seal")
    assert r.status_code == 409 and r.json()["code"] == "covenant_sealed"

    # The final PDF: five personal signatures and the seal, all valid for pyHanko…
    board = Api(server, "ptdkt.chuyenvien")
    pdf = board.get(f"/api/v1/documents/{doc_id}/content").content
    roots = board.get("/api/v1/trust-roots").content
    reports = verify_pdf_sync(pdf, [roots])
    assert len(reports) == 6, [r.field_name for r in reports]
    assert all(x.intact and x.valid and x.trusted for x in reports), [
        (x.field_name, x.summary_vi) for x in reports
    ]
    assert reports[-1].field_name == "ToChucKy"
    assert reports[0].certified
    verified = board.get(f"/api/v1/documents/{doc_id}/verify").json()
    assert verified["ok"] and len(verified["signatures"]) == 6
    # …and for pdfsig.
    path = tmp_path / "giao-uoc.pdf"
    path.write_bytes(pdf)
    checked = pdfsig(path, nss_db(tmp_path / "nss", roots))
    assert checked.count("Signature is Valid.") == 6, checked
    text = " ".join(
        subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    for needle in ("GIAO ƯỚC THI ĐUA", "67/KH-CỤM I", "≥ 98%", "«đạt» & hơn", "{{ không }}"):
        assert needle in text, needle
    assert f"năm {YEAR}" in text
    (tmp_path / "after-third.pdf").write_bytes(after_third)

    # Members and the board are told.
    notes = Api(server, "bdt.thutruong").get("/api/v1/notifications").json()
    assert any("đóng dấu" in n["message"] for n in notes), notes

    # A byte changed in the third signature's revision: it and every later one are
    # broken, the first two stay intact and valid.
    tampered = tamper_revision(pdf, 3)
    broken = verify_pdf_sync(tampered, [roots])
    assert [x.intact for x in broken] == [True, True, False, False, False, False]
    assert [x.valid for x in broken[:2]] == [True, True]
    assert not any(x.valid for x in broken[2:])
    path = tmp_path / "tampered.pdf"
    path.write_bytes(tampered)
    checked = pdfsig(path, nss_db(tmp_path / "nss2", roots))
    assert checked.count("Signature is Valid.") == 2, checked

    # The same PDF after the third signature, altered by an incremental update that
    # changes the page: every signature on it reports the change.
    altered = alter_page(after_third)
    broken = verify_pdf_sync(altered, [roots])
    assert len(broken) == 3
    assert all(x.intact for x in broken) and not any(x.valid for x in broken)
    assert all(x.summary_vi.startswith("Chữ ký không hợp lệ") for x in broken)


def tamper_revision(pdf: bytes, n: int) -> bytes:
    """Change one digit of the signing time (/M) in the `n`-th signature dictionary: a
    byte inside the range that signature (and each later one) covers."""
    dicts = [m.start() for m in re.finditer(rb"/ByteRange", pdf)]
    start = dicts[n - 1]
    m = re.compile(rb"/M \(D(?::|\\072)(\d{4})").search(pdf, start)
    assert m is not None and m.start() - start < 4000
    at = m.start(1)
    flipped = b"1" if pdf[at : at + 1] != b"1" else b"2"
    return pdf[:at] + flipped + pdf[at + 1 :]


def alter_page(pdf: bytes) -> bytes:
    """An incremental update that draws over page 1's content."""
    from io import BytesIO

    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    w = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    page_ref, _ = w.find_page_for_modification(0)
    page = page_ref.get_object()
    stream = generic.StreamObject(stream_data=b"BT /F1 40 Tf 100 400 Td (DA SUA) Tj ET")
    extra = w.add_object(stream)
    contents = page.raw_get("/Contents")
    if isinstance(contents, generic.ArrayObject):
        contents.append(extra)
        page[generic.NameObject("/Contents")] = contents
    else:
        page[generic.NameObject("/Contents")] = generic.ArrayObject([contents, extra])
    w.mark_update(page_ref)
    out = BytesIO()
    w.write(out)
    return out.getvalue()


def test_a_unit_of_another_cluster_sees_no_covenant(server):
    cid = cluster_id(server, "CUM1-QLCN")
    base = f"/api/v1/clusters/{cid}/years/{YEAR}"
    r = Api(server, "vnptls.canbo").get(f"{base}/covenant")
    assert r.status_code == 404 and r.json()["code"] == "cluster_not_found"
    r = put(Api(server, "vnptls.canbo"), base, 1, [{"indicator": "x", "target": "y"}])
    assert r.status_code == 404
