"""The fault suite on every `make test`: load through the whole stack while Firestore is cut off,
stopped and restarted, Gemini answers 429/500/too late, and Freshdesk, Chatwoot, Teams, Kommo and
the SMTP server are down, then everything comes back."""

from __future__ import annotations

import os

import pytest

from switchboard.devtools.bench.faults import passed, run_faults

pytestmark = pytest.mark.emulator


def test_outages_end_in_every_message_stored_once_and_all_deferred_work_done_once() -> None:
    before = dict(os.environ)
    result = run_faults(conversations=30, turns=4, escalations=10, kommo=10)
    # The faults happened: callers met 503s, Gemini served every scripted fault, Firestore was away
    assert result["statuses"].get(503, 0) > 0 and result["firestore_down_s"] >= 8
    assert result["gemini"]["faults_served"] == 90 and result["gemini"]["turns_handed_off"] > 0
    # Only 503s, each with Retry-After and an error code; no 500s
    assert result["problems"] == [] and set(result["statuses"]) <= {200, 202, 503}
    # Nothing lost, half-written or doubled
    assert result["messages"] == {"lost": 0, "doubled": 0}
    assert result["failure_records"] == {"expected": 10, "stored": 10}
    assert result["tickets"] == {"expected": 10, "made": 10}
    assert result["emails"] == {"expected": 10, "sent": 10}
    assert result["teams_cards"] == {"expected": 10, "posted": 10}
    assert result["desk_conversations"] == {"expected": 10, "opened": 10}
    assert result["kommo_replies"] == {"expected": 10, "sent": 10}
    assert result["left_pending"] == {} and result["dead_letters"] == 0 and passed(result)
    assert dict(os.environ) == before
