"""Making a ticket and declining it cannot interleave: whichever comes first wins, the other is 409."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from switchboard.core.escalation import TICKET_LEASE
from switchboard.errors import StoreError
from switchboard.helpdesk.base import TicketDraft, TicketRef
from tests.fast.helpers import create_ticket, escalation_of, record_failure
from tests.support.fast import TASK_HEADERS, FastStack


def test_a_decline_arriving_while_the_ticket_is_being_made_is_refused(stack: FastStack, http: Any) -> None:
    escalation = http("escalation")
    failure_id = record_failure(escalation)
    declines: list[int] = []
    real = stack.tickets.create_ticket

    def create_while_the_user_declines(draft: TicketDraft) -> TicketRef:
        # The user's "no" reaches another instance while Freshdesk is still answering.
        declines.append(http("escalation").post(f"/api/agent-failure/{failure_id}/decline").status_code)
        return real(draft)

    stack.tickets.create_ticket = create_while_the_user_declines  # type: ignore[method-assign]
    created = create_ticket(escalation, failure_id)
    stack.run_tasks()
    assert created.status_code == 200 and declines == [409]
    stored = escalation_of(stack, failure_id)
    assert stored.status == "ticketed" and stored.ticket_id == created.get_json()["ticket_id"]
    assert len(stack.mailer.called("send")) == 1 and len(stack.alerts.called("post")) == 1


def test_a_ticket_asked_for_after_a_decline_is_refused_and_nothing_is_sent(stack: FastStack, http: Any) -> None:
    escalation = http("escalation")
    failure_id = record_failure(escalation)
    assert escalation.post(f"/api/agent-failure/{failure_id}/decline").status_code == 200
    assert create_ticket(escalation, failure_id).status_code == 409
    stack.run_tasks()
    assert escalation_of(stack, failure_id).status == "declined"
    assert stack.tickets.called("create_ticket") == [] and stack.mailer.called("send") == []
    assert stack.alerts.called("post") == []


def test_a_create_ticket_that_fails_halfway_leaves_work_the_sweep_finishes_once(
    stack: FastStack, http: Any, monkeypatch: Any
) -> None:
    escalation = http("escalation")
    failure_id = record_failure(escalation)
    # GIVEN Firestore fails after the ticket's claim was taken, and fails the claim's release too
    outage = StoreError("update escalation: Firestore failed (ServiceUnavailable)")
    for port, method in ((stack.escalations, "ticketed_for_user"), (stack.claims, "release")):
        real = getattr(port, method)
        calls = iter([outage])

        def fail_once(*args: Any, _real: Any = real, _calls: Any = calls, **kwargs: Any) -> Any:
            error = next(_calls, None)
            if error:
                raise error
            return _real(*args, **kwargs)

        monkeypatch.setattr(port, method, fail_once)
    # WHEN the user accepts the ticket: 503, and the retry finds the claim still held
    first = create_ticket(escalation, failure_id)
    assert first.status_code == 503 and first.headers["Retry-After"]
    assert create_ticket(escalation, failure_id).status_code == 202
    # THEN the user's yes is pending work
    assert "ticket" in escalation_of(stack, failure_id).pending
    # AND once the stuck claim's lease is over, the sweep makes the ticket, once
    later = datetime.now(UTC) + TICKET_LEASE + timedelta(seconds=1)
    monkeypatch.setattr(stack.db, "clock", lambda: later)
    swept = http("tasks").post("/tasks/sweep", json={"min_age_seconds": 0}, headers=TASK_HEADERS)
    assert swept.get_json()["enqueued"].get("create-ticket") == 1
    stack.run_tasks()
    stored = escalation_of(stack, failure_id)
    assert stored.status == "ticketed" and stored.ticket_id and "ticket" not in stored.pending
    assert len(stack.tickets.called("create_ticket")) == 1 and len(stack.mailer.called("send")) == 1
