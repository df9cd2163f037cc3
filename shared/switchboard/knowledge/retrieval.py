"""Retrieval over a tenant's chunks: BM25F-style lexical ranking fused with dense vectors.

An index has two halves. The lexical half (:class:`Lexicon`) holds the BM25 statistics and the
postings; the chunk half (:class:`ChunkSource`) gives chunks' text and vectors and the nearest
chunks to a query vector. Both exist in memory (built from chunks, at import and in tests) and
over the store (:mod:`switchboard.knowledge.stored`: the published blobs read shard by shard,
chunk texts and vectors read for the few candidates that need them, the nearest chunks found by
the store's vector search), and the scoring below is the same for both.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, cast

import numpy as np

from switchboard.core.models import Passage
from switchboard.knowledge.articles import Chunk
from switchboard.knowledge.lexicon import candidate_words, is_english_word
from switchboard.knowledge.packed import LexicalTables, build_tables
from switchboard.knowledge.profile import KbProfile
from switchboard.knowledge.synonyms import SYNONYM_WEIGHT, SYNONYMS, canonical
from switchboard.knowledge.text import tokens

K1 = 1.2
B = 0.75
#: Chunks taken from the dense side of the index per query.
DENSE_CANDIDATES = 30
#: With a query vector, the best lexical matches that are fused with the dense candidates.
LEXICAL_CANDIDATES = 200
#: Fusion: weight of the dense z-score against the lexical one, and the logistic that maps the
#: fused z-score to 0..1 (chosen on the benchmark's development splits; docs/BENCHMARKS.md).
DENSE_WEIGHT = 0.8
FUSED_MID = 3.0
FUSED_SCALE = 1.5
_UNSEEN = object()


class Lexicon(Protocol):
    """The lexical half of an index: per-chunk lengths and articles, and postings by term."""

    tables: LexicalTables

    def prefetch(self, terms: Iterable[str]) -> None:
        """Make the postings of ``terms`` available (one store read for those not yet held)."""

    def postings(self, term: str) -> tuple[Any, Any] | None:
        """Chunk ordinals and weighted frequencies of ``term``; None when no chunk has it."""


class ChunkSource(Protocol):
    """The chunk half of an index: texts, vectors and nearest neighbours, by chunk ordinal."""

    has_vectors: bool

    def chunks(self, ordinals: Sequence[int]) -> dict[int, Chunk]:
        """The chunks at ``ordinals`` (one missing from the store is left out)."""

    def nearest(self, vector: Sequence[float], n: int) -> list[int]:
        """The ``n`` chunks nearest to ``vector`` by cosine, best first."""

    def similarities(self, vector: Sequence[float], ordinals: Sequence[int]) -> dict[int, float]:
        """The cosine similarity of ``vector`` to each chunk at ``ordinals`` that has a vector."""


class MemoryLexicon:
    """A :class:`Lexicon` holding every posting (built from chunks)."""

    def __init__(self, tables: LexicalTables) -> None:
        self.tables = tables

    def prefetch(self, terms: Iterable[str]) -> None:
        return None

    def postings(self, term: str) -> tuple[Any, Any] | None:
        return self.tables.postings.get(term)


class MemoryChunks:
    """A :class:`ChunkSource` over chunks and vectors held in memory."""

    def __init__(
        self, chunks: Sequence[Chunk], vectors: dict[str, list[float]] | None = None, matrix: Any = None
    ) -> None:
        self.items = list(chunks)
        self.matrix: Any = matrix
        if matrix is None and vectors and self.items:
            width = len(next(iter(vectors.values())))
            zero = [0.0] * width
            self.matrix = np.asarray([vectors.get(c.id, zero) for c in self.items], dtype=np.float32)
        self.has_vectors = self.matrix is not None

    @property
    def nbytes(self) -> int:
        """Bytes held, roughly: the chunks and the vectors."""
        return 1500 * len(self.items) + (0 if self.matrix is None else int(self.matrix.nbytes))

    def chunks(self, ordinals: Sequence[int]) -> dict[int, Chunk]:
        return {i: self.items[i] for i in ordinals}

    def _sims(self, vector: Sequence[float]) -> Any:
        query = np.asarray(vector, dtype=np.float32)
        if self.matrix is None or query.shape[0] != self.matrix.shape[1]:
            return None  # vectors of another embedder: lexical only until the KB is re-imported
        return self.matrix @ query

    def nearest(self, vector: Sequence[float], n: int) -> list[int]:
        sims = self._sims(vector)
        if sims is None or not len(sims):
            return []
        top = min(n, len(sims))
        picked = np.argpartition(-sims, top - 1)[:top]
        return [int(i) for i in sorted(picked, key=lambda i: (-sims[i], i))]

    def similarities(self, vector: Sequence[float], ordinals: Sequence[int]) -> dict[int, float]:
        query = np.asarray(vector, dtype=np.float32)
        if self.matrix is None or query.shape[0] != self.matrix.shape[1] or not len(ordinals):
            return {}
        sims = self.matrix[np.asarray(ordinals, dtype=np.int64)] @ query
        return {int(i): float(s) for i, s in zip(ordinals, sims, strict=True)}


@dataclass(frozen=True)
class ScoredChunk:
    """A candidate chunk (by ordinal) with its raw lexical and dense scores."""

    ordinal: int
    bm25: float
    coverage: float
    dense: float | None


class KnowledgeIndex:
    """An index over one tenant's chunks.

    Args:
        chunks: Every chunk of the tenant's knowledge base (an in-memory index).
        vectors: Optional unit-normalised embedding per chunk id (dense retrieval).
        profile: The KB's off-domain score levels (from the import), for fusion and confidence.
    """

    def __init__(
        self,
        chunks: Sequence[Chunk],
        vectors: dict[str, list[float]] | None = None,
        profile: KbProfile | None = None,
    ) -> None:
        ordered = sorted(chunks, key=lambda c: c.id)
        self._init(
            MemoryLexicon(build_tables(ordered, ["00" * 12] * len(ordered))), MemoryChunks(ordered, vectors), profile
        )

    @classmethod
    def over(cls, lexicon: Lexicon, source: ChunkSource, profile: KbProfile | None = None) -> KnowledgeIndex:
        """An index over a given lexical half and chunk half (the stored index)."""
        index = cls.__new__(cls)
        index._init(lexicon, source, profile)
        return index

    def _init(self, lexicon: Lexicon, source: ChunkSource, profile: KbProfile | None) -> None:
        self.lexicon = lexicon
        self.source = source
        self.profile = profile or KbProfile()
        self._idf: dict[str, Any] = {}

    @property
    def chunks(self) -> list[Chunk]:
        """Every chunk, in id order (in-memory indexes only)."""
        if not isinstance(self.source, MemoryChunks):
            raise TypeError("a stored index does not hold its chunks")
        return self.source.items

    def __len__(self) -> int:
        return int(self.lexicon.tables.n)

    @property
    def nbytes(self) -> int:
        """Roughly what the index holds in memory, in bytes (what the instance's cache budgets)."""
        held = getattr(self.lexicon, "nbytes", None)
        if held is None:  # in memory: every posting
            held = sum(o.nbytes + f.nbytes + 64 for o, f in self.lexicon.tables.postings.values())
        return int(held) + int(getattr(self.source, "nbytes", 0))

    def prefetch(self, query: str, words: bool = False) -> None:
        """Fetch, in one read, the postings the query's terms, synonyms (and, with ``words``, its
        possible names) need."""
        terms = list(dict.fromkeys(tokens(canonical(query))))
        if words:
            terms += [t for w in candidate_words(query) for t in tokens(canonical(w))]
        self.lexicon.prefetch({v for t in terms for v in (t, *SYNONYMS.get(t, ()))})

    def unknown_share(self, query: str) -> float:
        """Share of the query's terms (or their synonyms) found nowhere in the knowledge base.

        Paraphrases ("enable 2FA") score here as much as questions about other products
        ("reset my gmail password"); :meth:`foreign_words` tells the two apart. Shown in the
        test agent's debug and offered to the calibration as a feature.
        """
        terms = list(dict.fromkeys(tokens(canonical(query))))
        if not terms:
            return 1.0
        self.prefetch(query)
        return 1 - sum(1 for t in terms if self._knows(t)) / len(terms)

    def foreign_words(self, query: str) -> list[str]:
        """The query's words that neither this knowledge base nor the English dictionary knows.

        These are names: other products ("gmail", "hulu"), places, companies. A question built
        around one is about something the help centre does not cover, however well its other
        words match. Meaningful for English questions only (the dictionary is English).
        """
        self.prefetch(query, words=True)
        out = []
        for word in candidate_words(query):
            terms = tokens(canonical(word))
            if terms and not any(self._knows(t) for t in terms) and not is_english_word(word):
                out.append(word)
        return out

    def _knows(self, term: str) -> bool:
        return self._df_idf(term) is not None or any(self._df_idf(s) is not None for s in SYNONYMS.get(term, ()))

    def _df_idf(self, term: str) -> float | None:
        cached = self._idf.get(term, _UNSEEN)
        if cached is not _UNSEEN:
            return cast(float | None, cached)
        found = self.lexicon.postings(term)
        n = self.lexicon.tables.n
        value = None if found is None else math.log(1 + (n - len(found[0]) + 0.5) / (len(found[0]) + 0.5))
        if len(self._idf) > 50_000:
            self._idf.clear()
        self._idf[term] = value
        return value

    def idf(self, term: str) -> float:
        """Inverse document frequency of a term; unseen terms get the maximum."""
        found = self._df_idf(term)
        n = self.lexicon.tables.n
        return found if found is not None else math.log(1 + (n + 0.5) / 0.5)

    @property
    def has_vectors(self) -> bool:
        """Whether chunks carry embeddings (dense retrieval is possible)."""
        return self.source.has_vectors

    def _lexical(self, query: str) -> tuple[Any, Any, Any]:
        """Matched chunk ordinals with their BM25 and query coverage (arrays)."""
        terms = list(dict.fromkeys(tokens(canonical(query))))
        self.prefetch(query)
        tables = self.lexicon.tables
        total_idf = sum(self.idf(t) for t in terms) or 1.0
        bm25 = np.zeros(tables.n, dtype=np.float64)
        matched = np.zeros(tables.n, dtype=np.float64)
        for term in terms:
            # A chunk scores a query term once: by the term itself, else by its best synonym.
            best: Any = None
            cover: Any = None
            for variant, weight in ((term, 1.0), *((s, SYNONYM_WEIGHT) for s in SYNONYMS.get(term, ()))):
                found = self.lexicon.postings(variant)
                if found is None:
                    continue
                ords, tf = found
                idf = self._df_idf(variant) or 0.0
                norm = tf * (K1 + 1) / (tf + K1 * (1 - B + B * tables.lengths[ords] / tables.avg_len))
                gain = weight * idf * norm
                if best is None:
                    best, cover = np.zeros(tables.n, dtype=np.float64), np.zeros(tables.n, dtype=np.float64)
                better = gain > best[ords]
                best[ords[better]] = gain[better]
                cover[ords[better]] = weight * self.idf(term)
            if best is not None:
                bm25 += best
                matched += cover
        hit = np.flatnonzero(matched > 0)
        return hit, bm25[hit], matched[hit] / total_idf

    def _candidates(self, query: str, query_vector: Sequence[float] | None) -> _Candidates:
        hit, bm25, coverage = self._lexical(query)
        lexical = 0.55 * coverage + 0.45 * (bm25 / (bm25 + 6.0))
        if query_vector is None or not self.has_vectors:
            return _Candidates(hit, bm25, coverage, None, lexical)
        keep = _top(lexical, hit, LEXICAL_CANDIDATES)
        ordinals = list(
            dict.fromkeys([*(int(i) for i in hit[keep]), *self.source.nearest(query_vector, DENSE_CANDIDATES)])
        )
        sims = self.source.similarities(query_vector, ordinals)
        if not sims:
            return _Candidates(hit, bm25, coverage, None, lexical)
        # Every candidate keeps its lexical scores, a dense neighbour ranked low lexically included.
        wanted = np.asarray(ordinals, dtype=np.int64)
        at = np.minimum(np.searchsorted(hit, wanted), max(len(hit) - 1, 0))
        matched = (hit[at] == wanted) if len(hit) else np.zeros(len(wanted), dtype=bool)
        b = np.where(matched, bm25[at] if len(hit) else 0.0, 0.0)
        c = np.where(matched, coverage[at] if len(hit) else 0.0, 0.0)
        dense = [sims.get(i) for i in ordinals]
        items = [ScoredChunk(i, float(bb), float(cc), d) for i, bb, cc, d in zip(ordinals, b, c, dense, strict=True)]
        rel = np.asarray([self.relevance(item) for item in items], dtype=np.float64)
        return _Candidates(np.asarray(ordinals, dtype=np.int64), b, c, dense, rel)

    def score(self, query: str, query_vector: Sequence[float] | None = None) -> list[ScoredChunk]:
        """Score the chunks that share a term with the query and the nearest ones by vector.

        Without a vector every lexical match is a candidate. With one, the best
        ``LEXICAL_CANDIDATES`` lexical matches and the ``DENSE_CANDIDATES`` nearest chunks are,
        each carrying its lexical scores and its cosine similarity, so lexical and dense
        evidence are always fused on the same footing. (Scoring every lexical match's cosine
        would read every matching chunk's vector; on the benchmark's knowledge bases the 200
        best give the same rankings as all of them.)
        """
        found = self._candidates(query, query_vector)
        return [found.item(j) for j in range(len(found.ordinals))]

    def dense_ranking(self, query_vector: Sequence[float], n: int = 40) -> list[Chunk]:
        """The ``n`` chunks nearest to the vector by cosine alone (the dense side on its own)."""
        if not self.has_vectors:
            return []
        ordinals = self.source.nearest(query_vector, n)
        found = self.source.chunks(ordinals)
        return [found[i] for i in ordinals if i in found]

    def nearest_article_similarity(self, sample: int = 2000) -> float:
        """Mean cosine between an article's first chunk and the nearest chunk of another article.

        At most ``sample`` articles are measured (evenly spaced), in blocks, so a large KB costs
        a bounded amount of work and memory at import. In-memory indexes only.
        """
        if not isinstance(self.source, MemoryChunks) or self.source.matrix is None:
            return 0.0
        matrix = self.source.matrix
        owners = self.lexicon.tables.article_of
        firsts: dict[int, int] = {}
        for i, owner in enumerate(owners.tolist()):
            firsts.setdefault(owner, i)
        if len(firsts) < 2:
            return 0.0
        picked = list(firsts.values())[:: max(1, len(firsts) // sample)]
        best: list[float] = []
        block = max(1, 50_000_000 // max(1, len(owners)))
        for start in range(0, len(picked), block):
            rows = picked[start : start + block]
            sims = matrix[rows] @ matrix.T
            sims[owners[None, :] == owners[rows][:, None]] = -1.0
            best.extend(np.max(sims, axis=1).tolist())
        return float(np.mean(np.asarray(best, dtype=np.float32)))

    def best_scores(self, query: str, query_vector: Sequence[float] | None = None) -> tuple[float, float | None]:
        """The best lexical relevance and the best cosine similarity of any chunk (profiling)."""
        found = self._candidates(query, query_vector)
        lexical = 0.55 * found.coverage + 0.45 * (found.bm25 / (found.bm25 + 6.0))
        best = float(lexical.max()) if len(lexical) else 0.0
        dense = max((d for d in found.dense or () if d is not None), default=None)
        return best, dense

    def search(self, query: str, k: int = 5, query_vector: Sequence[float] | None = None) -> list[Passage]:
        """Return the ``k`` best passages, best first, with a relevance score in 0..1.

        Lexical relevance saturates BM25 and blends it with query coverage (how much of the
        query's IDF mass the chunk contains). With a query vector, the lexical and dense
        scores are both read against this KB's off-domain level (:class:`KbProfile`) and
        fused, so neither scale dominates on a KB it was not tuned on. At most two chunks of
        one article are returned, so sources stay diverse. Only the passages returned are
        read from the chunk source.
        """
        found = self._candidates(query, query_vector)
        owners = self.lexicon.tables.article_of
        picked: list[tuple[float, ScoredChunk]] = []
        per_article: Counter[int] = Counter()
        for j in _ranked(found.relevance, found.ordinals):
            owner = int(owners[found.ordinals[j]])
            if per_article[owner] >= 2:
                continue
            per_article[owner] += 1
            picked.append((float(found.relevance[j]), found.item(j)))
            if len(picked) >= k:
                break
        chunks = self.source.chunks([item.ordinal for _, item in picked])
        return [
            Passage(
                id=chunk.id,
                article_id=chunk.article_id,
                title=chunk.title,
                text=chunk.text,
                entry_type=chunk.entry_type,
                url=chunk.url,
                score=round(rel, 4),
                coverage=round(item.coverage, 4),
                lexical=round(lexical_relevance(item), 4),
                dense=None if item.dense is None else round(item.dense, 4),
            )
            for rel, item in picked
            if (chunk := chunks.get(item.ordinal)) is not None
        ]

    def relevance(self, item: ScoredChunk) -> float:
        """One chunk's fused relevance in 0..1 (lexical alone when it has no dense score)."""
        lexical = lexical_relevance(item)
        if item.dense is None:
            return lexical
        z = (1 - DENSE_WEIGHT) * self.profile.lexical_z(lexical) + DENSE_WEIGHT * self.profile.dense_z(item.dense)
        return 1 / (1 + math.exp(-max(-30.0, min(30.0, (z - FUSED_MID) / FUSED_SCALE))))


@dataclass(frozen=True)
class _Candidates:
    """Candidate chunks as parallel arrays: ordinal, BM25, coverage, cosine (or None), relevance."""

    ordinals: Any
    bm25: Any
    coverage: Any
    dense: list[float | None] | None
    relevance: Any

    def item(self, j: int) -> ScoredChunk:
        dense = None if self.dense is None else self.dense[j]
        return ScoredChunk(int(self.ordinals[j]), float(self.bm25[j]), float(self.coverage[j]), dense)


def _top(values: Any, ordinals: Any, n: int) -> Any:
    """Positions of the ``n`` best ``values`` (ties to the lower ordinal), best first."""
    if len(values) > n:
        cut = np.partition(values, len(values) - n)[len(values) - n]
        keep = np.flatnonzero(values >= cut)
    else:
        keep = np.arange(len(values))
    order = np.lexsort((ordinals[keep], -values[keep]))
    return keep[order][:n]


def _ranked(values: Any, ordinals: Any) -> Iterator[int]:
    """Positions in order of ``values`` descending, ties to the lower ordinal; sorted in blocks."""
    n = 64
    done = 0
    while done < len(values):
        block = _top(values, ordinals, min(len(values), n))
        yield from (int(j) for j in block[done:])
        done = len(block)
        n *= 8


def lexical_relevance(item: ScoredChunk) -> float:
    """Query coverage blended with saturated BM25, in 0..1."""
    return 0.55 * item.coverage + 0.45 * (item.bm25 / (item.bm25 + 6.0))
