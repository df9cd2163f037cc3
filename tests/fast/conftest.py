"""The fast tier: real entry points and use cases over in-memory ports; no emulator, no Java."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from switchboard import bootstrap
from tests.conftest import SETTING_VARS, function_client
from tests.support.fast import FastStack, fast_stack


@pytest.fixture
def make_stack(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., FastStack]]:
    """Build (and install) a fast stack; call it again to rebuild with other settings."""
    for name in SETTING_VARS:
        monkeypatch.delenv(name, raising=False)
    yield fast_stack
    bootstrap.reset()


@pytest.fixture
def stack(make_stack: Callable[..., FastStack]) -> FastStack:
    """A fast stack with default settings and the demo KB in the default tenant."""
    built = make_stack()
    built.seed()
    return built


@pytest.fixture
def http(stack: FastStack) -> Callable[[str], Any]:
    """A test client of functions/<name>/main.py over the installed fast stack."""
    return function_client
