"""`switchboard bench load`: many conversations at once through the real stack, on loopback.

The whole system runs on loopback (:mod:`switchboard.devtools.bench.loopback`). At once:
``conversations`` conversations of ``turns`` turns each through the chat API, ``escalations``
failures whose create-ticket is called twice concurrently, ``kommo`` Salesbot requests each
delivered twice, and one user who sends more than the rate limit allows. Then the
queue is drained and everything is counted from what was stored and what the stand-ins received.

The result says how many messages, tickets, emails and replies were lost or doubled (both must be
0), how many 5xx answers came back (must be 0), whether the rate limit was exact, and the
throughput and latency of the chat turns.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import httpx

from switchboard.devtools.bench.loopback import loopback_stack, wait_until
from switchboard.devtools.bench.speed import _pct
from switchboard.devtools.standins import ChatwootStandIn, FreshdeskStandIn, KommoStandIn, SmtpSink, TeamsStandIn

QUESTIONS = (
    "How do I reset a user's password?",
    "How long do card refunds take?",
    "How do I export leads to CSV?",
    "How do I turn on two-factor authentication?",
    "Can I change my billing plan?",
)
LIMIT = 5  # answers per user per window; every conversation user sends exactly this many


def _user(i: int) -> dict[str, str]:
    return {"agent_id": f"load-{i}", "email": f"user{i}@example.com", "name": f"User {i}", "agency": "A", "office": "O"}


def run_load(conversations: int = 200, turns: int = LIMIT, escalations: int = 20, kommo: int = 20) -> dict[str, Any]:
    """Run the load and count; needs FIRESTORE_EMULATOR_HOST (the CLI starts an emulator if unset)."""
    if turns > LIMIT:
        raise ValueError(f"at most {LIMIT} turns per conversation (the rate limit of this run)")
    with loopback_stack("load", RATE_LIMIT=f"{LIMIT}/3600") as stack:
        statuses: list[int] = []
        latencies: list[float] = []
        lock = threading.Lock()

        def post(path: str, **kwargs: Any) -> httpx.Response:
            t0 = time.perf_counter()
            response = stack.http.post(path, **kwargs)
            with lock:
                statuses.append(response.status_code)
                if path.startswith("/api/agent/"):
                    latencies.append((time.perf_counter() - t0) * 1000)
            return response

        def conversation(i: int) -> None:
            for t in range(turns):
                body = {"message": QUESTIONS[(i + t) % len(QUESTIONS)], "session_id": f"s-{i}", "user_info": _user(i)}
                post("/api/agent/customer/", json=body)

        def escalation(i: int) -> None:
            failure_id = post("/api/agent-failure/", json=failure(i)).json()["failure_id"]
            with ThreadPoolExecutor(2) as both:  # the customer double-clicks
                list(both.map(lambda _: post(f"/api/agent-failure/{failure_id}/create-ticket", json={}), range(2)))

        def salesbot(i: int) -> None:
            form = stack.kommo_form(QUESTIONS[i % len(QUESTIONS)], i)
            for _ in range(2):  # Kommo delivers it again
                post("/api/kommo/chat/webhook", data=form)

        greedy = _user(10**6)
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=conversations + escalations + kommo + 8) as pool:
            jobs: list[Future[Any]] = [pool.submit(conversation, i) for i in range(conversations)]
            jobs += [pool.submit(escalation, i) for i in range(escalations)]
            jobs += [pool.submit(salesbot, i) for i in range(kommo)]
            body = {"message": QUESTIONS[0], "session_id": "greedy", "user_info": greedy}
            jobs += [pool.submit(post, "/api/agent/customer/", json=body) for _ in range(LIMIT + 3)]
            for job in jobs:
                job.result()
        load_seconds = time.perf_counter() - started
        desk = stack.freshdesk, stack.smtp, stack.teams, stack.chatwoot, stack.kommo
        target = (escalations,) * 4 + (kommo,)
        wait_until(lambda: all(n >= want for n, want in zip(delivered(*desk), target, strict=True)), 90)
        time.sleep(2)  # anything doubled would arrive now
        stored = {i: stack.messages_stored(f"crm:{_user(i)['agent_id']}:s-{i}") for i in range(conversations)}
        made = delivered(*desk)
    greedy_answers = sum(1 for s in statuses if s == 429)
    expected = 2 * turns
    return {
        "conversations": conversations,
        "turns": conversations * turns,
        "load_seconds": round(load_seconds, 1),
        "turns_per_s": round(conversations * turns / load_seconds, 1),
        "turn_ms": {"p50": _pct(latencies, 0.5), "p99": _pct(latencies, 0.99)},
        "server_errors": sum(1 for s in statuses if s >= 500),
        "messages": {
            "lost": sum(max(0, expected - n) for n in stored.values()),
            "doubled": sum(max(0, n - expected) for n in stored.values()),
        },
        "rate_limit": {"refused": greedy_answers, "expected_refused": 3, "exact": greedy_answers == 3},
        **counted(made, escalations, kommo),
    }


def failure(i: int) -> dict[str, Any]:
    """An ``agent-failure`` body for escalation ``i``."""
    return {
        "session_id": f"esc-{i}",
        "agent_id": f"esc-user-{i}",
        "query": f"My device {i} shows error X{i}",
        "agent_response": "I am not sure.",
        "confidence_score": 0.2,
        "escalation_reason": "low_confidence",
        "user_email": f"esc{i}@example.com",
        "user_name": f"Esc {i}",
    }


def delivered(
    freshdesk: FreshdeskStandIn, smtp: SmtpSink, teams: TeamsStandIn, chatwoot: ChatwootStandIn, kommo: KommoStandIn
) -> tuple[int, int, int, int, int]:
    """What the outside services received: tickets, emails, Teams cards, desk conversations, Kommo replies."""
    return (
        len(freshdesk.tickets),
        len(smtp.messages),
        len(teams.cards),
        len(chatwoot.conversations),
        len(kommo.continues),
    )


def counted(made: tuple[int, int, int, int, int], escalations: int, kommo: int) -> dict[str, dict[str, int]]:
    tickets, emails, cards, desk, replies = made
    return {
        "tickets": {"expected": escalations, "made": tickets},
        "emails": {"expected": escalations, "sent": emails},
        "teams_cards": {"expected": escalations, "posted": cards},
        "desk_conversations": {"expected": escalations, "opened": desk},
        "kommo_replies": {"expected": kommo, "sent": replies},
    }


def all_delivered(result: dict[str, Any]) -> bool:
    """Each intent reached its outside service exactly once."""
    return all(
        result[name][done] == result[name]["expected"]
        for name, done in (
            ("tickets", "made"),
            ("emails", "sent"),
            ("teams_cards", "posted"),
            ("desk_conversations", "opened"),
            ("kommo_replies", "sent"),
        )
    )


def passed(result: dict[str, Any]) -> bool:
    """Nothing lost, nothing doubled, no 5xx, the rate limit exact."""
    return bool(
        result["server_errors"] == 0
        and result["messages"] == {"lost": 0, "doubled": 0}
        and result["rate_limit"]["exact"]
        and all_delivered(result)
    )
