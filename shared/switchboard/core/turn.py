"""One turn of a conversation: load, limit, hand off or answer, save."""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from switchboard.config import RateLimit
from switchboard.core import hours, phrases
from switchboard.core.handoff import detect_handoff, second_opinion
from switchboard.core.language import detect_language
from switchboard.core.models import (
    Conversation,
    InboundMessage,
    Message,
    Passage,
    Source,
    Tenant,
    TurnResult,
)
from switchboard.core.problems import first_similar, problem_terms
from switchboard.core.prompts import system_instruction
from switchboard.core.retrieve import embeds_as_is, retrieve
from switchboard.core.tenants import TenantDirectory
from switchboard.errors import ConflictError, LLMError, RateLimitedError
from switchboard.knowledge.cache import IndexCache
from switchboard.knowledge.confidence import confidence_features, confidence_from
from switchboard.llm.base import AnswerDraft, AnswerRequest, Embedder, LLMProvider
from switchboard.store.base import TurnRecord, TurnStore

log = logging.getLogger(__name__)

_SAFE_KEY = re.compile(r"^[A-Za-z0-9_.:@+-]{1,200}$")
#: Below this share of the escalation threshold nothing relevant was found: the reply says so
#: instead of quoting the nearest article (chosen on the benchmark's development splits).
NOT_FOUND_SHARE = 0.5


@dataclass(frozen=True)
class TurnPolicy:
    """Deployment-wide defaults that a tenant's settings may override."""

    escalation_threshold: float
    history_turns: int
    top_k: int
    rate: RateLimit
    model: str
    temperature: float
    max_output_tokens: int
    escalation_max_minutes: int = 0


@dataclass
class TurnDeps:
    """What :func:`handle_turn` needs, built once per instance by the composition root."""

    store: TurnStore
    llm: LLMProvider
    indexes: IndexCache
    tenants: TenantDirectory
    policy: TurnPolicy
    embedder: Embedder | None = None
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))


def conversation_doc_id(channel: str, key: str) -> str:
    """A Firestore-safe document id for a channel's conversation key."""
    if _SAFE_KEY.match(key) and not key.startswith("__"):
        return f"{channel}:{key}"
    return f"{channel}:h-{hashlib.sha256(key.encode()).hexdigest()[:40]}"


def _key_tag(idempotency_key: str) -> str:
    """The part of a turn's message ids that names the caller's idempotency key."""
    return "k" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:20]


def _message_ids(now: datetime, idempotency_key: str = "") -> tuple[str, str]:
    """Ids of a turn's question and reply: they sort by time, and the question first."""
    tag = _key_tag(idempotency_key) if idempotency_key else secrets.token_hex(4)
    stem = f"{int(now.timestamp() * 1000):013d}-{tag}"
    return f"{stem}-q", f"{stem}-r"


def _replay_of(conversation: Conversation, idempotency_key: str, text: str) -> TurnResult | None:
    """The stored answer to an earlier request with this key, when the conversation holds it."""
    tag = f"-{_key_tag(idempotency_key)}-"
    question = next((m for m in conversation.recent if m.role == "user" and tag in m.id), None)
    if question is None:
        return None
    if question.content != text:
        raise ConflictError("This Idempotency-Key was already used for another message")
    reply_id = question.id.removesuffix("-q") + "-r"
    reply = next((m for m in conversation.recent if m.id == reply_id), None)
    replay = (reply.replay if reply else None) or {"silent": True}
    result = TurnResult(
        reply=reply.content if reply else "",
        confidence=float(replay.get("confidence", 0.0)),
        requires_escalation=bool(replay.get("requires_escalation", False)),
        escalation_reason=replay.get("escalation_reason"),
        sources=[Source(**source) for source in replay.get("sources", [])],
        silent=bool(replay.get("silent", False)),
        language=str(replay.get("language", conversation.language or "en")),
    )
    result.at = question.at
    return result


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 2)


def _sources(passages: list[Passage], cited: list[str]) -> list[Source]:
    by_id = {p.id: p for p in passages}
    seen: dict[str, Source] = {}
    for cid in cited:
        p = by_id[cid]
        if p.article_id not in seen or seen[p.article_id].confidence < p.score:
            seen[p.article_id] = Source(p.title, round(p.score, 3), p.entry_type, p.article_id, p.url)
    return sorted(seen.values(), key=lambda s: -s.confidence)


class _Turn:
    """The state of one turn while it runs (timings, debug, the decision)."""

    def __init__(self, message: InboundMessage, deps: TurnDeps) -> None:
        self.message = message
        self.deps = deps
        self.now = deps.clock()
        self.timings: dict[str, float] = {}
        self.debug: dict[str, Any] = {}
        self.usage: dict[str, int] = {}
        self.flags: dict[str, Any] = {}
        self.started = time.perf_counter()

    def run(self) -> TurnResult:
        start = self.started
        deps, message = self.deps, self.message
        tenant = deps.tenants.tenant(message.tenant_id) or Tenant(id=message.tenant_id)
        t0 = time.perf_counter()
        key = conversation_doc_id(message.channel, message.conversation_key)
        conversation, decision = deps.store.begin_turn(
            message.tenant_id, key, message.user.user_id, deps.policy.rate, self.now, message.channel
        )
        self.timings["load_ms"] = _ms(t0)
        self.debug["rate"] = {"count": decision.count, "limit": deps.policy.rate.limit}
        replayed = _replay_of(conversation, message.idempotency_key, message.text) if message.idempotency_key else None
        if replayed is not None:  # answered before; the caller did not hear back
            replayed.debug = {"replayed": True, "timings_ms": {"total_ms": _ms(start)}}
            return replayed
        if not decision.allowed:
            raise RateLimitedError(decision.reset_in_seconds)
        language = detect_language(message.text, default=conversation.language or "en")
        settings = tenant.settings
        if not conversation.exists and settings.default_handler == "Manual":
            self.flags["owner"] = "human"  # the tenant's people take new conversations
        if conversation.owner == "human" or self.flags.get("owner") == "human" or not settings.auto_response:
            result = TurnResult("", 0.0, False, silent=True, language=language)
        elif not hours.is_open(settings.hours, self.now):
            self.debug["business_hours"] = "closed"
            if settings.hours.get("outside") == "message":
                notice = str(settings.hours.get("message", ""))
                result = TurnResult(notice, 0.0, True, "outside_hours", language=language)
            else:  # left to the tenant's people, who answer when they are in
                result = TurnResult("", 0.0, False, "outside_hours", silent=True, language=language)
        else:
            result = self._decide(tenant, conversation, language)
            self._check_duration(conversation, result)
        t0 = time.perf_counter()
        self._save(conversation, result)
        self.timings["save_ms"] = _ms(t0)
        self.timings["total_ms"] = _ms(start)
        result.at = self.now
        result.debug = {**self.debug, "timings_ms": self.timings}
        return result

    def _decide(self, tenant: Tenant, conversation: Conversation, language: str) -> TurnResult:
        t0 = time.perf_counter()
        intent = detect_handoff(self.message.text)
        embedder = self.deps.embedder
        if (
            embedder is not None
            and not intent.decided
            and embeds_as_is(self.deps.indexes, embedder, tenant, self.message.text, conversation)
        ):  # the rules left it open: the embedding retrieval makes anyway gets a say first
            intent = second_opinion(intent, self.message.text, embedder)
        self.timings["handoff_ms"] = _ms(t0)
        self.debug["handoff_rule"] = intent.rule
        if intent.similarity is not None:
            self.debug["handoff_similarity"] = intent.similarity
        if intent.wants_human:
            self.usage["handoffs"] = 1
            return TurnResult(phrases.handoff_notice(language), 0.0, True, "user_request", language=language)
        ticketed = [(p.ticket_id or "", p.terms) for p in conversation.open_problems if p.ticket_id]
        ticket = first_similar(problem_terms(self.message.text), ticketed)
        if ticket:
            notice = phrases.duplicate_notice(language, ticket)
            return TurnResult(notice, 0.0, True, "duplicate_problem", language=language)
        t0 = time.perf_counter()
        found = retrieve(
            self.deps.indexes,
            self.deps.embedder,
            tenant,
            self.message.text,
            conversation,
            language,
            self.deps.policy.top_k,
        )
        self.timings["retrieve_ms"] = _ms(t0)
        if found.embed_ms is not None:
            self.timings["embed_ms"] = found.embed_ms
        self.debug.update(found.debug())
        passages, profile = found.passages, found.profile
        if not passages:
            return TurnResult(phrases.no_answer_notice(language), 0.0, True, "no_results", language=language)
        draft = self._generate(tenant, conversation, passages, language)
        if draft is None:
            return TurnResult(phrases.ai_error_notice(language), 0.0, True, "ai_error", language=language)
        given = {p.id for p in passages}
        cited = [c for c in dict.fromkeys(draft.cited_ids) if c in given]
        by_id = {p.id: p.article_id for p in passages}
        self.debug["cited_articles"] = list(dict.fromkeys(by_id[c] for c in cited))
        foreign = 1.0 if found.foreign_words else 0.0
        cross = bool(profile.language) and language != profile.language
        features = confidence_features(passages, cited, draft.support, found.unknown_share, foreign, profile, cross)
        confidence = confidence_from(features, draft.provider, draft.answered)
        self.debug["confidence_features"] = features
        threshold = tenant.settings.escalation_threshold
        if threshold is None:
            threshold = self.deps.policy.escalation_threshold
        self.debug["model_support"] = draft.support
        self.debug["model_answered"] = draft.answered
        self.debug["needs_human"] = {"value": draft.needs_human, "reason": draft.reason}
        if not draft.answer or draft.answered is False or confidence < threshold * NOT_FOUND_SHARE:
            # Nothing relevant: say so, offer a person, and quote no unrelated article.
            return TurnResult(phrases.no_answer_notice(language), confidence, True, "no_results", language=language)
        escalate = confidence < threshold or draft.needs_human
        reply = draft.answer
        if cross and draft.language != language:
            reply = phrases.in_other_language(language, reply)
        if confidence < threshold:
            reply = phrases.hedged(language, reply)
        return TurnResult(
            reply=reply,
            confidence=confidence,
            requires_escalation=escalate,
            escalation_reason="low_confidence" if escalate else None,
            sources=_sources(passages, cited),
            language=language,
        )

    def _check_duration(self, conversation: Conversation, result: TurnResult) -> None:
        """The Chatwoot desk spec: a conversation running longer than the limit is offered a human, once."""
        limit = self.deps.policy.escalation_max_minutes
        # A conversation a person handed back with a fresh context starts over.
        started = max((t for t in (conversation.created_at, conversation.context_reset_at) if t), default=None)
        if not limit or started is None or conversation.time_escalated:
            return
        if self.now - started > timedelta(minutes=limit):
            self.flags["time_escalated"] = True
            if not result.requires_escalation:
                result.requires_escalation = True
                result.escalation_reason = "time_exceeded"

    def _generate(
        self, tenant: Tenant, conversation: Conversation, passages: list[Passage], language: str
    ) -> AnswerDraft | None:
        policy, settings = self.deps.policy, tenant.settings
        history = conversation.recent[-2 * policy.history_turns :] if policy.history_turns else []
        request = AnswerRequest(
            system_instruction=system_instruction(settings.prompts),
            history=history,
            question=self.message.text,
            passages=passages,
            language=language,
            model=settings.model or policy.model,
            temperature=settings.temperature if settings.temperature is not None else policy.temperature,
            max_output_tokens=settings.max_output_tokens or policy.max_output_tokens,
        )
        t0 = time.perf_counter()
        self.usage["llm_calls"] = 1
        try:
            draft = self.deps.llm.answer(request)
        except LLMError as exc:
            self.timings["llm_ms"] = _ms(t0)
            self.usage["llm_errors"] = 1
            self.debug["llm_error"] = str(exc)
            log.warning("llm failed; escalating", extra={"error": str(exc), "provider": self.deps.llm.name})
            return None
        self.timings["llm_ms"] = _ms(t0)
        self.debug["provider"] = draft.provider
        self.debug["model"] = draft.model
        self.debug["tokens"] = draft.usage
        self.usage["prompt_tokens"] = draft.usage.get("prompt", 0)
        self.usage["output_tokens"] = draft.usage.get("output", 0)
        return draft

    def _save(self, conversation: Conversation, result: TurnResult) -> None:
        message, now = self.message, self.now
        question_id, reply_id = _message_ids(now, message.idempotency_key)
        user_msg = Message(question_id, "user", message.text, now)
        replay = None
        if message.idempotency_key:
            replay = {
                "confidence": result.confidence,
                "requires_escalation": result.requires_escalation,
                "escalation_reason": result.escalation_reason,
                "sources": [asdict(s) for s in result.sources],
                "language": result.language,
            }
        reply = None if result.silent else Message(reply_id, "assistant", result.reply, now, replay)
        if result.requires_escalation:
            self.usage["escalations"] = 1
        fields: dict[str, Any] = {
            "channel": message.channel,
            "conversation_key": message.conversation_key,
            "agent_type": message.agent_type,
            "user": message.user.as_dict(),
            "language": result.language,
            "inactive": False,  # a customer wrote: the session is active again
            **self.flags,
        }
        if reply is not None:
            fields["last_confidence"] = result.confidence
            fields["last_escalation_reason"] = result.escalation_reason
            if result.requires_escalation and message.human_takes_over:
                # Channels whose bot hands over in place (Kommo): the AI stays silent from now on.
                fields["owner"] = "human"
                fields["owner_changed_at"] = now
        meta = {
            "confidence": result.confidence,
            "requires_escalation": result.requires_escalation,
            "escalation_reason": result.escalation_reason,
            "sources": [s.entry_id for s in result.sources],
            "response_ms": round((time.perf_counter() - self.started) * 1000),
        }
        counters = {k: v for k, v in self.usage.items() if v}
        if reply is not None:
            counters["ai_replies"] = 1
            if result.requires_escalation and result.escalation_reason:
                counters[f"escalations_{result.escalation_reason}"] = 1
        record = TurnRecord(user_msg, reply, fields, meta, self.usage, counters)
        self.deps.store.save_turn(message.tenant_id, conversation, record, now)


def handle_turn(message: InboundMessage, deps: TurnDeps) -> TurnResult:
    """Answer one customer message.

    Args:
        message: The parsed, verified inbound message.
        deps: Store, LLM, indexes, tenant directory and policy.

    Returns:
        The reply, its confidence and sources, and whether a human should take over.

    Raises:
        RateLimitedError: The end user used up their answers for this window.
        StoreError: Firestore failed (the caller answers 503).
    """
    return _Turn(message, deps).run()
