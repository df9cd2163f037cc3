"""The Firestore store's concurrency guarantees, against Google's emulator."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest

from switchboard import bootstrap
from switchboard.core.models import Message
from switchboard.store.base import TurnRecord
from switchboard.store.firestore import RECENT_KEEP, RECENT_MAX

pytestmark = pytest.mark.emulator


def _record(i: int) -> TurnRecord:
    now = datetime.now(UTC)
    return TurnRecord(Message(f"{i:04d}-u", "user", f"q{i}", now), Message(f"{i:04d}-a", "assistant", f"a{i}", now))


def test_concurrent_turns_of_one_conversation_lose_no_message(env: Any) -> None:
    store = bootstrap.services().store
    conversation = store.begin_turn("t", "crm:c", "u", bootstrap.services().settings.rate, datetime.now(UTC))[0]
    store.save_turn("t", conversation, _record(0), datetime.now(UTC))
    loaded = store.begin_turn("t", "crm:c", "u", bootstrap.services().settings.rate, datetime.now(UTC))[0]
    threads = [
        threading.Thread(target=store.save_turn, args=("t", loaded, _record(i), datetime.now(UTC))) for i in range(1, 6)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    final = store.begin_turn("t", "crm:c", "u", bootstrap.services().settings.rate, datetime.now(UTC))[0]
    assert sorted(m.id for m in final.recent) == sorted(f"{i:04d}-{r}" for i in range(6) for r in "ua")
    assert final.turn_count == 6


def test_recent_is_trimmed_when_it_outgrows_its_limit(env: Any) -> None:
    store = bootstrap.services().store
    rate = bootstrap.services().settings.rate
    for i in range(RECENT_MAX // 2 + 1):
        conversation = store.begin_turn("t", "crm:trim", "u", rate, datetime.now(UTC))[0]
        store.save_turn("t", conversation, _record(i), datetime.now(UTC))
    final = store.begin_turn("t", "crm:trim", "u", rate, datetime.now(UTC))[0]
    assert len(final.recent) == RECENT_KEEP
    assert final.recent[-1].id == f"{RECENT_MAX // 2:04d}-a"
