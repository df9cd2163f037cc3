"""Importing articles: merge or replace, chunk, embed (when configured), profile, publish atomically."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from switchboard.knowledge.articles import Article, Chunk, chunk_article
from switchboard.knowledge.profile import build_profile
from switchboard.knowledge.retrieval import KnowledgeIndex
from switchboard.llm.base import Embedder
from switchboard.store.base import TurnStore

EMBED_BATCH = 100


@dataclass(frozen=True)
class ImportReport:
    """What an import did."""

    tenant_id: str
    version: int
    articles: int
    chunks: int
    embedded: bool
    profile: dict[str, object]


def import_articles(
    store: TurnStore,
    tenant_id: str,
    articles: Sequence[Article],
    *,
    replace: bool = False,
    embedder: Embedder | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> ImportReport:
    """Publish a new knowledge-base version for ``tenant_id``.

    Args:
        store: The store.
        tenant_id: Target tenant (created if missing).
        articles: Articles to add or update (by id).
        replace: Drop articles not in ``articles`` instead of keeping them.
        embedder: When given, chunks get embeddings for dense retrieval.
        progress: Called as ``progress(stage, done, total)``.

    Returns:
        The new version, counts and the KB's profile (its language and how off-domain
        questions score against it: :mod:`switchboard.knowledge.profile`). Nothing is visible
        to readers until the final switch.
    """
    merged: dict[str, Article] = {} if replace else {a.id: a for a in store.list_articles(tenant_id)}
    merged.update({a.id: a for a in articles})
    final = sorted(merged.values(), key=lambda a: a.id)
    chunks: list[Chunk] = [c for a in final for c in chunk_article(a)]
    vectors: dict[str, list[float]] = {}
    if embedder is not None:
        for start in range(0, len(chunks), EMBED_BATCH):
            batch = chunks[start : start + EMBED_BATCH]
            for chunk, vector in zip(
                batch, embedder.embed([f"{c.title}\n{c.text}" for c in batch], "document"), strict=True
            ):
                vectors[chunk.id] = vector
            if progress:
                progress("embed", min(len(chunks), start + EMBED_BATCH), len(chunks))
    if progress:
        progress("profile", 0, 1)
    profile = build_profile(KnowledgeIndex(chunks, vectors), final, embedder if vectors else None).as_dict()
    if progress:
        progress("profile", 1, 1)
    total = 1 + len(final) + len(chunks)
    version = store.publish_knowledge(
        tenant_id,
        final,
        chunks,
        vectors,
        (lambda done: progress("write", done, total)) if progress else None,
        profile=profile,
    )
    return ImportReport(tenant_id, version, len(final), len(chunks), bool(vectors), profile)
