"""Cloud Function ``admin``: the tenant administration API, ``/api/v1/ai/...`` (docs/admin.md), and
single sign-on into the Chatwoot dashboard, ``/api/support/sso`` (docs/support-sso.md).

It reads and changes tenant settings with an admin key; it never imports google-genai.
"""

from __future__ import annotations

import flask
import functions_framework

from switchboard.bootstrap import services
from switchboard.channels.admin import admin_endpoint
from switchboard.channels.support_sso import sso_endpoint
from switchboard.http import error_boundary


@functions_framework.http
@error_boundary("admin", lambda: services().settings)
def admin(request: flask.Request) -> flask.Response:
    """Serve one admin request."""
    if request.path.startswith("/api/support/"):
        return sso_endpoint(request, services().sso)
    return admin_endpoint(request, services().admin)
