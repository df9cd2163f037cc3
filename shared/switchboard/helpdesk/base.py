"""Ports and value types of the human side: ticket desks, mailers, alert sinks, chat desks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class TicketDraft:
    """A ticket to open for a customer."""

    subject: str
    description_html: str
    requester_email: str
    requester_name: str
    tags: Sequence[str] = ()
    priority: int = 2  # Freshdesk: 1 low, 2 medium, 3 high, 4 urgent
    status: int = 2  # Freshdesk: 2 open
    source: int = 7  # Freshdesk: 7 chat


@dataclass(frozen=True)
class TicketRef:
    """A ticket that exists."""

    id: str
    url: str | None = None


class TicketDesk(Protocol):
    """Creates tickets (Freshdesk)."""

    def create_ticket(self, draft: TicketDraft) -> TicketRef:
        """Open a ticket. Raises UpstreamUnavailableError (retry) or UpstreamError (do not)."""
        ...

    def find_ticket(self, requester_email: str, tag: str, since: datetime) -> TicketRef | None:
        """A ticket of this requester carrying ``tag`` updated since ``since``, if any."""
        ...


@dataclass(frozen=True)
class EmailDraft:
    """An email with plain-text and HTML bodies."""

    to: str
    subject: str
    text: str
    html: str
    to_name: str = ""


class Mailer(Protocol):
    """Sends email (SMTP or Amazon SES)."""

    def send(self, email: EmailDraft) -> None:
        """Send one email. Raises UpstreamUnavailableError (retry) or UpstreamError (do not)."""
        ...


class AlertSink(Protocol):
    """Posts an alert card to a team channel (Microsoft Teams Workflows)."""

    def post(self, card: dict[str, Any]) -> None:
        """Post one Adaptive Card payload."""
        ...


@dataclass(frozen=True)
class DeskContact:
    """A contact in the chat desk with its source id in our inbox."""

    id: int
    source_id: str


@dataclass(frozen=True)
class DeskConversation:
    """A conversation in the chat desk (its display id)."""

    id: int
    url: str | None = None


@dataclass
class ContactDraft:
    """Who the contact is."""

    identifier: str
    name: str
    email: str
    phone: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)


class ChatDesk(Protocol):
    """A human desk organised in conversations (Chatwoot)."""

    def upsert_contact(self, draft: ContactDraft) -> DeskContact:
        """Create the contact, or update the one with the same identifier."""
        ...

    def open_conversation(
        self, contact: DeskContact, first_message: str, attributes: dict[str, Any]
    ) -> DeskConversation:
        """Open a conversation in our inbox with ``first_message`` and custom attributes."""
        ...

    def add_private_note(self, conversation_id: int, text: str) -> None:
        """Add a note only agents see."""
        ...

    def set_status(self, conversation_id: int, status: str) -> None:
        """Set ``open``, ``pending`` or ``resolved``."""
        ...


class BotChannel(Protocol):
    """Continues a chatbot that waits for our answer (Kommo's Salesbot ``return_url``)."""

    def continue_bot(self, return_url: str, body: dict[str, Any]) -> int:
        """POST the continue body; returns the HTTP status.

        Raises:
            UpstreamUnavailableError: Slow or failing (5xx, 429, timeout): retry later.
            UpstreamError: Refused (4xx): retrying cannot help.
        """
        ...


class BotConversations(Protocol):
    """What a Chatwoot agent bot may do in a conversation with its own token."""

    def post_message(self, conversation_id: int, text: str) -> None:
        """Reply in the conversation as the bot (``message_type: outgoing``)."""
        ...

    def set_status(self, conversation_id: int, status: str) -> None:
        """``open`` hands the conversation to people; ``pending`` gives it back to the bot."""
        ...

    def set_attributes(self, conversation_id: int, attributes: dict[str, Any]) -> None:
        """Set conversation custom attributes."""
        ...

    def conversation_url(self, conversation_id: int) -> str:
        """The agent-facing URL of a conversation."""
        ...
