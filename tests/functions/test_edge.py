"""CORS for browser CRM widgets, and JSON logs that never carry message bodies at INFO."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from switchboard.logging import CloudLoggingFormatter
from tests.conftest import function_client, user_info

pytestmark = pytest.mark.emulator


def test_preflight_and_cors_headers_for_allowed_origins_only(env: Any, seed: Any) -> None:
    env(CORS_ALLOWED_ORIGINS="https://crm.example.com")
    seed()
    chat = function_client("chat")
    pre = chat.options("/api/agent/customer/", headers={"Origin": "https://crm.example.com"})
    assert pre.status_code == 204
    assert pre.headers["Access-Control-Allow-Origin"] == "https://crm.example.com"
    assert "Authorization" in pre.headers["Access-Control-Allow-Headers"]
    body = {"message": "How do I reset a password?", "user_info": user_info()}
    ok = chat.post("/api/agent/customer/", json=body, headers={"Origin": "https://crm.example.com"})
    assert ok.headers["Access-Control-Allow-Origin"] == "https://crm.example.com"
    other = chat.post("/api/agent/customer/", json=body, headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_info_logs_are_cloud_logging_json_without_message_bodies(
    chat: Any, seed: Any, caplog: pytest.LogCaptureFixture
) -> None:
    seed()
    secret = "my card number is 4111 1111 1111 1111"
    with caplog.at_level(logging.INFO):
        chat.post(
            "/api/agent/customer/",
            json={"message": secret, "user_info": user_info()},
            headers={"X-Cloud-Trace-Context": "abc123/1;o=1"},
        )
    formatter = CloudLoggingFormatter()
    lines = [json.loads(formatter.format(r)) for r in caplog.records]
    access = [line for line in lines if line["message"] == "request"]
    assert access and access[0]["status"] == 200 and access[0]["severity"] == "INFO"
    assert access[0]["logging.googleapis.com/trace"].endswith("/traces/abc123")
    assert access[0]["logging.googleapis.com/labels"]["function"] == "chat"
    assert all("4111" not in json.dumps(line) for line in lines)
