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
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

import flask
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from switchboard.channels import admin_kb as kb
from switchboard.channels import admin_sessions as sessions
from switchboard.channels.auth import api_key_of, hash_api_key
from switchboard.config import Settings
from switchboard.core import hours, phrases
from switchboard.core.chatwoot_bot import status_task
from switchboard.core.models import InboundMessage, PromptParts, Tenant, UserInfo
from switchboard.core.tenants import TenantDirectory
from switchboard.core.turn import TurnDeps, conversation_doc_id, handle_turn
from switchboard.errors import (
    ConflictError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    UnauthorizedError,
    ValidationFailedError,
)
from switchboard.http import json_response, parse_model, read_json
from switchboard.llm.base import Embedder
from switchboard.routing import Route, resolve
from switchboard.store.base import EscalationStore, TurnStore
from switchboard.tasks.base import TaskQueue
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
GLOBAL_ROUTE = Route(
    re.compile(r"^/api/v1/ai/usage/global/?$"), canonical=lambda p: "/api/v1/ai/usage/global/", methods=("GET",)
)
ANALYTICS_ROUTE = Route(
    re.compile(r"^/api/v1/ai/analytics/?$"), canonical=lambda p: "/api/v1/ai/analytics/", methods=("GET",)
)
#: The tenant id an operator's platform key is stored under (``tenant add-key --platform``).
PLATFORM = "*"
ASK_ROUTE = Route(re.compile(r"^/api/v1/ai/ask/?$"), canonical=lambda p: "/api/v1/ai/ask/")
#: Conversation status as the admin API names it: the AI answers, or people do.
STATUS_OF_OWNER = {"ai": "active", "human": "support_active"}
OWNER_OF_STATUS = {v: k for k, v in STATUS_OF_OWNER.items()}
Status = Literal["active", "support_active"]
PROMPT_CHARS = 20_000
MODEL_NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"


class BusinessHours(BaseModel):
    """When the AI answers: a weekly schedule in a time zone, and what it does outside it."""

    model_config = ConfigDict(extra="forbid")

    timezone: str = Field(max_length=64, description="An IANA time zone, e.g. Europe/Berlin")
    schedule: dict[str, list[str]] = Field(
        description='mon..sun → ranges "HH:MM-HH:MM" (end excluded, 24:00 allowed); a missing day is closed'
    )
    outside: Literal["silent", "message"] = Field(
        "silent", description="silent: the AI says nothing and people answer; message: the AI sends `message`"
    )
    message: str = Field("", max_length=2000, description="The out-of-hours reply (required for outside=message)")


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
    business_hours: BusinessHours | None = Field(description="null: the AI answers at any hour")
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
    business_hours: BusinessHours | None = None


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


class RollupOut(BaseModel):
    """One day's rollup (UTC); the definitions are in docs/analytics.md."""

    date: str
    final: bool = Field(description="False until 24 h after the day's end: resolved_without_human may still change")
    conversations: int = Field(description="Conversations with a customer message or an AI reply that day")
    customer_messages: int
    requests: int
    ai_replies: int
    response_ms_median: int | None
    response_ms_p95: int | None
    escalations: int
    escalations_by_reason: dict[str, int]
    answered_conversations: int
    resolved_without_human: int
    resolved_share: float | None
    feedback_helpful: int
    feedback_unhelpful: int
    tickets_created: int
    llm_calls: int
    prompt_tokens: int
    output_tokens: int
    estimated_cost: float


class AnalyticsOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    first: str = Field(alias="from")
    last: str = Field(alias="to")
    count: int
    days: list[RollupOut] = Field(description="The days with a rollup, oldest first (a day not rolled up is absent)")


class TenantUsage(BaseModel):
    tenant_id: str
    totals: UsageDay


class GlobalUsageOut(UsageOut):
    """Every tenant's usage summed, and each tenant's totals (tenants without any left out)."""

    tenants: list[TenantUsage]


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
    #: Where a Chatwoot bot conversation's status change is sent to Chatwoot (None: no bot here).
    queue: TaskQueue | None = None
    #: Embeds an uploaded knowledge base's chunks (built on first use; None: lexical only).
    embedder: Callable[[], Embedder | None] = lambda: None


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


def _hours_out(stored: dict[str, Any]) -> BusinessHours | None:
    """The stored hours, or None when there are none or they do not validate (written by hand in
    the store): turns treat such hours as always open, and so does this view."""
    if not stored or hours.problems(stored):
        return None
    try:
        return BusinessHours.model_validate(stored)
    except ValidationError:
        return None


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
        business_hours=_hours_out(s.hours),
        overridden=[name for name, value in prompts.items() if value]
        + [o for o, v in own.items() if v is not None]
        + (["business_hours"] if _hours_out(s.hours) else []),
    )


def _changed(tenant: Tenant, change: ConfigIn) -> Tenant:
    sent = change.model_dump(exclude_unset=True)
    prompts = {k: (v or "") for k, v in sent.items() if k in PromptParts.__dataclass_fields__}
    models = {_MODEL_FIELDS[k]: v for k, v in sent.items() if k in _MODEL_FIELDS}
    if sent.get("auto_response_enabled") is not None:
        models["auto_response"] = sent["auto_response_enabled"]
    if "business_hours" in sent:
        schedule = change.business_hours.model_dump() if change.business_hours else {}
        found = hours.problems(schedule) if schedule else []
        if found:
            raise ValidationFailedError([replace(p, loc=f"business_hours.{p.loc}") for p in found])
        models["hours"] = schedule
    settings = replace(tenant.settings, prompts=replace(tenant.settings.prompts, **prompts), **models)
    return replace(tenant, settings=settings)


def _config_change(raw: Any) -> ConfigIn:
    """The change, validated; every problem is reported at once (the business hours' own rules
    too, when another field is what failed first), so a form can mark each field."""
    try:
        return parse_model(ConfigIn, raw)
    except ValidationFailedError as exc:
        sent = raw.get("business_hours") if isinstance(raw, dict) else None
        found = hours.problems({"outside": "silent", "message": "", **sent}) if isinstance(sent, dict) else []
        seen = {p.loc for p in exc.problems}
        more = [replace(p, loc=f"business_hours.{p.loc}") for p in found]
        raise ValidationFailedError(exc.problems + [p for p in more if p.loc not in seen]) from exc


def _config(request: flask.Request, deps: AdminDeps, tenant_id: str) -> flask.Response:
    tenant = deps.store.get_tenant(tenant_id) or Tenant(id=tenant_id)
    if request.method == "PUT":
        tenant = _changed(tenant, _config_change(read_json(request)))
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
    if not sessions.SESSION_ID.match(conversation_id):
        return None
    found = deps.store.find_conversation(tenant_id, conversation_id)
    if found is None:
        return None
    owner = OWNER_OF_STATUS[status]
    if found[0] != owner:  # given back to the AI: it starts from a fresh context, as after any handoff
        deps.owners.set_conversation_owner(tenant_id, conversation_id, owner, reset_context=owner == "ai")
    if found[1] == "chatwoot" and deps.queue is not None:
        # Chatwoot shows agents the conversation (open) or lets the bot answer it (pending). Sent
        # on every request, changed or not: a retry after a failed enqueue must still reach it
        # (the task reads the owner when it runs, so an extra one changes nothing).
        change = f"{owner}-{time.time_ns()}"
        deps.queue.enqueue(status_task(tenant_id, conversation_id, change=change))
    return owner, found[1]


def _status(request: flask.Request, deps: AdminDeps, tenant_id: str, conversation_id: str) -> flask.Response:
    if request.method == "PUT":
        wanted = parse_model(StatusIn, read_json(request)).status
        _allowed(deps, tenant_id, wanted)
        found = _set_status(deps, tenant_id, conversation_id, wanted)
    else:
        found = deps.store.find_conversation(tenant_id, sessions.known_id(conversation_id))
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
    return _answer(deps, tenant_id, parse_model(AskIn, read_json(request)))


def _answer(deps: AdminDeps, tenant_id: str, body: AskIn) -> flask.Response:
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


def _days(request: flask.Request) -> tuple[int, date, date]:
    raw = request.args.get("days", "30")
    if not (raw.isascii() and raw.isdecimal() and 1 <= int(raw) <= 366):
        raise InvalidInputError("days must be a whole number from 1 to 366")
    days = int(raw)
    last = datetime.now(UTC).date()
    return days, last - timedelta(days=days - 1), last


def _usage_out(found: dict[str, dict[str, int]], days: int, first: date, settings: Settings) -> UsageOut:
    per_day: list[UsageDayOut] = []
    totals: dict[str, int] = {}
    for offset in range(days):
        day = (first + timedelta(days=offset)).isoformat()
        counters = found.get(day, {})
        for key, value in counters.items():
            totals[key] = totals.get(key, 0) + value
        per_day.append(UsageDayOut(date=day, **_usage_day(counters, settings).model_dump()))
    last = first + timedelta(days=days - 1)
    return UsageOut(
        days=days,
        first_day=first.isoformat(),
        last_day=last.isoformat(),
        totals=_usage_day(totals, settings),
        per_day=per_day,
    )


def _usage(request: flask.Request, deps: AdminDeps, tenant_id: str) -> flask.Response:
    days, first, last = _days(request)
    found = deps.store.usage_between(tenant_id, first.isoformat(), last.isoformat())
    return json_response(_usage_out(found, days, first, deps.settings).model_dump())


def _global_usage(request: flask.Request, deps: AdminDeps) -> flask.Response:
    """Every tenant's usage, summed and per tenant (platform key only)."""
    days, first, last = _days(request)
    everyone: dict[str, dict[str, int]] = {}
    tenants: list[TenantUsage] = []
    for tenant_id in deps.store.list_tenants():
        found = deps.store.usage_between(tenant_id, first.isoformat(), last.isoformat())
        if not found:
            continue
        for day, counters in found.items():
            bucket = everyone.setdefault(day, {})
            for key, value in counters.items():
                bucket[key] = bucket.get(key, 0) + value
        out = _usage_out(found, days, first, deps.settings)
        tenants.append(TenantUsage(tenant_id=tenant_id, totals=out.totals))
    total = _usage_out(everyone, days, first, deps.settings)
    return json_response(GlobalUsageOut(**total.model_dump(), tenants=tenants).model_dump())


def _analytics(request: flask.Request, deps: AdminDeps, tenant_id: str) -> flask.Response:
    """The stored daily rollups from ``from`` to ``to`` (default: the last 30 days)."""
    today = datetime.now(UTC).date()
    try:
        last = date.fromisoformat(request.args.get("to") or today.isoformat())
        first = date.fromisoformat(request.args.get("from") or (last - timedelta(days=29)).isoformat())
    except (ValueError, OverflowError) as exc:
        raise InvalidInputError("from and to are dates, YYYY-MM-DD") from exc
    if first > last or (last - first).days > 365:
        raise InvalidInputError("from must not be after to, and the range is at most 366 days")
    found = deps.store.rollups_between(tenant_id, first.isoformat(), last.isoformat())
    rows = [RollupOut.model_validate({**found[day], "date": day}) for day in sorted(found)]
    out = AnalyticsOut(first=first.isoformat(), last=last.isoformat(), count=len(rows), days=rows)
    return json_response(out.model_dump(by_alias=True))


def _send(request: flask.Request, deps: AdminDeps, tenant_id: str, session_id: str) -> flask.Response:
    body = parse_model(sessions.SendIn, read_json(request))
    customer = sessions.customer_of_ask_session(deps.store, tenant_id, session_id)
    return _answer(deps, tenant_id, AskIn(question=body.message, customer_id=customer))


def platform_key(request: flask.Request, tenants: TenantDirectory) -> None:
    """Accept only an operator's platform key.

    Raises:
        UnauthorizedError: No key, or an unknown one.
        ForbiddenError: A tenant's key.
    """
    key = api_key_of(request)
    if key is None:
        raise UnauthorizedError("A platform key is required (Authorization: Bearer <key> or X-API-Key)")
    digest = hash_api_key(key)
    if tenants.tenant_for_key(digest, "platform") is not None:
        return
    if tenants.tenant_for_key(digest, "admin") is not None or tenants.tenant_for_key(digest, "api") is not None:
        raise ForbiddenError("This view spans every tenant: it needs a platform key (tenant add-key --platform)")
    raise UnauthorizedError("Unknown API key")


#: Path prefix → route, most specific first (the first prefix that matches decides).
_PREFIXES: tuple[tuple[str, Route], ...] = (
    ("/api/v1/ai/ask", ASK_ROUTE),
    ("/api/v1/ai/usage/global", GLOBAL_ROUTE),
    ("/api/v1/ai/usage/", USAGE_ROUTE),
    ("/api/v1/ai/analytics", ANALYTICS_ROUTE),
    ("/api/v1/ai/kb/articles", kb.ARTICLES_ROUTE),
    ("/api/v1/ai/kb/import", kb.IMPORT_ROUTE),
    ("/api/v1/ai/kb", kb.KB_ROUTE),
    ("/api/v1/ai/keys", kb.KEYS_ROUTE),
    ("/api/v1/ai/integrations", kb.INTEGRATIONS_ROUTE),
    ("/api/v1/ai/conversations/bulk-status", BULK_ROUTE),
    ("/api/v1/ai/conversations/", STATUS_ROUTE),
    ("/api/v1/ai/default-handler", HANDLER_ROUTE),
)


def _route(path: str) -> Route:
    if path.startswith("/api/v1/ai/sessions"):
        if re.match(r"^/api/v1/ai/sessions/[^/]+/send/?$", path):
            return sessions.SEND_ROUTE
        return sessions.LIST_ROUTE if re.match(r"^/api/v1/ai/sessions/?$", path) else sessions.SESSION_ROUTE
    return next((route for prefix, route in _PREFIXES if path.startswith(prefix)), CONFIG_ROUTE)


def admin_endpoint(request: flask.Request, deps: AdminDeps) -> flask.Response:
    """Route one request to the admin API."""
    route = _route(request.path)
    found = resolve(request, route)
    if isinstance(found, flask.Response):
        return found
    if route is GLOBAL_ROUTE:
        platform_key(request, deps.tenants)
        return _global_usage(request, deps)
    tenant_id = admin_tenant(request, deps.tenants)
    if route is ASK_ROUTE:
        return _ask(request, deps, tenant_id)
    if route is USAGE_ROUTE:
        return _usage(request, deps, tenant_id)
    if route is ANALYTICS_ROUTE:
        return _analytics(request, deps, tenant_id)
    if route is kb.KB_ROUTE:
        return kb.kb_status(deps.store, tenant_id)
    if route is kb.ARTICLES_ROUTE:
        return kb.kb_articles(deps.store, tenant_id)
    if route is kb.IMPORT_ROUTE:
        return kb.kb_import(request, deps.store, deps.embedder(), tenant_id, deps.tenants.forget)
    if route is kb.KEYS_ROUTE:
        return kb.new_key(request, deps.store, deps.settings, tenant_id, deps.tenants.forget)
    if route is kb.INTEGRATIONS_ROUTE:
        return kb.integrations(request, deps.store, deps.settings, tenant_id)
    if route is sessions.LIST_ROUTE:
        return sessions.list_sessions(request, deps.store, tenant_id)
    if route is sessions.SESSION_ROUTE:
        return sessions.get_session(request, deps.store, tenant_id, found["id"])
    if route is sessions.SEND_ROUTE:
        return _send(request, deps, tenant_id, found["id"])
    if route is BULK_ROUTE:
        return _bulk(request, deps, tenant_id)
    if route is STATUS_ROUTE:
        return _status(request, deps, tenant_id, found["id"])
    if route is HANDLER_ROUTE:
        return _handler(request, deps, tenant_id)
    return _config(request, deps, tenant_id)
