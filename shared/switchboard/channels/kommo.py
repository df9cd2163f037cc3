"""Kommo inbound: Salesbot ``widget_request`` bodies and ``message[add]`` notifications.

Kommo's protocol: a ``widget_request`` carries ``token`` (a JWT, HS512 with the integration's
client secret) + ``data`` + ``return_url`` and can be answered by POSTing to ``return_url``;
the general ``message[add][0][...]`` webhook is a notification with no signature (we require a
shared key in the URL). Both may arrive as JSON or as PHP-bracket form encoding.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import flask
import jwt

from switchboard.bootstrap import Services
from switchboard.errors import (
    ConfigurationError,
    InvalidInputError,
    MethodNotAllowedError,
    NotFoundError,
    UnauthorizedError,
)
from switchboard.http import json_response

log = logging.getLogger(__name__)

KOMMO_HOST_SUFFIXES = (".kommo.com", ".amocrm.ru", ".amocrm.com")
_BRACKET = re.compile(r"\[([^\]]*)\]")
_TENANT = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def parse_php_form(raw: str) -> dict[str, Any]:
    """Decode ``a[b][0][c]=v`` form fields into nested dicts (list indices stay string keys)."""
    root: dict[str, Any] = {}
    for key, value in parse_qsl(raw, keep_blank_values=True, strict_parsing=False):
        head = key.split("[", 1)[0]
        parts = [head, *_BRACKET.findall(key[len(head) :])]
        node = root
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        node[parts[-1]] = value
    return root


def parse_body(raw: bytes, content_type: str) -> dict[str, Any]:
    """JSON first (by content type or shape), then PHP-bracket form encoding.

    Raises:
        InvalidInputError: Neither a JSON object nor a form body with fields.
    """
    text = raw.decode("utf-8", errors="strict") if raw else ""
    stripped = text.lstrip()
    if "json" in content_type or stripped.startswith("{"):
        try:
            body = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidInputError(f"Body is not valid JSON: {exc.msg}") from exc
        if not isinstance(body, dict):
            raise InvalidInputError("Body must be a JSON object")
        return body
    body = parse_php_form(text)
    if not body:
        raise InvalidInputError("Body is empty; expected a Kommo widget_request or message notification")
    return body


@dataclass(frozen=True)
class KommoAccount:
    """The Kommo account a tenant is connected to."""

    account_id: int | None
    subdomain: str | None


def verify_token(token: str, secret: str, account: KommoAccount, leeway: float) -> dict[str, Any]:
    """Check the bot's disposable JWT: HS512 with the client secret, exp/nbf/iat, account.

    Raises:
        UnauthorizedError: Bad signature, expired or not yet valid, or another account.
    """
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            secret,
            algorithms=["HS512"],
            options={"verify_aud": False, "require": ["exp"]},
            leeway=leeway,
        )
    except jwt.ExpiredSignatureError as exc:
        raise UnauthorizedError("Kommo token expired") from exc
    except jwt.PyJWTError as exc:
        raise UnauthorizedError(f"Kommo token rejected ({type(exc).__name__})") from exc
    if account.account_id is not None and str(claims.get("account_id")) != str(account.account_id):
        raise UnauthorizedError("Kommo token is for another account")
    if account.subdomain and str(claims.get("subdomain", "")).lower() != account.subdomain.lower():
        raise UnauthorizedError("Kommo token is for another subdomain")
    return claims


def check_return_url(url: str, subdomain: str | None, override_hosts: list[str]) -> str:
    """``https://{subdomain}.kommo.com`` (or amoCRM) only; ``override_hosts`` replaces that list.

    Raises:
        InvalidInputError: Any other host or scheme (nothing is sent to it).
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    netloc = f"{host}:{parts.port}" if parts.port else host
    if override_hosts:
        if parts.scheme in ("http", "https") and (netloc in override_hosts or host in override_hosts):
            return url
        raise InvalidInputError("return_url host is not allowed")
    allowed = {f"{subdomain.lower()}{suffix}" for suffix in KOMMO_HOST_SUFFIXES} if subdomain else set()
    if parts.scheme == "https" and not parts.port and host in allowed:
        return url
    raise InvalidInputError("return_url must be https://{subdomain}.kommo.com (or .amocrm.ru/.amocrm.com)")


def _tenant_of(request: flask.Request, services: Services) -> str:
    tenant = request.args.get("tenant") or services.settings.default_tenant
    if not _TENANT.match(tenant):
        raise NotFoundError("Unknown tenant")
    return tenant


def _account_for(services: Services, tenant_id: str) -> KommoAccount:
    tenant = services.tenants.tenant(tenant_id)
    s = services.settings
    kommo = tenant.settings.kommo if tenant else {}
    account_id = kommo.get("account_id") or (s.kommo_account_id if tenant_id == s.default_tenant else None)
    subdomain = kommo.get("subdomain") or (s.kommo_subdomain if tenant_id == s.default_tenant else None)
    if account_id is None and not subdomain:
        raise ConfigurationError(
            f"Tenant {tenant_id} has no Kommo account configured (KOMMO_ACCOUNT_ID, KOMMO_SUBDOMAIN)"
        )
    return KommoAccount(int(account_id) if account_id is not None else None, subdomain)


def _check_url_key(request: flask.Request, services: Services, required: bool) -> None:
    secret = services.settings.kommo_webhook_secret
    if secret is None:
        if required:
            raise UnauthorizedError("Notifications need KOMMO_WEBHOOK_SECRET and ?key= on the webhook URL")
        return
    given = request.args.get("key", "")
    if not hmac.compare_digest(given.encode(), secret.get_secret_value().encode()):
        raise UnauthorizedError("Wrong or missing key in the webhook URL")


def kommo_webhook_endpoint(request: flask.Request, services: Services) -> flask.Response:
    """``POST /api/kommo/chat/webhook``: verify, enqueue the reply, answer 200 at once."""
    from switchboard.channels.kommo_inbound import accept_notification, accept_widget_request

    if request.path.rstrip("/") != "/api/kommo/chat/webhook":
        raise NotFoundError(f"No such endpoint: {request.path}")
    if request.method != "POST":
        raise MethodNotAllowedError(["POST"])
    body = parse_body(request.get_data(cache=True), request.content_type or "")
    tenant_id = _tenant_of(request, services)
    s = services.settings
    if "token" in body and "return_url" in body:
        _check_url_key(request, services, required=False)
        if s.kommo_client_secret is None:
            raise ConfigurationError("KOMMO_CLIENT_SECRET is not set")
        account = _account_for(services, tenant_id)
        claims = verify_token(str(body["token"]), s.kommo_client_secret.get_secret_value(), account, s.kommo_jwt_leeway)
        subdomain = str(claims.get("subdomain") or account.subdomain or "")
        return_url = check_return_url(str(body["return_url"]), subdomain, s.kommo_return_hosts)
        raw_data = body.get("data")
        data: dict[str, Any] = raw_data if isinstance(raw_data, dict) else {}
        accept_widget_request(services, tenant_id, return_url, data, claims)
        return json_response({"status": "accepted"})
    if isinstance(body.get("message"), dict) and isinstance(body["message"].get("add"), dict):
        _check_url_key(request, services, required=True)
        account = _account_for(services, tenant_id)
        given = body.get("return_url")
        reply_url = check_return_url(str(given), account.subdomain, s.kommo_return_hosts) if given else None
        stored = accept_notification(services, tenant_id, body, account, reply_url)
        return json_response({"status": "stored", "messages": stored, "reply": bool(reply_url)})
    raise InvalidInputError("Not a Kommo widget_request (token, data, return_url) or message[add] notification")
