"""How escalations are stored, shared by every adapter of the escalation store (no SDK here)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from switchboard.core.models import Escalation


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
