"""The CRM chat contract over HTTP (channels/crm.py, functions/chat/main.py), over in-memory ports."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from switchboard.channels.auth import hash_api_key
from switchboard.core.models import Tenant
from tests.conftest import function_client, load_event, user_info
from tests.fast.helpers import ask, conversation, today
from tests.support.crm import assert_contract_example_answered
from tests.support.fast import FastStack


def nothing_stored(stack: FastStack) -> bool:
    return not stack.db.conversations and not stack.db.messages and stack.store.daily_usage("default", today()) == {}


def test_the_contracts_example_request_gets_exactly_the_contract_fields(stack: FastStack, http: Any) -> None:
    response = http("chat").post("/api/agent/customer/", json=load_event("crm_chat_request.json"))
    assert response.status_code == 200
    assert_contract_example_answered(response.get_json())


def test_a_missing_session_id_is_generated_in_the_crms_format_and_names_the_conversation(
    stack: FastStack, http: Any
) -> None:
    body = http("chat").post(
        "/api/agent/support/", json={"message": "How do I add a new user?", "user_info": user_info()}
    )
    session_id = body.get_json()["session_id"]
    assert re.fullmatch(r"support-session-\d+", session_id)
    assert [m.role for m, _ in stack.store.messages("default", conversation(session_id))] == ["user", "assistant"]


def test_two_users_with_the_same_session_id_do_not_share_a_conversation(stack: FastStack, http: Any) -> None:
    chat = http("chat")
    ask(chat, "How do I add a new user?", session_id="same", user_info=user_info("a"))
    ask(chat, "How do I add a new user?", session_id="same", user_info=user_info("b"))
    assert sorted(key for _, key in stack.db.conversations) == ["crm:a:same", "crm:b:same"]


def test_the_path_without_its_trailing_slash_is_redirected_308_keeping_the_query(stack: FastStack, http: Any) -> None:
    response = http("chat").post("/api/agent/customer?lang=en&x=1", json={"message": "hi", "user_info": user_info()})
    assert response.status_code == 308
    assert response.headers["Location"] == "/api/agent/customer/?lang=en&x=1"
    assert nothing_stored(stack)


@pytest.mark.parametrize("path", ["/api/agent/sales/", "/api/agent/", "/api/agents/customer/"])
def test_an_unknown_agent_type_or_path_is_404(stack: FastStack, http: Any, path: str) -> None:
    response = http("chat").post(path, json={"message": "hi", "user_info": user_info()})
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"
    assert "customer, support, test" in response.get_json()["detail"]
    assert nothing_stored(stack)


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_anything_but_post_is_405_with_allow(stack: FastStack, http: Any, method: str) -> None:
    response = http("chat").open("/api/agent/customer/", method=method)
    assert response.status_code == 405
    assert response.get_json()["error"] == "method_not_allowed"
    assert response.headers["Allow"] == "POST"


@pytest.mark.parametrize("raw", [b"{not json", b"", b"\xff\xfe"])
def test_a_body_that_is_not_json_is_400(stack: FastStack, http: Any, raw: bytes) -> None:
    response = http("chat").post("/api/agent/customer/", data=raw, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_request"
    assert nothing_stored(stack)


def test_schema_violations_are_422_naming_the_fields(stack: FastStack, http: Any) -> None:
    body = {"message": "", "user_info": {"agent_id": "x", "email": "not-an-email"}}
    response = http("chat").post("/api/agent/customer/", json=body)
    assert response.status_code == 422
    payload = response.get_json()
    locs = {e["loc"] for e in payload["errors"]}
    assert {"message", "user_info.email", "user_info.name", "user_info.agency", "user_info.office"} <= locs
    assert payload["error"] == "validation_failed" and "user_info.email" in payload["detail"]
    assert http("chat").post("/api/agent/customer/", json=["a list"]).status_code == 422
    assert nothing_stored(stack)


def test_a_message_over_the_limit_is_413_and_writes_nothing(make_stack: Callable[..., FastStack]) -> None:
    stack = make_stack(MAX_MESSAGE_CHARS="50")
    stack.seed()
    chat = function_client("chat")
    response = ask(chat, "x" * 51)
    assert response.status_code == 413
    assert response.get_json()["error"] == "payload_too_large"
    assert nothing_stored(stack)
    assert ask(chat, "x" * 50).status_code == 200  # a message at the limit is served


def keyed(make_stack: Callable[..., FastStack]) -> FastStack:
    """Anonymous access off; tenant acme (one article) reachable with key-acme."""
    stack = make_stack(ALLOW_ANONYMOUS="false")
    stack.seed()
    stack.seed("acme", [{"id": "acme-1", "title": "Acme opening hours", "body": "Acme is open 9 to 5 on weekdays."}])
    stack.store.save_tenant(Tenant("acme", "Acme"))
    stack.store.add_api_key(hash_api_key("key-acme"), "acme")
    return stack


@pytest.mark.parametrize(
    "headers", [None, {"Authorization": "Bearer nope"}, {"X-API-Key": "nope"}, {"Authorization": "Bearer "}]
)
def test_without_anonymous_access_a_missing_or_unknown_key_is_401(
    make_stack: Callable[..., FastStack], headers: dict[str, str] | None
) -> None:
    stack = keyed(make_stack)
    response = ask(function_client("chat"), "opening hours?", headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized"
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="switchboard"'
    assert not stack.db.conversations


@pytest.mark.parametrize("headers", [{"Authorization": "Bearer key-acme"}, {"X-API-Key": "key-acme"}])
def test_a_known_key_answers_from_its_own_tenants_knowledge(
    make_stack: Callable[..., FastStack], headers: dict[str, str]
) -> None:
    stack = keyed(make_stack)
    body = ask(function_client("chat"), "When is Acme open on weekdays?", headers=headers).get_json()
    assert [s["entry_id"] for s in body["sources"]] == ["acme-1"]
    assert body["debug"]["tenant"] == "acme"
    assert [key for tenant, key in stack.db.conversations] == [conversation()]
    assert [tenant for tenant, _ in stack.db.conversations] == ["acme"]


def test_keyless_calls_go_to_the_default_tenant_when_anonymous_access_is_allowed(
    make_stack: Callable[..., FastStack],
) -> None:
    stack = make_stack(ALLOW_ANONYMOUS="true", DEFAULT_TENANT="demo")
    stack.seed("demo", [{"id": "d-1", "title": "Demo hours", "body": "The demo office opens at 8 every weekday."}])
    body = ask(function_client("chat"), "When does the demo office open?").get_json()
    assert [s["entry_id"] for s in body["sources"]] == ["d-1"] and body["debug"]["tenant"] == "demo"
