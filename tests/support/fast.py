"""The fast tier's stack: the real composition root and entry points over in-memory ports.

:func:`fast_stack` builds :class:`~switchboard.bootstrap.Services` from settings with the store,
escalations, claims, task queue and every connector replaced by the in-memory implementations of
``tests.support.memory`` and ``tests.support.recorders``, and installs it, so the functions'
``main.py`` (loaded as functions-framework loads them) run unchanged with no emulator and no Java.
Deferred work stays in :class:`RecordingQueue` until :meth:`FastStack.run_tasks` delivers it the
way the tasks function would.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from switchboard import bootstrap
from switchboard.config import Settings
from switchboard.core.chatwoot_bot import BotMessage, Verified, run_bot_message, run_status, run_verified
from switchboard.core.deferred import run_task, sweep
from switchboard.core.kommo_reply import run_kommo_reply
from switchboard.knowledge.articles import article_from_mapping, read_articles
from switchboard.knowledge.importer import import_articles
from switchboard.llm.base import AnswerDraft, AnswerRequest
from switchboard.tasks.auth import SECRET_HEADER
from switchboard.tasks.base import Task
from tests.support.memory import (
    InMemoryBotStates,
    InMemoryClaims,
    InMemoryDeadLetters,
    InMemoryEscalations,
    InMemoryStore,
    MemoryDatabase,
)
from tests.support.recorders import (
    Recorder,
    RecordingAlerts,
    RecordingBot,
    RecordingBotConversations,
    RecordingChatDesk,
    RecordingMailer,
    RecordingQueue,
    RecordingTicketDesk,
)

REPO = Path(__file__).resolve().parents[2]
DEMO_KB = REPO / "examples" / "kb" / "demo.jsonl"
#: What every fast-tier instance runs with unless a test says otherwise.
BASE_SETTINGS = {
    "SWITCHBOARD_ENV": "development",
    "ALLOW_ANONYMOUS": "true",
    "LLM_BACKEND": "extractive",
    "EMBEDDING_BACKEND": "none",
    "LOG_LEVEL": "WARNING",
    "TASKS_TARGET_URL": "http://tasks.invalid",
    "TASKS_SECRET": "fast-tier-task-secret",
}
#: What the local queue adds to every task it delivers (the tasks function refuses others).
TASK_HEADERS = {SECRET_HEADER: BASE_SETTINGS["TASKS_SECRET"]}


class ScriptedLLM(Recorder):
    """An LLM port that answers with the drafts (or raises the errors) it is given, in order;
    with none left it answers by quoting the first passage, citing it."""

    name = "scripted"

    def __init__(self, *replies: AnswerDraft | BaseException) -> None:
        super().__init__()
        self.replies = list(replies)

    def answer(self, request: AnswerRequest) -> AnswerDraft:
        self._record("answer", request)
        if self.replies:
            reply = self.replies.pop(0)
            if isinstance(reply, BaseException):
                raise reply
            return reply
        first = request.passages[0]
        return AnswerDraft(first.text, [first.id], 0.9, request.language, True, provider="scripted", model="scripted")


@dataclass
class FastStack:
    """The installed services and every in-memory part, for arranging and asserting."""

    services: bootstrap.Services
    db: MemoryDatabase
    store: InMemoryStore
    escalations: InMemoryEscalations
    claims: InMemoryClaims
    queue: RecordingQueue
    tickets: RecordingTicketDesk
    mailer: RecordingMailer
    alerts: RecordingAlerts
    desk: RecordingChatDesk
    bot: RecordingBot
    results: list[tuple[str, Any]] = field(default_factory=list)
    bot_states: InMemoryBotStates | None = None
    chatwoot: RecordingBotConversations | None = None

    def seed(self, tenant: str = "default", articles: list[dict[str, Any]] | None = None) -> int:
        """Import articles (default: the demo KB) into ``tenant``; returns the version."""
        parsed = [article_from_mapping(a) for a in articles] if articles is not None else read_articles(DEMO_KB)
        return import_articles(self.store, tenant, parsed, replace=True, embedder=self.services.embedder).version

    def deliver(self, task: Task) -> Any:
        """Run one task the way the tasks function does; returns its result."""
        if task.kind == "kommo-reply":
            return run_kommo_reply(self.services.kommo_reply_deps, task.payload)
        if task.kind == "chatwoot-bot":
            return run_bot_message(self.services.chatwoot_bot_deps, BotMessage(**task.payload))
        if task.kind == "chatwoot-verified":
            return run_verified(self.services.chatwoot_bot_deps, Verified(**task.payload))
        if task.kind == "chatwoot-status":
            p = task.payload
            return run_status(
                self.services.chatwoot_bot_deps, p["tenant"], p["conversation"], p["attempt"], p["change"]
            )
        if task.kind == "sweep":
            return sweep(self.services.escalation_deps, 1000)
        return run_task(self.services.escalation_deps, task.kind, task.payload["tenant"], task.payload["failure_id"])

    def run_tasks(self, limit: int = 50) -> list[tuple[str, Any]]:
        """Deliver queued tasks (and the tasks they queue) until none is left; returns (kind, result)."""
        done: list[tuple[str, Any]] = []
        for _ in range(limit):
            batch = self.queue.take()
            if not batch:
                return done
            for task in batch:
                done.append((task.kind, self.deliver(task)))
        raise AssertionError(f"tasks still queued after {limit} rounds: {self.queue.tasks}")


def fast_stack(llm: Any = None, absent: tuple[str, ...] = (), **settings: str) -> FastStack:
    """Build, install and return a fast-tier stack.

    Args:
        llm: An LLM port (for example :class:`ScriptedLLM`); default: the extractive provider.
        absent: Connectors to leave unconfigured (``ticket_desk``, ``mailer``, ``alerts``,
            ``desk``, ``kommo_bot``, ``chatwoot_bot``, ``queue``): the services see None, as with no
            settings.
        settings: Settings by environment variable name.
    """
    db = MemoryDatabase()
    parts: dict[str, Any] = {
        "store": InMemoryStore(db),
        "escalations": InMemoryEscalations(db),
        "claims": InMemoryClaims(db),
        "queue": RecordingQueue(),
        "ticket_desk": RecordingTicketDesk(),
        "mailer": RecordingMailer(),
        "alerts": RecordingAlerts(),
        "desk": RecordingChatDesk(),
        "kommo_bot": RecordingBot(),
        "dead_letters": InMemoryDeadLetters(db),
        "bot_states": InMemoryBotStates(db),
        "chatwoot_bot": RecordingBotConversations(),
    }
    overrides = {name: None if name in absent else part for name, part in parts.items()}
    if llm is not None:
        overrides["llm"] = llm
    services = bootstrap.Services(Settings.model_validate({**BASE_SETTINGS, **settings}), **overrides)
    bootstrap.install(services)
    return FastStack(
        services,
        db,
        parts["store"],
        parts["escalations"],
        parts["claims"],
        parts["queue"],
        parts["ticket_desk"],
        parts["mailer"],
        parts["alerts"],
        parts["desk"],
        parts["kommo_bot"],
        bot_states=parts["bot_states"],
        chatwoot=parts["chatwoot_bot"],
    )
