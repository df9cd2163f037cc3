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

from switchboard.errors import ConflictError, StoreError
from switchboard.knowledge.articles import Article, Chunk, chunk_article
from switchboard.knowledge.packed import (
    KEY_BYTES,
    CorruptIndexError,
    LexicalTables,
    Shard,
    assemble,
    shard_names,
    stored_names,
    unpack_core,
    unpack_texts,
)
from switchboard.knowledge.profile import KbProfile
from switchboard.knowledge.retrieval import KnowledgeIndex, MemoryChunks

log = logging.getLogger(__name__)

#: Decompressed term shards kept per index (bytes); the least recently read are dropped. An
#: instance keeps up to 32 tenants' indexes (:class:`switchboard.knowledge.cache.IndexCache`).
SHARD_BUDGET = 16_000_000
#: Vectors kept per index (3 kB each at 768 dimensions), and pages of chunk texts (32 chunks each).
CHUNK_CACHE = 2048
TEXT_PAGES_HELD = 128

#: Extra neighbours asked of the vector search, for chunks of other versions (an import in
#: progress or one that failed); the search asks again for more while they crowd ours out.
NEAREST_SLACK = 10
#: Firestore's ``find_nearest`` returns at most this many documents.
NEAREST_MAX = 1000


class KnowledgeReader(Protocol):
    """The store reads a stored index needs (:class:`switchboard.store.base.TurnStore` has them)."""

    def load_kb_meta(self, tenant_id: str, kb_version: int) -> dict[str, Any] | None: ...

    def load_kb_blobs(self, tenant_id: str, kb_version: int, names: Sequence[str]) -> dict[str, bytes]: ...

    def get_chunks(
        self, tenant_id: str, keys: Sequence[str], vectors: bool = False
    ) -> dict[str, tuple[Chunk | None, Any]]: ...

    def nearest_chunks(self, tenant_id: str, vector: Sequence[float], limit: int) -> list[tuple[str, Any]]: ...

    def list_articles(self, tenant_id: str) -> list[Article]: ...


def open_index(store: KnowledgeReader, tenant_id: str, kb_version: int) -> KnowledgeIndex:
    """The index of one published version: its meta and core tables read, the rest on demand.

    A tenant without a knowledge base gets an empty index. A version published before the
    packed index existed is indexed in memory from its articles, lexically, until it is
    imported again.
    Raises:
        StoreError: When the version is gone (two imports within the tenant cache's lifetime)
            or its blobs are missing or damaged; a retry reads the tenant's current version.
    """
    if kb_version <= 0:
        return KnowledgeIndex([])
    meta = store.load_kb_meta(tenant_id, kb_version)
    if meta is None:
        raise StoreError(f"knowledge base {kb_version} is no longer stored")
    index_meta = meta.get("index")
    if not index_meta:
        log.warning("knowledge-base version has no packed index: import it again", extra={"tenant": tenant_id})
        chunks = [c for a in store.list_articles(tenant_id) for c in chunk_article(a)]
        return KnowledgeIndex(chunks, None, KbProfile.from_dict(meta.get("profile") or {}))
    whole = bool(index_meta.get("whole"))
    shards = [f"terms.{i}" for i in range(int(index_meta["shards"]))] if whole else []
    pages = [f"texts.{i}" for i in range(int(index_meta.get("text_pages", 0)))] if whole else []
    dims = int(index_meta.get("dims", 0))
    vectors = ["vectors"] if whole and dims else []
    names = stored_names(index_meta, ["core", *shards, *pages, *vectors])
    found = store.load_kb_blobs(tenant_id, kb_version, names)
    try:
        tables = unpack_core(index_meta, assemble(index_meta, "core", found))
    except CorruptIndexError as exc:
        raise StoreError(f"knowledge base {kb_version}: {exc}") from exc

    def fetch(wanted: list[str]) -> dict[str, bytes]:
        return store.load_kb_blobs(tenant_id, kb_version, wanted)

    lexicon = StoredLexicon(fetch, index_meta, tables, budget=0 if whole else SHARD_BUDGET)
    lexicon.hold(shards, found)
    profile = KbProfile.from_dict(meta.get("profile") or {})
    if not whole:
        return KnowledgeIndex.over(lexicon, StoredChunks(store, tenant_id, tables, index_meta, fetch), profile)
    try:  # a small index, read whole: its questions read nothing from the store
        chunks = [c for name in pages for c in unpack_texts(assemble(index_meta, name, found))]
        matrix = None
        if vectors:
            raw = assemble(index_meta, "vectors", found)
            matrix = np.frombuffer(raw, dtype="<f4").reshape(tables.n, dims)
    except (CorruptIndexError, ValueError) as exc:
        raise StoreError(f"knowledge base {kb_version}: {exc}") from exc
    return KnowledgeIndex.over(lexicon, MemoryChunks(chunks, matrix=matrix), profile)


class StoredLexicon:
    """A :class:`switchboard.knowledge.retrieval.Lexicon` reading term shards as questions need them.

    Shards are kept least recently used first out, within ``SHARD_BUDGET``; the shards of the
    question being answered are the last to go.
    """

    def __init__(
        self,
        fetch: Callable[[list[str]], dict[str, bytes]],
        meta: dict[str, Any],
        tables: LexicalTables,
        budget: int = SHARD_BUDGET,
    ) -> None:
        self.tables = tables
        self._fetch = fetch
        self._meta = meta
        self._budget = budget  # 0: every shard is held (a small index, read whole)
        self._shards: OrderedDict[str, Shard] = OrderedDict()
        self._held = 0
        self._lock = threading.Lock()

    def hold(self, names: list[str], found: dict[str, bytes]) -> None:
        """Keep the shards ``names`` from blobs already read (an index read whole)."""
        for name, shard in self._decode(names, found).items():
            self._shards[name] = shard
            self._held += shard.nbytes

    @property
    def nbytes(self) -> int:
        """Bytes held: the core tables and the shards."""
        return self._held + len(self.tables.keys) + 12 * self.tables.n

    def prefetch(self, terms: Iterable[str]) -> None:
        names = shard_names(self._meta, terms)
        with self._lock:
            for name in names:
                if name in self._shards:
                    self._shards.move_to_end(name)
        missing = [n for n in names if n not in self._shards]
        if not missing:
            return
        shards = self._read(missing)
        with self._lock:
            for name, shard in shards.items():
                if name not in self._shards:
                    self._shards[name] = shard
                    self._held += shard.nbytes
            while self._budget and self._held > self._budget and len(self._shards) > len(names):
                _, dropped = self._shards.popitem(last=False)
                self._held -= dropped.nbytes

    def _read(self, names: list[str]) -> dict[str, Shard]:
        return self._decode(names, self._fetch(stored_names(self._meta, names)))

    def _decode(self, names: list[str], found: dict[str, bytes]) -> dict[str, Shard]:
        try:
            return {name: Shard(assemble(self._meta, name, found)) for name in names}
        except CorruptIndexError as exc:
            raise StoreError(f"knowledge base: {exc}") from exc

    def postings(self, term: str) -> tuple[Any, Any] | None:
        (name,) = shard_names(self._meta, [term])
        shard = self._shards.get(name)
        if shard is None:
            self.prefetch([term])
            shard = self._shards.get(name)
        if shard is None:  # dropped at once by another question's shards: read it for this one
            shard = self._read([name])[name]
        return shard.get(term)


class StoredChunks:
    """A :class:`switchboard.knowledge.retrieval.ChunkSource` reading chunks and vectors by key.

    A vector search that fails (its index still building after a deployment, or built for
    another dimension) leaves the question to lexical retrieval rather than failing the turn.
    """

    def __init__(
        self,
        store: KnowledgeReader,
        tenant_id: str,
        tables: LexicalTables,
        meta: dict[str, Any],
        fetch: Callable[[list[str]], dict[str, bytes]],
    ) -> None:
        self._store = store
        self._tenant = tenant_id
        self._tables = tables
        self._meta = meta
        self._fetch = fetch
        self._dims = int(meta.get("dims", 0))
        self._page = int(meta.get("text_page", 1))
        self.has_vectors = self._dims > 0
        self._pages: OrderedDict[int, list[Chunk]] = OrderedDict()
        self._vectors: OrderedDict[int, Any] = OrderedDict()
        self._by_key: tuple[Any, Any] | None = None
        self._lock = threading.Lock()

    @property
    def nbytes(self) -> int:
        """Bytes held, roughly: text pages and vectors, and the key lookup once built."""
        lookup = 0 if self._by_key is None else 20 * self._tables.n
        return 1500 * self._page * len(self._pages) + 4 * self._dims * len(self._vectors) + lookup

    def _unpack(self, name: str, found: dict[str, bytes]) -> list[Chunk]:
        try:
            return unpack_texts(assemble(self._meta, name, found))
        except CorruptIndexError as exc:
            raise StoreError(f"knowledge base: {exc}") from exc

    def chunks(self, ordinals: Sequence[int]) -> dict[int, Chunk]:
        held = {p: rows for p in {i // self._page for i in ordinals} if (rows := self._pages.get(p)) is not None}
        missing = sorted({i // self._page for i in ordinals} - set(held))
        if missing:
            names = [f"texts.{p}" for p in missing]
            found = self._fetch(stored_names(self._meta, names))
            for page, name in zip(missing, names, strict=True):
                held[page] = self._unpack(name, found)
                with self._lock:
                    self._pages[page] = held[page]
                    while len(self._pages) > TEXT_PAGES_HELD:
                        self._pages.popitem(last=False)
        return {i: held[i // self._page][i % self._page] for i in ordinals}

    def _ordinal(self, key: str) -> int | None:
        """The ordinal of the chunk stored under ``key`` in this version (None: not in it)."""
        if self._by_key is None:
            keys = np.frombuffer(self._tables.keys, dtype=f"S{KEY_BYTES}")
            order = np.argsort(keys, kind="stable")
            self._by_key = (keys[order], order)
        keys, order = self._by_key
        wanted = np.frombuffer(bytes.fromhex(key), dtype=f"S{KEY_BYTES}")[0]
        at = int(np.searchsorted(keys, wanted))
        return int(order[at]) if at < len(keys) and keys[at] == wanted else None

    def nearest(self, vector: Sequence[float], n: int) -> list[int]:
        if len(vector) != self._dims:
            return []  # another embedder's vector: lexical only until the KB is re-imported
        limit = n + NEAREST_SLACK
        while True:
            try:
                found = self._store.nearest_chunks(self._tenant, vector, limit)
            except (StoreError, ConflictError) as exc:
                log.warning("vector search failed; lexical retrieval only", extra={"error": str(exc)})
                return []
            out: dict[int, Any] = {}
            for key, vec in found:
                ordinal = self._ordinal(key)
                if ordinal is not None:  # a chunk of another version is not ours
                    out[ordinal] = np.asarray(vec, dtype=np.float32)
            if len(out) >= n or len(found) < limit or limit >= NEAREST_MAX:
                break
            limit = min(NEAREST_MAX, limit * 4)
        picked = list(out)[:n]
        with self._lock:
            for ordinal in picked:
                _remember(self._vectors, ordinal, out[ordinal])
        return picked

    def similarities(self, vector: Sequence[float], ordinals: Sequence[int]) -> dict[int, float]:
        if len(vector) != self._dims:
            return {}
        held = {i: v for i in ordinals if (v := self._vectors.get(i)) is not None}
        missing = [i for i in ordinals if i not in held]
        if missing:
            try:
                found = self._store.get_chunks(self._tenant, [self._tables.key(i) for i in missing], vectors=True)
            except (StoreError, ConflictError) as exc:
                log.warning("reading vectors failed; lexical retrieval only", extra={"error": str(exc)})
                return {}
            for i in missing:
                vec = found.get(self._tables.key(i), (None, None))[1]
                if vec is not None:
                    held[i] = np.asarray(vec, dtype=np.float32)
                    with self._lock:
                        _remember(self._vectors, i, held[i])
        query = np.asarray(vector, dtype=np.float32)
        return {i: float(held[i] @ query) for i in ordinals if i in held}


def _remember(cache: OrderedDict[int, Any], key: int, value: Any) -> None:
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > CHUNK_CACHE:
        cache.popitem(last=False)
