"""The working calendar for the operator:

- `tdkt calendar holidays YEAR [--json]`: each day off of the year (the ordinary weekends
  aside) with its Vietnamese name and whether it is statutory (the Labour Code's days and
  the government's swaps, from the `holidays` package) or announced (entered by the
  administrator), and the make-up working days;
- `tdkt calendar due DATE N [--json]`: the N-th working day after DATE (DD/MM/YYYY or
  YYYY-MM-DD), on the same calendar every deadline is counted on.

Both read the database (the administrator's entries); nothing is changed.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime
from typing import Any

from core.settings import Settings

SOURCE_LABELS = {"statutory": "theo luật", "announced": "theo thông báo"}
WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


def parse_day(text: str) -> date:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"ngày không hợp lệ: {text} (DD/MM/YYYY hoặc YYYY-MM-DD)")


def _read(settings: Settings, fn: Any) -> Any:
    from storage.db import Database

    db = Database(settings.database_url)
    try:
        with db.read() as s:
            return fn(s)
    finally:
        db.dispose()


def _day(d: Any) -> dict[str, str]:
    return {"day": d.day.isoformat(), "name": d.name, "source": d.source, "basis": d.basis}


def _line(d: Any) -> str:
    basis = f" — {d.basis}" if d.basis else ""
    return (
        f"{d.day:%d/%m/%Y} {WEEKDAYS[d.day.weekday()]:<9} {d.name} "
        f"({SOURCE_LABELS[d.source]}){basis}"
    )


def holidays(settings: Settings, year: int, as_json: bool) -> str:
    from api.calendar import service

    days_off, make_up = _read(settings, lambda s: service.days_of_year(s, year))
    if as_json:
        return json.dumps(
            {
                "year": year,
                "days_off": [_day(d) for d in days_off],
                "make_up_days": [_day(d) for d in make_up],
            },
            ensure_ascii=False,
            indent=2,
        )
    lines = [f"Ngày nghỉ năm {year} (ngoài thứ Bảy, Chủ nhật):"]
    lines += [f"  {_line(d)}" for d in days_off]
    if make_up:
        lines.append("Ngày làm bù:")
        lines += [f"  {_line(d)}" for d in make_up]
    return "\n".join(lines)


def due(settings: Settings, start: date, n: int, as_json: bool) -> str:
    from api.calendar import service

    out = _read(settings, lambda s: service.due(s, start, n))
    if as_json:
        return json.dumps(
            {
                "date": out.start.isoformat(),
                "working_days": out.working_days,
                "due": out.due.isoformat(),
                "skipped": [_day(d) for d in out.skipped],
            },
            ensure_ascii=False,
            indent=2,
        )
    lines = [
        f"{n} ngày làm việc sau {start:%d/%m/%Y}: {WEEKDAYS[out.due.weekday()]}, "
        f"{out.due:%d/%m/%Y}."
    ]
    if out.skipped:
        lines.append("Bỏ qua các ngày nghỉ:")
        lines += [f"  {_line(d)}" for d in out.skipped]
    return "\n".join(lines)


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `tdkt calendar …` to the `tdkt` parser (tdkt/cli.py)."""
    cal = sub.add_parser("calendar", help="lịch ngày làm việc").add_subparsers(
        dest="calendar_cmd", required=True
    )
    h = cal.add_parser("holidays", help="các ngày nghỉ của một năm (theo luật và theo thông báo)")
    h.add_argument("year", type=int)
    h.add_argument("--json", action="store_true")
    h.set_defaults(fn=lambda st, a: _run(holidays, st, a.year, a.json))
    d = cal.add_parser("due", help="ngày thứ N làm việc sau một ngày")
    d.add_argument("date", type=parse_day)
    d.add_argument("n", type=int)
    d.add_argument("--json", action="store_true")
    d.set_defaults(fn=lambda st, a: _run(due, st, a.date, a.n, a.json))


def _run(fn: Any, settings: Settings, *args: Any) -> int:
    from domain.errors import DomainError

    try:
        print(fn(settings, *args))
    except DomainError as e:
        print(f"Không thực hiện được: {e.message} ({e.code})", file=sys.stderr)
        return 1
    except ValueError as e:
        print(f"Không thực hiện được: {e}.", file=sys.stderr)
        return 1
    return 0
