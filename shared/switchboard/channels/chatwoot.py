"""Chatwoot webhooks in: signature verification and event routing."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import time

import flask
from pydantic import SecretStr

from switchboard.core.desk_events import handle_desk_event
from switchboard.core.escalation import EscalationDeps
from switchboard.errors import ConfigurationError, InvalidInputError, UnauthorizedError
from switchboard.http import json_response
from switchboard.routing import Route, match_path

log = logging.getLogger(__name__)

MAX_SKEW_SECONDS = 300
ROUTE = Route(re.compile(r"^/api/webhooks/chatwoot/?$"))


def verify_signature(raw: bytes, timestamp: str, signature: str, secret: str, now: float | None = None) -> None:
    """Check ``X-Chatwoot-Signature: sha256=HMAC(secret, "{timestamp}.{raw body}")`` and freshness.

    Raises:
        UnauthorizedError: Missing, malformed, wrong or stale signature.
    """
    if not timestamp or not signature:
        raise UnauthorizedError("Missing Chatwoot signature headers")
    try:
        sent_at = int(timestamp)
    except ValueError as exc:
        raise UnauthorizedError("Malformed X-Chatwoot-Timestamp") from exc
    if abs((now if now is not None else time.time()) - sent_at) > MAX_SKEW_SECONDS:
        raise UnauthorizedError("Stale Chatwoot signature")
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + raw, hashlib.sha256).hexdigest()
    given = signature.removeprefix("sha256=")
    if not hmac.compare_digest(expected, given):
        raise UnauthorizedError("Bad Chatwoot signature")


def chatwoot_webhook_endpoint(request: flask.Request, secret: SecretStr | None, deps: EscalationDeps) -> flask.Response:
    """``POST /api/webhooks/chatwoot``: verify, deduplicate by delivery id, apply the event."""
    match_path(request, ROUTE)
    if secret is None:
        raise ConfigurationError("CHATWOOT_WEBHOOK_SECRET is not set; unsigned webhooks are refused")
    raw = request.get_data(cache=True)
    verify_signature(
        raw,
        request.headers.get("X-Chatwoot-Timestamp", ""),
        request.headers.get("X-Chatwoot-Signature", ""),
        secret.get_secret_value(),
    )
    try:
        event = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInputError("Webhook body is not valid JSON") from exc
    if not isinstance(event, dict):
        raise InvalidInputError("Webhook body must be a JSON object")
    delivery = request.headers.get("X-Chatwoot-Delivery", "").strip()
    store = deps.store
    if delivery and not store.first_delivery(delivery):
        return json_response({"status": "duplicate"})
    try:
        outcome = handle_desk_event(deps, event)
    except Exception:
        if delivery:
            store.forget_delivery(delivery)  # let a redelivery try again
        raise
    log.info("chatwoot event", extra={"event": event.get("event"), "outcome": outcome})
    return json_response({"status": outcome})
