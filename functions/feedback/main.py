"""Cloud Function ``feedback``: ``POST /api/feedback`` (the CRM contract)."""

from __future__ import annotations

import flask
import functions_framework

from switchboard.bootstrap import services
from switchboard.channels.escalation import feedback_endpoint
from switchboard.http import error_boundary


@functions_framework.http
@error_boundary("feedback", lambda: services().settings)
def feedback(request: flask.Request) -> flask.Response:
    """Record one helpful/unhelpful rating per message."""
    s = services()
    return feedback_endpoint(request, s.auth, s.escalations)
