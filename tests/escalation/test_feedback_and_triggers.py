"""Feedback once per message on the real store (its branches are in tests/fast/test_desk.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from switchboard import bootstrap
from tests.conftest import function_client

pytestmark = pytest.mark.emulator

FEEDBACK = {
    "message_id": "1707500000001",
    "session_id": "support-session-1707500000123",
    "feedback_type": "helpful",
    "query": "How do I reset a password?",
    "response": "To reset a password, navigate to Settings...",
    "agent_type": "support",
    "user_info": {"agent_id": "crm_user_456", "email": "jane.smith@company.com", "full_name": "Jane Smith"},
    "confidence_score": 0.95,
    "sources_used": ["Password Reset Guide", "Account Security"],
}


def test_feedback_is_one_time_per_message_and_the_first_is_kept(env: Any, db: Any) -> None:
    client = function_client("feedback")
    assert client.post("/api/feedback", json=FEEDBACK).get_json() == {"success": True}
    second = client.post("/api/feedback", json={**FEEDBACK, "feedback_type": "unhelpful"})
    assert second.status_code == 409 and second.get_json()["error"] == "conflict"
    stored = db.collection("tenants").document("default").collection("feedback").document("1707500000001").get()
    data = stored.to_dict()
    assert data["feedback_type"] == "helpful"
    assert data["user"]["full_name"] == "Jane Smith" and data["sources_used"] == FEEDBACK["sources_used"]
    assert data["query"] == FEEDBACK["query"] and data["confidence_score"] == 0.95
    usage = bootstrap.services().store.daily_usage("default", datetime.now(UTC).date().isoformat())
    assert usage["feedback_helpful"] == 1 and "feedback_unhelpful" not in usage
