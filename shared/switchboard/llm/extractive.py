"""An offline provider that answers with the best-matching sentences of the best passages.

It needs no network and no key, so ``make dev`` and the tests work anywhere; it never writes
anything that is not in the knowledge base. Its support estimate is the share of the
question's important terms that the chosen sentences cover.
"""

from __future__ import annotations

import re

from switchboard.core.language import detect_language
from switchboard.core.models import Passage
from switchboard.knowledge.synonyms import canonical
from switchboard.knowledge.text import tokens
from switchboard.llm.base import AnswerDraft, AnswerRequest

_SENTENCE = re.compile(r"(?<=[.!?。])\s+|\n+")
MAX_SENTENCES = 3


class ExtractiveProvider:
    """Answers from the knowledge base by extraction, with no network."""

    name = "extractive"

    def answer(self, request: AnswerRequest) -> AnswerDraft:
        """Pick the passage and sentences that best cover the question."""
        query_terms = set(tokens(canonical(request.question)))
        if not request.passages or not query_terms:
            return AnswerDraft("", [], 0.0, request.language, provider=self.name, model=self.name)
        best = request.passages[0]
        sentences = _ranked_sentences(best, query_terms)
        chosen = sentences[:MAX_SENTENCES]
        covered = set().union(*(terms for _, _, terms in chosen)) if chosen else set()
        support = len(covered & query_terms) / len(query_terms)
        ordered = [text for _, text, _ in sorted(chosen, key=lambda c: c[0])]
        answer = " ".join(ordered).strip() or best.text.strip()
        words = sum(len(t.split()) for t in ordered)
        return AnswerDraft(
            answer=answer,
            cited_ids=[best.id],
            support=round(min(1.0, support * best.coverage**0.5 if best.coverage else 0.0), 3),
            # Quoted text is in the article's language, whatever the customer wrote in.
            language=detect_language(answer, default=request.language),
            usage={"prompt": 0, "output": words, "total": words},
            provider=self.name,
            model=self.name,
        )


def _ranked_sentences(passage: Passage, query_terms: set[str]) -> list[tuple[int, str, set[str]]]:
    pieces = [s.strip() for s in _SENTENCE.split(passage.text) if s.strip()]
    scored = []
    for index, sentence in enumerate(pieces):
        if sentence == passage.title or (index == 0 and len(sentence) < 60 and not sentence.endswith(".")):
            continue  # a heading line, not an answer
        terms = set(tokens(canonical(sentence)))
        scored.append((len(terms & query_terms), index, sentence, terms))
    scored.sort(key=lambda s: (-s[0], s[1]))
    top = [s for s in scored if s[0] > 0] or scored[:1]
    return [(index, sentence, terms) for _, index, sentence, terms in top]
