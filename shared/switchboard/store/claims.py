"""The claim primitive on Firestore: one worker at a time does a unit of work, and does it once.

    tenants/{t}/claims/{key}    state in_progress|done|released, lease_until, attempts, holder,
                                result (stored before a side effect), outcome, expires_at (TTL)

``claim`` creates the document with ``create()`` (atomic: one caller wins). A claim whose lease
expired (its holder crashed) or that was released is taken over, guarded by the document's update
time, so two callers racing for the takeover cannot both win.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from google.cloud import firestore

from switchboard.errors import ConflictError
from switchboard.store.base import Claim
from switchboard.store.firestore_common import call_options, safe_id, tenant_ref, translated

#: Claims are kept this long (Firestore TTL on ``expires_at``), longer than any redelivery.
CLAIM_TTL = timedelta(days=7)


class FirestoreClaims:
    """Claims on Firestore.

    Args:
        client: A ``google.cloud.firestore.Client``.
        timeout: Per-call timeout in seconds.
    """

    def __init__(self, client: firestore.Client, timeout: float) -> None:
        self._db = client
        self._call = call_options(timeout)

    def _ref(self, tenant_id: str, key: str) -> Any:
        return tenant_ref(self._db, tenant_id).collection("claims").document(safe_id(key))

    def claim(self, tenant_id: str, key: str, lease: timedelta) -> Claim:
        """Claim ``key``: ``acquired`` (do it), ``done`` (already done) or ``busy`` (someone is on it)."""
        ref = self._ref(tenant_id, key)
        now = datetime.now(UTC)
        # Names this attempt: when a create() lands but its answer is lost, the library sends it
        # again and gets "already exists"; the holder shows the claim is ours, not someone else's.
        holder = secrets.token_hex(8)
        try:
            with translated("claim"):
                ref.create(
                    {
                        "state": "in_progress",
                        "lease_until": now + lease,
                        "attempts": 1,
                        "holder": holder,
                        "expires_at": now + CLAIM_TTL,
                    },
                    **self._call,
                )
            return Claim("acquired", 1)
        except ConflictError:
            pass
        with translated("read claim"):
            snap = ref.get(**self._call)
        data = snap.to_dict() or {}
        attempts = int(data.get("attempts", 1))
        result = data.get("result") if isinstance(data.get("result"), dict) else None
        if data.get("holder") == holder and data.get("state") == "in_progress":
            return Claim("acquired", attempts, result)
        if data.get("state") == "done":
            return Claim("done", attempts, result, str(data.get("outcome", "")))
        if data.get("state") == "in_progress" and data.get("lease_until") and data["lease_until"] > now:
            return Claim("busy", attempts, result)
        try:
            with translated("take over claim"):
                ref.update(
                    {"state": "in_progress", "lease_until": now + lease, "attempts": attempts + 1, "holder": holder},
                    option=self._db.write_option(last_update_time=snap.update_time),
                    **self._call,
                )
        except ConflictError:
            with translated("read claim"):
                again = ref.get(**self._call).to_dict() or {}
            if again.get("holder") != holder:  # another caller took it over first
                return Claim("busy", attempts, result)
        return Claim("acquired", attempts + 1, result)

    def save_result(self, tenant_id: str, key: str, result: dict[str, Any]) -> None:
        """Keep what the work computed, so a retry after a failed side effect reuses it."""
        with translated("save claim result"):
            self._ref(tenant_id, key).update({"result": result}, **self._call)

    def finish(self, tenant_id: str, key: str, outcome: str = "done") -> None:
        """Mark the work done (``outcome`` says how): later claims answer ``done``."""
        with translated("finish claim"):
            self._ref(tenant_id, key).update(
                {"state": "done", "lease_until": None, "outcome": outcome, "finished_at": datetime.now(UTC)},
                **self._call,
            )

    def release(self, tenant_id: str, key: str) -> None:
        """Give the claim back after a failure (attempts and result are kept); the next claim takes it."""
        try:
            with translated("release claim"):
                self._ref(tenant_id, key).update({"state": "released", "lease_until": None}, **self._call)
        except ConflictError:  # the document vanished (TTL): nothing to give back
            return
