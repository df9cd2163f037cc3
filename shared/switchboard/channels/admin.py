"""The tenant administration API (``/api/v1/ai/...``), for a business's own back office.

Authenticated with a tenant's **admin** key (``switchboard tenant add-key --role admin``): a chat
key is refused with 403 and an admin key cannot chat. Today it serves the AI configuration:
``GET|PUT /api/v1/ai/config/``. The contract is in docs/admin.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

import flask
from pydantic import BaseModel, ConfigDict, Field

from switchboard.channels.auth import api_key_of, hash_api_key
from switchboard.config import Settings
from switchboard.core.models import PromptParts, Tenant
from switchboard.core.tenants import TenantDirectory
from switchboard.errors import ForbiddenError, UnauthorizedError
from switchboard.http import json_response, parse_model, read_json
from switchboard.routing import Route, resolve
from switchboard.store.base import TurnStore

CONFIG_ROUTE = Route(
    re.compile(r"^/api/v1/ai/config/?$"), canonical=lambda p: "/api/v1/ai/config/", methods=("GET", "PUT")
)
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


@dataclass(frozen=True)
class AdminDeps:
    """What the admin API needs: deployment defaults, the tenant directory and the tenant store."""

    settings: Settings
    tenants: TenantDirectory
    store: TurnStore


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
        overridden=[name for name, value in prompts.items() if value] + [o for o, v in own.items() if v is not None],
    )


def _changed(tenant: Tenant, change: ConfigIn) -> Tenant:
    sent = change.model_dump(exclude_unset=True)
    prompts = {k: (v or "") for k, v in sent.items() if k in PromptParts.__dataclass_fields__}
    models = {_MODEL_FIELDS[k]: v for k, v in sent.items() if k in _MODEL_FIELDS}
    settings = replace(tenant.settings, prompts=replace(tenant.settings.prompts, **prompts), **models)
    return replace(tenant, settings=settings)


def admin_endpoint(request: flask.Request, deps: AdminDeps) -> flask.Response:
    """Route one request to the admin API."""
    found = resolve(request, CONFIG_ROUTE)
    if isinstance(found, flask.Response):
        return found
    tenant_id = admin_tenant(request, deps.tenants)
    tenant = deps.store.get_tenant(tenant_id) or Tenant(id=tenant_id)
    if request.method == "PUT":
        change = parse_model(ConfigIn, read_json(request))
        tenant = _changed(tenant, change)
        deps.store.save_tenant(tenant)
        deps.tenants.forget(tenant_id)  # this instance's next turn follows at once; others within the cache time
    body: dict[str, Any] = config_of(tenant, deps.settings).model_dump()
    return json_response(body)
