"""Kommo inbound wire format: body parsing, the Salesbot JWT, the ``return_url`` allow-list.

Kommo's protocol: a ``widget_request`` carries ``token`` (a JWT, HS512 with the integration's
client secret) + ``data`` + ``return_url`` and can be answered by POSTing to ``return_url``;
the general ``message[add][0][...]`` webhook is a notification with no signature (we require a
shared key in the URL). Both may arrive as JSON or as PHP-bracket form encoding. The protocol is
described in docs/contracts/kommo.md.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import jwt

from switchboard.config import Settings
from switchboard.core.tenants import TenantDirectory
from switchboard.errors import ConfigurationError, InvalidInputError, UnauthorizedError
from switchboard.http import decode_json

#: The longest remaining lifetime a bot token may have (Kommo issues short-lived ones for one step).
MAX_TOKEN_LIFETIME_SECONDS = 3600
KOMMO_HOST_SUFFIXES = (".kommo.com", ".amocrm.ru", ".amocrm.com")
_BRACKET = re.compile(r"\[([^\]]*)\]")


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
    try:
        text = raw.decode("utf-8", errors="strict") if raw else ""
    except UnicodeDecodeError as exc:
        raise InvalidInputError("Body is not UTF-8") from exc
    stripped = text.lstrip()
    if "json" in content_type or stripped.startswith("{"):
        body = decode_json(text)
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
    try:
        expires = float(claims["exp"])
    except (TypeError, ValueError) as exc:
        raise UnauthorizedError("Kommo token has no usable exp") from exc
    if expires - time.time() > MAX_TOKEN_LIFETIME_SECONDS + leeway:
        # Kommo's bot tokens are disposable: one valid for longer is not one Kommo made for a step.
        raise UnauthorizedError("Kommo token lives too long")
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


def kommo_account(tenants: TenantDirectory, settings: Settings, tenant_id: str) -> KommoAccount:
    """The Kommo account a tenant is connected to (its settings; the default tenant may use the
    KOMMO_ACCOUNT_ID / KOMMO_SUBDOMAIN variables).

    Raises:
        ConfigurationError: The tenant has no Kommo account.
    """
    tenant = tenants.tenant(tenant_id)
    kommo = tenant.settings.kommo if tenant else {}
    default = tenant_id == settings.default_tenant
    account_id = kommo.get("account_id") or (settings.kommo_account_id if default else None)
    subdomain = kommo.get("subdomain") or (settings.kommo_subdomain if default else None)
    if account_id is None and not subdomain:
        raise ConfigurationError(
            f"Tenant {tenant_id} has no Kommo account configured (KOMMO_ACCOUNT_ID, KOMMO_SUBDOMAIN)"
        )
    return KommoAccount(int(account_id) if account_id is not None else None, subdomain)


def reply_url_check(tenants: TenantDirectory, settings: Settings) -> Callable[[str, str], str]:
    """Checks, before anything is sent, that a reply task's ``return_url`` is its tenant's Kommo."""

    def check(tenant_id: str, url: str) -> str:
        account = kommo_account(tenants, settings, tenant_id)
        return check_return_url(url, account.subdomain, settings.kommo_return_hosts)

    return check
