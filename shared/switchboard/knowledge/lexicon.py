"""Ordinary English words, to spot questions about things the help centre does not cover.

A customer who asks to "reset my gmail password" uses the help centre's words (reset,
password) around one it never uses (gmail). So does one who asks to "enable 2FA" (enable). The
difference is that "enable" is an ordinary English word, a paraphrase, while "gmail" is a name:
another product, a place, a company. A word that neither the knowledge base nor the dictionary
knows is the cheapest strong sign that the question is about something else.

The dictionary is SCOWL's size-50 list, lower-case words only (``data/README.md``), loaded once
per instance on first use (about 13 ms) and consulted for English questions only.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

WORDS_FILE = Path(__file__).with_name("data") / "english-words.txt"

_WORD = re.compile(r"\w+(?:['\u2019]\w+)?")


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """The lower-case English word list."""
    return frozenset(WORDS_FILE.read_text(encoding="ascii").split())


def candidate_words(text: str) -> list[str]:
    """The words of ``text`` that could be names, lower-cased, each once.

    Only words of plain Latin letters count, a possessive "'s" dropped ("netflix's" →
    "netflix"). Words with digits ("429", "2fa"), contractions ("doesn't") and words of other
    scripts or with accents are never taken for names.
    """
    out: list[str] = []
    for word in _WORD.findall(text.lower()):
        word = word.replace("\u2019", "'")
        if word.endswith("'s"):
            word = word[:-2]
        if not (word.isascii() and word.isalpha()) or word in out:
            continue
        out.append(word)
    return out


def is_english_word(word: str) -> bool:
    """Whether ``word`` (lower case) is an ordinary English word."""
    return word in english_words()
