"""A published knowledge-base version served from the store, read lazily and in parts.

Opening a version reads its meta and the core tables (per-chunk lengths, articles and keys:
a few bytes per chunk). A question then reads the term shards of its own words that this
instance does not hold yet (one BatchGet), and the texts of the passages it returns; with a
query vector, the store's vector search finds the nearest chunks and the few candidates' vectors
are read. Nothing is rebuilt: the import did the tokenising (:mod:`switchboard.knowledge.packed`).
An instance keeps what it read, within bounds, for the next question.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

import numpy as np

from switchboard.errors import StoreError
from switchboard.knowledge.articles import Chunk
from switchboard.knowledge.packed import (
    CorruptIndexError,
    LexicalTables,
    Shard,
    assemble,
    shard_names,
    stored_names,
    unpack_core,
)
from switchboard.knowledge.profile import KbProfile
from switchboard.knowledge.retrieval import KnowledgeIndex

log = logging.getLogger(__name__)

#: Decompressed term shards kept per index (bytes); the least recently read are dropped.
SHARD_BUDGET = 48_000_000
#: Chunk texts and vectors kept per index.
CHUNK_CACHE = 4096
#: Extra neighbours asked of the vector search, for chunks no longer in this version.
NEAREST_SLACK = 10


class KnowledgeReader(Protocol):
    """The store reads a stored index needs (:class:`switchboard.store.base.TurnStore` has them)."""

    def load_kb_meta(self, tenant_id: str, kb_version: int) -> dict[str, Any] | None: ...

    def load_kb_blobs(self, tenant_id: str, kb_version: int, names: Sequence[str]) -> dict[str, bytes]: ...

    def get_chunks(
        self, tenant_id: str, keys: Sequence[str], vectors: bool = False
    ) -> dict[str, tuple[Chunk | None, Any]]: ...

    def nearest_chunks(self, tenant_id: str, vector: Sequence[float], limit: int) -> list[tuple[str, Any]]: ...


def open_index(store: KnowledgeReader, tenant_id: str, kb_version: int) -> KnowledgeIndex:
    """The index of one published version: its meta and core tables read, the rest on demand.

    A tenant without a knowledge base gets an empty index.
    Raises:
        StoreError: When the version's blobs are missing or damaged (a retry reads the
            tenant's current version).
    """
    meta = store.load_kb_meta(tenant_id, kb_version) if kb_version > 0 else None
    index_meta = (meta or {}).get("index")
    if not index_meta:
        if meta is not None:
            log.warning("knowledge-base version has no packed index: import it again", extra={"tenant": tenant_id})
        return KnowledgeIndex([])
    found = store.load_kb_blobs(tenant_id, kb_version, stored_names(index_meta, ["core"]))
    try:
        tables = unpack_core(index_meta, assemble(index_meta, "core", found))
    except CorruptIndexError as exc:
        raise StoreError(f"knowledge base {kb_version}: {exc}") from exc
    lexicon = StoredLexicon(lambda wanted: store.load_kb_blobs(tenant_id, kb_version, wanted), index_meta, tables)
    source = StoredChunks(store, tenant_id, tables, int(index_meta.get("dims", 0)))
    return KnowledgeIndex.over(lexicon, source, KbProfile.from_dict((meta or {}).get("profile") or {}))


class StoredLexicon:
    """A :class:`switchboard.knowledge.retrieval.Lexicon` reading term shards as questions need them."""

    def __init__(
        self, fetch: Callable[[list[str]], dict[str, bytes]], meta: dict[str, Any], tables: LexicalTables
    ) -> None:
        self.tables = tables
        self._fetch = fetch
        self._meta = meta
        self._shards: OrderedDict[str, Shard] = OrderedDict()
        self._held = 0
        self._lock = threading.Lock()

    def prefetch(self, terms: Iterable[str]) -> None:
        missing = [n for n in shard_names(self._meta, terms) if n not in self._shards]
        if not missing:
            return
        found = self._fetch(stored_names(self._meta, missing))
        try:
            shards = {name: Shard(assemble(self._meta, name, found)) for name in missing}
        except CorruptIndexError as exc:
            raise StoreError(f"knowledge base: {exc}") from exc
        with self._lock:
            for name, shard in shards.items():
                if name not in self._shards:
                    self._shards[name] = shard
                    self._held += shard.nbytes
            while self._held > SHARD_BUDGET and len(self._shards) > len(missing):
                _, dropped = self._shards.popitem(last=False)
                self._held -= dropped.nbytes

    def postings(self, term: str) -> tuple[Any, Any] | None:
        (name,) = shard_names(self._meta, [term])
        for _ in range(3):
            shard = self._shards.get(name)
            if shard is not None:
                return shard.get(term)
            self.prefetch([term])
        raise StoreError("knowledge base: a term shard could not be held")


class StoredChunks:
    """A :class:`switchboard.knowledge.retrieval.ChunkSource` reading chunks and vectors by key."""

    def __init__(self, store: KnowledgeReader, tenant_id: str, tables: LexicalTables, dims: int) -> None:
        self._store = store
        self._tenant = tenant_id
        self._tables = tables
        self._dims = dims
        self.has_vectors = dims > 0
        self._chunks: OrderedDict[int, Chunk] = OrderedDict()
        self._vectors: OrderedDict[int, Any] = OrderedDict()
        self._ordinal_of: dict[str, int] | None = None
        self._lock = threading.Lock()

    def chunks(self, ordinals: Sequence[int]) -> dict[int, Chunk]:
        missing = [i for i in ordinals if i not in self._chunks]
        if missing:
            found = self._store.get_chunks(self._tenant, [self._tables.key(i) for i in missing])
            for i in missing:
                chunk = found.get(self._tables.key(i), (None, None))[0]
                if chunk is not None:
                    with self._lock:
                        _remember(self._chunks, i, chunk)
        return {i: c for i in ordinals if (c := self._chunks.get(i)) is not None}

    def nearest(self, vector: Sequence[float], n: int) -> list[int]:
        if len(vector) != self._dims:
            return []  # another embedder's vector: lexical only until the KB is re-imported
        if self._ordinal_of is None:
            text = self._tables.keys.hex()
            self._ordinal_of = {text[i * 24 : i * 24 + 24]: i for i in range(self._tables.n)}
        out = []
        for key, vec in self._store.nearest_chunks(self._tenant, vector, n + NEAREST_SLACK):
            ordinal = self._ordinal_of.get(key)
            if ordinal is not None:  # a chunk of another version is not ours
                with self._lock:
                    _remember(self._vectors, ordinal, np.asarray(vec, dtype=np.float32))
                out.append(ordinal)
        return out[:n]

    def similarities(self, vector: Sequence[float], ordinals: Sequence[int]) -> dict[int, float]:
        if len(vector) != self._dims:
            return {}
        missing = [i for i in ordinals if i not in self._vectors]
        if missing:
            found = self._store.get_chunks(self._tenant, [self._tables.key(i) for i in missing], vectors=True)
            for i in missing:
                vec = found.get(self._tables.key(i), (None, None))[1]
                if vec is not None:
                    with self._lock:
                        _remember(self._vectors, i, np.asarray(vec, dtype=np.float32))
        query = np.asarray(vector, dtype=np.float32)
        return {i: float(v @ query) for i in ordinals if (v := self._vectors.get(i)) is not None}


def _remember(cache: OrderedDict[int, Any], key: int, value: Any) -> None:
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > CHUNK_CACHE:
        cache.popitem(last=False)
