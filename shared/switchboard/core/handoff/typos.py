"""Typo repair for the handoff detector, SymSpell-style (a deletion neighbourhood).

Before the frames run, each token of four or more letters that is not a known word is replaced
by the lexicon key word (a noun, or a verb listed in ``keys``) one edit away: a letter inserted,
left out, substituted, or two adjacent letters swapped ("speek" -> "speak", "agnet" -> "agent",
"persn" -> "person", "operater" -> "operator", "konsultntem" -> "konsultantem"). The lookup is
SymSpell's deletion neighbourhood: every key word of four or more letters and each of its
one-letter deletions go into a map, built once on first use; a token is looked up together with
its own one-letter deletions, and a same-length candidate is kept only if it really is one
substitution or one swap away. A four-letter token may only have a letter left out or two
swapped ("tlak"), since one wrong letter in four is mostly another word; shorter tokens are never
touched. Known words are never rewritten: every word of every lexicon, an English dictionary, and
per-language lists of real words one edit from a key word ("parle", "rozmawiam", "niemand",
"argent"). Ties go to a key word of the detected language ("поговорит": ru ``поговорить``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MIN_FUZZY_LEN = 4
_TOKEN = re.compile(r"[^\W\d_]{4,}")


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _one_swap_or_substitution(a: str, b: str) -> bool:
    """For equal-length ``a`` != ``b``: one substitution or one adjacent transposition apart."""
    diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    if len(diff) == 1:
        return True
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]


@dataclass
class TypoFixer:
    """Maps a token one edit away from a key word onto that key word."""

    keys: frozenset[str]
    known: frozenset[str]
    #: Which languages each key word belongs to, to break ties ("поговорит": ru or uk?).
    languages: dict[str, frozenset[str]] = field(default_factory=dict)
    by_deletion: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        index: dict[str, set[str]] = {}
        for key in self.keys:
            for deleted in _deletions(key):
                index.setdefault(deleted, set()).add(key)
        self.by_deletion = {k: tuple(sorted(v)) for k, v in index.items()}

    def fix(self, token: str, language: str = "") -> str:
        """The key word ``token`` is a typo of, or ``token`` itself; ties go to ``language``."""
        if len(token) < MIN_FUZZY_LEN or token in self.keys or token in self.known or not _is_fuzzy_script(token):
            return token
        short = len(token) == MIN_FUZZY_LEN  # four letters: only a left-out letter or a swap
        candidates: list[str] = []
        candidates.extend(self.by_deletion.get(token, ()))  # a letter was left out
        for deleted in _deletions(token):
            if deleted in self.keys and not short:  # a letter too many
                candidates.append(deleted)
            for key in self.by_deletion.get(deleted, ()):  # a letter wrong or two swapped
                same_length = len(key) == len(token)
                if (
                    same_length
                    and _one_swap_or_substitution(key, token)
                    and (not short or sorted(key) == sorted(token))
                ):
                    candidates.append(key)
        if not candidates:
            return token
        return min(
            candidates,
            key=lambda k: (abs(len(k) - len(token)), language not in self.languages.get(k, frozenset()), k),
        )

    def fix_text(self, text: str, language: str = "") -> str:
        """``text`` with every unknown token of four or more letters fixed."""
        return _TOKEN.sub(lambda m: self.fix(m.group(0), language), text)


def _is_fuzzy_script(token: str) -> bool:
    """Latin and Cyrillic words only (Chinese has no word boundaries to fix typos by)."""
    return token[0] < "\u0530"
