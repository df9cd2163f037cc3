"""Cloud Function ``health``: ``GET /api/health`` (the CRM contract) and ``GET /api/openapi.json``."""

from __future__ import annotations

import flask
import functions_framework

from switchboard.bootstrap import services
from switchboard.health import health_endpoint
from switchboard.http import error_boundary


@functions_framework.http
@error_boundary("health", lambda: services().settings)
def health(request: flask.Request) -> flask.Response:
    """Probe every configured dependency concurrently and report; or serve the OpenAPI document."""
    return health_endpoint(request, lambda: services().health)
