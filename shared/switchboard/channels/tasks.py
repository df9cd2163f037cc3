"""The private task endpoints Cloud Tasks calls: ``POST /tasks/{kind}``."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import flask
from pydantic import BaseModel, ConfigDict, Field

from switchboard.core.chatwoot_bot import (
    BotMessage,
    ChatwootBotDeps,
    Verified,
    run_bot_message,
    run_status,
    run_verified,
)
from switchboard.core.deferred import abandon, run_task, sweep
from switchboard.core.escalation import EscalationDeps
from switchboard.core.kommo_reply import KommoReplyDeps, reply_key, run_kommo_reply
from switchboard.errors import ConfigurationError, InvalidInputError, StoreError, UpstreamUnavailableError
from switchboard.http import decode_json, json_response, parse_model, read_json
from switchboard.routing import Route, match_path
from switchboard.store.base import DeadLetter, DeadLetters
from switchboard.tasks.auth import TaskAuth
from switchboard.tasks.base import TASK_KINDS
from switchboard.validators import EMAIL, FAILURE_ID, TENANT_ID, is_failure_id, is_tenant_id

log = logging.getLogger(__name__)

ROUTE = Route(re.compile(rf"^/tasks/(?P<kind>{'|'.join(TASK_KINDS)})$"))
#: Escalation work stays pending in Firestore until done, and the scheduled sweep schedules it
#: again: a delivery failing because Firestore or a vendor is unavailable is never a dead letter,
#: however often the queue has tried (the local emulator retries at once, with no backoff).
SWEPT_KINDS = frozenset(("create-ticket", "send-email", "teams-alert", "chatwoot-sync", "chatwoot-close"))
TRANSIENT = (StoreError, UpstreamUnavailableError)


class TaskIn(BaseModel):
    """A task body."""

    model_config = ConfigDict(extra="ignore")

    tenant: str = Field(pattern=TENANT_ID)
    failure_id: str = Field(pattern=FAILURE_ID)
    attempt: int = 0


class KommoReplyIn(BaseModel):
    """A Kommo reply task body (made by the kommo_webhook function)."""

    model_config = ConfigDict(extra="ignore")

    tenant: str = Field(pattern=TENANT_ID)
    return_url: str = Field(min_length=8, max_length=2000)
    message: str = Field(min_length=1)
    lead_id: str = ""
    contact_id: str = ""
    contact_name: str = ""
    chat_id: str = ""
    reply_mode: str = "bubbles"
    attempt: int = Field(0, ge=0)


class ChatwootBotIn(BaseModel):
    """A Chatwoot bot task body: one customer message (made by the chatwoot_bot function)."""

    model_config = ConfigDict(extra="ignore")

    tenant: str = Field(pattern=TENANT_ID)
    account: int = Field(ge=1)
    inbox: int = Field(ge=0)
    conversation: int = Field(ge=1)
    contact: int = Field(ge=0)
    message_id: int = Field(ge=1)
    content: str = Field(min_length=1, max_length=20_000)
    status: str = Field(max_length=32)
    contact_name: str = Field("", max_length=300)
    attempt: int = Field(0, ge=0)
    created_at: float = Field(0.0, ge=0)


class StatusSyncIn(BaseModel):
    """Set a bot conversation's Chatwoot status to match who owns it (after the admin API changed it)."""

    model_config = ConfigDict(extra="ignore")

    tenant: str = Field(pattern=TENANT_ID)
    conversation: str = Field(pattern=r"^chatwoot:\d{1,12}:\d{1,12}$")
    attempt: int = Field(0, ge=0)
    change: str = Field("", max_length=64)


class VerifiedIn(BaseModel):
    """A contact followed its verification link: say so in the conversation."""

    model_config = ConfigDict(extra="ignore")

    tenant: str = Field(pattern=TENANT_ID)
    account: int = Field(ge=1)
    conversation: int = Field(ge=1)
    email: str = Field(pattern=EMAIL, max_length=320)
    language: str = Field(max_length=8)
    link_id: str = Field(min_length=8, max_length=64)
    attempt: int = Field(0, ge=0)


class SweepIn(BaseModel):
    """A sweep body: how old pending work must be to be re-enqueued."""

    model_config = ConfigDict(extra="ignore")

    min_age_seconds: float = Field(120.0, ge=0)


@dataclass
class TaskRunner:
    """What the tasks function needs.

    Attributes:
        auth: Verifies that the request comes from our queue (OIDC token or the local secret).
        escalation: Builds the escalation use cases' dependencies (on first use only).
        kommo: Builds the Kommo reply's dependencies (on first use only).
        chatwoot_bot: Builds the Chatwoot bot's dependencies (on first use only).
        dead_letters: Where tasks given up on are recorded.
        max_deliveries: The queue's max attempts: the last delivery that fails is a dead letter.
    """

    auth: TaskAuth
    escalation: Callable[[], EscalationDeps]
    kommo: Callable[[], KommoReplyDeps]
    dead_letters: DeadLetters
    max_deliveries: int
    chatwoot_bot: Callable[[], ChatwootBotDeps] | None = None


def _run(kind: str, request: flask.Request, runner: TaskRunner) -> dict[str, Any]:
    if kind == "kommo-reply":
        reply = parse_model(KommoReplyIn, read_json(request))
        return {"result": run_kommo_reply(runner.kommo(), reply.model_dump())}
    if kind in ("chatwoot-bot", "chatwoot-verified", "chatwoot-status"):
        if runner.chatwoot_bot is None:
            raise ConfigurationError("The Chatwoot bot is not set up in this function")
        if kind == "chatwoot-status":
            sync = parse_model(StatusSyncIn, read_json(request))
            return {
                "result": run_status(runner.chatwoot_bot(), sync.tenant, sync.conversation, sync.attempt, sync.change)
            }
        if kind == "chatwoot-bot":
            message = BotMessage(**parse_model(ChatwootBotIn, read_json(request)).model_dump())
            return {"result": run_bot_message(runner.chatwoot_bot(), message)}
        verified = Verified(**parse_model(VerifiedIn, read_json(request)).model_dump())
        return {"result": run_verified(runner.chatwoot_bot(), verified)}
    if kind == "sweep":
        body = parse_model(SweepIn, read_json(request, allow_empty=True))
        generation = 1000 + int(time.time()) // 600
        return {"enqueued": sweep(runner.escalation(), generation, timedelta(seconds=body.min_age_seconds))}
    task = parse_model(TaskIn, read_json(request))
    return {"result": run_task(runner.escalation(), kind, task.tenant, task.failure_id)}


def tasks_endpoint(request: flask.Request, runner: TaskRunner) -> flask.Response:
    """Run one task. 2xx tells Cloud Tasks it is finished; 503 asks for a retry.

    A task that can never succeed is not retried forever: a body that does not validate, and the
    last delivery the queue will make of a failing task, are recorded as dead letters
    (``switchboard tasks dead-letters`` lists them) and answered 200. Escalation work that failed
    only because Firestore or a vendor was unavailable is left to the sweep instead.
    """
    kind = match_path(request, ROUTE)["kind"]
    runner.auth.verify(request.headers)
    retries = request.headers.get("X-CloudTasks-TaskRetryCount", "0")
    attempts = int(retries) + 1 if retries.isdigit() else 1
    try:
        return json_response(_run(kind, request, runner))
    except InvalidInputError as exc:  # a malformed body never becomes valid: do not retry it
        return _give_up(request, kind, runner, exc, attempts)
    except Exception as exc:
        if attempts < runner.max_deliveries or (kind in SWEPT_KINDS and isinstance(exc, TRANSIENT)):
            raise
        return _give_up(request, kind, runner, exc, attempts)


def _give_up(request: flask.Request, kind: str, runner: TaskRunner, exc: Exception, attempts: int) -> flask.Response:
    try:
        body = decode_json(request.get_data(cache=True))
    except InvalidInputError:
        body = {}
    body = body if isinstance(body, dict) else {}
    tenant = str(body.get("tenant", ""))
    tenant = tenant if is_tenant_id(tenant) else ""
    failure_id, return_url = str(body.get("failure_id", "")), str(body.get("return_url", ""))
    subject = reply_key(return_url) if return_url else failure_id[:64]
    name = request.headers.get("X-CloudTasks-TaskName", "") or f"{kind}:{tenant}:{subject}"
    letter = DeadLetter(name, kind, tenant, subject, f"{type(exc).__name__}: {exc}"[:500], attempts, datetime.now(UTC))
    runner.dead_letters.record(letter)
    if tenant and is_failure_id(failure_id):
        abandon(runner.escalation(), kind, tenant, failure_id)
    elif tenant and kind == "kommo-reply" and return_url:
        runner.kommo().claims.finish(tenant, subject, "dead_letter")
    log.error("task given up: dead letter", extra={"kind": kind, "attempts": attempts, "error": type(exc).__name__})
    return json_response({"result": "dead_letter"})
