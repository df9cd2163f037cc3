"""`switchboard bench load`: many conversations at once through the real stack, on loopback.

Every function runs behind one threaded HTTP server (as in ``make dev``) on Google's Firestore
emulator and the Cloud Tasks emulator, with the loopback stand-ins of Freshdesk, Teams, SMTP and
Kommo. At once: ``conversations`` conversations of ``turns`` turns each through the chat API,
``escalations`` failures whose create-ticket is called twice concurrently, ``kommo`` Salesbot
requests each delivered twice, and one user who sends more than the rate limit allows. Then the
queue is drained and everything is counted from what was stored and what the stand-ins received.

The result says how many messages, tickets, emails and replies were lost or doubled (both must be
0), how many 5xx answers came back (must be 0), whether the rate limit was exact, and the
throughput and latency of the chat turns.
"""

from __future__ import annotations

import os
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import httpx

from switchboard.devtools.bench.speed import REPO, _pct

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


def _wait(predicate: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


def run_load(conversations: int = 200, turns: int = LIMIT, escalations: int = 20, kommo: int = 20) -> dict[str, Any]:
    """Run the load and count; needs FIRESTORE_EMULATOR_HOST (the CLI starts an emulator if unset)."""
    import jwt

    from switchboard import bootstrap
    from switchboard.devtools.emulator import free_port
    from switchboard.devtools.server import DevServer, build_app
    from switchboard.devtools.standins import (
        FreshdeskStandIn,
        KommoStandIn,
        SmtpSink,
        TeamsStandIn,
        helpdesk_environment,
    )
    from switchboard.devtools.tasks_emulator import TasksEmulator
    from switchboard.knowledge.articles import read_articles
    from switchboard.knowledge.importer import import_articles

    if turns > LIMIT:
        raise ValueError(f"at most {LIMIT} turns per conversation (the rate limit of this run)")
    saved_environment = dict(os.environ)
    project = f"demo-load-{uuid.uuid4().hex[:8]}"
    queue = f"projects/{project}/locations/us-central1/queues/load"
    tasks = TasksEmulator(queue).start()
    freshdesk, teams, kommo_desk = FreshdeskStandIn(), TeamsStandIn(), KommoStandIn()
    for stand_in in (freshdesk, teams, kommo_desk):
        stand_in.start()
    smtp = SmtpSink(free_port()).start()
    port = free_port()
    client_secret = "load-kommo-secret-" + secrets.token_hex(24)
    os.environ.update(
        GOOGLE_CLOUD_PROJECT=project,
        ALLOW_ANONYMOUS="true",
        LLM_BACKEND="extractive",
        EMBEDDING_BACKEND="none",
        RATE_LIMIT=f"{LIMIT}/3600",
        LOG_LEVEL="ERROR",
        TASKS_EMULATOR_HOST=tasks.host,
        TASKS_TARGET_URL=f"http://127.0.0.1:{port}",
        TASKS_QUEUE="load",
        TASKS_LOCATION="us-central1",
        TASKS_SECRET=secrets.token_urlsafe(24),
        TASK_RETRY_BASE_SECONDS="0.3",
        **helpdesk_environment(freshdesk, teams, smtp),
        KOMMO_CLIENT_SECRET=client_secret,
        KOMMO_ACCOUNT_ID="7",
        KOMMO_SUBDOMAIN="load",
        KOMMO_ACCESS_TOKEN=kommo_desk.token,
        KOMMO_RETURN_URL_HOSTS=kommo_desk.url.removeprefix("http://"),
    )
    bootstrap.reset()
    from google.cloud import tasks_v2

    from switchboard.tasks.cloud_tasks import build_client

    build_client(tasks.host).create_queue(parent=queue.rsplit("/queues/", 1)[0], queue=tasks_v2.Queue(name=queue))
    services = bootstrap.services()
    demo = read_articles(REPO / "examples" / "kb" / "demo.jsonl")
    import_articles(services.store, "default", demo, replace=True, embedder=None)
    server = DevServer(build_app(REPO / "functions"), port).start()
    statuses: list[int] = []
    latencies: list[float] = []
    lock = threading.Lock()
    http = httpx.Client(base_url=server.base_url, timeout=60, limits=httpx.Limits(max_connections=256))

    def post(path: str, **kwargs: Any) -> httpx.Response:
        t0 = time.perf_counter()
        response = http.post(path, **kwargs)
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
        body = {
            "session_id": f"esc-{i}",
            "agent_id": f"esc-user-{i}",
            "query": f"My device {i} shows error X{i}",
            "agent_response": "I am not sure.",
            "confidence_score": 0.2,
            "escalation_reason": "low_confidence",
            "user_email": f"esc{i}@example.com",
            "user_name": f"Esc {i}",
        }
        failure_id = post("/api/agent-failure/", json=body).json()["failure_id"]
        with ThreadPoolExecutor(2) as both:  # the customer double-clicks
            list(both.map(lambda _: post(f"/api/agent-failure/{failure_id}/create-ticket", json={}), range(2)))

    def salesbot(i: int) -> None:
        now = time.time()
        token = jwt.encode({"account_id": 7, "subdomain": "load", "iat": now, "exp": now + 600}, client_secret, "HS512")
        form = {
            "token": token,
            "data[message]": QUESTIONS[i % len(QUESTIONS)],
            "data[lead_id]": str(1000 + i),
            "data[contact_id]": str(2000 + i),
            "return_url": f"{kommo_desk.url}/api/v4/salesbot/{i}/continue/{uuid.uuid4().hex[:10]}",
        }
        for _ in range(2):  # Kommo delivers it again
            post("/api/kommo/chat/webhook", data=form)

    greedy = _user(10**6)
    started = time.perf_counter()
    try:
        with ThreadPoolExecutor(max_workers=conversations + escalations + kommo + 8) as pool:
            jobs: list[Future[Any]] = [pool.submit(conversation, i) for i in range(conversations)]
            jobs += [pool.submit(escalation, i) for i in range(escalations)]
            jobs += [pool.submit(salesbot, i) for i in range(kommo)]
            body = {"message": QUESTIONS[0], "session_id": "greedy", "user_info": greedy}
            jobs += [pool.submit(post, "/api/agent/customer/", json=body) for _ in range(LIMIT + 3)]
            for job in jobs:
                job.result()
        load_seconds = time.perf_counter() - started
        _wait(
            lambda: (
                len(freshdesk.tickets) >= escalations
                and len(smtp.messages) >= escalations
                and len(teams.cards) >= escalations
                and len(kommo_desk.continues) >= kommo
            ),
            90,
        )
        time.sleep(2)  # anything doubled would arrive now
        conversations_ref = (
            services.firestore_client.collection("tenants").document("default").collection("conversations")
        )
        stored = {}
        for i in range(conversations):
            ref = conversations_ref.document(f"crm:{_user(i)['agent_id']}:s-{i}")
            stored[i] = sum(1 for _ in ref.collection("messages").list_documents())
        greedy_answers = sum(1 for s in statuses if s == 429)
    finally:
        http.close()
        server.stop()
        for stand_in in (freshdesk, teams, kommo_desk):
            stand_in.stop()
        smtp.stop()
        tasks.stop()
        os.environ.clear()
        os.environ.update(saved_environment)
        bootstrap.reset()
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
        "tickets": {"expected": escalations, "made": len(freshdesk.tickets)},
        "emails": {"expected": escalations, "sent": len(smtp.messages)},
        "teams_cards": {"expected": escalations, "posted": len(teams.cards)},
        "kommo_replies": {"expected": kommo, "sent": len(kommo_desk.continues)},
    }


def passed(result: dict[str, Any]) -> bool:
    """Nothing lost, nothing doubled, no 5xx, the rate limit exact."""
    return bool(
        result["server_errors"] == 0
        and result["messages"] == {"lost": 0, "doubled": 0}
        and result["rate_limit"]["exact"]
        and result["tickets"]["made"] == result["tickets"]["expected"]
        and result["emails"]["sent"] == result["emails"]["expected"]
        and result["teams_cards"]["posted"] == result["teams_cards"]["expected"]
        and result["kommo_replies"]["sent"] == result["kommo_replies"]["expected"]
    )
