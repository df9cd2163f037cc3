"""The whole system on loopback for a benchmark run: every function behind one threaded HTTP
server (as in ``make dev``) on the Firestore emulator named by FIRESTORE_EMULATOR_HOST, the Cloud
Tasks emulator, and stand-ins of Freshdesk, Teams, Chatwoot, SMTP and Kommo that record what they
receive. The environment is restored when the run ends."""

from __future__ import annotations

import contextlib
import os
import secrets
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from switchboard.devtools.bench.speed import REPO
from switchboard.devtools.standins import (
    ChatwootStandIn,
    FreshdeskStandIn,
    KommoStandIn,
    SmtpSink,
    TeamsStandIn,
)
from switchboard.devtools.tasks_emulator import TasksEmulator

KOMMO_ACCOUNT, KOMMO_SUBDOMAIN = 7, "bench"


@dataclass
class Loopback:
    """What a run talks to and counts from."""

    project: str
    http: httpx.Client
    freshdesk: FreshdeskStandIn
    teams: TeamsStandIn
    chatwoot: ChatwootStandIn
    kommo: KommoStandIn
    smtp: SmtpSink
    kommo_secret: str
    tasks_secret: str
    services: Any

    def task_headers(self) -> dict[str, str]:
        """What the local queue adds to every task it delivers (Cloud Scheduler's sweep too)."""
        from switchboard.tasks.auth import SECRET_HEADER

        return {SECRET_HEADER: self.tasks_secret}

    def kommo_form(self, message: str, lead: int) -> dict[str, str]:
        """A signed Salesbot ``widget_request`` form, as Kommo posts it."""
        import jwt

        now = time.time()
        claims = {"account_id": KOMMO_ACCOUNT, "subdomain": KOMMO_SUBDOMAIN, "iat": now, "exp": now + 600}
        return {
            "token": jwt.encode(claims, self.kommo_secret, "HS512"),
            "data[message]": message,
            "data[lead_id]": str(1000 + lead),
            "data[contact_id]": str(2000 + lead),
            "return_url": f"{self.kommo.url}/api/v4/salesbot/{lead}/continue/{uuid.uuid4().hex[:10]}",
        }

    def messages_stored(self, conversation_id: str, tenant: str = "default") -> int:
        """How many messages a conversation holds."""
        ref = self.services.firestore_client.collection("tenants").document(tenant).collection("conversations")
        return sum(1 for _ in ref.document(conversation_id).collection("messages").list_documents())


def wait_until(predicate: Callable[[], bool], seconds: float, every: float = 0.2) -> bool:
    """Poll ``predicate`` until it holds or ``seconds`` pass; its last answer."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return predicate()


@contextmanager
def loopback_stack(name: str, **environment: str) -> Iterator[Loopback]:
    """Start everything (the demo knowledge base in tenant ``default``), yield, stop everything.

    Args:
        name: Part of the run's project id.
        environment: Settings that win over the run's defaults (LLM, rate limit, timeouts...).
    """
    from google.cloud import tasks_v2

    from switchboard import bootstrap
    from switchboard.devtools.emulator import free_port
    from switchboard.devtools.server import DevServer, build_app
    from switchboard.devtools.standins import helpdesk_environment
    from switchboard.knowledge.articles import read_articles
    from switchboard.knowledge.importer import import_articles
    from switchboard.tasks.cloud_tasks import build_client

    saved = dict(os.environ)
    project = f"demo-{name}-{uuid.uuid4().hex[:8]}"
    queue = f"projects/{project}/locations/us-central1/queues/{name}"
    tasks = TasksEmulator(queue).start()
    freshdesk, teams, chatwoot, kommo = FreshdeskStandIn(), TeamsStandIn(), ChatwootStandIn(), KommoStandIn()
    for stand_in in (freshdesk, teams, chatwoot, kommo):
        stand_in.start()
    smtp = SmtpSink(free_port()).start()
    port = free_port()
    kommo_secret = f"{name}-kommo-secret-" + secrets.token_hex(24)
    tasks_secret = secrets.token_urlsafe(24)
    server = http = None
    try:
        os.environ.update(
            GOOGLE_CLOUD_PROJECT=project,
            ALLOW_ANONYMOUS="true",
            LLM_BACKEND="extractive",
            EMBEDDING_BACKEND="none",
            LOG_LEVEL="ERROR",
            TASKS_EMULATOR_HOST=tasks.host,
            TASKS_TARGET_URL=f"http://127.0.0.1:{port}",
            TASKS_QUEUE=name,
            TASKS_LOCATION="us-central1",
            TASKS_SECRET=tasks_secret,
            TASK_RETRY_BASE_SECONDS="0.3",
            **helpdesk_environment(freshdesk, teams, smtp),
            KOMMO_CLIENT_SECRET=kommo_secret,
            KOMMO_ACCOUNT_ID=str(KOMMO_ACCOUNT),
            KOMMO_SUBDOMAIN=KOMMO_SUBDOMAIN,
            KOMMO_ACCESS_TOKEN=kommo.token,
            KOMMO_RETURN_URL_HOSTS=kommo.url.removeprefix("http://"),
        )
        if "CHATWOOT_BASE_URL" not in environment:
            os.environ.update(
                CHATWOOT_BASE_URL=chatwoot.url,
                CHATWOOT_API_TOKEN=chatwoot.token,
                CHATWOOT_ACCOUNT_ID="1",
                CHATWOOT_INBOX_ID="1",
            )
        os.environ.update({k: v for k, v in environment.items() if v})
        for key in [k for k, v in environment.items() if not v]:
            os.environ.pop(key, None)  # an empty value means "not configured"
        bootstrap.reset()
        build_client(tasks.host).create_queue(parent=queue.rsplit("/queues/", 1)[0], queue=tasks_v2.Queue(name=queue))
        services = bootstrap.services()
        demo = read_articles(REPO / "examples" / "kb" / "demo.jsonl")
        import_articles(services.store, "default", demo, replace=True, embedder=None)
        server = DevServer(build_app(REPO / "functions"), port).start()
        http = httpx.Client(base_url=server.base_url, timeout=60, limits=httpx.Limits(max_connections=256))
        yield Loopback(project, http, freshdesk, teams, chatwoot, kommo, smtp, kommo_secret, tasks_secret, services)
    finally:
        # Everything is stopped even when one stop fails (a leaked emulator outlives the run).
        stoppers = [http.close if http else None, server.stop if server else None]
        stoppers += [s.stop for s in (freshdesk, teams, chatwoot, kommo)] + [smtp.stop, tasks.stop]
        for stop in stoppers:
            if stop is not None:
                with contextlib.suppress(Exception):
                    stop()
        os.environ.clear()
        os.environ.update(saved)
        bootstrap.reset()
