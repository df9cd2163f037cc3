"""Making a ticket and declining it cannot interleave: whichever comes first wins, the other is 409."""

from __future__ import annotations

from typing import Any

from switchboard.helpdesk.base import TicketDraft, TicketRef
from tests.fast.helpers import create_ticket, escalation_of, record_failure
from tests.support.fast import FastStack


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
