"""Does the customer ask for a human? A multilingual detector with hard negatives.

Structure
---------
A message asks for a person when a *request frame* is aimed at a *human noun phrase*. Each of the
13 languages (en es pt fr de it nl pl ru uk mn tr zh) has a ``_Lexicon``:

* words: human nouns (person, agent, operator, staff member, consultant, support team, customer
  service, someone ...) with their inflected forms spelled out (Polish ``konsultant/konsultanta/
  konsultantem``, Russian ``оператор/оператора/оператором``, German ``Mitarbeiter/
  Mitarbeiterin``, Italian ``operatore/operatrice``); determiners and adverbs ("a", "one of
  your", ``l'``, ``un'``, "subito") and adjectives ("real", "live") that may stand before them;
  bot nouns. They make the noun phrases ``<NP>`` (any human noun), ``<PP>`` (people only:
  someone, a human, an operator; used where CRM words such as "agent" or "manager" would be
  ambiguous) and ``<BOT>``. Turkish and Mongolian nouns take any case suffix ("temsilciyle",
  "ажилтантай"), and their verbs follow the noun phrase;
* frames: regex templates per *form*, built from verb lists and the noun phrases: ``talk``
  (talk/speak/chat/contact/reach/get in touch with <NP>, "is it possible to speak with"),
  ``connect`` (connect/transfer/put me through/pass me to <NP>), ``want`` (I want/need/would
  like/give me/can I get <NP>), ``avail`` (is any <NP> available, anyone there?, can an <NP>
  help me?, who can I talk to?), ``callback`` (have someone call me, callback from <NP>,
  "rappelez-moi"), ``refuse`` (I don't want to talk to a machine, no more bot, rather a person
  than a bot), and a few language-specific ones. Each language's frames are compiled at import
  into one regex with a named group per form, every word list as a character trie (fast to
  reject); the rule that fires is reported as ``"<lang>:<form>"``;
* vetoes: a negation in the same clause before the match ("I don't need to talk to anyone",
  "мне не нужен оператор", "不需要人工"), words right after the noun phrase ("agent licence",
  "human resources", "an agent assigned to this lead", "人工智能"), a clause-final verb that
  makes it an admin action ("einen Mitarbeiter hinzufügen", "een agent verwijderen"), and talk
  about the handoff feature itself ("about the escalate to a human feature").

Every language's frames run on every message (customers mix languages); the detected language
labels the verdict and breaks ties in typo repair. Order: request frames first; then a question
about the bot's nature ("are you a human?") ends the search as *not* a request; then weak rules:
a clause that is nothing but a noun phrase ("operator", "human please", "人工！"), or a message
that names a real or live person ("real human", "persona real").

Text is normalised once: NFKC, lower case, Latin diacritics stripped (``połącz`` and ``polacz``,
``möchte`` and ``mochte`` are the same), curly apostrophes made straight, traditional Chinese
characters mapped to simplified ones. Lexicons are written in that normalised spelling. Chinese
has no word boundaries, so its frames carry no ``\\b`` and guard against compounds (``智能``).

Typos
-----
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
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from switchboard.core.language import detect_language
from switchboard.knowledge.lexicon import english_words


@dataclass(frozen=True)
class HandoffIntent:
    """The verdict on one message.

    Attributes:
        wants_human: True when the customer asks for a human.
        language: Detected language of the message.
        rule: Which rule fired, as ``"<lang>:<form>"`` (e.g. ``"en:talk"``, ``"zh:connect"``,
            ``"de:real"``; a bare noun phrase, which any language's nouns may make, is
            ``"<detected language>:bare"``), or ``""`` when none did.
    """

    wants_human: bool
    language: str
    rule: str = ""


# --- Normalisation -------------------------------------------------------------------------

_SPECIAL_FOLDS = {"ß": "ss", "ł": "l", "ı": "i", "đ": "d", "ø": "o", "æ": "ae", "œ": "oe", "ё": "е"}
_APOSTROPHES = "\u2019\u2018\u02bc\u0060\u00b4\u2032"
# Traditional -> simplified, for the characters the Chinese lexicon uses.
_TRAD_SIMP = dict(
    zip(
        "轉專員請幫沒聯繫係絡務話說談溝們個讓給電線還嗎麼樣經顧問機與為開煩負責後對這裡來應該過謝戶號碼賬帳審費刪團隊時間點兒單諮詢處見難",
        "转专员请帮没联系系络务话说谈沟们个让给电线还吗么样经顾问机与为开烦负责后对这里来应该过谢户号码账账审费删团队时间点儿单咨询处见难",
        strict=True,
    )
)


def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for cp in range(0xC0, 0x250):
        char = chr(cp)
        base = unicodedata.normalize("NFD", char)[0]
        if base != char and base.isascii() and base.isalpha():
            table[cp] = base.lower()
    for src, dst in _SPECIAL_FOLDS.items():
        table[ord(src)] = dst
    for char in _APOSTROPHES:
        table[ord(char)] = "'"
    for src, dst in _TRAD_SIMP.items():
        table[ord(src)] = dst
    return table


_FOLD = _fold_table()


_SHORTHAND = re.compile(r"(?<!\w)w/(?=\s|\w)")  # "connect me w/ an agent"


def normalize(text: str) -> str:
    """Lower case, NFKC, Latin accents stripped, straight apostrophes, single spaces."""
    folded = unicodedata.normalize("NFKC", text).lower().translate(_FOLD)
    return " ".join(_SHORTHAND.sub("with ", folded).split())


# --- Typo tolerance (SymSpell-style deletion neighbourhood) ----------------------------------

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
class _TypoFixer:
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


# --- Lexicon structure and regex composition -------------------------------------------------


_Trie = dict[str, "_Trie"]
_END = ""
#: Every phrase compiled by ``_alt``: all are real words the typo repair must leave alone.
_PHRASES: set[str] = set()


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


def _alt(*groups: Iterable[str] | str) -> str:
    """A non-capturing alternation of plain phrases, compiled as a character trie.

    ``agent, agents, advisor`` becomes ``(?:a(?:dvisor|gents?))``: the regex engine tries
    alternatives one by one, so a trie rejects a position after a character or two instead of
    trying every word. Longer continuations are tried first (the ``?`` is greedy).
    """
    trie: _Trie = {}
    for group in groups:
        for word in [group] if isinstance(group, str) else group:
            _PHRASES.add(word)
            node = trie
            for char in word:
                node = node.setdefault(char, {})
            node[_END] = {}
    return "(?:" + _emit(trie) + ")"


def _forms(stem: str, *endings: str) -> tuple[str, ...]:
    """``stem`` with each ending: ``_forms("konsultant", "", "a", "em")``."""
    return tuple(stem + e for e in endings)


@dataclass(frozen=True)
class _Lexicon:
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

    def noun_phrase(self, nouns: Iterable[str]) -> str:
        """Determiners or adverbs, adjectives, then a noun: "one of your", "real", "agents"."""
        nouns = tuple(nouns)
        key = (self.code, nouns)
        if key not in _PHRASE_CACHE:
            _PHRASE_CACHE[key] = self._noun_phrase(nouns)
        return _PHRASE_CACHE[key]

    def _noun_phrase(self, nouns: tuple[str, ...]) -> str:
        sep = r"\s+" if self.spaced else r"\s*"
        dets = rf"(?:{_alt(self.dets, self.adverbs)}(?:{sep}|(?<=')))" if self.dets or self.adverbs else ""
        adjs = rf"(?:{_alt(self.adjs)}{sep})" if self.adjs else ""
        prefix = (dets + "{0,3}" if dets else "") + (adjs + "{0,2}" if adjs else "")
        if self.wildcard and dets:
            # One unknown word (a company name) only after a determiner: "a real rasa employee",
            # never "contact with someone" (the word "with" is not a name).
            wild = rf"(?!{_POSSESSIVES}\b|{_NOT_A_NAME}\b)[^\W\d_]+{sep}"
            prefix = f"(?:{dets}{{1,3}}{adjs}{{0,2}}{wild}|{prefix})"
        out = prefix + _alt(nouns) + self.suffix
        if self.spaced and not self.suffix:
            out += r"\b"
        return out

    def bot_phrase(self) -> str:
        sep = r"\s+" if self.spaced else r"\s*"
        dets = rf"(?:{_alt(self.dets)}(?:{sep}|(?<=')))?" if self.dets else ""
        return dets + _alt(self.bots) + (r"\w*" if self.suffix else (r"\b" if self.spaced else ""))

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


# --- English ---------------------------------------------------------------------------------

_EN_PEOPLE = (
    "human", "humans", "human being", "human beings", "person", "people", "someone", "somebody", "anyone",
    "anybody", "someone else", "operator", "operators", "representative", "representatives", "rep", "live agent",
    "live person", "live chat", "live support", "human support", "human help", "human assistance", "human agent",
    "human operator", "real person", "real people", "actual person",
)  # fmt: skip
_EN_NOUNS = _EN_PEOPLE + (
    "agent", "agents", "staff", "staff member", "member of staff", "member of your staff", "member of your team",
    "team member", "employee", "employees", "team", "advisor", "adviser", "advisors", "advisers", "consultant",
    "consultants", "specialist", "specialists", "expert", "supervisor", "manager", "boss", "owner", "founder",
    "founders", "support", "support team", "support staff", "support person", "customer service", "customer support",
    "customer care", "customer services", "help desk", "helpdesk", "service desk", "associate", "technician",
    "receptionist", "attendant", "clerk", "dispatcher", "sales team", "billing team", "call centre", "call center",
    "colleague", "colleagues",
)  # fmt: skip
_EN_TALK = (
    "have a word", "have a chat", "have a conversation", "raise this", "raise it", "raise my issue", "take this up",
    "take it up",
    "talk", "speak", "chat", "converse", "communicate", "get through", "be put through", "be connected",
    "be transferred", "be forwarded", "be redirected", "discuss this", "discuss it", "discuss my issue",
)  # fmt: skip
_EN_CONTACT = (
    "contact", "reach", "get in touch with", "be in touch with", "get in contact with", "get hold of",
    "get ahold of", "get a hold of", "get through to", "reach out to", "speak to", "get to",
)  # fmt: skip
_EN_CONNECT = (
    "connect", "transfer", "put", "pass", "forward", "escalate", "redirect", "route", "hand",
    "patch", "direct", "hand off", "handoff", "put through",
)  # fmt: skip
_EN_OBJECTS = (
    "me", "us", "this", "it", "my call", "my chat", "my case", "my ticket", "my issue", "my request", "my question",
    "this chat", "this conversation", "this call", "this case", "this ticket", "this issue", "this request",
    "the chat", "the conversation", "the call", "the case", "a conversation", "me back", "me directly",
)  # fmt: skip
_EN_WANT = (
    "want", "wanna", "need", "needs", "'d like", "would like", "'d love", "would love", "'d prefer", "would prefer",
    "'d rather have", "would rather have", "prefer", "demand", "request", "require", "ask for", "asking for",
    "looking for", "give me", "get me", "gimme", "find me", "bring me", "send me", "let me have", "i'll take",
    "can i get", "could i get", "can i have", "could i have", "may i have", "may i get", "can we get", "requesting",
    "i request", "asking for a", "hook me up with", "set me up with", "link me up with", "link me with", "pair me with",
    "can you get", "could you get", "can you get me", "could you get me", "can you find me", "can you give me",
    "please get", "help from", "assistance from", "support from", "answer from", "callback from", "call back from",
    "a call from", "call from", "response from", "reply from",
)  # fmt: skip
_EN_CALL = "(?:call|phone|ring|contact|email|text|get back to|reach out to)"

_EN = _Lexicon(
    code="en",
    nouns=_EN_NOUNS,
    people=_EN_PEOPLE,
    dets=("a", "an", "the", "some", "any", "your", "another", "one of your", "one of the", "any of your"),
    adverbs=("now", "right now", "immediately", "just", "please"),
    adjs=(
        "real",
        "live",
        "actual",
        "proper",
        "human",
        "physical",
        "flesh and blood",
        "qualified",
        "competent",
        "knowledgeable",
        "senior",
        "other",
        "different",
        "available",
        "customer",
        "support",
        "service",
        "sales",
        "billing",
        "technical",
        "tech",
        "account",
        "helpful",
        "friendly",
        "smart",
        "real life",
        "real-life",
    ),  # fmt: skip
    bots=(
        "bot",
        "bots",
        "robot",
        "robots",
        "machine",
        "machines",
        "chatbot",
        "ai",
        "computer",
        "automated system",
        "automated assistant",
        "virtual assistant",
        "algorithm",
        "automated answers",
        "auto replies",
    ),  # fmt: skip
    frames={
        "talk": (
            rf"{_alt(_EN_TALK)}(?:\s+(?:directly|instead|now|again|right now|immediately|in person|for real))?\s+(?:to|with)\s+<NP>",
            rf"{_alt(_EN_CONTACT)}\s+<NP>",
        ),
        "connect": (
            rf"{_alt(_EN_CONNECT)}(?:\s+{_alt(_EN_OBJECTS)})?(?:\s+(?:over|through|back|across|on|directly|straight))?\s+(?:to|with|onto)\s+<NP>",
            rf"(?:switch|move|bring|send|refer)\s+{_alt(_EN_OBJECTS)}(?:\s+(?:over|through|back|across|on|directly|straight))?\s+(?:to|with|onto)\s+<NP>",
            r"(?:put|get|bring|place)\s+(?:me|us)\s+in\s+(?:touch|contact)\s+with\s+<NP>",
            r"put\s+<PP>\s+on\b",
            r"(?:hand|pass)\s+(?:me\s+|us\s+|this\s+|it\s+)?(?:over|off)\s+to\s+<NP>",
        ),
        "want": (
            rf"{_alt(_EN_WANT)}\s+(?!support\b|help\b|team\b)<NP>",
            r"(?:if|that)\s+<NP>\s+(?:could|would|can|will|might)\s+(?:please\s+)?(?:take a look|look into|look at|help|call|contact|get back|reach out)\b",
        ),
        "avail": (
            r"(?:is|are)(?:\s+there)?\s+<NP>\s+(?:\w+\s+)?(?:available|around|online|free|there|here|on\s+duty|awake|working|on(?:\s+the)?\s+(?:line|chat|phone))\b",
            # "is there anyone I can talk to?", not "is there someone else using my account?"
            r"(?:is|are)\s+there\s+(?:also\s+|still\s+|actually\s+|even\s+)?<PP>\s*(?:$|[?!.,]|(?:that\s+|who\s+)?(?:i|we)\s+(?:can|could|may)\b"
            r"|(?:that|who)\s+(?:can|could|will|would)\s+(?:help|assist|talk|speak|chat|answer|deal|call)\b|to\s+(?:talk|speak|chat|help|assist)\b"
            r"|available|around|there\b|here\b|online|on the line|working|real\b|at all|alive|in (?:the )?(?:office|support|billing))",
            r"(?:anyone|anybody|someone|somebody)\s+(?:there|here|around|available|online|home|alive)\b",
            r"(?:do|does)\s+(?:you|your company|this company|this service|this app)\s+(?:have|offer|provide)\s+(?:any\s+)?<PP>",
            r"(?:can|could|would|will|may)\s+<NP>\s+(?:please\s+)?(?:help|assist|serve|attend|see to)\s+(?:me|us)\b",
            r"(?:can|could|would|will|may)\s+<NP>\s+(?:please\s+)?(?:take over|step in|jump in|join (?:this|the) (?:chat|conversation))\b",
            r"(?:any|some)\s+<NP>\s+(?:\w+\s+)?(?:available|around|online|free|there|here|on\s+duty)\b",
            r"who\s+(?:can|could|should|do|would)\s+(?:i|we)\s+(?:talk|speak|chat)(?:\s+(?:to|with))?\b",
            r"where\s+(?:can|do|could)\s+(?:i|we)\s+(?:find|get|reach|contact)\s+<NP>",
            r"<PP>\s+(?:needed|required|wanted|requested)\b",
            r"(?:^|please\s+)get\s+<PP>",
            r"get\s+<NP>\s+on\s+(?:the\s+)?(?:line|phone|chat)\b",
        ),
        "callback": (
            rf"(?:have|get|ask|let|make)\s+<NP>\s+(?:to\s+)?{_EN_CALL}\s+(?:me|us)\b",
            rf"(?:can|could|would|will|should|please)\s+<NP>\s+(?:from\s+\w+(?:\s+\w+)?\s+|please\s+)?{_EN_CALL}\s+(?:me|us)\b",
            r"(?:request|want|like|need|get|arrange|schedule|book|have|receive)\s+(?:a\s+)?(?:call ?back|call-back|phone call back)\b",
        ),
        "refuse": (
            r"(?:don'?t|do not|dont|not|no longer|never|stop)\s+(?:\w+\s+){0,2}?(?:talk|speak|chat|deal)(?:ing)?\s+(?:to|with)\s+<BOT>",
            r"(?:no more|enough|tired of|sick of|fed up with|done with|stop the|not another)\s+(?:\w+\s+){0,2}?<BOT>",
            r"talking\s+(?:to|with)\s+<BOT>\s+is\s+(?:\w+\s+)?(?:stupid|useless|pointless|annoying|frustrating|a waste|dumb|ridiculous)",
            r"(?:instead of|rather than)\s+<BOT>",
            r"rather\s+(?:\w+\s+){0,3}?<NP>\s+than\s+(?:\w+\s+)?<BOT>",
        ),
        "handoff": (r"^(?:human\s+)?hand ?off\b", r"^escalate\s+to\s+<NP>"),
    },
    negation=(
        r"\b(?:don'?t|do not|dont|doesn'?t|does not|didn'?t|did not|won'?t|wont|never|no longer|not)"
        r"\s+(?:really\s+|even\s+|actually\s+)?(?:need|want|wanna|have to|gotta|like|wish|require)\b|\bno need\b"
        # talk about the handoff feature itself ("about the escalate to a human feature")
        r"|\b(?:about the|feature|features|setting|settings|button)\b"
    ),
    veto_next=(
        r"(?:'s\b|s'|\s+(?:licen[cs]es?|accounts?|ids?|codes?|portal|numbers?|dashboard|profiles?|resources?|"
        r"logins?|app|assigned|added|removed|roles?|permissions?|seats?|list|listings?|of record|emails?|e-mail|"
        r"address|phone number|contact details|names?|details|commission|fees?|error|rights|nature|trafficking|"
        r"feature|features|option|setting|settings|button|function|functionality|"
        r"on (?:this|the|my|that) (?:listing|lead|deal|property|account|file|case)|"
        r"for (?:this|the|my|that) (?:listing|lead|deal|property)|in (?:my|our|the) (?:office|team|company|agency|workspace|organi[sz]ation|branch)|to (?:my|this|the) (?:team|account|office|listing|lead|deal|project))\b)"
    ),
    nature=(
        r"\b(?:are|r|aren'?t)\s+(?:you|u)\b|\byou(?:'re| are| r|re)\s+(?:not\s+|really\s+|just\s+)?(?:a|an|the|real|human|bot|robot|ai|chatbot|artificial)\b"
        r"|\b(?:am i|is this|is that|is it)\s+(?:\w+\s+){0,2}(?:bot|robot|machine|ai|human|person|real|automated|computer)\b"
        r"|\bwho is the human\b"
    ),
    weak=(
        r"(?:real|live|actual|proper|physical)\s+(?:human(?: being)?|person|people|agent|representative|operator|someone|somebody|employee|staff)\b",
    ),
    polite=(
        "only",
        "please",
        "pls",
        "plz",
        "now",
        "asap",
        "right now",
        "thanks",
        "thank you",
        "thx",
        "immediately",
        "urgently",
        "instead",
        "again",
        "then",
        "already",
        "quickly",
        "urgent",
    ),  # fmt: skip
    qualifiers=("from", "at", "in", "of"),
    keys=(
        "available",
        "online",
        "talk",
        "speak",
        "chat",
        "contact",
        "reach",
        "connect",
        "transfer",
        "forward",
        "escalate",
        "redirect",
        "want",
        "need",
        "please",
        "would",
        "customer",
        "service",
    ),  # fmt: skip
    guard=(
        "argent",
        "tema",
    ),
    wildcard=True,
)

# --- Spanish ---------------------------------------------------------------------------------

_ES_PEOPLE = ("umano",
    "humano", "humanos", "humana", "ser humano", "persona", "personas", "alguien", "operador", "operadora",
    "operadores", "representante", "agente humano", "agente real", "asesor humano",
)  # fmt: skip
_ES_NOUNS = _ES_PEOPLE + (
    "agente", "agentes", "asesor", "asesora", "asesores", "ejecutivo", "ejecutiva", "encargado", "encargada",
    "gerente", "supervisor", "supervisora", "empleado", "empleada", "soporte", "soporte tecnico", "servicio al cliente",
    "servicio tecnico", "atencion al cliente", "atencion a clientes", "atencion humana", "atencion personal",
    "atencion personalizada", "especialista", "tecnico", "tecnica", "responsable", "equipo", "consultor", "consultora",
    "vendedor", "vendedora", "jefe", "alguno de ustedes", "personal", "mesa de ayuda", "call center",
    "centro de atencion", "operario", "recepcionista", "dependiente", "experto",
)  # fmt: skip
_ES_TALK = (
    "contacto", "contacto a", "contacto con",
    "hablar", "conversar", "chatear", "platicar", "charlar", "comunicarme", "comunicarse", "comunicar", "contactar",
    "contactarme", "contactarse", "ponerme en contacto", "ponerse en contacto", "me pongo en contacto",
    "poner en contacto", "me comunico", "hablo", "entrar en contacto", "tener contacto", "conectarme", "escribirle",
    "ser atendido", "ser atendida", "tratar",
)  # fmt: skip
_ES_CONNECT = ("comunican", "comuniquen", "pasan", "conectan", "transfieren",
    "pasa", "pase", "pasen", "pasas", "pasame", "paseme", "pasenme", "pasar", "pasarme", "comunica", "comunique",
    "comuniquen", "comunicas", "comunicame", "comuniqueme", "comuniquenme", "conecta", "conecte", "conecten",
    "conectas", "conectame", "conecteme", "conectenme", "conectar", "transfiere", "transfiera", "transfieran",
    "transfieres", "transfiereme", "transfierame", "transfieranme", "transferir", "transferirme", "derivar",
    "derivarme", "deriva", "derive", "derivame", "deriveme", "redirige", "redirigeme", "redirija", "redirijame",
    "pon", "ponga", "ponme", "pongame", "ponerme", "enlaza", "enlazame", "canaliza", "canalizame", "canalizar",
    "mandame", "mandeme", "envia", "enviame", "envieme",
)  # fmt: skip
_ES_WANT = (
    "quiero", "quisiera", "queria", "necesito", "necesitaria", "deseo", "desearia", "prefiero", "preferiria", "pido",
    "solicito", "exijo", "me gustaria", "dame", "deme", "denme", "me das", "me da", "me dan", "me puede dar",
    "me pueden dar", "puedo tener", "busco", "ocupo", "me urge", "hace falta", "ayuda de", "asistencia de",
    "atencion de", "llamada de", "quiero hablar con", "necesito hablar con",
)  # fmt: skip

_ES = _Lexicon(
    code="es",
    nouns=_ES_NOUNS,
    people=_ES_PEOPLE,
    dets=(
        "tu",
        "tus",
        "vuestro",
        "vuestra",
        "un",
        "una",
        "el",
        "la",
        "los",
        "las",
        "al",
        "algun",
        "alguna",
        "otro",
        "otra",
        "su",
        "sus",
        "uno de sus",
        "alguno de sus",
        "alguna de sus",
        "uno de ustedes",
    ),  # fmt: skip
    adverbs=("ya", "ahora", "urgentemente"),
    adjs=("verdadero", "verdadera", "autentico", "autentica"),
    bots=(
        "bot",
        "bots",
        "robot",
        "robots",
        "maquina",
        "maquinas",
        "chatbot",
        "ia",
        "inteligencia artificial",
        "asistente virtual",
        "contestadora",
        "computadora",
        "sistema automatico",
        "respuestas automaticas",
    ),  # fmt: skip
    frames={
        "talk": (
            rf"{_alt(_ES_TALK)}(?:\s+(?:directamente|ahora|ya|personalmente|urgentemente|urgente|rapido|hoy))?(?:\s+(?:con|a))?\s+<NP>",
            r"que\s+<NP>\s+(?:me|nos)\s+(?:contacte|contactara|contactase|llame|llamara|llamase|atienda|atendiera|escriba|comunique)\b",
            r"atendid[oa]s?\s+por\s+<NP>",
            r"que\s+me\s+(?:atienda|atiendan|llame|llamen|llamara|llamaran|contacte|contacten|ayude|hable|responda|conteste|asesore)\s+<NP>",
            r"<NP>\s+(?:me\s+)?(?:puede|pueda|podria|pueden|puedan|podrian)\s+(?:me\s+)?(?:atender|ayudar|asistir|llamar|contactar)",
            r"(?:me\s+)?(?:puede|podria|pueden|podrian)\s+(?:atender|ayudar|asistir|responder)(?:me)?\s+<NP>",
            r"con\s+quien\s+(?:puedo|podria|debo|tengo que)\s+(?:hablar|comunicarme|contactar)",
        ),
        "connect": (
            rf"(?:me\s+)?{_alt(_ES_CONNECT)}\s+(?:directamente\s+)?(?:con|a|al|en contacto con|en comunicacion con)\s+<NP>",
        ),
        "want": (
            rf"{_alt(_ES_WANT)}\s+(?!soporte\b|ayuda\b|personal\b)<NP>",
            r"(?:atend\w*\s+personalmente|atencion\s+(?:humana|personalizada)|trato\s+humano)",
        ),
        "avail": (
            r"hay\s+<PP>\s*(?:$|[?!.,]|que\s+(?:me\s+)?(?:pueda|puede|podria|atienda|ayude|hable)|con\s+quien|disponible|libre"
            r"|para\s+(?:atender|ayudar|hablar)|ahi|alli|aqui|real|de verdad|en linea|conectad)",
            r"hay\s+<NP>\s+(?:disponible|disponibles|libre|en linea|conectad[oa]|atendiendo|ahora)\b",
            r"(?:esta|estara|estan)\s+(?:disponible|disponibles|en linea)\s+<NP>",
            r"<NP>\s+(?:esta|estan)\s+(?:disponible|disponibles|en linea|conectad[oa]s?)\b",
        ),
        "callback": (
            r"me\s+(?:puede|pueden|podria|podrian|pudiera|pudieran)\s+(?:llamar|contactar|marcar|telefonear)\s+<PP>",
            r"(?:llamenme|llameme|marquenme|contactenme|devuelvanme la llamada|que me llamen|que me contacten)\b",
            r"me\s+(?:pueden|podrian|podran|pudieran)\s+(?:llamar|contactar|devolver la llamada)\b",
            r"(?:pueden|podrian|puede usted|podria usted)\s+(?:llamarme|contactarme|devolverme la llamada)\b",
        ),
        "refuse": (
            r"no\s+(?:quiero|deseo|me gusta|puedo)\s+(?:seguir\s+)?(?:hablar|hablando|chatear|chateando|conversar|conversando|tratar)\s+con\s+<BOT>",
            r"(?:basta|suficiente|harto|harta|cansado|cansada|no mas|ya no mas|fuera)\s+(?:de\s+|con\s+)?(?:\w+\s+){0,2}?<BOT>",
            r"no\s+quiero\s+(?:mas\s+)?<BOT>",
            r"(?:mejor|prefiero|preferiria)\s+(?:\w+\s+){0,3}?<NP>\s+(?:que|en vez de|en lugar de)\s+(?:\w+\s+)?<BOT>",
        ),
    },
    negation=r"\bno\s+(?:\w+\s+)?(?:necesito|quiero|hace falta|tengo que|es necesario|me hace falta|ocupo|deseo|preciso)\b|\bsin\s+necesidad\b",
    veto_next=r"\s+(?:de contacto|asignad[oa]s?|inmobiliari[oa]s?|de bienes raices|numero|licencia|cuenta|codigo)\b",
    nature=(
        r"\b(?:eres|es usted|sos|eras)\s+(?:un|una)?\s*(?:humano|humana|persona|robot|bot|maquina|ia|inteligencia|real|de verdad|ser)\b"
        r"|\bestoy\s+(?:hablando|chateando|conversando)\s+con\b|\b(?:esto|este|eso)\s+es\s+(?:un|una)\s+(?:bot|robot|maquina)\b"
    ),
    weak=(
        r"(?:persona|humano|alguien|agente|asesor|operador)\s+(?:real|de verdad|de carne y hueso|verdadero)\b|\bser humano\b",
    ),
    polite=(
        "por favor",
        "porfa",
        "porfavor",
        "xfa",
        "ya",
        "ahora",
        "urgente",
        "gracias",
        "rapido",
        "ahora mismo",
        "de inmediato",
        "por fa",
    ),  # fmt: skip
    qualifiers=("de", "del", "en"),
    keys=(
        "hablar",
        "quiero",
        "necesito",
        "comunicar",
        "comunicarme",
        "contactar",
        "conectar",
        "transferir",
        "pasar",
        "atender",
    ),  # fmt: skip
    guard=(
        "quiere",
        "quieres",
        "quieren",
        "necesita",
        "necesitas",
        "necesitan",
        "pesar",
        "comunican",
        "hable",
        "hablo",
        "habla",
        "hablas",
        "hablan",
        "hablen",
        "habia",
        "llame",
        "llama",
        "llamo",
        "pasen",
        "conecte",
        "quieto",
        "quien",
        "atiende",
        "atiendo",
        "entender",
        "tender",
        "asesoro",
    ),  # fmt: skip
)

# --- Portuguese ------------------------------------------------------------------------------

_PT_PEOPLE = ("umano",
    "humano", "humanos", "humana", "ser humano", "pessoa", "pessoas", "alguem", "operador", "operadora", "atendente",
    "atendentes", "representante", "atendimento humano", "atendente humano", "atendimento pessoal",
)  # fmt: skip
_PT_NOUNS = _PT_PEOPLE + (
    "agente", "agentes", "consultor", "consultora", "gerente", "supervisor", "supervisora", "funcionario",
    "funcionaria", "suporte", "suporte tecnico", "especialista", "corretor", "corretora", "vendedor", "vendedora",
    "responsavel", "atendimento", "atendimento ao cliente", "atendimento ao consumidor", "sac",
    "central de atendimento", "equipe", "time", "tecnico", "analista", "assistente", "colaborador", "colaboradora",
)  # fmt: skip
_PT_TALK = (
    "falar", "conversar", "comunicar", "comunicar-me", "me comunicar", "papear", "bater papo", "tratar", "falo",
    "entrar em contato", "entro em contato", "contato", "contatar", "contactar", "ter contato", "conectar-me",
    "me conectar", "ser atendido", "ser atendida", "falar diretamente", "tenho que falar",
)  # fmt: skip
_PT_CONNECT = (
    "transfere", "transfira", "transfiram", "transferir", "passa", "passe", "passem", "passar", "coloca", "coloque",
    "poe", "ponha", "ponham", "por",
    "coloquem", "colocar", "encaminha", "encaminhe", "encaminhem", "encaminhar", "conecta", "conecte", "conectem",
    "conectar", "direciona", "direcione", "direcionar", "liga", "ligue", "ligar", "bota", "bote", "manda", "mande",
)  # fmt: skip
_PT_WANT = (
    "quero", "queria", "gostaria de", "gostaria de ter", "preciso de", "preciso", "prefiro", "desejo", "solicito",
    "exijo", "me da", "me de", "cade", "posso ter", "chama", "chame", "chamem", "chamar", "busco", "procuro",
    "me arruma", "me arranja", "ajuda de", "atendimento com", "atendimento por", "atendimento de",
)  # fmt: skip

_PT = _Lexicon(
    code="pt",
    nouns=_PT_NOUNS,
    people=_PT_PEOPLE,
    dets=(
        "teu",
        "tua",
        "vosso",
        "vossa",
        "um",
        "uma",
        "o",
        "a",
        "os",
        "as",
        "ao",
        "algum",
        "alguma",
        "outro",
        "outra",
        "seu",
        "sua",
        "um de seus",
        "uma de suas",
    ),  # fmt: skip
    adverbs=("ja", "agora", "urgente", "logo"),
    adjs=("verdadeiro", "verdadeira"),
    bots=(
        "robo",
        "robos",
        "bot",
        "bots",
        "maquina",
        "chatbot",
        "ia",
        "inteligencia artificial",
        "assistente virtual",
        "sistema automatico",
        "respostas automaticas",
    ),  # fmt: skip
    frames={
        "talk": (
            rf"{_alt(_PT_TALK)}(?:\s+(?:diretamente|agora|ja|logo|urgente|urgentemente|hoje))?(?:\s+(?:com|por|c/))?\s+<NP>",
            r"que\s+<NP>\s+(?:me\s+)?(?:entrasse|entre|entrassem)\s+em\s+contato",
            r"que\s+<NP>\s+me\s+(?:ligue|ligasse|liga|retorne|retornasse|contate|contatasse|atenda|atendesse|chame)\b",
        ),
        "connect": (
            rf"(?:me\s+)?{_alt(_PT_CONNECT)}(?:-me)?\s+(?:diretamente\s+)?(?:para|pra|pro|com|ao|a|em contato com|no|na)\s+"
            r"(?!(?:outra|nova|uma outra)\s+operadora)<NP>",
        ),
        "want": (
            rf"{_alt(_PT_WANT)}\s+(?!(?:suporte|ajuda|atendimento)\b(?!\s+(?:humano|pessoal|ao cliente)))<NP>",
            r"atendid[oa]\s+por\s+<NP>",
        ),
        "avail": (
            r"(?:tem|ha|existe)\s+(?:algum|alguma|um|uma)?\s*<PP>\s*(?:$|[?!.]|ai\b|disponivel|online|livre|para\b|pra\b|que\b|pode\b|aqui\b|ae\b)",
            r"<PP>\s+(?:esta\s+|estao\s+)?(?:disponivel|disponiveis|online|ai)\s*(?:$|[?!.])",
            r"alguem\s+(?:ai|ae|aqui|online)\b",
        ),
        "callback": (
            r"<NP>\s+(?:pode|poderia|podia|possa|consegue)\s+me\s+(?:ligar|retornar|chamar|contatar|telefonar|atender|ajudar)",
            r"com\s+quem\s+(?:posso|poderia|devo|tenho que)\s+(?:falar|conversar)",
            r"me\s+(?:liga|ligue|liguem|retorna|retorne|retornem|telefone|telefonem)\b",
            r"(?:liga|ligue|liguem)\s+(?:pra|para)\s+mim\b",
            r"(?:me\s+(?:pode|podem|poderia|poderiam)|(?:pode|podem|poderia|poderiam)\s+me)\s+(?:ligar|retornar|telefonar)\b",
        ),
        "refuse": (
            r"nao\s+(?:quero|gosto de|aguento mais|consigo)\s+(?:mais\s+)?(?:falar|conversar|tratar|papear)\s+com\s+<BOT>",
            r"(?:chega|basta|cansei|cansado|cansada)\s+(?:de\s+|desse\s+|deste\s+)?(?:\w+\s+){0,2}?<BOT>",
            r"nao\s+quero\s+(?:mais\s+)?<BOT>",
            r"(?:melhor|prefiro)\s+(?:\w+\s+){0,3}?<NP>\s+(?:do que|que|em vez de|ao inves de)\s+(?:\w+\s+)?<BOT>",
        ),
    },
    negation=r"\bnao\s+(?:\w+\s+)?(?:preciso|quero|precisa|e necessario|tenho que)\b|\bsem\s+necessidade\b",
    veto_next=r"\s+(?:a|na|para a)\s+equipe\b|\s+(?:numero|licenca|cadastro|de imoveis)\b",
    nature=(
        r"\b(?:voce|vc|tu)\s+(?:e|eh|es)\s+(?:um|uma)?\s*(?:humano|humana|pessoa|robo|bot|maquina|ia|real|de verdade)\b"
        r"|\b(?:estou|to|tou)\s+(?:falando|conversando)\s+com\b|\b(?:isso|isto|esse|este)\s+e\s+(?:um|uma)\s+(?:bot|robo|maquina)\b"
    ),
    weak=(r"(?:pessoa|humano|alguem|atendente)\s+(?:real|de verdade|de carne e osso)\b|\bser humano\b",),
    polite=(
        "por favor",
        "pfv",
        "pf",
        "por gentileza",
        "obrigado",
        "obrigada",
        "agora",
        "urgente",
        "ja",
        "rapido",
        "logo",
        "pfvr",
    ),  # fmt: skip
    qualifiers=("de", "do", "da", "dos", "das", "em", "no", "na"),
    keys=("falar", "quero", "preciso", "conversar", "transferir", "contato", "ligar"),
    guard=(
        "pessoais",
        "falhar",
        "querem",
        "lugar",
        "contrato",
        "precisa",
        "meus",
        "mesmo",
        "fala",
        "falo",
        "falou",
        "falei",
        "falam",
        "falta",
        "passo",
        "quer",
        "liga",
        "ligou",
        "atende",
        "atendeu",
        "atendem",
        "atenda",
        "pessoal",
        "ajuda",
    ),  # fmt: skip
)

# --- French ----------------------------------------------------------------------------------

_FR_PEOPLE = (
    "humain", "humaine", "humains", "etre humain", "personne", "personnes", "quelqu'un", "operateur", "operatrice",
    "conseiller humain", "conseillere humaine", "interlocuteur humain", "personne physique",
)  # fmt: skip
_FR_NOUNS = _FR_PEOPLE + ("conseille",
    "conseiller", "conseillere", "conseillers", "conseilleres", "agent", "agents", "representant", "representante",
    "responsable", "service client", "service clientele", "service clients", "support", "support client",
    "assistance", "technicien", "technicienne", "collaborateur", "collaboratrice", "interlocuteur", "interlocutrice",
    "vendeur", "vendeuse", "superviseur", "manager", "equipe", "sav", "service apres-vente", "hotline", "standard",
    "employe", "employee", "chef", "expert", "specialiste",
)  # fmt: skip
_FR_TALK = (
    "parler", "discuter", "echanger", "causer", "chatter", "communiquer", "dialoguer", "converser", "m'entretenir",
    "etre en contact", "entrer en contact", "me mettre en contact", "me mettre en relation", "avoir affaire",
    "etre mis en relation", "etre mise en relation", "mis en relation", "mise en relation", "etre mis en contact",
    "mis en contact", "mise en contact", "etre transfere", "etre transferee", "etre redirige", "etre redirigee",
    "etre rappele", "etre rappelee",
)  # fmt: skip
_FR_CONTACT = ("contacter", "joindre", "appeler", "rencontrer", "consulter", "trouver", "solliciter")
_FR_CONNECT = (
    "mettez", "mets", "mettre", "me mettre", "passez", "passe", "passer", "me passer", "transferez", "transfere",
    "transferer", "me transferer", "redirigez", "redirige", "rediriger", "me rediriger", "orientez", "oriente",
    "orienter", "m'orienter", "basculez", "bascule", "connectez", "connecte", "me connecter", "renvoyez", "envoyez",
)  # fmt: skip
_FR_WANT = (
    "je veux", "je voudrais", "veux", "voudrais", "je souhaite", "souhaite", "je souhaiterais", "souhaiterais",
    "je prefere", "prefere", "j'aimerais", "aimerais", "je demande", "demande", "j'exige", "besoin d'", "besoin de",
    "il me faut", "donnez-moi", "donne-moi", "je peux avoir", "puis-je avoir", "pourrais-je avoir", "peut-on avoir",
    "est-ce que je peux avoir", "je voudrais avoir", "un appel d'", "aide d'", "aide de", "l'aide d'", "rappel par",
)  # fmt: skip

_FR = _Lexicon(
    code="fr",
    nouns=_FR_NOUNS,
    people=_FR_PEOPLE,
    dets=(
        "ton",
        "ta",
        "un",
        "une",
        "le",
        "la",
        "l'",
        "les",
        "au",
        "aux",
        "du",
        "des",
        "d'un",
        "d'une",
        "votre",
        "vos",
        "un de vos",
        "une de vos",
        "qu'un",
        "qu'une",
        "a un",
        "a une",
    ),  # fmt: skip
    adverbs=("maintenant", "tout de suite", "vite", "immediatement"),
    adjs=("vrai", "vraie", "vrais", "veritable", "reel", "reelle", "autre"),
    bots=(
        "robot",
        "robots",
        "bot",
        "bots",
        "machine",
        "machines",
        "chatbot",
        "ia",
        "intelligence artificielle",
        "assistant virtuel",
        "ordinateur",
        "automate",
        "repondeur",
    ),  # fmt: skip
    frames={
        "talk": (
            rf"{_alt(_FR_TALK)}(?:\s+(?:directement|maintenant|enfin|vraiment))?(?:\s+(?:a|avec|vers|par))?\s+<NP>",
            r"(?:veux|voudrais|veut|aimerais|souhaite|souhaiterais|prefere|peux|puis-je|besoin de|envie de)\s+parle\s+(?:a|au|avec)\s+<NP>",
            rf"{_alt(_FR_CONTACT)}\s+<NP>",
        ),
        "connect": (
            rf"{_alt(_FR_CONNECT)}(?:[- ]moi)?\s+(?:en\s+(?:relation|contact|ligne)\s+)?(?:(?:avec|a|vers|sur)\s+)?<NP>",
        ),
        "want": (rf"{_alt(_FR_WANT)}(?:\s+|(?<='))(?!qu'|support\b|assistance\b|aide\b)<NP>",),
        "avail": (
            r"(?:y a-t-il|y a t il|il y a|y'?a|est-ce qu'il y a|est ce qu'il y a|ya)\s+<PP>\s*(?:$|[?!.]|pour\b|qui\s+(?:peut|pourrait|puisse)\b|de disponible|disponible|en ligne|la\b|ici\b)",
            r"<NP>\s+(?:est|serait|sont)[- ]?(?:il\s+|elle\s+)?(?:disponible|disponibles|libre|en ligne|joignable|la)\b",
            r"(?:y a-t-il|y a t il|il y a|y'?a|est-ce qu'il y a|est ce qu'il y a)\s+<NP>\s+(?:de\s+)?(?:disponible|disponibles|libre|en ligne|joignable)\b",
            r"<NP>\s+(?:peut|pourrait|pourra|peut-il|peut-elle|pourrait-il|pourrait-elle)\s+(?:m'\s*|me\s+)(?:aider|rappeler|repondre|appeler|contacter|assister)",
            r"(?:a|avec)\s+qui\s+(?:puis-je|je peux|pourrais-je|dois-je|je dois|peut-on|on peut)\s+(?:parler|m'adresser|discuter|m'?\s*adresser)",
        ),
        "callback": (
            r"etre\s+(?:rappele|rappelee|recontacte|recontactee)s?\b",
            r"(?:rappelez|rappelle|appelez|recontactez|contactez)[- ]moi(?!\s+(?:de|d'|le|la|les|l'|mon|ma|mes|comment|quand|pourquoi|ce|que|qu'))",
            r"me\s+(?:faire\s+)?(?:rappeler|recontacter)(?:\s*(?:$|[?!.]|s'il|svp|stp|demain|au\b|par\b|plus tard|rapidement|vite))",
            r"(?:vous\s+pouvez|pouvez[- ]vous|pourriez[- ]vous|vous\s+pourriez)\s+(?:m'\s*|me\s+)(?:appeler|rappeler|telephoner|recontacter)\s*(?:$|[?!.])",
            r"qu'\s*<NP>\s+(?:me|m')\s*(?:rappelle|appelle|contacte|recontacte|telephone)\b",
        ),
        "refuse": (
            r"(?:ne\s+)?(?:veux|voudrais|souhaite)\s+(?:pas|plus)\s+(?:\w+\s+)?(?:parler|discuter|echanger|avoir affaire)\s+(?:a|au|avec)\s+<BOT>",
            r"(?:marre|assez|stop|fini|arrete|arretez)\s+(?:de\s+|avec\s+)?(?:\w+\s+){0,2}?<BOT>",
            r"pas\s+(?:de|d')\s*<BOT>",
            r"(?:plutot|prefere|prefererais)\s+(?:\w+\s+){0,3}?<NP>\s+(?:qu'?\s*|que\s+|plutot qu'?\s*)(?:a\s+|avec\s+)?<BOT>",
        ),
    },
    negation=r"\b(?:n'?\s*ai\s+pas|n'?\s*ai\s+plus|pas|plus)\s+besoin\b|\bne\s+(?:veux|souhaite|dois|voudrais)\s+(?:pas|plus)\b",
    veto_next=r"\s+(?:immobilier|immobiliere|d'assurance|de mon client|de mon agence)\b",
    nature=(
        r"\b(?:tu es|t'es|vous etes|etes-vous|es-tu|c'est|est-ce)\s+(?:que\s+(?:tu|vous)\s+(?:es|etes)\s+)?(?:un|une)?\s*(?:vrai|vraie)?\s*"
        r"(?:robot|bot|humain|humaine|personne|machine|ia|reel|reelle|vrai|vraie)\b|\bje\s+(?:parle|discute|suis en train de parler)\s+(?:a|avec)\b"
    ),
    weak=(
        r"(?:vraie|vrai|veritable)\s+(?:personne|humain|conseill\w+|agent|operat\w+)"
        r"|(?:personne|humain|conseill\w+|quelqu'un)\s+(?:reel|reelle|en chair et en os|de vrai)\b|\betre humain\b",
    ),
    polite=(
        "s'il vous plait",
        "s'il te plait",
        "svp",
        "stp",
        "merci",
        "maintenant",
        "vite",
        "rapidement",
        "urgent",
        "tout de suite",
    ),  # fmt: skip
    qualifiers=("de", "du", "des", "d'", "chez"),
    keys=("parler", "contacter", "joindre", "transferer", "passer", "discuter"),
    guard=(
        "argent",
        "parier",
        "personnel",
        "agence",
        "agences",
        "humaines",
        "chez",
        "chef",
        "parle",
        "parlez",
        "parles",
        "parlent",
        "parlait",
        "passe",
        "passez",
        "conseil",
        "conseilles",
        "personnel",
        "contact",
        "humains",
        "parlera",
    ),  # fmt: skip
)

# --- German ----------------------------------------------------------------------------------

_DE_PEOPLE = (
    "mensch", "menschen", "person", "jemand", "jemanden", "jemandem", "mitarbeiter", "mitarbeiterin",
    "menschliche hilfe", "menschliche unterstutzung", "echten menschen",
)  # fmt: skip
_DE_NOUNS = _DE_PEOPLE + (
    "vertreter", "vertreterin",
    "personen", "mitarbeitern", "mitarbeitende", "mitarbeitenden", "servicemitarbeiter", "servicemitarbeiterin",
    "kundenberater", "kundenberaterin", "berater", "beraterin", "ansprechpartner", "ansprechpartnerin", "agent",
    "agenten", "agentin", "kundendienst", "kundenservice", "kundensupport", "support", "service", "servicedesk",
    "hotline", "vorgesetzten", "vorgesetzte", "vorgesetzter", "chef", "chefin", "manager", "managerin", "operator",
    "sachbearbeiter", "sachbearbeiterin", "kollegen", "kollegin", "techniker", "fachmann", "experten", "experte",
    "spezialisten", "personliche beratung", "live-chat", "team", "supportteam", "serviceteam", "verantwortlichen",
)  # fmt: skip
_DE_TALK = ("sprechen", "reden", "chatten", "schreiben", "telefonieren", "verbinden", "verbunden werden",
            "in kontakt treten", "kontakt aufnehmen", "zu tun haben", "unterhalten", "austauschen")  # fmt: skip
_DE_CONNECT = ("verbinden", "verbinde", "verbindet", "leiten", "leite", "leitet", "stellen", "stelle", "stellt",
               "schalten", "schalte", "ubergeben", "ubergib", "weiterleiten", "weiterverbinden", "durchstellen",
               "vermitteln", "vermittle")  # fmt: skip
_DE_WANT = (
    "mochte", "mochten", "will", "wollen", "wurde gern", "wurde gerne", "hatte gern", "hatte gerne", "brauche",
    "brauch", "brauchen", "benotige", "suche", "wunsche", "verlange", "kann ich", "konnte ich", "darf ich",
    "gib mir", "geben sie mir", "gebt mir", "bitte um", "holen sie", "hol mir", "holen sie mir", "hilfe von",
)  # fmt: skip

_DE = _Lexicon(
    code="de",
    nouns=_DE_NOUNS,
    people=_DE_PEOPLE,
    dets=(
        "deinen",
        "deinem",
        "deiner",
        "deine",
        "einen",
        "eine",
        "einem",
        "einer",
        "ein",
        "den",
        "dem",
        "der",
        "die",
        "das",
        "ihren",
        "ihrem",
        "ihrer",
        "ihre",
        "euren",
        "eurem",
        "eurer",
        "irgendeinen",
        "irgendeine",
        "zum",
        "zur",
    ),  # fmt: skip
    adverbs=("sofort", "jetzt", "bitte", "gleich", "dringend"),
    adjs=(
        "echten",
        "echter",
        "echte",
        "echtem",
        "richtigen",
        "richtiger",
        "richtige",
        "richtigem",
        "realen",
        "realer",
        "reale",
        "menschlichen",
        "menschlicher",
        "menschliche",
        "lebendigen",
        "zustandigen",
        "zustandiger",
        "zustandige",
        "anderen",
        "personlichen",
        "kompetenten",
        "verfugbaren",
        "freien",
    ),  # fmt: skip
    bots=(
        "bot",
        "bots",
        "roboter",
        "maschine",
        "chatbot",
        "ki",
        "computer",
        "automat",
        "sprachassistent",
        "automatische antworten",
    ),  # fmt: skip
    frames={
        "talk": (
            rf"mit\s+<NP>\s+(?:\w+\s+){{0,3}}?{_alt(_DE_TALK)}\b",
            r"(?:kontakt|verbindung)\s+(?:zu|mit)\s+(?!personen\b|menschen\b|leuten\b)<NP>",
            r"(?:erreiche|erreichen|kontaktiere|kontaktieren|spreche)\s+(?:ich\s+|wir\s+|man\s+)?<NP>",
        ),
        "connect": (
            rf"{_alt(_DE_CONNECT)}\s+(?:sie\s+|du\s+)?(?:mich|uns)\s+(?:\w+\s+)?(?:bitte\s+)?(?:mit|an|zu|zum|zur)\s+<NP>",
            r"(?:an|zu)\s+<NP>\s+(?:\w+\s+)?(?:weiterleiten|weiterverbinden|durchstellen|verbinden|ubergeben|weitergeben|vermitteln|weiter|weitergeleitet|durchgestellt|weiterverbunden|verbunden werden)\b",
            r"<NP>\s+(?:erreichen|kontaktieren|anrufen|sprechen)\b",
        ),
        "want": (
            rf"{_alt(_DE_WANT)}\s+(?:bitte\s+|gern\s+|gerne\s+|jetzt\s+|sofort\s+|endlich\s+|mal\s+)*(?!support\b|service\b|menschen\b|personen\b|leute\w*\b)<NP>",
        ),
        "avail": (
            r"(?:ist|sind)\s+(?:\w+\s+)?<NP>\s+(?:\w+\s+)?(?:erreichbar|verfugbar|da|online|frei|zu sprechen|anwesend|im dienst)\b",
            r"ist\s+(?:da|hier|dort|jetzt)\s+(?:jemand|wer|irgendwer|irgendjemand|ein mensch)\b",
            r"gibt\s+es\s+(?:hier\s+|da\s+|bei euch\s+|bei ihnen\s+|auch\s+)?<PP>\s*,?\s*(?:$|[?!.]|(?:der|die)\s+(?:mir|uns)\b"
            r"|mit\s+(?:dem|der|wem)\s+ich\b|zum\s+(?:sprechen|reden)|hier\b|da\b|online\b)",
            r"(?:jemand|irgendwer|irgendjemand)\s+(?:da|hier|online)\s*(?:$|[?!.])",
            r"(?:kann|konnte|konnen|kannst)\s+(?:mir|uns)\s+<NP>\s+(?:\w+\s+)?(?:helfen|weiterhelfen)\b",
            r"(?:mit|an)\s+we[mn]\s+(?:kann|konnte|soll|muss)\s+ich\s+(?:\w+\s+)?(?:sprechen|reden|wenden|chatten)",
        ),
        "callback": (
            r"(?:rufen|ruft|ruf)\s+(?:sie\s+)?mich\s+(?:\w+\s+){0,2}?(?:zuruck|an)\b",
            r"(?:kann|konnte|soll|moge)\s+mich\s+<NP>\s+(?:\w+\s+)?(?:zuruckrufen|anrufen|kontaktieren)",
            r"(?:konnen|konnten|wurden)\s+sie\s+mich\s+(?:\w+\s+)?(?:zuruckrufen|anrufen|kontaktieren)\b",
            r"dass\s+mich\s+<NP>\s+(?:\w+\s+)?(?:kontaktiert|anruft|zuruckruft|kontaktieren|anrufen)\b",
            r"ruckruf\s+(?:bitte|erwunscht|anfordern|vereinbaren)|(?:bitte um|mochte|hatte gern|hatte gerne|wunsche|brauche|um)\s+(?:einen\s+)?ruckruf\b",
        ),
        "refuse": (
            r"(?:nicht|nie|keine lust)\s+(?:mehr\s+)?(?:mit|zu)\s+<BOT>\s+(?:\w+\s+)?(?:reden|sprechen|chatten|schreiben)",
            r"(?:schluss|genug)\s+mit\s+(?:dem|diesem|der|dieser)?\s*<BOT>",
            r"kein\w*\s+<BOT>\s*(?:mehr\b|$|[,.!])",
            r"lieber\s+(?:\w+\s+){0,3}?<NP>\s+als\s+(?:\w+\s+)?<BOT>",
        ),
    },
    negation=r"\b(?:muss|brauche|will|mochte)\s+(?:\w+\s+)?(?:nicht|kein\w*)\b|\bnicht\s+(?:mehr\s+)?(?:notig|notwendig)\b",
    veto_next=r"\s+(?:nummer|lizenz|konto|account|ausweis)\b",
    veto_clause=r"\bnicht\s+(?:notig|notwendig|erforderlich)\b|\b(?:hinzufugen|hinzuzufugen|anlegen|einladen|entfernen|loschen|zuweisen|sehen|erstellen|bearbeiten|sperren|freischalten|kundigen|zuordnen|umbenennen)\b",
    nature=(
        r"\b(?:bist du|sind sie|ist das|ist dies)\s+(?:ein|eine)?\s*(?:echter|echte|richtiger)?\s*(?:mensch|bot|roboter|maschine|ki|computer|person|echt)\b"
        r"|\b(?:rede|spreche|chatte|schreibe)\s+ich\s+mit\b|\bbin ich mit\b"
    ),
    weak=(
        r"(?:echte[nmr]?|richtige[nmr]?|reale[nmr]?|lebendige[nmr]?)\s+(?:mensch\w*|person\w*|mitarbeiter\w*|berater\w*|ansprechpartner\w*)"
        r"|\bmenschliche\w*\s+(?:hilfe|unterstutzung|ansprechpartner\w*|berat\w+|kontakt)",
    ),
    polite=("bitte", "danke", "jetzt", "sofort", "schnell", "dringend", "umgehend", "gerne", "gern"),
    qualifiers=("von", "vom", "aus", "bei", "im", "in", "fur"),
    keys=("sprechen", "reden", "verbinden", "chatten", "erreichen"),
    guard=(
        "niemand",
        "niemanden",
        "niemandem",
        "beraten",
        "verbunden",
        "chatte",
        "spreche",
        "sprache",
        "rede",
        "redet",
        "mitarbeit",
        "personal",
        "sprach",
    ),
)

# --- Italian ---------------------------------------------------------------------------------

_IT_PEOPLE = (
    "umano", "umana", "umani", "essere umano", "persona", "persone", "qualcuno", "operatore", "operatrice",
    "operatori", "operatrici", "operatore umano", "operatrice umana",
)  # fmt: skip
_IT_NOUNS = _IT_PEOPLE + (
    "contatto umano",
    "agente", "agenti", "consulente", "consulenti", "responsabile", "assistenza", "assistenza clienti",
    "servizio clienti", "supporto", "supporto tecnico", "addetto", "addetta", "tecnico", "specialista", "impiegato",
    "impiegata", "dipendente", "assistente", "referente", "commerciale", "venditore", "centralino", "call center",
    "ufficio clienti", "customer care", "help desk", "esperto", "manager", "direttore", "collega",
)  # fmt: skip
_IT_TALK = (
    "essere assistito", "essere assistita", "essere seguito", "essere seguita", "essere servito",
    "parlare", "chattare", "comunicare", "conversare", "parlarne", "sentire", "confrontarmi", "interloquire",
    "mettermi in contatto", "mettersi in contatto", "entrare in contatto", "essere messo in contatto",
    "essere messa in contatto", "essere collegato", "essere collegata", "essere trasferito", "essere trasferita",
    "essere contattato", "essere contattata", "essere richiamato", "essere richiamata", "avere a che fare",
    "essere passato", "essere passata", "essere messo", "essere messa",
)  # fmt: skip
_IT_CONNECT = (
    "mettere",
    "passi", "passa", "passate", "passami", "passatemi", "passarmi", "trasferisci", "trasferisca", "trasferite",
    "trasferiscimi", "trasferitemi", "trasferirmi", "collega", "colleghi", "collegate", "collegami", "collegatemi",
    "collegarmi", "metti", "metta", "mette", "mettete", "mettimi", "mettetemi", "mettermi", "inoltra", "inoltrami",
    "inoltrate", "dirotta", "dirottami", "indirizza", "indirizzami", "passare", "trasferire", "collegare",
)  # fmt: skip
_IT_WANT = (
    "voglio", "vorrei", "desidero", "mi serve", "mi servirebbe", "ho bisogno di", "ho bisogno d'",
    "avrei bisogno di", "avrei bisogno d'", "bisogno di", "bisogno d'", "chiedo", "preferisco", "datemi", "dammi",
    "mi date", "mi dia", "mi da", "cerco", "pretendo", "esigo", "aiuto da", "aiuto di", "assistenza da",
    "posso avere", "potrei avere", "si puo avere", "avete", "mi date un",
)  # fmt: skip

_IT = _Lexicon(
    code="it",
    nouns=_IT_NOUNS,
    people=_IT_PEOPLE,
    dets=(
        "tuo",
        "tua",
        "il tuo",
        "il vostro",
        "un",
        "una",
        "uno",
        "un'",
        "il",
        "lo",
        "la",
        "l'",
        "i",
        "gli",
        "le",
        "al",
        "allo",
        "alla",
        "all'",
        "del",
        "dello",
        "della",
        "dell'",
        "qualche",
        "un altro",
        "un'altra",
        "vostro",
        "vostra",
        "un vostro",
        "una vostra",
    ),  # fmt: skip
    adverbs=("subito", "ora", "adesso", "urgentemente", "davvero"),
    adjs=("vero", "vera", "vera e propria"),
    bots=(
        "bot",
        "robot",
        "macchina",
        "chatbot",
        "ia",
        "intelligenza artificiale",
        "assistente virtuale",
        "computer",
        "risponditore automatico",
        "risposte automatiche",
    ),  # fmt: skip
    frames={
        "talk": (
            rf"{_alt(_IT_TALK)}(?:\s+(?:direttamente|subito|ora|adesso|urgentemente|oggi))?(?:\s+(?:con|a|al|da|col))?(?:\s+|(?<='))<NP>",
            r"(?:contattare|raggiungere|chiamare|trovare)(?:\s+|(?<='))<NP>",
            r"(?:come|dove)\s+(?:posso\s+|faccio a\s+)?(?:parlo|parlare|chatto|chattare|contatto|contattare|raggiungo|raggiungere)\s+(?:con\s+)?(?:\s*|(?<='))<NP>",
            r"che\s+<NP>\s+(?:mi|ci)\s+(?:contatti|contattasse|chiami|chiamasse|richiami|richiamasse)\b",
        ),
        "connect": (
            rf"(?:mi\s+)?{_alt(_IT_CONNECT)}(?:\s+in\s+(?:contatto|comunicazione)\s+con|\s+(?:con|a|al|alla|allo|col))?(?:\s+|(?<='))<NP>",
        ),
        "want": (rf"{_alt(_IT_WANT)}(?:\s+|(?<='))(?!supporto\b|aiuto\b|assistenza\b(?!\s+clienti))<NP>",),
        "avail": (
            r"c'?\s*e\s+(?:un|una|qualche)?\s*<PP>\s*(?:$|[?!.]|disponibile|libero|libera|online|in linea|che\b|per\b|in carne|li\b|la\b|qui\b)",
            r"ci\s+sono\s+(?:degli|delle)?\s*(?:operatori|operatrici|persone|umani)\b",
            r"<NP>\s+(?:e\s+)?(?:disponibile|disponibili|libero|libera|online)\s*(?:$|[?!.]|adesso|ora)",
        ),
        "callback": (
            r"(?:richiamatemi|richiamami|mi richiami|mi richiamate|chiamatemi|chiamami|mi chiami|mi chiamate|ricontattatemi|"
            r"ricontattami|contattatemi|contattami|farmi richiamare|farmi chiamare|farmi contattare|essere richiamat[oa]|essere ricontattat[oa])\b",
            r"mi\s+(?:potete|puoi|puo|potreste|potresti|potrebbe)\s+(?:ri)?(?:chiamare|contattare)",
            r"mi\s+(?:fate|fa|fai|faccia|fareste|potete far|puoi far)\s+(?:ri)?(?:chiamare|contattare)",
            r"(?:potete|puoi|potreste|potresti|potrebbe|puo)\s+(?:ri)?(?:chiamarmi|contattarmi|ricontattarmi)\b",
            r"<NP>\s+(?:mi\s+)?(?:puo|potrebbe|potete)\s+(?:aiutarmi|assistermi|rispondermi|richiamarmi|chiamarmi)\b",
            r"(?:con|a)\s+chi\s+(?:posso|potrei|devo)\s+(?:parlare|chattare|rivolgermi)",
        ),
        "refuse": (
            r"non\s+(?:voglio|desidero|mi va di)\s+(?:piu\s+)?(?:parlare|chattare|interagire|comunicare)\s+con\s+<BOT>",
            r"(?:basta|smettila|stop|stufo|stufa)\s+(?:con\s+|di\s+)?(?:\w+\s+){0,2}?<BOT>",
            r"non\s+(?:voglio|desidero)\s+(?:un|il|piu)?\s*<BOT>",
            r"(?:meglio|preferisco)\s+(?:\w+\s+){0,3}?<NP>\s+(?:che|di|invece di|piuttosto che)\s+(?:\w+\s+)?<BOT>",
        ),
    },
    negation=r"\bnon\s+(?:\w+\s+)?(?:ho bisogno|voglio|serve|c'e bisogno|occorre|devo|necessito)\b",
    veto_next=r"\s+(?:assegnat[oa]|telefonico|immobiliare|di zona)\b",
    nature=(
        r"\b(?:sei|siete|sei tu)\s+(?:un|una)?\s*(?:operatore|operatrice|persona|umano|umana|robot|bot|macchina|ia|vero|vera|reale)\b"
        r"|\bsto\s+(?:parlando|chattando|scrivendo)\s+con\b|\b(?:e|sei)\s+(?:un|una)\s+(?:bot|robot|macchina)\b"
    ),
    weak=(
        r"(?:persona|operatore|operatrice|umano|qualcuno)\s+(?:vera|vero|reale|in carne e ossa|umano|umana)\b|\bessere umano\b|\bvera persona\b",
    ),
    polite=(
        "per favore",
        "per piacere",
        "per cortesia",
        "grazie",
        "subito",
        "ora",
        "adesso",
        "urgente",
        "prego",
        "cortesemente",
        "perfavore",
    ),  # fmt: skip
    qualifiers=("di", "del", "della", "dell'", "dal", "dalla", "da"),
    keys=("parlare", "contattare", "passare", "trasferire", "collegare", "vorrei", "voglio"),
    guard=(
        "personali",
        "qualcun",
        "parlate",
        "verrei",
        "umane",
        "agenzia",
        "parla",
        "parlo",
        "parlato",
        "parli",
        "parlano",
        "parlavo",
        "parlera",
        "operato",
        "opera",
        "passo",
        "vorrai",
        "voglia",
        "sentite",
        "persone",
    ),  # fmt: skip
)

# --- Dutch -----------------------------------------------------------------------------------

_NL_PEOPLE = (
    "mens", "mensen", "persoon", "iemand", "medewerker", "medewerkster", "operator", "menselijke hulp",
)  # fmt: skip
_NL_NOUNS = _NL_PEOPLE + (
    "medewerkers", "klantenservice", "klantendienst", "servicedesk", "helpdesk", "support", "adviseur", "consulent",
    "agent", "manager", "leidinggevende", "collega", "vertegenwoordiger", "specialist", "deskundige", "team",
    "supportteam", "klantenteam", "servicemedewerker", "verantwoordelijke",
)  # fmt: skip
_NL_VERBS = (
    "praten",
    "spreken",
    "chatten",
    "bellen",
    "communiceren",
    "overleggen",
    "babbelen",
    "verbinden",
    "doorverbinden",
)

_NL = _Lexicon(
    code="nl",
    nouns=_NL_NOUNS,
    people=_NL_PEOPLE,
    dets=("je", "jouw", "een", "de", "het", "uw", "jullie", "een van jullie", "een andere"),
    adverbs=("nu", "echt", "dringend", "even", "graag"),
    adjs=("echte", "echt", "menselijke", "levende", "andere", "bevoegde", "beschikbare"),
    bots=(
        "bot",
        "robot",
        "computer",
        "chatbot",
        "machine",
        "ai",
        "automaat",
        "antwoordapparaat",
        "automatische antwoorden",
    ),  # fmt: skip
    frames={
        "talk": (
            rf"{_alt(_NL_VERBS)}\s+met\s+<NP>",
            rf"met\s+<NP>\s+(?:\w+\s+){{0,2}}?(?:te\s+)?{_alt(_NL_VERBS)}\b",
            r"<NP>\s+(?:(?:kunnen|mogen|willen|te)\s+)?(?:spreken|aan de lijn|aan de telefoon|bereiken|contacteren)\b",
            r"met\s+wie\s+(?:kan|moet|mag|kun)\s+ik\s+(?:\w+\s+)?(?:praten|spreken|chatten)",
            r"(?:kan|kunt|zou)\s+<NP>\s+(?:mij|me|ons)\s+(?:\w+\s+)?(?:helpen|te woord staan)\b",
            r"(?:contact|in contact|contact op)\s+(?:\w+\s+)?met\s+<NP>",
        ),
        "connect": (
            r"(?:verbind|verbindt|verbinden|doorverbinden|zet|zetten|breng|brengen|stuur|sturen|schakel|schakelen|koppel|koppelen)"
            r"\s+(?:u\s+)?(?:me\s+|mij\s+|ons\s+)?(?:door\s+)?(?:met|naar|aan)\s+<NP>",
            r"(?:doorverbonden|verbonden|doorgeschakeld|doorgezet)\s+(?:worden\s+|te worden\s+)?(?:met|naar|aan)\s+<NP>",
            r"(?:met|naar|aan)\s+<NP>\s+(?:doorverbonden|verbonden|doorgeschakeld|doorgezet)\b",
        ),
        "want": (
            r"(?:ik wil|wil ik|wil graag|ik zou graag|zou ik graag|graag|geef me|geef mij|mag ik|kan ik|kunt u me|kunt u mij|ik zoek|ik vraag om|ik verlang)"
            r"\s+(?:graag\s+|nu\s+|even\s+)?(?!support\b)<NP>",
            r"(?:heb|hebben)\s+<NP>\s+nodig\b",
        ),
        "avail": (
            r"is\s+er\s+(?:nu\s+|momenteel\s+|op dit moment\s+)?<NP>\s+(?:\w+\s+)?(?:beschikbaar|aanwezig|online|vrij|bereikbaar|aan de lijn)\b",
            r"is\s+er\s+(?:nog\s+)?<PP>\s*(?:$|[?!.]|die\s+(?:me|mij|ons)\b|aanwezig|beschikbaar|online|daar|hier)",
            r"(?:hebben jullie|heeft u|hebt u|heb je)\s+(?:nu\s+)?<NP>\s+(?:die\b|beschikbaar|vrij|online|aanwezig)",
            r"iemand\s+(?:daar|aanwezig|hier|online)\s*(?:$|[?!.])",
        ),
        "callback": (
            r"(?:bel|belt|bellen)\s+(?:u\s+)?(?:me|mij)\s+(?:\w+\s+)?(?:terug|op)\b",
            r"(?:kan|kunt|kunnen|wil|wilt|willen|zou|zouden)\s+(?:<NP>|u|je|jij|jullie)\s+(?:me|mij)\s+(?:\w+\s+)?(?:terugbellen|bellen|opbellen|contacteren)",
            r"dat\s+<NP>\s+(?:\w+\s+)?(?:contact\s+(?:met\s+(?:me|mij)\s+)?opneemt|terugbelt|belt)\b(?!\s+met\s+(?!me\b|mij\b))",
            r"(?:bereik|contacteer|spreek)\s+ik\s+<NP>",
            r"(?:terugbelverzoek|teruggebeld worden|belletje terug)",
            r"<PP>\s+(?:\w+\s+)?contact\s+met\s+(?:mij|me|ons)\s+(?:opnemen|zoeken)",
        ),
        "refuse": (
            r"(?:niet|geen zin)\s+(?:meer\s+)?(?:met|tegen)\s+<BOT>\s+(?:\w+\s+)?(?:praten|spreken|chatten)",
            r"(?:stop|klaar|genoeg)\s+(?:met\s+)?(?:die\s+|deze\s+|de\s+)?<BOT>",
            r"geen\s+<BOT>\s*(?:meer\b|$|[,.!]|maar\b)",
            r"liever\s+(?:\w+\s+){0,3}?<NP>\s+dan\s+(?:\w+\s+)?<BOT>",
        ),
    },
    negation=r"\b(?:hoef|hoeft|hoeven)\b|\bgeen\b|\bniet\s+(?:meer\s+)?nodig\b",
    veto_clause=r"\b(?:verwijderen|toevoegen|uitnodigen|toewijzen|aanmaken|zien|voeg|ontslaan|betalen)\b",
    nature=r"\b(?:ben jij|ben je|bent u|is dit|is dat|praat ik|spreek ik|chat ik)\s+(?:met\s+)?(?:een\s+)?(?:echt\w*\s+)?(?:bot|robot|mens|persoon|computer|machine|ai)\b",
    weak=(
        r"(?:echte?|levende?)\s+(?:mens|persoon|medewerker)\b|\bmenselijke\s+(?:hulp|ondersteuning|medewerker|contact)\b",
    ),
    polite=(
        "alsjeblieft",
        "alstublieft",
        "aub",
        "a.u.b",
        "graag",
        "nu",
        "dank je",
        "bedankt",
        "snel",
        "dringend",
        "even",
    ),  # fmt: skip
    qualifiers=("van", "bij", "uit"),
    keys=("praten", "spreken", "doorverbinden", "verbinden", "bereiken"),
    guard=("niemand", "niemanden", "spreek", "sprak", "praat", "medewerking", "bereikt", "neem", "mens", "mensen"),
)

# --- Polish ----------------------------------------------------------------------------------

_PL_PEOPLE = (
    *_forms("czlowiek", "", "a", "owi", "iem", "u"), "ludzie", "ludzi", "ludzmi", "ktos", "kogos", "komus", "kims",
    *_forms("konsultant", "", "a", "owi", "em", "ie", "ow", "om", "ami", "ach"), "konsultanci",
    *_forms("konsultantk", "a", "i", "e", "ce"), *_forms("operator", "", "a", "owi", "em", "ze"),
)  # fmt: skip
_PL_NOUNS = _PL_PEOPLE + (
    *_forms("pracownik", "", "a", "owi", "iem", "u", "ow"), "pracownicy",
    *_forms("doradc", "a", "y", "e"), "doradczyni", *_forms("agent", "", "a", "owi", "em"),
    *_forms("kierownik", "", "a", "owi", "iem"), *_forms("specjalist", "a", "y", "e"), "specjaliscie",
    *_forms("osob", "a", "y", "ie", "e"), *_forms("obslug", "a", "i", "e"), "obsludze", "obsluga klienta",
    "obslugi klienta", "obsluge klienta", "dzial obslugi", "dzialu obslugi", "dzialem obslugi", "biuro obslugi",
    *_forms("support", "", "u", "em"), *_forms("infolini", "a", "i", "e"), *_forms("opiekun", "", "a", "em"),
    *_forms("przedstawiciel", "", "a", "em"), *_forms("menedzer", "", "a", "em"), *_forms("manager", "", "a", "em"),
    *_forms("ekspert", "", "a", "em"), "czlowiek z krwi i kosci",
)  # fmt: skip
_PL_TALK = (
    "mowic", "pomowic",
    "porozmawiac", "rozmawiac", "pogadac", "gadac", "skontaktowac sie", "kontaktowac sie", "polaczyc sie",
    "czatowac", "pisac", "rozmowe", "rozmowy", "rozmowa", "kontakt", "kontaktu", "polaczenie", "polaczenia",
    "dodzwonic sie", "dodzwonic", "porozmawiam", "pogadam", "sie skontaktowac", "sie polaczyc",
)  # fmt: skip
_PL_CONNECT = (
    "polacz", "polaczcie", "polaczy", "polaczyc", "przelacz", "przelaczcie", "przelaczyc", "przekieruj",
    "przekierujcie", "przekierowac", "przekaz", "przekazcie", "przekazac", "daj", "dajcie", "podaj", "podajcie",
    "zawolaj", "zawolajcie", "wezwij", "poprosze", "prosze", "poprosic", "prosic",
)  # fmt: skip

_PL = _Lexicon(
    code="pl",
    nouns=_PL_NOUNS,
    people=_PL_PEOPLE,
    adverbs=("teraz", "pilnie", "natychmiast", "szybko", "wreszcie"),
    adjs=(
        "prawdziwy",
        "prawdziwym",
        "prawdziwego",
        "prawdziwa",
        "prawdziwej",
        "zywy",
        "zywym",
        "zywego",
        "zywa",
        "zywej",
        "jakis",
        "jakiegos",
        "jakims",
        "jakas",
        "innym",
        "innego",
        "inny",
        "dostepny",
        "dostepnego",
        "dostepnym",
        "wolny",
        "wolnego",
        "twoim",
        "waszym",
        "waszego",
        "tego",
    ),  # fmt: skip
    bots=(
        "bot",
        "bota",
        "botem",
        "botowi",
        "boty",
        "robot",
        "robota",
        "robotem",
        "maszyna",
        "maszyny",
        "maszyne",
        "automat",
        "automatem",
        "automatu",
        "chatbot",
        "chatbotem",
        "sztuczna inteligencja",
        "ai",
        "komputer",
        "komputerem",
    ),  # fmt: skip
    frames={
        "talk": (
            rf"{_alt(_PL_TALK)}\s+(?:teraz\s+|od razu\s+)?(?:z|ze|do)\s+<NP>",
            r"(?:z|ze)\s+<NP>\s+(?:\w+\s+)?(?:porozmawiac|pogadac|rozmawiac|porozmawiam|pogadam|sie skontaktowac|sie polaczyc)\b",
        ),
        "connect": (
            rf"{_alt(_PL_CONNECT)}\s+(?:mnie\s+|mi\s+)?(?:(?:z|ze|do|na)\s+)?<NP>",
            r"(?:polaczon|przelaczon|przekierowan)\w*\s+(?:z|ze|do|na)\s+<NP>",
        ),
        "want": (
            r"(?:chce|chcialbym|chcialabym|chcemy|potrzebuje|potrzebujemy|wole|wolalbym|wolalabym|zadam|szukam|prosze o|"
            r"potrzebna|potrzebny|potrzebuje pomocy|pomocy|pomoc od|pomoc|prosic o|poprosic o|moge prosic o)\s+<NP>",
        ),
        "avail": (
            r"(?:czy\s+)?(?:jest|sa)\s+(?:teraz\s+|tam\s+|tu\s+|ktokolwiek\s+)?<PP>\s*,?\s*(?:$|[?!.]|na czacie|dostepn\w*|online|tam\b|tu\b"
            r"|kto\s+(?:\w+\s+)?(?:mi|mnie)\s+(?:pomoc|pomoze|pomogl\w*)|z kim|zyw\w*|prawdziw\w*)",
            r"<PP>\s+(?:jest\s+)?(?:dostepny|dostepna|online|na czacie)\b",
            r"(?:jest tam kto|czy ktos (?:tu|tam) jest|halo\s+jest\s+ktos)",
            r"<NP>\s+(?:\w+\s+){0,3}?(?:moze|moglby|mogla|mogliby|mozecie)\s+mi\s+pomoc",
            r"z\s+kim\s+(?:moge|moglbym|moglabym|mozna|musze)\s+(?:porozmawiac|rozmawiac|sie skontaktowac|pogadac)",
        ),
        "callback": (
            r"(?:zadzwon|zadzwoncie|oddzwon|oddzwoncie|zadzwoni|zadzwonicie|moze zadzwonic|mozecie zadzwonic)\s+(?:\w+\s+)?do\s+mnie",
            r"(?:mozecie|moglibyscie|moze pan|moze pani)\s+(?:do mnie\s+)?(?:zadzwonic|oddzwonic)",
            r"(?:zeby|aby|by)\s+(?:sie\s+)?<NP>\s+(?:sie\s+)?(?:ze mna\s+)?(?:sie\s+)?(?:skontaktowal\w*|zadzwonil\w*|oddzwonil\w*|odezwal\w*)",
            r"<PP>\s+(?:\w+\s+)?(?:moze|moglby|mogla|mogliby)\s+(?:do mnie\s+)?(?:zadzwonic|oddzwonic)",
            r"prosze\s+o\s+(?:telefon|oddzwonienie|kontakt telefoniczny)",
        ),
        "refuse": (
            r"nie\s+(?:chce|chcialbym|chcialabym|bede|lubie)\s+(?:juz\s+)?(?:rozmawiac|gadac|pisac|czatowac)\s+(?:z|ze)\s+<BOT>",
            r"(?:dosc|dosyc|mam dosc|koniec|stop|wystarczy)\s+(?:z\s+)?(?:\w+\s+){0,2}?<BOT>",
            r"(?:wole|wolalbym|wolalabym|lepiej)\s+(?:\w+\s+){0,3}?<NP>\s+(?:niz|a nie)\s+(?:\w+\s+)?<BOT>",
        ),
    },
    negation=r"\bnie\s+(?:\w+\s+)?(?:potrzebuje|chce|musze|trzeba)\b",
    veto_next=r"\s+(?:sieci|komorkow\w*|z firmy|kurier\w*|przypisan\w*|pobral|pobrala)\b",
    veto_clause=r"\b(?:dodac|usunac|przypisac|zaprosic|widzi|zmienic|zablokowac)\b",
    nature=(
        r"\bczy\s+(?:jestes|pan jest|pani jest|to jest|to)\s+(?:\w+\s+)?(?:botem|bot|czlowiekiem|czlowiek|robotem|maszyna|prawdziwy|prawdziwa|ai)\b"
        r"|\brozmawiam\s+z\b|\bjestes\s+(?:\w+\s+)?(?:botem|czlowiekiem|robotem|maszyna|prawdziwym|prawdziwa)\b"
    ),
    weak=(r"(?:prawdziw\w+|zyw\w+)\s+(?:czlowiek\w*|konsultant\w*|osob\w+|pracownik\w*)",),
    polite=("prosze", "poprosze", "dziekuje", "dzieki", "teraz", "pilne", "pilnie", "szybko", "natychmiast"),
    qualifiers=("z", "ze", "od", "w"),
    keys=("porozmawiac", "rozmawiac", "polacz", "polaczcie", "przelacz", "przekieruj", "potrzebuje", "skontaktowac"),
    guard=(
        "rozmawiam",
        "rozmawialem",
        "rozmawialam",
        "rozmawial",
        "rozmawiala",
        "rozmawia",
        "rozmawiamy",
        "rozmawiaj",
        "polaczono",
        "osoba",
        "osobie",
    ),  # fmt: skip
)

# --- Russian ---------------------------------------------------------------------------------

_RU_HARD = ("", "а", "у", "ом", "е", "ы", "ов", "ам", "ами")
_RU_PEOPLE = (
    *_forms("оператор", *_RU_HARD), *_forms("человек", "", "а", "у", "ом", "е"), "люди", "людей", "людям", "людьми",
    "кто-нибудь", "кого-нибудь", "кому-нибудь", "кем-нибудь", "кто-то", "кого-то", "кому-то", "кем-то", "кого-либо",
    "кем-либо", "кто-либо", *_forms("консультант", *_RU_HARD), *_forms("сотрудник", "", "а", "у", "ом", "е", "и", "ов"),
)  # fmt: skip
_RU_NOUNS = _RU_PEOPLE + (
    *_forms("сотрудниц", "а", "у", "ей", "ы"), *_forms("менеджер", *_RU_HARD), *_forms("специалист", *_RU_HARD),
    *_forms("администратор", "", "а", "у", "ом"), *_forms("руководител", "ь", "я", "ю", "ем"),
    *_forms("начальник", "", "а", "у", "ом"), *_forms("поддержк", "а", "и", "у", "ой", "е"),
    *_forms("техподдержк", "а", "и", "у", "ой", "е"), "служба поддержки", "службу поддержки", "службой поддержки",
    "службы поддержки", "службе поддержки", *_forms("агент", "", "а", "у", "ом"),
    *_forms("представител", "ь", "я", "ю", "ем"), *_forms("диспетчер", "", "а", "у", "ом"),
    *_forms("эксперт", "", "а", "у", "ом"),
)  # fmt: skip
_RU_TALK = (
    "поговорить", "говорить", "связаться", "пообщаться", "общаться", "переписываться", "разговаривать",
    "побеседовать", "соединиться", "связь", "созвониться", "поговорю", "пообщаюсь", "чатиться", "связаться напрямую",
)  # fmt: skip
_RU_CONNECT = (
    "свяжите", "свяжи", "соедините", "соедини", "соединить", "переключите", "переключи", "переключить",
    "переведите", "переведи", "перевести", "передайте", "передай", "передать", "перенаправьте", "перенаправь",
    "позовите", "позови", "позвать", "пригласите", "пригласи", "вызовите", "вызови", "дайте", "дай", "давайте",
    "подключите", "подключи",
)  # fmt: skip
_RU_WANT = (
    "хочу", "хотел бы", "хотела бы", "хотелось бы", "нужен", "нужна", "нужно", "нужны", "надо", "требуется",
    "можно", "прошу", "ищу", "нужна помощь", "нужен совет", "помощь", "помощи",
)  # fmt: skip

_RU = _Lexicon(
    code="ru",
    nouns=_RU_NOUNS,
    people=_RU_PEOPLE,
    adverbs=("срочно", "сейчас", "немедленно", "уже"),
    adjs=(
        "живые",
        "живых",
        "живыми",
        "реальные",
        "настоящие",
        "свободные",
        "живой",
        "живого",
        "живому",
        "живым",
        "живая",
        "живую",
        "реальный",
        "реального",
        "реальным",
        "реальному",
        "настоящий",
        "настоящего",
        "настоящим",
        "настоящему",
        "свободный",
        "свободного",
        "свободным",
        "другой",
        "другого",
        "другим",
        "вашего",
        "вашим",
        "вашему",
        "ваш",
        "компетентного",
        "компетентным",
    ),  # fmt: skip
    bots=(
        "бот",
        "бота",
        "боту",
        "ботом",
        "боты",
        "робот",
        "робота",
        "роботу",
        "роботом",
        "машина",
        "машиной",
        "машину",
        "автоответчик",
        "автоответчиком",
        "чат-бот",
        "чат-ботом",
        "искусственный интеллект",
        "нейросеть",
        "нейросетью",
        "ии",
    ),  # fmt: skip
    frames={
        "talk": (
            rf"{_alt(_RU_TALK)}\s+(?:напрямую\s+|сейчас\s+)?(?:с|со)\s+<NP>",
            r"(?:с|со)\s+<NP>\s+(?:\w+\s+)?(?:поговорить|связаться|пообщаться|пообщаюсь|поговорю|соединить|соедините)\b",
            r"(?:выйти на|дозвониться до|добраться до|попасть к|достучаться до)\s+<NP>",
        ),
        "connect": (
            rf"{_alt(_RU_CONNECT)}\s+(?:меня\s+|мне\s+|нас\s+)?(?:(?:с|со|на|к)\s+)?<NP>",
            r"<NP>\s+(?:\w+\s+)?(?:позовите|позови|дайте|дай|пригласите|вызовите)\b",
            r"чтобы\s+(?:меня\s+|мне\s+)?(?:соединили|переключили|перевели|связали|позвали|подключили|дали)\s+(?:(?:с|со|на|к)\s+)?<NP>",
        ),
        "want": (
            rf"{_alt(_RU_WANT)}\s+(?:мне\s+)?(?:к\s+)?<NP>",
            r"<NP>\s+(?:срочно\s+|очень\s+)?(?:нужен|нужна|нужны|нужно|требуется)\b",
        ),
        "avail": (
            r"есть\s+(?:ли\s+)?(?:тут\s+|здесь\s+|сейчас\s+)?<PP>\s*,?\s*(?:$|[?!.]|на связи|онлайн|с кем"
            r"|(?:который|кто)\s+(?:\w+\s+)?(?:может|сможет|мог бы)\s+(?:мне\s+)?помочь|чтобы\s+(?:поговорить|помочь))",
            r"(?:тут|здесь)\s+есть\s+<PP>",
            r"есть\s+кто(?:-нибудь|-то)?\s+(?:живой|живые|из\s+(?:людей|сотрудников|поддержки|операторов))",
            r"<PP>\s+(?:есть|на связи|онлайн|свободен)\s*(?:$|[?!.])",
        ),
        "callback": (
            r"(?:перезвоните|перезвони|позвоните|позвони|наберите|звякните)(?:\s+(?:мне|нам|пожалуйста)|\s*(?:$|[?!.,]))",
            r"пусть\s+(?:мне\s+)?(?:перезвонят|позвонят|перезвонит|позвонит|наберут|свяжутся|свяжется)",
            r"<PP>\s+(?:может|могут|мог бы)\s+(?:мне\s+)?(?:перезвонить|позвонить)",
            r"(?:можете|могли бы)\s+(?:вы\s+)?(?:мне\s+)?(?:перезвонить|позвонить)\b",
            r"чтобы\s+(?:со\s+мной|мне)\s+(?:связался|связалась|связались|позвонил|позвонила|позвонили|перезвонил\w*)\s+<NP>",
            r"(?:может|могут)\s+(?:ли\s+)?<PP>\s+(?:мне\s+)?(?:перезвонить|позвонить)",
            r"(?:может|могут|мог бы)\s+(?:ли\s+)?(?:мне\s+)?помочь\s+<NP>",
            r"<NP>\s+(?:может|могут|мог бы)\s+(?:мне\s+)?помочь",
            r"с\s+кем\s+(?:можно|могу|мне|я могу)\s+(?:\w+\s+)?(?:поговорить|связаться|пообщаться)",
        ),
        "refuse": (
            r"не\s+(?:хочу|желаю|буду|могу)\s+(?:больше\s+)?(?:говорить|общаться|разговаривать|переписываться|болтать|чатиться)\s+(?:с|со)\s+<BOT>",
            r"(?:хватит|надоел\w*|достал\w*|устал\w*\s+от)\s+(?:\w+\s+){0,2}?<BOT>",
            r"лучше\s+(?:\w+\s+){0,3}?<NP>\s*,?\s+(?:чем|а не)\s+(?:\w+\s+)?<BOT>",
        ),
    },
    negation=r"\bне\s+(?:\w+\s+)?(?:нужен|нужна|нужно|надо|хочу|требуется|нужны)\b",
    veto_clause=r"\b(?:добавить|удалить|убрать|назначить|сменить|пригласить|видеть|заблокировать|поменять|уволить)\b",
    nature=(
        r"\b(?:ты|вы)\s+(?:что\s+)?(?:\w+\s+)?(?:бот|робот|человек|живой|настоящий|машина|ии)\b"
        r"|\b(?:это|я)\s+(?:\w+\s+)?(?:бот|робот)\b|\bя\s+(?:общаюсь|разговариваю|говорю|переписываюсь)\s+(?:с|со)\b"
    ),
    weak=(
        r"(?:живо\w*|реальн\w*|настоящ\w*)\s+(?:человек\w*|оператор\w*|сотрудник\w*|специалист\w*|консультант\w*|менеджер\w*|люд\w*)"
        r"|(?:оператор\w*|консультант\w*|человек\w*|специалист\w*)\s+(?:бы\s+)?живо\w*",
    ),
    polite=("пожалуйста", "пжл", "плз", "срочно", "сейчас", "быстро", "спасибо", "скорее"),
    qualifiers=("из", "от", "с"),
    keys=("поговорить", "связаться", "соедините", "пообщаться", "переключите", "переведите", "позовите"),
    guard=("говорил", "говорила", "говорит", "говорим", "говорят", "оператору", "связался", "связалась"),
)

# --- Ukrainian -------------------------------------------------------------------------------

_UK_HARD = ("", "а", "у", "ом", "ові", "и", "ів")
_UK_PEOPLE = (
    *_forms("оператор", *_UK_HARD), *_forms("людин", "а", "и", "у", "ою", "і"), "люди", "людей", "людьми", "хтось",
    "когось", "комусь", "кимось", "хто-небудь", "кого-небудь", "кимось", *_forms("консультант", *_UK_HARD),
    *_forms("співробітник", *_UK_HARD), *_forms("працівник", *_UK_HARD),
)  # fmt: skip
_UK_NOUNS = _UK_PEOPLE + (
    *_forms("співробітниц", "я", "ю", "ею", "і"), *_forms("менеджер", *_UK_HARD), *_forms("спеціаліст", *_UK_HARD),
    "фахівець", "фахівця", "фахівцю", "фахівцем", *_forms("підтримк", "а", "и", "у", "ою"), "підтримці",
    "служба підтримки", "службу підтримки", "службою підтримки", "служби підтримки", *_forms("керівник", *_UK_HARD),
    *_forms("адміністратор", *_UK_HARD), *_forms("представник", "", "а", "ом"), *_forms("агент", "", "а", "ом"),
)  # fmt: skip
_UK_TALK = (
    "поговорити", "говорити", "розмовляти", "спілкуватися", "спілкуватись", "зв'язатися", "зв'язатись",
    "з'єднатися", "поспілкуватися", "поспілкуватись", "побалакати", "переписуватися", "порозмовляти", "зв'язок",
)  # fmt: skip
_UK_CONNECT = (
    "з'єднати", "зв'язати", "переключити", "перевести", "передати", "покликати",
    "з'єднайте", "з'єднай", "зв'яжіть", "зв'яжи", "переведіть", "переведи", "перемкніть", "перемкни", "переключіть",
    "переключи", "передайте", "передай", "покличте", "поклич", "викличте", "виклич", "дайте", "дай", "запросіть",
    "підключіть", "підключи",
)  # fmt: skip
_UK_WANT = (
    "хочу", "хотів би", "хотіла би", "хотів б", "хотіла б", "хотілося б", "потрібен", "потрібна", "потрібно",
    "потрібні", "треба", "можна", "прошу", "шукаю", "потрібна допомога", "допомога", "допомогу", "хочу до",
)  # fmt: skip

_UK = _Lexicon(
    code="uk",
    nouns=_UK_NOUNS,
    people=_UK_PEOPLE,
    adverbs=("терміново", "зараз", "негайно", "вже"),
    adjs=(
        "живі",
        "живих",
        "справжні",
        "вільні",
        "живий",
        "живого",
        "живому",
        "живим",
        "жива",
        "живу",
        "живою",
        "живої",
        "живій",
        "справжній",
        "справжнього",
        "справжнім",
        "справжня",
        "справжню",
        "справжньою",
        "вільний",
        "вільного",
        "вільним",
        "реальний",
        "реальною",
        "реальну",
        "іншого",
        "іншим",
        "вашого",
        "вашим",
    ),  # fmt: skip
    bots=(
        "бот",
        "бота",
        "боту",
        "ботом",
        "боти",
        "робот",
        "робота",
        "роботом",
        "машина",
        "машиною",
        "автовідповідач",
        "чат-бот",
        "чат-ботом",
        "штучний інтелект",
        "ші",
    ),  # fmt: skip
    frames={
        "talk": (
            rf"{_alt(_UK_TALK)}\s+(?:напряму\s+|зараз\s+)?(?:з|зі|із)\s+<NP>",
            r"(?:з|зі|із)\s+<NP>\s+(?:\w+\s+)?(?:поговорити|зв'?язатися|поспілкуватися)\b",
            r"(?:вийти на|додзвонитися до|достукатися до|потрапити до)\s+<NP>",
        ),
        "connect": (
            rf"{_alt(_UK_CONNECT)}\s+(?:мене\s+|мені\s+|нас\s+)?(?:(?:з|зі|із|на|до)\s+)?<NP>",
            r"<NP>\s+(?:\w+\s+)?(?:покличте|поклич|дайте|дай)\b",
            r"щоб\s+(?:мене\s+|мені\s+)?(?:з'?єднали|переключили|перевели|зв'?язали|покликали|підключили|дали)\s+(?:(?:з|зі|із|на|до)\s+)?<NP>",
        ),
        "want": (
            rf"{_alt(_UK_WANT)}\s+(?:мені\s+)?(?:до\s+)?<NP>",
            r"<NP>\s+(?:терміново\s+|дуже\s+)?(?:потрібен|потрібна|потрібні|потрібно|треба)\b",
        ),
        "avail": (
            r"(?:чи\s+)?є\s+(?:тут\s+|зараз\s+)?<PP>\s*,?\s*(?:$|[?!.]|на зв'?язку|онлайн|жив\w*|з ким"
            r"|(?:який|яка|хто)\s+(?:\w+\s+)?(?:може|зможе)\s+(?:мені\s+)?допомогти)",
            r"<PP>\s+(?:є|на зв'?язку|онлайн)\s*(?:$|[?!.])",
        ),
        "callback": (
            r"(?:передзвоніть|передзвони|зателефонуйте|зателефонуй|наберіть|подзвоніть|подзвони)(?:\s+(?:мені|нам|будь ласка)|\s*(?:$|[?!.,]))",
            r"хай\s+(?:мені\s+)?(?:передзвонить|передзвонять|зателефонує|зателефонують|подзвонить)",
            r"(?:може|можуть)\s+<PP>\s+(?:мені\s+)?(?:передзвонити|зателефонувати|подзвонити)",
            r"(?:можете|могли б)\s+(?:ви\s+)?(?:мені\s+)?(?:передзвонити|зателефонувати|подзвонити)\b",
            r"щоб\s+(?:зі\s+мною|мені)\s+(?:зв'?язався|зв'?язалася|зв'?язалися|зателефонував\w*|передзвонив\w*)\s+<NP>",
            r"<PP>\s+(?:може|можуть|міг би)\s+(?:мені\s+)?(?:передзвонити|зателефонувати|подзвонити)",
            r"(?:може|можуть)\s+(?:мені\s+)?допомогти\s+<NP>",
            r"<NP>\s+(?:може|можуть)\s+(?:мені\s+)?допомогти",
            r"з\s+ким\s+(?:можна|можу|мені|я можу)\s+(?:\w+\s+)?(?:поговорити|зв'?язатися|поспілкуватися)",
        ),
        "refuse": (
            r"не\s+(?:хочу|бажаю|буду)\s+(?:більше\s+)?(?:говорити|спілкуватися|спілкуватись|розмовляти|переписуватися)\s+(?:з|зі|із)\s+<BOT>",
            r"(?:досить|набрид\w*|годі|вистачить)\s+(?:\w+\s+){0,2}?<BOT>",
            r"краще\s+(?:\w+\s+){0,3}?<NP>\s*,?\s+(?:ніж|а не)\s+(?:\w+\s+)?<BOT>",
        ),
    },
    negation=r"\bне\s+(?:\w+\s+)?(?:потрібен|потрібна|потрібно|треба|хочу)\b",
    veto_clause=r"\b(?:додати|видалити|прибрати|призначити|змінити|запросити|бачить|бачити|заблокувати)\b",
    nature=(
        r"\b(?:ти|ви)\s+(?:\w+\s+)?(?:бот|робот|людина|живий|жива|справжня|справжній|машина)\b"
        r"|\bя\s+(?:розмовляю|спілкуюся|говорю|листуюся)\s+(?:з|зі|із)\b|\bце\s+(?:\w+\s+)?бот\b"
    ),
    weak=(r"(?:жив\w+|справжн\w+|реальн\w+)\s+(?:людин\w*|оператор\w*|співробітник\w*|консультант\w*|працівник\w*)",),
    polite=("будь ласка", "прошу", "терміново", "зараз", "швидко", "дякую"),
    qualifiers=("з", "із", "зі", "від"),
    keys=("поговорити", "говорити", "спілкуватися", "переведіть", "покличте", "переключіть"),
    guard=("розмовляю", "говорив", "говорила", "говорить", "говоримо", "людині"),
)

# --- Mongolian (Cyrillic) --------------------------------------------------------------------
# Case endings attach to the noun ("ажилтантай", "операторт"), so nouns are stems plus ``\w*``
# and the verb follows the noun phrase.

_MN_PEOPLE = ("хүн", "ажилтан", "ажилтн", "оператор", "хүмүүс")
_MN_NOUNS = _MN_PEOPLE + (
    "менежер", "зөвлөх", "мэргэжилтэн", "мэргэжилтн", "ажилчин", "төлөөлөгч", "хариуцагч", "админ", "manager",
    "supervisor", "operator",
)  # fmt: skip
_MN_TALK = ("ярьж", "ярих уу",
    "ярих", "ярья", "ярилцах", "ярилцъя", "ярилцая", "ярилцмаар", "ярьмаар", "ярилцаж", "ярихыг", "холбогдох",
    "холбогдож", "холбогдоорой", "холбогдмоор", "холбогдмоор", "харилцах", "харилцмаар", "уулзах", "уулзмаар",
    "чатлах",
)  # fmt: skip

_MN = _Lexicon(
    code="mn",
    nouns=_MN_NOUNS,
    people=_MN_PEOPLE,
    adverbs=("яаралтай", "одоо"),
    adjs=("жинхэнэ", "амьд", "хариуцсан", "лавлах", "зөвлөх", "операторын", "бодит", "чөлөөтэй", "өөр"),
    bots=("бот", "робот", "машин", "чатбот", "хиймэл оюун"),
    frames={
        "talk": (rf"<NP>\s+(?:\w+\s+)?{_alt(_MN_TALK)}",),
        "connect": (
            r"<NP>\s+(?:руу\s+|рүү\s+)?(?:холбо|шилжүүл|дамжуул)(?!\w*с[оаэ]н\b)\w*",
            r"<NP>\s+(?:дуудаад|дууд\w*|дуудна уу)",
        ),
        "want": (r"<NP>\s+(?:хэрэгтэй|авмаар|хүсч\w*|хүсэж\w*|хүсэлтэй|өгөөч|байлгаач)",),
        "avail": (r"<PP>\s+байна\s+уу", r"хэнтэй\s+(?:\w+\s+)?(?:ярих|холбогдох|ярилцах)"),
        "callback": (r"(?:над руу|надруу|над луу)\s+(?:эргэж\s+)?(?:залга|ярь)(?!с[аэ]н)\w*",),
        "refuse": (
            r"(?:бот|робот|машин)\w*\s+(?:\w+\s+)?(?:ярихыг|ярих|харилцах|харилцахыг)\s+(?:\w+\s+)?(?:хүсэхгүй|дургүй)",
        ),
    },
    veto_next=r"\s+(?:\w+\s+)?(?:шаардлагагүй|хэрэггүй|хүсэхгүй|болохгүй|биш)",
    nature=r"\b(?:чи|та)\s+(?:\w+\s+)?(?:бот|робот|хүн)\b|\bэнэ\s+(?:\w+\s+)?(?:бот|робот)\b",
    weak=(r"(?:жинхэнэ|амьд|бодит)\s+(?:хүн|ажилтан|оператор)\w*",),
    polite=("өгөөч", "уу", "үү", "түргэн", "яаралтай", "баярлалаа", "гуйя"),
    keys=("ажилтантай", "оператортой", "хүнтэй", "менежертэй", "холбоно", "ярилцмаар"),
    suffix=r"\w*",
)

# --- Turkish ---------------------------------------------------------------------------------
# Suffixes attach to the noun ("temsilciyle", "yetkiliye"); verbs follow the noun phrase and
# only present/optative/modal forms count (past "konuştum" does not).

_TR_PEOPLE = ("insan", "temsilci", "operator", "yetkili", "biri", "birisi", "kisi", "kimse", "canli destek",
              "canli deste", "musteri temsilci", "gercek kisi")  # fmt: skip
_TR_NOUNS = _TR_PEOPLE + (
    "destek", "deste",
    "musteri temsilcisi", "musteri hizmetleri",
    "mudur", "calisan", "musteri hizmetler", "destek ekib", "cagri merkez", "danisman", "uzman", "sorumlu",
    "personel", "gorevli", "yonetici", "destek birim", "destek hatt", "canli temsilci",
)  # fmt: skip
_TR_VERB_END = r"(?:in|yin|iniz|yiniz|ir|ar|r|abil\w*|ebil\w*|yabil\w*|yebil\w*|mak\w*|mek\w*|may\w*|mey\w*|mali\w*|meli\w*|sana\w*|sin\w*|masini|mani)?\b"

_TR = _Lexicon(
    code="tr",
    nouns=_TR_NOUNS,
    people=_TR_PEOPLE,
    dets=("bir", "bi", "sizin"),
    adverbs=("hemen", "acil", "simdi"),
    adjs=("gercek", "canli", "yetkili", "musait", "uygun", "baska", "ilgili", "sorumlu"),
    bots=("bot", "robot", "makine", "yapay zeka", "chatbot", "sanal asistan"),
    frames={
        "talk": (
            r"<NP>\s+(?:ile\s+)?(?:gorus|konus|yazis)(?:mek|mak|ebil|abil|eyim|ayim|elim|alim|meliyim|maliyim|mem|mam|me|ma)\w*",
            r"<NP>\s+(?:ile\s+)?(?:nasil\s+|hemen\s+)?iletisime\s+gec(?:mek|ebil|eyim|mem|erim|ilir|in)\w*",
            r"<NP>\s+(?:nasil\s+|hemen\s+)?ulas(?:mak|abil|ayim|ilir|irim|mam)\w*",
        ),
        "connect": (rf"<NP>\s+(?:\w+\s+)?(?:bagla|aktar|yonlendir|baglan|devret|gecir){_TR_VERB_END}",),
        "want": (
            r"<NP>\s+(?:(?!\w+m[ae]k\b)\w+\s+)?(?:istiyorum|isterim|istiyoruz|lazim|gerek|gerekli|gerekiyor|ihtiyacim var|rica ediyorum|"
            r"talep ediyorum|bulun|cagir(?!d)\w*|verin)\b",
        ),
        "avail": (
            r"<PP>\s+(?:\w+\s+)?var\s+mi\b",
            r"(?:musait|uygun|bosta)\s+(?:bir\s+)?<NP>",
            r"<NP>\s+(?:bana\s+)?yardim(?:ci)?\s+(?:edebilir|olabilir|eder)\w*",
            r"kiminle\s+(?:konus|gorus|iletisime gec)\w*",
        ),
        "callback": (
            r"(?:beni|bizi)\s+(?:\w+\s+){0,3}?(?:geri\s+)?ara(?:yin|yiniz|yabilir|yabilecek|r misiniz|r misin|r mi|sin|yiniz|malarini|mani)\w*",
            r"geri\s+(?:arama|donus)\s+(?:talep|istiyorum|rica|yapin|yapar)",
            r"<NP>\s+(?:benimle|bizimle)\s+iletisime\s+gec(?:mesini|sin|ebilir)\w*",
            r"<NP>\s+(?:beni|bizi)\s+(?:geri\s+)?(?:aramasini|arasin|arayabilir)\w*",
        ),
        "refuse": (
            r"(?:bot|robot|makine|yapay zeka)\w*\s+(?:ile\s+)?(?:konus|gorus|yazis)\w*\s+(?:istemiyorum|istemem)",
            r"(?:yeter|bikt\w*|bosver)\s+(?:artik\s+)?(?:\w+\s+)?(?:bot|robot)\w*",
        ),
    },
    veto_next=(
        r"\s*(?:\w+\s+)?(?:istemiyorum|istemem|gerek yok|gerekmiyor|gerekmez|lazim degil|ihtiyacim yok)\b"
        r"|\w*\s+(?:hesab|numara|kaynak|lisans)\w*"
    ),
    nature=(
        r"\b(?:sen|siz)?\s*(?:gercek\s+)?(?:bir\s+)?(?:bot|robot|insan|makine)\s+m[iu](?:s[iu]n|s[iu]n[iu]z|y[iu]m)?\b"
        r"|\b(?:bot|robot)\w*\s+m[iu]\s+konusuyorum"
    ),
    weak=(r"(?:gercek|canli)\s+(?:bir\s+)?(?:insan|kisi|biri|temsilci|operator)\w*",),
    polite=("lutfen", "acil", "hemen", "simdi", "tesekkurler", "rica ederim"),
    keys=("temsilci", "operator", "yetkili", "konusmak", "gorusmek", "istiyorum"),
    guard=("birini", "birine", "birinin"),
    suffix=r"\w*",
)

# --- Chinese ---------------------------------------------------------------------------------
# No word boundaries: frames are written without ``\b`` and determiners join without spaces.

_ZH_NOUNS = (
    "代表",
    "人工客服", "人工服务", "人工坐席", "人工", "真人客服", "真人", "客服人员", "客服专员", "客服", "在线客服",
    "工作人员", "专员", "坐席", "经理", "顾问", "主管", "负责人", "售后", "活人", "销售", "技术支持", "专家",
    "接线员", "话务员", "服务人员", "员工", "客服经理", "人工台",
)  # fmt: skip
_ZH_PEOPLE = ("人工", "真人", "人工客服", "客服", "活人", "工作人员", "客服人员", "人工服务", "在线客服")

_ZH = _Lexicon(
    code="zh",
    nouns=_ZH_NOUNS,
    people=_ZH_PEOPLE,
    dets=("一个", "个", "一位", "位", "你们的", "您的", "你们", "贵公司的", "一下", "你们公司的", "我"),
    bots=("机器人", "智能客服", "机器", "ai", "自动回复", "智能助手", "聊天机器人"),
    adverbs=("马上", "现在", "立刻", "赶紧"),
    frames={
        "connect": (
            r"(?:转接到|转接给|转接|转到|转给|转去|转|切换到|切换成|切到|换成|换|接通|接到|接入|接|连线|联线|帮我找|叫|安排|让|请)<NP>",
        ),
        "talk": (
            r"(?:跟|和|与|同|找)<NP>\S{0,2}?(?:说|聊|谈|沟通|交流|对话|通话|讲|联系)",
            r"(?:联系|联系到|联络|找|找到|要|想要|需要|要求|申请|呼叫)<NP>",
            r"找(?:个|一个)?(?:真)?人(?!工智能)",
            r"(?:和|跟|与)(?:真)?人(?:沟通|说话|聊|交流|谈|对话)",
        ),
        "avail": (
            r"(?:有没有|有无|有)<NP>(?:吗|么|可以|能|在|呢|[?？]|$)",
            r"<PP>(?:在吗|在不在|在么|在线吗|在线么|呢|在哪|怎么找|怎么联系)",
            r"有人(?:吗|在吗|在不在|在线|么)",
            r"(?<!智)<NP>(?:能|可以|能不能|可不可以)(?:帮|帮助|协助|处理)我",
            r"(?:跟|和|找)谁(?:说|聊|沟通|谈|联系)",
            r"(?:可以|(?<![智功可性本才技])能|能不能|可不可以)<NP>(?:吗|么|[?？]|$)",
        ),
        "callback": (
            r"(?:给我回电话|给我回个电话|回电话给我|打电话给我|给我打电话|给我打个电话|回拨给我|致电我|联系我(?!们))",
        ),
        "refuse": (r"(?:不想|不要|别|不愿意|受够了|不用)(?:再)?(?:跟|和|与|让)?<BOT>",),
    },
    negation=r"已经|不需要|不用|无需|没必要|不必|曾经|昨天|(?:智能|机器人?|ai|自动)$",
    veto_next=r"(?:智能|费|审核|成本|操作|输入|干预|账号|账户|工作时间|的工作时间|过)",
    nature=r"你是(?:不是)?(?:真人|人工|机器人|人|ai|人工智能|机器)|是(?:真人|机器人|人工)(?:吗|还是)",
    weak=(r"真人(?!秀)|活人",),
    polite=("请", "谢谢", "麻烦", "快", "马上", "现在", "急"),
    spaced=False,
)

# --- Assembly --------------------------------------------------------------------------------

_LEXICONS: tuple[_Lexicon, ...] = (_EN, _ES, _PT, _FR, _DE, _IT, _NL, _PL, _RU, _UK, _MN, _TR, _ZH)


def _union(parts: Iterable[str]) -> re.Pattern[str] | None:
    alternatives = [f"(?:{p})" for p in parts if p]
    return re.compile("|".join(alternatives)) if alternatives else None


_COMPILED = tuple((lex.code, lex.compile()) for lex in _LEXICONS)
# A negation right before the match cancels it in every language ("non ho bisogno di ...").
_NEGATION = _union(
    [*(lex.negation for lex in _LEXICONS), r"(?:\b(?:non|no|nao|не|ні|nie|ne|niet|nicht|not|never)\s*|不|别|没)$"]
)
_VETO_NEXT = _union(lex.veto_next for lex in _LEXICONS)
_VETO_CLAUSE = _union(lex.veto_clause for lex in _LEXICONS)
_NATURE = _union(lex.nature for lex in _LEXICONS)
_WEAK = tuple((lex.code, re.compile("|".join(lex.expand(t) for t in lex.weak))) for lex in _LEXICONS if lex.weak)

# Clause boundaries: punctuation and "but"-like conjunctions.
_BOUNDARY = re.compile(
    r"[.,;:!?¿¡()\[\]\"«»…\-–—/]|[，。！？；、：]|但是|而是|可是"
    r"|\s(?:but|pero|mas|mais|aber|sondern|ma|maar|ale|но|але|а|ama|fakat|sino|yet|so)\s"
)


# Nouns too generic to be a request on their own ("team", "people", "service").
_NOT_BARE = frozenset(
    ("team", "teams", "people", "staff", "employees", "owner", "boss", "service", "equipe", "equipo", "personal",
     "personas", "pessoas", "time", "personnes", "personen", "persone", "mensen", "servicio", "servizio", "assistenza",
     "assistance", "support", "soporte", "suporte", "supporto")
)  # fmt: skip


def _bare_pattern() -> re.Pattern[str]:
    """A message that is only a noun phrase, in any language: "operator", "human please", "人工"."""
    merged = _Lexicon(
        code="*",
        nouns=tuple(n for lex in _LEXICONS for n in lex.nouns if n not in _NOT_BARE),
        people=(),
        frames={},
        dets=tuple(d for lex in _LEXICONS for d in lex.dets),
        adjs=tuple(a for lex in _LEXICONS for a in lex.adjs),
        adverbs=tuple(a for lex in _LEXICONS for a in lex.adverbs),
        bots=tuple(b for lex in _LEXICONS for b in lex.bots),
        spaced=False,
    )
    polite = _alt(*(lex.polite for lex in _LEXICONS))
    qualifier = _alt(*(lex.qualifiers for lex in _LEXICONS))
    not_bot = rf"(?:\W*(?:not|no|nie|non|pas|nicht|kein|geen|не|ні|а не|degil|不是|不要)\s*{merged.bot_phrase()})"
    return re.compile(
        rf"^\W*(?:{polite}\W+)*(?:{merged.noun_phrase(merged.nouns)})(?!\w)"
        rf"(?:\s+{qualifier}(?:\s+[^\W\d_]+){{1,2}})?(?:\W*{polite}(?!\w))*{not_bot}?\W*$"
    )


_BARE = _bare_pattern()
_CLAUSES = re.compile(r"[,.;!?，。！？；]+")


@lru_cache(maxsize=1)
def _typo_fixer() -> _TypoFixer:
    languages: dict[str, set[str]] = {}
    known: set[str] = set(english_words())
    for lex in _LEXICONS:
        for word in lex.nouns + lex.keys:
            if " " not in word and "'" not in word and len(word) >= MIN_FUZZY_LEN:
                languages.setdefault(word, set()).add(lex.code)
        known.update(lex.words())
        known.update(lex.guard)
    known.update(w for phrase in _PHRASES for w in re.findall(r"[^\W\d_]+", phrase) if len(w) >= MIN_FUZZY_LEN)
    return _TypoFixer(
        keys=frozenset(languages),
        known=frozenset(known - set(languages)),
        languages={k: frozenset(v) for k, v in languages.items()},
    )


def _clause_start(text: str, end: int) -> int:
    start = 0
    for boundary in _BOUNDARY.finditer(text, 0, end):
        start = boundary.end()
    return start


def _vetoed(text: str, match: re.Match[str]) -> bool:
    before = text[_clause_start(text, match.start()) : match.start()]
    if _NEGATION is not None and _NEGATION.search(before):
        return True
    after = text[match.end() :]
    if _VETO_NEXT is not None and _VETO_NEXT.match(after):
        return True
    if _VETO_CLAUSE is not None:
        boundary = _BOUNDARY.search(after)
        if _VETO_CLAUSE.search(after[: boundary.start()] if boundary else after):
            return True
    return False


def match_rule(text: str, language: str = "") -> str:
    """The rule that makes ``text`` a request for a human, or ``""``.

    Args:
        text: The raw message.
        language: Its detected language, which only breaks ties in typo repair.
    """
    normalized = _typo_fixer().fix_text(normalize(text), language)
    for code, pattern in _COMPILED:
        for match in pattern.finditer(normalized):
            if not _vetoed(normalized, match):
                return f"{code}:{match.lastgroup}"
    if _NATURE is not None and _NATURE.search(normalized):
        return ""
    if any(_BARE.match(clause) for clause in _CLAUSES.split(normalized)):
        return f"{language or '*'}:bare"
    for code, pattern in _WEAK:
        if pattern.search(normalized):
            return f"{code}:real"
    return ""


def detect_handoff(text: str) -> HandoffIntent:
    """Decide whether ``text`` asks for a human, in any supported language.

    Every language's rules run on every message (customers mix languages), so the detected
    language only labels the verdict.

    Args:
        text: The customer's message.

    Returns:
        The verdict with the language and the rule that fired.
    """
    language = detect_language(text)
    rule = match_rule(text, language)
    return HandoffIntent(bool(rule), language, rule)
