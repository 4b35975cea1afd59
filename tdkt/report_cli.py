"""`tdkt report FORM --year Y --out FILE [--scope province|cluster:<id>|unit:<id>]
[--format xlsx|pdf]`: a statistics report form (TT 02/2023/TT-BNV) from the database, as
the API gives it (issuing/reports/), for the operator. The file's suffix chooses the
format unless `--format` says it. Recorded in the audit chain as a download by the
operator."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from core.settings import Settings


def run(settings: Settings, args: argparse.Namespace) -> int:
    from documents.pdf import ConversionError
    from domain.errors import DomainError
    from issuing.reports import build as reports
    from storage import audit
    from storage.audit import VIETNAM
    from storage.db import Database

    out = Path(args.out)
    fmt = args.format or ("pdf" if out.suffix.lower() == ".pdf" else "xlsx")
    db = Database(settings.database_url)
    try:
        scope = reports.parse_scope(args.scope)
        with db.read() as s:
            report = reports.build(
                s,
                None,
                args.form,
                args.year,
                scope,
                place=settings.place_name,
                today=datetime.now(VIETNAM).date(),
            )
        if fmt == "pdf":
            data = reports.pdf(
                report, profile_root=settings.converter_profiles, soffice=settings.soffice
            )
        else:
            data = reports.xlsx(report)
        with db.write() as s:
            data_event: dict[str, Any] = {
                "form": report.form.form,
                "year": args.year,
                "scope": str(scope),
                "format": fmt,
                "via": "cli",
            }
            audit.append(s, kind="report_downloaded", data=data_event)
    except DomainError as e:
        print(f"{e.message} ({e.code})", file=sys.stderr)
        return 2
    except ConversionError as e:
        print(f"Không chuyển được sang PDF: {e}", file=sys.stderr)
        return 1
    finally:
        db.dispose()
    out.write_bytes(data)
    print(f"Đã ghi {report.form.number} năm {args.year} ({report.heading.scope_label}) vào {out}.")
    return 0


def add_commands(sub: Any) -> None:
    rp = sub.add_parser("report", help="biểu báo cáo thống kê TĐKT (TT 02/2023/TT-BNV)")
    rp.add_argument("form", help="số biểu, ví dụ 0603.N")
    rp.add_argument("--year", type=int, required=True)
    rp.add_argument("--scope", default="province", help="province | cluster:<id> | unit:<id>")
    rp.add_argument("--out", required=True, help="tệp ra (.xlsx hoặc .pdf)")
    rp.add_argument("--format", choices=("xlsx", "pdf"))
    rp.set_defaults(fn=run)
