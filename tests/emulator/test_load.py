"""The load suite on every `make test`: 200 conversations of 5 turns at once through the whole
stack, with concurrent escalations and Kommo requests delivered twice. Nothing is lost or doubled."""

from __future__ import annotations

import os
from typing import Any

import pytest

from switchboard.devtools.bench.load import passed, run_load

pytestmark = pytest.mark.emulator


def test_two_hundred_concurrent_conversations_lose_and_double_nothing(firestore_emulator: str, env: Any) -> None:
    before = dict(os.environ)
    result = run_load(conversations=200, turns=5, escalations=20, kommo=20)
    assert result["server_errors"] == 0
    assert result["messages"] == {"lost": 0, "doubled": 0}
    assert result["rate_limit"]["exact"], result["rate_limit"]
    assert result["tickets"] == {"expected": 20, "made": 20}
    assert result["emails"] == {"expected": 20, "sent": 20}
    assert result["teams_cards"] == {"expected": 20, "posted": 20}
    assert result["desk_conversations"] == {"expected": 20, "opened": 20}
    assert result["kommo_replies"] == {"expected": 20, "sent": 20}
    assert passed(result) and result["turns"] == 1000
    assert dict(os.environ) == before  # the run leaves the environment as it found it
