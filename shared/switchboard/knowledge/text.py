"""Tokenisation for retrieval: Unicode words, accent folding, stop words dropped, light stemming.

The stop words live in ``stopwords.py`` and the stemmer in ``stemming.py``; ``tokens`` puts them
together, and this module is where callers get all of it.
"""

from __future__ import annotations

import re
import unicodedata

from switchboard.knowledge.stemming import stem
from switchboard.knowledge.stopwords import FOREIGN_STOPWORDS, STOPWORDS

__all__ = ["STOPWORDS", "fold", "stem", "tokens"]

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def fold(text: str) -> str:
    """Lower-case and strip combining accents ("Réglages" → "reglages")."""
    if text.isascii():  # nothing to decompose: the common case, and the cheap one
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokens(text: str, keep_stopwords: bool = False) -> list[str]:
    """Split ``text`` into folded, stemmed terms, dropping stop words unless asked not to."""
    words = _WORD.findall(fold(text))
    if keep_stopwords:
        return [stem(w) for w in words]
    return [stem(w) for w in words if w not in STOPWORDS and w not in FOREIGN_STOPWORDS]
