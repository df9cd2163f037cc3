"""The private task endpoints Cloud Tasks calls: ``POST /tasks/{kind}``."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import flask
from pydantic import BaseModel, ConfigDict, Field

from switchboard.bootstrap import Services
from switchboard.core.deferred import run_task, sweep
from switchboard.errors import MethodNotAllowedError, NotFoundError
from switchboard.http import json_response, parse_model, read_json
from switchboard.tasks.base import TASK_KINDS

_PATH = re.compile(r"^/tasks/(?P<kind>[a-z-]+)$")


class TaskIn(BaseModel):
    """A task body."""

    model_config = ConfigDict(extra="ignore")

    tenant: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")
    failure_id: str = Field(pattern=r"^[A-Za-z0-9-]{1,64}$")
    attempt: int = 0


class KommoReplyIn(BaseModel):
    """A Kommo reply task body (made by the kommo_webhook function)."""

    model_config = ConfigDict(extra="ignore")

    tenant: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")
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


def tasks_endpoint(request: flask.Request, services: Services) -> flask.Response:
    """Run one task. 2xx tells Cloud Tasks it is finished; 503 asks for a retry."""
    match = _PATH.match(request.path)
    if not match or match.group("kind") not in TASK_KINDS:
        raise NotFoundError(f"No such task endpoint: {request.path}")
    if request.method != "POST":
        raise MethodNotAllowedError(["POST"])
    kind = match.group("kind")
    deps = services.escalation_deps
    if kind == "kommo-reply":
        from switchboard.channels.kommo_inbound import run_kommo_reply

        reply = parse_model(KommoReplyIn, read_json(request))
        return json_response({"result": run_kommo_reply(services, reply.model_dump())})
    if kind == "sweep":
        body = parse_model(SweepIn, read_json(request, allow_empty=True))
        generation = 1000 + int(time.time()) // 600
        return json_response({"enqueued": sweep(deps, generation, timedelta(seconds=body.min_age_seconds))})
    task = parse_model(TaskIn, read_json(request))
    result = run_task(deps, kind, task.tenant, task.failure_id)
    return json_response({"result": result})
