"""The handoff verdict: every language's frames, then the vetoes, nature questions and weak rules.

Every language's frames run on every message (customers mix languages); the detected language
labels the verdict and breaks ties in typo repair. Order: request frames first; then a question
about the bot's nature ("are you a human?") ends the search as *not* a request; then weak rules:
a clause that is nothing but a noun phrase ("operator", "human please", "人工！"), or a message
that names a real or live person ("real human", "persona real"). The regexes are compiled once,
at import.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from switchboard.core.handoff.folding import normalize
from switchboard.core.handoff.languages import load_lexicons
from switchboard.core.handoff.lexicon import PHRASES, Lexicon, alt
from switchboard.core.handoff.similar import similar_model
from switchboard.core.handoff.typos import MIN_FUZZY_LEN, TypoFixer
from switchboard.core.language import detect_language
from switchboard.knowledge.lexicon import english_words
from switchboard.llm.base import Embedder

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HandoffIntent:
    """The verdict on one message.

    Attributes:
        wants_human: True when the customer asks for a human.
        language: Detected language of the message.
        rule: Which rule fired, as ``"<lang>:<form>"`` (e.g. ``"en:talk"``, ``"zh:connect"``,
            ``"de:real"``; a bare noun phrase, which any language's nouns may make, is
            ``"<detected language>:bare"``; the embedding model is ``"<detected language>:similar"``),
            or ``""`` when none did.
        similarity: The embedding model's probability, when it was asked.
        decided: The rules settled it: one fired, or one matched and was cancelled (a negation,
            a question about the bot's nature, a comparison), so no second opinion is asked.
    """

    wants_human: bool
    language: str
    rule: str = ""
    similarity: float | None = None
    decided: bool = False


LEXICONS: tuple[Lexicon, ...] = load_lexicons()


def _union(parts: Iterable[str]) -> re.Pattern[str] | None:
    alternatives = [f"(?:{p})" for p in parts if p]
    return re.compile("|".join(alternatives)) if alternatives else None


_COMPILED = tuple((lex.code, lex.compile()) for lex in LEXICONS)
# A negation right before the match cancels it in every language ("non ho bisogno di ...").
_NEGATION = _union(
    [*(lex.negation for lex in LEXICONS), r"(?:\b(?:non|no|nao|не|ні|nie|ne|niet|nicht|not|never|pas)\s*|不|别|没)$"]
)
_VETO_NEXT = _union(lex.veto_next for lex in LEXICONS)
_VETO_CLAUSE = _union(lex.veto_clause for lex in LEXICONS)
_NATURE = _union(lex.nature for lex in LEXICONS)
# A weak rule's noun phrase as a comparison or a self-description is no request: "you sound like
# a real person", "pareces una persona de verdad", "你说话好像真人", "I'm a real person".
_COMPARED = re.compile(
    r"(?:\b(?:sound|sounds|look|looks|seem|seems|talk|talks|write|writes|type|types|act|acts|just|almost|you'?re"
    r"|pareces|parece|pareceis|parecem|dirait|dirais|ressembles?|sembri|sembra|sembrate|klingst|klingt|lijkt"
    r")\s+(?:\w+\s+)?(?:like\s+|comme\s+|come\s+|wie\s+|como\s+)?"
    r"|\b(?:comme|wie|будто|словно)\s+(?:\w+\s+)?|\b(?:как|jak|як)\s+(?:прямо\s+|точно\s+)?"
    r"|\b(?:i'?m|i am|soy|sou|je suis|sono|ich bin)\s+)"
    r"(?:a|an|un|une|uno|una|um|uma|ein|eine|einer|een)?\s*$|(?:像|好像|似)\S{0,2}$"
)
# A clause about setting up the handoff in one's own product ("how do I set up the transfer to an
# agent in our chatbot?", "我们的机器人怎么设置转人工") asks how, not for a person. Only the
# match's own clause counts: "the pay button does nothing, I want a human" is a request.
_SETUP = re.compile(
    r"\b(?:set\s*up|setup|configure|configuring|configurer|configurar|configuro|configuriamo"
    r"|konfigurier\w*|skonfigurowac|konfigurowac|einrichten|richte|parametrer|impostare|imposto|imposta"
    r"|настроить|настраивать|flow builder|button|knopf|bouton|pulsante|boton|botao|przycisk)\b"
    r"|тохируулах|тохиргоо\w*|设置|配置|按钮"
)
# A bare noun phrase followed by a comma and a relative pronoun is a sentence's subject, not a
# request: "the agent, who sold me this plan, ...", "eine Person, die sich als Bankmitarbeiter
# ausgab, ...". A clause with a politeness word stays a request ("Mitarbeiter bitte, der Bot ...").
_RELATIVE = re.compile(
    r"\s*[,，]\s*(?:die|der|den|dem|welche\w*|who|which|whom|quien|quienes|qui|cui|il quale|la quale"
    r"|ktory\w*|ktora\w*|z ktor\w*|которы\w*|котор\w*|кто|який|яка|які)\b"
)
_WEAK = tuple((lex.code, re.compile("|".join(lex.expand(t) for t in lex.weak))) for lex in LEXICONS if lex.weak)

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


#: "With" in the languages whose bare requests may start with it ("mit einem Mitarbeiter bitte").
_WITH = r"(?:with|to|con|avec|com|mit|met|z|ze|с|со|з|跟|和|找)"


def _bare_pattern() -> re.Pattern[str]:
    """A message that is only a noun phrase, in any language: "operator", "human please", "人工"."""
    merged = Lexicon(
        code="*",
        nouns=tuple(n for lex in LEXICONS for n in lex.nouns if n not in _NOT_BARE),
        people=(),
        frames={},
        dets=tuple(d for lex in LEXICONS for d in lex.dets),
        adjs=tuple(a for lex in LEXICONS for a in lex.adjs),
        adverbs=tuple(a for lex in LEXICONS for a in lex.adverbs),
        bots=tuple(b for lex in LEXICONS for b in lex.bots),
        spaced=False,
    )
    polite = alt(*(lex.polite for lex in LEXICONS))
    qualifier = alt(*(lex.qualifiers for lex in LEXICONS))
    not_bot = rf"(?:\W*(?:not|no|nie|non|pas|nicht|kein|geen|не|ні|а не|degil|不是|不要)\s*{merged.bot_phrase()})"
    det = alt(*(lex.dets for lex in LEXICONS))
    noun = merged.noun_phrase(merged.nouns)
    # "with an agent please", "agent agent agent", "人工人工", "someone from customer care",
    # "jemand aus dem Support".
    return re.compile(
        rf"^\W*(?:{polite}\W+)*(?:{_WITH}\s+)?(?:{noun})(?:\W*(?:{noun}))*+(?!\w)"
        rf"(?:\s+{qualifier}(?:\s+{det})?(?:\s+[^\W\d_]+){{1,2}})?(?:\W*{polite}(?!\w))*{not_bot}?\W*$"
    )


_BARE = _bare_pattern()
_POLITE = re.compile(rf"(?<!\w){alt(*(lex.polite for lex in LEXICONS))}(?!\w)")
#: A bare request is a few words; longer clauses are not tried (and cannot make the regex work hard).
BARE_MAX_CHARS = 80
_CLAUSE = re.compile(r"[^,.;!?，。！？；]+")


@lru_cache(maxsize=1)
def typo_fixer() -> TypoFixer:
    """The typo repair for every lexicon's key words, built on first use.

    Known words, never rewritten: the English dictionary, every word of every lexicon, each
    language's ``guard`` list and every word of every phrase compiled into the frames.
    """
    languages: dict[str, set[str]] = {}
    known: set[str] = set(english_words())
    for lex in LEXICONS:
        for word in lex.nouns + lex.keys:
            if " " not in word and "'" not in word and len(word) >= MIN_FUZZY_LEN:
                languages.setdefault(word, set()).add(lex.code)
        known.update(lex.words())
        known.update(lex.guard)
    known.update(w for phrase in PHRASES for w in re.findall(r"[^\W\d_]+", phrase) if len(w) >= MIN_FUZZY_LEN)
    return TypoFixer(
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


def _clause(text: str, match: re.Match[str]) -> str:
    """The clause around ``match``: from the boundary before it to the one after it."""
    stop = _BOUNDARY.search(text, match.end())
    return text[_clause_start(text, match.start()) : stop.start() if stop else len(text)]


def _bare(text: str) -> tuple[bool, bool]:
    """(a clause is a bare request, a bare noun phrase was set aside as a sentence's subject)."""
    subject = False
    for clause in _CLAUSE.finditer(text):
        words = clause.group()
        if len(words) > BARE_MAX_CHARS or not _BARE.match(words):
            continue
        if _RELATIVE.match(text, clause.end()) and not _POLITE.search(words):
            subject = True
            continue
        return True, False
    return False, subject


def _verdict(text: str, language: str) -> tuple[str, bool]:
    """The rule that fired, and whether a rule matched but something cancelled it."""
    normalized = typo_fixer().fix_text(normalize(text), language)
    cancelled = False
    for code, pattern in _COMPILED:
        for match in pattern.finditer(normalized):
            if _vetoed(normalized, match) or _SETUP.search(_clause(normalized, match)):
                cancelled = True
                continue
            return f"{code}:{match.lastgroup}", False
    if _NATURE is not None and _NATURE.search(normalized):
        return "", True
    bare, subject = _bare(normalized)
    if bare:
        return f"{language or '*'}:bare", False
    cancelled = cancelled or subject
    for code, pattern in _WEAK:
        for match in pattern.finditer(normalized):
            before = normalized[_clause_start(normalized, match.start()) : match.start()]
            if _COMPARED.search(before) or _SETUP.search(_clause(normalized, match)):
                cancelled = True
                continue
            return f"{code}:real", False
    return "", cancelled


def match_rule(text: str, language: str = "") -> str:
    """The rule that makes ``text`` a request for a human, or ``""``.

    Args:
        text: The raw message.
        language: Its detected language, which only breaks ties in typo repair.
    """
    return _verdict(text, language)[0]


def detect_handoff(text: str, embedder: Embedder | None = None) -> HandoffIntent:
    """Decide whether ``text`` asks for a human, in any supported language.

    Every language's rules run on every message (customers mix languages), so the detected
    language only labels the verdict. With ``embedder``, a message no rule decided gets the
    second opinion of :func:`second_opinion`.

    Args:
        text: The customer's message.
        embedder: An embedder for the second opinion (see :func:`second_opinion`), or ``None``.

    Returns:
        The verdict with the language and the rule that fired.
    """
    language = detect_language(text)
    rule, cancelled = _verdict(text, language)
    intent = HandoffIntent(bool(rule), language, rule, decided=bool(rule) or cancelled)
    return intent if embedder is None else second_opinion(intent, text, embedder)


def second_opinion(intent: HandoffIntent, text: str, embedder: Embedder) -> HandoffIntent:
    """The embedding model's verdict on a message the rules left undecided.

    Asked only when no rule fired and none was cancelled (a negation, a question about the bot,
    a comparison: "I don't need to talk to a human" stays a no), and only when ``embedder`` is
    the one the shipped model was fitted with (``similar.py``); otherwise ``intent`` comes back
    unchanged. An embedding that fails leaves the rules' verdict.
    """
    if intent.decided or not text.strip():
        return intent
    model = similar_model()
    if model is None or model.embedder != embedder.name:
        return intent
    try:
        probability = round(model.probability(embedder.embed([text], "query")[0]), 4)
    except Exception as exc:  # noqa: BLE001 - the rules have spoken; the second opinion is a bonus
        log.warning("handoff embedding failed; rules only", extra={"error": str(exc)})
        return intent
    wants = probability >= model.threshold
    return HandoffIntent(wants, intent.language, f"{intent.language}:similar" if wants else "", probability)
