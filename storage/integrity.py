"""Whole-system check, as an auditor runs it (`tdkt audit verify`, GET /api/v1/audit/verify):

1. the archive's signed checkpoints: each signature, each one linked to the previous;
2. the audit chain: every event recomputes, links to the previous one globally and within
   its dossier, still has the hash each checkpoint signed, and no checkpointed event and
   nothing the chain head counts is missing;
3. every stored file: its bytes still have the SHA-256 the history recorded when it was
   issued (and the database row still says the same).

The report names the first problem (event number or object key) and why, in Vietnamese,
and lists every problem found (up to a limit).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from domain.cluster_vote import digest as ballots_digest
from storage.audit import documents_of_event, verify_chain, vn_time
from storage.checkpoints import ArchivedCheckpoints
from storage.cluster_vote import ballots as secret_ballots
from storage.models import AuditEvent
from storage.objects import ObjectCorrupted, ObjectNotFound, ObjectStore
from storage.repositories import documents as documents_repo
from storage.repositories import keys as keys_repo

MAX_PROBLEMS = 100


@dataclass
class Problem:
    code: str
    detail: str
    seq: int | None = None
    dossier_id: int | None = None
    object_key: str | None = None
    checkpoint: int | None = None


@dataclass
class IntegrityReport:
    ok: bool
    events: int
    objects: int
    checkpoints: int
    first_bad: int | None
    bad_object: str | None
    code: str | None
    detail: str
    dossier_id: int | None = None
    last_checkpoint: dict[str, Any] | None = None
    problems: list[Problem] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class _Recorded:
    sha256: str
    version_id: str | None
    seq: int
    dossier_id: int | None


def _read_problem(
    store: ObjectStore, key: str, version_id: str | None, sha256: str
) -> tuple[str, str] | None:
    try:
        data = store.get(key, version_id)
    except ObjectNotFound:
        return "object_missing", f"Mất tệp lưu trữ {key}."
    except ObjectCorrupted:
        return "object_modified", f"Tệp {key} đã bị thay đổi trong kho lưu trữ."
    if hashlib.sha256(data).hexdigest() != sha256:
        return "object_modified", f"Tệp {key} không khớp mã băm SHA-256 đã ghi."
    return None


def verify_all(s: Session, store: ObjectStore, crls: Sequence[bytes] = ()) -> IntegrityReport:
    """The whole history and archive; `crls` (DER) are the CRLs of our CAs, against which
    the checkpoints' signatures are checked."""
    roots = [r.cert_pem for r in keys_repo.trust_roots(s)]
    archived = ArchivedCheckpoints(store, roots, crls)
    recorded: dict[str, _Recorded] = {}

    closed_votes: dict[int, tuple[str, int]] = {}

    def visit(e: AuditEvent) -> None:
        if e.kind == "secret_vote_closed" and e.data and e.data.get("ballots_digest"):
            closed_votes[int(e.data["meeting_id"])] = (str(e.data["ballots_digest"]), e.seq)
        for d in documents_of_event(e.data):
            recorded.setdefault(
                d["object_key"], _Recorded(d["sha256"], d.get("version_id"), e.seq, e.dossier_id)
            )

    chain = verify_chain(s, anchors=archived.anchors(), visit=visit)
    archived.drain()
    problems: list[Problem] = []
    if archived.problem is not None:
        p = archived.problem
        problems.append(
            Problem(
                "checkpoint_invalid",
                f"Mốc kiểm tra số {p.number} ({p.object_key}) không dùng được: {p.why}.",
                object_key=p.object_key,
                checkpoint=p.number,
            )
        )
    if not chain.ok:
        problems.append(
            Problem(
                chain.code or "chain_broken",
                f"Lịch sử sai ở sự kiện số {chain.first_bad}: {chain.why}.",
                seq=chain.first_bad,
                dossier_id=chain.dossier_id,
                checkpoint=chain.checkpoint,
            )
        )

    # A secret vote's ballots (no row names its voter) as the close event counted them.
    for meeting_id, (recorded_digest, seq) in sorted(closed_votes.items()):
        if ballots_digest(secret_ballots(s, meeting_id)) != recorded_digest:
            problems.append(
                Problem(
                    "ballots_changed",
                    f"Phiếu bầu kín của cuộc họp số {meeting_id} trong cơ sở dữ liệu không "
                    f"khớp mã băm đã ghi khi kiểm phiếu (sự kiện số {seq}).",
                    seq=seq,
                )
            )

    checked = 0
    seen: set[str] = set()
    for v in documents_repo.all_versions(s):
        if len(problems) >= MAX_PROBLEMS:
            break
        seen.add(v.object_key)
        rec = recorded.get(v.object_key)
        dossier_id = rec.dossier_id if rec else None
        if rec is not None and rec.sha256 != v.sha256:
            problems.append(
                Problem(
                    "object_record_changed",
                    f"Bản ghi của tệp {v.object_key} trong cơ sở dữ liệu có mã băm khác với "
                    f"mã băm lịch sử đã ghi ở sự kiện số {rec.seq}.",
                    seq=rec.seq,
                    dossier_id=dossier_id,
                    object_key=v.object_key,
                )
            )
            continue
        found = _read_problem(store, v.object_key, v.object_version_id, v.sha256)
        if found is not None:
            where = f" (ghi trong lịch sử ở sự kiện số {rec.seq})" if rec else ""
            problems.append(
                Problem(
                    found[0],
                    found[1].rstrip(".") + where + ".",
                    seq=rec.seq if rec else None,
                    dossier_id=dossier_id,
                    object_key=v.object_key,
                )
            )
            continue
        checked += 1
    for key, rec in recorded.items():
        if key in seen or len(problems) >= MAX_PROBLEMS:
            continue
        # Named by the history but gone from the database: the row was removed.
        found = _read_problem(store, key, rec.version_id, rec.sha256)
        problems.append(
            Problem(
                "object_record_missing",
                f"Tệp {key} có trong lịch sử (sự kiện số {rec.seq}) nhưng bản ghi của nó "
                "trong cơ sở dữ liệu đã bị xóa." + (f" {found[1]}" if found else ""),
                seq=rec.seq,
                dossier_id=rec.dossier_id,
                object_key=key,
            )
        )

    last = archived.last
    summary = last.summary() if last else None
    if problems:
        first = problems[0]
        return IntegrityReport(
            ok=False,
            events=chain.events,
            objects=checked,
            checkpoints=len(archived.valid),
            first_bad=first.seq if first.object_key is None else None,
            bad_object=first.object_key,
            code=first.code,
            detail=first.detail,
            dossier_id=first.dossier_id,
            last_checkpoint=summary,
            problems=problems,
        )
    if last is None:
        anchored = "chưa có mốc kiểm tra nào được ký"
    else:
        anchored = (
            f"{len(archived.valid)} mốc kiểm tra đã ký, mốc gần nhất số {last.number} lúc "
            f"{vn_time(last.at)} ghi nhận {last.count} sự kiện"
        )
        if chain.events > last.count:
            anchored += f" ({chain.events - last.count} sự kiện sau đó chờ mốc kế tiếp)"
    return IntegrityReport(
        ok=True,
        events=chain.events,
        objects=checked,
        checkpoints=len(archived.valid),
        first_bad=None,
        bad_object=None,
        code=None,
        detail=f"Toàn vẹn: {chain.events} sự kiện, {checked} tệp đều khớp; {anchored}.",
        last_checkpoint=summary,
    )
