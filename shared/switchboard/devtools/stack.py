"""``make dev``: the whole system on one machine, stopped cleanly on Ctrl-C or SIGTERM.

Started here: Google's Firestore emulator, the Cloud Tasks emulator, every function behind one
base URL, and — for each outside service that is not configured — a loopback stand-in that
records what it receives (Freshdesk, Teams, Chatwoot, an SMTP server). Environment variables
given to `make dev` win over these defaults, so real services can be plugged in one at a time.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import httpx

from switchboard.devtools.emulator import FirestoreEmulator, free_port
from switchboard.devtools.local import DEFAULT_PROJECT, dev_state_file, running_dev_stack, state_dir
from switchboard.devtools.server import ROUTES, DevServer, build_app
from switchboard.devtools.standins import (
    ChatwootStandIn,
    FreshdeskStandIn,
    KommoStandIn,
    SmtpSink,
    StandIn,
    TeamsStandIn,
)
from switchboard.devtools.tasks_emulator import TasksEmulator

REPO = Path(__file__).resolve().parents[3]
DEMO_KB = REPO / "examples" / "kb" / "demo.jsonl"
DEMO_TENANT_NAME = "Demo: PropertyEngine support"
DEV_KOMMO_ACCOUNT = "1"
DEV_KOMMO_SUBDOMAIN = "dev"


def _say(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _secret_file(name: str, prefix: str) -> str:
    path = state_dir() / name
    if path.exists():
        return path.read_text().strip()
    value = prefix + secrets.token_urlsafe(24)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(value + "\n")
    path.chmod(0o600)
    return value


def _seed_demo(tenant_id: str) -> tuple[str, str]:
    """Create the demo tenant, its chat and admin keys and its knowledge base (idempotent);
    returns the two keys."""
    from switchboard.bootstrap import services
    from switchboard.channels.auth import hash_api_key
    from switchboard.core.models import PromptParts, Tenant, TenantSettings
    from switchboard.errors import ConflictError
    from switchboard.knowledge.articles import read_articles
    from switchboard.knowledge.importer import import_articles

    store = services().store
    existing = store.get_tenant(tenant_id)
    if existing is None:
        prompts = PromptParts(manual_prompt="Be friendly and brief. Use numbered steps for procedures.")
        store.save_tenant(Tenant(tenant_id, DEMO_TENANT_NAME, TenantSettings(prompts=prompts)))
    key = _secret_file("dev-api-key", "sb_dev_")
    admin = _secret_file("dev-admin-key", "sb_admin_")
    with contextlib.suppress(ConflictError):  # already registered by an earlier run
        store.add_api_key(hash_api_key(key), tenant_id)
    with contextlib.suppress(ConflictError):
        store.add_api_key(hash_api_key(admin), tenant_id, kind="admin")
    if existing is None or existing.kb_version == 0:
        report = import_articles(store, tenant_id, read_articles(DEMO_KB), replace=True, embedder=services().embedder)
        _say(f"loaded the demo knowledge base: {report.articles} articles, {report.chunks} chunks")
    return key, admin


class _Stack:
    """Everything started, in start order, for a clean stop in reverse."""

    def __init__(self) -> None:
        self.stoppers: list[Callable[[], None]] = []
        self.stand_ins: list[str] = []
        self.kommo_url = ""
        self.chatwoot_bot = False

    def stop(self) -> None:
        for stop in reversed(self.stoppers):
            try:
                stop()
            except Exception as exc:  # keep stopping the rest
                _say(f"  (while stopping: {exc})")


def _start_emulators(stack: _Stack, project: str, port: int) -> None:
    if not os.environ.get("FIRESTORE_EMULATOR_HOST"):
        firestore = FirestoreEmulator(state_dir() / "firestore", project=project).start()
        stack.stoppers.append(firestore.stop)
        os.environ["FIRESTORE_EMULATOR_HOST"] = firestore.host
    if not os.environ.get("TASKS_EMULATOR_HOST") and not os.environ.get("TASKS_TARGET_URL"):
        location = os.environ.setdefault("TASKS_LOCATION", "us-central1")
        queue = os.environ.setdefault("TASKS_QUEUE", "switchboard-tasks")
        tasks = TasksEmulator(f"projects/{project}/locations/{location}/queues/{queue}").start()
        stack.stoppers.append(tasks.stop)
        os.environ["TASKS_EMULATOR_HOST"] = tasks.host
        os.environ["TASKS_TARGET_URL"] = f"http://127.0.0.1:{port}"
        # The emulator adds no OIDC token: the local queue proves itself with a secret made per run.
        os.environ.setdefault("TASKS_SECRET", secrets.token_urlsafe(24))
        os.environ.setdefault("TASK_RETRY_BASE_SECONDS", "5")


def _start_stand_ins(stack: _Stack) -> None:
    folder = state_dir() / "standins"

    def serve(stand_in: StandIn, label: str) -> StandIn:
        stand_in.listener = _say
        stand_in.start()
        stack.stoppers.append(stand_in.stop)
        stack.stand_ins.append(f"{label:<9} {stand_in.url}")
        return stand_in

    if not (os.environ.get("FRESHDESK_DOMAIN") or os.environ.get("FRESHDESK_BASE_URL")):
        freshdesk = serve(FreshdeskStandIn(state_file=folder / "freshdesk.json"), "Freshdesk")
        os.environ.update(FRESHDESK_BASE_URL=freshdesk.url, FRESHDESK_API_KEY="dev-freshdesk-key")
    if not os.environ.get("TEAMS_WEBHOOK_URL"):
        teams = serve(TeamsStandIn(state_file=folder / "teams.json"), "Teams")
        os.environ["TEAMS_WEBHOOK_URL"] = f"{teams.url}/workflows/dev/triggers/manual/paths/invoke"
    if not os.environ.get("CHATWOOT_BASE_URL"):
        desk = serve(ChatwootStandIn(state_file=folder / "chatwoot.json"), "Chatwoot")
        os.environ.update(
            CHATWOOT_BASE_URL=desk.url,
            CHATWOOT_API_TOKEN="dev-chatwoot-token",
            CHATWOOT_ACCOUNT_ID="1",
            CHATWOOT_INBOX_ID="1",
            CHATWOOT_BOT_TOKEN="dev-chatwoot-bot-token",
            CHATWOOT_PLATFORM_TOKEN="dev-chatwoot-platform-token",  # single sign-on (docs/support-sso.md)
        )
        os.environ.setdefault("CHATWOOT_WEBHOOK_SECRET", _secret_file("dev-chatwoot-secret", ""))
        os.environ.setdefault("CHATWOOT_BOT_SECRET", _secret_file("dev-chatwoot-bot-secret", ""))
        stack.chatwoot_bot = True
    os.environ.setdefault("VERIFY_JWT_SECRET", _secret_file("dev-verify-secret", ""))
    if not os.environ.get("KOMMO_CLIENT_SECRET"):
        kommo = serve(KommoStandIn(state_file=folder / "kommo.json"), "Kommo")
        os.environ.update(
            KOMMO_CLIENT_SECRET=_secret_file("dev-kommo-secret", "dev-kommo-"),
            KOMMO_ACCOUNT_ID=DEV_KOMMO_ACCOUNT,
            KOMMO_SUBDOMAIN=DEV_KOMMO_SUBDOMAIN,
            KOMMO_ACCESS_TOKEN="dev-kommo-token",
            KOMMO_RETURN_URL_HOSTS=kommo.url.removeprefix("http://"),
            KOMMO_WEBHOOK_SECRET=_secret_file("dev-kommo-key", ""),
        )
        stack.kommo_url = kommo.url
    if os.environ.get("EMAIL_TRANSPORT", "none") == "none":
        sink = SmtpSink(free_port())
        sink.listener = _say
        sink.start()
        stack.stoppers.append(sink.stop)
        stack.stand_ins.append(f"{'SMTP':<9} 127.0.0.1:{sink.port}")
        os.environ.update(
            EMAIL_TRANSPORT="smtp",
            SMTP_HOST="127.0.0.1",
            SMTP_PORT=str(sink.port),
            EMAIL_FROM="support@switchboard.local",
        )


def run_dev_stack(port: int) -> int:
    """Start everything, seed the demo, serve, wait for Ctrl-C or SIGTERM, stop everything."""
    if running_dev_stack():
        _say(f"a dev stack is already running (see {dev_state_file()}); stop it first")
        return 1
    project = os.environ.setdefault("GOOGLE_CLOUD_PROJECT", DEFAULT_PROJECT)
    for key, value in (
        ("SWITCHBOARD_ENV", "development"),
        ("ALLOW_ANONYMOUS", "true"),
        ("LOG_LEVEL", "INFO"),
        ("CORS_ALLOWED_ORIGINS", "*"),
        ("PUBLIC_BASE_URL", f"http://127.0.0.1:{port}"),  # where verification links point
    ):
        os.environ.setdefault(key, value)
    stop = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    stack = _Stack()
    try:
        _start_emulators(stack, project, port)
        _start_stand_ins(stack)
        from switchboard.bootstrap import services

        settings = services().settings
        key, admin_key = _seed_demo(settings.default_tenant)
        server = DevServer(build_app(REPO / "functions"), port).start()
        stack.stoppers.append(server.stop)
        state: dict[str, Any] = {
            "firestore_emulator_host": os.environ["FIRESTORE_EMULATOR_HOST"],
            "base_url": server.base_url,
            "kommo_stand_in": stack.kommo_url,
            "chatwoot_bot_secret_file": str(state_dir() / "dev-chatwoot-bot-secret") if stack.chatwoot_bot else "",
        }
        dev_state_file().write_text(json.dumps(state))
        stack.stoppers.append(lambda: dev_state_file().unlink(missing_ok=True))
        _resume_pending(server.base_url)
        _banner(
            server.base_url, settings.default_tenant, (key, admin_key), settings.resolved_llm_backend, stack.stand_ins
        )
        stop.wait()
        _say("\nstopping ...")
    finally:
        stack.stop()
    _say("stopped")
    return 0


def _resume_pending(base: str) -> None:
    """The task emulator keeps tasks in memory only: re-enqueue work a previous run left pending."""
    try:
        response = httpx.post(f"{base}/tasks/sweep", json={"min_age_seconds": 0}, timeout=30)
        resumed = response.json().get("enqueued") or {}
    except (httpx.HTTPError, ValueError) as exc:
        _say(f"could not resume pending work: {exc}")
        return
    if resumed:
        _say(f"resumed pending work from the previous run: {resumed}")


def _banner(base: str, tenant: str, keys: tuple[str, str], llm: str, stand_ins: list[str]) -> None:
    key, admin = keys
    offline = "" if llm == "genai" else ", offline; set GEMINI_API_KEY for Gemini"
    _say(f"\nSwitchboard is running at {base}  (LLM: {llm}{offline})")
    for prefix, name in ROUTES:
        _say(f"  {base}{prefix:<24} -> function {name}")
    if stand_ins:
        _say("\nLocal stand-ins (they record what they receive; set the real service's variables to use it):")
        for line in stand_ins:
            _say(f"  {line}")
    _say(f"\nDemo tenant '{tenant}', API key: {key}  (keyless calls allowed: ALLOW_ANONYMOUS=true)")
    _say("\nAsk it something:")
    _say(
        f"  curl -s -X POST {base}/api/agent/customer/ -H 'Content-Type: application/json' \\\n"
        f"    -H 'Authorization: Bearer {key}' \\\n"
        '    -d \'{"message": "How do I reset a user password?", "user_info": {"agent_id": "u1", '
        '"email": "jane@example.com", "name": "Jane", "agency": "Sales", "office": "Cape Town"}}\''
    )
    _say(f"  curl -s {base}/api/health")
    _say(f"\nThe console: {base}/console/  (sign in with the admin key below; docs/console.md)")
    _say(f"The chat widget on a demo page: {base}/widget/demo.html#key={key}  (docs/widget.md)")
    _say(f"\nIts admin key (the administration API, docs/admin.md): {admin}")
    _say(f"  curl -s {base}/api/v1/ai/config/ -H 'Authorization: Bearer {admin}'")
    _say(f"  curl -s '{base}/api/v1/ai/sessions/?page_size=5' -H 'Authorization: Bearer {admin}'")
    _say(f'  switchboard ask --tenant {tenant} "How do I process a refund?"')
    _say('  switchboard kommo send "How do I export leads?"   # a signed Salesbot widget_request to this stack')
    _say('  switchboard chatwoot send "hello" --conversation 1  # a signed message to the Chatwoot bot')
    _say(f"\nThe Chatwoot agent bot's outgoing URL: {base}/api/chatwoot/bot  (docs/chatwoot-bot.md)")
    _say("\nThe escalation flow (the CRM contract) is walked through in docs/escalation.md.")
    _say("Ctrl-C stops everything this started.")
