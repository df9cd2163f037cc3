"""The chat function with Gemini configured: the real SDK against the loopback fake server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from switchboard.devtools.fake_gemini import FakeGemini, Reply, answer_body, error_body
from tests.conftest import function_client, user_info

pytestmark = pytest.mark.emulator


@pytest.fixture
def gemini(env: Any) -> Iterator[FakeGemini]:
    fake = FakeGemini().start()
    env(LLM_BACKEND="auto", GEMINI_API_KEY="test-key", GEMINI_BASE_URL=fake.url, LLM_MAX_ATTEMPTS="2")
    yield fake
    fake.stop()


def ok_answer() -> Reply:
    """A valid structured answer citing the refund article."""
    body = {
        "answer": "ok",
        "cited_ids": ["kb_002#0"],
        "support": 0.8,
        "language": "en",
        "needs_human": False,
        "reason": "",
    }
    return Reply(200, answer_body(body))


def _ask(message: str, agent: str = "test", session: str = "s-g") -> Any:
    chat = function_client("chat")
    return chat.post(
        f"/api/agent/{agent}/", json={"message": message, "session_id": session, "user_info": user_info()}
    ).get_json()


def test_answer_cites_only_passages_it_was_given(gemini: FakeGemini, seed: Any) -> None:
    seed()
    gemini.script(
        Reply(
            200,
            answer_body(
                {
                    "answer": "Open Billing > Payments and click Refund.",
                    "cited_ids": ["kb_002#0", "made-up#3"],
                    "support": 0.95,
                    "language": "en",
                    "needs_human": False,
                    "reason": "",
                }
            ),
        )
    )
    body = _ask("How do I refund a payment?")
    assert body["response"] == "Open Billing > Payments and click Refund."
    assert [s["entry_id"] for s in body["sources"]] == ["kb_002"]
    assert body["requires_escalation"] is False
    assert body["debug"]["provider"] == "genai" and body["debug"]["model"] == "gemini-3.6-flash"
    assert body["debug"]["tokens"]["total"] == 160
    sent = gemini.generate_requests()[0]["body"]
    assert sent["systemInstruction"]["parts"][0]["text"].startswith("You are a customer-support assistant")
    assert "[kb_002#0]" in sent["contents"][-1]["parts"][0]["text"]


def test_tenant_prompt_parts_and_history_reach_the_model(gemini: FakeGemini, seed: Any) -> None:
    from switchboard import bootstrap
    from switchboard.core.models import PromptParts, Tenant, TenantSettings

    seed()
    tenant = bootstrap.services().store.get_tenant("default")
    assert tenant is not None
    prompts = PromptParts(manual_prompt="Always sign as Acme Bot.", question_answer="Q: Hours? A: 9-5.")
    bootstrap.services().store.save_tenant(Tenant("default", "Acme", TenantSettings(prompts=prompts, model="gemini-x")))
    gemini.default = ok_answer()
    _ask("How do I refund a payment?", session="hist")
    _ask("And a partial refund of a payment?", session="hist")
    second = gemini.generate_requests()[-1]
    system = second["body"]["systemInstruction"]["parts"][0]["text"]
    assert "Always sign as Acme Bot." in system and "Q: Hours? A: 9-5." in system
    assert second["path"].endswith("/models/gemini-x:generateContent")
    roles = [c["role"] for c in second["body"]["contents"]]
    assert roles == ["user", "model", "user"]


def test_model_that_keeps_failing_gives_a_polite_escalation_not_a_500(gemini: FakeGemini, seed: Any) -> None:
    seed()
    gemini.default = Reply(500, error_body(500, "INTERNAL"))
    body = _ask("How do I refund a payment?")
    assert body["requires_escalation"] is True
    assert body["debug"]["escalation_reason"] == "ai_error"
    assert body["classification_confidence"] == 0.0
    assert "sorry" in body["response"].lower()
    assert len(gemini.generate_requests()) == 2  # LLM_MAX_ATTEMPTS


def test_low_model_support_escalates(gemini: FakeGemini, seed: Any) -> None:
    seed()
    gemini.script(
        Reply(
            200,
            answer_body(
                {
                    "answer": "Maybe try Billing?",
                    "cited_ids": ["kb_002#0"],
                    "support": 0.05,
                    "language": "en",
                    "needs_human": False,
                    "reason": "",
                }
            ),
        )
    )
    body = _ask("Can I refund in bitcoin?")
    assert body["requires_escalation"] is True
    assert body["classification_confidence"] < 0.3


def test_dense_retrieval_with_gemini_embeddings(gemini: FakeGemini, seed: Any, env: Any) -> None:
    env(EMBEDDING_BACKEND="genai", EMBEDDING_DIMENSIONS="8")
    seed()
    embeds = [r for r in gemini.requests if r["path"].endswith(":batchEmbedContents")]
    # The import asks each batch's titles as questions, then embeds the chunks as documents.
    kinds = [{q["taskType"] for q in r["body"]["requests"]} for r in embeds[:2]]
    assert kinds == [{"RETRIEVAL_QUERY"}, {"RETRIEVAL_DOCUMENT"}]
    titles = [q["content"]["parts"][0]["text"] for q in embeds[0]["body"]["requests"]]
    documents = [q["content"]["parts"][0]["text"] for q in embeds[1]["body"]["requests"]]
    assert titles and all(any(d.startswith(f"{t}\n") for d in documents) for t in titles)
    gemini.default = ok_answer()
    body = _ask("How do I refund a payment?")
    assert body["debug"]["retrieval_mode"] == "hybrid"
    query = [r for r in gemini.requests if r["path"].endswith(":batchEmbedContents")][-1]
    assert query["body"]["requests"][0]["taskType"] == "RETRIEVAL_QUERY"


def test_a_model_that_finds_no_answer_in_the_passages_gets_an_honest_not_found_reply(
    gemini: FakeGemini, seed: Any
) -> None:
    from switchboard.core import phrases

    seed()
    judged = {
        "answer": "Go to Settings > User Management and click Reset Password.",
        "cited_ids": ["kb_001#0"],
        "answered": False,
        "support": 0.1,
        "language": "en",
        "needs_human": False,
        "reason": "",
    }
    gemini.script(Reply(200, answer_body(judged)))
    body = _ask("What's the weather in Cape Town tomorrow?")
    assert body["response"] == phrases.no_answer_notice("en")
    assert body["sources"] == []
    assert body["requires_escalation"] is True
    assert body["classification_confidence"] <= 0.1
    assert body["debug"]["model_answered"] is False


def test_the_models_judgment_moves_the_confidence_of_the_same_retrieval(gemini: FakeGemini, seed: Any) -> None:
    seed()
    answered = {**ok_answer_body(), "support": 0.9}
    doubtful = {**ok_answer_body(), "support": 0.2}
    gemini.script(Reply(200, answer_body(answered)), Reply(200, answer_body(doubtful)))
    sure = _ask("How do I refund a card payment?", session="s-j1")
    unsure = _ask("How do I refund a card payment?", session="s-j2")
    assert sure["classification_confidence"] > unsure["classification_confidence"]
    assert sure["debug"]["retrieval_mode"] == "hybrid"


def ok_answer_body() -> dict[str, Any]:
    return {
        "answer": "Open Billing > Payments and click Refund.",
        "cited_ids": ["kb_002#0"],
        "answered": True,
        "support": 0.8,
        "language": "en",
        "needs_human": False,
        "reason": "",
    }


def test_a_kb_embedded_by_another_model_is_searched_lexically_not_misread(
    gemini: FakeGemini, seed: Any, env: Any
) -> None:
    # GIVEN a knowledge base imported without a key (the local model's vectors)
    env(EMBEDDING_BACKEND="local")
    seed()
    # WHEN the function runs with Gemini embeddings
    env(EMBEDDING_BACKEND="genai", EMBEDDING_DIMENSIONS="8")
    gemini.default = ok_answer()
    body = _ask("How do I refund a payment?")
    # THEN no query is embedded with the wrong model, retrieval is lexical, and the debug says why
    assert body["debug"]["retrieval_mode"] == "lexical"
    assert body["debug"]["dense_model_mismatch"]["kb"].startswith("local:")
    assert not [r for r in gemini.requests if r["path"].endswith(":batchEmbedContents")]
    assert body["sources"][0]["entry_id"] == "kb_002"
