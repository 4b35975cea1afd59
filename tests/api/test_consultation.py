"""Public consultation of a round's list through the HTTP API of the real server: the
board publishes a round of two approved dossiers for a period counted in working days
(the administrator's day off counted too); anyone, without signing in, reads per nominee
only name, position, unit and proposed award — never a date of birth or achievements —
and comments (rate-limited); the board sees each comment with its contact, in the
round's history too; the round is not submitted before the period ends."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from domain.calendar import add_working_days
from tests.fixtures.modes import app_in_mode
from tests.fixtures.route import walk_to
from tests.fixtures.server import Api, AppServer

pytestmark = pytest.mark.slow

SPECIALIST, BOARD_HEAD, AUDITOR, ADMIN = (
    "ptdkt.chuyenvien",
    "ptdkt.truongphong",
    "thanhtra",
    "admin",
)
AWARD = "bang_khen_ubnd_tinh"
ROUND_NAME = "Đợt tổng kết năm 2026 & lấy ý kiến"
SECRET_ACHIEVEMENT = "Sáng kiến bí mật số 7731 về quản lý hồ sơ"
COMMENT = 'Ông <b>Páo</b> & "chuyên đề" {{ x }} có thành tích tốt.'
VIETNAM = timezone(timedelta(hours=7))


def today_vn() -> date:
    return datetime.now(VIETNAM).date()


def make(server: AppServer, unit: str, nominees: list[dict[str, Any]]) -> int:
    clerk = Api(server, f"{unit}.canbo")
    r = clerk.post("/api/v1/dossiers", json={"year": 2026, "award": AWARD, "nominees": nominees})
    assert r.status_code == 201, r.text
    clerk.attach(r.json()["id"])
    return int(r.json()["id"])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    # The council's vote before a round goes on is tested in test_meetings.py: here the
    # configuration asks none (TDKT_COUNCIL_AWARDS).
    no_council = {"TDKT_COUNCIL_AWARDS": "-"}
    with app_in_mode(tmp_path_factory.mktemp("consultation"), "embedded", no_council) as srv:
        yield srv


@pytest.fixture(scope="module")
def published(server: AppServer) -> dict[str, Any]:
    """A round of two approved dossiers (Ban Dân tộc, Liên minh HTX), published for five
    working days after the administrator entered tomorrow's working day as a day off."""
    bdt = make(
        server,
        "bdt",
        [
            {
                "kind": "individual",
                "name": "Lò Văn Páo",
                "job_title": "Trưởng phòng Chính sách",
                "birth_date": "1984-03-17",
                "achievements": SECRET_ACHIEVEMENT,
            },
            {"kind": "collective", "name": "Phòng Chính sách", "achievements": "Hoàn thành."},
        ],
    )
    htx = make(
        server,
        "lmhtx",
        [{"kind": "individual", "name": "Nông Văn Khánh", "achievements": "Hoàn thành."}],
    )
    assert walk_to(server, bdt, "approved")["status"] == "approved"
    assert walk_to(server, htx, "approved", unit="lmhtx")["status"] == "approved"
    specialist = Api(server, SPECIALIST)
    r = specialist.post(
        "/api/v1/rounds",
        json={"name": ROUND_NAME, "year": 2026, "kind": "thuong_xuyen", "awards": [AWARD]},
    )
    assert r.status_code == 201, r.text
    rnd = r.json()
    r = specialist.post(
        f"/api/v1/rounds/{rnd['id']}/dossiers",
        json={"dossier_ids": [bdt, htx], "version": rnd["version"]},
    )
    assert r.status_code == 200, r.text
    # The administrator's day off: the first working day after today.
    day_off = add_working_days(today_vn(), 1)
    r = Api(server, ADMIN).post(
        "/api/v1/calendar/days", json={"day": day_off.isoformat(), "kind": "off", "note": "Nghỉ"}
    )
    assert r.status_code == 201, r.text
    before = specialist.get(f"/api/v1/rounds/{rnd['id']}/consultation").json()
    r = specialist.post(f"/api/v1/rounds/{rnd['id']}/consultation", json={"working_days": 5})
    assert r.status_code == 201, r.text
    return {"round": rnd, "before": before, "out": r.json(), "day_off": day_off}


def test_the_configuration_says_provincial_awards_need_not_publish(published):
    before = published["before"]
    assert before["published"] is False and before["rule"]["required"] is False
    assert before["rule"]["min_working_days"] == 1 and before["rule"]["default_working_days"] == 10
    assert "chưa xác nhận" in before["rule"]["labels"][0]


def test_publishing_counts_working_days_with_the_administrations_day_off(server, published):
    out, today = published["out"], today_vn()
    assert out["published"] and out["is_open"] and out["working_days"] == 5
    assert out["start_date"] == today.isoformat()
    expected = add_working_days(today, 5, days_off={published["day_off"]})
    assert out["end_date"] == expected.isoformat()
    assert expected > add_working_days(today, 5)  # the day off moved the end
    assert out["public_url"].startswith("/cong-khai/dot/") and len(out["public_url"]) > 40
    names = {n["name"] for n in out["nominees"]}
    assert names == {"Lò Văn Páo", "Phòng Chính sách", "Nông Văn Khánh"}

    rnd = published["round"]
    r = Api(server, SPECIALIST).post(f"/api/v1/rounds/{rnd['id']}/consultation", json={})
    assert r.status_code == 409 and r.json()["code"] == "consultation_exists"
    r = Api(server, BOARD_HEAD).post(f"/api/v1/rounds/{rnd['id']}/consultation", json={})
    assert r.status_code == 403 and r.json()["code"] == "forbidden_action"
    r = Api(server, "bdt.canbo").get(f"/api/v1/rounds/{rnd['id']}/consultation")
    assert r.status_code == 404 and r.json()["code"] == "round_not_found"
    # Below the configured minimum is refused; so is a list with nobody on it.
    other = Api(server, SPECIALIST).post(
        "/api/v1/rounds",
        json={"name": "Đợt khác", "year": 2026, "kind": "chuyen_de", "awards": [AWARD]},
    )
    path = f"/api/v1/rounds/{other.json()['id']}/consultation"
    r = Api(server, SPECIALIST).post(path, json={"working_days": 0})
    assert r.status_code == 422 and r.json()["code"] == "consultation_too_short"
    assert "ít nhất 1 ngày làm việc" in r.json()["detail"]
    r = Api(server, SPECIALIST).post(path, json={"working_days": 5})
    assert r.status_code == 422 and r.json()["code"] == "consultation_empty"


def test_the_calendar_is_the_administrators_and_knows_tet(server, published):
    r = Api(server, SPECIALIST).post(
        "/api/v1/calendar/days", json={"day": "2026-12-24", "kind": "off"}
    )
    assert r.status_code == 403 and r.json()["code"] == "admin_only"
    cal = Api(server, SPECIALIST).get("/api/v1/calendar/days", params={"year": 2026}).json()
    off = {d["day"]: d["note"] for d in cal["statutory_days_off"]}
    assert off["2026-02-17"] == "Tết Nguyên Đán" and "2026-04-26" in off
    assert cal["statutory_make_up_days"] == ["2026-08-22"]
    day_off = published["day_off"]
    entered = Api(server, ADMIN).get("/api/v1/calendar/days", params={"year": day_off.year})
    assert [(d["day"], d["kind"]) for d in entered.json()["entered"]] == [
        (day_off.isoformat(), "off")
    ]


def test_the_public_page_shows_names_and_units_and_no_personal_data(server, published):
    url = published["out"]["public_url"]
    token = url.rsplit("/", 1)[1]
    with httpx.Client(base_url=server.base) as anyone:  # no credentials at all
        page = anyone.get(url)
        assert page.status_code == 200
        html = page.text
        for shown in (
            "Lò Văn Páo",
            "Trưởng phòng Chính sách",
            "Ban Dân tộc tỉnh",
            "Nông Văn Khánh",
            "Liên minh Hợp tác xã tỉnh",
            "Bằng khen của Chủ tịch UBND tỉnh",
            "Đợt tổng kết năm 2026 &amp; lấy ý kiến",
        ):
            assert shown in html, shown
        for hidden in ("1984", "17/03", SECRET_ACHIEVEMENT, "Biên bản", "Hoàn thành."):
            assert hidden not in html, hidden
        end = date.fromisoformat(published["out"]["end_date"]).strftime("%d/%m/%Y")
        assert end in html
        data = anyone.get(f"/api/v1/public/consultations/{token}").json()
        assert set(data["nominees"][0]) == {"name", "position", "unit_name", "award_name", "kind"}
        assert "1984" not in str(data) and SECRET_ACHIEVEMENT not in str(data)
        register = anyone.get("/cong-khai")
        assert register.status_code == 200 and url in register.text
        assert any(
            x["public_url"] == url for x in anyone.get("/api/v1/public/consultations").json()
        )
        missing = anyone.get("/api/v1/public/consultations/" + "x" * 32)
        assert missing.status_code == 404 and missing.json()["code"] == "consultation_not_found"
        assert anyone.get("/cong-khai/dot/" + "x" * 32).status_code == 404


def test_a_comment_is_recorded_for_the_board_and_the_rate_limit_holds(server, published):
    token = published["out"]["public_url"].rsplit("/", 1)[1]
    rid = published["round"]["id"]
    path = f"/api/v1/public/consultations/{token}/comments"
    with httpx.Client(base_url=server.base) as anyone:
        r = anyone.post(
            path, json={"name": "Nguyễn Văn Dân", "contact": "0912 345 678", "text": ""}
        )
        assert r.status_code == 422 and r.json()["code"] == "comment_text_required"
        r = anyone.post(
            path, json={"name": "Nguyễn Văn Dân", "contact": "0912 345 678", "text": COMMENT}
        )
        assert r.status_code == 201 and "Đã nhận ý kiến" in r.json()["message"]
        r = anyone.post(path, json={"name": "B", "text": "x" * 4001})
        assert r.status_code == 422 and r.json()["code"] == "comment_text_too_long"
        for n in (2, 3):
            assert (
                anyone.post(path, json={"name": f"Người {n}", "text": "Đồng ý."}).status_code == 201
            )
        r = anyone.post(path, json={"name": "Người 4", "text": "Lần thứ tư."})
        assert r.status_code == 429 and r.json()["code"] == "too_many_comments"
        assert "Hãy gửi tiếp sau 10 phút" in r.json()["detail"]

    board = Api(server, SPECIALIST).get(f"/api/v1/rounds/{rid}/consultation").json()
    first = board["comments"][0]
    assert (first["name"], first["contact"], first["text"]) == (
        "Nguyễn Văn Dân",
        "0912 345 678",
        COMMENT,
    )
    assert [c["name"] for c in board["comments"]] == ["Nguyễn Văn Dân", "Người 2", "Người 3"]
    history = Api(server, AUDITOR).get(f"/api/v1/rounds/{rid}/history").json()
    kinds = [e["kind"] for e in history]
    assert "consultation_opened" in kinds and kinds.count("public_comment") == 3
    said = next(e for e in history if e["kind"] == "public_comment")
    assert said["label"] == "Ý kiến góp ý công khai" and COMMENT in said["detail"]
    assert "0912" not in str(history)  # the contact is the board's, not the chain's
    assert Api(server, AUDITOR).get("/api/v1/audit/verify").json()["ok"] is True


def test_the_round_is_submitted_only_after_the_period(server, published):
    rid = published["round"]["id"]
    end = date.fromisoformat(published["out"]["end_date"])
    specialist = Api(server, SPECIALIST)
    r = specialist.post(f"/api/v1/rounds/{rid}/actions/submit", json={})
    assert r.status_code == 409 and r.json()["code"] == "consultation_open"
    assert f"đến hết ngày {end.strftime('%d/%m/%Y')}" in r.json()["detail"]
    assert specialist.get(f"/api/v1/rounds/{rid}").json()["status"] == "open"

    # The period ends: its last day was yesterday (moved in the database, as time would).
    yesterday = today_vn() - timedelta(days=1)
    with sqlite3.connect(server.var_dir / "tdkt.sqlite3", timeout=60) as db:
        db.execute(
            "update round_consultations set end_date = ? where round_id = ?",
            (yesterday.isoformat(), rid),
        )
    token = published["out"]["public_url"].rsplit("/", 1)[1]
    with httpx.Client(base_url=server.base) as anyone:
        r = anyone.post(
            f"/api/v1/public/consultations/{token}/comments",
            json={"name": "Muộn", "text": "Sau hạn."},
        )
    assert r.status_code == 409 and r.json()["code"] == "consultation_closed"
    assert yesterday.strftime("%d/%m/%Y") in r.json()["detail"]
    r = specialist.post(f"/api/v1/rounds/{rid}/actions/submit", json={})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "board_review"
