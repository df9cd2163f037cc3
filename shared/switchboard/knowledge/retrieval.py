"""Retrieval over a tenant's chunks: BM25F-style lexical ranking fused with dense vectors.

The index is built in memory from the tenant's chunks and cached per instance (the chunks are
loaded once per knowledge-base version), so a turn's retrieval costs no store round trip.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from switchboard.core.models import Passage
from switchboard.knowledge.articles import Chunk
from switchboard.knowledge.lexicon import candidate_words, is_english_word
from switchboard.knowledge.profile import KbProfile
from switchboard.knowledge.synonyms import SYNONYM_WEIGHT, SYNONYMS, canonical
from switchboard.knowledge.text import tokens

TITLE_WEIGHT = 2.0
K1 = 1.2
B = 0.75
#: Chunks taken from the dense side of the index per query, besides every lexical match.
DENSE_CANDIDATES = 30
#: Fusion: weight of the dense z-score against the lexical one, and the logistic that maps the
#: fused z-score to 0..1 (chosen on the benchmark's development splits; docs/BENCHMARKS.md).
DENSE_WEIGHT = 0.8
FUSED_MID = 3.0
FUSED_SCALE = 1.5


@dataclass(frozen=True)
class ScoredChunk:
    """A chunk with its raw lexical and dense scores."""

    chunk: Chunk
    bm25: float
    coverage: float
    dense: float | None


class KnowledgeIndex:
    """An in-memory index over one tenant's chunks.

    Args:
        chunks: Every chunk of the tenant's knowledge base.
        vectors: Optional unit-normalised embedding per chunk id (dense retrieval).
        profile: The KB's off-domain score levels (from the import), for fusion and confidence.
    """

    def __init__(
        self,
        chunks: Sequence[Chunk],
        vectors: dict[str, list[float]] | None = None,
        profile: KbProfile | None = None,
    ) -> None:
        self.chunks = list(chunks)
        self.vectors = vectors or {}
        self.profile = profile or KbProfile()
        self._matrix: Any = None
        if self.vectors and self.chunks:
            import numpy as np

            width = len(next(iter(self.vectors.values())))
            zero = [0.0] * width
            self._matrix = np.asarray([self.vectors.get(c.id, zero) for c in self.chunks], dtype=np.float32)
        self._tf: list[dict[str, float]] = []
        self._len: list[float] = []
        df: Counter[str] = Counter()
        for chunk in self.chunks:
            tf: dict[str, float] = dict(Counter(tokens(canonical(chunk.text))))
            for term in tokens(canonical(chunk.title)):
                tf[term] = tf.get(term, 0.0) + TITLE_WEIGHT
            self._tf.append(tf)
            self._len.append(sum(tf.values()))
            df.update(tf.keys())
        n = len(self.chunks)
        self._avg_len = (sum(self._len) / n) if n else 1.0
        self._idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        self._postings: dict[str, list[int]] = {}
        for i, tf in enumerate(self._tf):
            for term in tf:
                self._postings.setdefault(term, []).append(i)

    def __len__(self) -> int:
        return len(self.chunks)

    def unknown_share(self, query: str) -> float:
        """Share of the query's terms (or their synonyms) found nowhere in the knowledge base.

        Paraphrases ("enable 2FA") score here as much as questions about other products
        ("reset my gmail password"); :meth:`foreign_words` tells the two apart. Shown in the
        test agent's debug and offered to the calibration as a feature.
        """
        terms = list(dict.fromkeys(tokens(canonical(query))))
        if not terms:
            return 1.0
        return 1 - sum(1 for t in terms if self._knows(t)) / len(terms)

    def foreign_words(self, query: str) -> list[str]:
        """The query's words that neither this knowledge base nor the English dictionary knows.

        These are names: other products ("gmail", "hulu"), places, companies. A question built
        around one is about something the help centre does not cover, however well its other
        words match. Meaningful for English questions only (the dictionary is English).
        """
        out = []
        for word in candidate_words(query):
            terms = tokens(canonical(word))
            if terms and not any(self._knows(t) for t in terms) and not is_english_word(word):
                out.append(word)
        return out

    def _knows(self, term: str) -> bool:
        return term in self._idf or any(s in self._idf for s in SYNONYMS.get(term, ()))

    def idf(self, term: str) -> float:
        """Inverse document frequency of a term; unseen terms get the maximum."""
        n = len(self.chunks)
        return self._idf.get(term, math.log(1 + (n + 0.5) / 0.5))

    @property
    def has_vectors(self) -> bool:
        """Whether chunks carry embeddings (dense retrieval is possible)."""
        return self._matrix is not None

    def _lexical(self, query: str) -> tuple[dict[int, float], dict[int, float]]:
        terms = list(dict.fromkeys(tokens(canonical(query))))
        total_idf = sum(self.idf(t) for t in terms) or 1.0
        bm25: dict[int, float] = {}
        matched: dict[int, float] = {}
        for term in terms:
            # A chunk scores a query term once: by the term itself, else by its best synonym.
            best: dict[int, tuple[float, float]] = {}
            for variant, weight in ((term, 1.0), *((s, SYNONYM_WEIGHT) for s in SYNONYMS.get(term, ()))):
                idf = self._idf.get(variant)
                if idf is None:
                    continue
                for i in self._postings[variant]:
                    tf = self._tf[i][variant]
                    norm = tf * (K1 + 1) / (tf + K1 * (1 - B + B * self._len[i] / self._avg_len))
                    gain = weight * idf * norm
                    if gain > best.get(i, (0.0, 0.0))[0]:
                        best[i] = (gain, weight * self.idf(term))
            for i, (gain, covered) in best.items():
                bm25[i] = bm25.get(i, 0.0) + gain
                matched[i] = matched.get(i, 0.0) + covered
        return bm25, {i: m / total_idf for i, m in matched.items()}

    def _similarities(self, query_vector: Sequence[float] | None) -> Any:
        """Cosine similarity of every chunk to the query (None without usable vectors)."""
        if query_vector is None or self._matrix is None:
            return None
        import numpy as np

        query = np.asarray(query_vector, dtype=np.float32)
        if query.shape[0] != self._matrix.shape[1]:
            return None  # vectors of another embedder: lexical only until the KB is re-imported
        return self._matrix @ query

    def score(self, query: str, query_vector: Sequence[float] | None = None) -> list[ScoredChunk]:
        """Score the chunks that share a term with the query and the nearest ones by vector.

        With a vector, every candidate carries its cosine similarity, so lexical and dense
        evidence are always fused on the same footing.
        """
        bm25, coverage = self._lexical(query)
        sims = self._similarities(query_vector)
        if sims is None:
            return [ScoredChunk(self.chunks[i], bm25[i], coverage.get(i, 0.0), None) for i in bm25]
        import numpy as np

        top = min(DENSE_CANDIDATES, len(sims))
        candidates = set(bm25) | {int(i) for i in np.argpartition(-sims, top - 1)[:top]}
        return [ScoredChunk(self.chunks[i], bm25.get(i, 0.0), coverage.get(i, 0.0), float(sims[i])) for i in candidates]

    def dense_ranking(self, query_vector: Sequence[float], n: int = 40) -> list[Chunk]:
        """The ``n`` chunks nearest to the vector by cosine alone (the dense side on its own)."""
        sims = self._similarities(query_vector)
        if sims is None:
            return []
        import numpy as np

        return [self.chunks[int(i)] for i in np.argsort(-sims)[:n]]

    def nearest_article_similarity(self, sample: int = 2000) -> float:
        """Mean cosine between an article's first chunk and the nearest chunk of another article.

        At most ``sample`` articles are measured (evenly spaced), so a large KB costs a bounded
        amount of work at import.
        """
        if self._matrix is None:
            return 0.0
        import numpy as np

        firsts: dict[str, int] = {}
        for i, chunk in enumerate(self.chunks):
            firsts.setdefault(chunk.article_id, i)
        if len(firsts) < 2:
            return 0.0
        picked = list(firsts.values())[:: max(1, len(firsts) // sample)]
        owners = np.asarray([c.article_id for c in self.chunks])
        sims = self._matrix[picked] @ self._matrix.T
        for row, i in enumerate(picked):
            sims[row, owners == self.chunks[i].article_id] = -1.0
        return float(np.mean(np.max(sims, axis=1)))

    def best_scores(self, query: str, query_vector: Sequence[float] | None = None) -> tuple[float, float | None]:
        """The best lexical relevance and the best cosine similarity of any chunk (profiling)."""
        scored = self.score(query, query_vector)
        lexical = max((lexical_relevance(s) for s in scored), default=0.0)
        dense = max((s.dense for s in scored if s.dense is not None), default=None)
        return lexical, dense

    def search(self, query: str, k: int = 5, query_vector: Sequence[float] | None = None) -> list[Passage]:
        """Return the ``k`` best passages, best first, with a relevance score in 0..1.

        Lexical relevance saturates BM25 and blends it with query coverage (how much of the
        query's IDF mass the chunk contains). With a query vector, the lexical and dense
        scores are both read against this KB's off-domain level (:class:`KbProfile`) and
        fused, so neither scale dominates on a KB it was not tuned on. At most two chunks of
        one article are returned, so sources stay diverse.
        """
        scored = self.score(query, query_vector)
        if not scored:
            return []
        fused = [(self.relevance(s), s) for s in scored]
        ranked = sorted(fused, key=lambda pair: (-pair[0], pair[1].chunk.id))
        out: list[Passage] = []
        per_article: Counter[str] = Counter()
        for relevance, item in ranked:
            if per_article[item.chunk.article_id] >= 2:
                continue
            per_article[item.chunk.article_id] += 1
            out.append(
                Passage(
                    id=item.chunk.id,
                    article_id=item.chunk.article_id,
                    title=item.chunk.title,
                    text=item.chunk.text,
                    entry_type=item.chunk.entry_type,
                    url=item.chunk.url,
                    score=round(relevance, 4),
                    coverage=round(item.coverage, 4),
                    lexical=round(lexical_relevance(item), 4),
                    dense=None if item.dense is None else round(item.dense, 4),
                )
            )
            if len(out) >= k:
                break
        return out

    def relevance(self, item: ScoredChunk) -> float:
        """One chunk's fused relevance in 0..1 (lexical alone when it has no dense score)."""
        lexical = lexical_relevance(item)
        if item.dense is None:
            return lexical
        z = (1 - DENSE_WEIGHT) * self.profile.lexical_z(lexical) + DENSE_WEIGHT * self.profile.dense_z(item.dense)
        return 1 / (1 + math.exp(-max(-30.0, min(30.0, (z - FUSED_MID) / FUSED_SCALE))))


def lexical_relevance(item: ScoredChunk) -> float:
    """Query coverage blended with saturated BM25, in 0..1."""
    return 0.55 * item.coverage + 0.45 * (item.bm25 / (item.bm25 + 6.0))
