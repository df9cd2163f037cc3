"""Chatwoot webhooks in: signature verification and event routing."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import time
from typing import Any

import flask
from pydantic import SecretStr

from switchboard.channels.schemas import DeskEventOut
from switchboard.core.desk_events import DeskEvent, handle_desk_event
from switchboard.core.escalation import EscalationDeps
from switchboard.errors import ConfigurationError, InvalidInputError, UnauthorizedError
from switchboard.http import decode_json, json_response, read_body
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
    if not hmac.compare_digest(expected.encode(), given.encode("utf-8", errors="replace")):
        raise UnauthorizedError("Bad Chatwoot signature")


def _id(value: Any, what: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).isdigit():
        raise InvalidInputError(f"{what} must be a positive integer")
    number = int(value)
    if not 0 < number < 2**63:
        raise InvalidInputError(f"{what} is out of range")
    return number


def _object(value: Any, what: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidInputError(f"{what} must be an object")
    return value


def parse_event(event: dict[str, Any]) -> DeskEvent:
    """Read what we act on from a verified Chatwoot webhook body.

    Raises:
        InvalidInputError: A field we read has the wrong type.
    """
    name = event.get("event")
    if not isinstance(name, str):
        raise InvalidInputError("event must be a string")
    # Conversation events carry the conversation at the top level, message events under "conversation".
    conversation = event if name.startswith("conversation_") else _object(event.get("conversation"), "conversation")
    sender = _object(event.get("sender"), "sender")
    status = conversation.get("status", "")
    agent_message = (
        event.get("message_type") in ("outgoing", 1)
        and event.get("private", False) is False
        and str(sender.get("type", "")).lower() == "user"
    )
    return DeskEvent(
        name=name,
        account_id=_id(_object(event.get("account"), "account").get("id"), "account.id"),
        conversation_id=_id(conversation.get("id"), "conversation id"),
        status=status if isinstance(status, str) else "",
        # Our own API posts and private notes come back as "outgoing" too: only a public message
        # written by a human agent (sender type "user") means an agent has joined.
        agent_message=agent_message,
        sender_name=str(sender.get("name", ""))[:200],
    )


def chatwoot_webhook_endpoint(request: flask.Request, secret: SecretStr | None, deps: EscalationDeps) -> flask.Response:
    """``POST /api/webhooks/chatwoot``: verify, deduplicate (signature and delivery id), apply the event."""
    match_path(request, ROUTE)
    if secret is None:
        raise ConfigurationError("CHATWOOT_WEBHOOK_SECRET is not set; unsigned webhooks are refused")
    raw = read_body(request)
    verify_signature(
        raw,
        request.headers.get("X-Chatwoot-Timestamp", ""),
        request.headers.get("X-Chatwoot-Signature", ""),
        secret.get_secret_value(),
    )
    body = decode_json(raw)
    if not isinstance(body, dict):
        raise InvalidInputError("Webhook body must be a JSON object")
    event = parse_event(body)
    # The signature covers the timestamp and the body: a replayed request (whatever delivery id it
    # claims) is a duplicate. Chatwoot's own delivery id also counts, for a redelivery re-signed later.
    keys = [f"sig:{request.headers.get('X-Chatwoot-Signature', '').removeprefix('sha256=')}"]
    delivery = request.headers.get("X-Chatwoot-Delivery", "").strip()
    if delivery:
        keys.append(f"delivery:{delivery}")
    store = deps.store
    taken: list[str] = []
    for key in keys:
        if not store.first_delivery(key):
            for done in taken:
                store.forget_delivery(done)
            return json_response(DeskEventOut(status="duplicate").model_dump())
        taken.append(key)
    try:
        outcome = handle_desk_event(deps, event)
    except Exception:
        for key in taken:
            store.forget_delivery(key)  # let a redelivery try again
        raise
    log.info("chatwoot event", extra={"event": event.name, "outcome": outcome})
    return json_response(DeskEventOut(status=outcome).model_dump())
