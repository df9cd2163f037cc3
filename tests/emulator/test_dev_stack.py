"""`make dev` end to end: emulator, demo tenant, one base URL, env pass-through, clean stop, persistence."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from switchboard.devtools.emulator import free_port, port_open
from tests.conftest import REPO, user_info

pytestmark = pytest.mark.emulator


def start_stack(state: Path, port: int, **extra: str) -> subprocess.Popen[str]:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in ("FIRESTORE_EMULATOR_HOST", "GEMINI_API_KEY", "GOOGLE_API_KEY", "LLM_BACKEND")
    }
    environment.update(SWITCHBOARD_STATE_DIR=str(state), PORT=str(port), **extra)
    proc = subprocess.Popen(
        [sys.executable, "-m", "switchboard.cli", "dev"],
        cwd=REPO,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 90
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if "Switchboard is running" in line:
            return proc
        if not line and proc.poll() is not None:
            break
    proc.kill()
    raise AssertionError("dev stack did not come up")


def stop_stack(proc: subprocess.Popen[str]) -> int:
    proc.send_signal(signal.SIGTERM)
    return proc.wait(30)


def test_dev_stack_serves_every_function_and_stops_everything(tmp_path: Path) -> None:
    port = free_port()
    proc = start_stack(tmp_path, port, RATE_LIMIT="2/600")
    base = f"http://127.0.0.1:{port}"
    try:
        state = json.loads((tmp_path / "dev.json").read_text())
        emulator_port = int(state["firestore_emulator_host"].rsplit(":", 1)[1])
        body = {"message": "How do I reset a user's password?", "session_id": "dev-1", "user_info": user_info()}
        first = httpx.post(f"{base}/api/agent/customer/", json=body, timeout=30)
        assert first.status_code == 200 and first.json()["sources"][0]["entry_id"] == "kb_001"
        key = (tmp_path / "dev-api-key").read_text().strip()
        with_key = httpx.post(f"{base}/api/agent/customer/", json=body, headers={"Authorization": f"Bearer {key}"})
        assert with_key.status_code == 200
        # RATE_LIMIT given to the stack reached the function
        assert httpx.post(f"{base}/api/agent/customer/", json=body).status_code == 429
        assert httpx.get(f"{base}/api/health").json()["overall_status"] == "healthy"
        assert httpx.get(f"{base}/nope").status_code == 404
    finally:
        code = stop_stack(proc)
    assert code == 0
    assert not port_open("127.0.0.1", port)
    assert not port_open("127.0.0.1", emulator_port)
    assert not (tmp_path / "dev.json").exists()

    # A restart keeps what was stored before the stop: the user's rate window is still used up.
    proc = start_stack(tmp_path, port, RATE_LIMIT="2/600")
    try:
        again = {"message": "How do I reset a user's password?", "session_id": "dev-2", "user_info": user_info()}
        assert httpx.post(f"{base}/api/agent/customer/", json=again, timeout=30).status_code == 429
        other = {**again, "user_info": user_info("another-user")}
        assert httpx.post(f"{base}/api/agent/customer/", json=other, timeout=30).status_code == 200
    finally:
        assert stop_stack(proc) == 0
