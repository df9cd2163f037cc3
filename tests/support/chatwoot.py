"""Chatwoot webhook deliveries signed the way Chatwoot signs them (shared by both tiers)."""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid


def signed(raw: bytes, secret: str, at: int | None = None, delivery: str | None = None) -> dict[str, str]:
    """Headers of a delivery: ``sha256=HMAC(secret, "{timestamp}.{raw body}")``, timestamp, delivery id."""
    stamp = str(at if at is not None else int(time.time()))
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + raw, hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/json",
        "X-Chatwoot-Signature": f"sha256={digest}",
        "X-Chatwoot-Timestamp": stamp,
        "X-Chatwoot-Delivery": delivery or str(uuid.uuid4()),
    }
