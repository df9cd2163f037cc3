"""Kommo fixtures: signed tokens, recorded payloads, and the escalation stack plus a Kommo stand-in."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import jwt
import pytest

from switchboard.devtools.standins import KommoStandIn
from tests.escalation.conftest import Stack, stack, tasks_emulator  # noqa: F401  (fixtures)

SECRET = "kommo-client-secret-for-tests-0123456789abcdefghijklmnopqrstuvwxyzABCD"
ACCOUNT_ID = 31415926
SUBDOMAIN = "acme"
WEBHOOK_KEY = "url-key-for-tests"


def token(secret: str = SECRET, **claims: Any) -> str:
    now = time.time()
    payload = {
        "iss": f"https://{SUBDOMAIN}.kommo.com",
        "aud": "https://switchboard.example/api/kommo/chat/webhook",
        "client_uuid": "4f1b0c6e-0000-4000-8000-000000000000",
        "account_id": ACCOUNT_ID,
        "subdomain": SUBDOMAIN,
        "entity_id": 123,
        "entity_type": 2,
        "bot_type": "salesbot",
        "iat": now,  # floats, as field reports saw them
        "nbf": now,
        "exp": now + 600,
        **claims,
    }
    return jwt.encode(payload, secret, algorithm="HS512")


@dataclass
class KommoStack:
    stack: Stack
    kommo: KommoStandIn

    def return_url(self) -> str:
        return f"{self.kommo.url}/api/v4/salesbot/321/continue/{uuid.uuid4().hex[:12]}"

    def form(self, message: str, return_url: str | None = None, **overrides: Any) -> str:
        fields = {
            "token": overrides.pop("token", token()),
            "data[message]": message,
            "data[lead_id]": "123",
            "data[contact_id]": "456",
            "data[contact_name]": "Jane Smith",
            "return_url": return_url or self.return_url(),
            **overrides,
        }
        return urlencode(fields)

    def post_form(self, body: str, query: str = f"?key={WEBHOOK_KEY}") -> Any:
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return self.stack.http.post(f"/api/kommo/chat/webhook{query}", content=body, headers=headers)


@pytest.fixture
def kommo(stack: Stack, env: Any) -> Iterator[KommoStack]:  # noqa: F811
    stand_in = KommoStandIn().start()
    host = stand_in.url.removeprefix("http://")
    env(
        KOMMO_CLIENT_SECRET=SECRET,
        KOMMO_ACCOUNT_ID=str(ACCOUNT_ID),
        KOMMO_SUBDOMAIN=SUBDOMAIN,
        KOMMO_ACCESS_TOKEN=stand_in.token,
        KOMMO_WEBHOOK_SECRET=WEBHOOK_KEY,
        KOMMO_RETURN_URL_HOSTS=host,
    )
    try:
        yield KommoStack(stack, stand_in)
    finally:
        stand_in.stop()
