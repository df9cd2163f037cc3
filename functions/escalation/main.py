"""Cloud Function ``escalation``: ``/api/agent-failure/`` and its create-ticket and decline actions."""

from __future__ import annotations

import flask
import functions_framework

from switchboard.bootstrap import services
from switchboard.channels.escalation import failure_endpoint
from switchboard.http import error_boundary


@functions_framework.http
@error_boundary("escalation", lambda: services().settings)
def escalation(request: flask.Request) -> flask.Response:
    """Record failures, create their tickets once, or decline them (the CRM contract)."""
    s = services()
    return failure_endpoint(request, s.auth, s.escalation_deps)
