"""`tdkt reminders run [--now ISO] [--json]`: the daily reminders at once, for operators
and tests — the same `run_reminders` the scheduled flow runs (flows/reminders.py). A
reminder already sent is not sent again, so running it by hand is safe."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from datetime import UTC, datetime

from core.settings import Settings


@dataclass
class _Runtime:
    settings: Settings
    db: object


def parse_now(text: str | None) -> datetime:
    if not text:
        return datetime.now(UTC)
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def run(settings: Settings, args: argparse.Namespace) -> int:
    from issuing.reminders import run_reminders
    from storage.db import Database

    try:
        now = parse_now(args.now)
    except ValueError:
        print(f"Thời điểm không hợp lệ: {args.now} (ISO 8601).", file=sys.stderr)
        return 2
    db = Database(settings.database_url)
    try:
        out = run_reminders(_Runtime(settings, db), now)  # type: ignore[arg-type]
    finally:
        db.dispose()
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
    else:
        print(
            f"Đã gửi {out['sent']['digest']} thư tổng hợp, {out['sent']['escalation']} báo quá "
            f"hạn ({out['emailed']} qua email); bỏ qua {out['skipped']} đã gửi; "
            f"{out['failed']} chưa gửi được (sẽ thử lại)."
        )
    return 0 if out["failed"] == 0 else 1


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `tdkt reminders …` to the `tdkt` parser (tdkt/cli.py)."""
    rem = sub.add_parser("reminders", help="nhắc việc, báo quá hạn").add_subparsers(
        dest="reminders_cmd", required=True
    )
    r = rem.add_parser("run", help="gửi ngay thư tổng hợp và báo quá hạn chưa gửi")
    r.add_argument("--now", help="thời điểm chạy (ISO 8601; mặc định: bây giờ)")
    r.add_argument("--json", action="store_true")
    r.set_defaults(fn=run)
