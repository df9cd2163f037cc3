"""The retrieval step of a turn: the query, its embedding, the passages and what the confidence reads.

:func:`retrieve` returns a :class:`Retrieval`; the turn's decision reads its fields, and the
test agent's ``debug`` is built from it (nothing is passed through ``debug`` itself).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

from switchboard.core.models import Conversation, Passage, Tenant
from switchboard.errors import LLMError
from switchboard.knowledge.cache import IndexCache
from switchboard.knowledge.profile import KbProfile
from switchboard.knowledge.text import tokens
from switchboard.llm.base import Embedder

log = logging.getLogger(__name__)

#: A question this short ("and for teams?") is searched together with the previous one.
FOLLOW_UP_TOKENS = 4


@dataclass
class Retrieval:
    """What retrieval found for one question.

    Attributes:
        passages: The best passages, best first.
        profile: The KB version's import-time profile (language, off-domain levels).
        unknown_share: Share of the query's words that the KB never uses.
        foreign_words: Words neither the KB nor the (English) dictionary knows.
        mode: ``hybrid`` (lexical and dense) or ``lexical``.
        embed_ms: Time spent embedding the query, when it was embedded.
        model_mismatch: ``{"kb": ..., "instance": ...}`` when the KB was embedded by another model.
    """

    passages: list[Passage]
    profile: KbProfile
    unknown_share: float = 0.0
    foreign_words: list[str] = field(default_factory=list)
    mode: str = "lexical"
    embed_ms: float | None = None
    model_mismatch: dict[str, str] | None = None

    def debug(self) -> dict[str, Any]:
        """The retrieval's part of the test agent's ``debug``."""
        out: dict[str, Any] = {
            "unknown_share": round(self.unknown_share, 4),
            "foreign_words": self.foreign_words,
            "retrieval": [
                {"id": p.id, "article_id": p.article_id, "score": p.score, "lexical": p.lexical, "dense": p.dense}
                for p in self.passages
            ],
            "retrieval_mode": self.mode,
            "kb_language": self.profile.language,
        }
        if self.model_mismatch:
            out["dense_model_mismatch"] = self.model_mismatch
        return out


def retrieval_query(text: str, conversation: Conversation) -> str:
    """Short follow-ups are searched together with the previous question."""
    if len(tokens(text)) >= FOLLOW_UP_TOKENS:
        return text
    previous = [m.content for m in conversation.recent if m.role == "user"]
    return f"{previous[-1]} {text}" if previous else text


def embeds_as_is(
    indexes: IndexCache, embedder: Embedder | None, tenant: Tenant, text: str, conversation: Conversation
) -> bool:
    """Whether :func:`retrieve` will embed ``text`` itself: the KB has vectors of ``embedder``'s
    model and ``text`` is searched as it is (not with the previous question). An embedding of
    ``text`` made before then is one retrieval reuses (the local embedder keeps its vectors)."""
    if embedder is None or retrieval_query(text, conversation) != text:
        return False
    index = indexes.get(tenant.id, tenant.kb_version)
    return index.has_vectors and index.profile.dense_model in ("", embedder.name)


def retrieve(
    indexes: IndexCache,
    embedder: Embedder | None,
    tenant: Tenant,
    text: str,
    conversation: Conversation,
    language: str,
    top_k: int,
) -> Retrieval:
    """Search the tenant's current KB version, lexically and (when it has vectors) densely."""
    index = indexes.get(tenant.id, tenant.kb_version)
    query = retrieval_query(text, conversation)
    index.prefetch(query, words=language == "en")  # one store read for search and the word checks
    vector, embed_ms, mismatch = None, None, None
    if embedder is not None and index.has_vectors and index.profile.dense_model not in ("", embedder.name):
        mismatch = {"kb": index.profile.dense_model, "instance": embedder.name}
    elif embedder is not None and index.has_vectors:
        t0 = time.perf_counter()
        try:
            vector = embedder.embed([query], "query")[0]
        except LLMError as exc:  # dense retrieval is an improvement, not a dependency
            log.warning("query embedding failed; lexical retrieval only", extra={"error": str(exc)})
        embed_ms = round((time.perf_counter() - t0) * 1000, 2)
    return Retrieval(
        passages=index.search(query, top_k, vector),
        profile=index.profile,
        unknown_share=round(index.unknown_share(query), 4),
        # The dictionary is English: elsewhere every unknown word would look foreign.
        foreign_words=index.foreign_words(query) if language == "en" else [],
        mode="hybrid" if vector is not None else "lexical",
        embed_ms=embed_ms,
        model_mismatch=mismatch,
    )
