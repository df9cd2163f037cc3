"""Cloud Function ``console``: the web console (``/console/``) and the chat widget (``/widget/``),
static files shipped in the package (docs/console.md). It reads no store and calls no vendor."""

from __future__ import annotations

import flask
import functions_framework

from switchboard.bootstrap import services
from switchboard.channels.web import web_endpoint
from switchboard.http import error_boundary


@functions_framework.http
@error_boundary("console", lambda: services().settings, cors=False)
def console(request: flask.Request) -> flask.Response:
    """Serve one file of the console or the widget."""
    return web_endpoint(request)
