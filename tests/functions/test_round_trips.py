"""A chat turn costs at most 3 store round trips, counted on the wire (gRPC streams)."""

from __future__ import annotations

from typing import Any

import pytest

from switchboard.devtools.grpc_counter import GrpcCallCounter
from tests.conftest import function_client, user_info

pytestmark = pytest.mark.emulator


@pytest.fixture
def counted(env: Any, firestore_emulator: str) -> Any:
    counter = GrpcCallCounter(int(firestore_emulator.rsplit(":", 1)[1]))
    env(FIRESTORE_EMULATOR_HOST=counter.host)
    yield counter
    counter.close()


def _ask(chat: Any, message: str, session: str = "s-rt") -> Any:
    return chat.post("/api/agent/customer/", json={"message": message, "session_id": session, "user_info": user_info()})


def test_answered_turn_is_three_round_trips(counted: GrpcCallCounter, seed: Any) -> None:
    seed()
    chat = function_client("chat")
    assert _ask(chat, "How do I reset a password?").status_code == 200  # warms tenant + index caches
    counted.reset()
    assert _ask(chat, "How long do card refunds take?").status_code == 200
    # conversation read ‖ rate-limit increment, then one commit
    assert counted.count == 3, f"{counted.count} calls, {counted.refused} refused by the server"


def test_handoff_turn_is_three_and_a_refused_turn_is_two(counted: GrpcCallCounter, seed: Any, env: Any) -> None:
    env(RATE_LIMIT="2/31536000")
    seed()
    chat = function_client("chat")
    assert _ask(chat, "How do I reset a password?").status_code == 200
    counted.reset()
    assert _ask(chat, "I want to talk to a human").status_code == 200
    assert counted.count == 3, f"{counted.count} calls, {counted.refused} refused by the server"
    counted.reset()
    assert _ask(chat, "How do I reset a password?").status_code == 429
    assert counted.count == 2, f"{counted.count} calls, {counted.refused} refused by the server"
