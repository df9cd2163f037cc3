"""Cloud Function ``chatwoot_bot``: ``POST /api/chatwoot/bot`` (the Chatwoot agent bot's
outgoing URL) and ``GET /api/chatwoot/verify`` (the email verification link).

The webhook verifies and enqueues, then answers 200 inside Chatwoot's 5 s; the answer itself is
a Cloud Task. It never imports google-genai.
"""

from __future__ import annotations

import logging

import flask
import functions_framework

from switchboard.bootstrap import services
from switchboard.channels.chatwoot_bot import chatwoot_bot_endpoint
from switchboard.http import error_boundary

_warned: list[bool] = []


@functions_framework.http
@error_boundary("chatwoot_bot", lambda: services().settings)
def chatwoot_bot(request: flask.Request) -> flask.Response:
    """Accept an agent-bot event, or use a verification link."""
    inbound = services().chatwoot_bot_inbound
    secret = inbound.settings.chatwoot_bot_secret
    if (secret is None or not secret.get_secret_value()) and not _warned:
        _warned.append(True)  # once per instance, on its first request
        logging.getLogger(__name__).warning(
            "CHATWOOT_BOT_SECRET is not set: bot events are accepted without a signature check"
        )
    return chatwoot_bot_endpoint(request, inbound)
