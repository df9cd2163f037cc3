"""Cloud Function ``tasks`` (private: only the Cloud Tasks service account may invoke it)."""

from __future__ import annotations

import flask
import functions_framework

from switchboard.bootstrap import services
from switchboard.channels.tasks import tasks_endpoint
from switchboard.http import error_boundary


@functions_framework.http
@error_boundary("tasks", lambda: services().settings, cors=False)
def tasks(request: flask.Request) -> flask.Response:
    """Run deferred work: tickets, confirmation emails, Teams cards, Chatwoot sync, the sweep."""
    return tasks_endpoint(request, services().task_runner)
