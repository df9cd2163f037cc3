"""The response bodies of the public endpoints, as pydantic models.

The channels build their responses through these models, so the OpenAPI document generated from
them (``docs/openapi.json``, served at ``GET /api/openapi.json``) describes what is actually sent.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class SourceOut(BaseModel):
    """A knowledge-base article the reply drew on."""

    title: str
    confidence: float = Field(ge=0, le=1)
    entry_type: str
    entry_id: str


class ChatResponse(BaseModel):
    """The answer to one customer message."""

    model_config = ConfigDict(extra="forbid")

    response: str = Field(description="The reply, in the customer's language")
    session_id: str = Field(description="The session (generated as {agentType}-session-{timestamp} when none was sent)")
    timestamp: str = Field(description="UTC, ISO 8601 with milliseconds and Z")
    requires_escalation: bool = Field(description="Offer the customer a person")
    classification_confidence: float = Field(ge=0, le=1, description="Estimated probability that the reply is right")
    sources: list[SourceOut]
    debug: dict[str, Any] | None = Field(None, description="Only for the test agent: scores, timings, tokens, reasons")


class FailureCreated(BaseModel):
    """An agent failure was recorded."""

    failure_id: str
    id: str


class TicketOut(BaseModel):
    """The failure's ticket (created now, or the one it already had)."""

    ticket_id: str
    id: str
    message: str = Field(description="What to show the customer")


class TicketQueued(BaseModel):
    """The help desk was slow or failing: the ticket is made in the background."""

    status: Literal["queued"]
    failure_id: str
    message: str


class Success(BaseModel):
    """The request was applied."""

    success: Literal[True]


class ErrorOut(BaseModel):
    """Every 4xx/5xx except 429."""

    detail: str
    error: str = Field(description="Machine-readable code: invalid_request, validation_failed, unauthorized ...")
    errors: list[dict[str, str]] | None = Field(None, description="For 422: each offending field (loc, type)")


class RateLimitDetail(BaseModel):
    """When the user's window resets."""

    reset_in_seconds: int = Field(ge=1)


class RateLimited(BaseModel):
    """429: the user used up their answers for this window (also sent as Retry-After)."""

    detail: RateLimitDetail


class ServiceHealth(BaseModel):
    """One dependency's probe."""

    model_config = ConfigDict(extra="allow")

    status: Literal["healthy", "degraded", "down"]
    latency_ms: float


class HealthSummary(BaseModel):
    """How many dependencies are in each state."""

    total: int
    healthy: int
    degraded: int
    down: int


class HealthOut(BaseModel):
    """Every configured dependency's state."""

    overall_status: Literal["healthy", "degraded", "down"]
    services: dict[str, ServiceHealth]
    summary: HealthSummary
    age_seconds: float = Field(description="How old this result is (probes run at most once per HEALTH_CACHE_SECONDS)")


class KommoAccepted(BaseModel):
    """A Salesbot widget_request was verified and its reply scheduled."""

    status: Literal["accepted"]


class KommoStored(BaseModel):
    """Message notifications were stored."""

    status: Literal["stored"]
    messages: int = Field(description="Newly stored messages (a repeated one is not counted)")
    reply: bool


class DeskEventOut(BaseModel):
    """What a verified Chatwoot event did."""

    status: Literal["agent_joined", "resolved", "ignored", "duplicate"]
