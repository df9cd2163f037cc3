"""Retrieval over a tenant's chunks: BM25F-style lexical ranking, optional dense vectors.

The index is built in memory from the tenant's chunks and cached per instance (the chunks are
loaded once per knowledge-base version), so a turn's retrieval costs no store round trip.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from switchboard.core.models import Passage
from switchboard.knowledge.articles import Chunk
from switchboard.knowledge.lexicon import candidate_words, is_english_word
from switchboard.knowledge.synonyms import SYNONYM_WEIGHT, SYNONYMS, canonical
from switchboard.knowledge.text import tokens

TITLE_WEIGHT = 2.0
K1 = 1.2
B = 0.75


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
    """

    def __init__(self, chunks: Sequence[Chunk], vectors: dict[str, list[float]] | None = None) -> None:
        self.chunks = list(chunks)
        self.vectors = vectors or {}
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

    def score(self, query: str, query_vector: Sequence[float] | None = None) -> list[ScoredChunk]:
        """Score every chunk that shares a term with the query (or every chunk, with a vector)."""
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
        candidates = set(bm25)
        dense: dict[int, float] = {}
        if query_vector is not None and self.vectors:
            for i, chunk in enumerate(self.chunks):
                vec = self.vectors.get(chunk.id)
                if vec is not None:
                    dense[i] = sum(a * b for a, b in zip(query_vector, vec, strict=False))
            candidates |= set(dense)
        return [
            ScoredChunk(self.chunks[i], bm25.get(i, 0.0), matched.get(i, 0.0) / total_idf, dense.get(i))
            for i in candidates
        ]

    def search(self, query: str, k: int = 5, query_vector: Sequence[float] | None = None) -> list[Passage]:
        """Return the ``k`` best passages, best first, with a relevance score in 0..1.

        Lexical relevance saturates BM25 and blends it with query coverage (how much of the
        query's IDF mass the chunk contains); with vectors, cosine similarity is mixed in.
        At most two chunks of one article are returned, so sources stay diverse.
        """
        scored = self.score(query, query_vector)
        if not scored:
            return []
        ranked = sorted(((_relevance(s), s) for s in scored), key=lambda pair: (-pair[0], pair[1].chunk.id))
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
                )
            )
            if len(out) >= k:
                break
        return out


def _relevance(item: ScoredChunk) -> float:
    lexical = 0.55 * item.coverage + 0.45 * (item.bm25 / (item.bm25 + 6.0))
    if item.dense is None:
        return lexical
    return 0.5 * lexical + 0.5 * max(0.0, item.dense)
