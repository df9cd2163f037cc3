"""What the CRM sends and what it must get back, shared by the fast and the emulator tiers."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.conftest import user_info

#: The chat response's fields, exactly (the test agent adds ``debug``).
CONTRACT_FIELDS = {"response", "session_id", "timestamp", "requires_escalation", "classification_confidence", "sources"}
ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def assert_contract_example_answered(body: dict[str, Any]) -> None:
    """The answer to the contract's example request (tests/events/crm_chat_request.json) against the demo KB."""
    assert set(body) == CONTRACT_FIELDS
    assert body["session_id"] == "support-session-1707500000123"
    assert ISO_Z.match(body["timestamp"])
    assert abs(datetime.fromisoformat(body["timestamp"]) - datetime.now(UTC)) < timedelta(minutes=1)
    assert body["requires_escalation"] is False and 0.3 <= body["classification_confidence"] <= 1
    assert body["sources"][0] == {
        "title": "Password Reset Guide",
        "confidence": body["sources"][0]["confidence"],
        "entry_type": "how_to",
        "entry_id": "kb_001",
    }
    assert 0 < body["sources"][0]["confidence"] <= 1


def failure_body(**overrides: Any) -> dict[str, Any]:
    """A ``POST /api/agent-failure/`` body (the CRM contract's example)."""
    info = user_info()
    return {
        "session_id": "support-session-1707500000123",
        "agent_id": info["agent_id"],
        "query": "How do I fix error code X1234?",
        "agent_response": "I'm not confident I can help with this specific error.",
        "confidence_score": 0.21,
        "escalation_reason": "low_confidence",
        "user_email": info["email"],
        "user_name": info["name"],
        "user_agency": info["agency"],
        "user_office": info["office"],
        "agent_type": "support",
        **overrides,
    }
