"""Cloud Function ``chat``: the CRM chat API, ``POST /api/agent/{customer|support|test}/``."""

from __future__ import annotations

import flask
import functions_framework

from switchboard.bootstrap import services
from switchboard.channels.crm import chat_endpoint
from switchboard.http import error_boundary


@functions_framework.http
@error_boundary("chat", lambda: services().settings)
def chat(request: flask.Request) -> flask.Response:
    """Answer one customer message from the tenant's knowledge base."""
    s = services()
    return chat_endpoint(request, s.auth, s.turn_deps, s.settings.max_message_chars)
