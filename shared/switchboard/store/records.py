"""How records are stored, shared by every adapter of a store port (no SDK here): escalations,
conversations as the back office lists them, messages, and page tokens."""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import UTC, datetime
from typing import Any

from switchboard.core.models import ConversationInfo, Escalation, Message, StoredMessage
from switchboard.errors import InvalidInputError


def escalation_from(tenant_id: str, escalation_id: str, d: dict[str, Any], version: Any) -> Escalation:
    """An escalation from its stored fields (``version``: the record's last update time)."""
    return Escalation(
        id=escalation_id,
        tenant_id=tenant_id,
        status=d.get("status", "open"),
        reason=d.get("reason", "low_confidence"),
        session_id=d.get("session_id", ""),
        query=d.get("query", ""),
        agent_response=d.get("agent_response", ""),
        confidence=float(d.get("confidence", 0.0)),
        agent_type=d.get("agent_type", "customer"),
        user=dict(d.get("user") or {}),
        created_at=d.get("created_at") or datetime.now(UTC),
        channel=d.get("channel", "crm"),
        ticket_id=d.get("ticket_id"),
        ticket_url=d.get("ticket_url"),
        duplicate_of=d.get("duplicate_of"),
        history=list(d.get("history") or []),
        problem_terms=list(d.get("problem_terms") or []),
        desk=dict(d.get("desk") or {}),
        pending=list(d.get("pending") or []),
        version=version,
    )


def escalation_record(e: Escalation) -> dict[str, Any]:
    """The stored fields of a new escalation."""
    return {
        "status": e.status,
        "reason": e.reason,
        "session_id": e.session_id,
        "query": e.query,
        "agent_response": e.agent_response,
        "confidence": e.confidence,
        "agent_type": e.agent_type,
        "user": e.user,
        "created_at": e.created_at,
        "updated_at": e.created_at,
        "channel": e.channel,
        "ticket_id": e.ticket_id,
        "ticket_url": e.ticket_url,
        "duplicate_of": e.duplicate_of,
        "history": e.history,
        "problem_terms": e.problem_terms,
        "desk": e.desk,
        "pending": e.pending,
    }


def encode_cursor(values: dict[str, Any]) -> str:
    """An opaque page token."""
    return base64.urlsafe_b64encode(json.dumps(values, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(token: str) -> dict[str, Any]:
    """The values of a page token.

    Raises:
        InvalidInputError: The token was not made by :func:`encode_cursor`.
    """
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, binascii.Error) as exc:
        raise InvalidInputError("page_token is not one this API returned") from exc
    if not isinstance(data, dict):
        raise InvalidInputError("page_token is not one this API returned")
    return data


def cursor_time(values: dict[str, Any], key: str) -> datetime:
    """An aware timestamp out of a page token's values.

    Raises:
        InvalidInputError: It is missing, not a timestamp, or has no time zone.
    """
    try:
        at = datetime.fromisoformat(str(values[key]))
    except (KeyError, ValueError) as exc:
        raise InvalidInputError("page_token is not one this API returned") from exc
    if at.tzinfo is None:
        raise InvalidInputError("page_token is not one this API returned")
    return at


def cursor_id(values: dict[str, Any], key: str) -> str:
    """A document id out of a page token's values (one Firestore accepts as an id).

    Raises:
        InvalidInputError: It is missing or could not be a document id.
    """
    found = values.get(key)
    if not isinstance(found, str) or not _DOC_ID.match(found) or found.startswith("__"):
        raise InvalidInputError("page_token is not one this API returned")
    return found


_DOC_ID = re.compile(r"^[A-Za-z0-9_.:@+-]{1,300}$")


def conversation_info(key: str, data: dict[str, Any]) -> ConversationInfo:
    """A conversation document as the back office sees it."""
    user = data.get("user")
    return ConversationInfo(
        key=key,
        channel=str(data.get("channel", "")),
        owner=str(data.get("owner", "ai")),
        conversation_key=str(data.get("conversation_key", "")),
        user=dict(user) if isinstance(user, dict) else {},
        language=data.get("language"),
        turn_count=int(data.get("turn_count", 0) or 0),
        created_at=data.get("created_at"),
        updated_at=data.get("updated_at"),
        owner_changed_at=data.get("owner_changed_at"),
        last_confidence=data.get("last_confidence"),
        last_escalation_reason=data.get("last_escalation_reason"),
        inactive=bool(data.get("inactive", False)),
    )


def stored_message(doc_id: str, data: dict[str, Any]) -> StoredMessage:
    role = data.get("role", "user")
    at = data.get("at") or datetime.fromtimestamp(0, UTC)
    message = Message(doc_id, role, str(data.get("content", "")), at)
    meta = data.get("meta")
    return StoredMessage(message, dict(meta) if isinstance(meta, dict) else {})
