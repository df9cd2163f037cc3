"""GET /api/health (the CRM contract's health check): per-service status, summary, concurrency, no google-genai."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from typing import Any

import pytest

from switchboard.devtools.emulator import free_port
from switchboard.devtools.fake_gemini import FakeGemini, Reply
from tests.conftest import REPO, function_client

pytestmark = pytest.mark.emulator


def test_healthy_with_the_emulator_and_the_offline_provider(health: Any) -> None:
    response = health.get("/api/health")
    assert response.status_code == 200
    body = response.get_json()
    assert body["overall_status"] == "healthy"
    assert set(body["services"]) == {"firestore", "llm"}
    assert body["summary"] == {"total": 2, "healthy": 2, "degraded": 0, "down": 0}


def test_firestore_down_is_reported_quickly_as_down_with_503(env: Any) -> None:
    env(FIRESTORE_EMULATOR_HOST=f"127.0.0.1:{free_port()}")
    start = time.monotonic()
    response = function_client("health").get("/api/health")
    assert time.monotonic() - start < 8
    assert response.status_code == 503
    body = response.get_json()
    assert body["overall_status"] == "down"
    assert body["services"]["firestore"]["status"] == "down"
    assert body["summary"]["down"] == 1


def test_gemini_probes_run_concurrently_and_degrade_on_429(env: Any) -> None:
    fake = FakeGemini().start()
    try:
        env(LLM_BACKEND="genai", GEMINI_API_KEY="k", GEMINI_BASE_URL=fake.url, EMBEDDING_BACKEND="genai")
        body = function_client("health").get("/api/health").get_json()
        assert body["overall_status"] == "healthy"
        assert body["services"]["llm"] == {**body["services"]["llm"], "status": "healthy", "model": "gemini-3.6-flash"}
        assert body["services"]["embeddings"]["status"] == "healthy"
        assert {r["headers"]["x-goog-api-key"] for r in fake.requests} == {"k"}
    finally:
        fake.stop()


def test_paths_and_methods(health: Any) -> None:
    assert health.post("/api/health").status_code == 405
    assert health.get("/api/health/").status_code == 308
    assert health.get("/api/healthz").status_code == 404


def test_health_function_never_imports_google_genai(env: Any, firestore_emulator: str, project: str) -> None:
    # A fresh interpreter loads the function as functions-framework does and serves one request
    # with Gemini configured: the probe must still not import the SDK.
    script = f"""
import json, sys
from functions_framework import create_app
app = create_app(target="health", source={str(REPO / "functions/health/main.py")!r})
r = app.test_client().get("/api/health")
print(json.dumps({{"status": r.status_code, "genai": any(m.startswith("google.genai") for m in sys.modules)}}))
"""
    fake = FakeGemini().start()
    try:
        environment = {
            "FIRESTORE_EMULATOR_HOST": firestore_emulator,
            "GOOGLE_CLOUD_PROJECT": project,
            "GEMINI_API_KEY": "k",
            "GEMINI_BASE_URL": fake.url,
            "PATH": "/usr/bin:/bin",
        }
        out = subprocess.run(
            [sys.executable, "-c", script], env=environment, capture_output=True, text=True, check=True
        )
        result = json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        fake.stop()
    assert result == {"status": 200, "genai": False}


def test_a_broken_gemini_key_is_down_and_overall_degraded(env: Any) -> None:
    fake = FakeGemini().start()
    fake_status = Reply(403, {"error": {"code": 403, "status": "PERMISSION_DENIED"}})
    try:
        env(LLM_BACKEND="genai", GEMINI_API_KEY="bad", GEMINI_BASE_URL=fake.url)
        fake.get_reply = fake_status
        body = function_client("health").get("/api/health").get_json()
        assert body["services"]["llm"]["status"] == "down"
        assert body["services"]["llm"]["http_status"] == 403
        assert body["overall_status"] == "degraded"
    finally:
        fake.stop()
