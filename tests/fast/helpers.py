"""Small builders shared by the fast tier's tests: CRM requests, failures, signed desk events."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from switchboard.core.models import Escalation
from tests.conftest import load_event, user_info
from tests.support import chatwoot
from tests.support.crm import failure_body
from tests.support.fast import FastStack

USER = "crm_user_456"
SESSION = "support-session-1707500000123"
DESK_SECRET = "desk-webhook-secret"
#: A Chatwoot desk the escalation deps sync to (the connector itself is RecordingChatDesk);
#: account 1 is the account of the recorded events in tests/events.
DESK_SETTINGS = {
    "CHATWOOT_BASE_URL": "http://chatwoot.invalid",
    "CHATWOOT_API_TOKEN": "desk-token",
    "CHATWOOT_ACCOUNT_ID": "1",
    "CHATWOOT_INBOX_ID": "1",
    "CHATWOOT_WEBHOOK_SECRET": DESK_SECRET,
}


def today() -> str:
    return datetime.now(UTC).date().isoformat()


def ask(client: Any, message: str, agent: str = "test", session_id: str = SESSION, **extra: Any) -> Any:
    """POST one chat message as the CRM does; returns the test client's response."""
    headers = extra.pop("headers", None)
    body = {"message": message, "session_id": session_id, "user_info": extra.pop("user_info", user_info()), **extra}
    return client.post(f"/api/agent/{agent}/", json=body, headers=headers)


def conversation(session_id: str = SESSION, agent_id: str = USER) -> str:
    """The stored id of a CRM conversation."""
    return f"crm:{agent_id}:{session_id}"


def roles_and_texts(stack: FastStack, conversation_id: str, tenant: str = "default") -> list[tuple[str, str]]:
    """What is stored in a conversation, oldest first."""
    return [(m.role, m.content) for m, _ in stack.store.messages(tenant, conversation_id)]


def escalation_of(stack: FastStack, failure_id: str, tenant: str = "default") -> Escalation:
    """A stored escalation (it must exist)."""
    found = stack.escalations.get(tenant, failure_id)
    assert found is not None, f"no escalation {failure_id}"
    return found


def record_failure(client: Any, **overrides: Any) -> str:
    response = client.post("/api/agent-failure/", json=failure_body(**overrides))
    assert response.status_code == 200, response.get_data(as_text=True)
    return str(response.get_json()["failure_id"])


HISTORY = [
    {"role": "user", "content": "How do I fix error code X1234?", "timestamp": "2024-02-09T10:30:00.000Z"},
    {"role": "assistant", "content": "I'm not confident I can help.", "timestamp": "2024-02-09T10:30:05.123Z"},
]


def create_ticket(client: Any, failure_id: str, history: list[dict[str, str]] | None = None) -> Any:
    body = {"conversation_history": HISTORY if history is None else history}
    return client.post(f"/api/agent-failure/{failure_id}/create-ticket", json=body)


def signed(raw: bytes, secret: str = DESK_SECRET, at: int | None = None, delivery: str | None = None) -> dict[str, str]:
    """Headers of a Chatwoot delivery signed with the fast stack's desk secret."""
    return chatwoot.signed(raw, secret, at, delivery)


def desk_event(name: str, conversation_id: int, **changes: Any) -> bytes:
    """A recorded Chatwoot event (tests/events) re-aimed at ``conversation_id``, with top-level ``changes``."""
    event = {**load_event(name), **changes}
    if isinstance(event.get("conversation"), dict):
        event["conversation"]["id"] = conversation_id
    else:
        event["id"] = conversation_id
    return json.dumps(event).encode()
