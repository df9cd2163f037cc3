"""Cloud Function ``health``: ``GET /api/health`` (the CRM contract)."""

from __future__ import annotations

import flask
import functions_framework

from switchboard.bootstrap import services
from switchboard.health import ROUTE
from switchboard.http import error_boundary, json_response
from switchboard.routing import resolve


@functions_framework.http
@error_boundary("health", lambda: services().settings)
def health(request: flask.Request) -> flask.Response:
    """Probe every configured dependency concurrently and report."""
    found = resolve(request, ROUTE)
    if isinstance(found, flask.Response):
        return found
    body, status = services().health.check()
    return json_response(body, status)
