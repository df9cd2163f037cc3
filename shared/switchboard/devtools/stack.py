"""``make dev``: the whole system on one machine, stopped cleanly on Ctrl-C or SIGTERM."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from switchboard.devtools.emulator import FirestoreEmulator
from switchboard.devtools.local import DEFAULT_PROJECT, dev_state_file, running_dev_stack, state_dir
from switchboard.devtools.server import ROUTES, DevServer, build_app

REPO = Path(__file__).resolve().parents[3]
DEMO_KB = REPO / "examples" / "kb" / "demo.jsonl"
DEMO_TENANT_NAME = "Demo: PropertyEngine support"


def _say(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _dev_key() -> str:
    path = state_dir() / "dev-api-key"
    if path.exists():
        return path.read_text().strip()
    key = "sb_dev_" + secrets.token_urlsafe(24)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(key + "\n")
    path.chmod(0o600)
    return key


def _seed_demo(tenant_id: str) -> str:
    """Create the demo tenant, its API key and its knowledge base (idempotent)."""
    from switchboard.bootstrap import services
    from switchboard.channels.crm import hash_api_key
    from switchboard.core.models import PromptParts, Tenant, TenantSettings
    from switchboard.errors import ConflictError
    from switchboard.knowledge.articles import read_articles
    from switchboard.knowledge.importer import import_articles

    store = services().store
    existing = store.get_tenant(tenant_id)
    if existing is None:
        prompts = PromptParts(manual_prompt="Be friendly and brief. Use numbered steps for procedures.")
        store.save_tenant(Tenant(tenant_id, DEMO_TENANT_NAME, TenantSettings(prompts=prompts)))
    key = _dev_key()
    with contextlib.suppress(ConflictError):  # already registered by an earlier run
        store.add_api_key(hash_api_key(key), tenant_id)
    if existing is None or existing.kb_version == 0:
        report = import_articles(store, tenant_id, read_articles(DEMO_KB), replace=True, embedder=services().embedder)
        _say(f"loaded the demo knowledge base: {report.articles} articles, {report.chunks} chunks")
    return key


def run_dev_stack(port: int) -> int:
    """Start the emulator (unless FIRESTORE_EMULATOR_HOST is set), seed the demo, serve, wait."""
    if running_dev_stack():
        _say(f"a dev stack is already running (see {dev_state_file()}); stop it first")
        return 1
    os.environ.setdefault("GOOGLE_CLOUD_PROJECT", DEFAULT_PROJECT)
    os.environ.setdefault("SWITCHBOARD_ENV", "development")
    os.environ.setdefault("ALLOW_ANONYMOUS", "true")
    os.environ.setdefault("LOG_LEVEL", "INFO")
    os.environ.setdefault("CORS_ALLOWED_ORIGINS", "*")
    emulator = None
    if not os.environ.get("FIRESTORE_EMULATOR_HOST"):
        emulator = FirestoreEmulator(state_dir() / "firestore", project=os.environ["GOOGLE_CLOUD_PROJECT"]).start()
        os.environ["FIRESTORE_EMULATOR_HOST"] = emulator.host
    server = None
    stop = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    try:
        from switchboard.bootstrap import services

        settings = services().settings
        key = _seed_demo(settings.default_tenant)
        server = DevServer(build_app(REPO / "functions"), port).start()
        dev_state_file().write_text(
            json.dumps({"firestore_emulator_host": os.environ["FIRESTORE_EMULATOR_HOST"], "base_url": server.base_url})
        )
        _banner(server.base_url, settings.default_tenant, key, settings.resolved_llm_backend, settings.allow_anonymous)
        stop.wait()
        _say("\nstopping ...")
    finally:
        if server:
            server.stop()
        dev_state_file().unlink(missing_ok=True)
        if emulator:
            emulator.stop()
    _say("stopped")
    return 0


def _banner(base: str, tenant: str, key: str, llm: str, anonymous: bool) -> None:
    _say(
        f"\nSwitchboard is running at {base}  (LLM: {llm}{'' if llm == 'genai' else ', offline; set GEMINI_API_KEY for Gemini'})"
    )
    for prefix, name in ROUTES:
        _say(f"  {base}{prefix:<16} -> function {name}")
    _say(
        f"\nDemo tenant '{tenant}', API key: {key}"
        + ("  (keyless calls allowed: ALLOW_ANONYMOUS=true)" if anonymous else "")
    )
    _say("\nAsk it something:")
    _say(
        f"  curl -s -X POST {base}/api/agent/customer/ -H 'Content-Type: application/json' \\\n"
        f"    -H 'Authorization: Bearer {key}' \\\n"
        '    -d \'{"message": "How do I reset a user password?", "user_info": {"agent_id": "u1", '
        '"email": "jane@example.com", "name": "Jane", "agency": "Sales", "office": "Cape Town"}}\''
    )
    _say(f"  curl -s {base}/api/health")
    _say(f'  switchboard ask --tenant {tenant} "How do I process a refund?"')
    _say("\nCtrl-C stops everything this started.")
