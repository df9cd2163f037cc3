"""Shared fixtures: Google's Firestore emulator (one per session), a fresh project per test,
a clean environment, the functions loaded as Cloud Functions loads them, and a seeded KB."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from switchboard import bootstrap
from switchboard.config import Settings
from switchboard.devtools.emulator import FirestoreEmulator

REPO = Path(__file__).resolve().parents[1]
EVENTS = Path(__file__).parent / "events"
DEMO_KB = REPO / "examples" / "kb" / "demo.jsonl"
SETTING_VARS = {f.alias for f in Settings.model_fields.values() if f.alias} | {
    "GOOGLE_GENAI_USE_VERTEXAI",
    "GOOGLE_API_KEY",
    "GEMINI_API_KEY",
}


def load_event(name: str) -> Any:
    """A recorded payload from tests/events/."""
    return json.loads((EVENTS / name).read_text())


@pytest.fixture(scope="session")
def firestore_emulator() -> Iterator[str]:
    """The emulator's host:port: FIRESTORE_EMULATOR_HOST if set, else one started here."""
    preset = os.environ.get("FIRESTORE_EMULATOR_HOST")
    if preset:
        yield preset
        return
    emulator = FirestoreEmulator().start()
    try:
        yield emulator.host
    finally:
        emulator.stop(export=False)


@pytest.fixture
def project() -> str:
    return "demo-" + uuid.uuid4().hex[:12]


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, firestore_emulator: str, project: str) -> Iterator[Callable[..., None]]:
    """A clean environment for one test; call the fixture's value to set more variables."""
    for name in SETTING_VARS:
        monkeypatch.delenv(name, raising=False)
    base = {
        "FIRESTORE_EMULATOR_HOST": firestore_emulator,
        "GOOGLE_CLOUD_PROJECT": project,
        "SWITCHBOARD_ENV": "development",
        "ALLOW_ANONYMOUS": "true",
        "LLM_BACKEND": "extractive",
        "LOG_LEVEL": "WARNING",
    }

    def setenv(**values: str) -> None:
        for key, value in values.items():
            monkeypatch.setenv(key, value)
        bootstrap.reset()

    setenv(**base)
    yield setenv
    bootstrap.reset()


def function_client(name: str) -> Any:
    """A test client of functions/<name>/main.py, loaded exactly as functions-framework does."""
    from functions_framework import create_app

    return create_app(target=name, source=str(REPO / "functions" / name / "main.py")).test_client()


@pytest.fixture
def chat(env: Callable[..., None]) -> Any:
    return function_client("chat")


@pytest.fixture
def health(env: Callable[..., None]) -> Any:
    return function_client("health")


@pytest.fixture
def seed(env: Callable[..., None]) -> Callable[..., int]:
    """Import articles (default: the demo KB) into a tenant; returns the KB version."""
    from switchboard.knowledge.articles import article_from_mapping, read_articles
    from switchboard.knowledge.importer import import_articles

    def _seed(tenant: str = "default", articles: list[dict[str, Any]] | None = None) -> int:
        parsed = [article_from_mapping(a) for a in articles] if articles is not None else read_articles(DEMO_KB)
        svc = bootstrap.services()
        return import_articles(svc.store, tenant, parsed, replace=True, embedder=svc.embedder).version

    return _seed


def user_info(agent_id: str = "crm_user_456", **extra: str) -> dict[str, str]:
    info = {
        "agent_id": agent_id,
        "email": "jane.smith@company.com",
        "name": "Jane Smith",
        "agency": "Sales",
        "office": "Cape Town",
    }
    info.update(extra)
    return info


@pytest.fixture
def db(env: Callable[..., None], project: str) -> Any:
    """A plain Firestore client on the test's project, for asserting what was stored."""
    from google.cloud import firestore

    return firestore.Client(project=project)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that needs Google's Firestore emulator or the Cloud Tasks emulator is marked
    ``emulator``, whether it asks for one directly or through another fixture, so ``make unit``
    (``-m "not emulator ..."``) runs exactly the tests that need no Java."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & {"firestore_emulator", "tasks_emulator"}:
            item.add_marker(pytest.mark.emulator)
