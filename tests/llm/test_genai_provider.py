"""The Gemini provider with the real google-genai SDK against a loopback fake Gemini server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from switchboard.core.models import Message, Passage
from switchboard.devtools.fake_gemini import FakeGemini, Reply, answer_body, error_body
from switchboard.errors import LLMError, LLMUnavailableError
from switchboard.llm.base import AnswerRequest
from switchboard.llm.genai import GenAIEmbedder, GenAIProvider, build_client

GOOD = {
    "answer": "Go to Settings > User Management.",
    "cited_ids": ["kb_001#0"],
    "support": 0.9,
    "language": "en",
    "needs_human": False,
    "reason": "",
}


@pytest.fixture
def fake() -> Iterator[FakeGemini]:
    server = FakeGemini().start()
    yield server
    server.stop()


def _provider(fake: FakeGemini, timeout: float = 5.0, attempts: int = 3) -> GenAIProvider:
    client = build_client(
        api_key="test-key",
        vertexai=False,
        project=None,
        location=None,
        base_url=fake.url,
        timeout_seconds=timeout,
        attempts=attempts,
    )
    return GenAIProvider(client)


def _request() -> AnswerRequest:
    passage = Passage("kb_001#0", "kb_001", "Password Reset Guide", "Go to Settings.", "how_to", None, 0.8, 0.9)
    now = datetime.now(UTC)
    history = [Message("1", "user", "hi", now), Message("2", "assistant", "Hello!", now)]
    return AnswerRequest("SYSTEM RULES", history, "How do I reset a password?", [passage], "en", "gemini-test")


def test_200_gives_a_structured_answer_and_the_request_has_the_documented_shape(fake: FakeGemini) -> None:
    fake.script(Reply(200, answer_body(GOOD, prompt_tokens=11, output_tokens=7)))
    draft = _provider(fake).answer(_request())
    assert draft.answer == GOOD["answer"] and draft.cited_ids == ["kb_001#0"] and draft.support == 0.9
    assert draft.usage == {"prompt": 11, "output": 7, "total": 18}
    (req,) = fake.generate_requests()
    assert req["path"].endswith("/models/gemini-test:generateContent")
    assert req["headers"]["x-goog-api-key"] == "test-key"
    body = req["body"]
    assert body["systemInstruction"]["parts"][0]["text"] == "SYSTEM RULES"
    assert [c["role"] for c in body["contents"]] == ["user", "model", "user"]
    assert "[kb_001#0] Password Reset Guide" in body["contents"][-1]["parts"][0]["text"]
    assert body["generationConfig"]["responseMimeType"] == "application/json"
    assert "answer" in str(body["generationConfig"].get("responseSchema") or body["generationConfig"])


def test_non_json_output_is_retried_once_then_an_llm_error(fake: FakeGemini) -> None:
    fake.script(Reply(200, answer_body("Sure! Here you go.")), Reply(200, answer_body("still not json")))
    with pytest.raises(LLMError) as info:
        _provider(fake).answer(_request())
    assert not isinstance(info.value, LLMUnavailableError)
    assert len(fake.generate_requests()) == 2


def test_non_json_then_valid_output_succeeds(fake: FakeGemini) -> None:
    fake.script(Reply(200, answer_body("{broken")), Reply(200, answer_body(GOOD)))
    assert _provider(fake).answer(_request()).answer == GOOD["answer"]


def test_429_is_retried_with_bounded_attempts_then_unavailable(fake: FakeGemini) -> None:
    fake.default = Reply(429, error_body(429, "RESOURCE_EXHAUSTED"))
    with pytest.raises(LLMUnavailableError, match="429"):
        _provider(fake, attempts=3).answer(_request())
    assert len(fake.generate_requests()) == 3


def test_500_then_200_recovers_through_the_sdk_retry(fake: FakeGemini) -> None:
    fake.script(Reply(500, error_body(500, "INTERNAL")), Reply(200, answer_body(GOOD)))
    assert _provider(fake).answer(_request()).support == 0.9
    assert len(fake.generate_requests()) == 2


def test_500_every_time_is_unavailable(fake: FakeGemini) -> None:
    fake.default = Reply(500, error_body(500, "INTERNAL"))
    with pytest.raises(LLMUnavailableError, match="500"):
        _provider(fake, attempts=2).answer(_request())


def test_400_is_a_plain_llm_error_without_retries(fake: FakeGemini) -> None:
    fake.default = Reply(400, error_body(400, "INVALID_ARGUMENT"))
    with pytest.raises(LLMError) as info:
        _provider(fake).answer(_request())
    assert not isinstance(info.value, LLMUnavailableError)
    assert len(fake.generate_requests()) == 1


def test_timeout_is_unavailable(fake: FakeGemini) -> None:
    fake.default = Reply(200, answer_body(GOOD), delay=2.0)
    with pytest.raises(LLMUnavailableError, match="timed out|unreachable"):
        _provider(fake, timeout=0.5, attempts=1).answer(_request())


def test_embedder_uses_batch_embed_and_returns_unit_vectors(fake: FakeGemini) -> None:
    client = build_client(
        api_key="k", vertexai=False, project=None, location=None, base_url=fake.url, timeout_seconds=5, attempts=1
    )
    vectors = GenAIEmbedder(client, "gemini-embedding-001", 8).embed(["refund money", "reset password"], "document")
    assert len(vectors) == 2
    assert all(abs(sum(x * x for x in v) - 1) < 1e-6 for v in vectors)
    (req,) = [r for r in fake.requests if r["path"].endswith(":batchEmbedContents")]
    assert req["body"]["requests"][0]["taskType"] == "RETRIEVAL_DOCUMENT"
    assert req["body"]["requests"][0]["outputDimensionality"] == 8


def test_the_models_judgment_whether_the_passages_answer_is_asked_for_and_returned(fake: FakeGemini) -> None:
    fake.script(Reply(200, answer_body({**GOOD, "answered": False, "support": 0.1})))
    draft = _provider(fake).answer(_request())
    assert draft.answered is False and draft.support == 0.1
    schema = str(fake.generate_requests()[0]["body"]["generationConfig"])
    assert "answered" in schema and "needs_human" in schema


def test_an_answer_without_the_judgment_field_counts_as_answered(fake: FakeGemini) -> None:
    fake.script(Reply(200, answer_body(GOOD)))
    assert _provider(fake).answer(_request()).answered is True
