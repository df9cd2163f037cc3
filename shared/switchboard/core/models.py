"""The shared domain vocabulary: Tenant, Conversation, Message, Turn, Escalation reason codes.

Plain dataclasses; no cloud SDK, no HTTP. Channels build an :class:`InboundMessage`, the turn
use case answers it with a :class:`TurnResult`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

Role = Literal["user", "assistant"]
Owner = Literal["ai", "human"]

#: Reason codes shared by every channel.
ESCALATION_REASONS = (
    "low_confidence",
    "no_results",
    "user_request",
    "ai_error",
    "time_exceeded",
    "duplicate_problem",
    "outside_hours",
)


@dataclass(frozen=True)
class PromptParts:
    """A tenant's prompt parts (the tenant-settings spec: manual prompt, knowledge source, product/service, Q&A)."""

    manual_prompt: str = ""
    knowledge_source: str = ""
    product_service: str = ""
    question_answer: str = ""


@dataclass(frozen=True)
class TenantSettings:
    """Per-tenant AI settings; ``None`` means "use the deployment default"."""

    prompts: PromptParts = field(default_factory=PromptParts)
    model: str | None = None
    temperature: float | None = None
    max_output_tokens: int | None = None
    escalation_threshold: float | None = None
    kommo: dict[str, Any] = field(default_factory=dict)
    #: Whether the AI answers at all (off: every conversation is left to people).
    auto_response: bool = True
    #: Who a new conversation starts with: ``AI`` or ``Manual`` (people).
    default_handler: str = "AI"
    #: The Chatwoot agent bot: ``language`` (its default, ``en`` or ``mn``) and ``texts``
    #: (``{message key: {language: text}}``) replacing its fixed messages.
    bot: dict[str, Any] = field(default_factory=dict)
    #: Business hours (see :mod:`switchboard.core.hours`); empty: always open.
    hours: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Tenant:
    """A business using Switchboard.

    Attributes:
        id: Tenant id (document id).
        name: Display name.
        settings: AI settings.
        kb_version: Bumped on every knowledge-base import so caches know to reload.
    """

    id: str
    name: str = ""
    settings: TenantSettings = field(default_factory=TenantSettings)
    kb_version: int = 0


@dataclass(frozen=True)
class UserInfo:
    """Who is writing: an end user of the tenant (the CRM contract ``user_info``)."""

    user_id: str
    email: str = ""
    name: str = ""
    agency: str = ""
    office: str = ""
    phone: str | None = None
    company: str | None = None
    division: str | None = None
    user_type: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The user as a plain mapping, without empty optional fields."""
        data = {
            "user_id": self.user_id,
            "email": self.email,
            "name": self.name,
            "agency": self.agency,
            "office": self.office,
            "phone": self.phone,
            "company": self.company,
            "division": self.division,
            "user_type": self.user_type,
        }
        return {k: v for k, v in data.items() if v is not None}


@dataclass(frozen=True)
class InboundMessage:
    """One customer message, parsed and verified by a channel adapter.

    Attributes:
        tenant_id: The tenant it belongs to.
        channel: ``crm``, ``kommo``, ``chatwoot``, ``cli`` ...
        conversation_key: Stable key of the conversation within the tenant and channel.
        user: The end user.
        text: The message text.
        agent_type: For the CRM channel, ``customer``, ``support`` or ``test``.
        human_takes_over: The channel's bot hands over in place (the AI goes silent on handoff).
        idempotency_key: The caller's key for this request: the same key in the same
            conversation gets the stored answer again instead of a second turn.
    """

    tenant_id: str
    channel: str
    conversation_key: str
    user: UserInfo
    text: str
    agent_type: str = "customer"
    human_takes_over: bool = False
    idempotency_key: str = ""


@dataclass(frozen=True)
class Message:
    """One stored message of a conversation.

    Attributes:
        replay: On the reply to a request sent with an idempotency key, what answering that
            request again needs (confidence, escalation, sources, language); else None.
    """

    id: str
    role: Role
    content: str
    at: datetime
    replay: dict[str, Any] | None = None


@dataclass(frozen=True)
class ConversationInfo:
    """A stored conversation as the back office lists it (no messages).

    Attributes:
        key: Document id (``{channel}:{key}``): the session id of the admin API.
        inactive: Marked by the daily job after the idle time; a new customer message clears it.
    """

    key: str
    channel: str
    owner: str
    conversation_key: str = ""
    user: dict[str, Any] = field(default_factory=dict)
    language: str | None = None
    turn_count: int = 0
    created_at: datetime | None = None
    updated_at: datetime | None = None
    owner_changed_at: datetime | None = None
    last_confidence: float | None = None
    last_escalation_reason: str | None = None
    inactive: bool = False


@dataclass(frozen=True)
class StoredMessage:
    """One message of a conversation's full history, with what was recorded beside it."""

    message: Message
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class Conversation:
    """A conversation as loaded for one turn.

    Attributes:
        key: Conversation key (document id within the tenant).
        exists: False for a conversation not stored yet.
        owner: ``ai`` or ``human``.
        recent: The last few messages, oldest first (enough for the prompt).
        turn_count: Answers given so far.
        context_reset_at: When a person handed the conversation back to the AI with a fresh
            context (its time limit restarts there).
        version: Opaque store token for optimistic concurrency.
        stored: The conversation's other stored fields as loaded, so a save writes only what changed.
    """

    key: str
    exists: bool = False
    owner: Owner = "ai"
    channel: str = ""
    language: str | None = None
    created_at: datetime | None = None
    recent: list[Message] = field(default_factory=list)
    turn_count: int = 0
    time_escalated: bool = False
    context_reset_at: datetime | None = None
    open_problems: list[OpenProblem] = field(default_factory=list)
    version: Any = None
    stored: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk of a knowledge-base article, with its retrieval score."""

    id: str
    article_id: str
    title: str
    text: str
    entry_type: str
    url: str | None
    score: float
    coverage: float
    lexical: float = 0.0
    dense: float | None = None


@dataclass(frozen=True)
class Source:
    """A cited article as the chat contract shows it."""

    title: str
    confidence: float
    entry_type: str
    entry_id: str
    url: str | None = None


@dataclass
class TurnResult:
    """What one turn produced.

    Attributes:
        reply: Text for the customer ("" when ``silent``).
        confidence: ``classification_confidence`` in 0..1.
        requires_escalation: Whether a human should take over.
        escalation_reason: One of :data:`ESCALATION_REASONS` when escalating; on a silent
            result, why the AI may not answer when that is not simply that people own it
            (``outside_hours``).
        sources: Articles the reply was grounded on.
        silent: True when a human owns the conversation and the AI says nothing.
        language: Detected language of the customer, as an ISO 639-1 code.
        debug: Timings, scores and token usage (shown by the ``test`` agent only).
    """

    reply: str
    confidence: float
    requires_escalation: bool
    escalation_reason: str | None = None
    sources: list[Source] = field(default_factory=list)
    silent: bool = False
    language: str = "en"
    at: datetime | None = None
    debug: dict[str, Any] = field(default_factory=dict)


EscalationStatus = Literal["open", "ticket_queued", "ticketed", "ticket_failed", "declined", "resolved"]
#: Statuses in which an escalation still waits for a human.
OPEN_STATUSES = ("open", "ticket_queued", "ticketed")


@dataclass
class Escalation:
    """A conversation handed (or offered) to humans: the CRM contract's "agent failure".

    Attributes:
        id: The failure id the CRM stores.
        status: Where it stands (see :data:`EscalationStatus`).
        reason: One of :data:`ESCALATION_REASONS`.
        user: The end user (agent_id, email, name, agency, office, company, division, phone).
        ticket_id: Freshdesk ticket id once created (or the existing ticket of a duplicate).
        history: Transcript sent with create-ticket (role, content, timestamp).
        problem_terms: Key terms of the question, to spot duplicate problems.
        desk: Chat-desk (Chatwoot) state: contact_id, conversation_id, agent_joined_at, resolved_at.
        pending: Deferred work still to do, by kind (``email``, ``teams``, ``chatwoot``).
    """

    id: str
    tenant_id: str
    status: EscalationStatus
    reason: str
    session_id: str
    query: str
    agent_response: str
    confidence: float
    agent_type: str
    user: dict[str, str]
    created_at: datetime
    channel: str = "crm"
    ticket_id: str | None = None
    ticket_url: str | None = None
    duplicate_of: str | None = None
    history: list[dict[str, str]] = field(default_factory=list)
    problem_terms: list[str] = field(default_factory=list)
    desk: dict[str, Any] = field(default_factory=dict)
    pending: list[str] = field(default_factory=list)
    version: Any = None

    @property
    def agent_id(self) -> str:
        """The end user's id."""
        return self.user.get("agent_id", "")

    @property
    def conversation_key(self) -> str:
        """The conversation's key within the channel (CRM: ``{agent_id}:{session_id}``)."""
        return f"{self.agent_id}:{self.session_id}"


@dataclass(frozen=True)
class OpenProblem:
    """An open escalation as the chat turn sees it (for duplicate detection)."""

    escalation_id: str
    ticket_id: str | None
    terms: tuple[str, ...]
