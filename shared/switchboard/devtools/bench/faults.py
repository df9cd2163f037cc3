"""`switchboard bench faults`: the whole stack under load while its dependencies fail, on loopback.

One run, with the system on loopback (:mod:`switchboard.devtools.bench.loopback`) and Gemini
played by the fake Gemini server through the real SDK. While conversations, escalations (each
create-ticket clicked twice) and Kommo requests (each delivered twice) arrive:

* Gemini answers its first requests with 429, 500 and replies slower than the timeout;
* Freshdesk answers 503 with Retry-After, and Chatwoot, Teams, Kommo and the SMTP server are
  down (connections refused);
* Google's Firestore emulator is cut off, stopped (its data exported), started again (the data
  imported) and reconnected;
* then everything comes back.

Callers behave as the contract asks: on 503 they wait Retry-After and send the same request
again (with the same ``Idempotency-Key``); Kommo redelivers. Afterwards the sweep runs as Cloud
Scheduler would run it, and everything is counted from Firestore and the stand-ins: every message
stored once, no 5xx but 503, every 503 with Retry-After, and every ticket, email, Teams card,
desk conversation and Kommo reply delivered exactly once.
"""

from __future__ import annotations

import contextlib
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

import httpx

from switchboard.devtools.bench.load import QUESTIONS, all_delivered, counted, delivered, failure
from switchboard.devtools.bench.loopback import Loopback, loopback_stack, wait_until
from switchboard.devtools.emulator import FirestoreEmulator
from switchboard.devtools.fake_gemini import FakeGemini, Reply, answer_body, error_body
from switchboard.devtools.relay import TcpRelay
from switchboard.devtools.standins import Fault

LLM_TIMEOUT = 1.0
GIVE_UP_AFTER = 180.0  # seconds a caller keeps retrying one request
FIRESTORE_OUTAGE = 8.0  # seconds Firestore is unreachable (the restart itself takes 1-2 s)
TYPING = 1.0  # seconds between a customer's messages
SWEEPS, SWEEP_EVERY, SWEEP_AGE = 6, 20.0, 10  # the scheduled sweep, at a test's pace


class Callers:
    """The outside world's side: sends, honours Retry-After on 503, and notes what it saw."""

    def __init__(self, http: httpx.Client) -> None:
        self.http = http
        self.statuses: Counter[int] = Counter()
        self.problems: list[str] = []
        self.by_path: Counter[str] = Counter()
        self._lock = threading.Lock()

    def post(
        self, path: str, key: str | None = None, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> httpx.Response:
        headers = {**(headers or {}), **({"Idempotency-Key": key} if key else {})}
        deadline = time.monotonic() + GIVE_UP_AFTER
        while True:
            response = self.http.post(path, headers=headers, **kwargs)
            with self._lock:
                self.statuses[response.status_code] += 1
                self.by_path[f"{path.split('/')[2]} {response.status_code}"] += 1
            if response.status_code != 503:
                if response.status_code >= 500:
                    self._problem(f"{path}: {response.status_code}")
                return response
            retry_after = response.headers.get("Retry-After", "")
            if not retry_after.isdigit() or "error" not in response.json():
                self._problem(f"{path}: 503 without Retry-After or error code")
            if time.monotonic() > deadline:
                self._problem(f"{path}: still 503 after {GIVE_UP_AFTER:.0f} s")
                return response
            time.sleep(int(retry_after or 5))

    def _problem(self, text: str) -> None:
        with self._lock:
            self.problems.append(text)


def _gemini(conversations: int) -> FakeGemini:
    """A fake Gemini whose first answers are faults: 429, 500 and one slower than the timeout."""
    body = {"answer": "Follow the steps in the article.", "cited_ids": ["kb_001#0"], "support": 0.8}
    fake = FakeGemini(default=Reply(200, answer_body({**body, "language": "en", "needs_human": False, "reason": ""})))
    for _ in range(conversations):
        fake.script(
            Reply(429, error_body(429, "RESOURCE_EXHAUSTED")),
            Reply(500, error_body(500, "INTERNAL")),
            Reply(200, fake.default.body, delay=LLM_TIMEOUT * 1.5),
        )
    return fake.start()


class Outages:
    """Takes the dependencies down and brings them back, on a timeline, in its own thread."""

    def __init__(self, stack: Loopback, emulator: FirestoreEmulator, relay: TcpRelay) -> None:
        self.stack, self.emulator, self.relay = stack, emulator, relay
        self.firestore_down_s = 0.0
        self.vendors_down_s = 0.0
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="outages", daemon=True)

    def start(self) -> Outages:
        self._thread.start()
        return self

    def join(self) -> None:
        self._thread.join()
        if self.error:
            raise self.error

    def _run(self) -> None:
        stack = self.stack
        vendors_down = time.monotonic()
        stack.freshdesk.fail_next(*[Fault(503, {"code": "unavailable"}, {"Retry-After": "1"})] * 10_000)
        down = (stack.chatwoot, stack.teams, stack.kommo)
        try:
            for stand_in in down:
                stand_in.stop()
            stack.smtp.stop()
            time.sleep(1.5)  # the load is running
            cut = time.monotonic()
            self.relay.cut()
            self.emulator.project = stack.project
            self.emulator.stop(export=True)
            self.emulator = FirestoreEmulator(self.emulator.data_dir, project=stack.project).start()
            time.sleep(max(0.0, FIRESTORE_OUTAGE - (time.monotonic() - cut)))
            self.relay.restore(self.emulator.port)
            self.firestore_down_s = round(time.monotonic() - cut, 1)
            time.sleep(2)
        except BaseException as exc:  # noqa: BLE001 - reported by join()
            self.error = exc
        finally:
            stack.freshdesk.faults.clear()
            for stand_in in down:
                stand_in.start()
            stack.smtp.start()
            self.vendors_down_s = round(time.monotonic() - vendors_down, 1)


def run_faults(conversations: int = 30, turns: int = 4, escalations: int = 10, kommo: int = 10) -> dict[str, Any]:
    """Run the load through the outages and count what was stored and delivered."""
    gemini = _gemini(conversations)
    with tempfile.TemporaryDirectory() as tmp:
        emulator = FirestoreEmulator(Path(tmp) / "firestore").start()
        relay = TcpRelay(emulator.port)
        environment = {
            "FIRESTORE_EMULATOR_HOST": relay.host,
            "STORE_TIMEOUT_SECONDS": "2",
            "LLM_BACKEND": "genai",
            "GEMINI_API_KEY": "fault-suite-key",
            "GEMINI_BASE_URL": gemini.url,
            "LLM_TIMEOUT_SECONDS": str(LLM_TIMEOUT),
            "LLM_MAX_ATTEMPTS": "2",
            "RATE_LIMIT": "1000/3600",
        }
        outages: Outages | None = None
        try:
            with loopback_stack("faults", **environment) as stack:
                callers = Callers(stack.http)

                def conversation(i: int) -> None:
                    user = {
                        "agent_id": f"f-{i}",
                        "email": f"f{i}@example.com",
                        "name": f"F {i}",
                        "agency": "A",
                        "office": "O",
                    }
                    for t in range(turns):
                        body = {"message": QUESTIONS[(i + t) % len(QUESTIONS)], "session_id": f"s-{i}"}
                        callers.post("/api/agent/customer/", f"turn-{i}-{t}", json={**body, "user_info": user})
                        time.sleep(TYPING)

                def escalation(i: int) -> None:
                    made = callers.post("/api/agent-failure/", f"failure-{i}", json=failure(i))
                    failure_id = made.json()["failure_id"]
                    with ThreadPoolExecutor(2) as both:  # the customer double-clicks
                        path = f"/api/agent-failure/{failure_id}/create-ticket"
                        list(both.map(lambda _: callers.post(path, json={}), range(2)))

                def salesbot(i: int) -> None:
                    form = stack.kommo_form(QUESTIONS[i % len(QUESTIONS)], i)
                    for _ in range(2):  # Kommo delivers it again
                        callers.post("/api/kommo/chat/webhook", data=form)

                outages = Outages(stack, emulator, relay).start()
                started = time.perf_counter()
                with ThreadPoolExecutor(max_workers=conversations + escalations + kommo) as pool:
                    jobs = [pool.submit(conversation, i) for i in range(conversations)]
                    jobs += [pool.submit(escalation, i) for i in range(escalations)]
                    jobs += [pool.submit(salesbot, i) for i in range(kommo)]
                    for job in jobs:
                        job.result()
                outages.join()
                load_seconds = time.perf_counter() - started
                desk = stack.freshdesk, stack.smtp, stack.teams, stack.chatwoot, stack.kommo
                target = (escalations,) * 4 + (kommo,)

                def all_there() -> bool:
                    return all(n >= want for n, want in zip(delivered(*desk), target, strict=True))

                # The sweep runs as Cloud Scheduler runs it, for work that has not moved for a while
                # (tasks the queue gave up on while Firestore was down).
                for _ in range(SWEEPS):
                    callers.post("/tasks/sweep", json={"min_age_seconds": SWEEP_AGE}, headers=stack.task_headers())
                    if wait_until(all_there, SWEEP_EVERY):
                        break
                time.sleep(3)  # anything doubled would arrive now
                left = callers.post("/tasks/sweep", json={"min_age_seconds": 0}, headers=stack.task_headers())
                stored = {i: stack.messages_stored(f"crm:f-{i}:s-{i}") for i in range(conversations)}
                failures = stack.services.firestore_client.collection("tenants/default/escalations").count().get()
                made = delivered(*desk)
                llm_errors = _llm_errors(stack)
                dead = len(stack.services.dead_letters.recent())
        finally:
            if outages is not None:
                emulator = outages.emulator
            last = emulator
            stoppers: list[Callable[[], None]] = [partial(last.stop, export=False), relay.close, gemini.stop]
            for stop in stoppers:
                with contextlib.suppress(Exception):
                    stop()
    expected = 2 * turns
    statuses = dict(sorted(callers.statuses.items()))
    return {
        "conversations": conversations,
        "turns": conversations * turns,
        "load_seconds": round(load_seconds, 1),
        "firestore_down_s": outages.firestore_down_s,
        "vendors_down_s": outages.vendors_down_s,
        "gemini": {"faults_served": 3 * conversations - len(gemini.replies), "turns_handed_off": llm_errors},
        "statuses": statuses,
        "problems": callers.problems,
        "by_endpoint": dict(sorted(callers.by_path.items())),
        "messages": {
            "lost": sum(max(0, expected - n) for n in stored.values()),
            "doubled": sum(max(0, n - expected) for n in stored.values()),
        },
        "failure_records": {"expected": escalations, "stored": int(failures[0][0].value)},
        **counted(made, escalations, kommo),
        "left_pending": left.json().get("enqueued", {}),
        "dead_letters": dead,
    }


def _llm_errors(stack: Loopback) -> int:
    """Turns that answered "a person will help" because Gemini failed them."""
    from google.cloud import firestore

    query = stack.services.firestore_client.collection_group("messages").where(
        filter=firestore.FieldFilter("meta.escalation_reason", "==", "ai_error")
    )
    return sum(1 for _ in query.stream())


def passed(result: dict[str, Any]) -> bool:
    """Only 503s (each with Retry-After) while things were down; nothing lost, half-written or doubled."""
    return bool(
        not result["problems"]
        and result["messages"] == {"lost": 0, "doubled": 0}
        and result["failure_records"]["stored"] == result["failure_records"]["expected"]
        and all_delivered(result)
        and result["left_pending"] == {}
        and result["dead_letters"] == 0
    )
