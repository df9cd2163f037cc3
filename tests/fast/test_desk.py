"""Chatwoot as the human desk (core/deferred.py sync and close, core/desk_events.py, channels/chatwoot.py;
functions escalation, tasks, chatwoot_webhook, chat) and feedback (functions feedback), over in-memory ports."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from switchboard.core import phrases
from switchboard.errors import UpstreamUnavailableError
from switchboard.helpdesk.base import ContactDraft
from tests.conftest import function_client
from tests.fast.helpers import (
    DESK_SETTINGS,
    SESSION,
    USER,
    ask,
    conversation,
    desk_event,
    escalation_of,
    record_failure,
    signed,
    today,
)
from tests.support.fast import TASK_HEADERS, FastStack

PASSWORD_Q = "How do I reset a user's password?"
AGENT = "chatwoot_message_created_agent.json"
RESOLVED = "chatwoot_conversation_resolved.json"


@pytest.fixture
def desk(make_stack: Callable[..., FastStack]) -> FastStack:
    """A stack with a Chatwoot desk configured (account 1, the recorded events' account)."""
    built = make_stack(**DESK_SETTINGS)
    built.seed()
    return built


def synced(stack: FastStack, **failure: Any) -> tuple[str, int]:
    """Record a failure and run its desk sync; returns the failure id and the desk conversation id."""
    failure_id = record_failure(function_client("escalation"), **failure)
    assert ("chatwoot-sync", "done") in stack.run_tasks()
    return failure_id, int(escalation_of(stack, failure_id).desk["conversation_id"])


def post_event(name: str, conversation_id: int, **signing: Any) -> Any:
    raw = desk_event(name, conversation_id)
    return function_client("chatwoot_webhook").post("/api/webhooks/chatwoot", data=raw, headers=signed(raw, **signing))


def test_a_recorded_failure_opens_one_desk_conversation_with_transcript_note_and_link(desk: FastStack) -> None:
    # WHEN a failure is recorded and its sync task runs (and is delivered again)
    failure_id, conversation_id = synced(desk)
    again = function_client("tasks").post(
        "/tasks/chatwoot-sync", json={"tenant": "default", "failure_id": failure_id}, headers=TASK_HEADERS
    )
    # THEN the user is the desk contact, with one conversation carrying the transcript and attributes
    assert again.get_json() == {"result": "done"}
    (contact,) = desk.desk.called("upsert_contact")
    assert contact == ContactDraft(
        USER, "Jane Smith", "jane.smith@company.com", None, {"agency": "Sales", "office": "Cape Town"}
    )
    ((_, first_message, attributes),) = desk.desk.called("open_conversation")
    assert first_message.startswith(f"AI conversation (session {SESSION})") and "X1234" in first_message
    assert attributes == {"session_id": SESSION, "ai_confidence": 0.21, "escalation_reason": "low_confidence"}
    # AND a private summary note, and the link from the desk conversation back to the escalation
    ((noted_on, note),) = desk.desk.called("add_private_note")
    assert noted_on == conversation_id and note.startswith("Escalation summary")
    assert desk.escalations.desk_link(1, conversation_id) == ("default", failure_id)
    assert escalation_of(desk, failure_id).pending == []


def test_a_sync_retried_after_its_note_failed_opens_no_second_desk_conversation(
    desk: FastStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN the desk fails once while the summary note is added (after the conversation was opened)
    add_note = desk.desk.add_private_note
    failed: list[int] = []

    def note_failing_once(conversation_id: int, text: str) -> None:
        if not failed:
            failed.append(conversation_id)
            raise UpstreamUnavailableError("chatwoot answered 502", status=502)
        add_note(conversation_id, text)

    monkeypatch.setattr(desk.desk, "add_private_note", note_failing_once)
    # WHEN the sync runs and is rescheduled
    failure_id = record_failure(function_client("escalation"))
    results = [result for kind, result in desk.run_tasks() if kind == "chatwoot-sync"]
    # THEN the retry adds the note to the conversation already opened, instead of opening another
    assert results == ["rescheduled", "done"]
    ((conversation_id, _),) = desk.desk.called("add_private_note")
    assert len(desk.desk.called("open_conversation")) == 1 and failed == [conversation_id]
    assert escalation_of(desk, failure_id).desk["conversation_id"] == conversation_id


def test_an_agent_joining_hands_the_chat_to_the_person_and_resolving_hands_it_back_fresh(desk: FastStack) -> None:
    chat = function_client("chat")
    failure_id, conversation_id = synced(desk)
    ask(chat, "I want to talk to a human")
    # our own private note and the contact's own message do not count as an agent joining
    assert post_event("chatwoot_message_created_private_note.json", conversation_id).get_json() == {"status": "ignored"}
    assert post_event("chatwoot_message_created_incoming.json", conversation_id).get_json() == {"status": "ignored"}
    bot_post = desk_event(AGENT, conversation_id, sender={"id": 9, "name": "Switchboard", "type": "agent_bot"})
    hook = function_client("chatwoot_webhook")
    assert hook.post("/api/webhooks/chatwoot", data=bot_post, headers=signed(bot_post)).get_json() == {
        "status": "ignored"
    }
    assert desk.store.conversation_owner("default", conversation()) == "ai"
    # WHEN the agent writes in the desk conversation
    delivery = str(uuid.uuid4())
    assert post_event(AGENT, conversation_id, delivery=delivery).get_json() == {"status": "agent_joined"}
    # THEN the chat conversation belongs to the person, and the CRM gets the human-owns notice
    assert desk.store.conversation_owner("default", conversation()) == "human"
    silent = ask(chat, PASSWORD_Q).get_json()
    assert silent["response"] == phrases.human_owns_notice("en") and silent["sources"] == []
    assert escalation_of(desk, failure_id).desk["agent_name"] == "Sam Agent"
    # AND a redelivery of the same event is recognised as such
    assert post_event(AGENT, conversation_id, delivery=delivery).get_json() == {"status": "duplicate"}
    # WHEN the agent resolves the conversation
    assert post_event(RESOLVED, conversation_id).get_json() == {"status": "resolved"}
    # THEN the escalation is resolved and the AI owns the conversation again, with its context cleared
    assert escalation_of(desk, failure_id).status == "resolved"
    assert desk.store.conversation_owner("default", conversation()) == "ai"
    assert desk.db.conversations[("default", conversation())]["recent"] == []
    back = ask(chat, PASSWORD_Q).get_json()
    assert back["requires_escalation"] is False and back["debug"]["handoff_rule"] == ""
    assert back["response"].startswith("To reset a user's password")


def test_bad_stale_unsigned_or_tampered_deliveries_are_401_and_change_nothing(desk: FastStack) -> None:
    _, conversation_id = synced(desk)
    raw = desk_event(AGENT, conversation_id)
    hook = function_client("chatwoot_webhook")
    attempts = [
        signed(raw, secret="another-secret"),
        signed(raw, at=int(time.time()) - 301),
        {"Content-Type": "application/json"},
    ]
    statuses = [hook.post("/api/webhooks/chatwoot", data=raw, headers=h).status_code for h in attempts]
    tampered = hook.post("/api/webhooks/chatwoot", data=raw.replace(b"Sam", b"Eve"), headers=signed(raw))
    assert statuses + [tampered.status_code] == [401] * 4
    assert desk.store.conversation_owner("default", conversation()) == "ai"
    assert desk.db.deliveries == set()


def test_without_a_webhook_secret_deliveries_are_refused(make_stack: Callable[..., FastStack]) -> None:
    make_stack(**{k: v for k, v in DESK_SETTINGS.items() if k != "CHATWOOT_WEBHOOK_SECRET"})
    response = post_event(AGENT, 2)
    assert response.status_code == 503 and response.get_json()["error"] == "not_configured"


def test_events_for_desk_conversations_that_are_not_ours_are_ignored(desk: FastStack) -> None:
    failure_id, conversation_id = synced(desk)
    assert post_event(RESOLVED, conversation_id + 999).get_json() == {"status": "ignored"}
    assert post_event(AGENT, conversation_id + 999).get_json() == {"status": "ignored"}
    assert escalation_of(desk, failure_id).status == "open"


def test_declining_closes_the_desk_conversation(desk: FastStack) -> None:
    failure_id, conversation_id = synced(desk)
    escalation = function_client("escalation")
    assert escalation.post(f"/api/agent-failure/{failure_id}/decline").get_json() == {"success": True}
    assert desk.run_tasks() == [("chatwoot-close", "done")]
    assert desk.desk.called("set_status") == [(conversation_id, "resolved")]
    assert desk.desk.called("add_private_note")[-1] == (conversation_id, "The customer declined a ticket; closing.")


def test_a_failure_declined_before_its_sync_opens_no_desk_conversation(desk: FastStack) -> None:
    escalation = function_client("escalation")
    failure_id = record_failure(escalation)
    escalation.post(f"/api/agent-failure/{failure_id}/decline")
    results = dict(desk.run_tasks())
    assert results["chatwoot-sync"] == "dropped"
    assert desk.desk.called("open_conversation") == [] and desk.desk.called("set_status") == []


def test_a_conversation_handed_back_after_the_time_limit_is_not_offered_a_person_again(desk: FastStack) -> None:
    chat = function_client("chat")
    ask(chat, PASSWORD_Q)
    # GIVEN a conversation that ran past the limit and was offered a person for it
    desk.db.conversations[("default", conversation())]["created_at"] = datetime.now(UTC) - timedelta(minutes=45)
    assert ask(chat, PASSWORD_Q).get_json()["debug"]["escalation_reason"] == "time_exceeded"
    # AND the person took over and resolved it
    _, conversation_id = synced(desk, escalation_reason="time_exceeded", query=PASSWORD_Q)
    assert post_event(AGENT, conversation_id).get_json() == {"status": "agent_joined"}
    assert post_event(RESOLVED, conversation_id).get_json() == {"status": "resolved"}
    # WHEN the customer asks the AI again
    back = ask(chat, PASSWORD_Q).get_json()
    # THEN it answers without offering a person again ("once per conversation")
    assert back["requires_escalation"] is False, back["debug"]["escalation_reason"]


FEEDBACK: dict[str, Any] = {
    "message_id": "1707500000001",
    "session_id": SESSION,
    "feedback_type": "helpful",
    "query": "How do I reset a password?",
    "response": "To reset a password, navigate to Settings...",
    "agent_type": "support",
    "user_info": {"agent_id": USER, "email": "jane.smith@company.com", "full_name": "Jane Smith"},
    "confidence_score": 0.95,
    "sources_used": ["Password Reset Guide", "Account Security"],
}


def test_feedback_is_recorded_once_per_message_and_the_first_is_kept(stack: FastStack, http: Any) -> None:
    feedback = http("feedback")
    assert feedback.post("/api/feedback", json=FEEDBACK).get_json() == {"success": True}
    second = feedback.post("/api/feedback", json={**FEEDBACK, "feedback_type": "unhelpful"})
    assert second.status_code == 409 and second.get_json()["error"] == "conflict"
    assert "already rated" in second.get_json()["detail"]
    kept = stack.db.feedback[("default", FEEDBACK["message_id"])]
    assert kept["feedback_type"] == "helpful" and kept["user"]["full_name"] == "Jane Smith"
    assert kept["sources_used"] == FEEDBACK["sources_used"] and kept["confidence_score"] == 0.95
    usage = stack.store.daily_usage("default", today())
    assert usage["feedback_helpful"] == 1 and "feedback_unhelpful" not in usage
    # another message can still be rated
    other = feedback.post("/api/feedback", json={**FEEDBACK, "message_id": "1707500000002"})
    assert other.status_code == 200 and len(stack.db.feedback) == 2


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"feedback_type": "meh"}, "feedback_type"),
        ({"message_id": "a/b"}, "message_id"),
        ({"user_info": {"agent_id": "x"}}, "user_info.email"),
        ({"confidence_score": 2}, "confidence_score"),
    ],
)
def test_bad_feedback_is_422_naming_the_field_and_stores_nothing(
    stack: FastStack, http: Any, patch: dict[str, Any], field: str
) -> None:
    response = http("feedback").post("/api/feedback", json={**FEEDBACK, **patch})
    assert response.status_code == 422
    assert field in {e["loc"] for e in response.get_json()["errors"]}
    assert stack.db.feedback == {}


def test_feedback_paths(stack: FastStack, http: Any) -> None:
    feedback = http("feedback")
    slash = feedback.post("/api/feedback/", json=FEEDBACK)
    assert slash.status_code == 308 and slash.headers["Location"] == "/api/feedback"
    assert feedback.get("/api/feedback").status_code == 405
    assert stack.db.feedback == {}


def test_a_replayed_signed_event_is_a_duplicate_whatever_delivery_id_it_claims(desk: FastStack) -> None:
    failure_id, conversation_id = synced(desk)
    raw = desk_event(AGENT, conversation_id)
    headers = signed(raw)
    client = function_client("chatwoot_webhook")
    assert client.post("/api/webhooks/chatwoot", data=raw, headers=headers).get_json()["status"] == "agent_joined"
    replay = {**headers, "X-Chatwoot-Delivery": "a-new-id"}
    assert client.post("/api/webhooks/chatwoot", data=raw, headers=replay).get_json() == {"status": "duplicate"}
