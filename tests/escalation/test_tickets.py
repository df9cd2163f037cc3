"""The escalation flow: failure → ticket (exactly once) → confirmation email + Teams card; decline."""

from __future__ import annotations

import base64
import threading
from typing import Any

import pytest

from switchboard.devtools.standins import Fault
from tests.escalation.conftest import Stack

pytestmark = pytest.mark.emulator


def test_ticket_email_and_card_each_exactly_once(stack: Stack) -> None:
    # GIVEN a recorded failure
    failure_id = stack.record_failure()
    # WHEN the user accepts a ticket
    response = stack.create_ticket(failure_id)
    # THEN one Freshdesk ticket with the whole context, and the personal confirmation
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["ticket_id"] == body["id"] == "9630"
    assert body["message"] == (
        "Hi Jane, I've created support ticket #9630 for you and emailed a copy to jane.smith@company.com "
        "for your reference. A support agent will reach out to you shortly with more details."
    )
    (ticket,) = stack.freshdesk.tickets
    assert ticket["email"] == "jane.smith@company.com" and ticket["name"] == "Jane Smith"
    assert (ticket["source"], ticket["status"], ticket["priority"]) == (7, 2, 2)
    assert "X1234" in ticket["subject"]
    for text in ("Jane Smith", "Sales", "Cape Town", "How do I fix error code X1234?", "0.21", "not confident"):
        assert text in ticket["description"]
    assert f"sb-{failure_id}" in ticket["tags"] and "low_confidence" in ticket["tags"]
    auth = stack.freshdesk.requests[0].headers["Authorization"]
    assert base64.b64decode(auth.split()[1]).decode() == f"{stack.freshdesk.api_key}:X"
    # AND the confirmation email and the Teams card arrive through Cloud Tasks
    stack.wait_for(lambda: stack.smtp.messages, what="confirmation email")
    stack.wait_for(lambda: stack.teams.cards, what="Teams card")
    # WHEN create-ticket is called again and the tasks are delivered again
    again = stack.create_ticket(failure_id)
    for kind in ("create-ticket", "send-email", "teams-alert"):
        redelivery = stack.http.post(f"/tasks/{kind}", json={"tenant": "default", "failure_id": failure_id})
        assert redelivery.status_code == 200
    stack.settle()
    # THEN still one ticket, one email, one card
    assert again.status_code == 200 and again.json()["ticket_id"] == "9630"
    assert len(stack.freshdesk.tickets) == 1
    assert len(stack.smtp.messages) == 1 and len(stack.teams.cards) == 1
    mail = stack.smtp.messages[0]
    assert mail["To"] == "Jane Smith <jane.smith@company.com>"
    assert "#9630" in mail["Subject"]
    assert "9630" in mail.get_body(("plain",)).get_content()
    card = stack.teams.cards[0]["attachments"][0]["content"]
    assert card["type"] == "AdaptiveCard" and "9630" in card["body"][0]["text"]
    facts = {f["title"]: f["value"] for f in card["body"][-1]["facts"]}
    assert facts["Customer"] == "Jane Smith <jane.smith@company.com>" and facts["Confidence"] == "0.21"


def test_concurrent_duplicate_email_deliveries_send_one_email(stack: Stack) -> None:
    failure_id = stack.record_failure()
    assert stack.create_ticket(failure_id).status_code == 200
    results: list[int] = []

    def deliver() -> None:
        results.append(
            stack.http.post("/tasks/send-email", json={"tenant": "default", "failure_id": failure_id}).status_code
        )

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stack.wait_for(lambda: stack.smtp.messages, what="email")
    stack.settle(1.5)
    assert results == [200] * 4
    assert len(stack.smtp.messages) == 1


def test_freshdesk_500_then_201_makes_one_ticket(stack: Stack) -> None:
    failure_id = stack.record_failure()
    stack.freshdesk.fail_next(Fault(500, {"code": "internal_error"}))
    response = stack.create_ticket(failure_id)
    assert response.status_code == 202
    assert response.json()["status"] == "queued" and response.json()["failure_id"] == failure_id
    assert "creating your support ticket" in response.json()["message"]
    stack.wait_for(lambda: stack.freshdesk.tickets, what="ticket from the retry task")
    stack.wait_for(lambda: stack.smtp.messages, what="email naming the ticket")
    stack.settle()
    assert len(stack.freshdesk.tickets) == 1
    assert "#9630" in stack.smtp.messages[0]["Subject"]
    # the retry first looked for a ticket the failed attempt might have made
    methods = [(r.method, r.path) for r in stack.freshdesk.requests if r.path.startswith("/api/v2/tickets")]
    assert methods == [("POST", "/api/v2/tickets"), ("GET", "/api/v2/tickets"), ("POST", "/api/v2/tickets")]
    assert stack.create_ticket(failure_id).json()["ticket_id"] == "9630"


def test_freshdesk_429_retry_after_is_honoured(stack: Stack) -> None:
    failure_id = stack.record_failure()
    stack.freshdesk.fail_next(Fault(429, {"message": "slow down"}, {"Retry-After": "2"}))
    assert stack.create_ticket(failure_id).status_code == 202
    stack.wait_for(lambda: stack.freshdesk.tickets, timeout=30, what="ticket after Retry-After")
    posts = [r for r in stack.freshdesk.requests if r.method == "POST"]
    assert len(posts) == 2 and len(stack.freshdesk.tickets) == 1
    assert posts[1].at - posts[0].at >= 2.0


def test_timeout_then_the_ticket_existed_is_adopted_not_duplicated(stack: Stack) -> None:
    # Freshdesk created the ticket but answered too slowly; the retry must find it, not post again.
    failure_id = stack.record_failure()
    stack.freshdesk.fail_next(Fault(201, None, delay=6.0))  # slower than the 5 s client timeout
    assert stack.create_ticket(failure_id).status_code == 202
    # the stand-in recorded the slow POST but answered with a fault; simulate that it was applied:
    stack.freshdesk.tickets.append({"id": 9630, "email": "jane.smith@company.com", "tags": [f"sb-{failure_id}"]})
    stack.freshdesk.next_id = 9631
    stack.wait_for(lambda: any(r.method == "GET" for r in stack.freshdesk.requests), timeout=30, what="lookup")
    body = stack.wait_for(
        lambda: (r := stack.create_ticket(failure_id)).status_code == 200 and r.json(), timeout=30, what="ticket"
    )
    assert body["ticket_id"] == "9630"
    assert len([r for r in stack.freshdesk.requests if r.method == "POST"]) == 1


def test_same_problem_twice_points_to_the_existing_ticket(stack: Stack) -> None:
    first = stack.record_failure(query="My card refund has not arrived after two weeks")
    assert stack.create_ticket(first).json()["ticket_id"] == "9630"
    # the chat now points the user to the open ticket instead of answering again
    chat = stack.http.post(
        "/api/agent/test/",
        json={
            "message": "Where is my card refund? It has not arrived",
            "user_info": {
                "agent_id": "crm_user_456",
                "email": "jane.smith@company.com",
                "name": "Jane Smith",
                "agency": "Sales",
                "office": "Cape Town",
            },
        },
    ).json()
    assert chat["requires_escalation"] is True
    assert chat["debug"]["escalation_reason"] == "duplicate_problem"
    assert "#9630" in chat["response"]
    # and if the CRM still asks for a ticket, it gets the existing one
    second = stack.record_failure(query="Card refund still has not arrived", escalation_reason="duplicate_problem")
    body = stack.create_ticket(second).json()
    assert body["ticket_id"] == "9630" and "already have support ticket #9630" in body["message"]
    assert len(stack.freshdesk.tickets) == 1


def test_health_probes_every_configured_dependency(stack: Stack, env: Any) -> None:
    env(HEALTH_CACHE_SECONDS="0")  # probe on every call here (tests/fast/test_health_cache.py covers the cache)
    body = stack.http.get("/api/health").json()
    assert body["overall_status"] == "healthy", body
    assert {"firestore", "llm", "task_queue", "freshdesk", "chatwoot", "email"} <= set(body["services"])
    assert all(service["status"] == "healthy" for service in body["services"].values())
    stack.freshdesk.api_key = "rotated"  # our key no longer works
    degraded = stack.http.get("/api/health").json()
    assert degraded["services"]["freshdesk"] == {
        **degraded["services"]["freshdesk"],
        "status": "down",
        "http_status": 401,
    }
    assert degraded["overall_status"] == "degraded"
