"""In-memory implementations of our outbound ports (task queue, ticket desk, mailer, alerts, chat
desk, bot channel) that record what they are asked and can be told to fail.

They stand for our own ports, not for a vendor: the vendors' wire protocols are exercised by the
real httpx connectors against loopback stand-ins (``switchboard.devtools.standins``) and the task
queue by the Cloud Tasks emulator. A failure is queued with :meth:`Recorder.fail_next`.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from switchboard.helpdesk.base import (
    ContactDraft,
    DeskContact,
    DeskConversation,
    EmailDraft,
    TicketDraft,
    TicketRef,
)
from switchboard.tasks.base import Task


@dataclass
class Recorder:
    """Calls in order, and failures to raise on the next calls."""

    calls: list[tuple[str, Any]] = field(default_factory=list)
    failures: list[BaseException] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(self, *errors: BaseException) -> None:
        """Raise these (one per call, in order) before doing anything."""
        self.failures.extend(errors)

    def _record(self, name: str, value: Any) -> None:
        with self.lock:
            if self.failures:
                raise self.failures.pop(0)
            self.calls.append((name, value))

    def called(self, name: str) -> list[Any]:
        """The arguments of every successful call of ``name``."""
        return [value for n, value in self.calls if n == name]


class RecordingQueue(Recorder):
    """A task queue that keeps tasks instead of delivering them; a name seen before is accepted
    and dropped, as Cloud Tasks does with named tasks."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enqueue(self, task: Task) -> None:
        with self.lock:
            if self.failures:
                raise self.failures.pop(0)
            if task.task_id in self.names:
                return
            self.names.add(task.task_id)
            self.calls.append(("enqueue", task))

    @property
    def tasks(self) -> list[Task]:
        """Every task accepted, in order."""
        return self.called("enqueue")

    def take(self) -> list[Task]:
        """Remove and return the tasks accepted so far (names stay reserved)."""
        with self.lock:
            taken = [value for n, value in self.calls if n == "enqueue"]
            self.calls = [(n, v) for n, v in self.calls if n != "enqueue"]
        return taken


class RecordingTicketDesk(Recorder):
    """Opens numbered tickets and finds them again by requester and tag."""

    def __init__(self, first_id: int = 1000) -> None:
        super().__init__()
        self._ids = itertools.count(first_id)
        self.tickets: dict[str, TicketDraft] = {}

    def create_ticket(self, draft: TicketDraft) -> TicketRef:
        self._record("create_ticket", draft)
        ticket_id = str(next(self._ids))
        self.tickets[ticket_id] = draft
        return TicketRef(ticket_id, f"https://desk.example/tickets/{ticket_id}")

    def find_ticket(self, requester_email: str, tag: str, since: datetime) -> TicketRef | None:
        self._record("find_ticket", (requester_email, tag))
        for ticket_id, draft in self.tickets.items():
            if draft.requester_email == requester_email and tag in draft.tags:
                return TicketRef(ticket_id, f"https://desk.example/tickets/{ticket_id}")
        return None


class RecordingMailer(Recorder):
    """Keeps every email sent."""

    def send(self, email: EmailDraft) -> None:
        self._record("send", email)


class RecordingAlerts(Recorder):
    """Keeps every card posted."""

    def post(self, card: dict[str, Any]) -> None:
        self._record("post", card)


class RecordingChatDesk(Recorder):
    """A chat desk with numbered contacts and conversations."""

    def __init__(self) -> None:
        super().__init__()
        self._ids = itertools.count(1)
        self.contacts: dict[str, DeskContact] = {}

    def upsert_contact(self, draft: ContactDraft) -> DeskContact:
        self._record("upsert_contact", draft)
        if draft.identifier not in self.contacts:
            self.contacts[draft.identifier] = DeskContact(next(self._ids), f"src-{draft.identifier}")
        return self.contacts[draft.identifier]

    def open_conversation(
        self, contact: DeskContact, first_message: str, attributes: dict[str, Any]
    ) -> DeskConversation:
        self._record("open_conversation", (contact, first_message, attributes))
        conversation_id = next(self._ids)
        return DeskConversation(conversation_id, f"https://chat.example/conversations/{conversation_id}")

    def add_private_note(self, conversation_id: int, text: str) -> None:
        self._record("add_private_note", (conversation_id, text))

    def set_status(self, conversation_id: int, status: str) -> None:
        self._record("set_status", (conversation_id, status))


class RecordingBot(Recorder):
    """A Salesbot waiting at return URLs: keeps every continue body."""

    def continue_bot(self, return_url: str, body: dict[str, Any]) -> int:
        self._record("continue_bot", (return_url, body))
        return 202


class RecordingBotConversations(Recorder):
    """Chatwoot as the agent bot: keeps every message, status change and attribute update."""

    def post_message(self, conversation_id: int, text: str) -> None:
        self._record("post_message", (conversation_id, text))

    def set_status(self, conversation_id: int, status: str) -> None:
        self._record("set_status", (conversation_id, status))

    def set_attributes(self, conversation_id: int, attributes: dict[str, Any]) -> None:
        self._record("set_attributes", (conversation_id, attributes))

    def conversation_url(self, conversation_id: int) -> str:
        return f"https://chatwoot.example/app/accounts/1/conversations/{conversation_id}"
