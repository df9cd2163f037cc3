"""The per-instance index cache: one open per tenant and version, bounded by count and bytes."""

from __future__ import annotations

from switchboard.knowledge.articles import Article, chunk_article
from switchboard.knowledge.cache import IndexCache
from switchboard.knowledge.retrieval import KnowledgeIndex


def _index(words: int) -> KnowledgeIndex:
    return KnowledgeIndex(chunk_article(Article("a", "Title", " ".join(f"w{i}" for i in range(words)))))


def test_an_index_is_opened_once_per_version_and_again_for_a_new_one() -> None:
    opened: list[tuple[str, int]] = []

    def opener(tenant: str, version: int) -> KnowledgeIndex:
        opened.append((tenant, version))
        return _index(5)

    cache = IndexCache(opener)
    first = cache.get("t", 1)
    assert cache.get("t", 1) is first and opened == [("t", 1)]
    assert cache.get("t", 2) is not first and opened == [("t", 1), ("t", 2)]


def test_the_least_recently_used_index_goes_first_by_count_and_by_bytes() -> None:
    opened: list[str] = []

    def opener(tenant: str, version: int) -> KnowledgeIndex:
        opened.append(tenant)
        return _index(100 if tenant.startswith("big") else 5)

    cache = IndexCache(opener, max_tenants=2)
    cache.get("a", 1)
    cache.get("b", 1)
    cache.get("a", 1)  # a is now the most recent
    cache.get("c", 1)  # b goes
    cache.get("a", 1)
    assert opened == ["a", "b", "c"]
    cache.get("b", 1)
    assert opened == ["a", "b", "c", "b"]

    size = _index(100).nbytes
    cache = IndexCache(opener, max_tenants=10, max_bytes=int(size * 1.5))
    cache.get("big1", 1)
    cache.get("big2", 1)  # over the budget: big1 goes, the one in use stays
    opened.clear()
    cache.get("big2", 1)
    cache.get("big1", 1)
    assert opened == ["big1"]
