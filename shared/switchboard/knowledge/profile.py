"""What an import learns about one knowledge base, so a confidence means the same on any KB.

Raw retrieval scores do not transfer between knowledge bases: a cosine of 0.55 is a strong
match in one help centre and the level every off-topic question reaches in another, and a
lexical score depends on how long and how repetitive the articles are. So at import, a fixed
pool of off-domain questions in the KB's language (smart-home requests, small talk, general
knowledge; ``data/off_domain_probes.jsonl``, with its sources beside it) is scored against the
new knowledge base. Their best lexical and dense scores give this KB's "nothing relevant"
level and spread; a turn's scores are then read as distances from that level (z-scores), which
is what the calibration is fitted on. No label from the tenant is needed, and it finishes
inside the import (a few hundred searches and one batched embedding).
"""

from __future__ import annotations

import json
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from switchboard.knowledge.articles import Article
    from switchboard.knowledge.retrieval import KnowledgeIndex
    from switchboard.llm.base import Embedder

PROBES_FILE = Path(__file__).with_name("data") / "off_domain_probes.jsonl"
#: Spreads below this are treated as this (a KB where every probe scores alike).
MIN_SPREAD = 0.02
EMBED_BATCH = 100


@dataclass(frozen=True)
class KbProfile:
    """A knowledge base's off-domain score level and spread, and its language.

    Attributes:
        language: The language most articles are written in (ISO 639-1), "" if unknown.
        lexical_mu: Mean best lexical relevance of the off-domain probes.
        lexical_sd: Its standard deviation.
        dense_mu: Mean best cosine similarity of the probes (0 without vectors).
        dense_sd: Its standard deviation.
        dense_model: The embedder the vectors and probes were embedded with.
        probes: How many probes were scored (0: an old version, defaults apply).
        crowding: How alike the articles are: the mean, over articles, of the cosine to the
            nearest other article, in off-domain spreads above the off-domain level (0 without
            vectors). A help centre that answers one question in three near-identical
            articles is crowded, and any single pick there is less likely to be the one meant.
    """

    language: str = ""
    lexical_mu: float = 0.15
    lexical_sd: float = 0.08
    dense_mu: float = 0.0
    dense_sd: float = 0.1
    dense_model: str = ""
    probes: int = 0
    crowding: float = 0.0

    def lexical_z(self, value: float) -> float:
        """How far a lexical relevance lies above the off-domain level, in spreads."""
        return (value - self.lexical_mu) / max(self.lexical_sd, MIN_SPREAD)

    def dense_z(self, value: float) -> float:
        """How far a cosine similarity lies above the off-domain level, in spreads."""
        return (value - self.dense_mu) / max(self.dense_sd, MIN_SPREAD)

    def as_dict(self) -> dict[str, Any]:
        """The stored form."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> KbProfile:
        """Read a stored profile; unknown or missing fields take defaults."""
        if not data:
            return cls()
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        try:
            return cls(**known)
        except TypeError:
            return cls()


#: A language needs this many probes of its own; below it the English ones are used.
MIN_PROBES = 20


@lru_cache(maxsize=1)
def _probes_by_language() -> dict[str, tuple[str, ...]]:
    by_language: dict[str, list[str]] = {}
    for line in PROBES_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            by_language.setdefault(item.get("lang", "en"), []).append(item["text"])
    return {lang: tuple(texts) for lang, texts in by_language.items()}


def off_domain_probes(language: str = "en") -> tuple[str, ...]:
    """The shipped off-domain questions in ``language`` (English when it has too few)."""
    table = _probes_by_language()
    probes = table.get(language, ())
    return probes if len(probes) >= MIN_PROBES else table.get("en", ())


_VECTORS: dict[tuple[str, str], tuple[list[float], ...]] = {}


def _probe_vectors(embedder: Embedder, language: str, probes: tuple[str, ...]) -> tuple[list[float], ...]:
    """The probes' query vectors, embedded once per embedder and language per process."""
    key = (embedder.name, language if probes is not off_domain_probes("en") else "en")
    cached = _VECTORS.get(key)
    if cached is None or len(cached) != len(probes):
        vectors: list[list[float]] = []
        for start in range(0, len(probes), EMBED_BATCH):
            vectors.extend(embedder.embed(list(probes[start : start + EMBED_BATCH]), "query"))
        cached = _VECTORS[key] = tuple(vectors)
    return cached


def kb_language(articles: Sequence[Article]) -> str:
    """The language most articles are written in."""
    from switchboard.core.language import detect_language

    votes = Counter(detect_language(f"{a.title}. {a.body[:400]}", default="") for a in articles)
    votes.pop("", None)
    return votes.most_common(1)[0][0] if votes else ""


def build_profile(index: KnowledgeIndex, articles: Sequence[Article], embedder: Embedder | None) -> KbProfile:
    """Score the off-domain probes against ``index`` and summarise their best scores.

    Args:
        index: The new version's index (with its vectors when there is an embedder).
        articles: Its articles (for the language).
        embedder: Embeds the probes as queries, the same way a turn embeds a question.
    """
    language = kb_language(articles)
    probes = off_domain_probes(language)
    vectors: list[list[float] | None] = [None] * len(probes)
    if embedder is not None and index.has_vectors:
        vectors = list(_probe_vectors(embedder, language, probes))
    lexical, dense = [], []
    for text, vector in zip(probes, vectors, strict=True):
        best_lexical, best_dense = index.best_scores(text, vector)
        lexical.append(best_lexical)
        if best_dense is not None:
            dense.append(best_dense)
    dense_mu = statistics.fmean(dense) if dense else 0.0
    dense_sd = statistics.pstdev(dense) if dense else 0.1
    return KbProfile(
        language=language,
        lexical_mu=round(statistics.fmean(lexical), 5),
        lexical_sd=round(statistics.pstdev(lexical), 5),
        dense_mu=round(dense_mu, 5),
        dense_sd=round(dense_sd, 5),
        dense_model=getattr(embedder, "name", "") if dense else "",
        probes=len(probes),
        crowding=round((index.nearest_article_similarity() - dense_mu) / max(dense_sd, MIN_SPREAD), 4)
        if dense
        else 0.0,
    )
