"""Cloud Function ``analytics`` (private: Cloud Scheduler runs it daily with an OIDC token).

It writes each tenant's daily rollup and marks idle sessions inactive (docs/analytics.md); it
imports neither google-genai nor any vendor connector.
"""

from __future__ import annotations

import flask
import functions_framework

from switchboard.bootstrap import services
from switchboard.channels.analytics import analytics_endpoint
from switchboard.http import error_boundary


@functions_framework.http
@error_boundary("analytics", lambda: services().settings, cors=False)
def analytics(request: flask.Request) -> flask.Response:
    """Roll up yesterday (and finalise the day before) for every tenant."""
    return analytics_endpoint(request, services().analytics, services().analytics_auth)
