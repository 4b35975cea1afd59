"""Whole-system check: the audit chain recomputes, and every archived object still has
the bytes whose SHA-256 the database recorded."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy.orm import Session

from storage import repositories as repo
from storage.audit import verify_chain
from storage.objects import ObjectNotFound, ObjectStore


@dataclass
class IntegrityReport:
    ok: bool
    events: int
    objects: int
    first_bad: int | None
    bad_object: str | None
    detail: str


def verify_all(s: Session, store: ObjectStore) -> IntegrityReport:
    chain = verify_chain(s)
    checked = 0
    for v in repo.all_versions(s):
        try:
            data = store.get(v.object_key, v.object_version_id)
        except ObjectNotFound:
            return IntegrityReport(
                False,
                chain.events,
                checked,
                chain.first_bad,
                v.object_key,
                f"Mất tệp lưu trữ {v.object_key}.",
            )
        if hashlib.sha256(data).hexdigest() != v.sha256:
            return IntegrityReport(
                False,
                chain.events,
                checked,
                chain.first_bad,
                v.object_key,
                f"Tệp {v.object_key} không khớp mã băm SHA-256 đã ghi.",
            )
        checked += 1
    if not chain.ok:
        return IntegrityReport(
            False,
            chain.events,
            checked,
            chain.first_bad,
            None,
            f"Lịch sử sai ở sự kiện số {chain.first_bad}: {chain.why}.",
        )
    return IntegrityReport(
        True,
        chain.events,
        checked,
        None,
        None,
        f"Toàn vẹn: {chain.events} sự kiện, {checked} tệp đều khớp.",
    )
