"""The 13 languages' lexicons, read once at import from ``data/<code>.json``.

Each file holds one language's words and frames, in ``normalize``'s spelling:

* ``people`` (someone, a human, an operator: ``<PP>``) and ``other_nouns`` (agent, manager,
  support team ...); the language's human nouns (``<NP>``) are the people followed by the other
  nouns. Inflected forms are spelled out (Polish ``konsultant/konsultanta/konsultantem``);
* ``dets``, ``adverbs``, ``adjs`` and ``bots``, as in ``Lexicon``;
* ``lists``: named word lists (verbs such as talk, speak, get in touch with) that a frame uses
  as ``<LIST:name>``, each compiled as a character trie;
* ``frames``: regex templates per request form (``talk``, ``connect``, ``want``, ``avail``,
  ``callback``, ``refuse`` ...) with the slots ``<NP>``, ``<PP>``, ``<BOT>`` and ``<LIST:name>``;
* the remaining ``Lexicon`` fields by name (``negation``, ``veto_next``, ``veto_clause``,
  ``nature``, ``weak``, ``polite``, ``qualifiers``, ``keys``, ``guard``, ``suffix``,
  ``wildcard``, ``spaced``, ``compounds``), left out where the default applies;
* ``language`` and ``notes``, for the reader only.

Regexes are JSON strings, so a backslash is written twice (``\\\\s+`` for ``\\s+``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from switchboard.core.handoff.lexicon import Lexicon, alt

DATA_DIR = Path(__file__).with_name("data")
#: Every language's frames run on every message, in this order; the first match wins.
CODES = ("en", "es", "pt", "fr", "de", "it", "nl", "pl", "ru", "uk", "mn", "tr", "zh")

_LIST = re.compile(r"<LIST:(\w+)>")
_TUPLES = ("dets", "adverbs", "adjs", "bots", "weak", "polite", "qualifiers", "keys", "guard")


def lexicon(data: dict[str, Any]) -> Lexicon:
    """A ``Lexicon`` from one language's JSON object (see the module docstring)."""
    fields = dict(data)
    for note in ("language", "notes"):
        fields.pop(note, None)
    people = tuple(fields.pop("people"))
    nouns = people + tuple(fields.pop("other_nouns"))
    lists = {name: alt(words) for name, words in fields.pop("lists", {}).items()}

    def fill(template: str) -> str:
        return _LIST.sub(lambda m: lists[m.group(1)], template)

    frames = {form: tuple(fill(t) for t in templates) for form, templates in fields.pop("frames").items()}
    for name in _TUPLES:
        if name in fields:
            fields[name] = tuple(fields[name])
    return Lexicon(nouns=nouns, people=people, frames=frames, **fields)


def load_lexicons() -> tuple[Lexicon, ...]:
    """Every language's lexicon, in ``CODES`` order."""
    return tuple(lexicon(json.loads((DATA_DIR / f"{code}.json").read_text(encoding="utf-8"))) for code in CODES)
