"""The admin API's AI configuration (channels/admin.py, function admin) over in-memory ports:
admin keys only, validated changes, and the next chat turn following them."""

from __future__ import annotations

from typing import Any

import pytest

from switchboard.channels.auth import hash_api_key
from switchboard.core import phrases
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
        "auto_response_enabled": True,
        "business_hours": None,
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


def test_an_admin_key_cannot_chat_as_a_customer_but_may_try_the_test_agent(admin: FastStack) -> None:
    for agent in ("customer", "support"):
        assert ask(function_client("chat"), "hello", agent=agent, headers=bearer(ADMIN)).status_code == 401
    tried = ask(function_client("chat"), "How long do card refunds take?", agent="test", headers=bearer(ADMIN))
    assert tried.status_code == 200 and "timings_ms" in tried.get_json()["debug"]


def test_paths_and_methods(admin: FastStack) -> None:
    client = function_client("admin")
    moved = client.get("/api/v1/ai/config", headers=bearer(ADMIN))
    assert moved.status_code == 308 and moved.headers["Location"].endswith(CONFIG)
    wrong = client.post(CONFIG, json={}, headers=bearer(ADMIN))
    assert wrong.status_code == 405 and wrong.headers["Allow"] == "GET, PUT"
    assert client.get("/api/v1/ai/nothing/", headers=bearer(ADMIN)).status_code == 404


# ------------------------------------------------------------------- AI or people, per conversation

CRM = "crm:crm_user_456:support-session-1707500000123"


def status_of(conversation: str) -> Any:
    return function_client("admin").get(f"/api/v1/ai/conversations/{conversation}/status/", headers=bearer(ADMIN))


def set_status(conversation: str, status: str) -> Any:
    body = {"status": status}
    return function_client("admin").put(
        f"/api/v1/ai/conversations/{conversation}/status/", json=body, headers=bearer(ADMIN)
    )


def test_a_conversation_flipped_to_people_gets_no_ai_answer_until_flipped_back(admin: FastStack) -> None:
    chat = function_client("chat")
    ask(chat, "How long do card refunds take?")
    assert status_of(CRM).get_json() == {"conversation_id": CRM, "channel": "crm", "status": "active"}
    assert set_status(CRM, "support_active").get_json()["status"] == "support_active"
    quiet = ask(chat, "How do I export leads?").get_json()
    assert quiet["response"] == phrases.human_owns_notice("en") and quiet["classification_confidence"] == 0.0
    assert set_status(CRM, "active").status_code == 200
    answered = ask(chat, "How do I export leads?").get_json()
    assert "export" in answered["response"].lower()


def test_a_kommo_conversation_with_people_gets_the_silent_body(make_stack: Any) -> None:
    from tests.fast.test_kommo import CONVERSATION, SILENT, continues, form, kommo_stack, post_form

    stack = kommo_stack(make_stack)
    stack.store.add_api_key(hash_api_key(ADMIN), "default", kind="admin")
    post_form(form("How do I export leads?"))
    stack.run_tasks()
    assert set_status(CONVERSATION, "support_active").status_code == 200
    post_form(form("And how do I import them?"))
    stack.run_tasks()
    assert continues(stack)[-1] == SILENT


def test_a_chatwoot_bot_conversation_with_people_gets_no_answer(make_stack: Any) -> None:
    from tests.fast.test_chatwoot_bot import BOT, said, send, verify

    stack = make_stack(**BOT)
    stack.seed()
    stack.store.add_api_key(hash_api_key(ADMIN), "default", kind="admin")
    verify(stack)
    send(stack, "How long do card refunds take?")
    assert set_status("chatwoot:1:7", "support_active").status_code == 200
    stack.run_tasks()  # Chatwoot shows it to agents: open
    assert stack.chatwoot is not None and stack.chatwoot.called("set_status")[-1] == (7, "open")
    before = len(said(stack))
    send(stack, "How do I export leads?", status="open")
    assert said(stack)[before:] == []
    # handed back to the AI here: Chatwoot is set to pending and the bot answers again
    assert set_status("chatwoot:1:7", "active").status_code == 200
    stack.run_tasks()
    assert stack.chatwoot.called("set_status")[-1] == (7, "pending")
    assert "export" in " ".join(send(stack, "How do I export leads?")).lower()


def test_new_conversations_follow_the_default_handler(admin: FastStack) -> None:
    client = function_client("admin")
    assert client.get("/api/v1/ai/default-handler/", headers=bearer(ADMIN)).get_json() == {"default_handler": "AI"}
    put = client.put("/api/v1/ai/default-handler/", json={"default_handler": "Manual"}, headers=bearer(ADMIN))
    assert put.get_json() == {"default_handler": "Manual"}
    first = ask(function_client("chat"), "How long do card refunds take?", session_id="new-session").get_json()
    assert first["response"] == phrases.human_owns_notice("en")
    assert status_of("crm:crm_user_456:new-session").get_json()["status"] == "support_active"
    bad = client.put("/api/v1/ai/default-handler/", json={"default_handler": "Robot"}, headers=bearer(ADMIN))
    assert bad.status_code == 422


def test_active_is_refused_while_auto_response_is_off_and_nothing_is_answered(admin: FastStack) -> None:
    chat = function_client("chat")
    ask(chat, "How long do card refunds take?")
    set_status(CRM, "support_active")
    function_client("admin").put(CONFIG, json={"auto_response_enabled": False}, headers=bearer(ADMIN))
    refused = set_status(CRM, "active")
    assert refused.status_code == 409 and "auto-response is off" in refused.get_json()["detail"]
    assert status_of(CRM).get_json()["status"] == "support_active"
    other = ask(chat, "How do I export leads?", session_id="other").get_json()
    assert other["response"] == phrases.human_owns_notice("en")  # no conversation gets the AI


def test_bulk_status_sets_many_and_names_the_unknown(admin: FastStack) -> None:
    chat = function_client("chat")
    for session in ("a", "b"):
        ask(chat, "How long do card refunds take?", session_id=session)
    ids = ["crm:crm_user_456:a", "crm:crm_user_456:b", "crm:nobody:z"]
    done = function_client("admin").put(
        "/api/v1/ai/conversations/bulk-status/",
        json={"conversation_ids": ids, "status": "support_active"},
        headers=bearer(ADMIN),
    )
    assert done.get_json() == {"status": "support_active", "updated": ids[:2], "not_found": ids[2:]}
    assert all(status_of(i).get_json()["status"] == "support_active" for i in ids[:2])


def test_an_unknown_conversation_is_404(admin: FastStack) -> None:
    assert status_of("crm:nobody:nothing").status_code == 404
    assert set_status("crm:nobody:nothing", "active").status_code == 404


def test_ask_answers_a_customer_and_keeps_their_history(admin: FastStack) -> None:
    client = function_client("admin")
    body = {"question": "How long do card refunds take?", "customer_id": "customer@example.com"}
    answered = client.post("/api/v1/ai/ask/", json=body, headers=bearer(ADMIN))
    assert answered.status_code == 200
    out = answered.get_json()
    assert out["session_id"] == "ask:customer@example.com" and out["customer_id"] == "customer@example.com"
    assert out["success"] and out["auto_response_generated"] and out["response_time_ms"] >= 0
    assert "refund" in out["answer"].lower() and out["sources"][0]["entry_id"] == "kb_002"
    assert status_of("ask:customer@example.com").get_json()["status"] == "active"
    set_status("ask:customer@example.com", "support_active")
    quiet = client.post("/api/v1/ai/ask/", json=body, headers=bearer(ADMIN)).get_json()
    assert not quiet["auto_response_generated"] and quiet["answer"] == phrases.human_owns_notice("en")
    assert client.post("/api/v1/ai/ask/", json=body, headers=bearer(CHAT)).status_code == 403
    assert client.post("/api/v1/ai/ask/", json={"question": ""}, headers=bearer(ADMIN)).status_code == 422


def test_usage_stats_count_a_scripted_day_of_traffic_exactly(make_stack: Any) -> None:
    from switchboard.errors import LLMError

    stack = make_stack(
        llm=ScriptedLLM(),
        LLM_PRICE_INPUT_PER_MILLION="2",
        LLM_PRICE_OUTPUT_PER_MILLION="10",
        RATE_LIMIT="3/3600",
    )
    stack.seed()
    stack.store.add_api_key(hash_api_key(ADMIN), "default", kind="admin")
    chat = function_client("chat")
    ask(chat, "How long do card refunds take?")  # answered
    ask(chat, "I want to talk to a human")  # handoff (no LLM call)
    llm = stack.services.llm
    assert isinstance(llm, ScriptedLLM)
    llm.replies.append(LLMError("bad output"))
    ask(chat, "How do I export leads?")  # the LLM fails: ai_error
    assert ask(chat, "One more?").status_code == 429  # over the limit: counted as a request only
    stats = function_client("admin").get("/api/v1/ai/usage/stats/?days=7", headers=bearer(ADMIN)).get_json()
    totals = stats["totals"]
    assert stats["days"] == 7 and len(stats["per_day"]) == 7 and stats["per_day"][-1]["date"] == stats["last_day"]
    assert (totals["requests"], totals["ai_replies"], totals["llm_calls"], totals["llm_errors"]) == (4, 3, 2, 1)
    assert totals["escalations"] == 2 and totals["escalations_by_reason"] == {"ai_error": 1, "user_request": 1}
    assert totals["handoffs"] == 1
    assert totals == {k: v for k, v in stats["per_day"][-1].items() if k != "date"}  # all of it today
    assert totals["estimated_cost"] == round((totals["prompt_tokens"] * 2 + totals["output_tokens"] * 10) / 1e6, 6)
    bad = function_client("admin").get("/api/v1/ai/usage/stats/?days=0", headers=bearer(ADMIN))
    assert bad.status_code == 400
