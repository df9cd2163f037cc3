"""The ``switchboard`` command: knowledge-base import, questions, tenants, the dev stack.

Local by default: commands use FIRESTORE_EMULATOR_HOST, else the emulator of a running
``make dev``, else start an emulator of their own. ``--remote`` uses real Firestore (ADC
credentials and GOOGLE_CLOUD_PROJECT) instead.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from switchboard.errors import SwitchboardError

REPO_ROOT = Path(__file__).resolve().parents[2]


def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")


def _progress(stage: str, done: int, total: int) -> None:
    width = 30
    filled = int(width * done / total) if total else width
    sys.stderr.write(f"\r{stage:>6} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


@contextmanager
def _environment(remote: bool) -> Iterator[None]:
    from switchboard import bootstrap

    if remote:
        context: Any = nullcontext()
    else:
        from switchboard.devtools.local import local_firestore

        context = local_firestore()
    with context:
        bootstrap.reset()
        try:
            yield
        finally:
            bootstrap.reset()


def cmd_kb_import(args: argparse.Namespace) -> int:
    """Import a JSONL file or a Markdown folder into a tenant's knowledge base."""
    from switchboard.bootstrap import services
    from switchboard.knowledge.articles import read_articles
    from switchboard.knowledge.importer import import_articles

    articles = read_articles(Path(args.path))
    _err(f"read {len(articles)} articles from {args.path}")
    svc = services()
    report = import_articles(
        svc.store, args.tenant, articles, replace=args.replace, embedder=svc.embedder, progress=_progress
    )
    _out(
        f"tenant {report.tenant_id}: knowledge base version {report.version} with {report.articles} articles, "
        f"{report.chunks} chunks{' (embedded)' if report.embedded else ''}"
    )
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    """Ask one question through the same turn as the chat API."""
    from switchboard.bootstrap import services
    from switchboard.channels.crm import new_session_id, render
    from switchboard.core.models import InboundMessage, UserInfo
    from switchboard.core.turn import handle_turn

    svc = services()
    session = args.session or new_session_id("test", datetime.now(UTC))
    user = UserInfo(args.user, f"{args.user}@localhost", args.user, "cli", "cli")
    inbound = InboundMessage(args.tenant, "cli", f"{args.user}:{session}", user, args.question, "test")
    result = handle_turn(inbound, svc.turn_deps)
    body = render(result, session, "test" if args.debug else "customer", {"tenant": args.tenant})
    if args.json:
        _out(json.dumps(body, ensure_ascii=False, indent=2))
        return 0
    _out(body["response"])
    _out()
    _out(
        f"confidence {body['classification_confidence']:.2f} · escalate: {'yes' if body['requires_escalation'] else 'no'}"
    )
    for s in body["sources"]:
        _out(f"  source: {s['title']} ({s['entry_id']}, {s['confidence']:.2f})")
    return 0


def _new_key() -> str:
    return "sb_" + secrets.token_urlsafe(32)


def cmd_tenant_create(args: argparse.Namespace) -> int:
    """Create (or rename) a tenant and print a new API key for it."""
    from switchboard.bootstrap import services
    from switchboard.channels.crm import hash_api_key
    from switchboard.core.models import Tenant

    store = services().store
    existing = store.get_tenant(args.tenant)
    tenant = existing or Tenant(id=args.tenant)
    store.save_tenant(Tenant(tenant.id, args.name or tenant.name or args.tenant, tenant.settings, tenant.kb_version))
    key = _new_key()
    store.add_api_key(hash_api_key(key), args.tenant)
    _err(f"tenant {args.tenant} {'updated' if existing else 'created'}; its API key (shown once, stored hashed):")
    _out(key)
    return 0


def cmd_tenant_add_key(args: argparse.Namespace) -> int:
    """Print a new API key for an existing tenant."""
    from switchboard.bootstrap import services
    from switchboard.channels.crm import hash_api_key

    store = services().store
    if store.get_tenant(args.tenant) is None:
        _err(f"no tenant {args.tenant}; create it with `switchboard tenant create --tenant {args.tenant}`")
        return 2
    key = _new_key()
    store.add_api_key(hash_api_key(key), args.tenant)
    _out(key)
    return 0


def cmd_tenant_set_instructions(args: argparse.Namespace) -> int:
    """Set the tenant's AI instructions (the Kommo Salesbot spec's editor; the tenant-settings spec's manual prompt) from a file."""
    from dataclasses import replace

    from switchboard.bootstrap import services
    from switchboard.core.models import Tenant

    text = Path(args.file).read_text(encoding="utf-8").strip()
    if len(text) > 20000:
        _err("instructions are over 20,000 characters")
        return 2
    store = services().store
    tenant = store.get_tenant(args.tenant) or Tenant(id=args.tenant, name=args.tenant)
    prompts = replace(tenant.settings.prompts, manual_prompt=text)
    store.save_tenant(replace(tenant, settings=replace(tenant.settings, prompts=prompts)))
    _out(
        f"tenant {args.tenant}: instructions set ({len(text)} characters); instances pick them up within "
        f"TENANT_CACHE_SECONDS ({services().settings.tenant_cache_seconds:g} s)"
    )
    return 0


def cmd_tenant_show(args: argparse.Namespace) -> int:
    """Print a tenant's settings and today's usage counters as JSON."""
    from dataclasses import asdict

    from switchboard.bootstrap import services

    store = services().store
    tenant = store.get_tenant(args.tenant)
    if tenant is None:
        _err(f"no tenant {args.tenant}")
        return 2
    today = datetime.now(UTC).date().isoformat()
    shown = {**asdict(tenant), "usage_today": {"date": today, **store.daily_usage(args.tenant, today)}}
    _out(json.dumps(shown, ensure_ascii=False, indent=2, default=str))
    return 0


def cmd_conversation_owner(args: argparse.Namespace) -> int:
    """Hand a conversation to a person, or back to the AI (with a fresh context)."""
    from switchboard.bootstrap import services
    from switchboard.core.turn import conversation_doc_id

    doc = conversation_doc_id(args.channel, args.key)
    services().escalations.set_conversation_owner(args.tenant, doc, args.owner, reset_context=args.owner == "ai")
    _out(f"{doc}: owner is now {args.owner}")
    return 0


def cmd_kommo_send(args: argparse.Namespace) -> int:
    """Sign a Salesbot widget_request with the dev stack's Kommo secret and post it (local only)."""
    import time
    import uuid
    from urllib.parse import urlencode

    import httpx
    import jwt

    from switchboard.devtools.local import running_dev_stack, state_dir
    from switchboard.devtools.stack import DEV_KOMMO_ACCOUNT, DEV_KOMMO_SUBDOMAIN

    running = running_dev_stack()
    if not running or not running.get("kommo_stand_in"):
        _err("no dev stack with the Kommo stand-in is running; start `make dev` first")
        return 2
    secret = (state_dir() / "dev-kommo-secret").read_text().strip()
    key = (state_dir() / "dev-kommo-key").read_text().strip()
    now = time.time()
    claims = {
        "account_id": int(DEV_KOMMO_ACCOUNT),
        "subdomain": DEV_KOMMO_SUBDOMAIN,
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "entity_type": 2,
        "entity_id": int(args.lead),
        "bot_type": "salesbot",
    }
    return_url = f"{running['kommo_stand_in']}/api/v4/salesbot/1/continue/{uuid.uuid4().hex[:12]}"
    body = urlencode(
        {
            "token": jwt.encode(claims, secret, algorithm="HS512"),
            "data[message]": args.message,
            "data[lead_id]": args.lead,
            "data[contact_id]": args.contact,
            "data[contact_name]": args.name,
            "return_url": return_url,
        }
    )
    url = f"{running['base_url']}/api/kommo/chat/webhook?key={key}"
    response = httpx.post(url, content=body, headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=10)
    _out(f"{response.status_code} {response.text.strip()}  (the continue call shows up in the make dev output)")
    return 0 if response.status_code == 200 else 1


@contextmanager
def _bench_firestore() -> Iterator[None]:
    """Benchmarks use FIRESTORE_EMULATOR_HOST, else a fresh in-memory emulator of their own."""
    if os.environ.get("FIRESTORE_EMULATOR_HOST"):
        yield
        return
    from switchboard.devtools.emulator import FirestoreEmulator

    os.environ.setdefault("GOOGLE_CLOUD_PROJECT", "demo-bench")
    emulator = FirestoreEmulator().start()
    os.environ["FIRESTORE_EMULATOR_HOST"] = emulator.host
    try:
        yield
    finally:
        os.environ.pop("FIRESTORE_EMULATOR_HOST", None)
        emulator.stop(export=False)


def _emit(result: dict[str, Any], as_json: bool) -> None:
    _out(json.dumps(result, ensure_ascii=False, indent=None if as_json else 2))


def cmd_bench(args: argparse.Namespace) -> int:
    """Run one benchmark (or all of them for `make bench`)."""
    kind = args.bench_command
    if kind == "handoff":
        from switchboard.devtools.bench.handoff import run_handoff

        _emit(run_handoff(Path(args.cases)), args.json)
        return 0
    with _bench_firestore():
        if kind == "quality":
            from switchboard.devtools.bench.quality import run_quality, run_suite

            if bool(args.kb) != bool(args.questions):
                raise SystemExit("--kb and --questions go together (without both: the whole suite)")
            if args.kb:
                _emit(run_quality(Path(args.kb), Path(args.questions)), args.json)
            else:
                _emit(run_suite(Path(args.manifest), args.split), args.json)
        elif kind == "calibrate":
            from switchboard.devtools.bench.calibrate import run_calibrate

            _emit(run_calibrate(Path(args.manifest)), args.json)
        elif kind == "speed":
            from switchboard.devtools.bench.speed import run_speed

            _emit(run_speed(turns=args.turns), args.json)
        else:
            from switchboard.devtools.bench.report import run_all, table

            results = run_all()
            if args.json:
                _emit(results, True)
            else:
                _out(table(results))
    return 0


def cmd_dev(args: argparse.Namespace) -> int:
    """Run the whole system locally (what `make dev` runs)."""
    from switchboard.devtools.stack import run_dev_stack

    return run_dev_stack(port=args.port)


def _tenant_id(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", value):
        raise argparse.ArgumentTypeError("tenant ids are 1-64 letters, digits, '-' or '_'")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``switchboard`` command."""
    parser = argparse.ArgumentParser(prog="switchboard", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--remote", action="store_true", help="use real Firestore (ADC) instead of the emulator")
    sub = parser.add_subparsers(dest="command", required=True)

    kb = sub.add_parser("kb", help="knowledge base").add_subparsers(dest="kb_command", required=True)
    imp = kb.add_parser("import", help="import a JSONL file of articles or a folder of Markdown files")
    imp.add_argument("--tenant", required=True, type=_tenant_id)
    imp.add_argument("--replace", action="store_true", help="drop articles that are not in PATH")
    imp.add_argument("path")
    imp.set_defaults(func=cmd_kb_import, needs_store=True)

    ask = sub.add_parser("ask", help="ask a question as the chat API would answer it")
    ask.add_argument("--tenant", required=True, type=_tenant_id)
    ask.add_argument("--json", action="store_true", help="print the API's JSON fields")
    ask.add_argument("--debug", action="store_true", help="include the test agent's debug object")
    ask.add_argument("--session", help="continue a session")
    ask.add_argument("--user", default="cli-user", help="end-user id (rate limits are per user)")
    ask.add_argument("question")
    ask.set_defaults(func=cmd_ask, needs_store=True)

    tenant = sub.add_parser("tenant", help="tenants and API keys").add_subparsers(dest="tenant_command", required=True)
    create = tenant.add_parser("create", help="create a tenant and print an API key")
    create.add_argument("--tenant", required=True, type=_tenant_id)
    create.add_argument("--name")
    create.set_defaults(func=cmd_tenant_create, needs_store=True)
    add_key = tenant.add_parser("add-key", help="print a new API key for a tenant")
    add_key.add_argument("--tenant", required=True, type=_tenant_id)
    add_key.set_defaults(func=cmd_tenant_add_key, needs_store=True)

    instructions = tenant.add_parser("set-instructions", help="set the AI instructions from a text file")
    instructions.add_argument("--tenant", required=True, type=_tenant_id)
    instructions.add_argument("file")
    instructions.set_defaults(func=cmd_tenant_set_instructions, needs_store=True)
    show = tenant.add_parser("show", help="print a tenant's settings")
    show.add_argument("--tenant", required=True, type=_tenant_id)
    show.set_defaults(func=cmd_tenant_show, needs_store=True)

    conversation = sub.add_parser("conversation", help="conversations").add_subparsers(
        dest="conv_command", required=True
    )
    owner = conversation.add_parser("owner", help="hand a conversation to a person or back to the AI")
    owner.add_argument("--tenant", required=True, type=_tenant_id)
    owner.add_argument("--channel", required=True, choices=["crm", "kommo", "chatwoot", "cli"])
    owner.add_argument("--key", required=True, help="conversation key, e.g. lead-123-contact-456 for Kommo")
    owner.add_argument("owner", choices=["ai", "human"])
    owner.set_defaults(func=cmd_conversation_owner, needs_store=True)

    kommo = sub.add_parser("kommo", help="Kommo tools").add_subparsers(dest="kommo_command", required=True)
    send = kommo.add_parser("send", help="post a signed Salesbot widget_request to the running dev stack")
    send.add_argument("--lead", default="1001")
    send.add_argument("--contact", default="2002")
    send.add_argument("--name", default="Jane Smith")
    send.add_argument("message")
    send.set_defaults(func=cmd_kommo_send, needs_store=False)

    bench = sub.add_parser("bench", help="benchmarks").add_subparsers(dest="bench_command", required=True)
    manifest = str(REPO_ROOT / "benchmarks" / "data" / "kbs" / "manifest.json")
    quality = bench.add_parser(
        "quality", help="retrieval, confidence and escalation through the chat turn (the suite, leave one KB out)"
    )
    quality.add_argument("--kb", help="one KB (JSONL) instead of the suite; needs --questions")
    quality.add_argument("--questions", help="its questions (JSONL)")
    quality.add_argument("--manifest", default=manifest, help="the suite's manifest")
    quality.add_argument("--split", default="test", choices=("dev", "test"), help="questions reported (suite)")
    calibrate = bench.add_parser("calibrate", help="fit the confidence calibration on the suite's dev questions")
    calibrate.add_argument("--manifest", default=manifest)
    handoff = bench.add_parser("handoff", help="the multilingual handoff detector against a five-keyword baseline")
    handoff.add_argument("--cases", default=str(REPO_ROOT / "benchmarks" / "data" / "handoff" / "test.jsonl"))
    speed = bench.add_parser("speed", help="turn overhead, round trips, Kommo ack, cold starts")
    speed.add_argument("--turns", type=int, default=300)
    bench.add_parser("all", help="everything on the test splits, as a table (make bench)")
    for parser_ in (quality, calibrate, handoff, speed, bench.choices["all"]):
        parser_.add_argument("--json", action="store_true", help="print one JSON object")
        parser_.set_defaults(func=cmd_bench, needs_store=False)

    dev = sub.add_parser("dev", help="run the whole system locally (make dev)")
    dev.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8080")))
    dev.set_defaults(func=cmd_dev, needs_store=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``switchboard`` console script."""
    args = build_parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        if not args.needs_store:
            return func(args)
        with _environment(args.remote):
            return func(args)
    except (SwitchboardError, RuntimeError) as exc:
        _err(f"error: {exc}")
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
