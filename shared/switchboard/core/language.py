"""A small, dependency-free language guesser for customer messages.

Good enough to pick the language of helper texts (handoff notices, apologies) and to tell the
LLM which language to answer in. Script decides first (Cyrillic, Arabic, CJK, Greek ...), then
distinctive letters, then stop words for Latin-script languages (both in ``language_words``).
"""

from __future__ import annotations

import re

from switchboard.core.language_words import LATIN_HINTS, STOPWORDS
from switchboard.knowledge.lexicon import is_english_word

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def _script_language(text: str) -> str | None:
    cyr = sum(1 for ch in text if "\u0400" <= ch <= "\u04ff")
    if cyr:
        lower = text.lower()
        if any(ch in lower for ch in "өү"):
            return "mn"
        if any(ch in lower for ch in "іїєґ"):
            return "uk"
        return "ru"
    for lo, hi, code in (
        ("\u0600", "\u06ff", "ar"),
        ("\u0370", "\u03ff", "el"),
        ("\u0590", "\u05ff", "he"),
        ("\u3040", "\u30ff", "ja"),
        ("\u4e00", "\u9fff", "zh"),
        ("\uac00", "\ud7af", "ko"),
        ("\u0e00", "\u0e7f", "th"),
    ):
        if any(lo <= ch <= hi for ch in text):
            return code
    return None


def detect_language(text: str, default: str = "en") -> str:
    """Guess the ISO 639-1 code of ``text``.

    Args:
        text: Customer text, any length.
        default: Returned when nothing points anywhere (for example "ok" or "123").

    Returns:
        A two-letter language code.
    """
    by_script = _script_language(text)
    if by_script:
        return by_script
    lower = text.lower()
    words = _WORD.findall(lower)
    scores = {lang: sum(1 for w in words if w in stop) for lang, stop in STOPWORDS.items()}
    for ch, lang in LATIN_HINTS.items():
        if ch in lower:
            scores[lang] = scores.get(lang, 0) + 2
    best = max(scores, key=lambda k: scores[k])
    if scores[best] == 0:
        return default
    # Ties between English and another language go to the other (English words leak into
    # all), unless the text is plainly English: "archive emails in gmail" ties English with
    # German on "in" alone, but three of its four words are ordinary English words.
    tied = [k for k, v in scores.items() if v == scores[best]]
    if len(tied) > 1 and "en" in tied:
        if _mostly_english(words):
            return "en"
        tied.remove("en")
    return tied[0]


def _mostly_english(words: list[str]) -> bool:
    """At least two thirds of the words are ordinary English words (the dictionary is loaded
    only here, on a tie)."""
    english = sum(1 for w in words if w.isascii() and is_english_word(w))
    return english * 3 >= 2 * len(words)
