"""Only our queue may run tasks: the local secret, or a Google-signed OIDC token for our service
account and audience (checked against certificates served here on loopback)."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from google.auth import crypt
from google.auth import jwt as google_jwt

from tests.conftest import function_client
from tests.fast.helpers import record_failure
from tests.support.fast import TASK_HEADERS, FastStack

ACCOUNT = "tasks-invoker@demo.iam.gserviceaccount.com"
AUDIENCE = "https://tasks-abc.a.run.app"


def _key_and_cert() -> tuple[bytes, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test-google")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return pem, cert.public_bytes(serialization.Encoding.PEM)


KEY, CERT = _key_and_cert()
OTHER_KEY, _ = _key_and_cert()


@pytest.fixture(scope="module")
def certs_url() -> Iterator[str]:
    body = json.dumps({"kid-1": CERT.decode()}).encode()

    class Certs(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Cache-Control", "public, max-age=600")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Certs)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/oauth2/v1/certs"
    server.shutdown()


def token(key: bytes = KEY, **claims: Any) -> str:
    now = int(time.time())
    payload = {
        "iss": "https://accounts.google.com",
        "aud": AUDIENCE,
        "email": ACCOUNT,
        "email_verified": True,
        "iat": now,
        "exp": now + 300,
        **claims,
    }
    signer = crypt.RSASigner.from_string(key, key_id="kid-1")
    return google_jwt.encode(signer, payload).decode()


def run_task(failure_id: str, headers: dict[str, str]) -> Any:
    body = {"tenant": "default", "failure_id": failure_id}
    return function_client("tasks").post("/tasks/teams-alert", json=body, headers=headers)


def test_the_local_queue_secret_is_required(stack: FastStack) -> None:
    failure_id = record_failure(function_client("escalation"))
    for headers in ({}, {"X-Switchboard-Task-Secret": "wrong"}, {"X-Switchboard-Task-Secret": "ÿ"}):
        refused = run_task(failure_id, headers)
        assert refused.status_code == 401 and refused.get_json()["error"] == "unauthorized"
    assert run_task(failure_id, TASK_HEADERS).status_code == 200


@pytest.fixture
def oidc(make_stack: Callable[..., FastStack], certs_url: str) -> FastStack:
    built = make_stack(
        TASKS_SECRET="", TASKS_SERVICE_ACCOUNT=ACCOUNT, TASKS_AUDIENCE=AUDIENCE, TASKS_OIDC_CERTS_URL=certs_url
    )
    built.seed()
    return built


@pytest.mark.parametrize(
    "bad",
    [
        {"aud": "https://elsewhere.a.run.app"},
        {"email": "someone@demo.iam.gserviceaccount.com"},
        {"email_verified": False},
        {"iss": "https://evil.example"},
        {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200},
    ],
    ids=["audience", "account", "unverified", "issuer", "expired"],
)
def test_a_token_for_anything_else_is_refused(oidc: FastStack, bad: dict[str, Any]) -> None:
    failure_id = record_failure(function_client("escalation"))
    assert run_task(failure_id, {"Authorization": f"Bearer {token(**bad)}"}).status_code == 401


def test_only_a_token_signed_by_google_for_our_account_and_audience_runs_a_task(oidc: FastStack) -> None:
    failure_id = record_failure(function_client("escalation"))
    assert run_task(failure_id, {}).status_code == 401
    assert run_task(failure_id, {"Authorization": f"Bearer {token(key=OTHER_KEY)}"}).status_code == 401
    assert run_task(failure_id, {"Authorization": "Bearer not-a-jwt"}).status_code == 401
    assert run_task(failure_id, TASK_HEADERS).status_code == 401  # no secret is configured here
    assert run_task(failure_id, {"Authorization": f"Bearer {token()}"}).status_code == 200


def test_without_a_secret_or_an_identity_tasks_are_refused(make_stack: Callable[..., FastStack]) -> None:
    make_stack(TASKS_SECRET="").seed()
    response = run_task("x", TASK_HEADERS)
    assert response.status_code == 503 and response.get_json()["error"] == "not_configured"


def test_the_tasks_function_answers_no_browser(make_stack: Callable[..., FastStack]) -> None:
    make_stack(CORS_ALLOWED_ORIGINS="*").seed()
    client = function_client("tasks")
    preflight = client.options("/tasks/sweep", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in preflight.headers
    posted = client.post("/tasks/sweep", data="{}", headers={"Origin": "https://evil.example", **TASK_HEADERS})
    assert "Access-Control-Allow-Origin" not in posted.headers
