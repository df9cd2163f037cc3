"""Cloud Tasks adapter: HTTP target tasks with an OIDC token and an explicit audience.

With TASKS_EMULATOR_HOST set it talks to the local Cloud Tasks emulator over an insecure
channel (the emulator sends no OIDC token and does not deduplicate names; our claims cover both).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

from google.api_core import exceptions as gexc
from google.api_core.retry import Retry, if_exception_type
from google.cloud import tasks_v2
from google.protobuf import duration_pb2, timestamp_pb2

from switchboard.errors import UpstreamUnavailableError
from switchboard.tasks.auth import SECRET_HEADER
from switchboard.tasks.base import Task

log = logging.getLogger(__name__)

DISPATCH_DEADLINE_SECONDS = 120


def build_client(emulator_host: str | None) -> tasks_v2.CloudTasksClient:
    """A Cloud Tasks client, on the emulator's insecure channel when ``emulator_host`` is set."""
    if emulator_host:
        import grpc
        from google.cloud.tasks_v2.services.cloud_tasks.transports import CloudTasksGrpcTransport

        channel = grpc.insecure_channel(emulator_host)
        return tasks_v2.CloudTasksClient(transport=CloudTasksGrpcTransport(channel=channel))
    return tasks_v2.CloudTasksClient()


class CloudTasksQueue:
    """Enqueues tasks to ``{target_url}/tasks/{kind}``.

    Args:
        client: A Cloud Tasks client.
        queue_path: ``projects/P/locations/L/queues/Q``.
        target_url: Base URL of the private tasks function.
        service_account: Service account whose OIDC token authenticates the call (None: no token).
        audience: OIDC audience; defaults to ``target_url`` (a query string would break it).
        timeout: Per-call timeout in seconds.
        secret: Sent as the task secret header (the local queue, which cannot add an OIDC token).
    """

    def __init__(
        self,
        client: tasks_v2.CloudTasksClient,
        queue_path: str,
        target_url: str,
        service_account: str | None = None,
        audience: str | None = None,
        timeout: float = 5.0,
        secret: str | None = None,
    ) -> None:
        self._client = client
        self._queue = queue_path
        self._target = target_url.rstrip("/")
        self._service_account = service_account
        self._audience = audience or self._target
        self._timeout = timeout
        self._secret = secret

    def enqueue(self, task: Task) -> None:
        """Create the task; an existing name means it is already scheduled (a no-op)."""
        request = tasks_v2.HttpRequest(
            http_method=tasks_v2.HttpMethod.POST,
            url=f"{self._target}/tasks/{task.kind}",
            headers={"Content-Type": "application/json", **({SECRET_HEADER: self._secret} if self._secret else {})},
            body=json.dumps(task.payload).encode(),
        )
        if self._service_account:
            request.oidc_token = tasks_v2.OidcToken(
                service_account_email=self._service_account, audience=self._audience
            )
        proto = tasks_v2.Task(
            name=f"{self._queue}/tasks/{task.task_id}",
            http_request=request,
            dispatch_deadline=duration_pb2.Duration(seconds=DISPATCH_DEADLINE_SECONDS),
        )
        if task.delay_seconds > 0:
            when = timestamp_pb2.Timestamp()
            when.FromDatetime(datetime.now(UTC) + timedelta(seconds=task.delay_seconds))
            proto.schedule_time = when
        try:
            # Named tasks make a retry safe: one that did land answers ALREADY_EXISTS.
            retry = Retry(
                predicate=if_exception_type(gexc.ServiceUnavailable, gexc.InternalServerError),
                initial=0.1,
                maximum=1.0,
                multiplier=2.0,
                timeout=self._timeout,
            )
            self._client.create_task(parent=self._queue, task=proto, timeout=self._timeout, retry=retry)
        except gexc.AlreadyExists:
            log.info("task already scheduled", extra={"task": task.task_id})
        except (gexc.GoogleAPICallError, gexc.RetryError) as exc:
            raise UpstreamUnavailableError(
                f"Cloud Tasks: could not enqueue {task.kind} ({type(exc).__name__})"
            ) from exc
