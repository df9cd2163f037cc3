"""The daily rollup: what the AI did for a tenant on one day (UTC), and idle sessions marked inactive.

The definitions are in docs/analytics.md. A rollup is computed from the stored messages, the
day's usage counters and the escalations, and written whole: re-running a day gives the same
document. A day's "resolved without a human" needs the 24 hours after its last AI reply, so a
rollup is ``final`` only once a full day has passed after the day's end; the scheduled run
computes yesterday and recomputes the day before, which makes it final.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from switchboard.core.models import ESCALATION_REASONS, ConversationInfo, StoredMessage
from switchboard.store.base import EscalationStore, TurnStore

log = logging.getLogger(__name__)

#: A conversation counts as resolved when no person stepped in this long after the AI's last reply.
RESOLVED_AFTER = timedelta(hours=24)
#: Messages are read in pages of this many.
PAGE = 300
#: Stored by channels for messages they were told about but did not answer (Kommo's staff messages).
NOTIFIED = "kommo_notification"


@dataclass(frozen=True)
class Prices:
    """Estimated LLM cost per million tokens (0: not estimated)."""

    input_per_million: float = 0.0
    output_per_million: float = 0.0

    def cost(self, prompt_tokens: int, output_tokens: int) -> float:
        return round((prompt_tokens * self.input_per_million + output_tokens * self.output_per_million) / 1e6, 6)


@dataclass
class AnalyticsDeps:
    """What the daily job needs: the stores, prices, the idle time and a clock."""

    store: TurnStore
    escalations: EscalationStore
    prices: Prices
    idle_after: timedelta
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))


def _percentile(values: list[int], share: float) -> int | None:
    """The nearest-rank percentile (``share`` 0.5: the median), or None without values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _messages(store: TurnStore, tenant_id: str, key: str) -> list[StoredMessage]:
    found: list[StoredMessage] = []
    cursor: str | None = None
    while True:
        page, cursor = store.conversation_messages(tenant_id, key, limit=PAGE, cursor=cursor)
        found += page
        if cursor is None:
            return found


def _is_ai_reply(m: StoredMessage) -> bool:
    return m.message.role == "assistant" and m.meta.get("source") != NOTIFIED and "confidence" in m.meta


def _is_human_message(m: StoredMessage) -> bool:
    """A message from the business's people (a staff message a channel told us about)."""
    return m.message.role == "assistant" and m.meta.get("source") == NOTIFIED


@dataclass
class _Tally:
    conversations: int = 0
    customer_messages: int = 0
    ai_replies: int = 0
    answered_conversations: int = 0
    resolved: int = 0
    response_ms: list[int] = field(default_factory=list)
    by_reason: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ESCALATION_REASONS, 0))

    def add(
        self, conversation: ConversationInfo, messages: list[StoredMessage], start: datetime, end: datetime
    ) -> None:
        today = [m for m in messages if start <= m.message.at < end]
        asked = [m for m in today if m.message.role == "user"]
        replies = [m for m in today if _is_ai_reply(m)]
        if not asked and not replies:
            return
        self.conversations += 1
        self.customer_messages += len(asked)
        self.ai_replies += len(replies)
        for reply in replies:
            if isinstance(reply.meta.get("response_ms"), int):
                self.response_ms.append(reply.meta["response_ms"])
            reason = reply.meta.get("escalation_reason")
            if reply.meta.get("requires_escalation") and reason:
                self.by_reason[str(reason)] = self.by_reason.get(str(reason), 0) + 1
        if replies:
            self.answered_conversations += 1
            self.resolved += _resolved(conversation, messages, replies)


def _resolved(conversation: ConversationInfo, messages: list[StoredMessage], replies: list[StoredMessage]) -> int:
    """1 when nobody had to step in: no escalation from the day's first AI reply until 24 h after
    its last, no message from the business's people in that window, and no change of who owns the
    conversation in it (a hand-over to people, or people giving it back)."""
    first, last = replies[0].message.at, replies[-1].message.at
    window_end = last + RESOLVED_AFTER
    for m in messages:
        if not first <= m.message.at <= window_end:
            continue
        if _is_ai_reply(m) and m.meta.get("requires_escalation"):
            return 0
        if _is_human_message(m) and m.message.at > first:
            return 0
    # Handed to people in the window (and maybe back since): either way a person was involved.
    changed = conversation.owner_changed_at
    if changed is not None and first <= changed <= window_end:
        return 0
    return 1


def rollup_day(deps: AnalyticsDeps, tenant_id: str, day: date) -> dict[str, Any]:
    """Compute and store one tenant's rollup of one day; returns it."""
    start = datetime.combine(day, time(0), UTC)
    end = start + timedelta(days=1)
    tally = _Tally()
    for conversation in deps.store.conversations_active_since(tenant_id, start):
        if conversation.created_at is not None and conversation.created_at >= end:
            continue
        tally.add(conversation, _messages(deps.store, tenant_id, conversation.key), start, end)
    counters = deps.store.usage_between(tenant_id, day.isoformat(), day.isoformat()).get(day.isoformat(), {})
    prompt, output = counters.get("prompt_tokens", 0), counters.get("output_tokens", 0)
    rollup: dict[str, Any] = {
        "final": deps.clock() >= end + RESOLVED_AFTER,
        "conversations": tally.conversations,
        "customer_messages": tally.customer_messages,
        "requests": counters.get("requests", 0),
        "ai_replies": tally.ai_replies,
        "response_ms_median": _percentile(tally.response_ms, 0.5),
        "response_ms_p95": _percentile(tally.response_ms, 0.95),
        "escalations": sum(tally.by_reason.values()),
        "escalations_by_reason": dict(sorted(tally.by_reason.items())),
        "answered_conversations": tally.answered_conversations,
        "resolved_without_human": tally.resolved,
        "resolved_share": round(tally.resolved / tally.answered_conversations, 4)
        if tally.answered_conversations
        else None,
        "feedback_helpful": counters.get("feedback_helpful", 0),
        "feedback_unhelpful": counters.get("feedback_unhelpful", 0),
        "tickets_created": deps.escalations.tickets_between(tenant_id, start, end),
        "llm_calls": counters.get("llm_calls", 0),
        "prompt_tokens": prompt,
        "output_tokens": output,
        "estimated_cost": deps.prices.cost(prompt, output),
    }
    deps.store.save_rollup(tenant_id, day.isoformat(), rollup)
    return {**rollup, "date": day.isoformat()}


def run_daily(deps: AnalyticsDeps, day: date | None = None, tenants: list[str] | None = None) -> dict[str, Any]:
    """The scheduled job: for every tenant, mark idle sessions inactive and roll up ``day``
    (default: yesterday and, to make it final, the day before).

    Returns:
        Per tenant, the days rolled up and how many sessions were marked inactive.
    """
    now = deps.clock()
    days = [day] if day else [now.date() - timedelta(days=1), now.date() - timedelta(days=2)]
    report: dict[str, Any] = {}
    for tenant_id in tenants if tenants is not None else deps.store.list_tenants():
        inactive = deps.store.mark_inactive(tenant_id, now - deps.idle_after)
        rolled = [rollup_day(deps, tenant_id, d)["date"] for d in days]
        report[tenant_id] = {"days": rolled, "marked_inactive": inactive}
        log.info("analytics rolled up", extra={"tenant": tenant_id, "days": rolled, "marked_inactive": inactive})
    return report
