"""Feedback once per message, and the time_exceeded trigger of the human desk."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from switchboard import bootstrap
from tests.conftest import function_client, user_info

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


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"feedback_type": "meh"}, "feedback_type"),
        ({"message_id": "a/b"}, "message_id"),
        ({"user_info": {"agent_id": "x"}}, "user_info.email"),
        ({"confidence_score": 2}, "confidence_score"),
    ],
)
def test_bad_feedback_is_422_naming_the_field(env: Any, patch: dict[str, Any], field: str) -> None:
    response = function_client("feedback").post("/api/feedback", json={**FEEDBACK, **patch})
    assert response.status_code == 422
    assert field in {e["loc"] for e in response.get_json()["errors"]}


def test_feedback_paths(env: Any) -> None:
    client = function_client("feedback")
    assert client.post("/api/feedback/", json=FEEDBACK).status_code == 308
    assert client.get("/api/feedback").status_code == 405


def test_a_conversation_older_than_the_limit_is_offered_a_human_once(env: Any, seed: Any, db: Any) -> None:
    env(ESCALATION_MAX_MINUTES="30")
    seed()
    chat = function_client("chat")
    body = {"message": "How do I reset a user's password?", "session_id": "long", "user_info": user_info()}
    first = chat.post("/api/agent/test/", json=body).get_json()
    assert first["requires_escalation"] is False
    conv = db.collection("tenants").document("default").collection("conversations").document("crm:crm_user_456:long")
    conv.update({"created_at": datetime.now(UTC) - timedelta(minutes=31)})
    late = chat.post("/api/agent/test/", json=body).get_json()
    assert late["requires_escalation"] is True and late["debug"]["escalation_reason"] == "time_exceeded"
    assert late["response"].startswith("To reset")  # still answered
    again = chat.post("/api/agent/test/", json=body).get_json()
    assert again["requires_escalation"] is False
