"""Spotting the same problem twice: key terms of a question and their overlap."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from switchboard.knowledge.text import tokens

MAX_TERMS = 24
#: Share of the smaller term set that must be shared, and the fewest shared terms.
MIN_OVERLAP = 0.6
MIN_SHARED = 2


def problem_terms(text: str) -> list[str]:
    """The distinct content terms of a question (stemmed, stop words dropped), in order."""
    return list(dict.fromkeys(tokens(text)))[:MAX_TERMS]


def same_problem(a: Iterable[str], b: Iterable[str]) -> bool:
    """Whether two questions are about the same problem (overlap coefficient of their terms)."""
    left, right = set(a), set(b)
    if not left or not right:
        return False
    shared = len(left & right)
    return shared >= min(MIN_SHARED, len(left), len(right)) and shared / min(len(left), len(right)) >= MIN_OVERLAP


def first_similar(terms: Sequence[str], candidates: Iterable[tuple[str, Sequence[str]]]) -> str | None:
    """The id of the first candidate ``(id, terms)`` about the same problem, if any."""
    for candidate_id, candidate_terms in candidates:
        if same_problem(terms, candidate_terms):
            return candidate_id
    return None
