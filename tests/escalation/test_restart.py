"""The local stack restarted mid-flow loses nothing: pending work survives in Firestore and the
sweep re-enqueues it after the task emulator (which keeps tasks in memory only) lost its queue."""

from __future__ import annotations

from typing import Any

import pytest

from switchboard.devtools.server import DevServer, build_app
from switchboard.devtools.standins import Fault
from switchboard.tasks.cloud_tasks import build_client
from tests.conftest import REPO
from tests.escalation.conftest import LOCATION, QUEUE, Stack

pytestmark = pytest.mark.emulator


def test_restart_while_freshdesk_is_down_loses_nothing(stack: Stack, tasks_emulator: Any, project: str) -> None:
    # GIVEN Freshdesk is down when the user accepts a ticket
    stack.freshdesk.fail_next(*[Fault(503, {})] * 50)
    failure_id = stack.record_failure()
    assert stack.create_ticket(failure_id).status_code == 202
    stack.wait_for(lambda: len(stack.freshdesk.requests) >= 3, what="a few failed attempts")
    # WHEN the stack stops: the server goes away and the task emulator loses its queue
    port = stack.server.port
    stack.server.stop()
    build_client(tasks_emulator.host).purge_queue(name=f"projects/{project}/locations/{LOCATION}/queues/{QUEUE}")
    stack.freshdesk.faults.clear()  # Freshdesk recovers while we are down
    # AND it starts again and sweeps
    server = DevServer(build_app(REPO / "functions"), port).start()
    try:
        swept = stack.http.post("/tasks/sweep", json={"min_age_seconds": 0})
        assert swept.status_code == 200 and swept.json()["enqueued"].get("create-ticket") == 1
        # THEN the ticket is made once and the email names it
        stack.wait_for(lambda: stack.freshdesk.tickets, timeout=30, what="ticket after restart")
        stack.wait_for(lambda: stack.smtp.messages, timeout=30, what="email after restart")
        stack.settle()
        assert len(stack.freshdesk.tickets) == 1 and len(stack.smtp.messages) == 1
        assert stack.create_ticket(failure_id).json()["ticket_id"] == "9630"
        # AND a later sweep finds nothing left to do
        stack.settle(0.5)
        assert stack.http.post("/tasks/sweep", json={"min_age_seconds": 0}).json()["enqueued"] == {}
    finally:
        server.stop()
