"""Where local commands find Firestore: the env, a running ``make dev``, or an emulator of their own."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from switchboard.devtools.emulator import FirestoreEmulator, port_open

DEFAULT_PROJECT = "demo-switchboard"


def state_dir() -> Path:
    """The folder for local state (``SWITCHBOARD_STATE_DIR``, default ``./.switchboard``)."""
    return Path(os.environ.get("SWITCHBOARD_STATE_DIR", ".switchboard")).resolve()


def dev_state_file() -> Path:
    """The file where a running ``make dev`` records its addresses."""
    return state_dir() / "dev.json"


def running_dev_stack() -> dict[str, str] | None:
    """The running dev stack's state, if one is up."""
    path = dev_state_file()
    try:
        state = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    host, _, port = str(state.get("firestore_emulator_host", "")).partition(":")
    if host and port.isdigit() and port_open(host, int(port)):
        return {str(k): str(v) for k, v in state.items()}
    return None


@contextmanager
def local_firestore() -> Iterator[str]:
    """Make FIRESTORE_EMULATOR_HOST point at an emulator for the duration of the block.

    Uses, in order: the variable if already set; the emulator of a running ``make dev``; a new
    emulator persisting into the same data folder as ``make dev`` (so data carries over).
    """
    os.environ.setdefault("GOOGLE_CLOUD_PROJECT", DEFAULT_PROJECT)
    if os.environ.get("FIRESTORE_EMULATOR_HOST"):
        yield os.environ["FIRESTORE_EMULATOR_HOST"]
        return
    running = running_dev_stack()
    if running:
        os.environ["FIRESTORE_EMULATOR_HOST"] = running["firestore_emulator_host"]
        try:
            yield running["firestore_emulator_host"]
        finally:
            os.environ.pop("FIRESTORE_EMULATOR_HOST", None)
        return
    emulator = FirestoreEmulator(state_dir() / "firestore", project=os.environ["GOOGLE_CLOUD_PROJECT"]).start()
    os.environ["FIRESTORE_EMULATOR_HOST"] = emulator.host
    try:
        yield emulator.host
    finally:
        os.environ.pop("FIRESTORE_EMULATOR_HOST", None)
        emulator.stop()
