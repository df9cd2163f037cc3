"""The admin API's AI configuration (channels/admin.py, function admin) over in-memory ports:
admin keys only, validated changes, and the next chat turn following them."""

from __future__ import annotations

from typing import Any

import pytest

from switchboard.channels.auth import hash_api_key
from tests.conftest import function_client
from tests.fast.helpers import ask
from tests.support.fast import FastStack, ScriptedLLM

ADMIN, CHAT = "sb_admin_key_for_tests", "sb_chat_key_for_tests"
CONFIG = "/api/v1/ai/config/"


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def admin(make_stack: Any) -> FastStack:
    stack = make_stack(llm=ScriptedLLM(), GEMINI_MODEL="gemini-default", LLM_TEMPERATURE="0.2")
    stack.seed()
    stack.store.add_api_key(hash_api_key(ADMIN), "default", kind="admin")
    stack.store.add_api_key(hash_api_key(CHAT), "default")
    return stack


def test_an_admin_reads_the_defaults_then_changes_them_and_the_next_turn_follows(admin: FastStack) -> None:
    client = function_client("admin")
    before = client.get(CONFIG, headers=bearer(ADMIN))
    assert before.status_code == 200
    assert before.get_json() | {"overridden": []} == {
        "manual_prompt": "",
        "knowledge_source": "",
        "product_service": "",
        "question_answer": "",
        "model_name": "gemini-default",
        "temperature": 0.2,
        "max_tokens": 1024,
        "escalation_threshold": 0.3,
        "overridden": [],
    }
    change = {"manual_prompt": "Always sign off with 'Team Acme'.", "model_name": "gemini-pro-x", "temperature": 0.7}
    after = client.put(CONFIG, json=change, headers=bearer(ADMIN))
    assert after.status_code == 200
    body = after.get_json()
    assert (body["manual_prompt"], body["model_name"], body["temperature"]) == (
        "Always sign off with 'Team Acme'.",
        "gemini-pro-x",
        0.7,
    )
    assert set(body["overridden"]) == {"manual_prompt", "model_name", "temperature"}
    # the next chat turn of this tenant follows the change
    assert ask(function_client("chat"), "How long do card refunds take?").status_code == 200
    llm = admin.services.llm
    assert isinstance(llm, ScriptedLLM)
    (request,) = llm.called("answer")
    assert "Always sign off with 'Team Acme'." in request.system_instruction
    assert (request.model, request.temperature) == ("gemini-pro-x", 0.7)


def test_null_returns_a_field_to_the_deployments_default(admin: FastStack) -> None:
    client = function_client("admin")
    client.put(CONFIG, json={"temperature": 0.9, "manual_prompt": "Be brief."}, headers=bearer(ADMIN))
    body = client.put(CONFIG, json={"temperature": None}, headers=bearer(ADMIN)).get_json()
    assert body["temperature"] == 0.2 and body["overridden"] == ["manual_prompt"]
    assert body["manual_prompt"] == "Be brief."  # fields not sent are left alone


@pytest.mark.parametrize(
    "change",
    [
        {"temperature": 5},
        {"max_tokens": 10},
        {"model_name": "no spaces allowed"},
        {"manual_prompt": "x" * 20_001},
        {"auto_response": True},  # not a field (yet): refused, not ignored
    ],
)
def test_an_invalid_change_is_422_and_nothing_changes(admin: FastStack, change: dict[str, Any]) -> None:
    client = function_client("admin")
    refused = client.put(CONFIG, json=change, headers=bearer(ADMIN))
    assert refused.status_code == 422 and refused.get_json()["error"] == "validation_failed"
    assert client.get(CONFIG, headers=bearer(ADMIN)).get_json()["overridden"] == []


def test_a_chat_key_is_403_and_no_key_or_an_unknown_one_is_401(admin: FastStack) -> None:
    client = function_client("admin")
    forbidden = client.get(CONFIG, headers=bearer(CHAT))
    assert forbidden.status_code == 403 and forbidden.get_json()["error"] == "forbidden"
    assert client.get(CONFIG).status_code == 401
    assert client.put(CONFIG, json={"temperature": 1}, headers=bearer("sb_unknown")).status_code == 401


def test_an_admin_key_cannot_chat(admin: FastStack) -> None:
    response = ask(function_client("chat"), "hello", headers=bearer(ADMIN))
    assert response.status_code == 401


def test_paths_and_methods(admin: FastStack) -> None:
    client = function_client("admin")
    moved = client.get("/api/v1/ai/config", headers=bearer(ADMIN))
    assert moved.status_code == 308 and moved.headers["Location"].endswith(CONFIG)
    wrong = client.post(CONFIG, json={}, headers=bearer(ADMIN))
    assert wrong.status_code == 405 and wrong.headers["Allow"] == "GET, PUT"
    assert client.get("/api/v1/ai/nothing/", headers=bearer(ADMIN)).status_code == 404
