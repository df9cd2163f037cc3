"""How chunk vectors are made: the text as a document plus half of the title as a question."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from switchboard.knowledge import importer
from switchboard.knowledge.articles import Article, chunk_article
from switchboard.knowledge.importer import TITLE_WEIGHT, VECTOR_RECIPE, embed_chunks, import_articles
from switchboard.knowledge.packed import chunk_key
from tests.support.memory import InMemoryStore, MemoryDatabase


class _Embedder:
    """Documents point along x, questions along y; every call is recorded."""

    name = "unit:2"

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[str]]] = []

    def embed(self, texts: Sequence[str], task: str) -> list[list[float]]:
        self.calls.append((task, list(texts)))
        return [[1.0, 0.0] if task == "document" else [0.0, 1.0] for _ in texts]


def _articles() -> list[Article]:
    long_body = "\n\n".join(f"Paragraph {i} about refunds and how long they take. " * 12 for i in range(4))
    return [Article("a", "How long does a refund take?", long_body), Article("b", "", "A note without a title.")]


def test_a_chunk_vector_is_its_text_plus_half_its_title_asked_as_a_question() -> None:
    chunks = [c for a in _articles() for c in chunk_article(a)]
    assert len(chunks) > 2  # the titled article has several chunks, all sharing one title
    embedder = _Embedder()
    vectors = embed_chunks(embedder, chunks)
    expected = np.asarray([1.0, TITLE_WEIGHT]) / np.hypot(1.0, TITLE_WEIGHT)
    for chunk, vector in zip(chunks, vectors, strict=True):
        want = expected if chunk.title else np.asarray([1.0, 0.0])
        assert np.allclose(vector, want) and np.isclose(np.linalg.norm(vector), 1.0)
    # The title is asked once per batch, however many chunks share it; the untitled one is not asked.
    assert embedder.calls[0] == ("query", ["How long does a refund take?"])
    assert embedder.calls[1][0] == "document" and len(embedder.calls[1][1]) == len(chunks)


def test_vectors_of_another_recipe_are_not_reused(monkeypatch: pytest.MonkeyPatch) -> None:
    store, embedder = InMemoryStore(MemoryDatabase()), _Embedder()
    chunks = sorted((c for a in _articles() for c in chunk_article(a)), key=lambda c: c.id)
    with monkeypatch.context() as patch:  # a version whose vectors were made another way
        patch.setattr(importer, "VECTOR_RECIPE", "doc-only")
        old = import_articles(store, "t", _articles(), replace=True, embedder=embedder)
    assert old.embedded_now == len(chunks)
    assert store.knowledge_keys("t")[0] == {chunk_key(c, "unit:2#doc-only") for c in chunks}
    now = import_articles(store, "t", _articles(), replace=True, embedder=embedder)
    assert now.embedded_now == len(chunks)  # every chunk embedded again, none reused
    assert store.knowledge_keys("t")[0] >= {chunk_key(c, f"unit:2#{VECTOR_RECIPE}") for c in chunks}
    again = import_articles(store, "t", _articles(), replace=True, embedder=embedder)
    assert again.embedded_now == 0


def test_each_title_is_asked_once_even_when_its_chunks_span_two_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importer, "EMBED_BATCH", 2)
    articles = [Article(f"a{i}", f"Question {i}?", f"Answer {i}.") for i in range(3)] + _articles()[:1]
    embedder = _Embedder()
    import_articles(InMemoryStore(MemoryDatabase()), "t", articles, replace=True, embedder=embedder)
    titles = {a.title for a in articles}
    asked = [t for kind, texts in embedder.calls if kind == "query" for t in texts if t in titles]
    assert sorted(asked) == sorted(titles)  # the long article's chunks fill several batches
    documents = [t for kind, texts in embedder.calls if kind == "document" for t in texts]
    assert len(documents) == sum(len(chunk_article(a)) for a in articles) > len(articles) + 2
