"""The Firestore store's concurrency guarantees, against Google's emulator."""

from __future__ import annotations

import json
import logging
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


@pytest.mark.parametrize("exists", [False, True])
def test_a_save_sent_again_after_its_answer_was_lost_finds_its_own_writes(env: Any, exists: bool) -> None:
    # GIVEN a turn whose commit landed, though the caller never heard back (the library then
    # re-sends the same writes: "already exists")
    store = bootstrap.services().store
    rate = bootstrap.services().settings.rate
    if exists:
        store.save_turn(
            "t", store.begin_turn("t", "crm:lost", "u", rate, datetime.now(UTC))[0], _record(0), datetime.now(UTC)
        )
    loaded = store.begin_turn("t", "crm:lost", "u", rate, datetime.now(UTC))[0]
    store.save_turn("t", loaded, _record(1), datetime.now(UTC))
    # WHEN the same save arrives again from the same, now stale, state
    store.save_turn("t", loaded, _record(1), datetime.now(UTC))
    # THEN it succeeds without writing the turn twice
    final = store.begin_turn("t", "crm:lost", "u", rate, datetime.now(UTC))[0]
    assert [m.id for m in final.recent][-2:] == ["0001-u", "0001-a"]
    assert len(final.recent) == (4 if exists else 2) and final.turn_count == (2 if exists else 1)


def test_recent_is_trimmed_when_it_outgrows_its_limit(env: Any) -> None:
    store = bootstrap.services().store
    rate = bootstrap.services().settings.rate
    for i in range(RECENT_MAX // 2 + 1):
        conversation = store.begin_turn("t", "crm:trim", "u", rate, datetime.now(UTC))[0]
        store.save_turn("t", conversation, _record(i), datetime.now(UTC))
    final = store.begin_turn("t", "crm:trim", "u", rate, datetime.now(UTC))[0]
    assert len(final.recent) == RECENT_KEEP
    assert final.recent[-1].id == f"{RECENT_MAX // 2:04d}-a"


def test_recent_round_trips_content_and_time_and_reads_entries_stored_as_maps(env: Any) -> None:
    store = bootstrap.services().store
    rate = bootstrap.services().settings.rate
    at = datetime(2026, 11, 22, 9, 30, 15, 123456, tzinfo=UTC)
    record = TurnRecord(Message("m-u", "user", 'Сайн уу, "quotes" ✓', at), Message("m-a", "assistant", "ok", at))
    store.save_turn("t", store.begin_turn("t", "crm:rt", "u", rate, at)[0], record, at)
    loaded = store.begin_turn("t", "crm:rt", "u", rate, at)[0]
    assert [(m.id, m.role, m.content, m.at) for m in loaded.recent] == [
        ("m-u", "user", 'Сайн уу, "quotes" ✓', at),
        ("m-a", "assistant", "ok", at),
    ]
    # A conversation written by an earlier version keeps its history readable.
    doc = store.client.collection("tenants").document("t").collection("conversations").document("crm:old")
    doc.set({"owner": "ai", "recent": [{"id": "old-1", "role": "user", "content": "hi", "at": at}]})
    old = store.begin_turn("t", "crm:old", "u", rate, at)[0]
    assert [(m.id, m.content, m.at) for m in old.recent] == [("old-1", "hi", at)]


def test_a_save_writes_changed_conversation_fields_and_keeps_the_rest(env: Any) -> None:
    store = bootstrap.services().store
    rate = bootstrap.services().settings.rate
    doc = store.client.collection("tenants").document("t").collection("conversations").document("crm:fields")
    first = {"channel": "crm", "user": {"email": "a@example.com", "name": "A"}, "language": "en"}
    store.save_turn(
        "t", store.begin_turn("t", "crm:fields", "u", rate, datetime.now(UTC))[0], _record(0), datetime.now(UTC)
    )
    conversation = store.begin_turn("t", "crm:fields", "u", rate, datetime.now(UTC))[0]
    record = _record(1)
    store.save_turn("t", conversation, TurnRecord(record.user_message, record.reply, first), datetime.now(UTC))
    conversation = store.begin_turn("t", "crm:fields", "u", rate, datetime.now(UTC))[0]
    assert conversation.stored["user"] == {"email": "a@example.com", "name": "A"}
    changed = {**first, "user": {"email": "b@example.com", "name": "A"}, "language": "mn"}
    record = _record(2)
    store.save_turn("t", conversation, TurnRecord(record.user_message, record.reply, changed), datetime.now(UTC))
    data = doc.get().to_dict()
    assert data["user"] == {"email": "b@example.com", "name": "A"}
    assert (data["language"], data["channel"], data["turn_count"]) == ("mn", "crm", 3)


def test_concurrent_saves_log_no_user_or_session_id(env: Any) -> None:
    store = bootstrap.services().store
    rate = bootstrap.services().settings.rate
    key = "crm:jane.private@example.com:session-1707500000123"
    for i in range(RECENT_MAX // 2):  # a full context: the next saves trim it, guarded, and collide
        conversation = store.begin_turn("t", key, "u", rate, datetime.now(UTC))[0]
        store.save_turn("t", conversation, _record(i), datetime.now(UTC))
    loaded = store.begin_turn("t", key, "u", rate, datetime.now(UTC))[0]
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.INFO)
    handler.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger("switchboard.store.firestore")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    try:
        threads = [
            threading.Thread(target=store.save_turn, args=("t", loaded, _record(100 + i), datetime.now(UTC)))
            for i in range(5)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    logged = [json.dumps({**r.__dict__, "msg": r.getMessage()}, default=str) for r in records]
    assert any("conversation changed concurrently" in line for line in logged)  # the retry path ran
    assert not any("jane.private" in line or "1707500000123" in line for line in logged)


def test_a_claim_whose_create_landed_unheard_is_still_ours(env: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import timedelta

    from google.cloud.firestore_v1.document import DocumentReference

    claims = bootstrap.services().claims
    real = DocumentReference.create

    def landed_then_sent_again(self: DocumentReference, *args: Any, **kwargs: Any) -> Any:
        real(self, *args, **kwargs)  # it reached Firestore, but the answer was lost:
        return real(self, *args, **kwargs)  # the library sends it again -> "already exists"

    monkeypatch.setattr(DocumentReference, "create", landed_then_sent_again)
    assert claims.claim("t", "ticket:x", timedelta(minutes=2)).state == "acquired"
    monkeypatch.setattr(DocumentReference, "create", real)
    # AND it still holds against everyone else
    assert claims.claim("t", "ticket:x", timedelta(minutes=2)).state == "busy"
