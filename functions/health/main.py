"""Cloud Function ``health``: ``GET /api/health`` (the CRM contract)."""

from __future__ import annotations

import flask
import functions_framework

from switchboard.bootstrap import services
from switchboard.errors import MethodNotAllowedError, NotFoundError
from switchboard.health import check_health
from switchboard.http import error_boundary, json_response, redirect


@functions_framework.http
@error_boundary("health", lambda: services().settings)
def health(request: flask.Request) -> flask.Response:
    """Probe every configured dependency concurrently and report."""
    if request.path == "/api/health/":
        return redirect("/api/health")
    if request.path != "/api/health":
        raise NotFoundError(f"No such endpoint: {request.path}")
    if request.method not in ("GET", "HEAD"):
        raise MethodNotAllowedError(["GET"])
    body, status = check_health(services())
    return json_response(body, status)
