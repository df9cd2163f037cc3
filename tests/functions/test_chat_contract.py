"""The CRM chat contract end to end on the real store and the default embedder: grounded answers,
honest not-found replies, other languages, storage with TTL and usage, an unreachable store.
Routing and validation branches are in tests/fast/test_chat_http.py."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from switchboard import bootstrap
from switchboard.core.phrases import in_other_language
from switchboard.devtools.emulator import free_port
from tests.conftest import function_client, load_event, user_info
from tests.support.crm import assert_contract_example_answered

pytestmark = pytest.mark.emulator


def ask(chat: Any, message: str, agent: str = "customer", **body: Any) -> Any:
    payload = {"message": message, "user_info": body.pop("user_info", user_info()), **body}
    return chat.post(f"/api/agent/{agent}/", json=payload)


def test_seed_request_gets_a_grounded_answer_with_the_contract_fields(chat: Any, seed: Any) -> None:
    # GIVEN the demo knowledge base
    seed()
    # WHEN the CRM sends the contract's own example request
    response = chat.post("/api/agent/customer/", json=load_event("crm_chat_request.json"))
    # THEN the body has exactly the contract's fields, and the answer cites the right article
    assert response.status_code == 200
    body = response.get_json()
    assert_contract_example_answered(body)
    assert "Settings > User Management" in body["response"]


def test_out_of_scope_question_escalates_with_low_confidence_and_no_sources(chat: Any, seed: Any) -> None:
    seed()
    body = ask(chat, "What is the capital of France?").get_json()
    assert body["requires_escalation"] is True
    assert body["classification_confidence"] < 0.3
    assert body["sources"] == []


def test_an_off_topic_question_is_told_honestly_that_nothing_was_found(chat: Any, seed: Any) -> None:
    from switchboard.core import phrases

    # GIVEN the demo knowledge base (a CRM's help centre, with a password-reset article)
    seed()
    # WHEN a customer asks about the weather
    body = ask(chat, "What's the weather in Cape Town tomorrow?", agent="test").get_json()
    # THEN the reply says nothing was found and offers a person, quoting no unrelated article
    assert body["response"] == phrases.no_answer_notice("en")
    assert body["sources"] == []
    assert body["requires_escalation"] is True
    assert body["classification_confidence"] < 0.15
    assert "Settings" not in body["response"]


def test_the_not_found_reply_is_in_the_customers_language(chat: Any, seed: Any) -> None:
    from switchboard.core import phrases

    seed()
    body = ask(chat, "Wie wird das Wetter morgen in Kapstadt?").get_json()
    assert body["response"] == phrases.no_answer_notice("de")
    assert body["sources"] == []


def test_a_question_in_another_language_finds_the_article_through_the_multilingual_embedder(
    chat: Any, seed: Any
) -> None:
    # GIVEN the demo knowledge base, written in English, embedded by the local multilingual model
    seed()
    # WHEN a customer asks in German, with no word in common with the article
    body = ask(chat, "Wie kann ich das Kennwort eines Benutzers zurücksetzen?", agent="test").get_json()
    # THEN the English password article is found through the embeddings and quoted, introduced
    # in German as written in another language
    assert body["debug"]["retrieval_mode"] == "hybrid"
    assert body["debug"]["retrieval"][0]["article_id"] == "kb_001"
    assert body["debug"]["confidence_features"]["cross"] == 1.0
    assert [s["entry_id"] for s in body["sources"]] == ["kb_001"]
    assert in_other_language("de", "").strip() in body["response"]
    assert body["response"].endswith("Settings > User Management, find the user and click Reset Password.")


def test_request_for_a_human_escalates_without_an_llm_call(chat: Any, seed: Any) -> None:
    seed()
    body = ask(chat, "Quiero hablar con una persona", agent="test").get_json()
    assert body["requires_escalation"] is True
    assert body["debug"]["escalation_reason"] == "user_request"
    assert "llm_ms" not in body["debug"]["timings_ms"]
    assert "persona" in body["response"]  # the notice is in the customer's language


def test_test_agent_adds_debug_with_scores_timings_tokens_provider_model(chat: Any, seed: Any) -> None:
    seed()
    body = ask(chat, "How do I export leads to CSV?", agent="test").get_json()
    debug = body["debug"]
    assert debug["retrieval"][0]["article_id"] == "kb_008"
    assert {"load_ms", "retrieve_ms", "llm_ms", "save_ms", "total_ms"} <= set(debug["timings_ms"])
    assert debug["provider"] == "extractive" and debug["model"] == "extractive"
    assert set(debug["tokens"]) == {"prompt", "output", "total"}
    assert "debug" not in ask(chat, "How do I export leads to CSV?", agent="support").get_json()


def test_a_question_about_another_product_is_not_answered_with_confidence(chat: Any, seed: Any) -> None:
    # GIVEN the demo knowledge base, which explains how to reset a password in the CRM
    seed()
    # WHEN one customer asks about their password and another about their gmail password
    ours = ask(chat, "How do I reset my password?", agent="test").get_json()
    theirs = ask(chat, "How do I reset my gmail password?", agent="test").get_json()
    # THEN both retrieve the same article, but only the first is answered with confidence: the
    # second names something neither the knowledge base nor the dictionary knows
    assert ours["sources"][0]["entry_id"] == theirs["debug"]["retrieval"][0]["article_id"] == "kb_001"
    assert ours["debug"]["foreign_words"] == [] and ours["requires_escalation"] is False
    assert theirs["debug"]["foreign_words"] == ["gmail"]
    assert theirs["debug"]["confidence_features"]["foreign"] == 1.0
    assert theirs["classification_confidence"] < 0.3 < ours["classification_confidence"]
    assert theirs["requires_escalation"] is True


def test_firestore_unreachable_is_503_store_unavailable_within_the_store_timeout(env: Any) -> None:
    env(FIRESTORE_EMULATOR_HOST=f"127.0.0.1:{free_port()}", STORE_TIMEOUT_SECONDS="1", ALLOW_ANONYMOUS="true")
    start = time.monotonic()
    response = ask(function_client("chat"), "How do I reset a password?")
    assert response.status_code == 503
    assert response.get_json()["error"] == "store_unavailable"
    assert response.headers["Retry-After"] == "5"  # the caller knows it may retry, and when
    assert time.monotonic() - start < 6


def test_turn_is_stored_with_ttl_and_usage_counted(chat: Any, seed: Any, db: Any) -> None:
    seed()
    body = ask(chat, "How do I add a new user?", session_id="s-1").get_json()
    tenant = db.collection("tenants").document("default")
    conv = tenant.collection("conversations").document("crm:crm_user_456:s-1").get().to_dict()
    assert conv["expires_at"] > datetime.now(UTC) + timedelta(days=29)
    recent = [json.loads(entry) for entry in conv["recent"]]
    assert [m["role"] for m in recent] == ["user", "assistant"]
    assert recent[1]["content"] == body["response"]
    messages = list(tenant.collection("conversations").document("crm:crm_user_456:s-1").collection("messages").stream())
    assert len(messages) == 2
    ask(chat, "And how do I remove one?", session_id="s-1")
    ask(chat, "How do I reset a password?", session_id="s-2")
    today = datetime.now(UTC).date().isoformat()
    usage = bootstrap.services().store.daily_usage("default", today)
    assert usage["requests"] == 3 and usage["channel_crm"] == 3
    shards = list(tenant.collection("usage").stream())
    assert all(s.id.startswith(f"{today}-s") and s.to_dict()["date"] == today for s in shards)
    reply = next(m.to_dict() for m in messages if m.to_dict()["role"] == "assistant")
    assert reply["meta"]["usage"]["llm_calls"] == 1 and reply["meta"]["sources"] == ["kb_003"]
