"""Browser tests: Debian's Chromium driven by Playwright against the whole local stack (every
function behind one server on Google's Firestore emulator and the Cloud Tasks emulator, with the
vendor stand-ins): what a business owner and a customer see in ``make dev``.

Chromium comes from Debian (``/usr/bin/chromium``; ``make test`` installs it when missing):
Playwright's own browser download needs a network this project does not assume.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from switchboard.devtools.bench.loopback import Loopback, loopback_stack

CHROMIUM = os.environ.get("CHROMIUM_BIN") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
#: ``make screenshots`` sets this to docs/screenshots; otherwise screenshots go to a temporary
#: folder (still taken, so a screen that cannot be captured fails the test).
SCREENSHOTS = Path(os.environ.get("SWITCHBOARD_SCREENSHOTS") or tempfile.mkdtemp(prefix="switchboard-shots-"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.emulator)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    assert Path(CHROMIUM).exists(), f"Chromium is missing ({CHROMIUM}): apt-get install chromium (make test does)"
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ARGS}


@dataclass
class Live:
    """The running stack and the keys of its demo tenant ``default``."""

    stack: Loopback
    base: str
    admin_key: str
    chat_key: str


@pytest.fixture(scope="module")
def live(firestore_emulator: str) -> Iterator[Live]:
    """One stack per test module: it installs its services process-wide, so it must be gone before
    the next module's tests build theirs."""
    from switchboard.channels.auth import hash_api_key

    with loopback_stack(
        "browser", FIRESTORE_EMULATOR_HOST=firestore_emulator, RATE_LIMIT="1000/60", ALLOW_ANONYMOUS="false"
    ) as stack:
        admin_key, chat_key = "sb_admin_" + secrets.token_urlsafe(24), "sb_chat_" + secrets.token_urlsafe(24)
        stack.services.store.add_api_key(hash_api_key(admin_key), "default", kind="admin")
        stack.services.store.add_api_key(hash_api_key(chat_key), "default")
        yield Live(stack, str(stack.http.base_url).rstrip("/"), admin_key, chat_key)


def shot(page: Any, name: str) -> None:
    """Save a screenshot of the page as {name}.png (docs/screenshots/ under ``make screenshots``)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)
