"""What the command groups share: output, the progress bar, the store environment, argument types."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any, TypeAlias

from switchboard.validators import is_tenant_id

REPO_ROOT = Path(__file__).resolve().parents[3]

#: What ``add_subparsers`` returns: each command group adds its commands to it.
Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def err(text: str) -> None:
    sys.stderr.write(text + "\n")


def progress(stage: str, done: int, total: int) -> None:
    width = 30
    filled = int(width * done / total) if total else width
    sys.stderr.write(f"\r{stage:>6} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


@contextmanager
def environment(remote: bool) -> Iterator[None]:
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


def tenant_id(value: str) -> str:
    if not is_tenant_id(value):
        raise argparse.ArgumentTypeError("tenant ids are 1-64 letters, digits, '-' or '_'")
    return value
