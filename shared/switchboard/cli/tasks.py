"""``switchboard tasks dead-letters``: the deferred work that was given up on."""

from __future__ import annotations

import argparse
import json

from switchboard.cli.common import Commands, out, tenant_id


def cmd_dead_letters(args: argparse.Namespace) -> int:
    """List dead letters, newest first (one line each, or JSON lines with --json)."""
    from switchboard.bootstrap import services

    letters = services().dead_letters.recent(args.tenant, args.limit)
    for letter in letters:
        if args.json:
            out(json.dumps({**letter.__dict__, "at": letter.at.isoformat()}, ensure_ascii=False))
        else:
            at = letter.at.isoformat(timespec="seconds")
            tenant = letter.tenant_id or "-"
            out(f"{at}  {tenant}  {letter.kind}  {letter.subject}  after {letter.attempts}: {letter.error}")
    if not letters and not args.json:
        out("no dead letters")
    return 0


def register(sub: Commands) -> None:
    """Add the ``tasks`` command."""
    tasks = sub.add_parser("tasks", help="deferred work").add_subparsers(dest="tasks_command", required=True)
    letters = tasks.add_parser("dead-letters", help="list the tasks given up on, newest first")
    letters.add_argument("--tenant", type=tenant_id, help="only this tenant's")
    letters.add_argument("--limit", type=int, default=50)
    letters.add_argument("--json", action="store_true", help="one JSON object per line")
    letters.set_defaults(func=cmd_dead_letters, needs_store=True)
