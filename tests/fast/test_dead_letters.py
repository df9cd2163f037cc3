"""A task that keeps failing is not retried forever: the queue's last delivery records a dead letter,
answers 200 and takes the work out of what the sweep schedules again."""

from __future__ import annotations

from typing import Any

from switchboard.core.kommo_reply import MAX_REPLY_ATTEMPTS, reply_key
from switchboard.errors import UpstreamUnavailableError
from tests.conftest import function_client
from tests.fast.helpers import create_ticket, escalation_of, record_failure
from tests.fast.test_escalation import stored_escalation
from tests.fast.test_kommo import MakeStack, kommo_stack, return_url
from tests.support.fast import TASK_HEADERS, FastStack


def deliver(kind: str, body: dict[str, Any], retry_count: int) -> Any:
    headers = {**TASK_HEADERS, "X-CloudTasks-TaskRetryCount": str(retry_count), "X-CloudTasks-TaskName": f"{kind}-t-0"}
    return function_client("tasks").post(f"/tasks/{kind}", json=body, headers=headers)


def test_an_email_that_fails_on_every_delivery_becomes_a_dead_letter_on_the_last(stack: FastStack, http: Any) -> None:
    failure_id = record_failure(http("escalation"))
    create_ticket(http("escalation"), failure_id)
    stack.queue.take()
    stack.mailer.fail_next(*[RuntimeError("mail library bug")] * 8)
    body = {"tenant": "default", "failure_id": failure_id}
    statuses = [deliver("send-email", body, n).status_code for n in range(7)]
    assert statuses == [500] * 7  # the queue retries
    last = deliver("send-email", body, 7)
    assert last.status_code == 200 and last.get_json() == {"result": "dead_letter"}
    (letter,) = stack.services.dead_letters.recent("default")
    assert (letter.kind, letter.subject, letter.attempts) == ("send-email", failure_id, 8)
    assert letter.error == "RuntimeError: mail library bug"
    assert "email" not in escalation_of(stack, failure_id).pending
    assert stored_escalation(stack, failure_id)["email_status"] == "dead_letter"
    swept = function_client("tasks").post("/tasks/sweep", json={"min_age_seconds": 0}, headers=TASK_HEADERS)
    assert "send-email" not in swept.get_json()["enqueued"]  # the card and the desk sync are still due
    assert stack.mailer.called("send") == []


def test_a_kommo_reply_failing_on_the_last_delivery_is_a_dead_letter_and_later_ones_do_nothing(
    make_stack: MakeStack,
) -> None:
    stack = kommo_stack(make_stack)
    stack.bot.fail_next(*[UpstreamUnavailableError("Kommo: HTTP 502", status=502)] * 2)
    url = return_url()
    body = {
        "tenant": "default",
        "return_url": url,
        "message": "How do I export leads?",
        "lead_id": "1",
        "contact_id": "2",
        "attempt": MAX_REPLY_ATTEMPTS,  # it has already been rescheduled as often as it will be
    }
    assert deliver("kommo-reply", body, 0).status_code == 503
    assert deliver("kommo-reply", body, 7).get_json() == {"result": "dead_letter"}
    (letter,) = stack.services.dead_letters.recent()
    assert letter.subject == reply_key(url) and url not in letter.error
    assert deliver("kommo-reply", body, 0).get_json() == {"result": "done"}
    assert stack.bot.called("continue_bot") == []


def test_escalation_work_failing_only_because_firestore_is_down_is_left_to_the_sweep(
    stack: FastStack, http: Any, monkeypatch: Any
) -> None:
    from switchboard.errors import StoreError

    failure_id = record_failure(http("escalation"))
    create_ticket(http("escalation"), failure_id)
    stack.queue.take()

    def down(*args: Any, **kwargs: Any) -> Any:
        raise StoreError("claim: Firestore failed (ServiceUnavailable)")

    monkeypatch.setattr(stack.claims, "claim", down)
    # WHEN even the queue's last delivery meets the outage (the emulator retries at once)
    last = deliver("send-email", {"tenant": "default", "failure_id": failure_id}, 7)
    # THEN it is no dead letter: the email stays pending and the sweep sends it after the outage
    assert last.status_code == 503 and stack.services.dead_letters.recent("default") == []
    assert "email" in escalation_of(stack, failure_id).pending
