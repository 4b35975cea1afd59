"""Time what an approver's "approve" does in the request: unlock their key with the PIN,
sign the prepared form (certifying signature, signature image, reserved seal field), store
it. Median and p95 over N runs, without and with an RFC 3161 time-stamp + embedded
validation data (PAdES B-LT; the TSA answers in-process, so the figure is our own cost).

Run: ``uv run python bench/personal_signature.py [--runs 20]``;
writes bench/results/personal_signature.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from asn1crypto import tsp  # noqa: E402
from pyhanko.sign.timestamps import TimeStamper  # noqa: E402

from doc_templates.catalogue import template_path  # noqa: E402
from documents import fields  # noqa: E402
from documents.appearance import signature_image  # noqa: E402
from documents.pdf import PdfConverter  # noqa: E402
from documents.pki import (  # noqa: E402
    create_ca,
    decrypt_key,
    encrypt_key,
    issue_certificate,
    issue_tsa_certificate,
    make_crl,
    pin_passphrase,
)
from documents.render import render_docx  # noqa: E402
from documents.sign import SignerMaterial, sign_pdf  # noqa: E402
from documents.timestamps import LocalTsa, validation_context  # noqa: E402
from storage.objects import LocalObjectStore  # noqa: E402
from tests.fixtures.forms import sample_context  # noqa: E402

SECRET, PIN = "bench-secret-" + "x" * 40, "123456"


class InProcessTsa(TimeStamper):
    def __init__(self, tsa: LocalTsa) -> None:
        super().__init__()
        self.tsa = tsa

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        return tsp.TimeStampResp.load(self.tsa.answer(req.dump()))


async def prepared_form(name: str) -> bytes:
    ctx = dict(sample_context(tricky=False))
    ctx["number"] = fields.number_placeholder("01/TTr-BQLKKT")
    ctx["date_text"] = fields.date_placeholder()
    ctx["signer"] = {**ctx["signer"], "full_name": name}
    with tempfile.TemporaryDirectory() as tmp:
        pdf = await PdfConverter(Path(tmp), workers=1).convert(
            render_docx(template_path("to_trinh_don_vi"), ctx)
        )
    return fields.add_fields(pdf, fields.locate(pdf, name), personal=True)


async def main(runs: int) -> dict:
    name = "Lương Văn Minh"
    ca = create_ca("Bench CA", "Bench")
    person = issue_certificate(
        ca, common_name=name, organization="Ban", kind="person", key_type="ec"
    )
    stored_key = encrypt_key(person.key_pem, pin_passphrase(PIN, SECRET))
    tsa = InProcessTsa(LocalTsa(issue_tsa_certificate(ca, "Bench TSA"), [ca.cert_pem]))
    vc = validation_context([ca.cert_pem], [make_crl(ca)])
    pdf = await prepared_form(name)
    store = LocalObjectStore(Path(tempfile.mkdtemp(prefix="tdkt-bench-")))
    store.ensure_ready()

    async def approve(i: int, **long_term: object) -> float:
        t0 = time.perf_counter()
        key = decrypt_key(stored_key, pin_passphrase(PIN, SECRET))
        signed = await sign_pdf(
            pdf,
            SignerMaterial(key, person.cert_pem, (ca.cert_pem,)),
            field_name=fields.PERSON_FIELD,
            reason="Duyệt",
            location="Lạng Sơn",
            stamp_lines=[f"Ký bởi: {name}", "Thời gian: 2026-11-21T09:00:00+07:00"],
            certify=True,
            background=signature_image(name),
            **long_term,  # type: ignore[arg-type]
        )
        store.put(f"run-{len(long_term)}-{i}.pdf", signed, "application/pdf")
        return time.perf_counter() - t0

    await approve(-1)  # the first signature of a process loads the stamp font
    await approve(-2, timestamper=tsa, validation_context=vc)
    plain = [await approve(i) for i in range(runs)]
    lt = [await approve(i, timestamper=tsa, validation_context=vc) for i in range(runs)]

    def figures(xs: list[float]) -> dict[str, float]:
        xs = sorted(xs)
        return {
            "median_s": round(statistics.median(xs), 4),
            "p95_s": round(xs[max(0, round(0.95 * len(xs)) - 1)], 4),
        }

    return {
        "benchmark": "personal_signature",
        "what": "unlock PIN-encrypted key + certifying PAdES signature with image + store",
        "runs": runs,
        "b_b": figures(plain),
        "b_lt_with_timestamp": figures(lt),
        "machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count()},
        "at": datetime.now(UTC).isoformat(),
    }


if __name__ == "__main__":
    from documents import pyhanko_internals

    pyhanko_internals.install()  # as the processes measured do at start-up
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=20)
    result = asyncio.run(main(p.parse_args().runs))
    out = ROOT / "bench" / "results" / "personal_signature.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(result, ensure_ascii=False, indent=2))
