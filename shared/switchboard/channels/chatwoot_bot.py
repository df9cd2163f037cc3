"""The Chatwoot agent bot in: ``POST /api/chatwoot/bot`` (the bot's outgoing URL) and
``GET /api/chatwoot/verify?token=…`` (the link in the verification email).

The webhook verifies the signature, keeps only what the bot must answer (an incoming, public
message from a contact), enqueues it as a task named by the message id and answers 200 at once:
Chatwoot waits 5 s and retries agent-bot deliveries. The protocol is in docs/contracts/chatwoot.md.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import flask

from switchboard.channels.chatwoot import verify_signature
from switchboard.config import Settings
from switchboard.core import bot_texts
from switchboard.core.chatwoot_bot import BotMessage, ChatwootBotDeps, bot_task, verify_contact
from switchboard.errors import ConfigurationError, InvalidInputError
from switchboard.http import decode_json, json_response, read_body
from switchboard.routing import Route, match_path
from switchboard.tasks.base import TaskQueue
from switchboard.verify_tokens import LinkExpiredError, LinkInvalidError, read

log = logging.getLogger(__name__)

BOT_ROUTE = Route(re.compile(r"^/api/chatwoot/bot/?$"))
VERIFY_ROUTE = Route(re.compile(r"^/api/chatwoot/verify/?$"), methods=("GET", "HEAD"))
MAX_MESSAGE_CHARS = 20_000


@dataclass
class ChatwootBotInbound:
    """What the bot's endpoints need: settings, the queue, and (for the verification page only)
    the bot's dependencies, built on first use."""

    settings: Settings
    queue: TaskQueue | None
    deps: Callable[[], ChatwootBotDeps]


def _int(value: Any, what: str, least: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidInputError(f"{what} must be a whole number")
    text = str(value)
    if not (text.isascii() and text.isdecimal() and len(text) <= 15) or int(text) < least:
        raise InvalidInputError(f"{what} must be a whole number from {least} to 15 digits")
    return int(text)


def _moment(value: Any) -> float:
    """An event's ``created_at`` (ISO 8601 or Unix seconds) as Unix seconds; 0 when unreadable."""
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < 1e11:
        return float(value)
    if isinstance(value, str) and len(value) <= 40:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return 0.0
    return 0.0


def _object(value: Any, what: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidInputError(f"{what} must be an object")
    return value


def parse_bot_event(event: Any, tenant: str) -> BotMessage | None:
    """The message the bot must answer, or None for every event it acknowledges and ignores.

    Raises:
        InvalidInputError: Not an event object, or a message event without the ids the reply needs.
    """
    if not isinstance(event, dict) or not isinstance(event.get("event"), str):
        raise InvalidInputError("Expected a Chatwoot event object with an 'event' name")
    if event["event"] != "message_created":
        return None
    sender = _object(event.get("sender"), "sender")
    if (
        event.get("message_type") != "incoming"
        or event.get("private") is not False
        and event.get("private") is not None
    ):
        return None
    if sender.get("type") != "contact":
        return None
    content = event.get("content")
    if not isinstance(content, str) or not content.strip():
        return None  # an attachment or an empty message: nothing to answer
    conversation = _object(event.get("conversation"), "conversation")
    account = _object(event.get("account"), "account")
    inbox = _object(event.get("inbox"), "inbox")
    status = conversation.get("status")
    return BotMessage(
        tenant=tenant,
        account=_int(account.get("id"), "account.id"),
        inbox=_int(inbox.get("id", conversation.get("inbox_id", 0)), "inbox.id", least=0),
        conversation=_int(conversation.get("id"), "conversation.id"),
        contact=_int(sender.get("id"), "sender.id", least=0),
        message_id=_int(event.get("id"), "id"),
        content=content.strip()[:MAX_MESSAGE_CHARS],
        # Only "pending" is the bot's; a missing or unknown status is not.
        status=status if isinstance(status, str) and len(status) <= 32 else "",
        contact_name=str(sender.get("name") or "")[:300],
        created_at=_moment(event.get("created_at")),
    )


def bot_endpoint(request: flask.Request, inbound: ChatwootBotInbound) -> flask.Response:
    """Verify, keep only what needs an answer, enqueue it, answer 200."""
    raw = read_body(request)
    secret = inbound.settings.chatwoot_bot_secret
    if secret is not None and secret.get_secret_value():
        verify_signature(
            raw,
            request.headers.get("X-Chatwoot-Timestamp", ""),
            request.headers.get("X-Chatwoot-Signature", ""),
            secret.get_secret_value(),
        )
    message = parse_bot_event(decode_json(raw), inbound.settings.default_tenant)
    if message is None:
        return json_response({"status": "ignored"})
    if message.account != inbound.settings.chatwoot_account_id:
        raise InvalidInputError("The event is from another Chatwoot account than CHATWOOT_ACCOUNT_ID")
    if inbound.queue is None:
        raise ConfigurationError("No task queue is configured (TASKS_TARGET_URL)")
    inbound.queue.enqueue(bot_task(message))
    log.info("chatwoot bot message accepted", extra={"chars": len(message.content)})
    return json_response({"status": "accepted"})


def _page(kind: str, language: str, status: int) -> flask.Response:
    response = flask.Response(bot_texts.page(kind, language), status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def verify_endpoint(request: flask.Request, inbound: ChatwootBotInbound) -> flask.Response:
    """Check the link's token, use it once, and show the page in the conversation's language."""
    default = inbound.settings.bot_language
    secret = inbound.settings.verify_jwt_secret
    if secret is None:
        raise ConfigurationError("VERIFY_JWT_SECRET is not set")
    try:
        claims = read(request.args.get("token", ""), secret.get_secret_value())
    except LinkExpiredError as exc:
        return _page("expired", str(exc.claims.get("lang") or default), 410)
    except LinkInvalidError:
        return _page("invalid", default, 400)
    if claims["tenant"] != inbound.settings.default_tenant:
        return _page("invalid", default, 400)
    if request.method == "HEAD":  # link previews and scanners must not use it up
        return _page("verified", str(claims["lang"]), 200)
    outcome = verify_contact(inbound.deps(), claims)
    if outcome in ("used", "replaced"):
        return _page(outcome, str(claims["lang"]), 410)
    log.info("chatwoot contact verified")
    return _page("verified", str(claims["lang"]), 200)


def chatwoot_bot_endpoint(request: flask.Request, inbound: ChatwootBotInbound) -> flask.Response:
    """Route to the webhook or the verification page."""
    if request.path.startswith("/api/chatwoot/verify"):
        match_path(request, VERIFY_ROUTE)
        return verify_endpoint(request, inbound)
    match_path(request, BOT_ROUTE)
    return bot_endpoint(request, inbound)
