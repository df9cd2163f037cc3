"""The ``switchboard`` command: knowledge-base import, questions, tenants, the dev stack.

Local by default: commands use FIRESTORE_EMULATOR_HOST, else the emulator of a running
``make dev``, else start an emulator of their own. ``--remote`` uses real Firestore (ADC
credentials and GOOGLE_CLOUD_PROJECT) instead.

One module per command group: ``knowledge`` (kb import, ask), ``tenants`` (tenant,
conversation), ``dev`` (kommo send, dev), ``bench``; ``common`` holds what they share.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from switchboard import logging as sblog
from switchboard.cli import ai, bench, dev, knowledge, tasks, tenants
from switchboard.cli.common import environment, err
from switchboard.errors import SwitchboardError


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``switchboard`` command."""
    parser = argparse.ArgumentParser(prog="switchboard", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--remote", action="store_true", help="use real Firestore (ADC) instead of the emulator")
    sub = parser.add_subparsers(dest="command", required=True)
    knowledge.register(sub)
    tenants.register(sub)
    tasks.register(sub)
    ai.register(sub)
    dev.register_kommo(sub)
    dev.register_chatwoot(sub)
    bench.register(sub)
    dev.register_dev(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``switchboard`` console script."""
    args = build_parser().parse_args(argv)
    # Logs go to stderr: stdout carries the command's own output (``--json`` is parsed by scripts).
    sblog.configure(os.environ.get("LOG_LEVEL", "INFO").upper(), stream=sys.stderr)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        if not args.needs_store:
            return func(args)
        with environment(args.remote):
            return func(args)
    except (SwitchboardError, RuntimeError) as exc:
        err(f"error: {exc}")
        return 2
    except KeyboardInterrupt:
        return 130
