"""The CRM contract over HTTP: agent failures, create-ticket, decline, feedback."""

from __future__ import annotations

import re
from typing import Literal

import flask
from pydantic import BaseModel, ConfigDict, Field

from switchboard.channels.auth import TenantAuth
from switchboard.channels.schemas import FailureCreated, Success, TicketOut, TicketQueued
from switchboard.core.escalation import EscalationDeps, FailureReport, create_ticket, decline, record_failure
from switchboard.core.models import ESCALATION_REASONS
from switchboard.errors import ConflictError, NotFoundError, UpstreamUnavailableError
from switchboard.http import idempotency_key, json_response, parse_model, read_json
from switchboard.routing import Route, resolve
from switchboard.store.base import EscalationStore
from switchboard.validators import EMAIL, ONE_LINE, is_failure_id

#: The collection has a trailing slash, its actions do not (the CRM contract).
FAILURE_ROUTE = Route(
    re.compile(r"^/api/agent-failure(?:/(?P<id>[^/]+)/(?P<action>create-ticket|decline))?/?$"),
    canonical=lambda p: f"/api/agent-failure/{p['id']}/{p['action']}" if "action" in p else "/api/agent-failure/",
)
FEEDBACK_ROUTE = Route(re.compile(r"^/api/feedback/?$"), canonical=lambda p: "/api/feedback")
Reason = Literal[ESCALATION_REASONS]  # type: ignore[valid-type]
AgentType = Literal["customer", "support", "test"]


class FailureIn(BaseModel):
    """``POST /api/agent-failure/`` (the CRM contract)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    session_id: str = Field(min_length=1, max_length=200, pattern=ONE_LINE)
    agent_id: str = Field(min_length=1, max_length=200, pattern=ONE_LINE)
    query: str = Field(min_length=1, max_length=20000)
    agent_response: str = Field("", max_length=20000)
    confidence_score: float = Field(ge=0, le=1, strict=True)
    escalation_reason: Reason
    user_email: str = Field(pattern=EMAIL, max_length=320)
    user_name: str = Field(min_length=1, max_length=200, pattern=ONE_LINE)
    user_agency: str = Field("", max_length=200, pattern=ONE_LINE)
    user_office: str = Field("", max_length=200, pattern=ONE_LINE)
    user_company: str | None = Field(None, max_length=200, pattern=ONE_LINE)
    user_division: str | None = Field(None, max_length=200, pattern=ONE_LINE)
    user_phone: str | None = Field(None, max_length=64, pattern=ONE_LINE)
    agent_type: AgentType = "customer"


class HistoryItem(BaseModel):
    """One message of the transcript sent with create-ticket."""

    model_config = ConfigDict(extra="ignore")

    role: Literal["user", "assistant"]
    content: str = Field(max_length=20000)
    timestamp: str = Field("", max_length=64, pattern=ONE_LINE)


class TicketIn(BaseModel):
    """``POST /api/agent-failure/{id}/create-ticket`` (the CRM contract)."""

    model_config = ConfigDict(extra="ignore")

    conversation_history: list[HistoryItem] = Field(default_factory=list, max_length=500)


class FeedbackUser(BaseModel):
    """``user_info`` of a feedback body."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    agent_id: str = Field(min_length=1, max_length=200, pattern=ONE_LINE)
    email: str = Field(pattern=EMAIL, max_length=320)
    full_name: str = Field(min_length=1, max_length=200, pattern=ONE_LINE)


class FeedbackIn(BaseModel):
    """``POST /api/feedback`` (the CRM contract)."""

    model_config = ConfigDict(extra="ignore")

    message_id: str = Field(pattern=r"^[A-Za-z0-9._:-]{1,200}$")
    session_id: str = Field(min_length=1, max_length=200, pattern=ONE_LINE)
    feedback_type: Literal["helpful", "unhelpful"]
    query: str = Field(min_length=1, max_length=20000)
    response: str = Field(min_length=1, max_length=20000)
    agent_type: AgentType
    user_info: FeedbackUser
    confidence_score: float | None = Field(None, ge=0, le=1, strict=True)
    sources_used: list[str] = Field(default_factory=list, max_length=50)


def _report(body: FailureIn) -> FailureReport:
    user = {
        "agent_id": body.agent_id,
        "email": body.user_email,
        "name": body.user_name,
        "agency": body.user_agency,
        "office": body.user_office,
        "company": body.user_company,
        "division": body.user_division,
        "phone": body.user_phone,
    }
    return FailureReport(
        session_id=body.session_id,
        agent_id=body.agent_id,
        query=body.query,
        agent_response=body.agent_response,
        confidence=body.confidence_score,
        reason=body.escalation_reason,
        user={k: v for k, v in user.items() if v},
        agent_type=body.agent_type,
    )


def failure_endpoint(request: flask.Request, auth: TenantAuth, deps: EscalationDeps) -> flask.Response:
    """Route ``/api/agent-failure/...``.

    Raises:
        NotFoundError: Unknown path or failure id.
        MethodNotAllowedError: Anything but POST.
        ConflictError: Ticket for a declined failure, or declining a ticketed one.
    """
    found = resolve(request, FAILURE_ROUTE)
    if isinstance(found, flask.Response):
        return found
    tenant_id = auth.tenant_of(request)
    action, failure_id = found.get("action"), found.get("id", "")
    if not action:
        report = _report(parse_model(FailureIn, read_json(request)))
        escalation = record_failure(deps, tenant_id, report, idempotency_key(request))
        return json_response(FailureCreated(failure_id=escalation.id, id=escalation.id).model_dump())
    if not is_failure_id(failure_id):
        raise NotFoundError(f"No failure {failure_id}")
    if action == "decline":
        decline(deps, tenant_id, failure_id)
        return json_response(Success(success=True).model_dump())
    body = parse_model(TicketIn, read_json(request, allow_empty=True))
    history = [item.model_dump() for item in body.conversation_history]
    outcome = create_ticket(deps, tenant_id, failure_id, history)
    if outcome.status == "failed":
        raise UpstreamUnavailableError(outcome.message)
    if outcome.status == "queued":
        queued = TicketQueued(status="queued", failure_id=failure_id, message=outcome.message)
        return json_response(queued.model_dump(), 202)
    ticket = TicketOut(ticket_id=outcome.ticket_id or "", id=outcome.ticket_id or "", message=outcome.message)
    return json_response(ticket.model_dump())


def feedback_endpoint(request: flask.Request, auth: TenantAuth, store: EscalationStore) -> flask.Response:
    """``POST /api/feedback``: one rating per message (a second one is 409, the first is kept)."""
    found = resolve(request, FEEDBACK_ROUTE)
    if isinstance(found, flask.Response):
        return found
    tenant_id = auth.tenant_of(request)
    body = parse_model(FeedbackIn, read_json(request))
    data = body.model_dump()
    data["user"] = data.pop("user_info")
    try:
        store.record_feedback(tenant_id, body.message_id, data, body.feedback_type == "helpful")
    except ConflictError as exc:
        raise ConflictError(f"Message {body.message_id} was already rated; the first rating is kept") from exc
    return json_response(Success(success=True).model_dump())
