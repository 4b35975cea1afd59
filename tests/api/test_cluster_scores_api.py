"""Registrations and scores of Cụm I's year over the HTTP API of the real server: five
members register, one after the deadline (shown late to the head unit and the board);
every member scores itself, the head unit adjusts one criterion with a reason (the
self-score stays), and the ranking follows the totals computed by hand here. A unit that
is not a member cannot register or score; text comes back as written."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from storage.models import AuditEvent
from tests.fixtures.cluster_year import db, issue_plan, set_deadline
from tests.fixtures.forms import docx_paragraphs
from tests.fixtures.server import Api, AppServer, minutes_pdf

pytestmark = pytest.mark.slow

YEAR = 2026
CODES = ["LMHTX", "BQLKKT", "VPDPNTM", "BDT", "BQLDA"]
TRICKY = 'Đã giải quyết 100% hồ sơ < hạn & đúng "quy trình" {{ ma_so }} — Lạng Sơn'


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    srv = AppServer(tmp_path_factory.mktemp("cluster-scores"), {}).start()
    yield srv
    srv.stop()


def events(server: AppServer, kind: str) -> list[AuditEvent]:
    d = db(server)
    with d.read() as s:
        found = list(s.scalars(select(AuditEvent).where(AuditEvent.kind == kind)))
        s.expunge_all()
    d.dispose()
    return found


def test_registrations_scores_review_and_ranking(server: AppServer) -> None:
    ids = issue_plan(server, deadline_in_days=10)
    base = f"/api/v1/clusters/{ids['cluster']}/years/{YEAR}"
    units = ids["units"]
    c12 = ids["criteria"][1]

    # ---- registrations: four on time, one (BQLDA) after the deadline.
    def register(code: str, items: list[dict[str, Any]], **kw: Any) -> Any:
        return Api(server, f"{code.lower()}.canbo").request(
            "PUT", f"{base}/registrations/{units[code]}", json={"items": items, **kw}
        )

    collective = {"kind": "collective", "award": "tap_the_lao_dong_xuat_sac"}
    for code in ("LMHTX", "BQLKKT", "VPDPNTM"):
        r = register(
            code, [collective, {"kind": "individual", "award": "lao_dong_tien_tien", "count": 25}]
        )
        assert r.status_code == 200, r.text
    named = {
        "kind": "individual",
        "award": "chien_si_thi_dua_co_so",
        "person_id": ids["people"]["Nông Thị Hoa"],
    }
    r = register(
        "BDT", [collective, {"kind": "collective", "award": "co_thi_dua_ubnd_tinh"}, named]
    )
    assert r.status_code == 200, r.text
    mine = r.json()["registrations"]
    assert [x["unit_id"] for x in mine] == [units["BDT"]]  # a member sees its own
    assert mine[0]["items"][2]["person_name"] == "Nông Thị Hoa"
    assert mine[0]["state"] == "on_time"

    # another unit's person, another member's registration, another cluster: refused.
    other = {
        "kind": "individual",
        "award": "lao_dong_tien_tien",
        "person_id": ids["people"]["Nguyễn Văn Ân"],
    }
    r = register("BDT", [other])
    assert r.status_code == 404 and r.json()["code"] == "person_not_found"
    r = Api(server, "bdt.canbo").request(
        "PUT", f"{base}/registrations/{units['LMHTX']}", json={"items": [collective]}
    )
    assert r.status_code == 403 and r.json()["code"] == "cluster_member_only"
    r = Api(server, "vnptls.canbo").request(
        "PUT", f"{base}/registrations/{units['LMHTX']}", json={"items": [collective]}
    )
    assert r.status_code == 404
    r = register("BDT", [collective], version=1)  # BDT's registration is at version 1
    assert r.status_code == 200
    r = register("BDT", [collective], version=1)
    assert r.status_code == 409 and r.json()["code"] == "stale_version"

    head = Api(server, "bqlkkt.cum")
    table = head.get(f"{base}/registrations").json()
    states = {x["unit_code"]: x["state"] for x in table["registrations"]}
    assert states == {
        "LMHTX": "on_time",
        "BQLKKT": "on_time",
        "VPDPNTM": "on_time",
        "BDT": "on_time",
        "BQLDA": "missing",
    }

    set_deadline(server, -1)
    r = register("BQLDA", [{"kind": "individual", "award": "lao_dong_tien_tien", "count": 12}])
    assert r.status_code == 200, r.text
    assert r.json()["registrations"][0]["state"] == "late"
    r = register("BDT", [collective])
    assert r.status_code == 409 and r.json()["code"] == "registration_closed"
    table = head.get(f"{base}/registrations").json()
    assert table["deadline_passed"] is True
    states = {x["unit_code"]: x["state"] for x in table["registrations"]}
    assert states["BQLDA"] == "late" and states["LMHTX"] == "on_time"
    board = Api(server, "ptdkt.chuyenvien").get(
        "/api/v1/cluster-registrations", params={"year": YEAR}
    )
    assert board.status_code == 200, board.text
    cum1 = next(c for c in board.json()["clusters"] if c["cluster_id"] == ids["cluster"])
    assert {x["unit_code"]: x["state"] for x in cum1["registrations"]}["BQLDA"] == "late"
    assert (
        Api(server, "bdt.canbo")
        .get("/api/v1/cluster-registrations", params={"year": YEAR})
        .status_code
        == 403
    )
    assert len(events(server, "cluster_registration_submitted")) == 6

    # ---- self-scores: bad numbers refused with their codes.
    def score(code: str, pts: list[str | float], evidence: str = "Báo cáo năm") -> Any:
        body = {
            "scores": [
                {"criterion_id": c, "points": p, "evidence": evidence}
                for c, p in zip(ids["criteria"], pts, strict=True)
            ]
        }
        return Api(server, f"{code.lower()}.canbo").request(
            "PUT", f"{base}/scores/midyear/{units[code]}", json=body
        )

    for pts, code in (
        (["31", "1", "1"], "score_above_max"),
        (["-0.5", "1", "1"], "score_negative"),
        (["8.125", "1", "1"], "score_too_precise"),
        (["tám", "1", "1"], "score_not_a_number"),
    ):
        r = score("LMHTX", pts)
        assert r.status_code == 422 and r.json()["code"] == code, r.text
    r = Api(server, "bdt.canbo").request(
        "PUT", f"{base}/scores/midyear/{units['LMHTX']}", json={"scores": []}
    )
    assert r.status_code == 403 and r.json()["code"] == "cluster_member_only"
    r = Api(server, "vnptls.canbo").request(
        "PUT", f"{base}/scores/midyear/{units['LMHTX']}", json={"scores": []}
    )
    assert r.status_code == 404

    totals = {
        "LMHTX": ["28", "18.5", "9"],  # 55.5
        "BQLKKT": ["30", "20", "10"],  # 60
        "VPDPNTM": ["27.25", "19", 9.25],  # 55.5
        "BDT": ["29", "17", "8"],  # 54, then 1.2 reviewed to 19.5: 56.5
        "BQLDA": ["0", "20", "10"],  # 30, mandatory 1.1 at 0: flagged
    }
    for code, pts in totals.items():
        r = score(code, pts, TRICKY if code == "BDT" else "Báo cáo năm")
        assert r.status_code == 200, r.text
    pdf = Api(server, "bdt.canbo").post(
        f"{base}/scores/midyear/{units['BDT']}/attachments",
        data={"criterion_id": str(c12)},
        files={"file": ("Minh chứng cải cách.pdf", minutes_pdf(), "application/pdf")},
    )
    assert pdf.status_code == 201, pdf.text
    not_pdf = Api(server, "bdt.canbo").post(
        f"{base}/scores/midyear/{units['BDT']}/attachments",
        files={"file": ("x.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")},
    )
    assert not_pdf.status_code == 415
    got = Api(server, "bdt.canbo").get(pdf.json()["url"])
    assert got.status_code == 200 and got.content == minutes_pdf()
    assert Api(server, "lmhtx.canbo").get(pdf.json()["url"]).status_code == 404

    # review before submission: refused.
    adjust = {
        "adjustments": [{"criterion_id": c12, "points": "19.5", "reason": "Có minh chứng bổ sung"}]
    }
    r = head.post(f"{base}/scores/midyear/{units['BDT']}/review", json=adjust)
    assert r.status_code == 409 and r.json()["code"] == "score_sheet_not_submitted"

    for code in CODES:
        r = Api(server, f"{code.lower()}.canbo").post(f"{base}/scores/midyear/{units[code]}/submit")
        assert r.status_code == 200, r.text
    r = score("BDT", ["1", "1", "1"])
    assert r.status_code == 409 and r.json()["code"] == "score_sheet_submitted"

    # ---- the review: a member may not; the reason is required; the self-score stays.
    r = Api(server, "bdt.canbo").post(f"{base}/scores/midyear/{units['BDT']}/review", json=adjust)
    assert r.status_code == 403 and r.json()["code"] == "cluster_lead_only"
    no_reason = {"adjustments": [{"criterion_id": c12, "points": "19.5", "reason": "  "}]}
    r = head.post(f"{base}/scores/midyear/{units['BDT']}/review", json=no_reason)
    assert r.status_code == 422 and r.json()["code"] == "reason_required"
    r = head.post(f"{base}/scores/midyear/{units['BDT']}/review", json={**adjust, "version": 1})
    assert r.status_code == 409 and r.json()["code"] == "stale_version"
    r = head.post(f"{base}/scores/midyear/{units['BDT']}/review", json=adjust)
    assert r.status_code == 200, r.text

    body = head.get(f"{base}/scores", params={"period": "midyear"}).json()
    bdt = next(x for x in body["sheets"] if x["unit_code"] == "BDT")
    row = next(x for x in bdt["scores"] if x["criterion_id"] == c12)
    assert Decimal(row["self_points"]) == Decimal("17") and Decimal(
        row["reviewed_points"]
    ) == Decimal("19.5")
    assert row["review_reason"] == "Có minh chứng bổ sung"
    assert row["evidence"] == TRICKY
    assert bdt["attachments"][0]["file_name"] == "Minh chứng cải cách.pdf"
    ranking = [
        (x["unit_id"], x["rank"], x["tied"], Decimal(x["total"]), x["failed_mandatory"])
        for x in body["ranking"]
    ]
    assert ranking == [
        (units["BQLKKT"], 1, False, Decimal("60"), []),
        (units["BDT"], 2, False, Decimal("56.5"), []),
        (units["LMHTX"], 3, True, Decimal("55.5"), []),
        (units["VPDPNTM"], 3, True, Decimal("55.5"), []),
        (units["BQLDA"], 5, False, Decimal("30"), ["1.1"]),
    ]
    bdt_rank = next(x for x in body["ranking"] if x["unit_id"] == units["BDT"])
    assert Decimal(bdt_rank["self_total"]) == Decimal("54") and bdt_rank["adjusted"] is True

    # a lead unit does not review its own sheet; the other lead unit does.
    own = head.post(f"{base}/scores/midyear/{units['BQLKKT']}/review", json=adjust)
    assert own.status_code == 403 and own.json()["code"] == "own_sheet_review"
    deputy = Api(server, "vpdpntm.cum")
    r = deputy.post(f"{base}/scores/midyear/{units['BQLKKT']}/review", json=adjust)
    assert r.status_code == 200, r.text  # 1.2 at 19.5 < 20: BQLKKT's total becomes 59.5
    r = deputy.post(
        f"{base}/scores/midyear/{units['BQLKKT']}/review",
        json={"adjustments": [{"criterion_id": c12, "points": "20", "reason": "Giữ nguyên"}]},
    )
    assert r.status_code == 200, r.text  # back to its own points: the adjustment cleared

    again = head.post(f"{base}/scores/midyear/{units['BDT']}/review", json=adjust)
    assert again.status_code == 200  # sent back as recorded: nothing new to log
    adjusted = [
        e for e in events(server, "cluster_score_adjusted") if e.data["unit_id"] == units["BDT"]
    ]
    assert len(adjusted) == 1
    cleared = [
        e.data["to_points"]
        for e in events(server, "cluster_score_adjusted")
        if e.data["unit_id"] == units["BQLKKT"]
    ]
    assert cleared == ["19.50", "20.00"]
    assert adjusted[0].reason == "Có minh chứng bổ sung"
    assert adjusted[0].data["self_points"] == "17.00" and adjusted[0].data["to_points"] == "19.50"

    # a member sees its own sheet only, and the ranking; the year-end is not scored yet.
    own = Api(server, "lmhtx.canbo").get(f"{base}/scores", params={"period": "midyear"}).json()
    assert [x["unit_code"] for x in own["sheets"]] == ["LMHTX"] and len(own["ranking"]) == 5
    yearend = head.get(f"{base}/scores", params={"period": "yearend"}).json()
    assert all(x["rank"] is None and not x["submitted"] for x in yearend["ranking"])
    assert head.get(f"{base}/scores", params={"period": "q3"}).status_code == 404

    # ---- the progress dashboard: what the head unit and the board read at a glance.
    progress = head.get(f"{base}/progress").json()
    marks = {
        m["unit_id"]: {st["step"]: st["mark"] for st in m["steps"]} for m in progress["members"]
    }
    assert marks[units["BQLDA"]]["registration"] == "done_late"
    assert marks[units["LMHTX"]]["registration"] == "done"
    assert all(m["midyear"] == "done" for m in marks.values())
    assert all(m["covenant"] == "not_open" for m in marks.values())  # never opened here
    assert all(m["commitments"] == "waiting" for m in marks.values())  # no signing day set
    late = {m["unit_id"] for m in progress["members"] if m["late"]}
    assert late == {units["BQLDA"]}
    tallies = {t["step"]: (t["done"], t["late"], t["of"]) for t in progress["tallies"]}
    assert tallies["registration"] == (5, 1, 5) and tallies["midyear"] == (5, 0, 5)
    assert progress["plan_status"] == "issued"
    assert Api(server, "ptdkt.chuyenvien").get(f"{base}/progress").status_code == 200
    assert Api(server, "vnptls.canbo").get(f"{base}/progress").status_code == 404

    # ---- the sơ kết report is drafted from these registrations and this ranking.
    review = head.post(
        f"{base}/reviews",
        json={
            "period": "midyear",
            "held_on": f"{YEAR}-07-10",
            "place": "Hội trường",
            "agenda": "Sơ kết 6 tháng",
            "board_rep_name": "Hoàng Thị Lan",
            "board_rep_position": "Chuyên viên",
            "attendees": [{"unit_id": units["BQLKKT"], "name": "Nguyễn Văn Hùng", "position": ""}],
        },
    )
    assert review.status_code == 201, review.text
    draft = head.get(f"{base}/reviews/{review.json()['id']}/report/draft.docx")
    assert draft.status_code == 200, draft.text
    text = "\n".join(docx_paragraphs(draft.content))
    names = {x["unit_code"]: x["unit_name"] for x in table["registrations"]}
    assert f"- {names['BQLDA']}: Cá nhân: Lao động tiên tiến (12 người) (đăng ký muộn)." in text
    assert f"- {names['BDT']}: Tập thể: Tập thể lao động xuất sắc." in text
    ranked = [ln for ln in text.splitlines() if ln.startswith("- ") and ln.count(":") == 1]
    ranked = [ln for ln in ranked if " điểm" in ln and "tối đa" not in ln]
    assert ranked == [
        f"- 1. {names['BQLKKT']}: 60 điểm",
        f"- 2. {names['BDT']}: 56,5 điểm (tự chấm 54 điểm, điều chỉnh khi thẩm định)",
        f"- 3. {names['LMHTX']}: 55,5 điểm (đồng hạng)",
        f"- 3. {names['VPDPNTM']}: 55,5 điểm (đồng hạng)",
        f"- 5. {names['BQLDA']}: 30 điểm (không đạt tiêu chí bắt buộc 1.1)",
    ]
