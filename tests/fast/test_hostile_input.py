"""Hostile or malformed input on every public endpoint gets a clear 4xx, never a 500, and writes nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.conftest import function_client
from tests.fast.helpers import DESK_SETTINGS, signed
from tests.fast.test_kommo import KOMMO, NOTIFICATION, post_form
from tests.support.fast import TASK_HEADERS, FastStack

NESTED = ("[" * 100_000 + "]" * 100_000).encode()
HUGE_INT = b'{"message": ' + b"9" * 5000 + b"}"
ENDPOINTS = [
    ("chat", "/api/agent/customer/"),
    ("escalation", "/api/agent-failure/"),
    ("feedback", "/api/feedback"),
]


@pytest.fixture
def everything(make_stack: Callable[..., FastStack]) -> FastStack:
    built = make_stack(**DESK_SETTINGS, **KOMMO)
    built.seed()
    return built


@pytest.mark.parametrize(("function", "path"), ENDPOINTS)
@pytest.mark.parametrize(
    "raw", [NESTED, HUGE_INT, b"\xff\xfe{}", b"{" * 10], ids=["nested", "huge-int", "utf16", "open"]
)
def test_json_endpoints_answer_400_to_undecodable_bodies(
    everything: FastStack, function: str, path: str, raw: bytes
) -> None:
    headers = {"Content-Type": "application/json"}
    response = function_client(function).post(path, data=raw, headers=headers)
    assert response.status_code == 400, response.get_data(as_text=True)[:200]
    assert response.get_json()["error"] == "invalid_request"
    assert everything.store.messages("default", "crm:crm_user_456:s") == [] and everything.queue.tasks == []


@pytest.mark.parametrize("function", ["chat", "escalation", "feedback", "kommo_webhook", "chatwoot_webhook"])
def test_every_public_endpoint_answers_413_over_a_megabyte(everything: FastStack, function: str) -> None:
    path = {
        "chat": "/api/agent/customer/",
        "escalation": "/api/agent-failure/",
        "feedback": "/api/feedback",
        "kommo_webhook": "/api/kommo/chat/webhook?key=x",
        "chatwoot_webhook": "/api/webhooks/chatwoot",
    }[function]
    raw = json.dumps({"message": "x" * 1_100_000}).encode()
    response = function_client(function).post(path, data=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 413 and response.get_json()["error"] == "payload_too_large"


def test_kommo_json_bodies_nested_too_deeply_are_400(everything: FastStack) -> None:
    client = function_client("kommo_webhook")
    response = client.post("/api/kommo/chat/webhook?key=x", data=NESTED, content_type="application/json")
    assert response.status_code == 400


def test_a_kommo_message_id_of_any_shape_is_stored_once(everything: FastStack) -> None:
    odd = {**NOTIFICATION, "message[add][0][id]": "../__x__/" + "y" * 300}
    assert post_form(urlencode(odd)).get_json()["messages"] == 1
    assert post_form(urlencode(odd)).get_json()["messages"] == 0
    ((message, _),) = everything.store.messages("default", "kommo:lead-123-contact-456")
    assert "/" not in message.id and len(message.id) < 64


@pytest.mark.parametrize(
    "event",
    [
        {"event": 5},
        {"event": "conversation_resolved", "id": "abc"},
        {"event": "conversation_resolved", "id": 10**30},
        {"event": "message_created", "conversation": "x"},
        {"event": "message_created", "conversation": {"id": 1}, "sender": ["user"]},
        {"event": "message_created", "account": 7, "conversation": {"id": 1}},
        [],
    ],
)
def test_signed_but_malformed_desk_events_are_400(everything: FastStack, event: Any) -> None:
    raw = json.dumps(event).encode()
    response = function_client("chatwoot_webhook").post("/api/webhooks/chatwoot", data=raw, headers=signed(raw))
    assert response.status_code == 400, response.get_data(as_text=True)


def test_a_non_ascii_signature_is_401(everything: FastStack) -> None:
    raw = b'{"event": "conversation_resolved", "id": 1}'
    headers = {**signed(raw), "X-Chatwoot-Signature": "sha256=ÿÿÿ"}
    response = function_client("chatwoot_webhook").post("/api/webhooks/chatwoot", data=raw, headers=headers)
    assert response.status_code == 401


def test_odd_feedback_message_ids_are_stored_once(everything: FastStack) -> None:
    body = {
        "message_id": "..",
        "session_id": "s",
        "feedback_type": "helpful",
        "query": "q",
        "response": "r",
        "agent_type": "customer",
        "user_info": {"agent_id": "u", "email": "u@example.com", "full_name": "U"},
    }
    client = function_client("feedback")
    assert client.post("/api/feedback", json=body).status_code == 200
    assert client.post("/api/feedback", json=body).status_code == 409


@pytest.mark.parametrize("field", ["user_name", "user_office", "agent_id", "session_id"])
def test_a_line_break_in_a_one_line_field_is_422_and_nothing_is_recorded(everything: FastStack, field: str) -> None:
    from tests.fast.helpers import failure_body

    response = function_client("escalation").post("/api/agent-failure/", json=failure_body(**{field: "A\r\nBcc: x@y"}))
    assert response.status_code == 422 and field in json.dumps(response.get_json()["errors"])
    assert everything.db.escalations == {}


def test_the_email_headers_stay_one_line_whatever_the_names_hold() -> None:
    from switchboard.helpdesk.base import EmailDraft
    from switchboard.helpdesk.email import build_message

    draft = EmailDraft(
        "jane@example.com", "Ticket #1\r\nBcc: evil@example.com", "text", "<p>html</p>", "Jane\nBcc: x@y"
    )
    raw = build_message(draft, "support@example.com").as_bytes()
    headers = raw.split(b"\n\n", 1)[0].decode()
    assert "Bcc" not in [line.split(":", 1)[0] for line in headers.splitlines()]
    assert "Ticket #1 Bcc: evil@example.com" in headers


@pytest.mark.parametrize("raw", [NESTED, HUGE_INT, b"\xff\xfe{}", b"{}", b'{"tenant": "../x", "failure_id": "y"}'])
def test_a_task_body_that_can_never_run_is_a_dead_letter_at_once(everything: FastStack, raw: bytes) -> None:
    headers = {"Content-Type": "application/json", "X-CloudTasks-TaskName": "create-ticket-abc-0", **TASK_HEADERS}
    response = function_client("tasks").post("/tasks/create-ticket", data=raw, headers=headers)
    assert response.status_code == 200 and response.get_json() == {"result": "dead_letter"}  # the queue stops
    (letter,) = everything.services.dead_letters.recent()
    assert (letter.task, letter.kind, letter.tenant_id, letter.attempts) == (
        "create-ticket-abc-0",
        "create-ticket",
        "",
        1,
    )
    assert letter.error.startswith(("InvalidInputError", "ValidationFailedError", "PayloadTooLargeError"))
