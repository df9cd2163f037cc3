"""The CRM chat channel: the CRM contract for ``POST /api/agent/{agent_type}/``."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime
from typing import Any

import flask
from pydantic import BaseModel, ConfigDict, Field

from switchboard.bootstrap import Services
from switchboard.core import phrases
from switchboard.core.models import InboundMessage, TurnResult, UserInfo
from switchboard.core.turn import handle_turn
from switchboard.errors import MethodNotAllowedError, NotFoundError, PayloadTooLargeError, UnauthorizedError
from switchboard.http import json_response, parse_model, read_json, redirect

AGENT_TYPES = ("customer", "support", "test")
_PATH = re.compile(r"^/api/agent/(?P<agent>[^/]+)(?P<slash>/?)$")
_EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class UserInfoIn(BaseModel):
    """``user_info`` as the CRM sends it (the CRM contract: required and optional fields)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    agent_id: str = Field(min_length=1, max_length=200)
    email: str = Field(pattern=_EMAIL, max_length=320)
    name: str = Field(min_length=1, max_length=200)
    agency: str = Field(min_length=1, max_length=200)
    office: str = Field(min_length=1, max_length=200)
    phone: str | None = Field(None, max_length=64)
    company: str | None = Field(None, max_length=200)
    division: str | None = Field(None, max_length=200)
    user_type: str | None = Field(None, max_length=64)


class ChatRequest(BaseModel):
    """The chat request body."""

    model_config = ConfigDict(extra="ignore")

    message: str = Field(min_length=1)
    session_id: str | None = Field(None, min_length=1, max_length=200)
    user_info: UserInfoIn


def api_key_of(request: flask.Request) -> str | None:
    """The API key from ``Authorization: Bearer`` or ``X-API-Key``, if any."""
    auth = request.headers.get("Authorization", "")
    if auth[:7].lower() == "bearer " and auth[7:].strip():
        return auth[7:].strip()
    key = request.headers.get("X-API-Key", "").strip()
    return key or None


def hash_api_key(key: str) -> str:
    """The digest under which an API key is stored (keys themselves are never stored)."""
    return hashlib.sha256(key.encode()).hexdigest()


def resolve_tenant(request: flask.Request, services: Services) -> str:
    """Map the request's API key to a tenant; keyless calls go to DEFAULT_TENANT if allowed.

    Raises:
        UnauthorizedError: Unknown key, or no key while anonymous access is off.
    """
    key = api_key_of(request)
    if key is None:
        if services.settings.allow_anonymous:
            return services.settings.default_tenant
        raise UnauthorizedError("An API key is required (Authorization: Bearer <key> or X-API-Key)")
    tenant_id = services.tenants.tenant_for_key(hash_api_key(key))
    if tenant_id is None:
        raise UnauthorizedError("Unknown API key")
    return tenant_id


def new_session_id(agent_type: str, now: datetime) -> str:
    """A session id in the CRM's own format, ``{agentType}-session-{timestamp}`` (+3 random digits)."""
    return f"{agent_type}-session-{int(now.timestamp() * 1000)}{secrets.randbelow(1000):03d}"


def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds and a ``Z`` (``2024-02-09T10:30:45.123Z``)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def render(result: TurnResult, session_id: str, agent_type: str, extra_debug: dict[str, Any]) -> dict[str, Any]:
    """The 200 body of the contract (plus ``debug`` for the test agent)."""
    reply = phrases.human_owns_notice(result.language) if result.silent else result.reply
    body: dict[str, Any] = {
        "response": reply,
        "session_id": session_id,
        "timestamp": iso_utc(result.at or datetime.now(UTC)),
        "requires_escalation": result.requires_escalation,
        "classification_confidence": result.confidence,
        "sources": [
            {"title": s.title, "confidence": s.confidence, "entry_type": s.entry_type, "entry_id": s.entry_id}
            for s in result.sources
        ],
    }
    if agent_type == "test":
        body["debug"] = {
            **result.debug,
            **extra_debug,
            "escalation_reason": result.escalation_reason,
            "language": result.language,
            "source_urls": {s.entry_id: s.url for s in result.sources if s.url},
        }
    return body


def chat_endpoint(request: flask.Request, services: Services) -> flask.Response:
    """Route and answer one request to ``/api/agent/{agent_type}/``.

    Raises:
        NotFoundError: Unknown path or agent type.
        MethodNotAllowedError: Anything but POST.
        InvalidInputError: Invalid JSON (400), schema violations (422), a long message (413).
        UnauthorizedError: Bad or missing API key.
        RateLimitedError: The user's window is used up (429).
    """
    match = _PATH.match(request.path)
    if not match or match.group("agent") not in AGENT_TYPES:
        raise NotFoundError(f"No such endpoint: {request.path}; agent types are {', '.join(AGENT_TYPES)}")
    agent_type = match.group("agent")
    if not match.group("slash"):
        query = f"?{request.query_string.decode()}" if request.query_string else ""
        return redirect(f"/api/agent/{agent_type}/{query}")
    if request.method != "POST":
        raise MethodNotAllowedError(["POST"])
    tenant_id = resolve_tenant(request, services)
    body = parse_model(ChatRequest, read_json(request))
    limit = services.settings.max_message_chars
    if len(body.message) > limit:
        raise PayloadTooLargeError(f"message is {len(body.message)} characters; the limit is {limit}")
    now = datetime.now(UTC)
    session_id = body.session_id or new_session_id(agent_type, now)
    u = body.user_info
    user = UserInfo(u.agent_id, u.email, u.name, u.agency, u.office, u.phone, u.company, u.division, u.user_type)
    inbound = InboundMessage(tenant_id, "crm", f"{u.agent_id}:{session_id}", user, body.message, agent_type)
    result = handle_turn(inbound, services.turn_deps)
    return json_response(render(result, session_id, agent_type, {"tenant": tenant_id}))
