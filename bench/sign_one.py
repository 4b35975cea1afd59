"""Time one PAdES B-B signature with a visible stamp (and one verification).

Run: ``uv run python bench/sign_one.py [--runs 10]``; writes bench/results/sign_one.json.
The first signature of a process also loads and rescales the stamp font; it is timed
separately as ``first_sign_s`` and excluded from the median.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.metadata
import json
import logging
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from documents.sign import SignatureSlot, sign_pdf  # noqa: E402
from documents.stamp import stamp_font_path  # noqa: E402
from documents.verify import verify_pdf  # noqa: E402
from tests.fixtures.pki import demo_ca, org_signer, simple_pdf  # noqa: E402

BOARD = "Ban Dân tộc tỉnh Lạng Sơn"
STAMP = [f"Ký bởi: {BOARD}", "Thời gian: 2026-11-20T09:15:00+07:00"]


async def _sign(pdf: bytes, field: str, **kw) -> bytes:
    return await sign_pdf(
        pdf,
        org_signer(BOARD),
        field_name=field,
        reason="Phê duyệt",
        location="Lạng Sơn",
        stamp_lines=STAMP,
        **kw,
    )


async def main(runs: int) -> dict:
    pdf = simple_pdf("ỦY BAN NHÂN DÂN TỈNH LẠNG SƠN\nTờ trình đề nghị khen thưởng\n")
    org_signer(BOARD)  # key generation is not part of the measurement

    t0 = time.perf_counter()
    certified = await _sign(pdf, "Warmup", certify=True, reserve_fields=[SignatureSlot("Next")])
    first = time.perf_counter() - t0

    sign_times, approval_times, verify_times = [], [], []
    for i in range(runs):
        t0 = time.perf_counter()
        signed = await _sign(pdf, f"S{i}")
        sign_times.append(time.perf_counter() - t0)

        t0 = time.perf_counter()
        approved = await _sign(certified, "Next")
        approval_times.append(time.perf_counter() - t0)

        t0 = time.perf_counter()
        reports = await verify_pdf(approved, [demo_ca().cert_pem])
        verify_times.append(time.perf_counter() - t0)
        assert all(r.ok for r in reports) and len(reports) == 2
        assert signed

    def stats(xs: list[float]) -> dict:
        return {
            "median_s": round(statistics.median(xs), 4),
            "min_s": round(min(xs), 4),
            "max_s": round(max(xs), 4),
        }

    return {
        "what": "documents.sign.sign_pdf: PAdES B-B, RSA-3072/SHA-256, visible stamp "
        "(2 Vietnamese lines), one-page LibreOffice PDF",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "runs": runs,
        "first_sign_s": round(first, 4),
        "sign_new_field": stats(sign_times),
        "sign_reserved_field_after_certification": stats(approval_times),
        "verify_two_signatures": stats(verify_times),
        "input_pdf_bytes": len(pdf),
        "stamp_font": str(stamp_font_path(" ".join(STAMP))),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "pyhanko": importlib.metadata.version("pyhanko"),
        "pyhanko_certvalidator": importlib.metadata.version("pyhanko-certvalidator"),
        "cryptography": importlib.metadata.version("cryptography"),
    }


if __name__ == "__main__":
    from documents import pyhanko_internals

    pyhanko_internals.install()  # as the processes measured do at start-up
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    result = asyncio.run(main(args.runs))
    out = ROOT / "bench" / "results" / "sign_one.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(
        f"median sign_pdf: {result['sign_new_field']['median_s'] * 1000:.0f} ms "
        f"over {args.runs} runs (first: {result['first_sign_s'] * 1000:.0f} ms) -> {out}"
    )
