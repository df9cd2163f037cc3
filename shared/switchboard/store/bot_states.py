"""The Chatwoot agent bot's state on Firestore: ``tenants/{t}/chatwoot_bot/{key}``, one document
per contact (``contact:{account}:{inbox}:{contact}``: verification) and per conversation
(``conversation:{account}:{id}``: AI failures in a row), each with ``updated_at``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from google.cloud import firestore

from switchboard.store.firestore_common import call_options, safe_id, tenant_ref, translated


class FirestoreBotStates:
    """Bot state on Firestore.

    Args:
        client: A ``google.cloud.firestore.Client``.
        timeout: Per-call timeout in seconds.
    """

    def __init__(self, client: firestore.Client, timeout: float) -> None:
        self._db = client
        self._call = call_options(timeout)

    def _ref(self, tenant_id: str, key: str) -> Any:
        return tenant_ref(self._db, tenant_id).collection("chatwoot_bot").document(safe_id(key))

    def get(self, tenant_id: str, key: str) -> dict[str, Any]:
        with translated("read bot state"):
            snap = self._ref(tenant_id, key).get(**self._call)
        return snap.to_dict() or {}

    def merge(self, tenant_id: str, key: str, fields: dict[str, Any]) -> None:
        with translated("save bot state"):
            self._ref(tenant_id, key).set({**fields, "updated_at": datetime.now(UTC)}, merge=True, **self._call)
