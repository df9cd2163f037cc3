"""Health probes (the CRM contract): each dependency healthy | degraded | down, probed concurrently;
and the OpenAPI document, which the same function serves.

This module never imports google-genai: the Gemini probe is one plain HTTPS request.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import flask
import httpx

from switchboard.config import Settings
from switchboard.errors import StoreError
from switchboard.http import json_response
from switchboard.routing import Route, match_path, resolve
from switchboard.store.base import TurnStore

PROBE_TIMEOUT = 3.0
GEMINI_API = "https://generativelanguage.googleapis.com"

Probe = Callable[[], dict[str, Any]]
ROUTE = Route(re.compile(r"^/api/health/?$"), canonical=lambda p: "/api/health", methods=("GET", "HEAD"))
OPENAPI_ROUTE = Route(re.compile(r"^/api/openapi\.json$"), methods=("GET", "HEAD"))
OPENAPI = Path(__file__).with_name("openapi.json")


def _timed(probe: Probe) -> dict[str, Any]:
    start = time.perf_counter()
    try:
        result = probe()
    except Exception as exc:  # a probe must never take the health endpoint down with it
        result = {"status": "down", "error": type(exc).__name__}
    result["latency_ms"] = round((time.perf_counter() - start) * 1000, 1)
    return result


def _firestore(store: TurnStore, emulator: str | None) -> Probe:
    def probe() -> dict[str, Any]:
        try:
            store.ping(PROBE_TIMEOUT)
        except StoreError as exc:
            return {"status": "down", "error": str(exc)}
        return {"status": "healthy", **({"emulator": emulator} if emulator else {})}

    return probe


def _status_of(code: int) -> str:
    if code == 200:
        return "healthy"
    if code == 429 or code >= 500:
        return "degraded"
    return "down"


def model_probe(s: Settings, model: str) -> Probe:
    """A probe that asks the Gemini API (or Vertex AI) for ``model``: healthy when it exists."""
    return _gemini_model(s, model)


def _gemini_model(s: Settings, model: str) -> Probe:

    def probe() -> dict[str, Any]:
        if s.use_vertexai:
            import google.auth
            import google.auth.transport.requests

            credentials, _ = google.auth.default(scopes=["https://www.googleapis.com/auth/cloud-platform"])
            credentials.refresh(google.auth.transport.requests.Request())  # type: ignore[no-untyped-call]
            loc = s.google_cloud_location
            host = "aiplatform.googleapis.com" if loc == "global" else f"{loc}-aiplatform.googleapis.com"
            url = (
                f"https://{host}/v1/projects/{s.google_cloud_project}/locations/{loc}/publishers/google/models/{model}"
            )
            headers = {"Authorization": f"Bearer {credentials.token}"}
        else:
            base = (s.gemini_base_url or GEMINI_API).rstrip("/")
            url = f"{base}/v1beta/models/{model}"
            headers = {"x-goog-api-key": s.api_key.get_secret_value() if s.api_key else ""}
        try:
            response = httpx.get(url, headers=headers, timeout=PROBE_TIMEOUT)
        except httpx.HTTPError as exc:
            return {"status": "down", "model": model, "error": type(exc).__name__}
        result: dict[str, Any] = {"status": _status_of(response.status_code), "model": model}
        if response.status_code != 200:
            result["http_status"] = response.status_code
        return result

    return probe


def _http_probe(url: str, **kwargs: Any) -> Probe:
    def probe() -> dict[str, Any]:
        try:
            response = httpx.get(url, timeout=PROBE_TIMEOUT, **kwargs)
        except httpx.HTTPError as exc:
            return {"status": "down", "error": type(exc).__name__}
        result: dict[str, Any] = {"status": _status_of(response.status_code)}
        if response.status_code != 200:
            result["http_status"] = response.status_code
        return result

    return probe


def _smtp(host: str, port: int) -> Probe:
    def probe() -> dict[str, Any]:
        import smtplib

        try:
            if port == 465:  # implicit TLS, as the mailer connects
                import ssl

                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    host, port, timeout=PROBE_TIMEOUT, context=ssl.create_default_context()
                )
            else:
                smtp = smtplib.SMTP(host, port, timeout=PROBE_TIMEOUT)
            with smtp:
                code, _ = smtp.noop()
        except (OSError, smtplib.SMTPException) as exc:
            return {"status": "down", "error": type(exc).__name__}
        return {"status": "healthy" if code == 250 else "degraded", "transport": "smtp"}

    return probe


def _queue(s: Settings) -> Probe:

    def probe() -> dict[str, Any]:
        from google.api_core import exceptions as gexc

        from switchboard.tasks.cloud_tasks import build_client

        name = f"projects/{s.google_cloud_project}/locations/{s.tasks_location}/queues/{s.tasks_queue}"
        try:
            queue = build_client(s.tasks_emulator_host).get_queue(name=name, timeout=PROBE_TIMEOUT, retry=None)
        except (gexc.GoogleAPICallError, gexc.RetryError) as exc:
            return {"status": "down", "error": type(exc).__name__}
        state = getattr(queue.state, "name", "RUNNING")
        return {"status": "healthy" if state in ("RUNNING", "STATE_UNSPECIFIED") else "degraded", "state": state}

    return probe


def probes(s: Settings, store: TurnStore) -> dict[str, Probe]:
    """The probes of every configured dependency, by service name."""
    found: dict[str, Probe] = {"firestore": _firestore(store, s.firestore_emulator_host)}
    if s.resolved_llm_backend == "genai":
        found["llm"] = _gemini_model(s, s.gemini_model)
    else:
        found["llm"] = lambda: {"status": "healthy", "provider": "extractive", "network": False}
    if s.embedding_backend == "genai":
        found["embeddings"] = _gemini_model(s, s.embedding_model)
    if s.tasks_target_url:
        found["task_queue"] = _queue(s)
    if s.freshdesk_configured and s.freshdesk_api_key:
        from switchboard.helpdesk.freshdesk import base_url_for

        base = base_url_for(s.freshdesk_domain, s.freshdesk_base_url)
        found["freshdesk"] = _http_probe(f"{base}/api/v2/agents/me", auth=(s.freshdesk_api_key.get_secret_value(), "X"))
    if s.chatwoot_configured and s.chatwoot_api_token:
        token = s.chatwoot_api_token.get_secret_value()
        found["chatwoot"] = _http_probe(
            f"{(s.chatwoot_base_url or '').rstrip('/')}/api/v1/profile", headers={"api_access_token": token}
        )
    if s.email_transport == "smtp" and s.smtp_host:
        found["email"] = _smtp(s.smtp_host, s.smtp_port)
    return found


def check_health(settings: Settings, store: TurnStore) -> tuple[dict[str, Any], int]:
    """Run every probe concurrently; returns the body and the HTTP status (503 when down)."""
    found = probes(settings, store)
    with ThreadPoolExecutor(max_workers=len(found)) as pool:
        futures = {name: pool.submit(_timed, probe) for name, probe in found.items()}
        results = {name: future.result() for name, future in futures.items()}
    counts = {
        state: sum(1 for r in results.values() if r["status"] == state) for state in ("healthy", "degraded", "down")
    }
    if counts["healthy"] == len(results):
        overall = "healthy"
    elif results["firestore"]["status"] == "down" or counts["down"] == len(results):
        overall = "down"
    else:
        overall = "degraded"
    body = {"overall_status": overall, "services": results, "summary": {"total": len(results), **counts}}
    return body, 503 if overall == "down" else 200


class HealthCheck:
    """Runs :func:`check_health` at most once per ``ttl_seconds`` per instance.

    ``/api/health`` is public: without this, every hit would call Freshdesk, Chatwoot, Gemini and
    SMTP with our credentials. Concurrent callers during a refresh share one run.
    """

    def __init__(self, settings: Settings, store: TurnStore, ttl_seconds: float) -> None:
        self._settings, self._store, self._ttl = settings, store, ttl_seconds
        self._lock = threading.Lock()
        self._last: tuple[float, dict[str, Any], int] | None = None

    def check(self) -> tuple[dict[str, Any], int]:
        """The latest result, fresh within the TTL (``cached_for_seconds`` says how old it is)."""
        with self._lock:
            now = time.monotonic()
            if self._last is None or now - self._last[0] >= self._ttl:
                body, status = check_health(self._settings, self._store)
                self._last = (time.monotonic(), body, status)
            at, body, status = self._last
            return {**body, "age_seconds": round(time.monotonic() - at, 1)}, status


def health_endpoint(request: flask.Request, health: Callable[[], HealthCheck]) -> flask.Response:
    """``GET /api/health`` (the probes) and ``GET /api/openapi.json`` (the API's OpenAPI document)."""
    if OPENAPI_ROUTE.pattern.match(request.path):
        match_path(request, OPENAPI_ROUTE)
        return flask.Response(OPENAPI.read_bytes(), mimetype="application/json")
    found = resolve(request, ROUTE)
    if isinstance(found, flask.Response):
        return found
    body, status = health().check()
    return json_response(body, status)
