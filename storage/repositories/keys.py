"""Queries of signing keys: organisations' seals, people's keys, the CAs, revocations."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import (
    Authority,
    SigningKey,
)


def organisation_key(
    s: Session, *, unit_id: int | None = None, authority_id: int | None = None
) -> SigningKey | None:
    q = select(SigningKey).where(SigningKey.kind == "organisation")
    q = (
        q.where(SigningKey.unit_id == unit_id)
        if unit_id
        else q.where(SigningKey.authority_id == authority_id, SigningKey.unit_id.is_(None))
    )
    return s.scalar(q.order_by(SigningKey.id.desc()).limit(1))


def personal_keys(s: Session, user_id: int) -> Sequence[SigningKey]:
    return s.scalars(
        select(SigningKey)
        .where(SigningKey.kind == "person", SigningKey.user_id == user_id)
        .order_by(SigningKey.id)
    ).all()


def personal_key(s: Session, user_id: int) -> SigningKey | None:
    """The approver's key the system holds (the newest one with a private key that was
    not revoked)."""
    keys = held_keys(s, user_id)
    return keys[-1] if keys else None


def demo_tsa(s: Session) -> SigningKey | None:
    return s.scalar(select(SigningKey).where(SigningKey.kind == "tsa").limit(1))


def trust_roots(s: Session) -> Sequence[SigningKey]:
    return s.scalars(
        select(SigningKey).where(SigningKey.kind == "ca").order_by(SigningKey.id)
    ).all()


def audit_signing_key(s: Session) -> SigningKey | None:
    """The seal that signs the audit chain's checkpoints: the first authority's."""
    authority_id = s.scalar(select(Authority.id).order_by(Authority.id).limit(1))
    return organisation_key(s, authority_id=authority_id) if authority_id is not None else None


def held_keys(s: Session, user_id: int) -> list[SigningKey]:
    """The person's keys the system holds that may still sign, oldest first."""
    return [
        k
        for k in personal_keys(s, user_id)
        if k.key_pem_encrypted is not None and k.revoked_at is None
    ]


def personal_key_by_id(s: Session, user_id: int, key_id: int) -> SigningKey | None:
    return s.scalar(
        select(SigningKey).where(
            SigningKey.id == key_id, SigningKey.kind == "person", SigningKey.user_id == user_id
        )
    )


def key_by_fingerprint(s: Session, fingerprint: str) -> SigningKey | None:
    return s.scalar(select(SigningKey).where(SigningKey.fingerprint == fingerprint))


def issuing_ca(s: Session) -> SigningKey | None:
    """The CA whose key the system holds (the demo CA in the demo): it certifies the
    keys people get from the system, and publishes the CRL."""
    return s.scalar(
        select(SigningKey)
        .where(SigningKey.kind == "ca", SigningKey.key_pem_encrypted.is_not(None))
        .order_by(SigningKey.id)
        .limit(1)
    )


def revoked_keys(s: Session) -> Sequence[SigningKey]:
    return s.scalars(
        select(SigningKey).where(SigningKey.revoked_at.is_not(None)).order_by(SigningKey.id)
    ).all()


def revocation_state(s: Session) -> tuple[int, int | None]:
    """Changes whenever a certificate is revoked: how many are, and the last one's id
    (for caches of the CRL)."""
    row = s.execute(
        select(func.count(), func.max(SigningKey.id)).where(SigningKey.revoked_at.is_not(None))
    ).one()
    return int(row[0]), row[1]
