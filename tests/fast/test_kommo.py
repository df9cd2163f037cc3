"""The Kommo Salesbot channel (channels/kommo.py, channels/kommo_wire.py, core/kommo_reply.py;
functions kommo_webhook and tasks), over in-memory ports and a recording bot."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest

from switchboard.core import phrases
from switchboard.core.kommo_reply import MAX_REPLY_ATTEMPTS, reply_key
from switchboard.errors import UpstreamError, UpstreamUnavailableError
from tests.conftest import function_client
from tests.fast.helpers import roles_and_texts
from tests.kommo.conftest import ACCOUNT_ID, SECRET, SUBDOMAIN, WEBHOOK_KEY, token
from tests.support.fast import TASK_HEADERS, FastStack, ScriptedLLM

KOMMO = {
    "KOMMO_CLIENT_SECRET": SECRET,
    "KOMMO_ACCOUNT_ID": str(ACCOUNT_ID),
    "KOMMO_SUBDOMAIN": SUBDOMAIN,
    "KOMMO_ACCESS_TOKEN": "kommo-access-token",
    "KOMMO_WEBHOOK_SECRET": WEBHOOK_KEY,
}
CONVERSATION = "kommo:lead-123-contact-456"
SILENT = {
    "data": {"status": "human", "reply": "", "handoff": True, "confidence": 0.0, "escalation_reason": ""},
    "execute_handlers": [],
}
MakeStack = Callable[..., FastStack]


def kommo_stack(make_stack: MakeStack, llm: Any = None, **settings: str) -> FastStack:
    stack = make_stack(llm=llm, **{**KOMMO, **settings})
    stack.seed()
    return stack


@pytest.fixture
def kommo(make_stack: MakeStack) -> FastStack:
    return kommo_stack(make_stack)


def return_url(host: str = f"https://{SUBDOMAIN}.kommo.com") -> str:
    return f"{host}/api/v4/salesbot/321/continue/{uuid.uuid4().hex[:12]}"


def form(message: str, url: str | None = None, **overrides: Any) -> str:
    """A form-encoded widget_request, as the Salesbot sends it."""
    fields = {
        "token": overrides.pop("token", token()),
        "data[message]": message,
        "data[lead_id]": "123",
        "data[contact_id]": "456",
        "data[contact_name]": "Jane Smith",
        "return_url": url or return_url(),
        **overrides,
    }
    return urlencode(fields)


def post_form(body: str, query: str = f"?key={WEBHOOK_KEY}") -> Any:
    client = function_client("kommo_webhook")
    return client.post(f"/api/kommo/chat/webhook{query}", data=body, content_type="application/x-www-form-urlencoded")


def deliver(payload: dict[str, Any]) -> Any:
    """Deliver a kommo-reply task through the tasks function, as Cloud Tasks does."""
    return function_client("tasks").post("/tasks/kommo-reply", json=payload, headers=TASK_HEADERS)


def continues(stack: FastStack) -> list[dict[str, Any]]:
    """The bodies of every continue call the bot received."""
    return [body for _, body in stack.bot.called("continue_bot")]


def shows(body: dict[str, Any]) -> list[str]:
    return [h["params"]["value"] for h in body["execute_handlers"] if h["handler"] == "show"]


def answers(stack: FastStack) -> int:
    llm = stack.services.llm
    assert isinstance(llm, ScriptedLLM)
    return len(llm.called("answer"))


def test_a_widget_request_is_accepted_as_one_task_then_answered_once_in_bubbles(kommo: FastStack) -> None:
    url, question = return_url(), "How do I create a property listing and publish it?"
    # WHEN the Salesbot sends a signed widget_request
    response = post_form(form(question, url))
    # THEN it is accepted at once, with one reply task and nothing sent yet
    assert response.status_code == 200 and response.get_json() == {"status": "accepted"}
    (task,) = kommo.queue.tasks
    assert task.kind == "kommo-reply"
    assert task.payload == {
        "tenant": "default",
        "return_url": url,
        "message": question,
        "lead_id": "123",
        "contact_id": "456",
        "contact_name": "Jane Smith",
        "chat_id": "",
        "reply_mode": "bubbles",
        "attempt": 0,
    }
    assert kommo.bot.calls == []
    # WHEN the task runs
    assert kommo.run_tasks() == [("kommo-reply", "sent")]
    # THEN the bot at the return_url is continued once, with the reply and its bubbles
    ((sent_to, body),) = kommo.bot.called("continue_bot")
    data = body["data"]
    assert sent_to == url
    assert (data["status"], data["handoff"], data["escalation_reason"]) == ("success", False, "")
    assert data["confidence"] > 0.3 and "New Listing" in data["reply"]
    bubbles = shows(body)
    assert 1 < len(bubbles) <= 10 and all(len(b) <= 80 for b in bubbles)
    assert " ".join(bubbles) == " ".join(data["reply"].split())
    # AND the turn is stored once in the lead's conversation
    assert roles_and_texts(kommo, CONVERSATION) == [("user", question), ("assistant", data["reply"])]


def test_a_json_widget_request_in_json_reply_mode_gets_the_reply_in_data_only(kommo: FastStack) -> None:
    payload = {
        "token": token(),
        "return_url": return_url(),
        "data": {"message": "How do I export leads?", "contact_id": "9", "lead_id": "8", "reply_mode": "json"},
    }
    client = function_client("kommo_webhook")
    assert client.post(f"/api/kommo/chat/webhook?key={WEBHOOK_KEY}", json=payload).status_code == 200
    kommo.run_tasks()
    (body,) = continues(kommo)
    assert body["execute_handlers"] == [] and "CSV" in body["data"]["reply"]
    assert [role for role, _ in roles_and_texts(kommo, "kommo:lead-8-contact-9")] == ["user", "assistant"]


def test_a_repeated_widget_request_and_a_redelivered_task_continue_the_bot_once(make_stack: MakeStack) -> None:
    stack = kommo_stack(make_stack, ScriptedLLM())
    body = form("How do I export leads?")
    # WHEN Kommo sends the same widget_request twice, and the task is delivered twice
    assert [post_form(body).status_code for _ in range(2)] == [200, 200]
    (task,) = stack.queue.take()
    results = [deliver(task.payload).get_json()["result"] for _ in range(2)]
    # THEN one answer, one continue call and one stored turn
    assert results == ["sent", "done"]
    assert len(continues(stack)) == 1 and answers(stack) == 1
    assert [role for role, _ in roles_and_texts(stack, CONVERSATION)] == ["user", "assistant"]


def test_a_kommo_5xx_is_rescheduled_with_backoff_and_the_saved_body_sent_without_asking_the_llm_again(
    make_stack: MakeStack,
) -> None:
    stack = kommo_stack(make_stack, ScriptedLLM(), TASK_RETRY_BASE_SECONDS="15")
    url = return_url()
    stack.bot.fail_next(UpstreamUnavailableError("kommo answered 502", status=502))
    post_form(form("How do I export leads?", url))
    (task,) = stack.queue.take()
    # WHEN the first continue call fails with a 5xx
    first = deliver(task.payload)
    # THEN the task finishes and schedules a later attempt (a new task name) after the base delay
    assert first.status_code == 200 and first.get_json() == {"result": "rescheduled"}
    (later,) = stack.queue.take()
    assert (later.attempt, later.delay_seconds, later.payload["attempt"]) == (1, 15.0, 1)
    assert later.task_id != task.task_id and later.payload["return_url"] == url
    # WHEN the later task runs
    assert deliver(later.payload).get_json() == {"result": "sent"}
    # THEN the saved body is sent: the LLM answered once and the turn is stored once
    (body,) = continues(stack)
    assert answers(stack) == 1
    assert body == stack.db.claims[("default", reply_key(url))]["result"]
    assert roles_and_texts(stack, CONVERSATION)[-1] == ("assistant", body["data"]["reply"])
    assert len(roles_and_texts(stack, CONVERSATION)) == 2


def test_kommo_rate_limiting_is_waited_out_as_long_as_its_retry_after_says(kommo: FastStack) -> None:
    kommo.bot.fail_next(*[UpstreamUnavailableError("kommo answered 429", retry_after=40, status=429)] * 2)
    post_form(form("How do I export leads?"))
    (task,) = kommo.queue.take()
    assert kommo.deliver(task) == "rescheduled"
    (later,) = kommo.queue.take()
    assert later.delay_seconds == 40.0
    assert kommo.deliver(later) == "rescheduled"
    (third,) = kommo.queue.take()
    assert (third.attempt, third.delay_seconds) == (2, 40.0)
    assert kommo.deliver(third) == "sent" and len(continues(kommo)) == 1


def test_a_reply_out_of_attempts_is_left_to_the_queues_retries(kommo: FastStack) -> None:
    kommo.bot.fail_next(UpstreamUnavailableError("kommo answered 502", status=502))
    post_form(form("How do I export leads?"))
    (task,) = kommo.queue.take()
    last = deliver({**task.payload, "attempt": MAX_REPLY_ATTEMPTS})
    # THEN no later task: 503 asks the queue itself to retry (and its last delivery is a dead letter)
    assert last.status_code == 503 and last.get_json()["error"] == "upstream_unavailable"
    assert kommo.queue.tasks == []


@pytest.mark.parametrize("status", [401, 404])
def test_kommo_refusing_for_good_is_final_and_not_retried(kommo: FastStack, status: int) -> None:
    kommo.bot.fail_next(UpstreamError(f"kommo answered {status}", status=status))
    post_form(form("How do I export leads?"))
    (task,) = kommo.queue.take()
    # THEN the task finishes (2xx, so Cloud Tasks does not retry) and a redelivery sends nothing
    assert deliver(task.payload).get_json() == {"result": "final"}
    assert deliver(task.payload).get_json() == {"result": "done"}
    assert kommo.bot.failures == [] and continues(kommo) == [] and kommo.queue.tasks == []


def test_a_person_taking_over_before_the_send_wins(kommo: FastStack) -> None:
    kommo.bot.fail_next(UpstreamUnavailableError("kommo answered 503", retry_after=1, status=503))
    post_form(form("How do I export leads?"))
    (task,) = kommo.queue.take()
    assert kommo.deliver(task) == "rescheduled"
    (later,) = kommo.queue.take()
    # WHEN a person takes the conversation over before the retry
    kommo.escalations.set_conversation_owner("default", CONVERSATION, "human")
    # THEN the retry lets the bot go on silently instead of sending the AI's answer
    assert kommo.deliver(later) == "sent"
    assert continues(kommo) == [SILENT]


def test_asking_for_a_person_hands_off_and_later_messages_get_the_silent_body(make_stack: MakeStack) -> None:
    stack = kommo_stack(make_stack, ScriptedLLM())
    post_form(form("Quiero hablar con una persona"))
    post_form(form("How do I export leads?"))
    stack.run_tasks()
    handoff, later = continues(stack)
    # THEN the bot hands off, in the customer's language, and the person owns the conversation
    assert handoff["data"]["status"] == "handoff" and handoff["data"]["handoff"] is True
    assert handoff["data"]["escalation_reason"] == "user_request"
    assert " ".join(shows(handoff)) == phrases.handoff_notice("es")
    assert stack.store.conversation_owner("default", CONVERSATION) == "human"
    # AND the next message gets no AI answer
    assert later == SILENT and answers(stack) == 0


def test_a_rate_limited_contact_gets_the_rate_limited_body(make_stack: MakeStack) -> None:
    stack = kommo_stack(make_stack, RATE_LIMIT="1/31536000")
    post_form(form("How do I export leads?"))
    post_form(form("How do I reset a password?"))
    assert stack.run_tasks() == [("kommo-reply", "sent")] * 2
    answered, limited = continues(stack)
    assert answered["data"]["status"] == "success"
    data = limited["data"]
    assert (data["status"], data["handoff"]) == ("rate_limited", False)
    assert re.fullmatch(r"You've reached the limit of questions for now\. Please try again in \d+ min\.", data["reply"])
    assert " ".join(shows(limited)) == data["reply"]
    assert [role for role, _ in roles_and_texts(stack, CONVERSATION)] == ["user", "assistant"]


NOTIFICATION = {
    "message[add][0][id]": "m-77",
    "message[add][0][text]": "Do you have parking?",
    "message[add][0][chat_id]": "c-1",
    "message[add][0][contact_id]": "456",
    "message[add][0][element_id]": "123",
    "message[add][0][element_type]": "2",
    "message[add][0][type]": "incoming",
    "account[id]": str(ACCOUNT_ID),
    "account[subdomain]": SUBDOMAIN,
}


def test_message_notifications_are_stored_once(kommo: FastStack) -> None:
    body = urlencode(NOTIFICATION)
    first, again = post_form(body), post_form(body)
    assert first.get_json() == {"status": "stored", "messages": 1, "reply": False}
    assert again.get_json() == {"status": "stored", "messages": 0, "reply": False}
    ((message, meta),) = kommo.store.messages("default", CONVERSATION)
    assert (message.role, message.content) == ("user", "Do you have parking?")
    assert meta["source"] == "kommo_notification" and kommo.queue.tasks == []


@pytest.mark.parametrize("query", ["", "?key=wrong"])
def test_a_missing_or_wrong_url_key_is_401_and_nothing_is_stored_or_queued(kommo: FastStack, query: str) -> None:
    notification = post_form(urlencode(NOTIFICATION), query)
    widget_request = post_form(form("How do I export leads?"), query)
    assert notification.status_code == 401 and notification.get_json()["error"] == "unauthorized"
    assert widget_request.status_code == 401 and widget_request.get_json()["error"] == "unauthorized"
    assert kommo.db.messages == {} and kommo.queue.tasks == []


def test_a_notification_for_another_account_is_401(kommo: FastStack) -> None:
    response = post_form(urlencode({**NOTIFICATION, "account[id]": "1"}))
    assert response.status_code == 401 and kommo.db.messages == {}


@pytest.mark.parametrize(
    "bad_token",
    [
        token(exp=1_000_000_000),
        token(secret="x" * 64),
        token(account_id=42),
        token(subdomain="other"),
        "not-a-jwt",
    ],
    ids=["expired", "wrong-secret", "other-account", "other-subdomain", "garbage"],
)
def test_a_token_that_fails_verification_is_401_and_queues_nothing(kommo: FastStack, bad_token: str) -> None:
    response = post_form(form("How do I export leads?", token=bad_token))
    assert response.status_code == 401 and isinstance(response.get_json()["detail"], str)
    assert kommo.queue.tasks == []


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example.com/api/v4/salesbot/1/continue/2",
        f"http://{SUBDOMAIN}.kommo.com/api/v4/salesbot/1/continue/2",
        f"https://{SUBDOMAIN}.kommo.com:8443/api/v4/salesbot/1/continue/2",
        "https://other.kommo.com/api/v4/salesbot/1/continue/2",
    ],
)
def test_a_return_url_on_a_host_not_allowed_is_400_and_queues_nothing(kommo: FastStack, url: str) -> None:
    response = post_form(form("How do I export leads?", url))
    assert response.status_code == 400 and response.get_json()["error"] == "invalid_request"
    assert "return_url" in response.get_json()["detail"] and kommo.queue.tasks == []


def test_kommo_return_url_hosts_replaces_the_allowed_hosts(make_stack: MakeStack) -> None:
    stack = kommo_stack(make_stack, KOMMO_RETURN_URL_HOSTS="bot.test:8080")
    assert post_form(form("How do I export leads?", return_url())).status_code == 400
    assert post_form(form("How do I export leads?", return_url("http://bot.test:8080"))).status_code == 200
    assert len(stack.queue.tasks) == 1


@pytest.mark.parametrize(("message", "status"), [("", 400), ("{{message_text}}", 400), ("x" * 4001, 413)])
def test_an_empty_or_too_long_message_is_refused_and_queues_nothing(
    kommo: FastStack, message: str, status: int
) -> None:
    assert post_form(form(message)).status_code == status
    assert kommo.queue.tasks == []
