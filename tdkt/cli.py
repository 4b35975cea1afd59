"""The `tdkt` command: serve, migrate, seed, list users, verify the history and PDFs."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from core.settings import Settings


def prepare_prefect(settings: Settings) -> None:
    """Point Prefect at its home under var/ before it is imported (embedded mode needs no
    server started by hand: Prefect runs a local one on demand)."""
    settings.prefect_home.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PREFECT_HOME", str(settings.prefect_home))
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


def cmd_db_upgrade(settings: Settings, _: argparse.Namespace) -> int:
    from storage.migrate import upgrade

    upgrade(settings.database_url)
    print("Đã cập nhật cấu trúc cơ sở dữ liệu.")
    return 0


def cmd_seed(settings: Settings, args: argparse.Namespace) -> int:
    from storage.db import Database
    from storage.migrate import upgrade
    from tdkt.seed import seed_demo

    if not args.demo:
        print("Hãy dùng: tdkt seed --demo", file=sys.stderr)
        return 2
    upgrade(settings.database_url)
    db = Database(settings.database_url)
    with db.write() as s:
        created = seed_demo(
            s,
            password=settings.demo_password,
            key_passphrase=settings.secret_key,
            pin=settings.demo_pin,
        )
    db.dispose()
    # The archive of the installation, as the app makes it at start: `tdkt audit verify`
    # right after the seed reads an empty archive rather than a missing one.
    from issuing.runtime import Runtime

    rt = Runtime.from_settings(settings)
    try:
        rt.store.ensure_ready()
    finally:
        rt.close()
    print("Đã tạo dữ liệu mẫu." if created else "Dữ liệu mẫu đã có sẵn.")
    return 0


def cmd_demo_stats(settings: Settings, _: argparse.Namespace) -> int:
    from storage.db import Database
    from tdkt.demo_stats import seed_stats_demo

    db = Database(settings.database_url)
    with db.write() as s:
        created = seed_stats_demo(s)
    db.dispose()
    print("Đã tạo dữ liệu mẫu cho thống kê." if created else "Dữ liệu mẫu thống kê đã có sẵn.")
    return 0


def cmd_users_list(settings: Settings, args: argparse.Namespace) -> int:
    from datetime import datetime

    from domain.roles import Role, role_title
    from storage.audit import VIETNAM
    from storage.db import Database
    from storage.repositories import org as org_repo
    from storage.repositories import users as users_repo

    year = datetime.now(VIETNAM).year  # the cluster terms in force
    db = Database(settings.database_url)
    with db.read() as s:
        units = {u.id: u.name for u in org_repo.all_units(s)}
        rows: list[dict[str, Any]] = []
        titles: list[str] = []
        for u in users_repo.all_users(s):
            rows.append(
                {
                    "username": u.username,
                    "full_name": u.full_name,
                    "position": u.position,
                    "unit": next((units[g.unit_id] for g in u.grants if g.unit_id in units), None),
                    "roles": [g.role for g in u.grants],
                }
            )
            titles.append(
                "; ".join(role_title(Role(g.role), org_repo.place_of(s, g, year)) for g in u.grants)
            )
    db.dispose()
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        name_width = max([len("Họ và tên"), *(len(r["full_name"]) for r in rows)])
        print(f"{'Tên đăng nhập':<22} {'Họ và tên':<{name_width}} Vai trò, nơi giữ")
        for r, title in zip(rows, titles, strict=True):
            print(f"{r['username']:<22} {r['full_name']:<{name_width}} {title}")
    return 0


def cmd_audit_verify(settings: Settings, args: argparse.Namespace) -> int:
    from issuing.runtime import Runtime
    from storage.integrity import verify_all
    from storage.objects import ObjectStoreUnavailable

    rt = Runtime.from_settings(settings)
    try:
        crls = rt.crls()  # a revoked seal's checkpoints read revoked
        with rt.db.read() as s:
            r = verify_all(s, rt.store, crls)
    except ObjectStoreUnavailable as e:
        print(f"Không đọc được kho lưu trữ văn bản: {e}.", file=sys.stderr)
        return 1
    finally:
        rt.close()
    if args.json:
        print(json.dumps(r.to_dict(), ensure_ascii=False))
    else:
        print(r.detail)
        for p in r.problems[1:]:
            print(f"  {p.detail}")
    return 0 if r.ok else 1


def cmd_audit_checkpoint(settings: Settings, args: argparse.Namespace) -> int:
    from flows.checkpoint import checkpoint_now
    from issuing.runtime import Runtime
    from storage.audit import vn_time
    from storage.checkpoints import CheckpointRefused

    rt = Runtime.from_settings(settings)
    try:
        rt.store.ensure_ready()
        cp = checkpoint_now(rt)
    except CheckpointRefused as e:
        print(f"Không ghi mốc kiểm tra: {e}.", file=sys.stderr)
        return 1
    finally:
        rt.close()
    if cp is None:
        detail = "Không có sự kiện mới kể từ mốc kiểm tra gần nhất: không ghi mốc mới."
    else:
        detail = (
            f"Đã ghi mốc kiểm tra số {cp.number}: {cp.count} sự kiện, mã băm đầu chuỗi "
            f"{cp.hash}, lúc {vn_time(cp.at)}; tệp {cp.key} và chữ ký {cp.key}.p7s."
        )
    if args.json:
        out = {"written": cp is not None, "detail": detail, "checkpoint": cp and cp.summary()}
        print(json.dumps(out, ensure_ascii=False))
    else:
        print(detail)
    return 0


def cmd_verify_pdf(settings: Settings, args: argparse.Namespace) -> int:
    from documents import pyhanko_internals
    from documents.verify import InvalidPdf, verify_pdf_sync
    from storage.db import Database
    from storage.repositories import keys as keys_repo

    pyhanko_internals.install()

    roots: list[bytes] = []
    crls: list[bytes] = []
    if args.trust_roots:
        roots.append(Path(args.trust_roots).read_bytes())
    else:
        from issuing.runtime import crls_of

        db = Database(settings.database_url)
        with db.read() as s:
            roots = [r.cert_pem for r in keys_repo.trust_roots(s)]
            crls = crls_of(s, settings.secret_key)  # what an admin revoked reads revoked
        db.dispose()
    try:
        reports = verify_pdf_sync(Path(args.file).read_bytes(), roots, crls)
    except InvalidPdf as e:
        print(f"Tệp PDF không đọc được: {e}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps([r.to_dict() for r in reports], ensure_ascii=False, indent=2))
    else:
        if not reports:
            print("Tệp không có chữ ký số.")
        for r in reports:
            print(f"{r.field_name}: {r.signer} – {r.summary_vi}")
    return 0 if reports and all(r.intact and r.trusted for r in reports) else 1


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from tdkt.app import create_app

    workers = args.workers or settings.web_workers
    host, port = args.host or settings.host, args.port or settings.port
    if workers == 1:
        uvicorn.run(create_app(settings), host=host, port=port, log_level="info")
        return 0
    if settings.prefect_mode != "server":
        print(
            "Chỉ chạy nhiều tiến trình web (--workers) ở chế độ server (TDKT_PREFECT_MODE=server).",
            file=sys.stderr,
        )
        return 2
    # Each process builds the app from the same environment (TDKT_*, PREFECT_*).
    uvicorn.run(
        "tdkt.app:create_app", factory=True, workers=workers, host=host, port=port, log_level="info"
    )
    return 0


def cmd_deploy(settings: Settings, _: argparse.Namespace) -> int:
    import asyncio

    from flows.server_mode import register

    ids = asyncio.run(register(settings))
    print(f"Đã đăng ký nhóm xử lý {settings.prefect_work_pool!r} và {len(ids)} deployment.")
    return 0


def cmd_worker(settings: Settings, args: argparse.Namespace) -> int:
    import asyncio
    import contextlib

    # A step waits on average half a poll for a worker to notice it (Prefect's default
    # is 10 s); TDKT workers ask every second unless told otherwise.
    os.environ.setdefault("PREFECT_WORKER_QUERY_SECONDS", "1")
    from prefect.exceptions import TerminationSignal

    from flows.server_mode import serve_worker

    # SIGTERM stops the worker on purpose (Prefect raises its own signal while runs are
    # in flight): the runs are cancelled and give their outbox rows back.
    with contextlib.suppress(asyncio.CancelledError, TerminationSignal):
        asyncio.run(serve_worker(settings, limit=args.limit or settings.worker_limit))
    return 0


def cmd_demo_cluster_year(settings: Settings, args: argparse.Namespace) -> int:
    from tdkt.demo_cluster_year import DEMO_SIGNERS, SIGN_ORDER, Story, StoryError, wait_healthy

    url = (args.url or f"http://127.0.0.1:{settings.port}").rstrip("/")
    try:
        if args.wait:
            wait_healthy(url, args.wait)
        Story(
            url,
            password=settings.demo_password,
            pin=settings.demo_pin,
            signed_by=SIGN_ORDER if args.all_sign else DEMO_SIGNERS,
            seal=args.all_sign,
        ).run()
    except StoryError as e:
        print(f"Năm thi đua mẫu của Cụm I chưa tạo được: {e}", file=sys.stderr)
        return 1
    print("Năm thi đua 2026 của Cụm I đã có trong dữ liệu mẫu.")
    return 0


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="tdkt", description="Hồ sơ thi đua, khen thưởng")
    sub = p.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="chạy giao diện web và API")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int, help="số tiến trình web (TDKT_WEB_WORKERS)")
    serve.set_defaults(fn=cmd_serve)
    db = sub.add_parser("db", help="cơ sở dữ liệu").add_subparsers(dest="db_cmd", required=True)
    db.add_parser("upgrade", help="áp dụng các bản chuyển đổi").set_defaults(fn=cmd_db_upgrade)
    seed = sub.add_parser("seed", help="tạo dữ liệu mẫu")
    seed.add_argument("--demo", action="store_true")
    seed.set_defaults(fn=cmd_seed)
    users = sub.add_parser("users").add_subparsers(dest="users_cmd", required=True)
    ul = users.add_parser("list", help="danh sách tài khoản (không có mật khẩu)")
    ul.add_argument("--json", action="store_true")
    ul.set_defaults(fn=cmd_users_list)
    from tdkt.operator_cli import add_commands  # the first admin, real certificates

    add_commands(sub, users)
    from tdkt.calendar_cli import add_commands as add_calendar  # days off, working days

    add_calendar(sub)
    from tdkt.reminders_cli import add_commands as add_reminders  # digest, escalation

    add_reminders(sub)
    from tdkt.report_cli import add_commands as add_report  # statistics forms

    add_report(sub)
    audit = sub.add_parser("audit").add_subparsers(dest="audit_cmd", required=True)
    av = audit.add_parser("verify", help="kiểm tra toàn vẹn lịch sử và tệp lưu trữ")
    av.add_argument("--json", action="store_true")
    av.set_defaults(fn=cmd_audit_verify)
    ac = audit.add_parser("checkpoint", help="ký đầu chuỗi lịch sử vào kho lưu trữ ngay bây giờ")
    ac.add_argument("--json", action="store_true")
    ac.set_defaults(fn=cmd_audit_checkpoint)
    vp = sub.add_parser("verify-pdf", help="kiểm tra chữ ký số của một tệp PDF")
    vp.add_argument("file")
    vp.add_argument("--trust-roots", help="tệp PEM chứng thư gốc tin cậy (mặc định: của hệ thống)")
    vp.add_argument("--json", action="store_true")
    vp.set_defaults(fn=cmd_verify_pdf)
    sub.add_parser(
        "deploy", help="tạo nhóm xử lý và các deployment trên máy chủ Prefect (chế độ server)"
    ).set_defaults(fn=cmd_deploy)
    demo = sub.add_parser("demo", help="dữ liệu mẫu qua API").add_subparsers(
        dest="demo_cmd", required=True
    )
    cy = demo.add_parser(
        "cluster-year", help="năm thi đua 2026 của Cụm I qua API của máy chủ đang chạy"
    )
    cy.add_argument("--url", help="địa chỉ máy chủ (mặc định http://127.0.0.1:TDKT_PORT)")
    cy.add_argument("--wait", type=float, default=0, help="chờ máy chủ trả lời tối đa N giây")
    cy.add_argument(
        "--all-sign", action="store_true", help="cả năm thành viên ký giao ước, rồi đóng dấu"
    )
    cy.set_defaults(fn=cmd_demo_cluster_year)
    demo.add_parser(
        "stats", help="lịch sử năm 2025 cho trang thống kê (sau tdkt seed --demo)"
    ).set_defaults(fn=cmd_demo_stats)
    wk = sub.add_parser("worker", help="xử lý các bước của hồ sơ từ nhóm xử lý (chế độ server)")
    wk.add_argument("--limit", type=int, help="số lượt chạy cùng lúc (TDKT_WORKER_LIMIT)")
    wk.set_defaults(fn=cmd_worker)
    args = p.parse_args(argv)
    try:  # read from the environment on each call, not the process's cached settings
        settings = Settings().resolved()
    except ValueError as e:  # a setting the server mode requires is missing
        print(f"Cấu hình không hợp lệ: {e}", file=sys.stderr)
        sys.exit(2)
    prepare_prefect(settings)
    sys.exit(args.fn(settings, args))
