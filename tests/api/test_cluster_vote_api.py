"""The cluster's year-end SECRET vote over the HTTP API of the real server, for Cụm I
(CUM1-QLCN, five members, four present): the head unit's cluster approver convenes it,
records the attendance and a representative; each present unit casts one paper and gets
a receipt; the refusals (an absent member, a second ballot, a ballot after close, a unit
of another cluster, an invalid choice, a chair who is not the head unit's); nobody sees
counts before the close; at the close the tally (one candidate failing the Bằng khen
threshold), the leading member, next year's head and deputy (the 2027 `cluster_terms`).

Secrecy: every table the vote writes is read and nothing ties a ballot to its voter.
Each receipt finds its ballots in the published tally; a changed ballot row is found by
`tdkt audit verify` (API and CLI).

The three candidate dossiers are put at the cluster's step directly in the database:
how dossiers come to wait for the vote is another part of the work."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select, text

from storage.db import Database
from storage.models import AuditEvent, Cluster, ClusterTerm, Dossier, Unit
from tests.fixtures.server import Api, AppServer

pytestmark = pytest.mark.slow

YEAR = 2026
CHAIR = "bqlkkt.cum"  # the 2026 head unit's cluster approver
DEPUTY_APPROVER = "vpdpntm.cum"
OUTSIDER = "vnptls.thutruong"  # a unit of another cluster
AUDITOR = "thanhtra"
# Who votes for each present unit (BDT by its clerk, recorded as its representative).
VOTERS = {
    "LMHTX": "lmhtx.thutruong",
    "BQLKKT": "bqlkkt.thutruong",
    "VPDPNTM": "vpdpntm.thutruong",
    "BDT": "bdt.canbo",
}
ABSENT = ("BQLDA", "bqlda.thutruong")
CANDIDATES = ("BDT", "LMHTX", "BQLDA")


def _db(server: AppServer) -> Database:
    return Database(f"sqlite:///{server.var_dir / 'tdkt.sqlite3'}")


def _ids(server: AppServer) -> tuple[int, dict[str, int]]:
    d = _db(server)
    with d.read() as s:
        cluster = s.scalar(select(Cluster.id).where(Cluster.code == "CUM1-QLCN"))
        units = {u.code: u.id for u in s.scalars(select(Unit))}
    d.dispose()
    assert cluster is not None
    return cluster, units


def _waiting_dossier(server: AppServer, unit: str) -> int:
    clerk = Api(server, f"{unit.lower()}.canbo")
    r = clerk.post(
        "/api/v1/dossiers",
        json={
            "year": YEAR,
            "award": "bang_khen_ubnd_tinh",
            "nominees": [
                {
                    "kind": "collective",
                    "name": f"Tập thể {unit}",
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
        row.status, row.process = "cluster_vote", "cluster_voted_proposal"
        row.furthest_stage = "cluster"
    d.dispose()
    return did


def _code(r: Any) -> str:
    return str(r.json().get("code") or r.json().get("detail", {}).get("code"))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    srv = AppServer(tmp_path_factory.mktemp("cluster-vote"), {}).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def vote(server: AppServer) -> dict[str, Any]:
    """The whole meeting, with every refusal's answer recorded on the way."""
    cluster, units = _ids(server)
    dossiers = {u: _waiting_dossier(server, u) for u in CANDIDATES}
    base = f"/api/v1/clusters/{cluster}/years/{YEAR}/vote"
    body = {"held_on": "2026-12-20", "place": "Hội trường Ban Quản lý Khu kinh tế"}
    out: dict[str, Any] = {"cluster": cluster, "units": units, "dossiers": dossiers}
    out["deputy_create"] = Api(server, DEPUTY_APPROVER).post(base, json=body)
    created = Api(server, CHAIR).post(base, json=body)
    assert created.status_code == 201, created.text
    out["created"] = created.json()
    mid = created.json()["id"]
    out["id"] = mid
    out["second_create"] = Api(server, CHAIR).post(base, json=body)
    out["outsider_get"] = Api(server, OUTSIDER).get(f"/api/v1/meetings/{mid}/vote")
    out["named_get"] = Api(server, "ptdkt.chuyenvien").get(f"/api/v1/meetings/{mid}")

    chair = Api(server, CHAIR)
    attendance = f"/api/v1/meetings/{mid}/vote/attendance"
    present = [units[u] for u in VOTERS]
    out["wrong_rep"] = chair.request(
        "PUT",
        attendance,
        json={
            "present_unit_ids": present,
            "representatives": [{"unit_id": units["BDT"], "user_id": _user(server, "lmhtx.canbo")}],
        },
    )
    r = chair.request(
        "PUT",
        attendance,
        json={
            "present_unit_ids": present,
            "representatives": [{"unit_id": units["BDT"], "user_id": _user(server, "bdt.canbo")}],
        },
    )
    assert r.status_code == 200, r.text
    questions = {q["key"]: q for q in r.json()["questions"]}
    out["questions"] = r.json()["questions"]
    leader, head, deputy = questions[-1]["id"], questions[-2]["id"], questions[-3]["id"]
    cand = {u: questions[dossiers[u]]["id"] for u in CANDIDATES}

    def paper(unit: str) -> list[dict[str, Any]]:
        # Leader: BDT 3, LMHTX 1; Bằng khen: BDT 4, LMHTX 3, BQLDA 2 of 5; head 2027:
        # VPDPNTM 3; deputy 2027: BDT 3.
        no_bqlda = unit in ("LMHTX", "BQLKKT")
        return [
            {"question_id": leader, "choice": str(units["LMHTX" if unit == "LMHTX" else "BDT"])},
            {"question_id": cand["BDT"], "choice": "dong_y"},
            {"question_id": cand["LMHTX"], "choice": "khong_dong_y" if unit == "BDT" else "dong_y"},
            {"question_id": cand["BQLDA"], "choice": "khong_dong_y" if no_bqlda else "dong_y"},
            {"question_id": head, "choice": str(units["BQLKKT" if unit == "BDT" else "VPDPNTM"])},
            {"question_id": deputy, "choice": str(units["LMHTX" if unit == "BDT" else "BDT"])},
        ]

    ballots = f"/api/v1/meetings/{mid}/ballots"
    out["before_open"] = Api(server, VOTERS["LMHTX"]).post(
        ballots, json={"choices": paper("LMHTX")}
    )
    out["open_by_member"] = Api(server, VOTERS["LMHTX"]).post(f"/api/v1/meetings/{mid}/vote/open")
    opened = chair.post(f"/api/v1/meetings/{mid}/vote/open")
    assert opened.status_code == 200, opened.text
    assert opened.json()["status"] == "voting"
    out["invalid_choice"] = Api(server, VOTERS["LMHTX"]).post(
        ballots, json={"choices": [{"question_id": leader, "choice": "12345678"}]}
    )
    out["incomplete"] = Api(server, VOTERS["LMHTX"]).post(
        ballots, json={"choices": paper("LMHTX")[:5]}
    )
    out["absent"] = Api(server, ABSENT[1]).post(ballots, json={"choices": paper("BDT")})
    out["outsider"] = Api(server, OUTSIDER).post(ballots, json={"choices": paper("BDT")})
    out["receipts"] = {}
    for i, (unit, login) in enumerate(VOTERS.items()):
        r = Api(server, login).post(ballots, json={"choices": paper(unit)})
        assert r.status_code == 201, r.text
        out["receipts"][unit] = r.json()["receipt"]
        if i == 0:
            out["tally_open"] = Api(server, CHAIR).get(f"/api/v1/meetings/{mid}/tally").json()
            out["vote_open_member"] = (
                Api(server, VOTERS["BQLKKT"]).get(f"/api/v1/meetings/{mid}/vote").json()
            )
            out["second_ballot"] = Api(server, login).post(ballots, json={"choices": paper(unit)})
            out["attendance_after"] = chair.request(
                "PUT", attendance, json={"present_unit_ids": present}
            )
            out["receipt_open"] = Api(server, login).post(
                f"/api/v1/meetings/{mid}/receipts", json={"code": out["receipts"][unit]}
            )
    out["close_by_member"] = Api(server, VOTERS["LMHTX"]).post(f"/api/v1/meetings/{mid}/vote/close")
    # The secretary (the head unit's clerk: no voting seat) writes the Biên bản.
    r = chair.request(
        "PUT",
        f"/api/v1/meetings/{mid}/vote/secretary",
        json={"user_id": _user(server, "bqlkkt.canbo")},
    )
    assert r.status_code == 200, r.text
    closed = chair.post(f"/api/v1/meetings/{mid}/vote/close")
    assert closed.status_code == 200, closed.text
    out["closed"] = closed.json()
    out["after_close"] = Api(server, ABSENT[1]).post(ballots, json={"choices": paper("BDT")})
    out["after_close_member"] = Api(server, VOTERS["LMHTX"]).post(
        ballots, json={"choices": paper("LMHTX")}
    )
    out["ids"] = {"leader": leader, "head": head, "deputy": deputy, **cand}
    return out


def _user(server: AppServer, username: str) -> int:
    from storage.models import User

    d = _db(server)
    with d.read() as s:
        found = s.scalar(select(User.id).where(User.username == username))
    d.dispose()
    assert found is not None
    return found


def test_convened_by_the_head_unit_with_the_candidates(vote: dict[str, Any]) -> None:
    assert vote["deputy_create"].status_code == 403
    assert _code(vote["deputy_create"]) == "not_vote_chair"
    assert vote["second_create"].status_code == 409
    assert _code(vote["second_create"]) == "vote_exists"
    assert vote["outsider_get"].status_code == 404
    # The named-ballot endpoints never show a secret vote.
    assert vote["named_get"].status_code == 404
    created = vote["created"]
    assert len(created["members"]) == 5
    # One voter per member unit: its head by default, BDT's clerk as recorded.
    reps = {m["unit_id"]: m["representative"] for m in created["members"]}
    assert len(set(reps.values())) == 5
    kinds = [q["kind"] for q in vote["questions"]]
    assert kinds == [
        "cum_dan_dau",
        "bang_khen",
        "bang_khen",
        "bang_khen",
        "cum_truong",
        "cum_pho_truong",
    ]
    # Without a year-end ranking the candidates come in the order their dossiers came.
    d = vote["dossiers"]
    assert [q["key"] for q in vote["questions"][1:4]] == sorted(d.values())
    assert vote["wrong_rep"].status_code == 422
    assert _code(vote["wrong_rep"]) == "not_unit_user"


def test_refusals_with_their_codes(vote: dict[str, Any]) -> None:
    expected = {
        "invalid_choice": (422, "invalid_choice"),
        "absent": (403, "absent_member"),
        "incomplete": (422, "incomplete_ballot"),
        "outsider": (404, "cluster_not_found"),
        "second_ballot": (409, "already_voted"),
        "attendance_after": (409, "voting_open"),
        "before_open": (409, "vote_not_open"),
        "open_by_member": (403, "not_vote_chair"),
        "receipt_open": (409, "tally_not_published"),
        "close_by_member": (403, "not_vote_chair"),
        "after_close": (409, "vote_closed"),
        "after_close_member": (409, "vote_closed"),
    }
    for name, (status, code) in expected.items():
        r = vote[name]
        assert (r.status_code, _code(r)) == (status, code), (name, r.text)
        assert r.json().get("message") or r.json().get("detail"), name


def test_no_counts_before_the_close_only_who_voted(vote: dict[str, Any]) -> None:
    t = vote["tally_open"]
    assert t["closed"] is False
    assert t["voted"] == 1 and t["present"] == 4 and t["members"] == 5
    assert t["results"] is None and t["ballots"] is None and t["ballots_digest"] is None
    seen = vote["vote_open_member"]
    assert seen["voted"] == 1
    assert sum(1 for m in seen["members"] if m["voted"]) == 1
    assert "results" not in seen and "ballots" not in seen


def test_the_tally_and_next_years_terms(server: AppServer, vote: dict[str, Any]) -> None:
    t = vote["closed"]
    units, ids = vote["units"], vote["ids"]
    assert t["closed"] and t["voted"] == 4 and t["present"] == 4 and t["members"] == 5
    assert t["absent"] == ["Ban Quản lý Dự án Đầu tư xây dựng tỉnh Lạng Sơn"]
    res = {r["question_id"]: r for r in t["results"]}
    counts = {q: {c["value"]: c["votes"] for c in r["counts"]} for q, r in res.items()}
    assert counts[ids["leader"]][str(units["BDT"])] == 3
    assert res[ids["leader"]]["winner"] == str(units["BDT"])
    assert res[ids["leader"]]["winner_label"] == "Ban Dân tộc tỉnh"
    assert counts[ids["BDT"]] == {"dong_y": 4, "khong_dong_y": 0}
    assert counts[ids["LMHTX"]] == {"dong_y": 3, "khong_dong_y": 1}
    assert counts[ids["BQLDA"]] == {"dong_y": 2, "khong_dong_y": 2}
    assert [res[ids[u]]["passed"] for u in CANDIDATES] == [True, True, False]
    assert "trên 50%" in res[ids["BQLDA"]]["rule"] and res[ids["BQLDA"]]["basis"]
    assert res[ids["head"]]["winner"] == str(units["VPDPNTM"])
    assert res[ids["deputy"]]["winner"] == str(units["BDT"])
    assert t["next_terms"] == {
        "year": 2027,
        "head_unit_id": units["VPDPNTM"],
        "deputy_unit_id": units["BDT"],
    }
    d = _db(server)
    with d.read() as s:
        term = s.scalar(
            select(ClusterTerm).where(
                ClusterTerm.cluster_id == vote["cluster"], ClusterTerm.year == 2027
            )
        )
        assert term is not None
        assert (term.head_unit_id, term.deputy_unit_id) == (units["VPDPNTM"], units["BDT"])
        kinds = [
            e.kind
            for e in s.scalars(select(AuditEvent).order_by(AuditEvent.seq))
            if (e.data or {}).get("meeting_id") == vote["id"]
            or (e.data or {}).get("by_meeting_id") == vote["id"]
        ]
    d.dispose()
    assert kinds.count("secret_ballot_cast") == 4
    assert "secret_vote_closed" in kinds and "cluster_term_created" in kinds
    year = Api(server, "ptdkt.chuyenvien").get(f"/api/v1/clusters/{vote['cluster']}/years/2027")
    assert year.status_code == 200, year.text
    assert year.json()["head_unit_id"] == units["VPDPNTM"]


def test_each_receipt_finds_its_ballots(server: AppServer, vote: dict[str, Any]) -> None:
    mid = vote["id"]
    published = vote["closed"]["ballots"]
    assert len(published) == 4 * 6
    for unit, code in vote["receipts"].items():
        r = Api(server, VOTERS[unit]).post(f"/api/v1/meetings/{mid}/receipts", json={"code": code})
        assert r.status_code == 200, r.text
        assert r.json()["found"] is True and len(r.json()["ballots"]) == 6
        # The same ballots, found by the code's hash in the published list.
        digest = hashlib.sha256(b"tdkt-receipt:" + code.replace("-", "").encode()).hexdigest()
        mine = sorted(b["choice"] for b in published if b["receipt_hash"] == digest)
        assert mine == sorted(b["value"] for b in r.json()["ballots"])
    r = Api(server, AUDITOR).post(
        f"/api/v1/meetings/{mid}/receipts", json={"code": "AAAA-BBBB-CCCC-DDDD"}
    )
    assert r.status_code == 200 and r.json()["found"] is False


def test_secrecy_nothing_ties_a_ballot_to_its_voter(
    server: AppServer, vote: dict[str, Any]
) -> None:
    mid = vote["id"]
    d = _db(server)
    with d.read() as s:
        cols = {
            t: [row[1] for row in s.execute(text(f"PRAGMA table_info({t})"))]
            for t in ("meeting_secret_ballots", "meeting_ballot_marks")
        }
        assert sorted(cols["meeting_secret_ballots"]) == sorted(
            ["id", "meeting_id", "question_id", "choice", "receipt_hash"]
        )
        assert sorted(cols["meeting_ballot_marks"]) == sorted(
            ["question_id", "member_id", "meeting_id"]
        )
        # No hidden row id: neither table has an insertion order to read.
        for t in ("meeting_secret_ballots", "meeting_ballot_marks"):
            with pytest.raises(Exception, match="rowid"):
                s.execute(text(f"SELECT rowid FROM {t}")).all()
        rows = s.execute(
            text(
                "SELECT id, question_id, choice, receipt_hash FROM meeting_secret_ballots "
                "WHERE meeting_id = :m"
            ),
            {"m": mid},
        ).all()
        assert len(rows) == 24
        keys = [r[0] for r in rows]
        # Stored in the order of their random keys: not in the order members voted.
        assert keys == sorted(keys)
        assert all(len(k) == 32 and int(k, 16) >= 0 for k in keys)
        receipts = {r[3] for r in rows}
        assert len(receipts) == 4
        # Every paper is whole: no receipt has a shape (which questions) of its own.
        for receipt in receipts:
            assert sorted(r[1] for r in rows if r[3] == receipt) == sorted(
                q["id"] for q in vote["questions"]
            )
        marks = s.execute(
            text("SELECT question_id, member_id FROM meeting_ballot_marks WHERE meeting_id = :m"),
            {"m": mid},
        ).all()
        assert [tuple(m) for m in marks] == sorted(tuple(m) for m in marks)
        assert len(marks) == 24
        member_ids = {
            r[0]
            for r in s.execute(
                text("SELECT id FROM meeting_members WHERE meeting_id = :m"), {"m": mid}
            )
        }
        # Nothing in a ballot row names a member, a user or a member's mark.
        user_ids = {
            r[0]
            for r in s.execute(
                text("SELECT user_id FROM meeting_members WHERE meeting_id = :m"), {"m": mid}
            )
        }
        for key, _qid, _choice, receipt in rows:
            assert key not in {str(x) for x in member_ids | user_ids}
            assert receipt not in {str(x) for x in member_ids | user_ids}
        # The meeting row holds no time finer than the meeting's own close.
        meeting_cols = [row[1] for row in s.execute(text("PRAGMA table_info(meetings)"))]
        assert {c for c in meeting_cols if c.endswith("_at")} == {
            "closed_at",
            "created_at",
            "updated_at",
        }
        events = list(s.scalars(select(AuditEvent).order_by(AuditEvent.seq)))
        cast = [e for e in events if e.kind == "secret_ballot_cast"]
        assert len(cast) == 4
        dumped = json.dumps([e.data for e in events], ensure_ascii=False)
        for code in vote["receipts"].values():
            assert code not in dumped
        for receipt in receipts:
            assert receipt not in dumped
        for e in cast:
            assert set(e.data) == {"meeting_id", "unit_id", "question_ids"}
        for k in keys:
            assert k not in dumped
    d.dispose()


def test_a_changed_ballot_is_found_by_audit_verify(server: AppServer, vote: dict[str, Any]) -> None:
    before = Api(server, AUDITOR).get("/api/v1/audit/verify")
    assert before.status_code == 200 and before.json()["ok"] is True, before.text
    d = _db(server)
    with d.write() as s:
        s.execute(
            text(
                "UPDATE meeting_secret_ballots SET choice = 'dong_y' WHERE id = ("
                "SELECT id FROM meeting_secret_ballots WHERE question_id = :q "
                "AND choice = 'khong_dong_y' ORDER BY id LIMIT 1)"
            ),
            {"q": vote["ids"]["BQLDA"]},
        )
    d.dispose()
    after = Api(server, AUDITOR).get("/api/v1/audit/verify").json()
    assert after["ok"] is False
    assert "ballots_changed" in {p["code"] for p in after["problems"]}
    cli = server.cli("audit", "verify", "--json", check=False)
    assert cli.returncode != 0
    assert "ballots_changed" in cli.stdout
