"""The TaskQueue port: deferred work delivered as HTTP POSTs to the private tasks function.

Task names are deterministic (kind, key, attempt), so enqueueing the same work twice is a
no-op on Cloud Tasks for about an hour. That is only a first line of defence: the emulator does
not deduplicate at all, so every handler also claims its work in Firestore before doing it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Protocol

#: The kinds of task the tasks function serves, as path segments of /tasks/{kind}.
TASK_KINDS = (
    "create-ticket",
    "send-email",
    "teams-alert",
    "chatwoot-sync",
    "chatwoot-close",
    "sweep",
    "kommo-reply",
    "chatwoot-bot",
    "chatwoot-verified",
    "chatwoot-status",
)


@dataclass(frozen=True)
class Task:
    """One unit of deferred work.

    Attributes:
        kind: One of :data:`TASK_KINDS`.
        key: What the work is about (for example ``tenant/failure-id``); names the task.
        payload: JSON body the handler receives.
        attempt: Reschedule count; part of the name so a later attempt is a new task.
        delay_seconds: Run no earlier than this many seconds from now.
    """

    kind: str
    key: str
    payload: dict[str, Any] = field(default_factory=dict)
    attempt: int = 0
    delay_seconds: float = 0.0

    @property
    def task_id(self) -> str:
        """A hashed, non-sequential id ([A-Za-z0-9_-], as Cloud Tasks requires)."""
        digest = hashlib.sha256(f"{self.kind}:{self.key}".encode()).hexdigest()[:40]
        return f"{self.kind}-{digest}-{self.attempt}"


class TaskQueue(Protocol):
    """Enqueues tasks; a task whose name already exists is silently accepted."""

    def enqueue(self, task: Task) -> None:
        """Schedule ``task``.

        Raises:
            UpstreamUnavailableError: The queue could not be reached.
        """
        ...
