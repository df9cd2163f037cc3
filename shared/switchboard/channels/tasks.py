"""The private task endpoints Cloud Tasks calls: ``POST /tasks/{kind}``."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import timedelta

import flask
from pydantic import BaseModel, ConfigDict, Field

from switchboard.core.deferred import run_task, sweep
from switchboard.core.escalation import EscalationDeps
from switchboard.core.kommo_reply import KommoReplyDeps, run_kommo_reply
from switchboard.http import json_response, parse_model, read_json
from switchboard.routing import Route, match_path
from switchboard.tasks.auth import TaskAuth
from switchboard.tasks.base import TASK_KINDS
from switchboard.validators import FAILURE_ID, TENANT_ID

ROUTE = Route(re.compile(rf"^/tasks/(?P<kind>{'|'.join(TASK_KINDS)})$"))


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


class SweepIn(BaseModel):
    """A sweep body: how old pending work must be to be re-enqueued."""

    model_config = ConfigDict(extra="ignore")

    min_age_seconds: float = Field(120.0, ge=0)


def tasks_endpoint(
    request: flask.Request,
    auth: TaskAuth,
    escalation: Callable[[], EscalationDeps],
    kommo: Callable[[], KommoReplyDeps],
) -> flask.Response:
    """Run one task. 2xx tells Cloud Tasks it is finished; 503 asks for a retry.

    Args:
        request: The task's request.
        auth: Verifies that the request comes from our queue (OIDC token or the local secret).
        escalation: Builds the escalation use cases' dependencies (on first use only).
        kommo: Builds the Kommo reply's dependencies (on first use only).
    """
    kind = match_path(request, ROUTE)["kind"]
    auth.verify(request.headers)
    if kind == "kommo-reply":
        reply = parse_model(KommoReplyIn, read_json(request))
        return json_response({"result": run_kommo_reply(kommo(), reply.model_dump())})
    if kind == "sweep":
        body = parse_model(SweepIn, read_json(request, allow_empty=True))
        generation = 1000 + int(time.time()) // 600
        return json_response({"enqueued": sweep(escalation(), generation, timedelta(seconds=body.min_age_seconds))})
    task = parse_model(TaskIn, read_json(request))
    return json_response({"result": run_task(escalation(), kind, task.tenant, task.failure_id)})
