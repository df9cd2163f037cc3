"""The packed index: what the import publishes reads back as the same postings, and a damaged
blob is refused rather than searched."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from switchboard.errors import StoreError
from switchboard.knowledge import packed
from switchboard.knowledge.articles import Article, chunk_article
from switchboard.knowledge.importer import import_articles
from switchboard.knowledge.stored import open_index
from tests.support.memory import InMemoryStore, MemoryDatabase


def _chunks() -> list:
    articles = [Article(f"a{i}", f"Title {i}", f"Refund {i} takes {i % 7} days. Card or cash {i}.") for i in range(300)]
    return sorted((c for a in articles for c in chunk_article(a)), key=lambda c: c.id)


def test_packed_tables_read_back_as_the_same_postings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(packed, "SHARD_RAW_BYTES", 500)
    chunks = _chunks()
    keys = [packed.chunk_key(c) for c in chunks]
    tables = packed.build_tables(chunks, keys)
    index = packed.pack(tables, chunks)
    assert index.meta["shards"] > 10 and set(index.meta["checksums"]) == set(index.blobs)
    core = packed.unpack_core(index.meta, packed.assemble(index.meta, "core", index.blobs))
    assert core.n == len(chunks) and core.avg_len == tables.avg_len
    assert np.array_equal(core.lengths, tables.lengths) and np.array_equal(core.article_of, tables.article_of)
    assert [core.key(i) for i in range(core.n)] == keys
    for term, (ords, freqs) in tables.postings.items():
        (name,) = packed.shard_names(index.meta, [term])
        found = packed.Shard(index.blobs[name]).get(term)
        assert found is not None and np.array_equal(found[0], ords) and np.array_equal(found[1], freqs)
    assert packed.Shard(index.blobs["terms.0"]).get("nowhere") is None


def test_chunk_keys_change_with_the_content_and_the_embedder() -> None:
    chunk = _chunks()[0]
    assert packed.chunk_key(chunk) == packed.chunk_key(chunk) and len(packed.chunk_key(chunk)) == 24
    assert packed.chunk_key(chunk) != packed.chunk_key(chunk, "genai:gemini-embedding-001:768")
    other = chunk_article(Article("a0", "Title 0", "Refund 0 takes 1 day."))[0]
    assert packed.chunk_key(other) != packed.chunk_key(chunk)


@pytest.mark.parametrize("blob", ["core", "terms.0"])
def test_a_damaged_blob_is_refused(blob: str) -> None:
    db = MemoryDatabase()
    store = InMemoryStore(db)
    version = import_articles(store, "t", [Article("a", "Refunds", "Refunds take five days.")]).version
    blobs = db.kb_versions[("t", version)][2]
    blobs[blob] = blobs[blob][:-1] + bytes([blobs[blob][-1] ^ 1])
    with pytest.raises(StoreError, match="checksum"):
        open_index(store, "t", version).search("refund days")


def test_a_version_without_a_packed_index_is_searched_lexically_from_its_articles() -> None:
    db = MemoryDatabase()
    store = InMemoryStore(db)
    version = import_articles(store, "t", [Article("a", "Refunds", "Refunds take five days.")]).version
    del db.kb_versions[("t", version)][1]["index"]  # as a version of an earlier release
    index = open_index(store, "t", version)
    assert not index.has_vectors and [p.article_id for p in index.search("refund days")] == ["a"]


def test_a_blob_larger_than_a_document_is_stored_in_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(packed, "PART_BYTES", 1000)
    chunks = _chunks()
    tables = packed.build_tables(chunks, [packed.chunk_key(c) for c in chunks])
    index = packed.pack(tables, chunks, {"articles": bytes(range(256)) * 10})
    assert index.meta["parts"]["core"] > 1 and index.meta["parts"]["articles"] == 3
    assert all(len(b) <= 1000 for b in index.blobs.values()) and "core" not in index.blobs
    assert packed.assemble(index.meta, "articles", index.blobs) == bytes(range(256)) * 10
    core = packed.unpack_core(index.meta, packed.assemble(index.meta, "core", index.blobs))
    assert [core.key(i) for i in range(core.n)] == [packed.chunk_key(c) for c in chunks]
    missing = {k: v for k, v in index.blobs.items() if k != "articles.1"}
    with pytest.raises(packed.CorruptIndexError, match="missing"):
        packed.assemble(index.meta, "articles", missing)


def test_a_failing_vector_search_leaves_the_question_to_lexical_retrieval(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(packed, "WHOLE_BYTES", 0)  # an index too large to be read whole

    class Failing(InMemoryStore):
        def nearest_chunks(self, tenant_id: str, vector: Any, limit: int) -> list[tuple[str, Any]]:
            raise StoreError("the vector index is still building")

    class Embedder:
        name = "test:2"

        def embed(self, texts: list[str], kind: str) -> list[list[float]]:
            return [[1.0, 0.0] for _ in texts]

    store = Failing(MemoryDatabase())
    articles = [Article("a", "Refunds", "Refunds take five days."), Article("b", "Exports", "Exports run nightly.")]
    version = import_articles(store, "t", articles, embedder=Embedder()).version  # type: ignore[arg-type]
    index = open_index(store, "t", version)
    assert index.has_vectors
    (best,) = index.search("refund days", 1, [1.0, 0.0])  # the lexical candidates keep their cosine
    assert best.article_id == "a" and "vector search failed" in caplog.text


def test_a_small_index_is_read_whole_and_its_questions_read_nothing() -> None:
    class Counting(InMemoryStore):
        reads = 0

        def load_kb_blobs(self, tenant_id: str, kb_version: int, names: Any) -> dict[str, bytes]:
            Counting.reads += 1
            return super().load_kb_blobs(tenant_id, kb_version, names)

        def nearest_chunks(self, tenant_id: str, vector: Any, limit: int) -> list[tuple[str, Any]]:
            raise AssertionError("a small index searches its vectors in memory")

    class Embedder:
        name = "test:2"

        def embed(self, texts: list[str], kind: str) -> list[list[float]]:
            return [[1.0, 0.0] if "refund" in t.lower() else [0.0, 1.0] for t in texts]

    store = Counting(MemoryDatabase())
    articles = [Article("a", "Refunds", "Refunds take five days."), Article("b", "Exports", "Exports run nightly.")]
    version = import_articles(store, "t", articles, embedder=Embedder()).version  # type: ignore[arg-type]
    Counting.reads = 0
    index = open_index(store, "t", version)
    assert Counting.reads == 1 and index.has_vectors
    (best,) = index.search("how long for my money back", 1, [1.0, 0.0])
    assert best.article_id == "a" and best.dense == 1.0 and Counting.reads == 1
