"""Regressions found by an adversarial review of the fault-suite work: keys scoped to their user,
``pending`` changed atomically, a refused ticket leaves nothing queued, Kommo turns not doubled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from switchboard.errors import StoreError, UpstreamError
from tests.conftest import function_client
from tests.fast.helpers import (
    DESK_SETTINGS,
    ask,
    conversation,
    create_ticket,
    escalation_of,
    record_failure,
    roles_and_texts,
)
from tests.support.crm import failure_body
from tests.support.fast import TASK_HEADERS, FastStack, ScriptedLLM

KEY = {"Idempotency-Key": "msg-1"}


def test_one_failure_key_from_two_users_is_two_failures(stack: FastStack, http: Any) -> None:
    escalation = http("escalation")
    jane = escalation.post("/api/agent-failure/", json=failure_body(), headers=KEY)
    bob_body = failure_body(
        agent_id="bob", user_email="bob@example.com", user_name="Bob", session_id="s-bob", query="Other problem"
    )
    bob = escalation.post("/api/agent-failure/", json=bob_body, headers=KEY)
    assert jane.status_code == bob.status_code == 200
    assert jane.get_json()["failure_id"] != bob.get_json()["failure_id"]
    assert escalation_of(stack, bob.get_json()["failure_id"]).user["email"] == "bob@example.com"


def test_one_failure_key_reused_for_another_report_is_409(stack: FastStack, http: Any) -> None:
    escalation = http("escalation")
    assert escalation.post("/api/agent-failure/", json=failure_body(), headers=KEY).status_code == 200
    other = escalation.post("/api/agent-failure/", json=failure_body(query="Something else"), headers=KEY)
    assert other.status_code == 409 and "Idempotency-Key" in other.get_json()["detail"]
    assert len(stack.db.escalations) == 1


def test_a_chat_key_reused_for_another_message_is_409_and_nothing_is_stored(make_stack: Any) -> None:
    stack = make_stack(llm=ScriptedLLM())
    stack.seed()
    chat = function_client("chat")
    assert ask(chat, "How long do card refunds take?", headers=KEY).status_code == 200
    other = ask(chat, "How do I reset my password?", headers=KEY)
    assert other.status_code == 409
    assert len(roles_and_texts(stack, conversation())) == 2


def test_a_freshdesk_refusal_leaves_nothing_queued_and_the_user_may_still_decline(stack: FastStack, http: Any) -> None:
    escalation = http("escalation")
    failure_id = record_failure(escalation)
    stack.tickets.fail_next(UpstreamError("freshdesk answered 400", status=400))
    assert create_ticket(escalation, failure_id).status_code == 502
    stored = escalation_of(stack, failure_id)
    assert stored.status == "open" and "ticket" not in stored.pending
    assert escalation.post(f"/api/agent-failure/{failure_id}/decline").status_code == 200


def test_without_a_ticket_desk_create_ticket_is_503_and_queues_nothing(make_stack: Any) -> None:
    stack = make_stack(absent=("ticket_desk",))
    escalation = function_client("escalation")
    failure_id = record_failure(escalation)
    assert create_ticket(escalation, failure_id).status_code == 503
    assert "ticket" not in escalation_of(stack, failure_id).pending


def test_desk_sync_finishing_keeps_a_ticket_accepted_meanwhile(make_stack: Any, monkeypatch: Any) -> None:
    # GIVEN the desk sync of a failure is running (it loaded the escalation before the user's yes)
    stack = make_stack(**DESK_SETTINGS)
    stack.seed()
    escalation = function_client("escalation")
    failure_id = record_failure(escalation)
    (sync,) = stack.queue.take()
    real_claim, real_upsert = stack.claims.claim, stack.desk.upsert_contact

    def claim_while_firestore_blips(tenant: str, key: str, lease: Any) -> Any:
        if key.startswith("ticket:"):
            raise StoreError("claim: Firestore failed (ServiceUnavailable)")
        return real_claim(tenant, key, lease)

    def user_accepts_meanwhile(*args: Any, **kwargs: Any) -> Any:
        monkeypatch.setattr(stack.claims, "claim", claim_while_firestore_blips)
        assert create_ticket(escalation, failure_id).status_code == 503  # the yes is stored, then a blip
        monkeypatch.setattr(stack.claims, "claim", real_claim)
        return real_upsert(*args, **kwargs)

    monkeypatch.setattr(stack.desk, "upsert_contact", user_accepts_meanwhile)
    stack.deliver(sync)
    # THEN the sync's end did not write back its stale pending list: the sweep still makes the ticket
    assert "ticket" in escalation_of(stack, failure_id).pending
    later = datetime.now(UTC) + timedelta(minutes=10)
    monkeypatch.setattr(stack.db, "clock", lambda: later)
    swept = function_client("tasks").post("/tasks/sweep", json={"min_age_seconds": 0}, headers=TASK_HEADERS)
    assert swept.get_json()["enqueued"].get("create-ticket") == 1
    stack.run_tasks()
    assert escalation_of(stack, failure_id).ticket_id and len(stack.tickets.called("create_ticket")) == 1


def test_a_kommo_turn_saved_unheard_is_answered_again_not_stored_twice(make_stack: Any, monkeypatch: Any) -> None:
    from tests.fast.test_kommo import CONVERSATION, continues, form, kommo_stack, post_form

    stack = kommo_stack(make_stack, ScriptedLLM())
    real = stack.store.save_turn
    lost = iter([True])

    def landed_unheard(*args: Any, **kwargs: Any) -> None:
        real(*args, **kwargs)
        if next(lost, False):
            raise StoreError("save turn: Firestore failed (DeadlineExceeded)")

    monkeypatch.setattr(stack.store, "save_turn", landed_unheard)
    post_form(form("How do I export leads?"))
    (task,) = stack.queue.take()
    assert stack.deliver(task) == "rescheduled"
    (later,) = stack.queue.take()
    assert stack.deliver(later) == "sent"
    assert [role for role, _ in roles_and_texts(stack, CONVERSATION)] == ["user", "assistant"]
    assert len(continues(stack)) == 1
