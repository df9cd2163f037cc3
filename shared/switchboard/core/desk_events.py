"""Chatwoot desk events (the Chatwoot desk spec): an agent joined, a conversation was resolved."""

from __future__ import annotations

import logging
from typing import Any, Literal

from switchboard.core.escalation import EscalationDeps
from switchboard.core.turn import conversation_doc_id

log = logging.getLogger(__name__)

DeskOutcome = Literal["agent_joined", "resolved", "ignored"]
_STATUS_EVENTS = ("conversation_status_changed", "conversation_updated", "conversation_resolved")


def _conversation_of(event: dict[str, Any]) -> dict[str, Any]:
    if event.get("event", "").startswith("conversation_"):
        return event
    conversation = event.get("conversation")
    return conversation if isinstance(conversation, dict) else {}


def _is_agent_message(event: dict[str, Any]) -> bool:
    # Our own API posts and private notes come back as "outgoing" too: only a public message
    # written by a human agent (sender type "user") means an agent has joined.
    sender = event.get("sender") or {}
    return (
        event.get("message_type") in ("outgoing", 1)
        and not event.get("private", False)
        and str(sender.get("type", "")).lower() == "user"
    )


def handle_desk_event(deps: EscalationDeps, event: dict[str, Any]) -> DeskOutcome:
    """Apply one verified webhook event to the escalation it belongs to, if any."""
    name = str(event.get("event", ""))
    conversation = _conversation_of(event)
    account = (event.get("account") or {}).get("id") or deps.desk_account
    conversation_id = conversation.get("id")
    if not conversation_id:
        return "ignored"
    link = deps.store.desk_link(int(account), int(conversation_id))
    if link is None:
        return "ignored"
    escalation = deps.store.get(*link)
    if escalation is None:
        return "ignored"
    conv_doc = conversation_doc_id(escalation.channel, escalation.conversation_key)
    if name == "message_created" and _is_agent_message(event):
        if escalation.desk.get("agent_joined_at"):
            return "ignored"
        agent = (event.get("sender") or {}).get("name", "")
        deps.store.update(escalation, {"desk.agent_joined_at": deps.clock(), "desk.agent_name": agent})
        deps.store.set_conversation_owner(escalation.tenant_id, conv_doc, "human")
        log.info("agent joined", extra={"failure_id": escalation.id})
        return "agent_joined"
    resolved = name == "conversation_resolved" or conversation.get("status") == "resolved"
    if name in _STATUS_EVENTS and resolved and escalation.status != "resolved":
        deps.store.update(escalation, {"status": "resolved", "desk.resolved_at": deps.clock()}, close_problem=True)
        # Back to the AI with a fresh context, so an old "get me a human" cannot hand off again.
        deps.store.set_conversation_owner(escalation.tenant_id, conv_doc, "ai", reset_context=True)
        log.info("escalation resolved", extra={"failure_id": escalation.id})
        return "resolved"
    return "ignored"
