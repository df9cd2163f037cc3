"""The private analytics endpoint, ``POST /analytics/run``: Cloud Scheduler runs it daily.

It marks idle sessions inactive and writes each tenant's daily rollup (docs/analytics.md). The
caller is verified like a task: Google's OIDC token for the invoker service account and the
function's own audience, or the local run's shared secret.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import flask
from pydantic import BaseModel, ConfigDict, Field

from switchboard.core.analytics import AnalyticsDeps, run_daily
from switchboard.http import json_response, parse_model, read_json
from switchboard.routing import Route, match_path
from switchboard.tasks.auth import TaskAuth

ROUTE = Route(re.compile(r"^/analytics/run/?$"), methods=("POST",))


class RunIn(BaseModel):
    """Which day to roll up (default: yesterday, and the day before to make it final), and for
    which tenants (default: all)."""

    model_config = ConfigDict(extra="forbid")

    date: dt.date | None = None
    tenants: list[str] | None = Field(None, max_length=1000)


def analytics_endpoint(request: flask.Request, deps: AnalyticsDeps, auth: TaskAuth) -> flask.Response:
    """Run the daily job once."""
    match_path(request, ROUTE)
    auth.verify(request.headers)
    body = parse_model(RunIn, read_json(request, allow_empty=True))
    report: dict[str, Any] = run_daily(deps, body.date, body.tenants)
    return json_response({"tenants": report})
