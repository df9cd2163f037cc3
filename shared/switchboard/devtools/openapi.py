"""Generate the OpenAPI 3.1 document of the public endpoints from the pydantic models.

``switchboard openapi`` writes it to ``docs/openapi.json`` and to the package
(``switchboard/openapi.json``, which ``GET /api/openapi.json`` serves); a test fails when either
is not what this module generates.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from switchboard.channels import schemas
from switchboard.channels.admin import (
    AnalyticsOut,
    AskIn,
    AskOut,
    BulkIn,
    BulkOut,
    ConfigIn,
    ConfigOut,
    GlobalUsageOut,
    HandlerBody,
    StatusIn,
    StatusOut,
    UsageOut,
)
from switchboard.channels.admin_kb import ArticlesOut, ImportIn, ImportOut, KbOut, KeyIn, KeyOut
from switchboard.channels.admin_sessions import SendIn, SessionDetailOut, SessionListOut
from switchboard.channels.crm import AGENT_TYPES, ChatRequest
from switchboard.channels.escalation import FailureIn, FeedbackIn, TicketIn
from switchboard.channels.support_sso import SsoOut
from switchboard.validators import EMAIL, ONE_LINE

REPO = Path(__file__).resolve().parents[3]
PACKAGED = Path(__file__).resolve().parents[1] / "openapi.json"
DOCS = REPO / "docs" / "openapi.json"
REF = "#/components/schemas/{model}"

ERRORS = {
    "400": "Not JSON, not UTF-8, or nested too deeply",
    "401": "Missing or unknown API key (when anonymous access is off)",
    "403": "A valid key without the right role (a chat key on the admin API)",
    "404": "Unknown path",
    "405": "Method not allowed (see Allow)",
    "409": "A conflict: an Idempotency-Key used before for another request, or a change not allowed now (the detail says why)",
    "413": "Body over 1 MB, or a message over MAX_MESSAGE_CHARS",
    "422": "A field is missing or invalid (errors names each)",
    "503": "A dependency is unavailable; retry later",
}


def _schemas(*models: type[BaseModel]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for model in models:
        schema = model.model_json_schema(ref_template=REF)
        for name, sub in schema.pop("$defs", {}).items():
            out[name] = sub
        out[model.__name__] = schema
    return out


def _json(model: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": REF.format(model=model)}}}}


def _errors(*codes: str) -> dict[str, Any]:
    return {code: _json("ErrorOut", ERRORS[code]) for code in codes}


def _body(model: str, required: bool = True) -> dict[str, Any]:
    return {"required": required, "content": {"application/json": {"schema": {"$ref": REF.format(model=model)}}}}


def _query(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema}


# ---- Chatwoot single sign-on (docs/support-sso.md): its own block, merged into document()'s paths
def _support_sso_paths() -> dict[str, Any]:
    """``GET /api/support/sso``."""
    return {
        "/api/support/sso": {
            "get": {
                "operationId": "supportSso",
                "summary": "A one-time login link into the Chatwoot dashboard for one of the tenant's people "
                "(admin key); the first call makes their Chatwoot user and adds it to the desk as an agent",
                "security": [{"bearer": []}, {"apiKey": []}],
                "parameters": [
                    {
                        "name": "email",
                        "in": "query",
                        "required": True,
                        "description": "The dashboard user's email (the key, lower-cased)",
                        "schema": {"type": "string", "maxLength": 254, "pattern": EMAIL},
                    },
                    {
                        "name": "name",
                        "in": "query",
                        "required": True,
                        "description": "The name the Chatwoot user is made with (the first time only)",
                        "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": ONE_LINE},
                    },
                ],
                "responses": {
                    "200": _json("SsoOut", "The link (Cache-Control: no-store)"),
                    "409": _json("ErrorOut", "Chatwoot has a user with this email that Switchboard did not make"),
                    "502": _json("ErrorOut", "Chatwoot refused the platform token, or access to the account"),
                    "503": _json("ErrorOut", "Chatwoot is unavailable, or single sign-on is not configured"),
                    **_errors("400", "401", "403", "404", "405"),
                },
            }
        }
    }


def document() -> dict[str, Any]:
    """The OpenAPI 3.1 document."""
    auth: list[dict[str, list[str]]] = [{"bearer": []}, {"apiKey": []}, {}]
    admin_auth: list[dict[str, list[str]]] = [{"bearer": []}, {"apiKey": []}]
    session_id = {
        "name": "session_id",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "pattern": "^[^/]{1,300}$"},
    }
    failure_id = {
        "name": "failure_id",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "pattern": "^[A-Za-z0-9-]{1,64}$"},
    }
    idempotency = {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "description": (
            "Send the same key again when retrying this request (after a 503, a timeout or a lost "
            "answer): the first answer comes back and nothing is stored twice. For the chat "
            "endpoint the key is matched within the session, so retries must repeat the session_id."
        ),
        "schema": {"type": "string", "pattern": "^[\\x21-\\x7e]{1,255}$"},
    }
    paths: dict[str, Any] = {
        "/api/agent/{agent_type}/": {
            "post": {
                "operationId": "chat",
                "summary": "Answer one customer message from the tenant's knowledge base",
                "security": auth,
                "parameters": [
                    {
                        "name": "agent_type",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "enum": list(AGENT_TYPES)},
                    },
                    idempotency,
                ],
                "requestBody": _body("ChatRequest"),
                "responses": {
                    "200": _json("ChatResponse", "The reply, its confidence and sources"),
                    "429": {
                        **_json("RateLimited", "The user's answers for this window are used up"),
                        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                    },
                    **_errors("400", "401", "404", "405", "409", "413", "422", "503"),
                },
            }
        },
        "/api/agent-failure/": {
            "post": {
                "operationId": "recordFailure",
                "summary": "Record that the agent could not help (an escalation)",
                "security": auth,
                "parameters": [idempotency],
                "requestBody": _body("FailureIn"),
                "responses": {
                    "200": _json("FailureCreated", "The failure's id"),
                    **_errors("400", "401", "404", "405", "409", "413", "422", "503"),
                },
            }
        },
        "/api/agent-failure/{failure_id}/create-ticket": {
            "post": {
                "operationId": "createTicket",
                "summary": "The customer accepted a ticket: one ticket per failure, however often called",
                "security": auth,
                "parameters": [failure_id],
                "requestBody": _body("TicketIn", required=False),
                "responses": {
                    "200": _json("TicketOut", "The ticket (created now or earlier)"),
                    "202": _json("TicketQueued", "The help desk is slow: the ticket is made in the background"),
                    "409": _json("ErrorOut", "The failure was declined"),
                    "502": _json("ErrorOut", "The help desk refused the ticket"),
                    **_errors("400", "401", "404", "405", "413", "422", "503"),
                },
            }
        },
        "/api/agent-failure/{failure_id}/decline": {
            "post": {
                "operationId": "declineTicket",
                "summary": "The customer declined a ticket",
                "security": auth,
                "parameters": [failure_id],
                "responses": {
                    "200": _json("Success", "Declined (again: still 200)"),
                    "409": _json("ErrorOut", "The failure already has a ticket, or one is being made"),
                    **_errors("401", "404", "405", "503"),
                },
            }
        },
        "/api/feedback": {
            "post": {
                "operationId": "feedback",
                "summary": "Rate one reply (once per message)",
                "security": auth,
                "requestBody": _body("FeedbackIn"),
                "responses": {
                    "200": _json("Success", "Recorded"),
                    "409": _json("ErrorOut", "The message was already rated; the first rating is kept"),
                    **_errors("400", "401", "404", "405", "413", "422", "503"),
                },
            }
        },
        "/api/health": {
            "get": {
                "operationId": "health",
                "summary": "Every configured dependency's state",
                "responses": {
                    "200": _json("HealthOut", "Healthy or degraded"),
                    "503": _json("HealthOut", "Down: Firestore, or every dependency"),
                },
            }
        },
        "/api/v1/ai/config/": {
            "get": {
                "operationId": "getConfig",
                "summary": "The tenant's AI configuration as it applies now (admin key)",
                "security": [{"bearer": []}, {"apiKey": []}],
                "responses": {
                    "200": _json("ConfigOut", "Prompt parts, model, temperature, max tokens, threshold"),
                    **_errors("401", "403", "404", "405", "503"),
                },
            },
            "put": {
                "operationId": "changeConfig",
                "summary": "Change the AI configuration; fields sent change, null returns one to the default",
                "security": [{"bearer": []}, {"apiKey": []}],
                "requestBody": _body("ConfigIn"),
                "responses": {
                    "200": _json("ConfigOut", "The configuration after the change"),
                    **_errors("400", "401", "403", "404", "405", "413", "422", "503"),
                },
            },
        },
        "/api/v1/ai/ask/": {
            "post": {
                "operationId": "ask",
                "summary": "Ask the AI on a customer's behalf (admin key); the customer's conversation is ask:{customer_id}",
                "security": [{"bearer": []}, {"apiKey": []}],
                "requestBody": _body("AskIn"),
                "responses": {
                    "200": _json("AskOut", "The answer"),
                    "429": {
                        **_json("RateLimited", "The customer's answers for this window are used up"),
                        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                    },
                    **_errors("400", "401", "403", "404", "405", "413", "422", "503"),
                },
            }
        },
        "/api/v1/ai/usage/stats/": {
            "get": {
                "operationId": "usageStats",
                "summary": "The tenant's usage per day and in total over the last N days (admin key)",
                "security": [{"bearer": []}, {"apiKey": []}],
                "parameters": [
                    {
                        "name": "days",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "integer", "minimum": 1, "maximum": 366, "default": 30},
                    }
                ],
                "responses": {
                    "200": _json("UsageOut", "Requests, AI replies, LLM calls, tokens, cost, escalations by reason"),
                    **_errors("400", "401", "403", "404", "405", "503"),
                },
            }
        },
        "/api/v1/ai/default-handler/": {
            op: {
                "operationId": f"{op}DefaultHandler",
                "summary": "Who new conversations start with: AI or Manual (admin key)",
                "security": [{"bearer": []}, {"apiKey": []}],
                **({"requestBody": _body("HandlerBody")} if op == "put" else {}),
                "responses": {
                    "200": _json("HandlerBody", "The default handler"),
                    **_errors(*(["400", "413", "422"] if op == "put" else []), "401", "403", "404", "405", "503"),
                },
            }
            for op in ("get", "put")
        },
        "/api/v1/ai/conversations/{conversation_id}/status/": {
            op: {
                "operationId": f"{op}ConversationStatus",
                "summary": "Whether the AI (active) or people (support_active) answer a conversation (admin key)",
                "security": [{"bearer": []}, {"apiKey": []}],
                "parameters": [
                    {
                        "name": "conversation_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "pattern": "^[^/]{1,300}$"},
                    }
                ],
                **({"requestBody": _body("StatusIn")} if op == "put" else {}),
                "responses": {
                    "200": _json("StatusOut", "The conversation's status"),
                    **_errors(
                        *(["400", "409", "413", "422"] if op == "put" else []), "401", "403", "404", "405", "503"
                    ),
                },
            }
            for op in ("get", "put")
        },
        "/api/v1/ai/conversations/bulk-status/": {
            "put": {
                "operationId": "bulkStatus",
                "summary": "Set the status of up to 100 conversations (admin key)",
                "security": [{"bearer": []}, {"apiKey": []}],
                "requestBody": _body("BulkIn"),
                "responses": {
                    "200": _json("BulkOut", "Which were updated and which do not exist"),
                    **_errors("400", "401", "403", "404", "405", "409", "413", "422", "503"),
                },
            }
        },
        # ---- admin API: knowledge base, keys, integrations (the console uses them)
        "/api/v1/ai/kb/": {
            "get": {
                "operationId": "knowledgeBase",
                "summary": "The serving knowledge-base version and its size (admin key)",
                "security": admin_auth,
                "responses": {
                    "200": _json("KbOut", "Version and articles"),
                    **_errors("401", "403", "404", "405", "503"),
                },
            }
        },
        "/api/v1/ai/kb/articles/": {
            "get": {
                "operationId": "knowledgeBaseArticles",
                "summary": "The serving version's articles (admin key)",
                "security": admin_auth,
                "responses": {
                    "200": _json("ArticlesOut", "Every article"),
                    **_errors("401", "403", "404", "405", "503"),
                },
            }
        },
        "/api/v1/ai/kb/import/": {
            "post": {
                "operationId": "importKnowledgeBase",
                "summary": "Upload .jsonl/.md files as a new version, merged or replacing; nothing changes on any error (admin key)",
                "security": admin_auth,
                "requestBody": _body("ImportIn"),
                "responses": {
                    "200": _json("ImportOut", "The new version is serving"),
                    **_errors("400", "401", "403", "404", "405", "413", "422", "503"),
                },
            }
        },
        "/api/v1/ai/keys/": {
            "post": {
                "operationId": "newKey",
                "summary": "A new chat key, or a Kommo webhook key with the Kommo account it answers (admin key)",
                "security": admin_auth,
                "requestBody": _body("KeyIn"),
                "responses": {
                    "201": _json("KeyOut", "The key, shown once"),
                    **_errors("400", "401", "403", "404", "405", "413", "422", "503"),
                },
            }
        },
        "/api/v1/ai/integrations/": {
            "get": {
                "operationId": "integrations",
                "summary": "The URLs to paste into the CRM, Kommo and Chatwoot, and which connections are configured (admin key)",
                "security": admin_auth,
                "responses": {
                    "200": {
                        "description": "URLs and connections",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                    **_errors("401", "403", "404", "405", "503"),
                },
            }
        },
        # ---- admin API: sessions, analytics, the platform view
        "/api/v1/ai/sessions/": {
            "get": {
                "operationId": "listSessions",
                "summary": "Every channel's conversations of the tenant, most recently active first (admin key)",
                "security": admin_auth,
                "parameters": [
                    _query("status", {"type": "string", "enum": ["active", "support_active"]}),
                    _query("channel", {"type": "string", "pattern": "^[a-z_]{1,40}$"}),
                    _query("page_size", {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}),
                    _query("page_token", {"type": "string", "maxLength": 1000}),
                ],
                "responses": {
                    "200": _json("SessionListOut", "One page of sessions and the next page's token"),
                    **_errors("400", "401", "403", "404", "405", "503"),
                },
            }
        },
        "/api/v1/ai/sessions/{session_id}/": {
            "get": {
                "operationId": "getSession",
                "summary": "One session with its messages, oldest first (admin key)",
                "security": admin_auth,
                "parameters": [
                    session_id,
                    _query("page_size", {"type": "integer", "minimum": 1, "maximum": 500, "default": 100}),
                    _query("page_token", {"type": "string", "maxLength": 1000}),
                ],
                "responses": {
                    "200": _json("SessionDetailOut", "The session and a page of its messages"),
                    **_errors("400", "401", "403", "404", "405", "503"),
                },
            }
        },
        "/api/v1/ai/sessions/{session_id}/send/": {
            "post": {
                "operationId": "sendToSession",
                "summary": "Ask the next question in a session opened by ask (admin key); a channel's session is 409",
                "security": admin_auth,
                "parameters": [session_id],
                "requestBody": _body("SendIn"),
                "responses": {
                    "200": _json("AskOut", "The answer"),
                    "429": {
                        **_json("RateLimited", "The customer's answers for this window are used up"),
                        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                    },
                    **_errors("400", "401", "403", "404", "405", "409", "413", "422", "503"),
                },
            }
        },
        "/api/v1/ai/analytics/": {
            "get": {
                "operationId": "analytics",
                "summary": "The daily rollups from `from` to `to` (default: the last 30 days; admin key)",
                "security": admin_auth,
                "parameters": [
                    _query("from", {"type": "string", "format": "date"}),
                    _query("to", {"type": "string", "format": "date"}),
                ],
                "responses": {
                    "200": _json("AnalyticsOut", "The rollups of the range"),
                    **_errors("400", "401", "403", "404", "405", "503"),
                },
            }
        },
        "/api/v1/ai/usage/global/": {
            "get": {
                "operationId": "usageGlobal",
                "summary": "Every tenant's usage over the last N days (platform key: tenant add-key --platform)",
                "security": admin_auth,
                "parameters": [_query("days", {"type": "integer", "minimum": 1, "maximum": 366, "default": 30})],
                "responses": {
                    "200": _json("GlobalUsageOut", "Usage summed over every tenant, per day, and each tenant's totals"),
                    **_errors("400", "401", "403", "404", "405", "503"),
                },
            }
        },
        "/api/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This document",
                "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {}}}},
            }
        },
    }
    paths.update(_support_sso_paths())
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Switchboard",
            "version": "1",
            "description": (
                "The public HTTP API: the CRM chat API, escalations and feedback, health, and the tenant "
                "administration API (/api/v1/ai/, with an admin key). The Kommo and "
                "Chatwoot webhooks (the desk's and the agent bot's) follow those vendors' protocols, and the bot's "
                "email verification page is for browsers (docs/contracts/); the tasks function is private."
            ),
        },
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "The tenant's API key"},
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
            },
            "schemas": dict(
                sorted(
                    _schemas(
                        ChatRequest,
                        FailureIn,
                        TicketIn,
                        FeedbackIn,
                        ConfigIn,
                        ConfigOut,
                        AskIn,
                        AskOut,
                        UsageOut,
                        GlobalUsageOut,
                        AnalyticsOut,
                        SessionListOut,
                        SessionDetailOut,
                        SendIn,
                        KbOut,
                        ArticlesOut,
                        ImportIn,
                        ImportOut,
                        KeyIn,
                        KeyOut,
                        HandlerBody,
                        StatusIn,
                        StatusOut,
                        BulkIn,
                        BulkOut,
                        schemas.ChatResponse,
                        schemas.FailureCreated,
                        schemas.TicketOut,
                        schemas.TicketQueued,
                        schemas.Success,
                        schemas.ErrorOut,
                        schemas.RateLimited,
                        schemas.HealthOut,
                        SsoOut,
                    ).items()
                )
            ),
        },
    }


def rendered() -> str:
    """The document as written to disk (stable key order, trailing newline)."""
    return json.dumps(document(), indent=2, ensure_ascii=False) + "\n"


def write() -> list[Path]:
    """Write the document to docs/ and to the package; returns the paths written."""
    text = rendered()
    for path in (DOCS, PACKAGED):
        path.write_text(text, encoding="utf-8")
    return [DOCS, PACKAGED]
