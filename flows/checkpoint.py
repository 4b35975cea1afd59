"""Scheduled flow: sign the head of the audit chain into the write-once archive.

`audit_checkpoint_flow` takes no parameters and no secrets: it reads the authority's seal
from the database and the server's secret from the settings, like the step flows. In the
embedded mode the app runs it every `TDKT_CHECKPOINT_MINUTES` (`checkpoint_forever`, a
task of the app's lifespan); in the server mode it is a deployment with that schedule.
`tdkt audit checkpoint` writes one at once with the same code.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from documents.pki import decrypt_key
from flows.prefect_clients import tdkt_flow
from issuing.runtime import Runtime, current
from storage.checkpoints import Checkpoint, CheckpointRefused, Signer, cms_signer, write_checkpoint
from storage.repositories import keys as keys_repo

log = logging.getLogger("tdkt.checkpoint")


def _signer(rt: Runtime) -> Signer:
    with rt.db.read() as s:
        key = keys_repo.audit_signing_key(s)
        if key is None or key.key_pem_encrypted is None:
            raise CheckpointRefused("chưa có khóa con dấu của cơ quan để ký mốc kiểm tra")
        chain = tuple(r.cert_pem for r in keys_repo.trust_roots(s))
        key_pem = decrypt_key(key.key_pem_encrypted, rt.settings.secret_key)
        return cms_signer(key_pem, key.cert_pem, chain)


def checkpoint_now(rt: Runtime) -> Checkpoint | None:
    """Write the next checkpoint if the chain grew since the last one (blocking)."""
    return write_checkpoint(rt.db, rt.store, _signer(rt), crls=rt.crls())


@tdkt_flow("audit_checkpoint_flow")
async def audit_checkpoint_flow() -> dict[str, Any] | None:
    cp = await asyncio.to_thread(checkpoint_now, current())
    return cp.summary() if cp else None


async def checkpoint_forever(minutes: float) -> None:
    """The embedded mode's schedule: a first checkpoint soon after start, then one every
    `minutes` (each only if the chain grew)."""
    every = minutes * 60
    await asyncio.sleep(min(every, 60.0))
    while True:
        try:
            await audit_checkpoint_flow()
        except Exception:
            log.exception("audit checkpoint failed; the next run tries again")
        await asyncio.sleep(every)
