"""The hot path's direct protobuf writes are exactly the client library's (no network used)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from google.cloud import firestore

from switchboard.store import wire

NOW = datetime(2026, 11, 22, 1, 2, 3, 456789, tzinfo=UTC)
DATA: dict[str, Any] = {
    "language": "mn",
    "reason": None,
    "flag": True,
    "count": 3,
    "score": 0.25,
    "at": NOW,
    "user": {"email": "a@example.com", "tags": [1, "two", {"when": NOW}], "empty": {}},
    "recent": firestore.ArrayUnion(['{"id":"q"}', '{"id":"r"}']),
    "turn_count": firestore.Increment(1),
    "list": ["x", 2.5, False],
    "none": [],
    "text": "Сайн уу ✓",
}


@pytest.fixture
def db(monkeypatch: pytest.MonkeyPatch) -> firestore.Client:
    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", "127.0.0.1:9")  # never contacted
    return firestore.Client(project="wire-test")


def _pbs(batch: Any) -> list[Any]:
    return [w._pb for w in batch._write_pbs]


def test_create_update_and_guarded_update_match_the_library(db: firestore.Client) -> None:
    ref = db.collection("tenants").document("t").collection("conversations").document("crm:a")
    for ours, theirs in (
        (lambda b: wire.create(b, ref, DATA), lambda b: b.create(ref, DATA)),
        (lambda b: wire.update(b, ref, DATA), lambda b: b.update(ref, DATA)),
        (
            lambda b: wire.update(b, ref, DATA, last_update_time=NOW),
            lambda b: b.update(ref, DATA, option=db.write_option(last_update_time=NOW)),
        ),
    ):
        mine, library = db.batch(), db.batch()
        ours(mine)
        theirs(library)
        assert _pbs(mine) == _pbs(library)


def test_merge_of_counters_matches_set_with_merge(db: firestore.Client) -> None:
    ref = db.collection("tenants").document("t").collection("usage").document("2026-11-22")
    data = {"requests": firestore.Increment(1), "date": "2026-11-22", "channel_crm": firestore.Increment(2)}
    mine, library = db.batch(), db.batch()
    wire.merge(mine, ref, data)
    library.set(ref, data, merge=True)
    assert _pbs(mine) == _pbs(library)


def test_what_it_cannot_write_exactly_is_refused(db: firestore.Client) -> None:
    ref = db.collection("c").document("d")
    with pytest.raises(ValueError, match="quoting"):
        wire.create(db.batch(), ref, {"a.b": 1})
    with pytest.raises(ValueError, match="nested maps"):
        wire.merge(db.batch(), ref, {"user": {"a": 1}})
    with pytest.raises(TypeError, match="set"):
        wire.create(db.batch(), ref, {"a": {1, 2}})


def test_decoding_gives_what_the_library_gives_and_keeps_nanoseconds(db: firestore.Client) -> None:
    from google.api_core.datetime_helpers import DatetimeWithNanoseconds
    from google.cloud.firestore_v1 import _helpers

    plain = {k: v for k, v in DATA.items() if k not in ("recent", "turn_count")}
    batch = db.batch()
    wire.create(batch, db.collection("c").document("d"), plain)
    fields = batch._write_pbs[0]._pb.update.fields
    assert wire.decode_fields(fields) == _helpers.decode_dict(batch._write_pbs[0].update.fields, db) == plain
    stamp = DatetimeWithNanoseconds(2026, 11, 22, 1, 2, 3, nanosecond=123456789, tzinfo=UTC)
    guarded = db.batch()
    wire.update(guarded, db.collection("c").document("d"), {"a": 1}, last_update_time=stamp)
    assert guarded._write_pbs[0]._pb.current_document.update_time.nanos == 123456789
