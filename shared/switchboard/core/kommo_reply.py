"""Answering a Kommo Salesbot request: one turn, then one continue call to its ``return_url``.

The reply is claimed under the ``return_url`` before anything happens, and the computed continue
body is saved on the claim before it is sent: a repeated ``widget_request`` or a retried task
re-sends the same body instead of asking the LLM again and storing the turn twice.

A failure that waiting can fix (Kommo down or rate limiting, Firestore unavailable, another
delivery holding the reply) reschedules the reply as a new task with backoff, honouring Kommo's
Retry-After, as the escalation tasks do; the queue's own retries are only the last resort.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal

from switchboard.core import phrases
from switchboard.core.bubbles import split_bubbles
from switchboard.core.escalation import try_later
from switchboard.core.language import detect_language
from switchboard.core.models import InboundMessage, TurnResult, UserInfo
from switchboard.core.turn import TurnDeps, conversation_doc_id, handle_turn
from switchboard.errors import (
    ConfigurationError,
    InvalidInputError,
    RateLimitedError,
    StoreError,
    UpstreamError,
    UpstreamUnavailableError,
)
from switchboard.helpdesk.base import BotChannel
from switchboard.store.base import Claims
from switchboard.tasks.base import Task, TaskQueue

log = logging.getLogger(__name__)

REPLY_LEASE = timedelta(seconds=90)
#: Reschedules before a reply is left to the queue's own retries (then its dead letter): with a
#: 15 s base this waits about 3 hours in all, past any outage a customer would still wait out.
MAX_REPLY_ATTEMPTS = 10
#: Kommo refuses for good with these: the token (401) or the waiting bot step (404) is gone.
FINAL_STATUSES = (401, 404)

ReplyResult = Literal["sent", "done", "final", "rescheduled"]


@dataclass
class KommoReplyDeps:
    """What :func:`run_kommo_reply` needs.

    Attributes:
        turn: The chat turn's dependencies (its store also answers who owns a conversation).
        claims: The claim primitive (one reply per ``return_url``).
        bot: The Salesbot continue call, or None when KOMMO_ACCESS_TOKEN is not set.
        check_return_url: ``(tenant_id, url)`` → the url, or InvalidInputError when it is not the
            tenant's Kommo: a task is re-checked before our access token is sent anywhere.
        queue: Where a reply that must wait is rescheduled (None: the queue's retries only).
        retry_base_seconds: The first reschedule's delay when Kommo gives no Retry-After.
    """

    turn: TurnDeps
    claims: Claims
    bot: BotChannel | None
    check_return_url: Callable[[str, str], str] = field(default=lambda tenant_id, url: url)
    queue: TaskQueue | None = None
    retry_base_seconds: float = 15.0


def reply_task(tenant_id: str, return_url: str, payload: dict[str, Any], attempt: int = 0, delay: float = 0) -> Task:
    """The task that answers one Salesbot request (a later attempt is a new task name)."""
    body = {"tenant": tenant_id, "return_url": return_url, **payload, "attempt": attempt}
    return Task("kommo-reply", f"{tenant_id}/{return_url}", body, attempt, delay)


def conversation_key(lead_id: str, contact_id: str, chat_id: str) -> str:
    """The conversation of a Kommo lead and contact (or of a chat when that is all we know).

    Raises:
        InvalidInputError: The request names no lead, contact or chat.
    """
    if lead_id and contact_id:
        return f"lead-{lead_id}-contact-{contact_id}"
    if chat_id:
        return f"chat-{chat_id}"
    if contact_id:
        return f"contact-{contact_id}"
    if lead_id:
        return f"lead-{lead_id}"
    raise InvalidInputError("Kommo request names no lead, contact or chat")


def reply_key(return_url: str) -> str:
    """The claim key of one Salesbot request."""
    return "kommo-reply:" + hashlib.sha256(return_url.encode()).hexdigest()[:40]


def continue_body(result: TurnResult, reply_mode: str) -> dict[str, Any]:
    """The continue call: the whole reply in ``data`` and, unless the bot shows
    ``{{json.reply}}`` itself, the reply as ≤ 80-character bubbles."""
    if result.silent:
        return silent_body()
    handoff = result.requires_escalation
    data = {
        "status": "handoff" if handoff else "success",
        "reply": result.reply,
        "handoff": handoff,
        "confidence": result.confidence,
        "escalation_reason": result.escalation_reason or "",
    }
    bubbles = [] if reply_mode == "json" else split_bubbles(result.reply)
    return {
        "data": data,
        "execute_handlers": [{"handler": "show", "params": {"type": "text", "value": b}} for b in bubbles],
    }


def silent_body() -> dict[str, Any]:
    """A person owns the conversation: let the bot go on (to its human branch) saying nothing."""
    return {
        "data": {"status": "human", "reply": "", "handoff": True, "confidence": 0.0, "escalation_reason": ""},
        "execute_handlers": [],
    }


def _rate_limited_body(text: str, exc: RateLimitedError, reply_mode: str) -> dict[str, Any]:
    notice = phrases.rate_limited_notice(detect_language(text), exc.reset_in_seconds)
    body = continue_body(TurnResult(notice, 0.0, False, language="en"), reply_mode)
    body["data"]["status"] = "rate_limited"
    return body


def _answer(deps: KommoReplyDeps, tenant_id: str, key: str, task: dict[str, Any]) -> dict[str, Any]:
    contact = task.get("contact_id") or key
    user = UserInfo(f"kommo:{contact}", name=task.get("contact_name", ""))
    # The return_url names this request: a turn saved by an earlier delivery (whose answer was
    # lost) is found and answered again instead of being stored twice.
    replay = reply_key(task["return_url"])
    inbound = InboundMessage(
        tenant_id, "kommo", key, user, task["message"], "customer", human_takes_over=True, idempotency_key=replay
    )
    mode = task.get("reply_mode", "bubbles")
    try:
        return continue_body(handle_turn(inbound, deps.turn), mode)
    except RateLimitedError as exc:
        return _rate_limited_body(task["message"], exc, mode)


def run_kommo_reply(deps: KommoReplyDeps, task: dict[str, Any]) -> ReplyResult:
    """Answer one Salesbot request: run the turn once, re-check the owner, continue the bot.

    Returns:
        ``sent`` (Kommo took it), ``done`` (an earlier delivery already finished it), ``final``
        (Kommo refused for good; not retried) or ``rescheduled`` (Kommo or Firestore failed in a
        way that waiting can fix, or another delivery holds the reply: a later task tries again,
        re-sending the answer already computed).

    Raises:
        UpstreamUnavailableError, StoreError: As above, but after :data:`MAX_REPLY_ATTEMPTS`, or
            when the queue cannot take the later task: the queue retries this one.
    """
    try:
        return _reply(deps, task)
    except (UpstreamUnavailableError, StoreError) as exc:
        payload = {k: v for k, v in task.items() if k not in ("tenant", "return_url", "attempt")}

        def later(attempt: int, delay: float) -> Task:
            return reply_task(task["tenant"], task["return_url"], payload, attempt, delay)

        attempt = int(task.get("attempt") or 0)
        if not try_later(deps.queue, later, attempt, exc, deps.retry_base_seconds, MAX_REPLY_ATTEMPTS):
            raise
        return "rescheduled"


def _reply(deps: KommoReplyDeps, task: dict[str, Any]) -> ReplyResult:
    tenant_id, return_url = task["tenant"], task["return_url"]
    if deps.bot is None:
        raise ConfigurationError("KOMMO_ACCESS_TOKEN is not set")
    try:
        deps.check_return_url(tenant_id, return_url)
    except InvalidInputError as exc:  # never send the token to a host that is not the tenant's Kommo
        log.error("kommo reply refused: return_url is not the tenant's Kommo", extra={"error": str(exc)})
        return "final"
    claim_key = reply_key(return_url)
    claim = deps.claims.claim(tenant_id, claim_key, REPLY_LEASE)
    if claim.state == "done":
        return "done"
    if claim.state == "busy":
        raise UpstreamUnavailableError("another delivery is answering this request", retry_after=30)
    key = conversation_key(task.get("lead_id", ""), task.get("contact_id", ""), task.get("chat_id", ""))
    try:
        body = claim.result
        if body is None:
            body = _answer(deps, tenant_id, key, task)
            deps.claims.save_result(tenant_id, claim_key, body)
        # A person who took over while we were thinking wins.
        owner = deps.turn.store.conversation_owner(tenant_id, conversation_doc_id("kommo", key))
        if owner == "human" and not body["data"].get("handoff"):
            body = silent_body()
        deps.bot.continue_bot(return_url, body)
    except UpstreamUnavailableError:
        deps.claims.release(tenant_id, claim_key)
        raise
    except UpstreamError as exc:  # 401/404 or a body Kommo rejects: retrying cannot help
        deps.claims.finish(tenant_id, claim_key, "failed")
        level = logging.WARNING if exc.status in FINAL_STATUSES else logging.ERROR
        log.log(level, "kommo refused the continue call; not retrying", extra={"status": exc.status})
        return "final"
    except Exception:
        deps.claims.release(tenant_id, claim_key)
        raise
    deps.claims.finish(tenant_id, claim_key, "sent")
    return "sent"
