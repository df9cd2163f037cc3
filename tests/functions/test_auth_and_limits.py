"""The per-user rate limit on the real store: N answers then 429, exact under concurrency.
(API keys and anonymous access are in tests/fast/test_chat_http.py.)"""

from __future__ import annotations

import threading
from typing import Any

import httpx
import pytest

from switchboard.devtools.server import DevServer, build_app
from tests.conftest import REPO, user_info

pytestmark = pytest.mark.emulator


def _body(message: str = "How do I add a new user?", agent_id: str = "crm_user_456") -> dict[str, Any]:
    return {"message": message, "user_info": user_info(agent_id)}


def test_n_answers_then_429_with_reset_and_retry_after(chat: Any, seed: Any, env: Any) -> None:
    env(RATE_LIMIT="3/31536000")
    seed()
    statuses = [chat.post("/api/agent/customer/", json=_body()).status_code for _ in range(3)]
    limited = chat.post("/api/agent/customer/", json=_body())
    assert statuses == [200, 200, 200]
    assert limited.status_code == 429
    reset = limited.get_json()["detail"]["reset_in_seconds"]
    assert set(limited.get_json()) == {"detail"}
    assert 1 <= reset <= 31536000
    assert limited.headers["Retry-After"] == str(reset)
    # another user of the same tenant is not affected
    assert chat.post("/api/agent/customer/", json=_body(agent_id="someone-else")).status_code == 200


def test_limit_is_exact_when_ten_requests_arrive_at_once(seed: Any, env: Any) -> None:
    # GIVEN a limit of 4 and the functions behind a real threaded HTTP server
    env(RATE_LIMIT="4/31536000")
    seed()
    server = DevServer(build_app(REPO / "functions"), 0).start()
    results: list[int] = []
    barrier = threading.Barrier(10)

    def fire() -> None:
        with httpx.Client(base_url=server.base_url, timeout=30) as client:
            barrier.wait()
            results.append(client.post("/api/agent/customer/", json=_body()).status_code)

    try:
        # WHEN ten requests of one user arrive at once
        threads = [threading.Thread(target=fire) for _ in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        server.stop()
    # THEN exactly four are answered and six are refused
    assert sorted(results) == [200] * 4 + [429] * 6
