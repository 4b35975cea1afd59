"""Signing in pool processes: the same signatures, made elsewhere, surviving a lost process."""

from __future__ import annotations

import asyncio
import os
import signal
import time

import pytest

from documents.sign import SigningFailed
from documents.signing_pool import SigningPool
from tests.fixtures.pki import demo_ca, org_signer, simple_pdf

BOARD = "Ban Dân tộc tỉnh Lạng Sơn"
OPTIONS = {
    "field_name": "Seal",
    "reason": "Phát hành",
    "location": "Lạng Sơn",
    "stamp_lines": ["Ký bởi: Ban Dân tộc tỉnh Lạng Sơn"],
}


@pytest.fixture(scope="module")
def pool():
    p = SigningPool(2)
    pids = p.start()
    assert len(pids) == 2 and os.getpid() not in pids
    yield p
    p.close()
    for pid in pids:  # closed: its processes are gone
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


async def test_a_pool_process_signs_and_the_signature_verifies(pool):
    signed = await pool.sign(simple_pdf("Tờ trình\n"), org_signer(BOARD), **OPTIONS)
    [report] = await pool.verify(signed, [demo_ca().cert_pem])
    assert report.valid and report.trusted and report.intact
    assert report.signer == BOARD


async def test_a_signing_error_comes_back_as_it_is(pool):
    with pytest.raises(SigningFailed, match="unreadable PDF"):
        await pool.sign(b"%PDF-1.7 broken", org_signer(BOARD), **OPTIONS)


async def test_a_killed_pool_process_is_replaced_and_the_work_done(pool):
    killed = pool.pids()
    for pid in killed:
        os.kill(pid, signal.SIGKILL)
    time.sleep(0.5)
    signed = await pool.sign(simple_pdf("Tờ trình\n"), org_signer(BOARD), **OPTIONS)
    [report] = await pool.verify(signed, [demo_ca().cert_pem])
    assert report.valid and report.trusted
    assert pool.pids() and not set(pool.pids()) & set(killed)


async def test_no_processes_signs_in_this_process():
    here = SigningPool(0)
    signed = await here.sign(simple_pdf("Tờ trình\n"), org_signer(BOARD), **OPTIONS)
    assert here.pids() == [] and signed.startswith(b"%PDF")


def test_a_request_thread_checks_through_the_pool_and_survives_a_killed_process(pool):
    """A PDF the approver signed elsewhere is checked from the request's thread
    (`verify_blocking`): in a pool process, which may have died meanwhile."""
    signed = asyncio.run(pool.sign(simple_pdf("Tờ trình\n"), org_signer(BOARD), **OPTIONS))
    killed = pool.pids()
    for pid in killed:
        os.kill(pid, signal.SIGKILL)
    time.sleep(0.5)
    [report] = pool.verify_blocking(signed, [demo_ca().cert_pem])
    assert report.valid and report.trusted and report.signer == BOARD
    assert pool.pids() and not set(pool.pids()) & set(killed)
    [untrusted] = pool.verify_blocking(signed, [])  # no trust roots given
    assert untrusted.intact and not untrusted.trusted
