"""A knowledge-base version is written in commits Firestore accepts: at most BATCH_WRITES documents
and well under its 10 MiB per commit, however large the articles."""

from __future__ import annotations

from typing import Any

from switchboard.store.firestore_kb import BATCH_BYTES, BATCH_WRITES, _batches


class Ref:
    def __init__(self, n: int) -> None:
        self._document_path = f"projects/p/databases/(default)/documents/tenants/t/kb_versions/1/articles/a{n}"


def test_large_articles_are_spread_over_commits_under_the_size_limit() -> None:
    writes: list[tuple[Any, dict[str, Any]]] = [(Ref(n), {"body": "é" * 300_000}) for n in range(100)]  # 600 KB each
    parts = list(_batches(writes))
    assert [w for part in parts for w in part] == writes  # all of them, in order
    assert all(sum(len(d["body"].encode()) for _, d in part) < BATCH_BYTES for part in parts)
    assert len(parts) >= 100 * 600_000 // BATCH_BYTES


def test_small_documents_fill_a_commit_up_to_the_count_limit() -> None:
    writes: list[tuple[Any, dict[str, Any]]] = [(Ref(n), {"title": "t"}) for n in range(2 * BATCH_WRITES + 1)]
    assert [len(p) for p in _batches(writes)] == [BATCH_WRITES, BATCH_WRITES, 1]
