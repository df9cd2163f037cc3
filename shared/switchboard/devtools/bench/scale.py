"""`switchboard bench scale`: how cold start, turns, retrieval, memory and import grow with the KB.

For ``--articles N`` it generates N help-centre articles (deterministic for a seed: titles, five
entry types, 150-250 words, a Zipf-distributed vocabulary with a long tail of invented product,
setting and integration names, so posting lists look like a real help centre's), or reads them
from ``--kb``. Then:

1. **Import** into tenant ``default`` of a fresh project on the Firestore emulator through
   :func:`switchboard.knowledge.importer.import_articles` (chunk, embed, index, profile,
   write): ``import_s``, split into its stages by the import's progress callback, and
   ``import_peak_rss_mb``, the importing process's peak RSS.
2. **Cold start, timed**: a fresh Python process serves the chat function exactly as
   ``bench speed`` measures cold starts (functions-framework's ``create_app`` on
   ``functions/chat/main.py`` and its test client: the real entry point, ``handle_turn`` behind
   it). ``cold_first_answer_ms`` runs from just before the process is spawned to the answer of
   its first turn (``POST /api/agent/test/`` with a question drawn from the KB): interpreter
   start, imports, opening the tenant's KB version (its meta and core tables), embedding the
   question, searching (the shards of its terms, the passages' texts and, with vectors, the
   store's vector search), answering and saving the turn. The same process
   then answers warm turns (``warm_turn_*``: the turn's wall time without the query embedding,
   which is the model's time) and runs the index's ``search`` directly on precomputed query
   vectors (``search_*``: retrieval alone). ``rss_mb`` is that process's peak RSS at the end,
   read from ``VmHWM`` in ``/proc/self/status`` (Linux): ``ru_maxrss`` of a process started by
   fork and exec starts at its parent's peak, here the importer's.
3. **Cold start, counted**: another fresh process does the same cold start with its Firestore
   traffic through a :class:`~switchboard.devtools.grpc_counter.GrpcCallCounter` relay that also
   counts the bytes the emulator sends (HTTP/2 frames as on the wire):
   ``cold_store_read_bytes`` and ``cold_store_calls``. It is a separate process so that the
   relay does not slow the timed one.

A first turn that is not answered (the KB cannot be loaded in time, say) is a result, not a
crash: ``error`` says why, the warm figures are None and the cold ones say how far it got.

Models: ``LLM_BACKEND=extractive`` (answers composed locally from the passages) and, as in
``bench speed``, ``EMBEDDING_BACKEND=auto`` with a Gemini key, that is Gemini embeddings through
the real google-genai SDK, answered by the loopback fake Gemini. The fake returns vectors of
``EMBEDDING_DIMENSIONS`` (default 768, production's, so the store and memory carry what
production carries; ``bench speed``'s fake answers with 8) by hashing each text's index terms
into them, so similar texts get similar vectors. ``dimensions=0`` imports without embeddings
(lexical retrieval only).
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import random
import subprocess
import sys
import time
import urllib.request
import uuid
import zlib
from collections.abc import Callable, Sequence
from functools import lru_cache
from itertools import accumulate
from pathlib import Path
from typing import Any

from switchboard.devtools.bench.speed import FUNCTIONS, USER, _pct
from switchboard.devtools.fake_gemini import FakeGemini
from switchboard.devtools.grpc_counter import GrpcCallCounter
from switchboard.knowledge.articles import Article

Progress = Callable[[str, int, int], None]

#: Turns answered before the measured ones: the emulator's JVM needs a few dozen requests to settle.
WARMUP = 50
#: Searches timed on the index directly (over the drawn questions, repeated).
SEARCHES = 500
#: A cold start at 100,000 articles takes minutes; a process taking longer than this is stuck.
CHILD_TIMEOUT = 3600
TENANT = "default"

# --- the synthetic help centre --------------------------------------------------------------

#: Share of body sentences made from templates (the rest are drawn word by word).
TEMPLATED = 0.4
#: Zipf-Mandelbrot flattening of the domain words' and the ordinary English words' frequencies.
FLAT_DOMAIN = 4
FLAT_ENGLISH = 100


def _words(text: str) -> tuple[str, ...]:
    return tuple(w.strip() for w in text.split(","))


_NOUNS = _words(
    "account, invoice, password, user, report, payment, contact, team, workspace, subscription, "
    "export, integration, lead, email, notification, dashboard, ticket, plan, refund, role, "
    "permission, template, field, file, deal, pipeline, message, webhook, calendar, task, tag, "
    "filter, order, customer, product, form, document, card, domain, login, session, device, api "
    "key, token, campaign, segment, list, survey, signature, folder, attachment, reminder, event, "
    "schedule, timesheet, expense, receipt, approval, workflow, rule, trigger, automation, "
    "backup, audit log, storage, license, seat, billing address, statement, bank account, "
    "transfer, payout, dispute, chargeback, language, time zone, profile, avatar, phone number, "
    "link, endpoint, request, status, mapping, column, spreadsheet, chart, metric, goal, score, "
    "rating, review, comment, note, mention, thread, group, department, office, region, branch, "
    "partner, trial, renewal, cancellation, discount, coupon, tax rate, currency, shipment, "
    "inventory, warehouse, supplier, catalog, variant, bundle, voucher, loyalty point, referral, "
    "commission, payroll, holiday, contract, employee, guest, member, invitation, verification "
    "code, consent, retention period, encryption key, firewall rule, proxy, server, database, "
    "cache, queue, channel, inbox, chat, call, recording, transcript, shift, quota, forecast, "
    "budget, label, barcode, price list, printer, shortcut, theme, layout, widget, sandbox"
)
_VERBS = _words(
    "export, import, reset, change, update, delete, archive, restore, connect, disconnect, sync, "
    "merge, assign, share, invite, remove, add, create, edit, rename, move, copy, duplicate, "
    "schedule, cancel, pause, resume, enable, disable, configure, customize, filter, sort, "
    "search, download, upload, print, send, forward, approve, reject, verify, migrate, refund, "
    "charge, renew, upgrade, downgrade, transfer, lock, unlock, recover, track, label, link, "
    "embed, publish, preview, test, install, authorize, revoke, rotate, limit, map, split"
)
_ADJECTIVES = _words(
    "new, default, custom, shared, private, public, recurring, pending, failed, duplicate, "
    "missing, expired, active, inactive, archived, bulk, automatic, manual, monthly, annual, "
    "primary, secondary, external, internal, legacy, advanced, partial, overdue, blocked, "
    "verified, unverified, scheduled, draft"
)
_GLUE = _words(
    "the, a, to, of, and, in, for, is, you, your, it, this, that, with, on, can, are, be, when, "
    "if, or, from, by, as, all, not, will, after, before, each, their, more, only"
)
_ROLES = ("admin", "owner", "manager", "agent", "accountant", "editor", "viewer", "billing contact")
_PLANS = ("Free", "Starter", "Team", "Business", "Enterprise")
_PERIODS = ("day", "week", "month", "billing cycle", "year")
_KEYS = ("Ctrl+K", "Ctrl+E", "Shift+D", "Alt+S", "Cmd+Enter")
_POLICIES = ("retention", "refund", "access", "deletion", "fair use", "cancellation", "security")
_SYLLABLES = _words(
    "ba, ce, di, fo, gu, ka, le, mi, no, pu, ra, se, ti, vo, zu, bri, cla, dro, fen, gal, hix, "
    "jor, kel, lum, mar, nex, orb, pra, quin, rho, sol, tav, ul, vex, wen, xo, yar, zen"
)

_SENTENCES = (
    "To {verb} {adj} {nouns}, open {feature} and go to {setting}.",
    "Go to Settings > {feature} > {setting} and choose {Verb} {noun}.",
    "Click {Verb} next to the {noun} you want to change, then confirm.",
    "Only {role}s can {verb} {nouns} in {feature}; other members see the option greyed out.",
    "If the {noun} does not {verb}, check that {setting} is turned on for your workspace.",
    "This usually happens when the {noun} was {verbed} in {integration} before the last sync.",
    "{Nouns} {verbed} in {feature} sync to {integration} within {n} minutes.",
    "On the {plan} plan you can {verb} up to {n} {nouns} per {period}.",
    "You can also {verb} {nouns} in bulk from the {feature} list view.",
    "Error {code} means the {noun} could not be {verbed} because the {noun} is {adj}.",
    "We keep {adj} {nouns} for {n} days; after that they are {verbed} automatically.",
    "The {tail} column shows when each {noun} was last {verbed}.",
    "Changes to a {noun} take effect at once and are recorded in the audit log.",
    "If you use {integration}, reconnect it after you {verb} the {noun}.",
    "Use the {tail} filter to find {adj} {nouns} quickly.",
    "Tip: press {key} to {verb} the selected {noun} without leaving {feature}.",
    "Money for {adj} {nouns} goes back to the original payment method within {n} business days.",
    "Ask your account owner if the {Verb} button is greyed out.",
    "Exports include every {noun} field, including {tail} and {tail}.",
    "When {verbing} {nouns}, {feature} checks the {setting} rule first.",
    "The mobile app cannot {verb} {adj} {nouns} yet; use the web app instead.",
    "{Role}s get an email each time a {noun} is {verbed}.",
    "To undo the change, open the {noun}'s history and restore the previous version.",
    "Limits reset at the start of each {period}.",
    "Make sure the {noun} belongs to the same workspace as the {noun}.",
    "The {tail} setting decides whether {nouns} are {verbed} before or after {verbing} the {noun}.",
    "Some customers call this the {word} or {word} problem.",
    "It also applies to {word} {nouns} and to {word} records.",
    "Our {word} guide explains the {word} case in more detail.",
    "In {feature}, a {noun} can be marked as {word} or {word}.",
    "Teams that work with {word} data usually {verb} their {nouns} every {period}.",
)
_STEPS = (
    "Open {feature} and select the {noun}.",
    "Click {Verb} in the top-right corner.",
    "Choose the {nouns} you want to {verb}.",
    "Set {setting} to {adj}.",
    "Review the summary and click Save.",
    "Wait until the status of the {noun} changes to {adj}.",
    "Go to Settings > {setting}.",
    "Enter the {tail} code from {integration} and click Connect.",
)
_TITLES = {
    "how_to": ("How to {verb} {nouns} in {feature}", "How to {verb} {adj} {nouns} with {integration}"),
    "faq": (
        "Why can't I {verb} {nouns} in {feature}?",
        "Can I {verb} {nouns} with {integration}?",
        "What happens to my {nouns} when I {verb} a {noun2}?",
        "How many {nouns} can I {verb} on the {plan} plan?",
    ),
    "troubleshooting": (
        "Error {code} when {verbing} {nouns} in {feature}",
        "{feature} does not {verb} {nouns} from {integration}",
    ),
    "policy": ("{Noun} {policy} policy for {feature}",),
    "release_note": ("What's new in {feature} {version}: {verbing} {nouns}",),
}
_ENTRY_TYPES = ("how_to", "faq", "troubleshooting", "policy", "release_note")
_ENTRY_WEIGHTS = (40, 25, 20, 10, 5)


def _zipf(words: Sequence[str], flat: int) -> Callable[[random.Random], str]:
    """Draw from ``words`` with Zipf-Mandelbrot weights ``1 / (rank + flat)``: the first is the
    most frequent, and ``flat`` keeps the first few from occurring everywhere."""
    cumulative = list(accumulate(1 / (rank + flat) for rank in range(len(words))))
    return lambda rng: rng.choices(words, cum_weights=cumulative)[0]


_NOUN, _VERB, _ADJ = _zipf(_NOUNS, FLAT_DOMAIN), _zipf(_VERBS, FLAT_DOMAIN), _zipf(_ADJECTIVES, FLAT_DOMAIN)


def _invented(k: int) -> str:
    """The ``k``-th invented word of four syllables (product, setting, integration and field
    names); distinct ``k`` below 38**4 give distinct words, scattered over the syllables."""
    size = len(_SYLLABLES)
    k = (k + 1) * 2_654_435_761 % size**4  # a bijection (the factor is prime to 38): neighbours look unalike
    parts = []
    for _ in range(4):
        k, digit = divmod(k, size)
        parts.append(_SYLLABLES[digit])
    return "".join(parts)


def _rare(rng: random.Random, pool: int) -> int:
    """A log-uniform draw in ``[0, pool)``: a few names are common, most occur once or twice, and
    new ones keep appearing as the KB grows (as in real help centres)."""
    return int(pool ** rng.random()) - 1


def _plural(noun: str) -> str:
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + ("es" if noun.endswith(("s", "x", "ch", "sh")) else "s")


#: Verbs whose last consonant doubles ("mapping"), and irregular past participles.
_DOUBLED = ("reset", "map", "split", "embed")
_IRREGULAR = {"reset": "reset", "split": "split", "send": "sent"}


def _gerund(verb: str) -> str:
    if verb in _DOUBLED:
        return verb + verb[-1] + "ing"
    return (verb[:-1] if verb.endswith("e") and not verb.endswith("ee") else verb) + "ing"


def _past(verb: str) -> str:
    if verb in _IRREGULAR:
        return _IRREGULAR[verb]
    if verb in _DOUBLED:
        return verb + verb[-1] + "ed"
    if verb.endswith("e"):
        return verb + "d"
    if verb.endswith("y") and verb[-2:-1] not in "aeiou":
        return verb[:-1] + "ied"
    return verb + "ed"


@lru_cache(maxsize=1)
def _english() -> Callable[[random.Random], str]:
    """Ordinary English words (the lexicon's dictionary, in a fixed shuffled order) with Zipf weights."""
    from switchboard.knowledge.lexicon import english_words

    words = sorted(english_words())
    random.Random("scale:english").shuffle(words)
    return _zipf(words, FLAT_ENGLISH)


class _Slots:
    """Fills a template's slots: the article's topic words often, others drawn from the vocabulary."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.noun, self.noun2, self.verb, self.adj = _NOUN(rng), _NOUN(rng), _VERB(rng), _ADJ(rng)
        self.feature = _invented(_rare(rng, 3000)).capitalize()
        self.integration = _invented(100_000 + _rare(rng, 5000)).capitalize()
        self.setting = _invented(200_000 + _rare(rng, 50_000)).capitalize() + " " + _NOUN(rng)

    def topic(self) -> dict[str, str]:
        """The words a title is made of (every one of them is the article's topic)."""
        rng = self.rng
        return {
            "verb": self.verb,
            "verbing": _gerund(self.verb),
            "noun": self.noun,
            "Noun": self.noun.capitalize(),
            "noun2": self.noun2,
            "nouns": _plural(self.noun),
            "adj": self.adj,
            "feature": self.feature,
            "integration": self.integration,
            "plan": rng.choice(_PLANS),
            "code": f"E{rng.randint(100, 99_999)}",
            "policy": rng.choice(_POLICIES),
            "version": f"{rng.randint(1, 9)}.{rng.randint(0, 20)}",
        }

    def __getitem__(self, slot: str) -> str:
        rng = self.rng
        own = rng.random() < 0.45
        if slot in ("verb", "Verb", "verbing", "verbed"):
            verb = self.verb if own else _VERB(rng)
            word = {"verbing": _gerund(verb), "verbed": _past(verb)}.get(slot, verb)
        elif slot in ("noun", "nouns", "Nouns"):
            noun = self.noun if own else _NOUN(rng)
            word = noun if slot == "noun" else _plural(noun)
        elif slot == "adj":
            word = self.adj if own else _ADJ(rng)
        elif slot == "feature":
            word = self.feature if own or rng.random() < 0.6 else _invented(_rare(rng, 3000)).capitalize()
        elif slot == "integration":
            word = self.integration
        elif slot == "setting":
            word = self.setting
        elif slot in ("role", "Role"):
            word = rng.choice(_ROLES)
        elif slot == "word":
            word = _english()(rng)
        elif slot == "tail":
            word = _invented(300_000 + _rare(rng, 300_000))
        else:
            word = {
                "plan": lambda: rng.choice(_PLANS),
                "period": lambda: rng.choice(_PERIODS),
                "key": lambda: rng.choice(_KEYS),
                "n": lambda: str(rng.choice((2, 3, 5, 7, 10, 14, 15, 25, 30, 50, 90, 100, 500))),
                "code": lambda: f"E{rng.randint(100, 99_999)}",
            }[slot]()
        return word[0].upper() + word[1:] if slot[0].isupper() else word


def _fill(rng: random.Random, slots: _Slots, templates: Sequence[str]) -> str:
    return rng.choice(templates).format_map(slots)


def _sentence(rng: random.Random, slots: _Slots) -> str:
    """A sentence of the body: a help-centre template, or (as often) words drawn as running text
    draws them (glue words, the topic, domain words, ordinary English), so that no fixed phrase
    sits in every article."""
    if rng.random() < TEMPLATED:
        return _fill(rng, slots, _SENTENCES)
    words = []
    for _ in range(rng.randint(8, 18)):
        draw = rng.random()
        if draw < 0.35:
            words.append(rng.choice(_GLUE))
        elif draw < 0.55:
            words.append(slots[rng.choice(("noun", "nouns", "verb", "verbed", "adj"))])
        else:
            words.append(slots["word"])
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def generate_article(i: int, seed: int = 0) -> Article:
    """Article ``i`` of the synthetic help centre of ``seed`` (independent of how many are made)."""
    rng = random.Random(f"scale:{seed}:{i}")
    slots = _Slots(rng)
    entry_type = rng.choices(_ENTRY_TYPES, weights=_ENTRY_WEIGHTS)[0]
    title = rng.choice(_TITLES[entry_type]).format_map(slots.topic())
    title = title[0].upper() + title[1:]
    target = rng.randint(150, 250)
    sections: list[list[str]] = []
    if entry_type in ("how_to", "troubleshooting"):
        intro = [" ".join(_sentence(rng, slots) for _ in range(rng.randint(1, 3)))]
        heading = "## Steps" if entry_type == "how_to" else "## How to fix it"
        steps = [f"{n}. {_fill(rng, slots, _STEPS)}" for n in range(1, rng.randint(3, 6) + 1)]
        sections = [intro, [heading, "\n".join(steps)], ["## Notes" if entry_type == "how_to" else "## Why it happens"]]
    else:
        sections = [[]]
    words = sum(len(part.split()) for section in sections for part in section)
    paragraph: list[str] = []
    while words < target:  # the last section grows in paragraphs of 2-4 sentences
        sentence = _sentence(rng, slots)
        paragraph.append(sentence)
        words += len(sentence.split())
        if len(paragraph) >= rng.randint(2, 4) or words >= target:
            sections[-1].append(" ".join(paragraph))
            paragraph = []
    body = "\n\n".join(part for section in sections for part in section)
    tags = (slots.feature.lower(), slots.noun)
    return Article(f"kb-{i:06d}", title, body, entry_type, f"https://help.example.com/articles/{i}", tags)


def generate_articles(n: int, seed: int = 0) -> list[Article]:
    """The first ``n`` articles of the synthetic help centre of ``seed``."""
    return [generate_article(i, seed) for i in range(n)]


def draw_questions(articles: Sequence[Article], count: int, seed: int = 0) -> list[tuple[str, str]]:
    """``count`` questions ``(text, article id)``, each an article's title with about a third of its
    words dropped, from distinct articles while there are enough."""
    rng = random.Random(f"questions:{seed}")
    picked = rng.sample(range(len(articles)), min(count, len(articles)))
    out = []
    for n in range(count):
        article = articles[picked[n % len(picked)]]
        words = article.title.rstrip("?").split()
        kept = [w for w in words if rng.random() >= 1 / 3]
        if len(kept) < min(4, len(words)):
            kept = words
        out.append((" ".join(kept) + "?", article.id))
    return out


# --- the measurement ------------------------------------------------------------------------


class _HashingGemini(FakeGemini):
    """The fake Gemini with embeddings that carry meaning: each index term of the text (stop words
    dropped, stemmed) adds ±1 to one of ``embedding_dim`` coordinates chosen by its hash."""

    def embed(self, text: str) -> list[float]:
        from switchboard.knowledge.text import tokens

        vector = [0.0] * self.embedding_dim
        for term in tokens(text):
            h = zlib.crc32(term.encode())
            vector[h % self.embedding_dim] += 1.0 if h & 0x8000_0000 else -1.0
        return vector


class _StoreReadCounter(GrpcCallCounter):
    """A :class:`GrpcCallCounter` that also counts the bytes the server sends."""

    bytes_read: int = 0

    def inspectors(self) -> tuple[Callable[[bytes], None], Callable[[bytes], None]]:
        from_client, from_server = super().inspectors()

        def counted(data: bytes) -> None:
            with self._lock:
                self.bytes_read += len(data)
            from_server(data)

        return from_client, counted


class _StageClock:
    """The import's progress callback: remembers when each stage was first and last reported."""

    def __init__(self, progress: Progress | None) -> None:
        self.start = time.perf_counter()
        self.seen: dict[str, list[float]] = {}
        self._progress = progress

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        self.seen.setdefault(stage, [now, now])[1] = now
        if self._progress:
            self._progress(stage, done, total)

    def split(self, end: float) -> dict[str, float]:
        """Seconds spent chunking and embedding, indexing, profiling, and writing (with the switch)."""
        index_first, index_last = self.seen["index"]
        first, last = self.seen["profile"]
        return {
            "chunk_embed": round(index_first - self.start, 2),
            "index": round(index_last - index_first, 2),
            "profile": round(last - first, 2),
            "write": round(end - last, 2),
        }


#: The fresh process. Everything before the first answer is the chat function's own code; the two
#: wrappers only time the store read and the index build (load + build) of that first turn.
_CHILD = """
import json, sys, time
begun = time.time()
def peak_kb():  # this process's peak RSS (ru_maxrss would include the parent's, inherited at exec)
    with open("/proc/self/status") as status:
        return int(next(line for line in status if line.startswith("VmHWM:")).split()[1])
plan = json.loads(sys.argv[1])
if plan["profile"]:
    import cProfile
    profiler = cProfile.Profile()
    profiler.enable()
from functions_framework import create_app
app = create_app(target="chat", source="main.py")
client = app.test_client()
imported = time.time()
rss_imported = peak_kb()
from switchboard.bootstrap import services
spent = {}
def timed(name, call):
    def wrapper(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return call(*args, **kwargs)
        finally:
            spent[name] = spent.get(name, 0.0) + (time.perf_counter() - t0) * 1000
    return wrapper
s = services()
for name in ("load_kb_meta", "load_kb_blobs", "get_chunks", "nearest_chunks"):
    setattr(s.store, name, timed("kb_reads", getattr(s.store, name)))
s.indexes.get = timed("open_index", s.indexes.get)
question, article = plan["questions"][0]
response = client.post("/api/agent/test/", json={"message": question, "session_id": "scale-cold", "user_info": plan["user"]})
answered = time.time()
if plan["profile"]:
    profiler.disable()
    profiler.dump_stats(plan["profile"])
body = response.get_json() or {}
out = {
    "begun_at": begun, "imported_at": imported, "answered_at": answered, "status": response.status_code,
    "replied": bool(body.get("response")), "detail": body.get("detail"), "spent": dict(spent),
    "found": article in [r["article_id"] for r in (body.get("debug") or {}).get("retrieval", [])[:3]],
    "rss_imported_kb": rss_imported, "rss_first_kb": peak_kb(),
    "genai_loaded": "google.genai" in sys.modules,
}
if plan["turns"] and response.status_code == 200:
    from switchboard.devtools.bench.scale import warm
    out.update(warm(client, plan["questions"], plan["turns"], plan["user"]))
out["rss_peak_kb"] = peak_kb()
print(json.dumps(out))
"""


def warm(client: Any, questions: list[list[str]], turns: int, user: dict[str, str]) -> dict[str, Any]:
    """In the process that just answered its first turn: warm turns, then the index's search alone."""
    from switchboard.bootstrap import services

    def turn(i: int) -> tuple[float, dict[str, float], bool]:
        question, article = questions[i % len(questions)]
        body = {"message": question, "session_id": f"scale-{i % 50}", "user_info": user}
        t0 = time.perf_counter()
        response = client.post("/api/agent/test/", json=body)
        wall = (time.perf_counter() - t0) * 1000
        assert response.status_code == 200, response.get_data(as_text=True)
        debug = response.get_json()["debug"]
        timings = debug["timings_ms"]
        found = article in [r["article_id"] for r in debug.get("retrieval", [])[:3]]
        # The query embedding is the model's time (a Gemini call; here the zero-latency fake).
        return wall - float(timings.get("embed_ms", 0.0)), timings, found

    for i in range(WARMUP):
        turn(i)
    measured = [turn(WARMUP + i) for i in range(turns)]
    overheads = [m[0] for m in measured]
    parts = {
        key: _pct([float(m[1][key]) for m in measured if key in m[1]], 0.5)
        for key in ("load_ms", "retrieve_ms", "llm_ms", "save_ms")
    }
    s = services()
    tenant = s.tenants.tenant(s.settings.default_tenant)
    assert tenant is not None
    index = s.indexes.get(tenant.id, tenant.kb_version)
    texts = [q for q, _ in questions]
    vectors: list[Any] = [None] * len(texts)
    if s.embedder is not None and index.has_vectors:
        vectors = s.embedder.embed(texts, "query")
    k = s.settings.retrieval_top_k
    for text, vector in zip(texts, vectors, strict=True):
        index.search(text, k, vector)
    searches = []
    for i in range(max(SEARCHES, len(texts))):
        t0 = time.perf_counter()
        index.search(texts[i % len(texts)], k, vectors[i % len(texts)])
        searches.append((time.perf_counter() - t0) * 1000)
    return {
        "warm_turn_p50_ms": _pct(overheads, 0.5),
        "warm_turn_p99_ms": _pct(overheads, 0.99),
        "warm_turn_parts_p50_ms": parts,
        "warm_recall_at_3": round(sum(m[2] for m in measured) / len(measured), 3),
        "search_p50_ms": _pct(searches, 0.5),
        "search_p99_ms": _pct(searches, 0.99),
    }


def _chat_process(plan: dict[str, Any], emulator_host: str) -> dict[str, Any]:
    """Run :data:`_CHILD` in a fresh process against ``emulator_host``: its result, and when it
    was spawned."""
    env = {**os.environ, "FIRESTORE_EMULATOR_HOST": emulator_host}
    spawned = time.time()
    result = subprocess.run(
        [sys.executable, "-c", _CHILD, json.dumps(plan)],
        cwd=FUNCTIONS / "chat",
        env=env,
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
    )
    if result.returncode != 0:
        raise RuntimeError(f"the chat process failed: {result.stderr[-3000:]}")
    out: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    out["spawned_at"] = spawned
    return out


def _peak_rss_kb() -> int:
    """This process's peak resident memory so far (VmHWM), in kB."""
    with open("/proc/self/status", encoding="ascii") as status:
        return int(next(line for line in status if line.startswith("VmHWM:")).split()[1])


def _drop_project(emulator_host: str, project: str) -> None:
    """Delete the run's documents from the emulator (its memory is what a big run fills)."""
    url = f"http://{emulator_host}/emulator/v1/projects/{project}/databases/(default)/documents"
    with contextlib.suppress(OSError):
        urllib.request.urlopen(urllib.request.Request(url, method="DELETE"), timeout=300).read()


def run_scale(
    articles: int = 1000,
    kb: Path | None = None,
    turns: int = 200,
    dimensions: int = 768,
    seed: int = 0,
    profile: Path | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Import a KB of ``articles`` articles and measure the chat function against it.

    Args:
        articles: How many articles to generate (with ``kb``: how many of its first articles to use,
            0 for all).
        kb: A JSONL file (or a folder of Markdown files) to read instead of generating.
        turns: Warm turns measured (after :data:`WARMUP` unmeasured ones).
        dimensions: Embedding dimensions (0: no embeddings, lexical retrieval only).
        seed: The generated help centre's and the questions' seed.
        profile: Where the timed cold start writes its cProfile statistics (process start to the
            first answer), if anywhere.
        progress: Called as ``progress(stage, done, total)`` while importing and measuring.

    Returns:
        The figures (module docstring). When the first turn is not answered (the KB could not be
        loaded, for example), ``error`` says so, the warm figures are None and the cold ones say
        how far the cold start got.

    Needs FIRESTORE_EMULATOR_HOST (the CLI starts an emulator if it is unset); leaves the
    environment and the emulator as it found them.
    """
    from switchboard import bootstrap
    from switchboard.knowledge.articles import read_articles
    from switchboard.knowledge.importer import import_articles

    if turns < 1:
        raise ValueError("at least one warm turn")
    emulator_host = os.environ["FIRESTORE_EMULATOR_HOST"]
    if kb is not None:
        kb_articles = read_articles(kb)
        kb_articles = kb_articles[:articles] if articles else kb_articles
    else:
        kb_articles = generate_articles(articles, seed)
    questions = draw_questions(kb_articles, turns, seed)
    note = progress or (lambda stage, done, total: None)
    saved = dict(os.environ)
    project = f"demo-scale-{uuid.uuid4().hex[:8]}"
    fake = _HashingGemini(embedding_dim=dimensions or 8).start()
    counter = None
    try:
        os.environ.update(
            GOOGLE_CLOUD_PROJECT=project,
            ALLOW_ANONYMOUS="true",
            DEFAULT_TENANT=TENANT,
            LLM_BACKEND="extractive",
            GEMINI_API_KEY="bench",
            GEMINI_BASE_URL=fake.url,
            LLM_MAX_ATTEMPTS="1",
            EMBEDDING_BACKEND="auto" if dimensions else "none",  # auto with a key: Gemini embeddings
            EMBEDDING_DIMENSIONS=str(dimensions or 768),
            RATE_LIMIT="1000000/60",
            LOG_LEVEL="ERROR",
        )
        bootstrap.reset()
        services = bootstrap.services()
        clock = _StageClock(progress)
        report = import_articles(
            services.store, TENANT, kb_articles, replace=True, embedder=services.embedder, progress=clock
        )
        import_end = time.perf_counter()
        import_rss_kb = _peak_rss_kb()
        bootstrap.reset()
        fake.requests.clear()
        del kb_articles, services
        gc.collect()
        plan = {"questions": questions, "turns": turns, "user": USER, "profile": str(profile or "")}
        note("cold", 0, 2)
        timed = _chat_process(plan, emulator_host)
        note("cold", 1, 2)
        counter = _StoreReadCounter(int(emulator_host.rsplit(":", 1)[1]))
        _chat_process({**plan, "turns": 0, "profile": ""}, counter.host)
        note("cold", 2, 2)
    finally:
        fake.stop()
        if counter is not None:
            counter.close()
        _drop_project(emulator_host, project)
        os.environ.clear()
        os.environ.update(saved)
        bootstrap.reset()
    spent, answered = timed["spent"], timed["status"] == 200 and timed["replied"]
    reads, opened = spent.get("kb_reads", 0.0), spent.get("open_index", 0.0)
    result = {
        "articles": report.articles,
        "chunks": report.chunks,
        "cold_first_answer_ms": round((timed["answered_at"] - timed["spawned_at"]) * 1000, 1),
        **{k: timed.get(k) for k in ("warm_turn_p50_ms", "warm_turn_p99_ms", "search_p50_ms", "search_p99_ms")},
        "rss_mb": round(timed["rss_peak_kb"] / 1024, 1),
        "import_s": round(import_end - clock.start, 2),
        "import_peak_rss_mb": round(import_rss_kb / 1024, 1),
        "cold_store_read_bytes": counter.bytes_read,
        "cold_store_calls": counter.count,
        "cold_breakdown_ms": {
            "process_start": round((timed["begun_at"] - timed["spawned_at"]) * 1000, 1),
            "imports": round((timed["imported_at"] - timed["begun_at"]) * 1000, 1),
            "open_index": round(opened, 1),
            "kb_store_reads": round(reads, 1),
            "rest_of_first_turn": round((timed["answered_at"] - timed["imported_at"]) * 1000 - opened, 1),
        },
        "rss_mb_after_imports": round(timed["rss_imported_kb"] / 1024, 1),
        "rss_mb_after_first_answer": round(timed["rss_first_kb"] / 1024, 1),
        "import_stages_s": clock.split(import_end),
        "warm_turn_parts_p50_ms": timed.get("warm_turn_parts_p50_ms"),
        "first_answer_found_article": timed["found"],
        "genai_loaded_by_first_answer": timed["genai_loaded"],
        "warm_recall_at_3": timed.get("warm_recall_at_3"),
        "models": {
            "llm": "extractive",
            "embeddings": f"genai via the loopback fake, {dimensions} dimensions" if dimensions else "none",
        },
    }
    if not answered:  # the figures above then say how far the cold start got
        result["error"] = f"the first turn was not answered: {timed['status']} {timed['detail'] or ''}".strip()
    return result
