"""Kommo replies: one document per ``return_url``, so a repeated widget_request gets one reply.

    tenants/{t}/kommo_replies/{sha(return_url)}   state working|answered|sent|failed,
                                                  lease_until, body (the continue call), expires_at

The answer is computed once and stored before it is sent, so a retried send (Kommo 5xx or a
timeout) re-sends the same body instead of asking the LLM again and storing the turn twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from google.cloud import firestore

from switchboard.errors import ConflictError
from switchboard.store.firestore import _translated, call_options, digest

TTL = timedelta(days=7)


@dataclass(frozen=True)
class ReplySlot:
    """The outcome of trying to take the reply for a return_url.

    Attributes:
        state: ``acquired`` (ours to answer/send), ``done`` (sent or final), ``busy`` (someone else).
        body: The stored continue body when an earlier attempt computed it.
    """

    state: Literal["acquired", "done", "busy"]
    body: dict[str, Any] | None = None


class FirestoreKommoReplies:
    """Reply slots on Firestore.

    Args:
        client: A ``google.cloud.firestore.Client``.
        timeout: Per-call timeout in seconds.
    """

    def __init__(self, client: firestore.Client, timeout: float) -> None:
        self._db = client
        self._timeout = timeout
        self._call = call_options(timeout)

    def _ref(self, tenant_id: str, return_url: str) -> Any:
        return (
            self._db.collection("tenants").document(tenant_id).collection("kommo_replies").document(digest(return_url))
        )

    def take(self, tenant_id: str, return_url: str, lease: timedelta) -> ReplySlot:
        """Take the reply slot (atomic ``create()``; an expired lease is taken over)."""
        ref = self._ref(tenant_id, return_url)
        now = datetime.now(UTC)
        try:
            with _translated("take reply slot"):
                ref.create(
                    {"state": "working", "lease_until": now + lease, "return_url": return_url, "expires_at": now + TTL},
                    **self._call,
                )
            return ReplySlot("acquired")
        except ConflictError:
            pass
        with _translated("read reply slot"):
            snap = ref.get(**self._call)
        data = snap.to_dict() or {}
        if data.get("state") in ("sent", "failed"):
            return ReplySlot("done")
        if data.get("lease_until") and data["lease_until"] > now:
            return ReplySlot("busy")
        try:
            with _translated("take over reply slot"):
                ref.update(
                    {"lease_until": now + lease},
                    option=self._db.write_option(last_update_time=snap.update_time),
                    **self._call,
                )
        except ConflictError:
            return ReplySlot("busy")
        return ReplySlot("acquired", data.get("body"))

    def save_body(self, tenant_id: str, return_url: str, body: dict[str, Any]) -> None:
        """Remember the computed continue body before sending it."""
        with _translated("save reply"):
            self._ref(tenant_id, return_url).update({"state": "answered", "body": body}, **self._call)

    def finish(self, tenant_id: str, return_url: str, state: Literal["sent", "failed"], detail: str = "") -> None:
        """Close the slot: later deliveries of the same request do nothing."""
        with _translated("finish reply"):
            self._ref(tenant_id, return_url).update(
                {"state": state, "lease_until": None, "detail": detail, "finished_at": datetime.now(UTC)},
                **self._call,
            )

    def release(self, tenant_id: str, return_url: str) -> None:
        """Let the next delivery try again at once."""
        with _translated("release reply"):
            self._ref(tenant_id, return_url).update({"lease_until": None}, **self._call)
