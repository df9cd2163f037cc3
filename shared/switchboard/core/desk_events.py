"""Chatwoot desk events (the human desk): an agent joined, a conversation was resolved.

The channel parses a verified webhook body into a :class:`DeskEvent`; this module applies it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from switchboard.core.escalation import EscalationDeps
from switchboard.core.turn import conversation_doc_id

log = logging.getLogger(__name__)

DeskOutcome = Literal["agent_joined", "resolved", "ignored"]
STATUS_EVENTS = ("conversation_status_changed", "conversation_updated", "conversation_resolved")


@dataclass(frozen=True)
class DeskEvent:
    """What a desk webhook says, as far as we act on it.

    Attributes:
        name: The event (``message_created``, ``conversation_resolved`` ...).
        account_id: The desk account, when the event names one.
        conversation_id: The desk conversation's display id, when the event names one.
        status: The conversation's status after the event (``open``, ``resolved`` ...).
        agent_message: A public message written by a human agent (not our API, not a note).
        sender_name: Who wrote the message.
    """

    name: str
    account_id: int | None
    conversation_id: int | None
    status: str = ""
    agent_message: bool = False
    sender_name: str = ""


def handle_desk_event(deps: EscalationDeps, event: DeskEvent) -> DeskOutcome:
    """Apply one verified event to the escalation it belongs to, if any."""
    if not event.conversation_id:
        return "ignored"
    link = deps.store.desk_link(event.account_id or deps.desk_account, event.conversation_id)
    if link is None:
        return "ignored"
    escalation = deps.store.get(*link)
    if escalation is None:
        return "ignored"
    conv_doc = conversation_doc_id(escalation.channel, escalation.conversation_key)
    if event.name == "message_created" and event.agent_message:
        if escalation.desk.get("agent_joined_at"):
            return "ignored"
        deps.store.update(escalation, {"desk.agent_joined_at": deps.clock(), "desk.agent_name": event.sender_name})
        deps.store.set_conversation_owner(escalation.tenant_id, conv_doc, "human")
        log.info("agent joined", extra={"failure_id": escalation.id})
        return "agent_joined"
    resolved = event.name == "conversation_resolved" or event.status == "resolved"
    if event.name in STATUS_EVENTS and resolved and escalation.status != "resolved":
        deps.store.update(escalation, {"status": "resolved", "desk.resolved_at": deps.clock()}, close_problem=True)
        # Back to the AI with a fresh context, so an old "get me a human" cannot hand off again.
        deps.store.set_conversation_owner(escalation.tenant_id, conv_doc, "ai", reset_context=True)
        log.info("escalation resolved", extra={"failure_id": escalation.id})
        return "resolved"
    return "ignored"
