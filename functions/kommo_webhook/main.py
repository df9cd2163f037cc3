"""Cloud Function ``kommo_webhook``: ``POST /api/kommo/chat/webhook`` (Kommo Salesbot).

It verifies and enqueues, then answers 200 well inside Kommo's 2 s; the reply itself is a
Cloud Task. It never imports google-genai.
"""

from __future__ import annotations

import flask
import functions_framework

from switchboard.bootstrap import services
from switchboard.channels.kommo import kommo_webhook_endpoint
from switchboard.http import error_boundary


@functions_framework.http
@error_boundary("kommo_webhook", lambda: services().settings)
def kommo_webhook(request: flask.Request) -> flask.Response:
    """Accept a Salesbot widget_request or a message notification."""
    return kommo_webhook_endpoint(request, services().kommo_inbound)
