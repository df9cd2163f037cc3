"""The Kommo channel in: ``POST /api/kommo/chat/webhook``, verified, then enqueued or stored.

A Salesbot ``widget_request`` is answered 200 at once and its reply scheduled as a task (the
answer itself is :func:`switchboard.core.kommo_reply.run_kommo_reply`); ``message[add]``
notifications are stored in their conversations. The protocol is in docs/contracts/kommo.md.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import flask

from switchboard.channels.auth import hash_api_key
from switchboard.channels.kommo_wire import KommoAccount, check_return_url, kommo_account, parse_body, verify_token
from switchboard.channels.schemas import KommoAccepted, KommoStored
from switchboard.config import Settings
from switchboard.core.kommo_reply import conversation_key, reply_task
from switchboard.core.models import Message, Role
from switchboard.core.tenants import TenantDirectory
from switchboard.core.turn import conversation_doc_id
from switchboard.errors import (
    ConfigurationError,
    InvalidInputError,
    PayloadTooLargeError,
    UnauthorizedError,
)
from switchboard.http import json_response, read_body
from switchboard.routing import Route, match_path
from switchboard.store.base import TurnStore
from switchboard.tasks.base import TaskQueue

log = logging.getLogger(__name__)

ROUTE = Route(re.compile(r"^/api/kommo/chat/webhook/?$"))
_MESSAGE_ID = re.compile(r"^[A-Za-z0-9_:-]{1,100}$")


@dataclass
class KommoInbound:
    """What the Kommo webhook needs: settings, tenants, the queue and the conversation store."""

    settings: Settings
    tenants: TenantDirectory
    queue: TaskQueue | None
    store: TurnStore


def _clean(value: Any) -> str:
    """A Salesbot variable that Kommo could not fill arrives as ``{{...}}``: treat it as empty."""
    text = "" if value is None else str(value).strip()
    return "" if "{{" in text else text


def _enqueue_reply(deps: KommoInbound, tenant_id: str, return_url: str, payload: dict[str, Any]) -> None:
    if deps.queue is None:
        raise ConfigurationError("No task queue is configured (TASKS_TARGET_URL)")
    # Named after the return_url: a repeated widget_request schedules the same task.
    deps.queue.enqueue(reply_task(tenant_id, return_url, payload))


def accept_widget_request(
    deps: KommoInbound, tenant_id: str, return_url: str, data: dict[str, Any], claims: dict[str, Any]
) -> None:
    """Validate the widget's data and schedule the reply (nothing else happens before the 200)."""
    message = _clean(data.get("message"))
    if not message:
        raise InvalidInputError("data[message] is empty")
    limit = deps.settings.max_message_chars
    if len(message) > limit:
        raise PayloadTooLargeError(f"data[message] is over {limit} characters")
    lead = _clean(data.get("lead_id")) or (
        str(claims.get("entity_id", "")) if str(claims.get("entity_type")) == "2" else ""
    )
    payload = {
        "message": message,
        "lead_id": lead,
        "contact_id": _clean(data.get("contact_id")),
        "contact_name": _clean(data.get("contact_name")),
        "chat_id": _clean(data.get("chat_id")) or _clean(data.get("talk_id")),
        "reply_mode": "json" if _clean(data.get("reply_mode")) == "json" else "bubbles",
    }
    conversation_key(payload["lead_id"], payload["contact_id"], payload["chat_id"])  # refuse before enqueueing
    _enqueue_reply(deps, tenant_id, return_url, payload)
    log.info("kommo widget_request accepted", extra={"tenant": tenant_id, "chars": len(message)})


def _author_name(item: dict[str, Any]) -> str:
    author = item.get("author")
    return _clean(author.get("name")) if isinstance(author, dict) else ""


def accept_notification(
    deps: KommoInbound, tenant_id: str, body: dict[str, Any], account: KommoAccount, return_url: str | None
) -> int:
    """Store ``message[add]`` messages in their conversations; answer one if a return_url came."""
    sent_account = _clean((body.get("account") or {}).get("id") if isinstance(body.get("account"), dict) else None)
    sent_account = sent_account or _clean(body.get("account_id"))
    if sent_account and account.account_id is not None and sent_account != str(account.account_id):
        raise UnauthorizedError("Notification is for another Kommo account")
    items = [v for _, v in sorted(body["message"]["add"].items()) if isinstance(v, dict)]
    if not items:
        raise InvalidInputError("message[add] holds no message")
    answered = (
        next((i for i in reversed(items) if i.get("type", "incoming") != "outgoing"), None) if return_url else None
    )
    stored = 0
    for item in items:
        lead = _clean(item.get("element_id")) if _clean(item.get("element_type")) in ("2", "leads") else ""
        contact, chat = _clean(item.get("contact_id")), _clean(item.get("chat_id")) or _clean(item.get("talk_id"))
        key = conversation_key(lead, contact, chat)
        text = _clean(item.get("text"))
        if item is answered:
            payload = {
                "message": text,
                "lead_id": lead,
                "contact_id": contact,
                "contact_name": _author_name(item),
                "chat_id": _clean(item.get("chat_id")),
                "reply_mode": "bubbles",
            }
            _enqueue_reply(deps, tenant_id, str(return_url), payload)
            continue  # the reply's turn stores it
        if not text:
            continue
        seed = _clean(item.get("id"))
        if not _MESSAGE_ID.match(seed):  # Kommo's ids are short tokens; anything else is hashed
            seed = hashlib.sha256(f"{key}|{seed}|{text}|{item.get('created_at')}".encode()).hexdigest()[:24]
        # Outgoing messages are written by the business's staff or bots, not by us: kept in the
        # history but never shown to the model as its own turns (nor as the customer's).
        outgoing = item.get("type") == "outgoing"
        role: Role = "assistant" if outgoing else "user"
        limit = deps.settings.max_message_chars
        message = Message(f"kommo-{seed}", role, text[:limit], datetime.now(UTC))
        author = item.get("author") if isinstance(item.get("author"), dict) else {}
        meta: dict[str, Any] = {"source": "kommo_notification", "author": author, "truncated": len(text) > limit}
        doc_id = conversation_doc_id("kommo", key)
        if deps.store.append_message(tenant_id, doc_id, message, {"channel": "kommo"}, meta, in_context=not outgoing):
            stored += 1
    return stored


def _tenant_of(request: flask.Request, deps: KommoInbound, key_required: bool) -> str:
    """The tenant named by the webhook URL's ``?key=`` (each tenant has its own Kommo key;
    KOMMO_WEBHOOK_SECRET is the default tenant's). Without a key only the default tenant is served,
    only where the request is signed (a widget_request's JWT) and only while KOMMO_WEBHOOK_SECRET is unset.

    Raises:
        UnauthorizedError: A wrong key, a missing one where it is required, or ``?tenant=`` naming
            another tenant than the key's.
    """
    key = request.args.get("key", "")
    tenant: str | None = None
    if key:
        tenant = deps.tenants.tenant_for_key(hash_api_key(key), "kommo")
        secret = deps.settings.kommo_webhook_secret
        if tenant is None and secret and hmac.compare_digest(key.encode(), secret.get_secret_value().encode()):
            tenant = deps.settings.default_tenant
        if tenant is None:
            raise UnauthorizedError("Wrong key in the webhook URL")
    elif key_required:
        raise UnauthorizedError("Notifications need the tenant's Kommo key as ?key= on the webhook URL")
    elif deps.settings.kommo_webhook_secret is not None:
        raise UnauthorizedError("Missing key in the webhook URL")
    else:
        tenant = deps.settings.default_tenant
    named = request.args.get("tenant")
    if named is not None and named != tenant:
        raise UnauthorizedError("The webhook key belongs to another tenant")
    return tenant


def kommo_webhook_endpoint(request: flask.Request, deps: KommoInbound) -> flask.Response:
    """``POST /api/kommo/chat/webhook``: verify, enqueue the reply, answer 200 at once."""
    match_path(request, ROUTE)
    body = parse_body(read_body(request), request.content_type or "")
    s = deps.settings
    if "token" in body and "return_url" in body:
        tenant_id = _tenant_of(request, deps, key_required=False)
        if s.kommo_client_secret is None:
            raise ConfigurationError("KOMMO_CLIENT_SECRET is not set")
        account = kommo_account(deps.tenants, deps.settings, tenant_id)
        claims = verify_token(str(body["token"]), s.kommo_client_secret.get_secret_value(), account, s.kommo_jwt_leeway)
        subdomain = str(claims.get("subdomain") or account.subdomain or "")
        return_url = check_return_url(str(body["return_url"]), subdomain, s.kommo_return_hosts)
        raw_data = body.get("data")
        data: dict[str, Any] = raw_data if isinstance(raw_data, dict) else {}
        accept_widget_request(deps, tenant_id, return_url, data, claims)
        return json_response(KommoAccepted(status="accepted").model_dump())
    if isinstance(body.get("message"), dict) and isinstance(body["message"].get("add"), dict):
        tenant_id = _tenant_of(request, deps, key_required=True)
        account = kommo_account(deps.tenants, deps.settings, tenant_id)
        given = body.get("return_url")
        reply_url = check_return_url(str(given), account.subdomain, s.kommo_return_hosts) if given else None
        stored = accept_notification(deps, tenant_id, body, account, reply_url)
        return json_response(KommoStored(status="stored", messages=stored, reply=bool(reply_url)).model_dump())
    raise InvalidInputError("Not a Kommo widget_request (token, data, return_url) or message[add] notification")
