"""The tenant administration API (``/api/v1/ai/...``), for a business's own back office.

Authenticated with a tenant's **admin** key (``switchboard tenant add-key --role admin``): a chat
key is refused with 403 and an admin key cannot chat. It serves the AI configuration, who answers
each conversation, the default handler for new ones, and asking the AI on a customer's behalf.
The contract is in docs/admin.md.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import flask
from pydantic import BaseModel, ConfigDict, Field

from switchboard.channels.auth import api_key_of, hash_api_key
from switchboard.config import Settings
from switchboard.core import phrases
from switchboard.core.models import InboundMessage, PromptParts, Tenant, UserInfo
from switchboard.core.tenants import TenantDirectory
from switchboard.core.turn import TurnDeps, conversation_doc_id, handle_turn
from switchboard.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError, UnauthorizedError
from switchboard.http import json_response, parse_model, read_json
from switchboard.routing import Route, resolve
from switchboard.store.base import EscalationStore, TurnStore
from switchboard.validators import ONE_LINE

CONFIG_ROUTE = Route(
    re.compile(r"^/api/v1/ai/config/?$"), canonical=lambda p: "/api/v1/ai/config/", methods=("GET", "PUT")
)
HANDLER_ROUTE = Route(
    re.compile(r"^/api/v1/ai/default-handler/?$"),
    canonical=lambda p: "/api/v1/ai/default-handler/",
    methods=("GET", "PUT"),
)
STATUS_ROUTE = Route(
    re.compile(r"^/api/v1/ai/conversations/(?P<id>[^/]{1,300})/status/?$"),
    canonical=lambda p: f"/api/v1/ai/conversations/{p['id']}/status/",
    methods=("GET", "PUT"),
)
BULK_ROUTE = Route(
    re.compile(r"^/api/v1/ai/conversations/bulk-status/?$"),
    canonical=lambda p: "/api/v1/ai/conversations/bulk-status/",
    methods=("PUT",),
)
USAGE_ROUTE = Route(
    re.compile(r"^/api/v1/ai/usage/stats/?$"), canonical=lambda p: "/api/v1/ai/usage/stats/", methods=("GET",)
)
ASK_ROUTE = Route(re.compile(r"^/api/v1/ai/ask/?$"), canonical=lambda p: "/api/v1/ai/ask/")
#: Conversation status as the admin API names it: the AI answers, or people do.
STATUS_OF_OWNER = {"ai": "active", "human": "support_active"}
OWNER_OF_STATUS = {v: k for k, v in STATUS_OF_OWNER.items()}
Status = Literal["active", "support_active"]
PROMPT_CHARS = 20_000
MODEL_NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"


class ConfigOut(BaseModel):
    """The tenant's AI configuration as it applies now (its own values, else the deployment's)."""

    manual_prompt: str
    knowledge_source: str
    product_service: str
    question_answer: str
    model_name: str
    temperature: float
    max_tokens: int
    escalation_threshold: float
    auto_response_enabled: bool = Field(description="Off: the AI answers nothing; every conversation is left to people")
    overridden: list[str] = Field(description="Fields the tenant set itself; the others follow the deployment")


class ConfigIn(BaseModel):
    """A change to the AI configuration: only the fields sent change; ``null`` returns a model
    field to the deployment's default."""

    model_config = ConfigDict(extra="forbid")

    manual_prompt: str | None = Field(None, max_length=PROMPT_CHARS)
    knowledge_source: str | None = Field(None, max_length=PROMPT_CHARS)
    product_service: str | None = Field(None, max_length=PROMPT_CHARS)
    question_answer: str | None = Field(None, max_length=PROMPT_CHARS)
    model_name: str | None = Field(None, pattern=MODEL_NAME)
    temperature: float | None = Field(None, ge=0, le=2)
    max_tokens: int | None = Field(None, ge=64, le=65_536)
    escalation_threshold: float | None = Field(None, ge=0, le=1)
    auto_response_enabled: bool | None = None


class AskIn(BaseModel):
    """One question asked on a customer's behalf (a back office trying the AI, or relaying)."""

    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=1, max_length=4000)
    customer_id: str = Field(min_length=1, max_length=200, pattern=ONE_LINE)


class AskOut(BaseModel):
    """The answer, with the fields of the original ask endpoint and ours."""

    session_id: str = Field(description="The conversation's id (its status can be read and set)")
    customer_id: str
    question: str
    answer: str
    response_time_ms: int
    success: bool
    auto_response_generated: bool = Field(description="False when people own the conversation")
    confidence: float
    requires_escalation: bool
    sources: list[dict[str, Any]]


class UsageDay(BaseModel):
    """One day's (or the period's) usage."""

    requests: int = Field(description="Messages received on every channel (rate-limited ones included)")
    ai_replies: int
    llm_calls: int
    llm_errors: int
    prompt_tokens: int
    output_tokens: int
    estimated_cost: float = Field(description="Tokens at LLM_PRICE_INPUT/OUTPUT_PER_MILLION (0 when unset)")
    escalations: int
    escalations_by_reason: dict[str, int]
    handoffs: int = Field(description="Customers who asked for a person")


class UsageDayOut(UsageDay):
    date: str


class UsageOut(BaseModel):
    days: int
    first_day: str
    last_day: str
    totals: UsageDay
    per_day: list[UsageDayOut]


class HandlerBody(BaseModel):
    """Who a new conversation starts with."""

    model_config = ConfigDict(extra="forbid")

    default_handler: Literal["AI", "Manual"]


class StatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Status


class StatusOut(BaseModel):
    conversation_id: str
    channel: str
    status: Status


class BulkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conversation_ids: list[str] = Field(min_length=1, max_length=100)
    status: Status


class BulkOut(BaseModel):
    status: Status
    updated: list[str]
    not_found: list[str]


@dataclass(frozen=True)
class AdminDeps:
    """What the admin API needs: deployment defaults, the tenant directory and the tenant store."""

    settings: Settings
    tenants: TenantDirectory
    store: TurnStore
    owners: EscalationStore
    turn: Callable[[], TurnDeps]


def admin_tenant(request: flask.Request, tenants: TenantDirectory) -> str:
    """The tenant of the request's admin key.

    Raises:
        UnauthorizedError: No key, or an unknown one.
        ForbiddenError: A valid key that is not an admin key.
    """
    key = api_key_of(request)
    if key is None:
        raise UnauthorizedError("An admin key is required (Authorization: Bearer <key> or X-API-Key)")
    digest = hash_api_key(key)
    tenant_id = tenants.tenant_for_key(digest, "admin")
    if tenant_id is not None:
        return tenant_id
    if tenants.tenant_for_key(digest, "api") is not None:
        raise ForbiddenError("This is a chat key; the admin API needs an admin key (tenant add-key --role admin)")
    raise UnauthorizedError("Unknown API key")


_MODEL_FIELDS = {
    "model_name": "model",
    "temperature": "temperature",
    "max_tokens": "max_output_tokens",
    "escalation_threshold": "escalation_threshold",
}


def config_of(tenant: Tenant, settings: Settings) -> ConfigOut:
    s = tenant.settings
    own = {out: getattr(s, field) for out, field in _MODEL_FIELDS.items()}
    prompts = dict(s.prompts.__dict__)
    return ConfigOut(
        manual_prompt=prompts["manual_prompt"],
        knowledge_source=prompts["knowledge_source"],
        product_service=prompts["product_service"],
        question_answer=prompts["question_answer"],
        model_name=s.model or settings.gemini_model,
        temperature=s.temperature if s.temperature is not None else settings.llm_temperature,
        max_tokens=s.max_output_tokens or settings.llm_max_output_tokens,
        escalation_threshold=(
            s.escalation_threshold if s.escalation_threshold is not None else settings.escalation_threshold
        ),
        auto_response_enabled=s.auto_response,
        overridden=[name for name, value in prompts.items() if value] + [o for o, v in own.items() if v is not None],
    )


def _changed(tenant: Tenant, change: ConfigIn) -> Tenant:
    sent = change.model_dump(exclude_unset=True)
    prompts = {k: (v or "") for k, v in sent.items() if k in PromptParts.__dataclass_fields__}
    models = {_MODEL_FIELDS[k]: v for k, v in sent.items() if k in _MODEL_FIELDS}
    if sent.get("auto_response_enabled") is not None:
        models["auto_response"] = sent["auto_response_enabled"]
    settings = replace(tenant.settings, prompts=replace(tenant.settings.prompts, **prompts), **models)
    return replace(tenant, settings=settings)


def _config(request: flask.Request, deps: AdminDeps, tenant_id: str) -> flask.Response:
    tenant = deps.store.get_tenant(tenant_id) or Tenant(id=tenant_id)
    if request.method == "PUT":
        tenant = _changed(tenant, parse_model(ConfigIn, read_json(request)))
        _save(deps, tenant)
    return json_response(config_of(tenant, deps.settings).model_dump())


def _save(deps: AdminDeps, tenant: Tenant) -> None:
    deps.store.save_tenant(tenant)
    deps.tenants.forget(tenant.id)  # this instance's next turn follows at once; others within the cache time


def _handler(request: flask.Request, deps: AdminDeps, tenant_id: str) -> flask.Response:
    tenant = deps.store.get_tenant(tenant_id) or Tenant(id=tenant_id)
    if request.method == "PUT":
        body = parse_model(HandlerBody, read_json(request))
        tenant = replace(tenant, settings=replace(tenant.settings, default_handler=body.default_handler))
        _save(deps, tenant)
    return json_response(HandlerBody(default_handler=tenant.settings.default_handler).model_dump())  # type: ignore[arg-type]


def _allowed(deps: AdminDeps, tenant_id: str, status: str) -> None:
    """``active`` needs the AI to be allowed to answer.

    Raises:
        ConflictError: Auto-response is off for the tenant (the reason is in the message).
    """
    tenant = deps.tenants.tenant(tenant_id) or Tenant(id=tenant_id)
    if status == "active" and not tenant.settings.auto_response:
        raise ConflictError(
            "Status 'active' needs the AI to answer, but auto-response is off for this tenant "
            "(PUT /api/v1/ai/config/ with auto_response_enabled: true); the conversation stays support_active"
        )


def _set_status(deps: AdminDeps, tenant_id: str, conversation_id: str, status: str) -> tuple[str, str] | None:
    found = deps.store.find_conversation(tenant_id, conversation_id)
    if found is None:
        return None
    owner = OWNER_OF_STATUS[status]
    if found[0] != owner:  # given back to the AI: it starts from a fresh context, as after any handoff
        deps.owners.set_conversation_owner(tenant_id, conversation_id, owner, reset_context=owner == "ai")
    return owner, found[1]


def _status(request: flask.Request, deps: AdminDeps, tenant_id: str, conversation_id: str) -> flask.Response:
    if request.method == "PUT":
        wanted = parse_model(StatusIn, read_json(request)).status
        _allowed(deps, tenant_id, wanted)
        found = _set_status(deps, tenant_id, conversation_id, wanted)
    else:
        found = deps.store.find_conversation(tenant_id, conversation_id)
    if found is None:
        raise NotFoundError(f"No conversation {conversation_id}")
    owner, channel = found
    out = StatusOut(conversation_id=conversation_id, channel=channel, status=STATUS_OF_OWNER.get(owner, "active"))  # type: ignore[arg-type]
    return json_response(out.model_dump())


def _bulk(request: flask.Request, deps: AdminDeps, tenant_id: str) -> flask.Response:
    body = parse_model(BulkIn, read_json(request))
    _allowed(deps, tenant_id, body.status)
    updated: list[str] = []
    missing: list[str] = []
    for conversation_id in dict.fromkeys(body.conversation_ids):
        found = _set_status(deps, tenant_id, conversation_id, body.status) if len(conversation_id) <= 300 else None
        (updated if found else missing).append(conversation_id)
    return json_response(BulkOut(status=body.status, updated=updated, not_found=missing).model_dump())


def _ask(request: flask.Request, deps: AdminDeps, tenant_id: str) -> flask.Response:
    body = parse_model(AskIn, read_json(request))
    started = time.perf_counter()
    user = UserInfo(f"ask:{body.customer_id}", name=body.customer_id)
    inbound = InboundMessage(tenant_id, "ask", body.customer_id, user, body.question, "customer")
    result = handle_turn(inbound, deps.turn())
    out = AskOut(
        session_id=conversation_doc_id("ask", body.customer_id),
        customer_id=body.customer_id,
        question=body.question,
        answer=phrases.human_owns_notice(result.language) if result.silent else result.reply,
        response_time_ms=round((time.perf_counter() - started) * 1000),
        success=True,
        auto_response_generated=not result.silent,
        confidence=result.confidence,
        requires_escalation=result.requires_escalation,
        sources=[
            {"title": s.title, "confidence": s.confidence, "entry_type": s.entry_type, "entry_id": s.entry_id}
            for s in result.sources
        ],
    )
    return json_response(out.model_dump())


def _usage_day(counters: dict[str, int], settings: Settings) -> UsageDay:
    prompt, output = counters.get("prompt_tokens", 0), counters.get("output_tokens", 0)
    cost = (prompt * settings.llm_price_input_per_million + output * settings.llm_price_output_per_million) / 1e6
    reasons = {k.removeprefix("escalations_"): v for k, v in counters.items() if k.startswith("escalations_")}
    return UsageDay(
        requests=counters.get("requests", 0),
        ai_replies=counters.get("ai_replies", 0),
        llm_calls=counters.get("llm_calls", 0),
        llm_errors=counters.get("llm_errors", 0),
        prompt_tokens=prompt,
        output_tokens=output,
        estimated_cost=round(cost, 6),
        escalations=counters.get("escalations", 0),
        escalations_by_reason=dict(sorted(reasons.items())),
        handoffs=counters.get("handoffs", 0),
    )


def _usage(request: flask.Request, deps: AdminDeps, tenant_id: str) -> flask.Response:
    raw = request.args.get("days", "30")
    if not (raw.isascii() and raw.isdecimal() and 1 <= int(raw) <= 366):
        raise InvalidInputError("days must be a whole number from 1 to 366")
    days = int(raw)
    last = datetime.now(UTC).date()
    first = last - timedelta(days=days - 1)
    found = deps.store.usage_between(tenant_id, first.isoformat(), last.isoformat())
    per_day: list[UsageDayOut] = []
    totals: dict[str, int] = {}
    for offset in range(days):
        day = (first + timedelta(days=offset)).isoformat()
        counters = found.get(day, {})
        for key, value in counters.items():
            totals[key] = totals.get(key, 0) + value
        per_day.append(UsageDayOut(date=day, **_usage_day(counters, deps.settings).model_dump()))
    out = UsageOut(
        days=days,
        first_day=first.isoformat(),
        last_day=last.isoformat(),
        totals=_usage_day(totals, deps.settings),
        per_day=per_day,
    )
    return json_response(out.model_dump())


def admin_endpoint(request: flask.Request, deps: AdminDeps) -> flask.Response:
    """Route one request to the admin API."""
    path = request.path
    if path.startswith("/api/v1/ai/ask"):
        route = ASK_ROUTE
    elif path.startswith("/api/v1/ai/usage/"):
        route = USAGE_ROUTE
    elif path.startswith("/api/v1/ai/conversations/bulk-status"):
        route = BULK_ROUTE
    elif path.startswith("/api/v1/ai/conversations/"):
        route = STATUS_ROUTE
    elif path.startswith("/api/v1/ai/default-handler"):
        route = HANDLER_ROUTE
    else:
        route = CONFIG_ROUTE
    found = resolve(request, route)
    if isinstance(found, flask.Response):
        return found
    tenant_id = admin_tenant(request, deps.tenants)
    if route is ASK_ROUTE:
        return _ask(request, deps, tenant_id)
    if route is USAGE_ROUTE:
        return _usage(request, deps, tenant_id)
    if route is BULK_ROUTE:
        return _bulk(request, deps, tenant_id)
    if route is STATUS_ROUTE:
        return _status(request, deps, tenant_id, found["id"])
    if route is HANDLER_ROUTE:
        return _handler(request, deps, tenant_id)
    return _config(request, deps, tenant_id)
