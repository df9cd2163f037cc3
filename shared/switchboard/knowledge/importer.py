"""Importing articles: merge or replace, chunk, embed what is new, index, profile, publish atomically."""

from __future__ import annotations

import json
import secrets
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np

from switchboard.knowledge.articles import Article, Chunk, KbRelease, StoredChunk, chunk_article
from switchboard.knowledge.packed import article_key, build_tables, chunk_key, pack
from switchboard.knowledge.profile import build_profile
from switchboard.knowledge.retrieval import KnowledgeIndex, MemoryChunks, MemoryLexicon
from switchboard.llm.base import Embedder
from switchboard.store.base import TurnStore

EMBED_BATCH = 100
#: An import holds the tenant's import lease this long past its last renewal; a crashed import
#: blocks the next one at most this long.
IMPORT_LEASE = timedelta(minutes=10)
LEASE_RENEWAL_SECONDS = 60.0
#: Stored vectors are read back in batches of this many chunks.
REUSE_BATCH = 1000
#: A chunk's vector is its text embedded as a document plus this much of its article's title
#: embedded as a question, renormalised. Customers ask in the words of an FAQ's title far more
#: often than in the words of its body, and a question matches a question better than a passage:
#: on the benchmark's development questions (five knowledge bases, two languages) recall@1
#: went from 0.576 to 0.637 macro at 0.5 (0.25, 0.75 and 1.0 read 0.619, 0.628 and 0.625;
#: ``benchmarks/title_weight.py``), the query side unchanged (docs/embeddings.md).
TITLE_WEIGHT = 0.5
#: Names the way chunk vectors are made; part of a chunk's key, so an import after a change
#: embeds every chunk again instead of mixing vectors of two recipes in one index.
VECTOR_RECIPE = f"doc+title{TITLE_WEIGHT:g}"


@dataclass(frozen=True)
class ImportReport:
    """What an import did.

    Attributes:
        embedded_now: Chunks embedded by this import (the others were unchanged and reused).
        written: Chunks and articles written (unchanged ones are not written again).
    """

    tenant_id: str
    version: int
    articles: int
    chunks: int
    embedded: bool
    profile: dict[str, object]
    embedded_now: int = 0
    written: int = 0


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
        progress: Called as ``progress(stage, done, total)`` (stages ``reuse``, ``embed``,
            ``index``, ``profile``, ``write``).

    Imports of one tenant run one at a time (the store's import lease); a second one meanwhile
    gets a ConflictError.

    Returns:
        The new version, counts and the KB's profile (its language and how off-domain
        questions score against it: :mod:`switchboard.knowledge.profile`). Nothing is visible
        to readers until the final switch. A chunk the store already holds (same content,
        same embedder, same :data:`VECTOR_RECIPE`) is neither embedded nor written again, so
        re-importing an unchanged knowledge base, or re-running an import that failed, redoes
        only what is missing.
    """
    owner = secrets.token_hex(8)
    store.lock_imports(tenant_id, owner, IMPORT_LEASE)
    try:
        return _import(
            store, tenant_id, articles, replace, embedder, _Renewing(store, tenant_id, owner, progress), owner
        )
    finally:
        store.unlock_imports(tenant_id, owner)


class _Renewing:
    """Passes progress on and renews the import lease at most once a minute."""

    def __init__(
        self, store: TurnStore, tenant_id: str, owner: str, progress: Callable[[str, int, int], None] | None
    ) -> None:
        self._store, self._tenant, self._owner, self._progress = store, tenant_id, owner, progress
        self._renewed = time.monotonic()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if time.monotonic() - self._renewed > LEASE_RENEWAL_SECONDS:
            self._store.lock_imports(self._tenant, self._owner, IMPORT_LEASE)
            self._renewed = time.monotonic()
        if self._progress:
            self._progress(stage, done, total)


def _import(
    store: TurnStore,
    tenant_id: str,
    articles: Sequence[Article],
    replace: bool,
    embedder: Embedder | None,
    report: Callable[[str, int, int], None],
    owner: str,
) -> ImportReport:
    tenant = store.get_tenant(tenant_id)
    base_version = tenant.kb_version if tenant else 0  # read first: what follows is as of this version
    merged: dict[str, Article] = {} if replace else {a.id: a for a in store.list_articles(tenant_id)}
    merged.update({a.id: a for a in articles})
    final = sorted(merged.values(), key=lambda a: a.id)
    chunks: list[Chunk] = sorted((c for a in final for c in chunk_article(a)), key=lambda c: c.id)
    model = embedder.name if embedder is not None else ""
    keys = [chunk_key(c, f"{model}#{VECTOR_RECIPE}" if model else "") for c in chunks]
    existing_chunks, existing_articles = store.knowledge_keys(tenant_id)
    matrix, embedded_now, rewrite = _vectors(store, tenant_id, chunks, keys, existing_chunks, embedder, report)
    report("index", 0, len(chunks))
    tables = build_tables(chunks, keys)
    report("index", len(chunks), len(chunks))
    index = KnowledgeIndex.over(MemoryLexicon(tables), MemoryChunks(chunks, matrix=matrix))
    report("profile", 0, 1)
    profile = build_profile(index, final, embedder if matrix is not None else None).as_dict()
    report("profile", 1, 1)
    pairs = [(a.id, article_key(a)) for a in final]
    listing = zlib.compress(json.dumps([[i, k] for i, k in pairs], ensure_ascii=False).encode(), 6)
    packed = pack(tables, chunks, {"articles": listing}, matrix)
    blobs = packed.blobs
    index_meta = {**packed.meta, "dims": 0 if matrix is None else int(matrix.shape[1]), "dense_model": model}
    release = KbRelease(
        articles=[(k, merged[i]) for i, k in pairs],
        chunks=[
            StoredChunk(k, c, None if matrix is None else matrix[i])
            for i, (k, c) in enumerate(zip(keys, chunks, strict=True))
        ],
        meta={"articles": len(final), "chunks": len(chunks), "profile": profile, "index": index_meta},
        blobs=blobs,
        existing_chunks=frozenset(existing_chunks - rewrite),
        existing_articles=frozenset(existing_articles),
        base_version=base_version,
        lease_owner=owner,
    )
    written = sum(1 for c in release.chunks if c.key not in release.existing_chunks)
    written += sum(1 for k, _ in release.articles if k not in release.existing_articles)
    version = store.publish_knowledge(tenant_id, release, lambda done, total: report("write", done, total))
    return ImportReport(tenant_id, version, len(final), len(chunks), matrix is not None, profile, embedded_now, written)


def embed_chunks(embedder: Embedder, chunks: Sequence[Chunk], titles: dict[str, Any] | None = None) -> list[Any]:
    """The vectors of ``chunks`` (:data:`VECTOR_RECIPE`): each chunk's title and text embedded
    as a document, plus ``TITLE_WEIGHT`` of its title embedded as a question, at unit length
    (float32 arrays; the document vector alone for an untitled chunk).

    One embedding call for the texts and one for the titles not in ``titles`` yet (the title
    vectors already asked, which this adds to: an article's chunks are contiguous, so a caller
    embedding in batches asks each title once).
    """
    titles = {} if titles is None else titles
    new = list(dict.fromkeys(c.title for c in chunks if c.title.strip() and c.title not in titles))
    if new:
        titles.update(zip(new, embedder.embed(new, "query"), strict=True))
    documents = embedder.embed([f"{c.title}\n{c.text}" for c in chunks], "document")
    out = []
    for chunk, document in zip(chunks, documents, strict=True):
        vector = np.asarray(document, dtype=np.float32)
        title = titles.get(chunk.title) if chunk.title.strip() else None
        if title is not None:
            vector = vector + TITLE_WEIGHT * np.asarray(title, dtype=np.float32)
        norm = float(np.linalg.norm(vector))
        out.append(vector / norm if norm > 0 else vector)
    return out


def _vectors(
    store: TurnStore,
    tenant_id: str,
    chunks: list[Chunk],
    keys: list[str],
    existing: set[str],
    embedder: Embedder | None,
    report: Callable[[str, int, int], None],
) -> tuple[Any, int, set[str]]:
    """Every chunk's vector as one float32 matrix: stored ones reused, the rest embedded.

    Returns the matrix (None without an embedder), how many chunks were embedded, and the
    keys that exist in the store without a vector (to be written again with one).
    """
    if embedder is None or not chunks:
        return None, 0, set()
    matrix: Any = None

    def put(i: int, vector: Any) -> None:
        nonlocal matrix
        if matrix is None:
            matrix = np.zeros((len(chunks), len(vector)), dtype=np.float32)
        matrix[i] = vector

    position = {k: i for i, k in enumerate(keys)}
    known = [k for k in keys if k in existing]
    reused: set[str] = set()
    for start in range(0, len(known), REUSE_BATCH):
        for key, vector in store.chunk_vectors(tenant_id, known[start : start + REUSE_BATCH]).items():
            if matrix is None or len(vector) == matrix.shape[1]:
                put(position[key], vector)
                reused.add(key)
        report("reuse", min(len(known), start + REUSE_BATCH), len(known))
    todo = [i for i, k in enumerate(keys) if k not in reused]
    titles: dict[str, Any] = {}
    for start in range(0, len(todo), EMBED_BATCH):
        batch = todo[start : start + EMBED_BATCH]
        for i, vector in zip(batch, embed_chunks(embedder, [chunks[i] for i in batch], titles), strict=True):
            put(i, vector)
        last = chunks[batch[-1]].title  # the next batch may go on with this article
        titles = {last: titles[last]} if last in titles else {}
        report("embed", min(len(todo), start + EMBED_BATCH), len(todo))
    return matrix, len(todo), {keys[i] for i in todo} & existing
