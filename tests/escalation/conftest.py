"""The escalation stack: every function behind one real HTTP server, the Cloud Tasks emulator
calling back into it, and loopback stand-ins for Freshdesk, Teams, Chatwoot and SMTP."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from switchboard.devtools.emulator import free_port
from switchboard.devtools.server import DevServer, build_app
from switchboard.devtools.standins import (
    ChatwootStandIn,
    FreshdeskStandIn,
    SmtpSink,
    TeamsStandIn,
    helpdesk_environment,
)
from switchboard.devtools.tasks_emulator import TasksEmulator
from switchboard.tasks.auth import SECRET_HEADER
from tests.conftest import REPO
from tests.support.crm import failure_body

QUEUE = "switchboard-tasks"
LOCATION = "us-central1"
WEBHOOK_SECRET = "test-webhook-secret"
TASK_SECRET = "test-task-secret"


@pytest.fixture(scope="session")
def tasks_emulator() -> Iterator[TasksEmulator]:
    emulator = TasksEmulator(f"projects/demo-session/locations/{LOCATION}/queues/{QUEUE}").start()
    yield emulator
    emulator.stop()


@dataclass
class Stack:
    base_url: str
    http: httpx.Client
    freshdesk: FreshdeskStandIn
    teams: TeamsStandIn
    chatwoot: ChatwootStandIn
    smtp: SmtpSink
    server: DevServer

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 20.0, what: str = "condition") -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}")

    def settle(self, seconds: float = 1.0) -> None:
        """Let any stray task deliveries arrive before asserting that nothing more happened."""
        time.sleep(seconds)

    def record_failure(self, **overrides: Any) -> str:
        body = failure_body(**overrides)
        response = self.http.post("/api/agent-failure/", json=body)
        assert response.status_code == 200, response.text
        return str(response.json()["failure_id"])

    def create_ticket(self, failure_id: str, history: list[dict[str, str]] | None = None) -> httpx.Response:
        body = {
            "conversation_history": history
            if history is not None
            else [
                {"role": "user", "content": "How do I fix error code X1234?", "timestamp": "2024-02-09T10:30:00.000Z"},
                {
                    "role": "assistant",
                    "content": "I'm not confident I can help.",
                    "timestamp": "2024-02-09T10:30:05.123Z",
                },
            ]
        }
        return self.http.post(f"/api/agent-failure/{failure_id}/create-ticket", json=body)


@pytest.fixture
def stack(env: Any, project: str, tasks_emulator: TasksEmulator, seed: Any) -> Iterator[Stack]:
    from google.cloud import tasks_v2

    from switchboard.tasks.cloud_tasks import build_client

    queue_parent = f"projects/{project}/locations/{LOCATION}"
    build_client(tasks_emulator.host).create_queue(
        parent=queue_parent, queue=tasks_v2.Queue(name=f"{queue_parent}/queues/{QUEUE}")
    )
    freshdesk, teams, chatwoot = FreshdeskStandIn().start(), TeamsStandIn().start(), ChatwootStandIn().start()
    smtp = SmtpSink(free_port()).start()
    port = free_port()
    env(
        TASKS_EMULATOR_HOST=tasks_emulator.host,
        TASKS_TARGET_URL=f"http://127.0.0.1:{port}",
        TASKS_QUEUE=QUEUE,
        TASKS_LOCATION=LOCATION,
        TASK_RETRY_BASE_SECONDS="0.3",
        **helpdesk_environment(freshdesk, teams, smtp),
        CHATWOOT_BASE_URL=chatwoot.url,
        CHATWOOT_API_TOKEN=chatwoot.token,
        CHATWOOT_ACCOUNT_ID=str(chatwoot.account_id),
        CHATWOOT_INBOX_ID=str(chatwoot.inbox_id),
        CHATWOOT_WEBHOOK_SECRET=WEBHOOK_SECRET,
        TASKS_SECRET=TASK_SECRET,
    )
    seed()
    server = DevServer(build_app(REPO / "functions"), port).start()
    # Tests deliver tasks by hand too: the client carries the queue's secret (other endpoints ignore it).
    client = httpx.Client(base_url=server.base_url, timeout=30, headers={SECRET_HEADER: TASK_SECRET})
    try:
        yield Stack(server.base_url, client, freshdesk, teams, chatwoot, smtp, server)
    finally:
        client.close()
        server.stop()
        for stand_in in (freshdesk, teams, chatwoot):
            stand_in.stop()
        smtp.stop()
