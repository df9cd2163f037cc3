"""The admin API's sessions: every channel's conversations of a tenant, newest first, with their
messages (``GET /api/v1/ai/sessions/``, ``GET /api/v1/ai/sessions/{id}/``), and a question sent
into a session opened by ``POST /api/v1/ai/ask/`` (``POST /api/v1/ai/sessions/{id}/send/``).
The contract is in docs/admin.md."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

import flask
from pydantic import BaseModel, ConfigDict, Field

from switchboard.core.models import ConversationInfo, StoredMessage
from switchboard.errors import ConflictError, InvalidInputError, NotFoundError
from switchboard.http import json_response
from switchboard.routing import Route
from switchboard.store.base import TurnStore

LIST_ROUTE = Route(re.compile(r"^/api/v1/ai/sessions/?$"), canonical=lambda p: "/api/v1/ai/sessions/", methods=("GET",))
SESSION_ROUTE = Route(
    re.compile(r"^/api/v1/ai/sessions/(?P<id>[^/]{1,300})/?$"),
    canonical=lambda p: f"/api/v1/ai/sessions/{p['id']}/",
    methods=("GET",),
)
SEND_ROUTE = Route(
    re.compile(r"^/api/v1/ai/sessions/(?P<id>[^/]{1,300})/send/?$"),
    canonical=lambda p: f"/api/v1/ai/sessions/{p['id']}/send/",
    methods=("POST",),
)
#: A conversation id as the channels make them (``{channel}:{key}``, see ``conversation_doc_id``);
#: anything else names no conversation (and would not be a valid document id).
SESSION_ID = re.compile(r"^[a-z_]{1,40}:(?!__)[A-Za-z0-9_.:@+-]{1,200}$")
#: Sessions that ``send`` may write to: those the admin API's ask opened.
ASK_PREFIX = "ask:"
STATUS_OF_OWNER = {"ai": "active", "human": "support_active"}
OWNER_OF_STATUS = {v: k for k, v in STATUS_OF_OWNER.items()}
NOTIFIED = "kommo_notification"


class SessionOut(BaseModel):
    """One conversation of any channel."""

    session_id: str = Field(description="The conversation's id: `{channel}:{key}`")
    channel: str
    customer_id: str
    customer_name: str
    customer_email: str
    status: Literal["active", "support_active"]
    is_active: bool = Field(description="False once the daily job found it idle; a new customer message sets it back")
    language: str | None
    ai_replies: int
    created_at: datetime | None
    updated_at: datetime | None
    last_confidence: float | None
    last_escalation_reason: str | None


class MessageOut(BaseModel):
    id: str
    role: Literal["user", "assistant"]
    sender: Literal["customer", "ai", "staff"] = Field(
        description="staff: a person of the business, seen on the channel"
    )
    content: str
    at: datetime
    confidence: float | None = None
    requires_escalation: bool | None = None
    escalation_reason: str | None = None
    sources: list[str] | None = None
    response_ms: int | None = None


class SessionDetailOut(SessionOut):
    messages: list[MessageOut]
    next_page_token: str | None = Field(description="Pass as page_token for the next messages; null on the last page")


class SessionListOut(BaseModel):
    count: int
    next_page_token: str | None = Field(description="Pass as page_token for the next page; null on the last page")
    results: list[SessionOut]


class SendIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message: str = Field(min_length=1, max_length=4000)


def _page_size(request: flask.Request, default: int, most: int) -> int:
    raw = request.args.get("page_size", str(default))
    if not (raw.isascii() and raw.isdecimal() and 1 <= int(raw) <= most):
        raise InvalidInputError(f"page_size must be a whole number from 1 to {most}")
    return int(raw)


def _token(request: flask.Request) -> str | None:
    token = request.args.get("page_token") or None
    if token is not None and len(token) > 1000:
        raise InvalidInputError("page_token is not one this API returned")
    return token


def known_id(session_id: str) -> str:
    """The id, when it is one a channel could have made.

    Raises:
        NotFoundError: It is not (no conversation has such an id).
    """
    if not SESSION_ID.match(session_id):
        raise NotFoundError(f"No session {session_id[:100]}")
    return session_id


def session_out(info: ConversationInfo) -> SessionOut:
    user = info.user
    return SessionOut(
        session_id=info.key,
        channel=info.channel or info.key.split(":", 1)[0],
        customer_id=str(user.get("user_id") or info.conversation_key or info.key.split(":", 1)[-1]),
        customer_name=str(user.get("name") or ""),
        customer_email=str(user.get("email") or ""),
        status=STATUS_OF_OWNER.get(info.owner, "active"),  # type: ignore[arg-type]
        is_active=not info.inactive,
        language=info.language,
        ai_replies=info.turn_count,
        created_at=info.created_at,
        updated_at=info.updated_at,
        last_confidence=info.last_confidence,
        last_escalation_reason=info.last_escalation_reason,
    )


def _message_out(stored: StoredMessage) -> MessageOut:
    m, meta = stored.message, stored.meta
    sender = "customer" if m.role == "user" else ("staff" if meta.get("source") == NOTIFIED else "ai")
    out: dict[str, Any] = {"id": m.id, "role": m.role, "sender": sender, "content": m.content, "at": m.at}
    if sender == "ai":
        sources = meta.get("sources")
        out.update(
            confidence=meta.get("confidence"),
            requires_escalation=meta.get("requires_escalation"),
            escalation_reason=meta.get("escalation_reason"),
            sources=[str(s) for s in sources] if isinstance(sources, list) else None,
            response_ms=meta.get("response_ms") if isinstance(meta.get("response_ms"), int) else None,
        )
    return MessageOut(**out)


def list_sessions(request: flask.Request, store: TurnStore, tenant_id: str) -> flask.Response:
    """``GET /api/v1/ai/sessions/?status=&channel=&page_size=&page_token=``."""
    status = request.args.get("status")
    if status is not None and status not in OWNER_OF_STATUS:
        raise InvalidInputError("status must be active or support_active")
    channel = request.args.get("channel") or None
    if channel is not None and not re.fullmatch(r"[a-z_]{1,40}", channel):
        raise InvalidInputError("channel must be a channel name such as crm, kommo, chatwoot or ask")
    found, token = store.list_conversations(
        tenant_id,
        limit=_page_size(request, 50, 200),
        cursor=_token(request),
        owner=OWNER_OF_STATUS.get(status or ""),
        channel=channel,
    )
    out = SessionListOut(count=len(found), next_page_token=token, results=[session_out(c) for c in found])
    return json_response(out.model_dump(mode="json"))


def get_session(request: flask.Request, store: TurnStore, tenant_id: str, session_id: str) -> flask.Response:
    """``GET /api/v1/ai/sessions/{id}/?page_size=&page_token=``: the session and its messages, oldest first."""
    info = store.get_conversation(tenant_id, known_id(session_id))
    if info is None:
        raise NotFoundError(f"No session {session_id}")
    messages, after = store.conversation_messages(
        tenant_id, session_id, limit=_page_size(request, 100, 500), cursor=_token(request)
    )
    out = SessionDetailOut(
        **session_out(info).model_dump(), messages=[_message_out(m) for m in messages], next_page_token=after
    )
    return json_response(out.model_dump(mode="json"))


def customer_of_ask_session(store: TurnStore, tenant_id: str, session_id: str) -> str:
    """The customer id of a session the admin API's ask opened.

    Raises:
        NotFoundError: No such session.
        ConflictError: The session belongs to a channel: its messages come from the customer there.
    """
    info = store.get_conversation(tenant_id, known_id(session_id))
    if info is None:
        raise NotFoundError(f"No session {session_id}")
    if not session_id.startswith(ASK_PREFIX):
        raise ConflictError(
            f"Session {session_id} belongs to the {info.channel or 'other'} channel, where the customer writes; "
            "send works on sessions opened by POST /api/v1/ai/ask/"
        )
    return info.conversation_key or session_id.removeprefix(ASK_PREFIX)
