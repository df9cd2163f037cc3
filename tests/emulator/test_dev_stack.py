"""`make dev` end to end: emulator, demo tenant, one base URL, env pass-through, clean stop, persistence."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from switchboard.devtools.emulator import free_port, port_open
from tests.conftest import REPO, user_info

pytestmark = pytest.mark.emulator


class Running:
    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        self.lines: list[str] = []
        self.up = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)
            if "Switchboard is running" in line:
                self.up.set()

    def wait_line(self, text: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [line for line in self.lines if text in line]
            if found:
                return found[0]
            time.sleep(0.05)
        raise AssertionError(f"no line with {text!r}; output:\n{''.join(self.lines[-40:])}")


def start_stack(state: Path, port: int, **extra: str) -> subprocess.Popen[str]:
    return start_running(state, port, **extra).proc


def start_running(state: Path, port: int, **extra: str) -> Running:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in ("FIRESTORE_EMULATOR_HOST", "GEMINI_API_KEY", "GOOGLE_API_KEY", "LLM_BACKEND")
        and not k.startswith(("TASKS_", "FRESHDESK_", "CHATWOOT_", "SMTP_", "EMAIL_", "TEAMS_", "KOMMO_"))
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
    running = Running(proc)
    if not running.up.wait(90):
        proc.kill()
        raise AssertionError("dev stack did not come up:\n" + "".join(running.lines[-40:]))
    return running


def cli(state: Path, *args: str) -> None:
    """Run ``switchboard <args>`` against the dev stack whose state is in ``state``; it must succeed."""
    done = subprocess.run(
        [sys.executable, "-m", "switchboard.cli", *args],
        cwd=REPO,
        env={**os.environ, "SWITCHBOARD_STATE_DIR": str(state)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def stop_stack(proc: subprocess.Popen[str]) -> int:
    proc.send_signal(signal.SIGTERM)
    return proc.wait(30)


def test_dev_stack_serves_every_function_and_stops_everything(tmp_path: Path) -> None:
    # Rate windows are aligned to the epoch: a year-long one is not crossed while this runs
    # (a 10-minute one was, once, between the stop and the restart).
    port = free_port()
    proc = start_stack(tmp_path, port, RATE_LIMIT="2/31536000")
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
        # the printed admin key serves the administration API and lists the conversation above
        admin = (tmp_path / "dev-admin-key").read_text().strip()
        sessions = httpx.get(f"{base}/api/v1/ai/sessions/", headers={"Authorization": f"Bearer {admin}"}, timeout=30)
        assert sessions.status_code == 200 and sessions.json()["count"] >= 1
    finally:
        code = stop_stack(proc)
    assert code == 0
    assert not port_open("127.0.0.1", port)
    assert not port_open("127.0.0.1", emulator_port)
    assert not (tmp_path / "dev.json").exists()

    # A restart keeps what was stored before the stop: the user's rate window is still used up.
    proc = start_stack(tmp_path, port, RATE_LIMIT="2/31536000")
    try:
        again = {"message": "How do I reset a user's password?", "session_id": "dev-2", "user_info": user_info()}
        assert httpx.post(f"{base}/api/agent/customer/", json=again, timeout=30).status_code == 429
        other = {**again, "user_info": user_info("another-user")}
        assert httpx.post(f"{base}/api/agent/customer/", json=other, timeout=30).status_code == 200
    finally:
        assert stop_stack(proc) == 0


def test_seed_002_flow_end_to_end_on_the_dev_stack(tmp_path: Path) -> None:
    port = free_port()
    running = start_running(tmp_path, port)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=30) as http:
            info = user_info()
            # confident answer -> feedback
            good = http.post(
                "/api/agent/customer/", json={"message": "How do I export leads to CSV?", "user_info": info}
            )
            assert good.json()["requires_escalation"] is False
            rated = http.post(
                "/api/feedback",
                json={
                    "message_id": "m-1",
                    "session_id": good.json()["session_id"],
                    "feedback_type": "helpful",
                    "query": "How do I export leads to CSV?",
                    "response": good.json()["response"],
                    "agent_type": "customer",
                    "user_info": {"agent_id": info["agent_id"], "email": info["email"], "full_name": info["name"]},
                },
            )
            assert rated.json() == {"success": True}
            # low confidence -> failure -> ticket, email, Teams card, Chatwoot conversation
            low = http.post(
                "/api/agent/customer/", json={"message": "Why does error X1234 appear on the map?", "user_info": info}
            ).json()
            assert low["requires_escalation"] is True
            failure = http.post(
                "/api/agent-failure/",
                json={
                    "session_id": low["session_id"],
                    "agent_id": info["agent_id"],
                    "query": "Why does error X1234 appear?",
                    "agent_response": low["response"],
                    "confidence_score": low["classification_confidence"],
                    "escalation_reason": "low_confidence",
                    "user_email": info["email"],
                    "user_name": info["name"],
                    "user_agency": info["agency"],
                    "user_office": info["office"],
                    "agent_type": "customer",
                },
            ).json()
            ticket = http.post(
                f"/api/agent-failure/{failure['failure_id']}/create-ticket",
                json={
                    "conversation_history": [
                        {"role": "user", "content": "Why does error X1234 appear?", "timestamp": ""}
                    ]
                },
            )
            assert ticket.status_code == 200 and ticket.json()["ticket_id"] == "9630"
            assert "emailed a copy to jane.smith@company.com" in ticket.json()["message"]
            running.wait_line("[freshdesk] ticket #9630")
            running.wait_line("[smtp] to Jane Smith <jane.smith@company.com>: Support ticket #9630")
            running.wait_line("[teams] card: 🚨 Escalation: ticket #9630")
            running.wait_line("[chatwoot] conversation 101 opened")
            # another low-confidence answer -> failure -> decline
            other = http.post(
                "/api/agent-failure/",
                json={
                    **{
                        "session_id": "s-2",
                        "agent_id": info["agent_id"],
                        "query": "Completely different: my fax?",
                        "agent_response": "...",
                        "confidence_score": 0.1,
                        "escalation_reason": "no_results",
                        "user_email": info["email"],
                        "user_name": info["name"],
                        "user_agency": "A",
                        "user_office": "O",
                    }
                },
            ).json()
            assert http.post(f"/api/agent-failure/{other['id']}/decline").json() == {"success": True}
    finally:
        assert stop_stack(running.proc) == 0


def test_a_signed_kommo_request_on_the_dev_stack_gets_one_continue_call(tmp_path: Path) -> None:
    port = free_port()
    running = start_running(tmp_path, port)
    try:
        cli(tmp_path, "kommo", "send", "How do I create a property listing?")
        line = running.wait_line("[kommo] continue")
        assert "handoff=False" in line and "bubble(s)" in line
        state = json.loads((tmp_path / "standins" / "kommo.json").read_text())
        (call,) = state["continues"]
        bubbles = [h["params"]["value"] for h in call["body"]["execute_handlers"]]
        assert bubbles and all(len(b) <= 80 for b in bubbles)
        assert " ".join(bubbles) == " ".join(call["body"]["data"]["reply"].split())
    finally:
        assert stop_stack(running.proc) == 0


def test_the_chatwoot_bot_on_the_dev_stack_from_hello_to_a_person(tmp_path: Path) -> None:
    """The issue's walk-through on `make dev`: loopback Chatwoot, SMTP and Teams stand-ins."""
    port = free_port()
    running = start_running(tmp_path, port)
    base = f"http://127.0.0.1:{port}"

    def send(text: str) -> None:
        cli(tmp_path, "chatwoot", "send", "--conversation", "5", text)

    def bot_lines() -> list[str]:
        return [line for line in running.lines if "[chatwoot] bot in conversation 5:" in line]

    def next_reply(text: str, contains: str) -> str:
        before = len(bot_lines())
        send(text)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            new = bot_lines()[before:]
            if new:
                assert contains in new[0], new[0]
                return new[0]
            time.sleep(0.1)
        raise AssertionError(f"no bot reply to {text!r}:\n{''.join(running.lines[-30:])}")

    try:
        next_reply("hello", "please write your email address")
        next_reply("jane@example", "does not look like a valid email address")
        next_reply("jane@example.com", "sent a verification link to jane@example.com")
        link = running.wait_line("/api/chatwoot/verify?token=").split("link: ", 1)[1].strip()
        assert link.startswith(f"{base}/api/chatwoot/verify?token=")
        forged = link[:-4] + ("AAAA" if not link.endswith("AAAA") else "BBBB")
        assert httpx.get(forged, timeout=10).status_code == 400
        page = httpx.get(link, timeout=10)
        assert page.status_code == 200 and "Email verified" in page.text
        running.wait_line("[chatwoot] bot in conversation 5: Your email is verified")
        assert httpx.get(link, timeout=10).status_code == 410  # a link works once
        answer = next_reply("How long do card refunds take?", "")
        assert "refund" in answer.lower()
        next_reply("хүнтэй ярих", "ажилтанд шилжүүллээ")
        running.wait_line("[chatwoot] conversation 5 is now open")
        running.wait_line("[teams] card:")
        # While people own it, the bot is silent
        quiet = len(bot_lines())
        send("hello? anyone there?")
        time.sleep(3)
        assert len(bot_lines()) == quiet
        assert len([line for line in running.lines if "[teams] card:" in line]) == 1
        # A delivery repeated by Chatwoot is answered once
        from switchboard.devtools.standins.chatwoot import bot_event, signature_headers

        secret = (tmp_path / "dev-chatwoot-bot-secret").read_text().strip()
        raw = json.dumps(bot_event("hello", 6, 987654, contact=43)).encode()
        for _ in range(2):
            assert httpx.post(
                f"{base}/api/chatwoot/bot", content=raw, headers=signature_headers(raw, secret)
            ).is_success
        running.wait_line("[chatwoot] bot in conversation 6:")
        time.sleep(3)
        assert len([line for line in running.lines if "[chatwoot] bot in conversation 6:" in line]) == 1
    finally:
        assert stop_stack(running.proc) == 0
