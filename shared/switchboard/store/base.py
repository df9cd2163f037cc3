"""The store port: what a turn, an import and the CLI need from persistence.

Firestore is the only adapter (Google's emulator in development and tests). The hot path of a
chat turn is :meth:`TurnStore.begin_turn` (conversation read and rate-limit increment, issued
concurrently) and :meth:`TurnStore.save_turn` (one batched commit): three round trips, two of
them in parallel.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from switchboard.config import RateLimit
from switchboard.core.models import Conversation, ConversationInfo, Escalation, Message, StoredMessage, Tenant
from switchboard.knowledge.articles import Article, Chunk, KbRelease


@dataclass(frozen=True)
class RateDecision:
    """The outcome of counting one answer against the user's window.

    Attributes:
        allowed: Whether this answer fits in the window.
        count: The answer's position in the window (1-based), counting refused attempts too.
        reset_in_seconds: Seconds until the window resets.
    """

    allowed: bool
    count: int
    reset_in_seconds: int


ClaimState = Literal["acquired", "done", "busy"]


@dataclass(frozen=True)
class Claim:
    """The outcome of trying to claim a unit of work.

    Attributes:
        state: ``acquired`` (do the work), ``done`` (already done), ``busy`` (someone else is on it).
        attempts: How many times the work has been claimed, this time included.
        result: What an earlier holder computed and saved before its side effect failed.
        outcome: For ``done``: how the work ended (``done``, ``sent``, ``failed`` ...).
    """

    state: ClaimState
    attempts: int = 0
    result: dict[str, Any] | None = None
    outcome: str = ""


class Claims(Protocol):
    """The claim primitive: claim / save_result / finish / release, per tenant and key.

    Deferred work (tickets, emails, alerts, desk sync, Kommo replies) claims its key before doing
    anything, so work delivered twice is done once, and a holder that crashed is taken over when
    its lease runs out.
    """

    def claim(self, tenant_id: str, key: str, lease: timedelta) -> Claim:
        """Claim ``key`` for ``lease`` (atomic): ``acquired``, ``done`` or ``busy``."""
        ...

    def save_result(self, tenant_id: str, key: str, result: dict[str, Any]) -> None:
        """Keep what the work computed before its side effect (a retry re-sends it)."""
        ...

    def finish(self, tenant_id: str, key: str, outcome: str = "done") -> None:
        """Mark claimed work done; later claims answer ``done``."""
        ...

    def release(self, tenant_id: str, key: str) -> None:
        """Give a claim back after a failure, keeping its attempts and result."""
        ...


@dataclass
class TurnRecord:
    """What one turn writes.

    Attributes:
        user_message: The customer's message (always stored: a message is never dropped).
        reply: The AI's reply, or None when the AI stayed silent.
        conversation_fields: Fields to set on the conversation document.
        reply_meta: Extra fields stored on the reply (confidence, sources ...).
        usage: This turn's usage (LLM calls, tokens, escalations), stored on the reply for the rollup.
        counters: Added to the tenant's daily usage counters in the same commit (replies, LLM
            calls, tokens, escalations by reason).
    """

    user_message: Message
    reply: Message | None
    conversation_fields: dict[str, Any] = field(default_factory=dict)
    reply_meta: dict[str, Any] = field(default_factory=dict)
    usage: dict[str, int] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)


class TurnStore(Protocol):
    """Persistence for conversations, rate limits, usage, tenants and the knowledge base."""

    def get_tenant(self, tenant_id: str) -> Tenant | None:
        """Load a tenant, or None when it does not exist."""
        ...

    def tenant_for_key(self, key_hash: str, kind: str = "api") -> str | None:
        """The tenant id a key of ``kind`` (by its SHA-256 hex digest) belongs to: ``api`` keys
        authenticate the CRM, ``kommo`` keys name the tenant of a Kommo webhook URL."""
        ...

    def begin_turn(
        self, tenant_id: str, conversation_key: str, user_id: str, rate: RateLimit, now: datetime, channel: str = ""
    ) -> tuple[Conversation, RateDecision]:
        """Load the conversation and count one answer against the user's rate window (and the
        tenant's daily request counters)."""
        ...

    def save_turn(self, tenant_id: str, conversation: Conversation, record: TurnRecord, now: datetime) -> None:
        """Write the turn in one atomic commit (retrying on a concurrent update)."""
        ...

    def load_kb_meta(self, tenant_id: str, kb_version: int) -> dict[str, Any] | None:
        """The stored meta of one knowledge-base version (counts, profile, the packed index's
        meta), or None when the version does not exist."""
        ...

    def load_kb_blobs(self, tenant_id: str, kb_version: int, names: Sequence[str]) -> dict[str, bytes]:
        """Blobs of one version's packed index by name, in one read; missing ones are left out."""
        ...

    def get_chunks(
        self, tenant_id: str, keys: Sequence[str], vectors: bool = False
    ) -> dict[str, tuple[Chunk | None, Any]]:
        """Chunks by key as ``(chunk, None)``, or with ``vectors`` as ``(None, float32 vector)``;
        missing ones (and, with ``vectors``, ones without a vector) are left out."""
        ...

    def nearest_chunks(self, tenant_id: str, vector: Sequence[float], limit: int) -> list[tuple[str, Any]]:
        """The tenant's ``limit`` stored chunks nearest to ``vector`` by cosine, nearest first,
        as ``(key, float32 vector)``. Chunks of any version are searched."""
        ...

    def knowledge_keys(self, tenant_id: str) -> tuple[set[str], set[str]]:
        """The keys of every chunk and every article stored for the tenant (any version)."""
        ...

    def chunk_vectors(self, tenant_id: str, keys: Sequence[str]) -> dict[str, Any]:
        """Stored vectors (float32 arrays) by chunk key; chunks without one are left out."""
        ...

    def list_articles(self, tenant_id: str) -> list[Article]:
        """Every article of the tenant's current knowledge base, in id order."""
        ...

    def lock_imports(self, tenant_id: str, owner: str, lease: timedelta) -> None:
        """Take or renew the tenant's import lease for ``owner`` (imports of one knowledge base
        run one at a time).
        Raises:
            ConflictError: When another owner holds it and it has not expired.
        """
        ...

    def unlock_imports(self, tenant_id: str, owner: str) -> None:
        """Give ``owner``'s import lease back."""
        ...

    def publish_knowledge(self, tenant_id: str, release: KbRelease, progress: Any = None) -> int:
        """Write what ``release`` adds (chunks and articles not stored yet, the index blobs, the
        meta), switch the tenant to the new version, then delete what nothing refers to any
        more; returns the version. ``progress(done, total)`` follows the writes.
        Raises:
            ConflictError: When another import published since (or the release's lease was
                lost), or the tenant now points at another version.
        """
        ...

    def save_tenant(self, tenant: Tenant) -> None:
        """Create or update a tenant's name and settings."""
        ...

    def add_api_key(self, key_hash: str, tenant_id: str, kind: str = "api") -> None:
        """Register a key of ``kind`` (by digest) for a tenant; an existing digest raises ConflictError."""
        ...

    def revoke_keys(self, tenant_id: str, kind: str) -> int:
        """Delete every key of ``kind`` a tenant has (the next lookup of each fails); returns how many."""
        ...

    def append_message(
        self,
        tenant_id: str,
        conversation_key: str,
        message: Message,
        fields: dict[str, Any],
        meta: dict[str, Any],
        *,
        in_context: bool = True,
    ) -> bool:
        """Store a message that arrived outside a turn (a channel notification); False if seen before.
        ``in_context=False`` keeps it in the history only, out of the context later turns send the model."""
        ...

    def daily_usage(self, tenant_id: str, day: str) -> dict[str, int]:
        """A day's usage counters (requests, per channel, feedback)."""
        ...

    def usage_between(self, tenant_id: str, first_day: str, last_day: str) -> dict[str, dict[str, int]]:
        """Usage counters per day (``YYYY-MM-DD``) from ``first_day`` to ``last_day``; days without
        any are left out."""
        ...

    def conversation_owner(self, tenant_id: str, conversation_key: str) -> str:
        """``ai`` or ``human``: who owns the conversation now."""
        ...

    def find_conversation(self, tenant_id: str, conversation_key: str) -> tuple[str, str] | None:
        """``(owner, channel)`` of a stored conversation, or None when there is none."""
        ...

    def list_conversations(
        self,
        tenant_id: str,
        *,
        limit: int,
        cursor: str | None = None,
        owner: str | None = None,
        channel: str | None = None,
    ) -> tuple[list[ConversationInfo], str | None]:
        """One page of conversations, most recently active first, and the next page's token
        (None on the last page). A token this store did not make raises InvalidInputError."""
        ...

    def get_conversation(self, tenant_id: str, conversation_key: str) -> ConversationInfo | None:
        """One conversation's summary, or None."""
        ...

    def conversation_messages(
        self, tenant_id: str, conversation_key: str, *, limit: int, cursor: str | None = None
    ) -> tuple[list[StoredMessage], str | None]:
        """Up to ``limit`` messages, oldest first (by time, then id), and the next page's token
        (None on the last page). A token this store did not make raises InvalidInputError."""
        ...

    def conversations_active_since(self, tenant_id: str, since: datetime) -> Iterable[ConversationInfo]:
        """Every conversation written to at or after ``since``."""
        ...

    def mark_inactive(self, tenant_id: str, idle_since: datetime) -> int:
        """Mark the active conversations with nothing written since ``idle_since`` inactive
        (unless one is written to meanwhile); returns how many were marked."""
        ...

    def conversation_counts(self, tenant_id: str) -> dict[tuple[str, str], int]:
        """How many conversations each ``(owner, channel)`` pair has."""
        ...

    def save_rollup(self, tenant_id: str, day: str, rollup: dict[str, Any]) -> None:
        """Write one day's analytics rollup, replacing any earlier one."""
        ...

    def rollups_between(self, tenant_id: str, first_day: str, last_day: str) -> dict[str, dict[str, Any]]:
        """The stored rollups from ``first_day`` to ``last_day``, by day."""
        ...

    def list_tenants(self) -> list[str]:
        """Every tenant's id."""
        ...

    def ping(self, timeout: float) -> None:
        """One cheap read, for health checks; raises StoreError when the store is down."""
        ...


class EscalationStore(Protocol):
    """Escalations, desk links, webhook deliveries and feedback."""

    def create(self, escalation: Escalation) -> None:
        """Store a new escalation and list it among the user's open problems."""
        ...

    def get(self, tenant_id: str, escalation_id: str) -> Escalation | None:
        """Load one escalation."""
        ...

    def update(
        self,
        escalation: Escalation,
        fields: dict[str, Any],
        *,
        guarded: bool = False,
        open_problem: dict[str, Any] | None = None,
        close_problem: bool = False,
        pending_add: Sequence[str] = (),
        pending_remove: Sequence[str] = (),
    ) -> None:
        """Update fields; ``guarded`` raises ConflictError if it changed since loaded.

        ``pending_remove`` then ``pending_add`` change the ``pending`` list atomically in the
        store, whatever this copy says: two workers finishing different kinds of work at once
        never write back each other's stale list."""
        ...

    def ticketed_for_user(self, tenant_id: str, agent_id: str, exclude: str) -> list[Escalation]:
        """The user's other open escalations that hold a ticket, newest first."""
        ...

    def with_pending(self, tenant_id: str, kind: str, older_than: datetime, limit: int = 200) -> list[Escalation]:
        """Escalations with pending work of ``kind``, untouched since ``older_than``."""
        ...

    def tickets_between(self, tenant_id: str, start: datetime, end: datetime) -> int:
        """How many tickets were created (not adopted duplicates) from ``start`` up to ``end``."""
        ...

    def tenants_with_pending(self) -> list[str]:
        """Tenant ids to sweep."""
        ...

    def link_desk_conversation(self, account_id: int, conversation_id: int, tenant_id: str, escalation_id: str) -> None:
        """Remember which escalation a desk conversation belongs to."""
        ...

    def desk_link(self, account_id: int, conversation_id: int) -> tuple[str, str] | None:
        """``(tenant_id, escalation_id)`` of a desk conversation, if it is ours."""
        ...

    def first_delivery(self, delivery_id: str) -> bool:
        """True the first time a webhook delivery id is seen."""
        ...

    def forget_delivery(self, delivery_id: str) -> None:
        """Undo first_delivery after a failed handling."""
        ...

    def set_conversation_owner(
        self, tenant_id: str, conversation_doc_id: str, owner: str, *, reset_context: bool = False
    ) -> None:
        """Hand a conversation to a human or back to the AI."""
        ...

    def record_feedback(self, tenant_id: str, message_id: str, data: dict[str, Any], helpful: bool) -> None:
        """Store one rating; a second one raises ConflictError."""
        ...


@dataclass(frozen=True)
class DeadLetter:
    """A task given up on: what it was, about what, and why (never a message body).

    Attributes:
        task: The task's name (as the queue delivered it), or kind and subject.
        kind: One of the task kinds.
        tenant_id: Whose work it was ("" when the body named no valid tenant).
        subject: What it was about: a failure id, or the digest of a Kommo ``return_url``.
        error: The exception's type and message.
        attempts: Deliveries made, this one included.
        at: When it was given up.
    """

    task: str
    kind: str
    tenant_id: str
    subject: str
    error: str
    attempts: int
    at: datetime


class DeadLetters(Protocol):
    """Where tasks that will never succeed are recorded, so a person can look at them."""

    def record(self, letter: DeadLetter) -> None:
        """Store (or overwrite) the letter of one task."""
        ...

    def recent(self, tenant_id: str | None = None, limit: int = 50) -> list[DeadLetter]:
        """The newest letters first, of one tenant or of all."""
        ...


class BotStates(Protocol):
    """Small per-contact and per-conversation state of the Chatwoot agent bot (email
    verification, AI failures in a row), as documents of plain fields."""

    def get(self, tenant_id: str, key: str) -> dict[str, Any]:
        """The fields stored under ``key`` ({} when none)."""
        ...

    def merge(self, tenant_id: str, key: str, fields: dict[str, Any]) -> None:
        """Set these fields (others are kept); creates the document if needed."""
        ...


# --- Chatwoot single sign-on: which Chatwoot user each tenant's dashboard user is -----------------


@dataclass(frozen=True)
class SupportUser:
    """A tenant's dashboard user and the Chatwoot user made for them (``GET /api/support/sso``).

    Attributes:
        email: The address, lower-case: with the tenant, the key.
        name: The name the Chatwoot user was made with.
        chatwoot_user_id: The Chatwoot user's id.
        agent_added: Whether the user was added to the desk's account as an agent; False while a
            failed addition waits to be tried again (the next sign-in does it before its link).
        created_at: When the mapping was stored (set by the store).
        updated_at: When it last changed (set by the store).
    """

    email: str
    name: str
    chatwoot_user_id: int
    agent_added: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None


class SupportUsers(Protocol):
    """The Chatwoot user of each dashboard user, per tenant, keyed by the lower-cased email."""

    def get(self, tenant_id: str, email: str) -> SupportUser | None:
        """The stored mapping, or None."""
        ...

    def create(self, tenant_id: str, user: SupportUser) -> bool:
        """Store the mapping unless there is one (atomically); False when another call stored one first."""
        ...

    def set_agent_added(self, tenant_id: str, email: str, chatwoot_user_id: int) -> None:
        """Record that the user is an agent now, if the mapping still names that Chatwoot user."""
        ...

    def forget(self, tenant_id: str, email: str, chatwoot_user_id: int) -> None:
        """Delete the mapping if it still names that Chatwoot user (Chatwoot deleted the user)."""
        ...
