"""``switchboard kb import`` and ``switchboard ask``: fill a knowledge base, then question it."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path

from switchboard.cli.common import Commands, err, out, progress, tenant_id


def cmd_kb_import(args: argparse.Namespace) -> int:
    """Import a JSONL file or a Markdown folder into a tenant's knowledge base."""
    from switchboard.bootstrap import services
    from switchboard.knowledge.articles import read_articles
    from switchboard.knowledge.importer import import_articles

    articles = read_articles(Path(args.path))
    err(f"read {len(articles)} articles from {args.path}")
    svc = services()
    report = import_articles(
        svc.store, args.tenant, articles, replace=args.replace, embedder=svc.embedder, progress=progress
    )
    out(
        f"tenant {report.tenant_id}: knowledge base version {report.version} with {report.articles} articles, "
        f"{report.chunks} chunks{' (embedded)' if report.embedded else ''}; "
        f"{report.embedded_now} chunks embedded and {report.written} documents written now, the rest unchanged"
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
        out(json.dumps(body, ensure_ascii=False, indent=2))
        return 0
    out(body["response"])
    out()
    out(
        f"confidence {body['classification_confidence']:.2f} · escalate: {'yes' if body['requires_escalation'] else 'no'}"
    )
    for s in body["sources"]:
        out(f"  source: {s['title']} ({s['entry_id']}, {s['confidence']:.2f})")
    return 0


def register(sub: Commands) -> None:
    """Add ``kb import`` and ``ask``."""
    kb = sub.add_parser("kb", help="knowledge base").add_subparsers(dest="kb_command", required=True)
    imp = kb.add_parser("import", help="import a JSONL file of articles or a folder of Markdown files")
    imp.add_argument("--tenant", required=True, type=tenant_id)
    imp.add_argument("--replace", action="store_true", help="drop articles that are not in PATH")
    imp.add_argument("path")
    imp.set_defaults(func=cmd_kb_import, needs_store=True)

    ask = sub.add_parser("ask", help="ask a question as the chat API would answer it")
    ask.add_argument("--tenant", required=True, type=tenant_id)
    ask.add_argument("--json", action="store_true", help="print the API's JSON fields")
    ask.add_argument("--debug", action="store_true", help="include the test agent's debug object")
    ask.add_argument("--session", help="continue a session")
    ask.add_argument("--user", default="cli-user", help="end-user id (rate limits are per user)")
    ask.add_argument("question")
    ask.set_defaults(func=cmd_ask, needs_store=True)
