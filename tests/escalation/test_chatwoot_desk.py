"""Chatwoot as the human desk through real tasks and the Chatwoot stand-in: sync, agent joined, resolved.
(Signature, routing and decline branches are in tests/fast/test_desk.py.)"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from tests.conftest import load_event, user_info
from tests.escalation.conftest import WEBHOOK_SECRET, Stack
from tests.support import chatwoot

pytestmark = pytest.mark.emulator

SESSION = "support-session-1707500000123"


def signed(body: bytes, secret: str = WEBHOOK_SECRET, **kw: Any) -> dict[str, str]:
    return chatwoot.signed(body, secret, **kw)


def post_event(stack: Stack, name: str, **headers_kw: Any) -> Any:
    raw = json.dumps(load_event(name)).encode()
    return stack.http.post("/api/webhooks/chatwoot", content=raw, headers=signed(raw, **headers_kw))


def chat(stack: Stack, message: str) -> dict[str, Any]:
    body = {"message": message, "session_id": SESSION, "user_info": user_info()}
    return dict(stack.http.post("/api/agent/test/", json=body).json())


def synced(stack: Stack) -> str:
    failure_id = stack.record_failure()
    stack.wait_for(lambda: stack.chatwoot.conversations, what="desk conversation")
    stack.wait_for(lambda: any(m.get("private") for m in stack.chatwoot.messages), what="private note")
    return failure_id


def test_escalation_opens_a_desk_conversation_with_transcript_note_and_attributes(stack: Stack) -> None:
    synced(stack)
    stack.settle()
    (contact,) = stack.chatwoot.contacts
    assert contact["identifier"] == "crm_user_456" and contact["email"] == "jane.smith@company.com"
    (conversation,) = stack.chatwoot.conversations
    assert conversation["id"] == 101 and conversation["source_id"] == contact["source_id"]
    assert conversation["custom_attributes"] == {
        "session_id": SESSION,
        "ai_confidence": 0.21,
        "escalation_reason": "low_confidence",
    }
    first, note = stack.chatwoot.messages
    assert first["content"].startswith(f"AI conversation (session {SESSION})")
    assert "X1234" in first["content"]
    assert note["private"] is True and note["message_type"] == "outgoing"
    assert note["content"].startswith("Escalation summary")
    # a second escalation of the same user updates the contact instead of creating another
    stack.record_failure(query="A different question about invoices")
    stack.wait_for(lambda: len(stack.chatwoot.conversations) == 2, what="second conversation")
    assert len(stack.chatwoot.contacts) == 1
    assert any(r.method == "PUT" for r in stack.chatwoot.requests)


def test_agent_joins_then_resolves_and_the_ai_comes_back_with_a_fresh_context(stack: Stack) -> None:
    failure_id = synced(stack)
    chat(stack, "I want to talk to a human")
    # our own private note and the contact's message do not count as an agent joining
    assert post_event(stack, "chatwoot_message_created_private_note.json").json()["status"] == "ignored"
    assert post_event(stack, "chatwoot_message_created_incoming.json").json()["status"] == "ignored"
    assert not chat(stack, "How do I reset a user's password?")["response"].startswith("A member of our team")
    # WHEN the agent writes in the conversation
    delivery = str(uuid.uuid4())
    assert (
        post_event(stack, "chatwoot_message_created_agent.json", delivery=delivery).json()["status"] == "agent_joined"
    )
    # THEN the AI stays silent in that conversation
    silent = chat(stack, "How do I reset a user's password?")
    assert silent["response"].startswith("A member of our team is handling this conversation")
    assert silent["sources"] == [] and silent["requires_escalation"] is False
    # AND a redelivery of the same event is recognised
    assert post_event(stack, "chatwoot_message_created_agent.json", delivery=delivery).json()["status"] == "duplicate"
    # WHEN the agent resolves the conversation
    assert post_event(stack, "chatwoot_conversation_resolved.json").json()["status"] == "resolved"
    # THEN the AI answers again, and the old "get me a human" is not in its context any more
    back = chat(stack, "How do I reset a user's password?")
    assert back["response"].startswith("To reset") and back["requires_escalation"] is False
    assert back["debug"]["handoff_rule"] == ""
    status = stack.http.post(f"/api/agent-failure/{failure_id}/decline")
    assert status.status_code == 200  # resolved without a ticket: declining is still allowed
