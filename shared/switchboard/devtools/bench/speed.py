"""`switchboard bench speed`: per-turn server overhead, round trips, Kommo ack, cold starts.

Everything runs on this machine against Google's Firestore emulator, with a zero-latency
loopback fake Gemini answering through the real google-genai SDK, so what is measured is our
own overhead. The baseline is a minimal functions-framework function doing one Firestore read
and one write, measured in the same run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[4]
FUNCTIONS = REPO / "functions"
USER = {"agent_id": "bench-user", "email": "bench@example.com", "name": "Bench", "agency": "A", "office": "O"}
#: Turns (and baseline requests) run before measuring: the emulator's JVM needs a few hundred
#: requests before its latency settles.
WARMUP = 300
QUESTIONS = (
    "How do I reset a user's password?",
    "How long do card refunds take?",
    "How do I export leads to CSV?",
    "How do I turn on two-factor authentication?",
)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, max(0, int(round(q * len(ordered))) - 1))], 2)


def _client(name: str, source: Path | None = None, target: str | None = None) -> Any:
    from functions_framework import create_app

    app = create_app(target=target or name, source=str(source or FUNCTIONS / name / "main.py"))  # type: ignore[no-untyped-call]
    return app.test_client()


def _chat_body(i: int) -> dict[str, Any]:
    return {"message": QUESTIONS[i % len(QUESTIONS)], "session_id": f"bench-{i % 25}", "user_info": USER}


def _measure(chat: Any, baseline: Any, turns: int) -> tuple[list[float], list[float], float]:
    """Alternate one chat turn and one baseline request, so both see the same emulator state
    (JIT warmth, compactions, machine noise); returns our overheads, the baseline's times and
    the seconds spent in chat turns."""
    overheads: list[float] = []
    base_times: list[float] = []
    chat_seconds = 0.0
    for i in range(turns):
        t0 = time.perf_counter()
        response = chat.post("/api/agent/test/", json=_chat_body(i))
        wall = time.perf_counter() - t0
        assert response.status_code == 200, response.get_data(as_text=True)
        chat_seconds += wall
        timings = response.get_json()["debug"]["timings_ms"]
        # Model calls (the answer and the query embedding) are the model's time, not ours.
        model = float(timings.get("llm_ms", 0.0)) + float(timings.get("embed_ms", 0.0))
        overheads.append(wall * 1000 - model)
        t0 = time.perf_counter()
        assert baseline.get("/").status_code == 200
        base_times.append((time.perf_counter() - t0) * 1000)
    return overheads, base_times, chat_seconds


def _round_trips(emulator_host: str, reset: Callable[[], None], turns: int = 20) -> float:
    from switchboard.devtools.grpc_counter import GrpcCallCounter

    counter = GrpcCallCounter(int(emulator_host.rsplit(":", 1)[1]))
    os.environ["FIRESTORE_EMULATOR_HOST"] = counter.host
    reset()
    try:
        chat = _client("chat")
        for i in range(5):
            chat.post("/api/agent/test/", json=_chat_body(i))
        counter.reset()
        for i in range(turns):
            chat.post("/api/agent/test/", json=_chat_body(i))
        return round(counter.count / turns, 2)
    finally:
        os.environ["FIRESTORE_EMULATOR_HOST"] = emulator_host
        counter.close()
        reset()


def _kommo_acks(requests: int) -> list[float]:
    import jwt

    from switchboard.devtools.emulator import free_port
    from switchboard.devtools.tasks_emulator import TasksEmulator

    project = os.environ["GOOGLE_CLOUD_PROJECT"]
    emulator = TasksEmulator(f"projects/{project}/locations/us-central1/queues/bench", max_retries=0).start()
    secret = "bench-kommo-secret-" + "x" * 48
    os.environ.update(
        TASKS_EMULATOR_HOST=emulator.host,
        TASKS_TARGET_URL=f"http://127.0.0.1:{free_port()}",
        TASKS_QUEUE="bench",
        TASKS_LOCATION="us-central1",
        KOMMO_CLIENT_SECRET=secret,
        KOMMO_ACCOUNT_ID="7",
        KOMMO_SUBDOMAIN="bench",
        KOMMO_RETURN_URL_HOSTS="",
        KOMMO_ACCESS_TOKEN="bench",
    )
    from switchboard import bootstrap

    bootstrap.reset()
    try:
        kommo = _client("kommo_webhook")
        times: list[float] = []
        for i in range(requests + 10):
            now = time.time()
            token = jwt.encode({"account_id": 7, "subdomain": "bench", "iat": now, "exp": now + 600}, secret, "HS512")
            body = (
                f"token={token}&data%5Bmessage%5D=How+do+I+export+leads%3F&data%5Blead_id%5D={i}"
                f"&data%5Bcontact_id%5D={i}&return_url=https%3A%2F%2Fbench.kommo.com%2Fapi%2Fv4%2Fsalesbot%2F1%2Fcontinue%2F{uuid.uuid4().hex}"
            )
            t0 = time.perf_counter()
            response = kommo.post(
                "/api/kommo/chat/webhook", data=body, content_type="application/x-www-form-urlencoded"
            )
            elapsed = (time.perf_counter() - t0) * 1000
            assert response.status_code == 200, response.get_data(as_text=True)
            if i >= 10:
                times.append(elapsed)
        return times
    finally:
        emulator.stop()


_COLD = {
    "chat": ("POST", "/api/agent/customer/", {"message": "I want to talk to a human", "user_info": USER}),
    "health": ("GET", "/api/health", None),
    "escalation": (
        "POST",
        "/api/agent-failure/",
        {
            "session_id": "s",
            "agent_id": "a",
            "query": "q",
            "agent_response": "r",
            "confidence_score": 0.1,
            "escalation_reason": "low_confidence",
            "user_email": "a@b.co",
            "user_name": "A",
        },
    ),
    "feedback": (
        "POST",
        "/api/feedback",
        {
            "message_id": "m-cold",
            "session_id": "s",
            "feedback_type": "helpful",
            "query": "q",
            "response": "r",
            "agent_type": "customer",
            "user_info": {"agent_id": "a", "email": "a@b.co", "full_name": "A"},
        },
    ),
    "kommo_webhook": ("POST", "/api/kommo/chat/webhook", {"token": "x.y.z", "data": {}, "return_url": "u"}),
    "chatwoot_webhook": ("POST", "/api/webhooks/chatwoot", {"event": "x"}),
    "tasks": ("POST", "/tasks/sweep", {"min_age_seconds": 120}),
}

_COLD_SCRIPT = """
import json, sys, time
t0 = time.perf_counter()
from functions_framework import create_app
app = create_app(target=sys.argv[1], source="main.py")
method, path, body = json.loads(sys.argv[2])
response = app.test_client().open(path, method=method, json=body)
ms = (time.perf_counter() - t0) * 1000
print(json.dumps({"ms": ms, "status": response.status_code,
                  "genai": any(m.startswith("google.genai") for m in sys.modules)}))
"""


def _cold_starts() -> dict[str, Any]:
    env = {**os.environ, "ALLOW_ANONYMOUS": "true", "CHATWOOT_WEBHOOK_SECRET": "s", "LOG_LEVEL": "ERROR"}
    out: dict[str, Any] = {}
    for name, request in _COLD.items():
        runs = []
        for _ in range(3):
            result = subprocess.run(
                [sys.executable, "-c", _COLD_SCRIPT, name, json.dumps(request)],
                cwd=FUNCTIONS / name,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            if result.returncode != 0:
                raise RuntimeError(f"cold start of {name} failed: {result.stderr[-2000:]}")
            runs.append(json.loads(result.stdout.strip().splitlines()[-1]))
        out[name] = {"ms": round(min(r["ms"] for r in runs), 1), "imports_genai": runs[0]["genai"]}
    return out


def run_speed(turns: int = 300, kommo_requests: int = 200) -> dict[str, Any]:
    """Measure everything; needs FIRESTORE_EMULATOR_HOST (the CLI starts an emulator if unset)."""
    from switchboard import bootstrap
    from switchboard.devtools.fake_gemini import FakeGemini, Reply, answer_body
    from switchboard.knowledge.articles import read_articles
    from switchboard.knowledge.importer import import_articles

    emulator_host = os.environ["FIRESTORE_EMULATOR_HOST"]
    fake = FakeGemini().start()
    fake.default = Reply(
        200,
        answer_body(
            {
                "answer": "Here is how.",
                "cited_ids": ["kb_001#0"],
                "support": 0.9,
                "language": "en",
                "needs_human": False,
                "reason": "",
            }
        ),
    )
    os.environ.update(
        GOOGLE_CLOUD_PROJECT=f"demo-bench-{uuid.uuid4().hex[:8]}",
        ALLOW_ANONYMOUS="true",
        LLM_BACKEND="genai",
        GEMINI_API_KEY="bench",
        GEMINI_BASE_URL=fake.url,
        LLM_MAX_ATTEMPTS="1",
        RATE_LIMIT="1000000/60",
        LOG_LEVEL="ERROR",
        EMBEDDING_BACKEND="auto",  # Gemini embeddings, as in production with a key
    )
    bootstrap.reset()
    try:
        services = bootstrap.services()
        import_articles(
            services.store,
            "default",
            read_articles(REPO / "examples" / "kb" / "demo.jsonl"),
            replace=True,
            embedder=services.embedder,
        )
        chat = _client("chat")
        baseline = _client("baseline", Path(__file__).with_name("baseline_main.py"))
        _measure(chat, baseline, WARMUP)  # the instances, the caches and the emulator's JIT
        overheads, base_times, seconds = _measure(chat, baseline, turns)
        trips = _round_trips(emulator_host, bootstrap.reset)
        cold = _cold_starts()
        acks = _kommo_acks(kommo_requests)
    finally:
        fake.stop()
        bootstrap.reset()
    p50 = _pct(overheads, 0.5)
    base_p50 = _pct(base_times, 0.5)
    return {
        "turn_overhead_ms": {"p50": p50, "p99": _pct(overheads, 0.99)},
        "turns_per_s": round(turns / seconds, 1),
        "store_round_trips_per_turn": trips,
        "kommo_ack_ms": {"p50": _pct(acks, 0.5), "p99": _pct(acks, 0.99)},
        "cold_import_ms": {name: value["ms"] for name, value in cold.items()},
        "imports_genai": {name: value["imports_genai"] for name, value in cold.items()},
        "baseline_turn_ms": {"p50": base_p50, "p99": _pct(base_times, 0.99)},
        "overhead_ratio": round(p50 / base_p50, 2) if base_p50 else None,
    }
