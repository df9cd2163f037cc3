"""Cloud Function ``chatwoot_webhook``: ``POST /api/webhooks/chatwoot`` (the Chatwoot desk spec)."""

from __future__ import annotations

import flask
import functions_framework

from switchboard.bootstrap import services
from switchboard.channels.chatwoot import chatwoot_webhook_endpoint
from switchboard.http import error_boundary


@functions_framework.http
@error_boundary("chatwoot_webhook", lambda: services().settings)
def chatwoot_webhook(request: flask.Request) -> flask.Response:
    """Verify and apply a signed Chatwoot event: agent joined, conversation resolved."""
    s = services()
    return chatwoot_webhook_endpoint(request, s.settings.chatwoot_webhook_secret, s.escalation_deps)
