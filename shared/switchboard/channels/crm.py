"""The CRM chat channel: the CRM contract for ``POST /api/agent/{agent_type}/``."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime
from typing import Any

import flask
from pydantic import BaseModel, ConfigDict, Field

from switchboard.channels.auth import TenantAuth
from switchboard.channels.schemas import ChatResponse, SourceOut
from switchboard.core import phrases
from switchboard.core.models import InboundMessage, TurnResult, UserInfo
from switchboard.core.turn import TurnDeps, handle_turn
from switchboard.errors import PayloadTooLargeError
from switchboard.http import idempotency_key, json_response, parse_model, read_json
from switchboard.routing import Route, resolve
from switchboard.validators import EMAIL, ONE_LINE

AGENT_TYPES = ("customer", "support", "test")
ROUTE = Route(
    re.compile(rf"^/api/agent/(?P<agent>{'|'.join(AGENT_TYPES)})/?$"),
    canonical=lambda p: f"/api/agent/{p['agent']}/",
    hint=f"agent types are {', '.join(AGENT_TYPES)}",
)


class UserInfoIn(BaseModel):
    """``user_info`` as the CRM sends it (the CRM contract: required and optional fields)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    agent_id: str = Field(min_length=1, max_length=200, pattern=ONE_LINE)
    email: str = Field(pattern=EMAIL, max_length=320)
    name: str = Field(min_length=1, max_length=200, pattern=ONE_LINE)
    agency: str = Field(min_length=1, max_length=200, pattern=ONE_LINE)
    office: str = Field(min_length=1, max_length=200, pattern=ONE_LINE)
    phone: str | None = Field(None, max_length=64, pattern=ONE_LINE)
    company: str | None = Field(None, max_length=200, pattern=ONE_LINE)
    division: str | None = Field(None, max_length=200, pattern=ONE_LINE)
    user_type: str | None = Field(None, max_length=64, pattern=ONE_LINE)


class ChatRequest(BaseModel):
    """The chat request body."""

    model_config = ConfigDict(extra="ignore")

    message: str = Field(min_length=1)
    session_id: str | None = Field(None, min_length=1, max_length=200, pattern=ONE_LINE)
    user_info: UserInfoIn


def new_session_id(agent_type: str, now: datetime) -> str:
    """A session id in the CRM's own format, ``{agentType}-session-{timestamp}`` (+3 random digits)."""
    return f"{agent_type}-session-{int(now.timestamp() * 1000)}{secrets.randbelow(1000):03d}"


def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds and a ``Z`` (``2024-02-09T10:30:45.123Z``)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def render(result: TurnResult, session_id: str, agent_type: str, extra_debug: dict[str, Any]) -> dict[str, Any]:
    """The 200 body of the contract (plus ``debug`` for the test agent)."""
    reply = phrases.human_owns_notice(result.language) if result.silent else result.reply
    debug: dict[str, Any] | None = None
    if agent_type == "test":
        debug = {
            **result.debug,
            **extra_debug,
            "escalation_reason": result.escalation_reason,
            "language": result.language,
            "source_urls": {s.entry_id: s.url for s in result.sources if s.url},
        }
    body = ChatResponse(
        response=reply,
        session_id=session_id,
        timestamp=iso_utc(result.at or datetime.now(UTC)),
        requires_escalation=result.requires_escalation,
        classification_confidence=result.confidence,
        sources=[
            SourceOut(title=s.title, confidence=s.confidence, entry_type=s.entry_type, entry_id=s.entry_id)
            for s in result.sources
        ],
        debug=debug,
    )
    return body.model_dump(exclude_none=True)


def chat_endpoint(request: flask.Request, auth: TenantAuth, deps: TurnDeps, max_message_chars: int) -> flask.Response:
    """Route and answer one request to ``/api/agent/{agent_type}/``.

    Raises:
        NotFoundError: Unknown path or agent type.
        MethodNotAllowedError: Anything but POST.
        InvalidInputError: Invalid JSON (400), schema violations (422), a long message (413).
        UnauthorizedError: Bad or missing API key.
        RateLimitedError: The user's window is used up (429).
    """
    found = resolve(request, ROUTE)
    if isinstance(found, flask.Response):
        return found
    agent_type = found["agent"]
    # The test agent is the business's own: its admins try their AI there (the console's test chat).
    tenant_id = auth.tenant_of(request, also=("admin",) if agent_type == "test" else ())
    body = parse_model(ChatRequest, read_json(request))
    if len(body.message) > max_message_chars:
        raise PayloadTooLargeError(f"message is {len(body.message)} characters; the limit is {max_message_chars}")
    now = datetime.now(UTC)
    session_id = body.session_id or new_session_id(agent_type, now)
    u = body.user_info
    user = UserInfo(u.agent_id, u.email, u.name, u.agency, u.office, u.phone, u.company, u.division, u.user_type)
    key = idempotency_key(request)
    inbound = InboundMessage(
        tenant_id, "crm", f"{u.agent_id}:{session_id}", user, body.message, agent_type, idempotency_key=key
    )
    result = handle_turn(inbound, deps)
    return json_response(render(result, session_id, agent_type, {"tenant": tenant_id}))
