"""What humans receive: the ticket, the confirmation email, the Teams card, the desk transcript."""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape
from typing import Any

from switchboard.core.models import Escalation
from switchboard.helpdesk.base import EmailDraft, TicketDraft

REASON_LABELS = {
    "low_confidence": "The AI was not confident in its answer",
    "no_results": "The knowledge base had nothing on the question",
    "user_request": "The customer asked for a person",
    "ai_error": "The AI failed to answer",
    "time_exceeded": "The conversation ran past the time limit",
    "duplicate_problem": "The same problem was already reported",
    "outside_hours": "The question came outside business hours",
}

_USER_FIELDS = (
    ("Name", "name"),
    ("Email", "email"),
    ("Agency", "agency"),
    ("Office", "office"),
    ("Company", "company"),
    ("Division", "division"),
    ("Phone", "phone"),
    ("User id", "agent_id"),
)


def first_name(escalation: Escalation) -> str:
    """The user's first name for a personal greeting ("Jane Smith" → "Jane")."""
    name = escalation.user.get("name", "").strip()
    return name.split()[0] if name else "there"


def tag_for(escalation: Escalation) -> str:
    """A tag unique to the escalation, used to find a ticket we may already have created."""
    return f"sb-{escalation.id}"


def transcript(escalation: Escalation) -> list[dict[str, str]]:
    """The conversation as sent with create-ticket, or at least the question and the reply."""
    if escalation.history:
        return escalation.history
    stamp = escalation.created_at.astimezone(UTC).isoformat(timespec="seconds")
    return [
        {"role": "user", "content": escalation.query, "timestamp": stamp},
        {"role": "assistant", "content": escalation.agent_response, "timestamp": stamp},
    ]


def _subject(escalation: Escalation) -> str:
    question = " ".join(escalation.query.split())
    return f"Chat escalation: {question[:90]}{'…' if len(question) > 90 else ''}"


def ticket_draft(escalation: Escalation) -> TicketDraft:
    """The Freshdesk ticket: who, what they asked, what the bot said, confidence, transcript."""
    rows = "".join(
        f"<tr><th align='left'>{label}</th><td>{escape(escalation.user[key])}</td></tr>"
        for label, key in _USER_FIELDS
        if escalation.user.get(key)
    )
    turns = "".join(
        f"<p><b>{'Customer' if t.get('role') == 'user' else 'Assistant'}</b> "
        f"<small>{escape(t.get('timestamp', ''))}</small><br>{escape(t.get('content', ''))}</p>"
        for t in transcript(escalation)
    )
    description = (
        f"<h3>Customer</h3><table>{rows}</table>"
        f"<h3>Question</h3><p>{escape(escalation.query)}</p>"
        f"<h3>Assistant's reply</h3><p>{escape(escalation.agent_response)}</p>"
        f"<p><b>Confidence:</b> {escalation.confidence:.2f} &nbsp; "
        f"<b>Reason:</b> {escape(REASON_LABELS.get(escalation.reason, escalation.reason))} &nbsp; "
        f"<b>Agent:</b> {escape(escalation.agent_type)} &nbsp; <b>Session:</b> {escape(escalation.session_id)}</p>"
        f"<h3>Transcript</h3>{turns}"
    )
    return TicketDraft(
        subject=_subject(escalation),
        description_html=description,
        requester_email=escalation.user.get("email", ""),
        requester_name=escalation.user.get("name", ""),
        tags=["switchboard", "ai-escalation", escalation.reason, escalation.agent_type, tag_for(escalation)],
        priority=3 if escalation.reason == "user_request" else 2,
    )


def confirmation_message(escalation: Escalation, ticket_id: str, emailed: bool) -> str:
    """The personal confirmation shown in the chat (the CRM contract)."""
    name, email = first_name(escalation), escalation.user.get("email", "")
    copy = f" and emailed a copy to {email} for your reference" if emailed and email else ""
    return (
        f"Hi {name}, I've created support ticket #{ticket_id} for you{copy}. "
        "A support agent will reach out to you shortly with more details."
    )


def queued_message(escalation: Escalation, will_email: bool) -> str:
    """Shown when the helpdesk is slow and the ticket is made in the background."""
    name, email = first_name(escalation), escalation.user.get("email", "")
    follow = f" and email its number to {email}" if will_email and email else ""
    return f"Hi {name}, I'm creating your support ticket now. I'll let our support team know{follow} as soon as it's ready."


def failed_message(escalation: Escalation) -> str:
    """Shown when the helpdesk kept failing and the ticket was given up on."""
    return (
        f"Hi {first_name(escalation)}, I couldn't create your support ticket: our help desk is not responding. "
        "Please try again in a little while."
    )


def duplicate_message(escalation: Escalation, ticket_id: str) -> str:
    """Shown instead of a second ticket for the same problem."""
    return (
        f"Hi {first_name(escalation)}, you already have support ticket #{ticket_id} open about this, "
        "so I've added this conversation to it instead of opening another. A support agent will reach out to you shortly."
    )


def confirmation_email(escalation: Escalation, ticket_id: str) -> EmailDraft:
    """The confirmation email naming the ticket."""
    name = first_name(escalation)
    subject = f"Support ticket #{ticket_id}: {_subject(escalation).removeprefix('Chat escalation: ')}"
    text = (
        f"Hi {name},\n\nWe've created support ticket #{ticket_id} for your question:\n\n"
        f"  {escalation.query}\n\nA support agent will reach out to you shortly with more details. "
        "Reply to this email if you want to add anything.\n"
    )
    html = (
        f"<p>Hi {escape(name)},</p><p>We've created support ticket <b>#{escape(ticket_id)}</b> for your question:</p>"
        f"<blockquote>{escape(escalation.query)}</blockquote>"
        "<p>A support agent will reach out to you shortly with more details. "
        "Reply to this email if you want to add anything.</p>"
    )
    return EmailDraft(escalation.user.get("email", ""), subject, text, html, escalation.user.get("name", ""))


def card_facts(escalation: Escalation, now: datetime) -> list[tuple[str, str]]:
    """Facts for the Teams card."""
    user = escalation.user
    who = f"{user.get('name', '')} <{user.get('email', '')}>".strip()
    where = " / ".join(v for v in (user.get("agency"), user.get("office"), user.get("company")) if v)
    return [
        ("Customer", who),
        ("Agency / office", where),
        ("Reason", REASON_LABELS.get(escalation.reason, escalation.reason)),
        ("Confidence", f"{escalation.confidence:.2f}"),
        ("Question", escalation.query[:300]),
        ("Time", now.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")),
    ]


def desk_transcript(escalation: Escalation) -> str:
    """The first message of the desk conversation: the AI transcript, readable as plain text."""
    lines = [f"AI conversation (session {escalation.session_id}):", ""]
    for turn in transcript(escalation):
        who = "Customer" if turn.get("role") == "user" else "AI"
        lines.append(f"{who}: {turn.get('content', '')}")
    return "\n".join(lines)


def desk_summary(escalation: Escalation) -> str:
    """The private note for agents: why the AI handed over, and what it had."""
    parts: list[str] = [
        "Escalation summary",
        f"Reason: {REASON_LABELS.get(escalation.reason, escalation.reason)} (confidence {escalation.confidence:.2f}).",
        f"Customer asked: {escalation.query}",
        f"AI replied: {escalation.agent_response}",
    ]
    if escalation.ticket_id:
        parts.append(f"Freshdesk ticket: #{escalation.ticket_id}")
    return "\n".join(parts)


def desk_attributes(escalation: Escalation) -> dict[str, Any]:
    """Custom attributes of the desk conversation (the Chatwoot desk spec)."""
    return {
        "session_id": escalation.session_id,
        "ai_confidence": round(escalation.confidence, 3),
        "escalation_reason": escalation.reason,
    }


def adaptive_card_message(
    title: str, facts: list[tuple[str, str]], text: str = "", actions: list[tuple[str, str]] | None = None
) -> dict[str, Any]:
    """The message payload the Workflows template posts to a channel."""
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": title, "weight": "Bolder", "size": "Medium", "wrap": True}
    ]
    if text:
        body.append({"type": "TextBlock", "text": text, "wrap": True})
    body.append({"type": "FactSet", "facts": [{"title": k, "value": v} for k, v in facts if v]})
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    if actions:
        card["actions"] = [{"type": "Action.OpenUrl", "title": t, "url": u} for t, u in actions if u]
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}
        ],
    }
