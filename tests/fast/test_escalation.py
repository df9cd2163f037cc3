"""Agent failures, their one ticket, and the deferred email and Teams card (core/escalation.py,
core/deferred.py, channels/escalation.py; functions escalation and tasks), over in-memory ports."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from switchboard.core.deferred import sweep
from switchboard.core.escalation import MAX_ATTEMPTS
from switchboard.errors import UpstreamError, UpstreamUnavailableError
from tests.conftest import function_client
from tests.fast.helpers import HISTORY, create_ticket, escalation_of, failure_body, record_failure
from tests.support.fast import TASK_HEADERS, FastStack

CONFIRMATION = (
    "Hi Jane, I've created support ticket #1000 for you and emailed a copy to jane.smith@company.com "
    "for your reference. A support agent will reach out to you shortly with more details."
)
QUEUED = (
    "Hi Jane, I'm creating your support ticket now. I'll let our support team know and email its number "
    "to jane.smith@company.com as soon as it's ready."
)


def stored_escalation(stack: FastStack, failure_id: str) -> dict[str, Any]:
    """The escalation's stored fields (including the per-kind ``*_status`` the dataclass omits)."""
    return stack.db.escalations[("default", failure_id)][0]


def deliver(kind: str, failure_id: str) -> Any:
    """Deliver one task through the tasks function, as Cloud Tasks does."""
    return function_client("tasks").post(
        f"/tasks/{kind}", json={"tenant": "default", "failure_id": failure_id}, headers=TASK_HEADERS
    )


def test_a_recorded_failure_answers_its_id_and_bad_bodies_are_422(stack: FastStack, http: Any) -> None:
    escalation = http("escalation")
    response = escalation.post("/api/agent-failure/", json=failure_body())
    assert response.status_code == 200
    failure_id = response.get_json()["failure_id"]
    assert response.get_json() == {"failure_id": failure_id, "id": failure_id} and len(failure_id) == 36
    stored = escalation_of(stack, failure_id)
    assert (stored.status, stored.reason) == ("open", "low_confidence")
    # invalid bodies name their fields; the collection path without its slash is redirected
    missing = escalation.post("/api/agent-failure/", json={"query": "x"})
    assert missing.status_code == 422
    assert {"session_id", "escalation_reason", "user_email"} <= {e["loc"] for e in missing.get_json()["errors"]}
    bored = escalation.post("/api/agent-failure/", json=failure_body(escalation_reason="bored"))
    assert bored.status_code == 422 and {e["loc"] for e in bored.get_json()["errors"]} == {"escalation_reason"}
    assert escalation.post("/api/agent-failure", json=failure_body()).status_code == 308
    assert len(stack.db.escalations) == 1


def test_create_ticket_opens_exactly_one_ticket_and_a_repeat_call_returns_it(stack: FastStack, http: Any) -> None:
    escalation = http("escalation")
    failure_id = record_failure(escalation)
    # WHEN the user accepts a ticket
    response = create_ticket(escalation, failure_id)
    # THEN one ticket with the context, and the personal confirmation
    assert response.status_code == 200
    assert response.get_json() == {"ticket_id": "1000", "id": "1000", "message": CONFIRMATION}
    (ticket,) = stack.tickets.called("create_ticket")
    assert (ticket.requester_email, ticket.requester_name) == ("jane.smith@company.com", "Jane Smith")
    assert f"sb-{failure_id}" in ticket.tags and "low_confidence" in ticket.tags and ticket.priority == 2
    assert "X1234" in ticket.subject
    for text in ("Sales", "Cape Town", "0.21", "not confident I can help.", "2024-02-09T10:30:05.123Z"):
        assert text in ticket.description_html
    # WHEN the CRM calls create-ticket again
    again = create_ticket(escalation, failure_id)
    # THEN it gets the same ticket, and no second one is opened
    assert again.status_code == 200 and again.get_json()["ticket_id"] == "1000"
    assert len(stack.tickets.called("create_ticket")) == 1
    stored = escalation_of(stack, failure_id)
    assert (stored.status, stored.ticket_id, stored.history) == ("ticketed", "1000", HISTORY)


def test_the_email_and_the_card_are_sent_once_each_even_when_their_tasks_are_delivered_twice(
    stack: FastStack, http: Any
) -> None:
    escalation = http("escalation")
    failure_id = record_failure(escalation)
    create_ticket(escalation, failure_id)
    # WHEN the queued tasks are delivered, and then each delivered again
    first = stack.run_tasks()
    again = [deliver(kind, failure_id) for kind in ("send-email", "teams-alert")]
    # THEN one email and one card, each naming the ticket
    assert sorted(first) == [("chatwoot-sync", "done"), ("send-email", "done"), ("teams-alert", "done")]
    assert [r.get_json() for r in again] == [{"result": "done"}] * 2
    (email,) = stack.mailer.called("send")
    assert email.to == "jane.smith@company.com" and "#1000" in email.subject and "#1000" in email.text
    (card,) = stack.alerts.called("post")
    content = card["attachments"][0]["content"]
    assert "#1000" in content["body"][0]["text"]
    facts = {f["title"]: f["value"] for f in content["body"][-1]["facts"]}
    assert facts["Customer"] == "Jane Smith <jane.smith@company.com>" and facts["Confidence"] == "0.21"
    assert stack.queue.tasks == [] and escalation_of(stack, failure_id).pending == []


def test_a_declined_failure_cannot_get_a_ticket(stack: FastStack, http: Any) -> None:
    escalation = http("escalation")
    failure_id = record_failure(escalation)
    assert escalation.post(f"/api/agent-failure/{failure_id}/decline").get_json() == {"success": True}
    assert escalation.post(f"/api/agent-failure/{failure_id}/decline").get_json() == {"success": True}  # idempotent
    refused = create_ticket(escalation, failure_id)
    assert refused.status_code == 409 and refused.get_json()["error"] == "conflict"
    assert stack.tickets.called("create_ticket") == []
    assert escalation_of(stack, failure_id).status == "declined"


def test_a_ticketed_failure_cannot_be_declined(stack: FastStack, http: Any) -> None:
    escalation = http("escalation")
    failure_id = record_failure(escalation)
    assert create_ticket(escalation, failure_id).status_code == 200
    refused = escalation.post(f"/api/agent-failure/{failure_id}/decline")
    assert refused.status_code == 409 and refused.get_json()["error"] == "conflict"
    assert escalation_of(stack, failure_id).status == "ticketed"


def test_unknown_failures_wrong_methods_and_spellings(stack: FastStack, http: Any) -> None:
    escalation = http("escalation")
    failure_id = record_failure(escalation)
    assert escalation.post("/api/agent-failure/nope-123/decline").status_code == 404
    assert create_ticket(escalation, "0c5a1b2e-0000-4000-8000-000000000000").status_code == 404
    assert escalation.get(f"/api/agent-failure/{failure_id}/decline").status_code == 405
    slash = escalation.post(f"/api/agent-failure/{failure_id}/decline/")
    assert slash.status_code == 308 and slash.headers["Location"] == f"/api/agent-failure/{failure_id}/decline"
    assert escalation_of(stack, failure_id).status == "open"


def test_without_a_ticket_desk_create_ticket_is_503_not_configured(make_stack: Callable[..., FastStack]) -> None:
    make_stack(absent=("ticket_desk",))
    escalation = function_client("escalation")
    response = create_ticket(escalation, record_failure(escalation))
    assert response.status_code == 503 and response.get_json()["error"] == "not_configured"


def test_an_unavailable_desk_queues_the_ticket_and_the_task_then_creates_it_once(stack: FastStack, http: Any) -> None:
    escalation = http("escalation")
    failure_id = record_failure(escalation)
    # GIVEN Freshdesk is unavailable for one call
    stack.tickets.fail_next(UpstreamUnavailableError("freshdesk 503", status=503))
    # WHEN the user accepts a ticket
    response = create_ticket(escalation, failure_id)
    # THEN the CRM hears it is being made, and a retry is scheduled after the base backoff
    assert response.status_code == 202
    assert response.get_json() == {"status": "queued", "failure_id": failure_id, "message": QUEUED}
    assert stack.tickets.tickets == {}
    assert escalation_of(stack, failure_id).status == "ticket_queued"
    (retry,) = [t for t in stack.queue.tasks if t.kind == "create-ticket"]
    assert (retry.attempt, retry.delay_seconds) == (1, 15.0)
    # AND a ticket being made cannot be declined
    assert escalation.post(f"/api/agent-failure/{failure_id}/decline").status_code == 409
    # WHEN the tasks run
    stack.run_tasks()
    # THEN the retry first looks for a ticket the failed attempt may have made, then opens one
    assert [name for name, _ in stack.tickets.calls] == ["find_ticket", "create_ticket"]
    assert list(stack.tickets.tickets) == ["1000"]
    (email,) = stack.mailer.called("send")
    assert "#1000" in email.subject
    assert create_ticket(escalation, failure_id).get_json()["ticket_id"] == "1000"


def test_a_client_polling_a_queued_ticket_spends_no_attempts_and_gets_it_once_made(stack: FastStack, http: Any) -> None:
    escalation = http("escalation")
    failure_id = record_failure(escalation)
    stack.tickets.fail_next(UpstreamUnavailableError("slow down", retry_after=60.0, status=429))
    assert create_ticket(escalation, failure_id).status_code == 202
    calls = len(stack.tickets.calls)
    for _ in range(12):  # a widget polling every few seconds
        polled = create_ticket(escalation, failure_id)
        assert polled.status_code == 202 and polled.get_json()["message"] == QUEUED
    assert len(stack.tickets.calls) == calls  # Freshdesk, which asked us to wait, was left alone
    assert [t.kind for t in stack.queue.tasks if t.kind == "create-ticket"] == ["create-ticket"]  # one retry
    assert escalation_of(stack, failure_id).status == "ticket_queued"
    stack.run_tasks()
    made = create_ticket(escalation, failure_id)
    assert made.status_code == 200 and made.get_json()["ticket_id"] == "1000"


def test_the_desks_retry_after_sets_the_retry_delay(stack: FastStack, http: Any) -> None:
    escalation = http("escalation")
    failure_id = record_failure(escalation)
    stack.tickets.fail_next(UpstreamUnavailableError("slow down", retry_after=7.0, status=429))
    assert create_ticket(escalation, failure_id).status_code == 202
    (retry,) = [t for t in stack.queue.tasks if t.kind == "create-ticket"]
    assert retry.delay_seconds == 7.0


def fail_every_attempt(stack: FastStack, http: Any) -> tuple[str, list[float], list[Any]]:
    """Freshdesk unavailable for every attempt; returns the failure id and each retry's delay and result."""
    escalation = http("escalation")
    failure_id = record_failure(escalation)
    stack.tickets.fail_next(*(UpstreamUnavailableError(f"down {n}") for n in range(MAX_ATTEMPTS)))
    assert create_ticket(escalation, failure_id).status_code == 202
    delays: list[float] = []
    results: list[Any] = []
    for _ in range(2 * MAX_ATTEMPTS):
        batch = stack.queue.take()
        if not batch:
            break
        for task in batch:
            result = stack.deliver(task)
            if task.kind == "create-ticket":
                delays.append(task.delay_seconds)
                results.append(result)
    return failure_id, delays, results


def test_ticket_retries_back_off_doubling_and_give_up_after_max_attempts(stack: FastStack, http: Any) -> None:
    failure_id, delays, _ = fail_every_attempt(stack, http)
    # THEN each retry waits twice as long (capped at an hour), and after MAX_ATTEMPTS none is scheduled
    assert delays == [15.0, 30.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 3600.0]
    assert len(delays) == MAX_ATTEMPTS - 1 and stack.tickets.failures == []
    assert stack.tickets.tickets == {}
    assert escalation_of(stack, failure_id).status == "ticket_failed"
    assert http("escalation").post(f"/api/agent-failure/{failure_id}/decline").status_code == 409


def test_a_ticket_given_up_on_leaves_no_pending_work_for_the_sweep(stack: FastStack, http: Any) -> None:
    failure_id, _, _ = fail_every_attempt(stack, http)
    assert "ticket" not in escalation_of(stack, failure_id).pending
    assert sweep(stack.services.escalation_deps, 7, timedelta(0)) == {}


def test_the_delivery_that_gives_up_on_a_ticket_reports_dropped(stack: FastStack, http: Any) -> None:
    _, _, results = fail_every_attempt(stack, http)
    assert results[-1] == "dropped"


def test_a_refused_email_is_dropped_and_not_retried(stack: FastStack, http: Any) -> None:
    escalation = http("escalation")
    failure_id = record_failure(escalation)
    create_ticket(escalation, failure_id)
    # GIVEN the mail server refuses the message for good
    stack.mailer.fail_next(UpstreamError("550 mailbox unavailable", status=400))
    # WHEN the tasks run (and the email task is delivered again later)
    results = dict(stack.run_tasks())
    redelivered = deliver("send-email", failure_id).get_json()
    # THEN the email is dropped, not rescheduled, and recorded as failed; the card still goes out
    assert results["send-email"] == "dropped" and redelivered == {"result": "done"}
    assert stack.mailer.called("send") == [] and stack.mailer.failures == []
    assert stored_escalation(stack, failure_id)["email_status"] == "failed"
    assert escalation_of(stack, failure_id).pending == []
    assert len(stack.alerts.called("post")) == 1


def test_an_unavailable_mail_server_is_retried_and_the_email_sent_once(stack: FastStack, http: Any) -> None:
    escalation = http("escalation")
    failure_id = record_failure(escalation)
    create_ticket(escalation, failure_id)
    stack.mailer.fail_next(UpstreamUnavailableError("smtp timeout"))
    results = [result for kind, result in stack.run_tasks() if kind == "send-email"]
    assert results == ["rescheduled", "done"]
    assert len(stack.mailer.called("send")) == 1
    assert stored_escalation(stack, failure_id)["email_status"] == "sent"


def test_the_same_problem_twice_gets_the_existing_ticket(stack: FastStack, http: Any) -> None:
    escalation = http("escalation")
    first = record_failure(escalation, query="My card refund has not arrived after two weeks")
    assert create_ticket(escalation, first).get_json()["ticket_id"] == "1000"
    # WHEN the same user reports the same problem again and accepts a ticket
    second = record_failure(
        escalation, query="Card refund still has not arrived", escalation_reason="duplicate_problem"
    )
    body = create_ticket(escalation, second).get_json()
    # THEN the existing ticket is named, and neither a ticket nor an email is added
    assert body["ticket_id"] == "1000" and body["message"] == (
        "Hi Jane, you already have support ticket #1000 open about this, so I've added this conversation "
        "to it instead of opening another. A support agent will reach out to you shortly."
    )
    stack.run_tasks()
    assert len(stack.tickets.called("create_ticket")) == 1 and len(stack.mailer.called("send")) == 1
    duplicate = escalation_of(stack, second)
    assert (duplicate.status, duplicate.duplicate_of) == ("ticketed", first)
    # AND a different problem of the same user gets its own ticket
    other = record_failure(escalation, query="How do I export my invoices to Excel?")
    assert create_ticket(escalation, other).get_json()["ticket_id"] == "1001"
