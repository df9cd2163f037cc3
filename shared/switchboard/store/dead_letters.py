"""Dead letters on Firestore: ``dead_letters/{task}`` with tenant, kind, subject, error, attempts,
``at`` and ``expires_at`` (TTL, 30 days)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from google.cloud import firestore

from switchboard.store.base import DeadLetter
from switchboard.store.firestore_common import call_options, safe_id, translated

#: How long a dead letter is kept (Firestore TTL on ``expires_at``).
DEAD_LETTER_TTL = timedelta(days=30)


def _letter(data: dict[str, Any]) -> DeadLetter:
    return DeadLetter(
        task=str(data.get("task", "")),
        kind=str(data.get("kind", "")),
        tenant_id=str(data.get("tenant_id", "")),
        subject=str(data.get("subject", "")),
        error=str(data.get("error", "")),
        attempts=int(data.get("attempts", 0)),
        at=data.get("at") or datetime.now(UTC),
    )


class FirestoreDeadLetters:
    """Dead letters on Firestore.

    Args:
        client: A ``google.cloud.firestore.Client``.
        timeout: Per-call timeout in seconds.
    """

    def __init__(self, client: firestore.Client, timeout: float) -> None:
        self._db = client
        self._call = call_options(timeout)

    def record(self, letter: DeadLetter) -> None:
        """Store (or overwrite) one task's letter."""
        data = {**letter.__dict__, "expires_at": letter.at + DEAD_LETTER_TTL}
        with translated("record dead letter"):
            self._db.collection("dead_letters").document(safe_id(letter.task)).set(data, **self._call)

    def recent(self, tenant_id: str | None = None, limit: int = 50) -> list[DeadLetter]:
        """The newest first (one tenant's: filtered here, so no composite index is needed)."""
        coll = self._db.collection("dead_letters")
        if tenant_id is None:
            query = coll.order_by("at", direction=firestore.Query.DESCENDING).limit(limit)
        else:
            query = coll.where(filter=firestore.FieldFilter("tenant_id", "==", tenant_id)).limit(1000)
        with translated("list dead letters"):
            letters = [_letter(snap.to_dict() or {}) for snap in query.stream(**call_options(30.0))]
        return sorted(letters, key=lambda letter: letter.at, reverse=True)[:limit]
