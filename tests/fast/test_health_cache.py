"""/api/health is public: it probes the vendors with our credentials at most once per cache period."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from switchboard.devtools.standins import FreshdeskStandIn
from tests.conftest import function_client
from tests.support.fast import FastStack


@pytest.fixture
def freshdesk() -> Iterator[FreshdeskStandIn]:
    stand_in = FreshdeskStandIn().start()
    yield stand_in
    stand_in.stop()


def test_repeated_health_checks_probe_the_vendors_once_per_period(
    make_stack: Callable[..., FastStack], freshdesk: FreshdeskStandIn
) -> None:
    make_stack(FRESHDESK_BASE_URL=freshdesk.url, FRESHDESK_API_KEY=freshdesk.api_key, HEALTH_CACHE_SECONDS="60")
    client = function_client("health")
    bodies = [client.get("/api/health").get_json() for _ in range(20)]
    assert all(b["services"]["freshdesk"]["status"] == "healthy" for b in bodies)
    assert len(freshdesk.requests) == 1
    assert bodies[0]["age_seconds"] <= bodies[-1]["age_seconds"]


def test_a_zero_period_probes_every_time(make_stack: Callable[..., FastStack], freshdesk: FreshdeskStandIn) -> None:
    make_stack(FRESHDESK_BASE_URL=freshdesk.url, FRESHDESK_API_KEY=freshdesk.api_key, HEALTH_CACHE_SECONDS="0")
    client = function_client("health")
    for _ in range(3):
        client.get("/api/health")
    assert len(freshdesk.requests) == 3
