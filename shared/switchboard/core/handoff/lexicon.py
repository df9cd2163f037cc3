"""One language's lexicon, and how its frames become one regex.

A ``Lexicon`` holds a language's words (human nouns, determiners, adjectives, bot nouns) and its
frames: regex templates per request form in which ``<NP>`` stands for any human noun phrase,
``<PP>`` for a people noun phrase and ``<BOT>`` for a phrase naming the bot. Word lists are
compiled as character tries (``alt``), which the regex engine rejects after a character or two.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from switchboard.core.handoff.typos import MIN_FUZZY_LEN

_Trie = dict[str, "_Trie"]
_END = ""
#: Every phrase compiled by ``alt``: all are real words the typo repair must leave alone.
PHRASES: set[str] = set()


def _char(char: str) -> str:
    """One character of a phrase as regex: a space matches any run of spaces, a hyphen may be a
    space or missing ("кто-нибудь", "кто нибудь"), an apostrophe may be missing ("dont")."""
    return {" ": r"\s+", "-": "[- ]?", "'": "'?"}.get(char) or re.escape(char)


def _emit(node: _Trie) -> str:
    branches = [_char(char) + _emit(child) for char, child in sorted(node.items()) if char != _END]
    if not branches:
        return ""
    if len(branches) == 1 and _END not in node:
        return branches[0]
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if _END not in node:
        return body
    return (body if len(branches) == 1 and len(body) == 1 else f"(?:{body})") + "?"


def alt(*groups: Iterable[str] | str) -> str:
    """A non-capturing alternation of plain phrases, compiled as a character trie.

    ``agent, agents, advisor`` becomes ``(?:a(?:dvisor|gents?))``: the regex engine tries
    alternatives one by one, so a trie rejects a position after a character or two instead of
    trying every word. Longer continuations are tried first (the ``?`` is greedy).
    """
    trie: _Trie = {}
    for group in groups:
        for word in [group] if isinstance(group, str) else group:
            PHRASES.add(word)
            node = trie
            for char in word:
                node = node.setdefault(char, {})
            node[_END] = {}
    return "(?:" + _emit(trie) + ")"


@dataclass(frozen=True)
class Lexicon:
    """One language's words and frames (all in ``normalize``'s spelling).

    Frames are regex templates in which ``<NP>`` stands for a human noun phrase, ``<PP>`` for a
    people noun phrase (someone, a human, a person, an operator) and ``<BOT>`` for a phrase
    naming the bot (a bot, the machine).
    """

    code: str
    nouns: tuple[str, ...]
    people: tuple[str, ...]
    frames: dict[str, tuple[str, ...]]
    dets: tuple[str, ...] = ()
    #: Adverbs that may stand between a verb and its noun phrase ("mi serve *subito* un umano").
    adverbs: tuple[str, ...] = ()
    adjs: tuple[str, ...] = ()
    bots: tuple[str, ...] = ()
    #: Regex: a negation in the clause before a match cancels it.
    negation: str = ""
    #: Regex matched right after a match ("agent *licence*", "human *resources*") cancels it.
    veto_next: str = ""
    #: Regex searched in the rest of the clause after a match ("einen Mitarbeiter *hinzufügen*").
    veto_clause: str = ""
    #: Regex: a question about the bot's nature ("are you a human?").
    nature: str = ""
    #: Weak templates, tried after the nature questions ("real human", "persona real").
    weak: tuple[str, ...] = ()
    #: Politeness and urgency words that may surround a bare noun phrase.
    polite: tuple[str, ...] = ()
    #: Prepositions after a bare noun phrase ("someone *from* billing").
    qualifiers: tuple[str, ...] = ()
    #: Extra key words for typo repair (verbs); every one-word noun is a key word already.
    keys: tuple[str, ...] = ()
    #: Real words one edit away from a key word, never to be rewritten.
    guard: tuple[str, ...] = ()
    #: Regex allowed right after a noun (case suffixes of agglutinative languages).
    suffix: str = ""
    #: Whether one unknown word may stand between the adjectives and the noun ("a real rasa employee").
    wildcard: bool = False
    #: False for languages written without spaces (Chinese).
    spaced: bool = True
    #: Whether a noun may be the last part of a hyphenated compound ("Support-Mitarbeiter").
    compounds: bool = False

    def noun_phrase(self, nouns: Iterable[str]) -> str:
        """Determiners or adverbs, adjectives, then a noun: "one of your", "real", "agents"."""
        nouns = tuple(nouns)
        key = (self.code, nouns)
        if key not in _PHRASE_CACHE:
            _PHRASE_CACHE[key] = self._noun_phrase(nouns)
        return _PHRASE_CACHE[key]

    def _noun_phrase(self, nouns: tuple[str, ...]) -> str:
        sep = r"\s+" if self.spaced else r"\s*"
        dets = rf"(?:{alt(self.dets, self.adverbs)}(?:{sep}|(?<=')))" if self.dets or self.adverbs else ""
        adjs = rf"(?:{alt(self.adjs)}{sep})" if self.adjs else ""
        prefix = (dets + "{0,3}" if dets else "") + (adjs + "{0,2}" if adjs else "")
        if self.wildcard and dets:
            # One unknown word (a company name) only after a determiner: "a real rasa employee",
            # never "contact with someone" (the word "with" is not a name).
            wild = rf"(?!{_POSSESSIVES}\b|{_NOT_A_NAME}\b)[^\W\d_]+{sep}"
            prefix = f"(?:{dets}{{1,3}}{adjs}{{0,2}}{wild}|{prefix})"
        noun = alt(nouns)
        if self.compounds:
            noun = rf"(?:[^\W\d_]+-)?{noun}"
        out = prefix + noun + self.suffix
        if self.spaced and not self.suffix:
            out += r"\b"
        if self.spaced and self.qualifiers:
            # "someone *from the bank*", "jemand *vom Kundenservice*": the frames that go on after
            # the noun phrase ("... please call me") see through it.
            det = rf"(?:{alt(self.dets)}(?:\s+|(?<=')))?" if self.dets else ""
            if self.veto_next:  # "una persona *de contacto*" stays vetoed
                out += f"(?!{self.veto_next})"
            out += rf"(?:\s+{alt(self.qualifiers)}(?:\s+|(?<=')){det}[^\W\d_]+(?:-[^\W\d_]+)?\b)?"
        return out

    def bot_phrase(self) -> str:
        sep = r"\s+" if self.spaced else r"\s*"
        dets = rf"(?:{alt(self.dets)}(?:{sep}|(?<=')))?" if self.dets else ""
        return dets + alt(self.bots) + (r"\w*" if self.suffix else (r"\b" if self.spaced else ""))

    def expand(self, template: str) -> str:
        """``template`` with its slots filled in (a match starts at a word start)."""
        return self._start() + self._fill(template)

    def _start(self) -> str:
        return r"(?<!\w)" if self.spaced else ""

    def _fill(self, template: str) -> str:
        return (
            template.replace("<NP>", self.noun_phrase(self.nouns))
            .replace("<PP>", self.noun_phrase(self.people))
            .replace("<BOT>", self.bot_phrase())
        )

    def compile(self) -> re.Pattern[str]:
        """All frames as one regex, a named group per form; the word-start check comes once, first.

        Within a form, the templates that end in a noun phrase share one copy of it
        (``(?:talk to|speak with|...)<NP>``): the regex is a fraction of the size and compiles
        that much faster.
        """
        groups = []
        for form, templates in self.frames.items():
            parts = []
            rest = list(templates)
            for phrase in ("<NP>", "<PP>"):
                heads = [t[: -len(phrase)] for t in rest if t.endswith(phrase)]
                rest = [t for t in rest if not t.endswith(phrase)]
                tails = [t[len(phrase) :] for t in rest if t.startswith(phrase)]
                rest = [t for t in rest if not t.startswith(phrase)]
                if heads:
                    parts.append("(?:" + "|".join(self._fill(h) for h in heads) + ")" + self._fill(phrase))
                if tails:
                    parts.append(self._fill(phrase) + "(?:" + "|".join(self._fill(t) for t in tails) + ")")
            parts += [self._fill(t) for t in rest]
            groups.append(f"(?P<{form}>" + "|".join(parts) + ")")
        return re.compile(self._start() + "(?:" + "|".join(groups) + ")")

    def words(self) -> set[str]:
        """Every word this lexicon spells out, for the typo repair's list of known words."""
        text = " ".join(
            [*self.nouns, *self.people, *self.dets, *self.adverbs, *self.adjs, *self.bots, *self.polite]
            + list(self.qualifiers)
            + [*self.keys, *self.guard]
            + [t for ts in self.frames.values() for t in ts]
            + list(self.weak)
        )
        return {w for w in re.findall(r"[^\W\d_]+", text) if len(w) >= MIN_FUZZY_LEN}


#: Noun-phrase regexes by (language, nouns): each is built once, however many templates use it.
_PHRASE_CACHE: dict[tuple[str, tuple[str, ...]], str] = {}

_POSSESSIVES = r"(?:my|his|her|their|our|its|mi|mis|mon|ma|mes|mein\w*|mio|mia|miei|meu|minha|mijn|moj\w*)"
#: Words that are no company name before a noun: "another *mobile* operator" is a carrier,
#: "an *insurance* agent" someone else's agent.
_NOT_A_NAME = (
    r"(?:with|to|for|from|mobile|network|phone|telephone|telecom|cell|cellular|wireless|insurance|estate|travel|tour"
    r"|booking|listing|buyers?|sellers?|property|leasing|rental|letting|shipping|delivery|courier)"
)
