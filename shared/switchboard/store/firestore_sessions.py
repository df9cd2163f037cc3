"""Conversations as the back office reads them, the daily rollups, and tenants, on Firestore.

    tenants/{t}/conversations/{key}               listed newest first (``updated_at``), filtered by owner/channel
    tenants/{t}/conversations/{key}/messages/{id} read in id order (ids sort by time within a channel)
    tenants/{t}/analytics/{YYYY-MM-DD}            one rollup per day, written whole (re-running a day replaces it)

Listing with a filter orders by ``updated_at`` after an equality filter: production needs the
composite indexes declared in ``infra/terraform`` (the emulator needs none).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from google.cloud import firestore

from switchboard.core.models import ConversationInfo, StoredMessage
from switchboard.errors import ConflictError
from switchboard.store.firestore_common import tenant_ref, translated
from switchboard.store.records import (
    conversation_info,
    cursor_id,
    cursor_time,
    decode_cursor,
    encode_cursor,
    stored_message,
)

_LISTED = [
    "channel",
    "conversation_key",
    "owner",
    "user",
    "language",
    "turn_count",
    "created_at",
    "updated_at",
    "owner_changed_at",
    "last_confidence",
    "last_escalation_reason",
    "inactive",
]


class SessionRecords:
    """The back-office half of :class:`switchboard.store.firestore.FirestoreStore`."""

    _db: firestore.Client
    _call: dict[str, Any]

    def _conversations(self, tenant_id: str) -> Any:
        return tenant_ref(self._db, tenant_id).collection("conversations")

    def list_conversations(
        self,
        tenant_id: str,
        *,
        limit: int,
        cursor: str | None = None,
        owner: str | None = None,
        channel: str | None = None,
    ) -> tuple[list[ConversationInfo], str | None]:
        """One page of conversations, most recently active first, and the next page's token."""
        coll = self._conversations(tenant_id)
        query = coll
        if owner:
            query = query.where(filter=firestore.FieldFilter("owner", "==", owner))
        if channel:
            query = query.where(filter=firestore.FieldFilter("channel", "==", channel))
        query = query.order_by("updated_at", direction=firestore.Query.DESCENDING).order_by(
            "__name__", direction=firestore.Query.DESCENDING
        )
        if cursor:
            values = decode_cursor(cursor)
            at, after = cursor_time(values, "u"), coll.document(cursor_id(values, "k"))
            query = query.start_after({"updated_at": at, "__name__": after})
        with translated("list conversations"):
            snaps = list(query.select(_LISTED).limit(limit + 1).stream(**self._call))
        found = [conversation_info(s.id, s.to_dict() or {}) for s in snaps[:limit]]
        more = len(snaps) > limit and found
        token = encode_cursor({"u": found[-1].updated_at.isoformat(), "k": found[-1].key}) if more else None  # type: ignore[union-attr]
        return found, token

    def get_conversation(self, tenant_id: str, conversation_key: str) -> ConversationInfo | None:
        """One conversation's summary, or None."""
        with translated("read conversation"):
            snap = self._conversations(tenant_id).document(conversation_key).get(_LISTED, **self._call)
        return conversation_info(conversation_key, snap.to_dict() or {}) if snap.exists else None

    def conversation_messages(
        self, tenant_id: str, conversation_key: str, *, limit: int, cursor: str | None = None
    ) -> tuple[list[StoredMessage], str | None]:
        """Up to ``limit`` messages, oldest first (``at``, then id: a channel's notifications have
        ids of their own that do not sort by time), and the next page's token."""
        coll = self._conversations(tenant_id).document(conversation_key).collection("messages")
        query = coll.order_by("at").order_by("__name__")
        if cursor:
            values = decode_cursor(cursor)
            at, after = cursor_time(values, "a"), coll.document(cursor_id(values, "i"))
            query = query.start_after({"at": at, "__name__": after})
        with translated("read messages"):
            snaps = list(query.limit(limit + 1).stream(**self._call))
        found = [stored_message(s.id, s.to_dict() or {}) for s in snaps[:limit]]
        if len(snaps) <= limit or not found:
            return found, None
        last = found[-1].message
        return found, encode_cursor({"a": last.at.isoformat(), "i": last.id})

    def conversations_active_since(self, tenant_id: str, since: datetime) -> Iterator[ConversationInfo]:
        """Every conversation written to at or after ``since`` (for the daily rollup)."""
        query = self._conversations(tenant_id).where(filter=firestore.FieldFilter("updated_at", ">=", since))
        with translated("list active conversations"):
            for snap in query.select(_LISTED).stream(**self._call):
                yield conversation_info(snap.id, snap.to_dict() or {})

    def mark_inactive(self, tenant_id: str, idle_since: datetime) -> int:
        """Mark conversations with nothing written since ``idle_since`` inactive; returns how many.

        Each write holds only if the conversation is unchanged since it was read: a turn that
        lands meanwhile keeps its conversation active."""
        coll = self._conversations(tenant_id)
        query = coll.where(filter=firestore.FieldFilter("inactive", "==", False)).where(
            filter=firestore.FieldFilter("updated_at", "<", idle_since)
        )
        fields = {"inactive": True, "inactive_since": idle_since}
        with translated("mark inactive"):
            idle = [(snap.reference, snap.update_time) for snap in query.select(["updated_at"]).stream(**self._call)]
        marked = 0
        for start in range(0, len(idle), 400):
            part = idle[start : start + 400]
            batch = self._db.batch()
            for ref, seen in part:
                batch.update(ref, fields, option=self._db.write_option(last_update_time=seen))
            try:
                with translated("mark inactive"):
                    batch.commit(**self._call)
                marked += len(part)
            except ConflictError:  # one of them was written to meanwhile: one by one
                for ref, seen in part:
                    try:
                        with translated("mark inactive"):
                            ref.update(fields, option=self._db.write_option(last_update_time=seen), **self._call)
                        marked += 1
                    except ConflictError:
                        continue
        return marked

    def conversation_counts(self, tenant_id: str) -> dict[tuple[str, str], int]:
        """How many conversations each (owner, channel) pair has."""
        counts: dict[tuple[str, str], int] = {}
        with translated("count conversations"):
            for snap in self._conversations(tenant_id).select(["owner", "channel"]).stream(**self._call):
                data = snap.to_dict() or {}
                pair = (str(data.get("owner", "ai")), str(data.get("channel", "")))
                counts[pair] = counts.get(pair, 0) + 1
        return counts

    def save_rollup(self, tenant_id: str, day: str, rollup: dict[str, Any]) -> None:
        """Write a day's rollup whole (re-running the day replaces it)."""
        ref = tenant_ref(self._db, tenant_id).collection("analytics").document(day)
        with translated("save rollup"):
            ref.set({**rollup, "date": day}, **self._call)

    def rollups_between(self, tenant_id: str, first_day: str, last_day: str) -> dict[str, dict[str, Any]]:
        """The rollups of the days from ``first_day`` to ``last_day``, by day."""
        coll = tenant_ref(self._db, tenant_id).collection("analytics")
        query = coll.where(filter=firestore.FieldFilter("date", ">=", first_day)).where(
            filter=firestore.FieldFilter("date", "<=", last_day)
        )
        with translated("read rollups"):
            return {str(s.get("date")): s.to_dict() or {} for s in query.stream(**self._call)}

    def list_tenants(self) -> list[str]:
        """Every tenant's id."""
        with translated("list tenants"):
            return sorted(ref.id for ref in self._db.collection("tenants").list_documents(**self._call))
