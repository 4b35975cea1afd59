"""The demo's own time-stamping service (documents/timestamps.py `LocalTsa`): the tokens it
gives make a PAdES B-LT signature that pyHanko and poppler's `pdfsig` accept, and its key is
loaded once, not at every time-stamp (what made an approval under `make run` take ~1 s)."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

from asn1crypto import tsp
from cryptography.hazmat.primitives import serialization
from pyhanko.sign.timestamps import TimeStamper

from documents.pki import create_ca, issue_tsa_certificate
from documents.sign import sign_pdf
from documents.timestamps import LocalTsa, validation_context
from documents.verify import verify_pdf
from tests.fixtures.nss import nss_db, pdfsig
from tests.fixtures.pki import org_signer, simple_pdf


class _Through(TimeStamper):
    """Sends the requests to the LocalTsa as its HTTP endpoint would (bytes in, bytes out)."""

    def __init__(self, tsa: LocalTsa) -> None:
        super().__init__()
        self.tsa = tsa
        self.requests = 0

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        self.requests += 1
        return tsp.TimeStampResp.load(self.tsa.answer(req.dump()))


async def test_tokens_make_a_long_term_signature_and_the_key_is_loaded_once(
    tmp_path: Path,
) -> None:
    ca = create_ca("CA thử dấu thời gian", "tdkt")
    signer = org_signer("Ban Dân tộc", ca)
    local = LocalTsa(issue_tsa_certificate(ca, "TSA thử"), [ca.cert_pem])
    stamper = _Through(local)
    pdf = simple_pdf("Tờ trình đề nghị khen thưởng «năm 2026» & <đợt 1>\n")
    # pyHanko's own test TSA loads its key (DER) again for every token.
    loads = mock.patch.object(
        serialization, "load_der_private_key", wraps=serialization.load_der_private_key
    )
    with loads as der:
        signed = await sign_pdf(
            pdf,
            signer,
            field_name="Seal",
            reason="Ban hành",
            location="Lạng Sơn",
            stamp_lines=["Ký bởi: Ban Dân tộc"],
            timestamper=stamper,
            validation_context=validation_context([ca.cert_pem], []),
        )
        again = await sign_pdf(
            signed,
            signer,
            field_name="Seal2",
            reason="Ban hành",
            location="Lạng Sơn",
            stamp_lines=["Ký bởi: Ban Dân tộc"],
            timestamper=stamper,
            validation_context=validation_context([ca.cert_pem], []),
        )
    assert stamper.requests >= 2
    assert der.call_count == 0  # the TSA's key was loaded once, when the LocalTsa was made

    reports = await verify_pdf(again, [ca.cert_pem])
    assert len(reports) == 2
    assert all(r.intact and r.valid and r.trusted and r.timestamped for r in reports), reports
    assert reports[-1].long_term
    path = tmp_path / "signed.pdf"
    path.write_bytes(again)
    out = pdfsig(path, nss_db(tmp_path / "nss", ca.cert_pem))
    assert out.count("Signature is Valid.") == 2, out
