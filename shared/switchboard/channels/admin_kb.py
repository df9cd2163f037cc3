"""The admin API's knowledge base, keys and integration details (docs/admin.md):

- ``GET /api/v1/ai/kb/``: the serving version and its size;
- ``GET /api/v1/ai/kb/articles/``: its articles;
- ``POST /api/v1/ai/kb/import/``: upload JSONL or Markdown files as a new version (merged, or
  replacing), published only once written completely (a failed import leaves the old one serving);
- ``POST /api/v1/ai/keys/``: a new chat key, or a Kommo webhook key with the account it answers;
- ``GET /api/v1/ai/integrations/``: the URLs a business pastes into its CRM, Kommo and Chatwoot.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import replace
from typing import Any, Literal

import flask
from pydantic import BaseModel, ConfigDict, Field

from switchboard.channels.auth import hash_api_key
from switchboard.config import Settings
from switchboard.core.models import Tenant
from switchboard.errors import InvalidInputError
from switchboard.http import decode_json, json_response, parse_model, read_body
from switchboard.knowledge.articles import articles_from_files
from switchboard.knowledge.importer import import_articles
from switchboard.llm.base import Embedder
from switchboard.routing import Route
from switchboard.store.base import TurnStore

KB_ROUTE = Route(re.compile(r"^/api/v1/ai/kb/?$"), canonical=lambda p: "/api/v1/ai/kb/", methods=("GET",))
ARTICLES_ROUTE = Route(
    re.compile(r"^/api/v1/ai/kb/articles/?$"), canonical=lambda p: "/api/v1/ai/kb/articles/", methods=("GET",)
)
IMPORT_ROUTE = Route(
    re.compile(r"^/api/v1/ai/kb/import/?$"), canonical=lambda p: "/api/v1/ai/kb/import/", methods=("POST",)
)
KEYS_ROUTE = Route(re.compile(r"^/api/v1/ai/keys/?$"), canonical=lambda p: "/api/v1/ai/keys/", methods=("POST",))
INTEGRATIONS_ROUTE = Route(
    re.compile(r"^/api/v1/ai/integrations/?$"), canonical=lambda p: "/api/v1/ai/integrations/", methods=("GET",)
)
#: An upload's body may be this large (the other endpoints take 1 MB), and hold this many articles:
#: embedding and writing them must fit in the function's time limit.
IMPORT_MAX_BYTES = 20_000_000
IMPORT_MAX_ARTICLES = 5_000
SUBDOMAIN = r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"


class KbOut(BaseModel):
    version: int = Field(description="The serving version (0: no knowledge base yet)")
    articles: int


class ArticleOut(BaseModel):
    id: str
    title: str
    entry_type: str
    url: str | None
    tags: list[str]
    characters: int


class ArticlesOut(BaseModel):
    version: int
    count: int
    articles: list[ArticleOut]


class UploadedFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\\]+$")
    content: str


class ImportIn(BaseModel):
    """Files to import: ``.jsonl`` (one article per line: id, title, body, url?, tags?, entry_type?)
    or ``.md`` (one article each; front matter optional)."""

    model_config = ConfigDict(extra="forbid")

    files: list[UploadedFile] = Field(min_length=1, max_length=2000)
    replace: bool = Field(False, description="Drop the articles the files do not hold (default: merge by id)")


class ImportOut(BaseModel):
    version: int = Field(description="The new serving version")
    previous_version: int
    articles: int = Field(description="Articles in the new version")
    chunks: int
    imported: int = Field(description="Articles the files held")


class KeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["chat", "kommo"]
    kommo_account_id: int | None = Field(None, ge=1, le=2**53, description="kommo: the Kommo account's id")
    kommo_subdomain: str | None = Field(None, pattern=SUBDOMAIN, description="kommo: {subdomain}.kommo.com")


class KeyOut(BaseModel):
    kind: Literal["chat", "kommo"]
    key: str = Field(description="Shown once; stored hashed")
    webhook_url: str | None = Field(None, description="kommo: the URL to paste into the Kommo integration")


def _tenant(store: TurnStore, tenant_id: str) -> Tenant:
    return store.get_tenant(tenant_id) or Tenant(id=tenant_id)


def kb_status(store: TurnStore, tenant_id: str) -> flask.Response:
    tenant = _tenant(store, tenant_id)
    meta = store.load_kb_meta(tenant_id, tenant.kb_version) if tenant.kb_version else None
    count = int((meta or {}).get("articles", 0))
    return json_response(KbOut(version=tenant.kb_version, articles=count).model_dump())


def kb_articles(store: TurnStore, tenant_id: str) -> flask.Response:
    tenant = _tenant(store, tenant_id)
    found = store.list_articles(tenant_id) if tenant.kb_version else []
    rows = [
        ArticleOut(
            id=a.id, title=a.title, entry_type=a.entry_type, url=a.url, tags=list(a.tags), characters=len(a.body)
        )
        for a in sorted(found, key=lambda a: a.id)
    ]
    return json_response(ArticlesOut(version=tenant.kb_version, count=len(rows), articles=rows).model_dump())


def kb_import(
    request: flask.Request, store: TurnStore, embedder: Embedder | None, tenant_id: str, forget: Any
) -> flask.Response:
    """Publish the uploaded files as a new version; nothing changes when any file is invalid."""
    body = parse_model(ImportIn, decode_json(read_body(request, IMPORT_MAX_BYTES)))
    names = [f.name for f in body.files]
    if len(set(names)) != len(names):
        raise InvalidInputError("two files have the same name")
    articles = articles_from_files([(f.name, f.content) for f in body.files])
    if len(articles) > IMPORT_MAX_ARTICLES:
        raise InvalidInputError(
            f"{len(articles)} articles in one upload; at most {IMPORT_MAX_ARTICLES} (larger knowledge bases: "
            "switchboard kb import, which has no time limit)"
        )
    before = _tenant(store, tenant_id).kb_version
    report = import_articles(store, tenant_id, articles, replace=body.replace, embedder=embedder)
    forget(tenant_id)  # this instance's next turn searches the new version at once
    out = ImportOut(
        version=report.version,
        previous_version=before,
        articles=report.articles,
        chunks=report.chunks,
        imported=len(articles),
    )
    return json_response(out.model_dump())


def base_url(request: flask.Request, settings: Settings) -> str:
    """The public base URL: PUBLIC_BASE_URL, else the one this request came in on."""
    return (settings.public_base_url or request.host_url).rstrip("/")


def new_key(
    request: flask.Request, store: TurnStore, settings: Settings, tenant_id: str, forget: Any
) -> flask.Response:
    body = parse_model(KeyIn, read_json_body(request))
    if body.kind == "chat":
        key = "sb_" + secrets.token_urlsafe(32)
        store.add_api_key(hash_api_key(key), tenant_id)
        return json_response(KeyOut(kind="chat", key=key).model_dump(), 201)
    if body.kommo_account_id is None or body.kommo_subdomain is None:
        raise InvalidInputError("a Kommo key needs kommo_account_id and kommo_subdomain")
    tenant = _tenant(store, tenant_id)
    kommo = {"account_id": body.kommo_account_id, "subdomain": body.kommo_subdomain}
    store.save_tenant(replace(tenant, settings=replace(tenant.settings, kommo=kommo)))
    forget(tenant_id)
    key = "kw_" + secrets.token_urlsafe(32)
    store.revoke_keys(tenant_id, "kommo")  # a reconnection replaces the webhook URL: the old one stops working
    store.add_api_key(hash_api_key(key), tenant_id, kind="kommo")
    url = f"{base_url(request, settings)}/api/kommo/chat/webhook?key={key}"
    return json_response(KeyOut(kind="kommo", key=key, webhook_url=url).model_dump(), 201)


def read_json_body(request: flask.Request) -> Any:
    return decode_json(read_body(request))


def integrations(request: flask.Request, store: TurnStore, settings: Settings, tenant_id: str) -> flask.Response:
    """What to paste where, and which connections this deployment has."""
    base = base_url(request, settings)
    kommo = _tenant(store, tenant_id).settings.kommo
    out: dict[str, Any] = {
        "base_url": base,
        "crm": {
            "chat_url": f"{base}/api/agent/customer/",
            "failure_url": f"{base}/api/agent-failure/",
            "feedback_url": f"{base}/api/feedback",
            "openapi_url": f"{base}/api/openapi.json",
        },
        "widget": {"script_url": f"{base}/widget/widget.js", "demo_url": f"{base}/widget/demo.html"},
        "kommo": {
            "connected": bool(kommo),
            "account_id": kommo.get("account_id"),
            "subdomain": kommo.get("subdomain"),
            "webhook_url": f"{base}/api/kommo/chat/webhook?key=",
        },
        "chatwoot": {
            "bot_url": f"{base}/api/chatwoot/bot",
            "bot_configured": settings.chatwoot_bot_configured,
            "webhook_url": f"{base}/api/webhooks/chatwoot",
            "desk_configured": settings.chatwoot_configured,
            "sso_configured": settings.chatwoot_platform_configured,
        },
        "freshdesk_configured": settings.freshdesk_configured,
        "email_configured": settings.email_transport != "none",
        "teams_configured": settings.teams_webhook_url is not None,
    }
    return json_response(out)
