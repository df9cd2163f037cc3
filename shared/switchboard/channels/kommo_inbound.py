"""Kommo: accepting requests (enqueue, store) and answering them in a task (turn, continue call)."""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from switchboard.bootstrap import Services
from switchboard.channels.kommo_api import KommoFinalError
from switchboard.core import phrases
from switchboard.core.bubbles import split_bubbles
from switchboard.core.language import detect_language
from switchboard.core.models import InboundMessage, Message, Role, TurnResult, UserInfo
from switchboard.core.turn import conversation_doc_id, handle_turn
from switchboard.errors import (
    ConfigurationError,
    InvalidInputError,
    PayloadTooLargeError,
    RateLimitedError,
    UnauthorizedError,
    UpstreamError,
    UpstreamUnavailableError,
)
from switchboard.tasks.base import Task

if TYPE_CHECKING:  # the tasks function answers replies without importing the JWT verifier
    from switchboard.channels.kommo import KommoAccount

log = logging.getLogger(__name__)

REPLY_LEASE = timedelta(seconds=90)


def _clean(value: Any) -> str:
    """A Salesbot variable that Kommo could not fill arrives as ``{{...}}``: treat it as empty."""
    text = "" if value is None else str(value).strip()
    return "" if "{{" in text else text


def conversation_key(lead_id: str, contact_id: str, chat_id: str) -> str:
    """The conversation of a Kommo lead and contact (or of a chat when that is all we know)."""
    if lead_id and contact_id:
        return f"lead-{lead_id}-contact-{contact_id}"
    if chat_id:
        return f"chat-{chat_id}"
    if contact_id:
        return f"contact-{contact_id}"
    if lead_id:
        return f"lead-{lead_id}"
    raise InvalidInputError("Kommo request names no lead, contact or chat")


def _enqueue_reply(services: Services, tenant_id: str, return_url: str, payload: dict[str, Any]) -> None:
    queue = services.queue
    if queue is None:
        raise ConfigurationError("No task queue is configured (TASKS_TARGET_URL)")
    # Named after the return_url: a repeated widget_request schedules the same task.
    queue.enqueue(
        Task("kommo-reply", f"{tenant_id}/{return_url}", {"tenant": tenant_id, "return_url": return_url, **payload})
    )


def accept_widget_request(
    services: Services, tenant_id: str, return_url: str, data: dict[str, Any], claims: dict[str, Any]
) -> None:
    """Validate the widget's data and schedule the reply (nothing else happens before the 200)."""
    message = _clean(data.get("message"))
    if not message:
        raise InvalidInputError("data[message] is empty")
    if len(message) > services.settings.max_message_chars:
        raise PayloadTooLargeError(f"data[message] is over {services.settings.max_message_chars} characters")
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
    _enqueue_reply(services, tenant_id, return_url, payload)
    log.info("kommo widget_request accepted", extra={"tenant": tenant_id, "chars": len(message)})


def accept_notification(
    services: Services, tenant_id: str, body: dict[str, Any], account: KommoAccount, return_url: str | None
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
        key = conversation_key(
            lead, _clean(item.get("contact_id")), _clean(item.get("chat_id")) or _clean(item.get("talk_id"))
        )
        text = _clean(item.get("text"))
        if item is answered:
            _enqueue_reply(
                services,
                tenant_id,
                str(return_url),
                {
                    "message": text,
                    "lead_id": lead,
                    "contact_id": _clean(item.get("contact_id")),
                    "contact_name": _clean(
                        (item.get("author") or {}).get("name") if isinstance(item.get("author"), dict) else ""
                    ),
                    "chat_id": _clean(item.get("chat_id")),
                    "reply_mode": "bubbles",
                },
            )
            continue  # the reply's turn stores it
        if not text:
            continue
        seed = (
            _clean(item.get("id")) or hashlib.sha256(f"{key}|{text}|{item.get('created_at')}".encode()).hexdigest()[:24]
        )
        role: Role = "assistant" if item.get("type") == "outgoing" else "user"
        message = Message(f"kommo-{seed}", role, text, datetime.now(UTC))
        author = item.get("author") if isinstance(item.get("author"), dict) else {}
        meta: dict[str, Any] = {"source": "kommo_notification", "author": author}
        if services.store.append_message(
            tenant_id, conversation_doc_id("kommo", key), message, {"channel": "kommo"}, meta
        ):
            stored += 1
    return stored


def continue_body(result: TurnResult, reply_mode: str) -> dict[str, Any]:
    """The continue call: the whole reply in ``data`` and, unless the bot shows
    ``{{json.reply}}`` itself, the reply as ≤ 80-character bubbles."""
    if result.silent:
        return silent_body()
    handoff = result.requires_escalation
    data = {
        "status": "handoff" if handoff else "success",
        "reply": result.reply,
        "handoff": handoff,
        "confidence": result.confidence,
        "escalation_reason": result.escalation_reason or "",
    }
    bubbles = [] if reply_mode == "json" else split_bubbles(result.reply)
    return {
        "data": data,
        "execute_handlers": [{"handler": "show", "params": {"type": "text", "value": b}} for b in bubbles],
    }


def silent_body() -> dict[str, Any]:
    """A person owns the conversation: let the bot go on (to its human branch) saying nothing."""
    return {
        "data": {"status": "human", "reply": "", "handoff": True, "confidence": 0.0, "escalation_reason": ""},
        "execute_handlers": [],
    }


def _rate_limited_body(text: str, exc: RateLimitedError, reply_mode: str) -> dict[str, Any]:
    notice = phrases.rate_limited_notice(detect_language(text), exc.reset_in_seconds)
    body = continue_body(TurnResult(notice, 0.0, False, language="en"), reply_mode)
    body["data"]["status"] = "rate_limited"
    return body


def run_kommo_reply(services: Services, task: dict[str, Any]) -> str:
    """Answer one widget_request: run the turn once, re-check the owner, continue the bot.

    Raises:
        UpstreamUnavailableError: Kommo is slow or failing, or another delivery holds the reply;
            the task is retried by the queue (the computed answer is kept and re-sent).
    """
    tenant_id, return_url = task["tenant"], task["return_url"]
    replies, connector = services.kommo_replies, services.kommo
    if connector is None:
        raise ConfigurationError("KOMMO_ACCESS_TOKEN is not set")
    slot = replies.take(tenant_id, return_url, REPLY_LEASE)
    if slot.state == "done":
        return "done"
    if slot.state == "busy":
        raise UpstreamUnavailableError("another delivery is answering this request", retry_after=30)
    key = conversation_key(task.get("lead_id", ""), task.get("contact_id", ""), task.get("chat_id", ""))
    try:
        body = slot.body
        if body is None:
            contact = task.get("contact_id") or key
            user = UserInfo(f"kommo:{contact}", name=task.get("contact_name", ""))
            inbound = InboundMessage(tenant_id, "kommo", key, user, task["message"], "customer", human_takes_over=True)
            try:
                body = continue_body(handle_turn(inbound, services.turn_deps), task.get("reply_mode", "bubbles"))
            except RateLimitedError as exc:
                body = _rate_limited_body(task["message"], exc, task.get("reply_mode", "bubbles"))
            replies.save_body(tenant_id, return_url, body)
        # A person who took over while we were thinking wins.
        owner = services.store.conversation_owner(tenant_id, conversation_doc_id("kommo", key))
        if owner == "human" and not body["data"].get("handoff"):
            body = silent_body()
        status = connector.continue_bot(return_url, body)
    except UpstreamUnavailableError:
        replies.release(tenant_id, return_url)
        raise
    except UpstreamError as exc:  # 401/404 (KommoFinalError) or a body Kommo rejects: not retried
        replies.finish(tenant_id, return_url, "failed", str(exc))
        level = logging.WARNING if isinstance(exc, KommoFinalError) else logging.ERROR
        log.log(level, "kommo refused the continue call; not retrying", extra={"status": exc.status})
        return "final"
    except Exception:
        replies.release(tenant_id, return_url)
        raise
    replies.finish(tenant_id, return_url, "sent", str(status))
    return "sent"
