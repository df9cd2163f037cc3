"""The private task endpoints Cloud Tasks calls: ``POST /tasks/{kind}``."""

from __future__ import annotations

import re
import time

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


def tasks_endpoint(request: flask.Request, services: Services) -> flask.Response:
    """Run one task. 2xx tells Cloud Tasks it is finished; 503 asks for a retry."""
    match = _PATH.match(request.path)
    if not match or match.group("kind") not in TASK_KINDS:
        raise NotFoundError(f"No such task endpoint: {request.path}")
    if request.method != "POST":
        raise MethodNotAllowedError(["POST"])
    kind = match.group("kind")
    deps = services.escalation_deps
    if kind == "sweep":
        return json_response({"enqueued": sweep(deps, generation=1000 + int(time.time()) // 600)})
    task = parse_model(TaskIn, read_json(request))
    result = run_task(deps, kind, task.tenant, task.failure_id)
    return json_response({"result": result})
