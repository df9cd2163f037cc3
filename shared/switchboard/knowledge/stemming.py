"""A light suffix stripper for retrieval: English endings, then one long-word European ending."""

from __future__ import annotations

from functools import lru_cache

_SUFFIXES = ("ingly", "edly", "ings", "ing", "ies", "ied", "ed", "es", "ly", "s")
#: German, Dutch and Romance plural/case endings, stripped from longer words only.
_LONG_SUFFIXES = ("ungen", "heiten", "keiten", "ern", "en", "er", "em", "e", "n")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A deliberately light suffix stripper: "refunds"/"refunded"/"refunding" → "refund".

    English endings first; then, on words still of seven letters or more, one German, Dutch
    or Romance ending ("Kindern"/"Kinder" → "kinder", "Impfungen" → "impfung"), applied the
    same way to every word so that the forms of one word still meet ("customers"/"customer"
    → "custom"). It only touches ASCII words longer than four letters (accents are folded
    first), so it never mangles other scripts.
    """
    if len(word) <= 4 or not word.isascii():
        return word
    base = _english_stem(word)
    if len(base) >= 7:
        for suffix in _LONG_SUFFIXES:
            if base.endswith(suffix) and len(base) - len(suffix) >= 5:
                return base[: -len(suffix)]
    return base


def _english_stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)]
            if suffix in ("ies", "ied"):
                return base + "y"
            if suffix == "es" and not base.endswith(("s", "x", "z", "ch", "sh")):
                return word[:-1]
            if suffix == "s" and word.endswith("ss"):
                return word
            if len(base) > 2 and base[-1] == base[-2] and base[-1] not in "lsz":
                base = base[:-1]
            return base
    return word
