"""Loopback stand-ins for Freshdesk, Chatwoot, Teams and an SMTP server, for `make dev` and tests.

They speak the documented protocols, check credentials the way the real
services do, record everything they receive, and can be scripted to fail (status, headers,
delay) so the fault paths are exercised against real sockets. Never deployed.
"""

from __future__ import annotations

import base64
import email
import email.policy
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse


@dataclass
class Fault:
    """A scripted answer that replaces the normal one."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Recorded:
    """One request as received."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any
    at: float


class StandIn:
    """A threaded HTTP server with a request log and a queue of scripted faults.

    Args:
        name: Label (also the file name when persisting).
        state_file: Where to persist state across restarts (optional).
    """

    def __init__(self, name: str, state_file: Path | None = None) -> None:
        self.name = name
        self.requests: list[Recorded] = []
        self.faults: deque[Fault] = deque()
        self._lock = threading.Lock()
        self._state_file = state_file
        self._server: ThreadingHTTPServer | None = None
        self.listener: Callable[[str], None] | None = None
        self.load_state()

    # -- state ------------------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        """What to persist (subclasses extend)."""
        return {}

    def restore(self, state: dict[str, Any]) -> None:
        """Restore persisted state (subclasses extend)."""

    def load_state(self) -> None:
        if self._state_file and self._state_file.exists():
            self.restore(json.loads(self._state_file.read_text()))

    def save_state(self) -> None:
        if self._state_file:
            self._state_file.parent.mkdir(parents=True, exist_ok=True)
            self._state_file.write_text(json.dumps(self.state(), indent=1, default=str))

    # -- serving ----------------------------------------------------------------------------
    def fail_next(self, *faults: Fault) -> None:
        """Answer the next requests with these faults, in order."""
        self.faults.extend(faults)

    def handle(self, req: Recorded) -> tuple[int, Any, dict[str, str]]:
        """Answer one request (subclasses implement)."""
        return 404, {"error": "not found"}, {}

    def notify(self, text: str) -> None:
        """Tell the listener (the dev stack prints it) what just happened."""
        if self.listener:
            self.listener(f"[{self.name}] {text}")

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self, port: int = 0) -> StandIn:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = raw.decode(errors="replace")
                parsed = urlparse(self.path)
                req = Recorded(self.command, parsed.path, parse_qs(parsed.query), dict(self.headers), body, time.time())
                with stand_in._lock:
                    stand_in.requests.append(req)
                    fault = stand_in.faults.popleft() if stand_in.faults else None
                    if fault is None:
                        status, payload, headers = stand_in.handle(req)
                        stand_in.save_state()
                if fault is not None:
                    time.sleep(fault.delay)
                    status, payload, headers = fault.status, fault.body, fault.headers
                data = b"" if payload is None else json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name=self.name, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


class FreshdeskStandIn(StandIn):
    """``POST /api/v2/tickets`` (201), ``GET /api/v2/tickets`` (list by requester), ``GET /api/v2/agents/me``."""

    def __init__(self, api_key: str = "dev-freshdesk-key", state_file: Path | None = None) -> None:
        self.api_key = api_key
        self.tickets: list[dict[str, Any]] = []
        self.next_id = 9630
        super().__init__("freshdesk", state_file)

    def state(self) -> dict[str, Any]:
        return {"tickets": self.tickets, "next_id": self.next_id}

    def restore(self, state: dict[str, Any]) -> None:
        self.tickets = list(state.get("tickets", []))
        self.next_id = int(state.get("next_id", 9630))

    def _authorized(self, req: Recorded) -> bool:
        expected = "Basic " + base64.b64encode(f"{self.api_key}:X".encode()).decode()
        return req.headers.get("Authorization") == expected

    def handle(self, req: Recorded) -> tuple[int, Any, dict[str, str]]:
        if not self._authorized(req):
            return (
                401,
                {"code": "invalid_credentials", "message": "You have to be logged in to perform this action."},
                {},
            )
        if req.method == "POST" and req.path == "/api/v2/tickets":
            body = req.body if isinstance(req.body, dict) else {}
            missing = [f for f in ("subject", "description", "email") if not body.get(f)]
            if missing:
                errors = [{"field": f, "message": "It should not be blank", "code": "missing_field"} for f in missing]
                return 400, {"description": "Validation failed", "errors": errors}, {}
            ticket = {**body, "id": self.next_id, "created_at": time.time()}
            self.next_id += 1
            self.tickets.append(ticket)
            self.notify(f"ticket #{ticket['id']} for {body.get('email')}: {body.get('subject')}")
            return 201, ticket, {"Location": f"/api/v2/tickets/{ticket['id']}"}
        if req.method == "GET" and req.path == "/api/v2/tickets":
            email_q = (req.query.get("email") or [""])[0]
            return 200, [t for t in self.tickets if t.get("email") == email_q], {}
        if req.method == "GET" and req.path == "/api/v2/agents/me":
            return 200, {"id": 1, "contact": {"email": "agent@example.com"}}, {}
        return 404, {"code": "not_found"}, {}


class TeamsStandIn(StandIn):
    """A Workflows trigger: any POST with a message + Adaptive Card attachment → 202."""

    def __init__(self, state_file: Path | None = None) -> None:
        self.cards: list[dict[str, Any]] = []
        super().__init__("teams", state_file)

    def state(self) -> dict[str, Any]:
        return {"cards": self.cards}

    def restore(self, state: dict[str, Any]) -> None:
        self.cards = list(state.get("cards", []))

    def handle(self, req: Recorded) -> tuple[int, Any, dict[str, str]]:
        body = req.body if isinstance(req.body, dict) else {}
        attachments = body.get("attachments") or []
        if req.method != "POST" or body.get("type") != "message" or not attachments:
            return 400, {"error": {"code": "InvalidRequestContent"}}, {}
        if attachments[0].get("contentType") != "application/vnd.microsoft.card.adaptive":
            return 400, {"error": {"code": "InvalidRequestContent"}}, {}
        self.cards.append(body)
        title = (attachments[0].get("content") or {}).get("body", [{}])[0].get("text", "")
        self.notify(f"card: {title}")
        return 202, None, {}


class ChatwootStandIn(StandIn):
    """The slice of the Chatwoot Application API the desk uses, with ``api_access_token`` auth."""

    def __init__(
        self, token: str = "dev-chatwoot-token", account_id: int = 1, inbox_id: int = 1, state_file: Path | None = None
    ) -> None:
        self.token, self.account_id, self.inbox_id = token, account_id, inbox_id
        self.contacts: list[dict[str, Any]] = []
        self.conversations: list[dict[str, Any]] = []
        self.messages: list[dict[str, Any]] = []
        super().__init__("chatwoot", state_file)

    def state(self) -> dict[str, Any]:
        return {"contacts": self.contacts, "conversations": self.conversations, "messages": self.messages}

    def restore(self, state: dict[str, Any]) -> None:
        self.contacts = list(state.get("contacts", []))
        self.conversations = list(state.get("conversations", []))
        self.messages = list(state.get("messages", []))

    def handle(self, req: Recorded) -> tuple[int, Any, dict[str, str]]:
        if req.headers.get("api_access_token") != self.token:
            return 401, {"errors": ["You need to sign in or sign up before continuing."]}, {}
        prefix = f"/api/v1/accounts/{self.account_id}"
        if req.path == "/api/v1/profile":
            return 200, {"id": 1, "name": "Admin"}, {}
        if not req.path.startswith(prefix):
            return 404, {"error": "not found"}, {}
        path, body = req.path[len(prefix) :], req.body if isinstance(req.body, dict) else {}
        parts = path.strip("/").split("/")
        if path == "/contacts/search" and req.method == "GET":
            q = (req.query.get("q") or [""])[0]
            found = [c for c in self.contacts if q and q in (c.get("identifier"), c.get("email"), c.get("name"))]
            return 200, {"payload": found, "meta": {"count": len(found)}}, {}
        if path == "/contacts" and req.method == "POST":
            contact = {**{k: v for k, v in body.items() if k != "inbox_id"}, "id": len(self.contacts) + 1}
            contact["source_id"] = f"src-{contact['id']}"
            self.contacts.append(contact)
            inbox = {"source_id": contact["source_id"], "inbox": {"id": body.get("inbox_id")}}
            return 200, {"payload": {"contact": contact, "contact_inbox": inbox}}, {}
        if parts[0] == "contacts" and len(parts) >= 2 and parts[1].isdigit():
            found_contact: dict[str, Any] | None = next((c for c in self.contacts if c["id"] == int(parts[1])), None)
            if found_contact is None:
                return 404, {"error": "not found"}, {}
            contact = found_contact
            if len(parts) == 2 and req.method == "PUT":
                contact.update(body)
                return 200, {"payload": contact}, {}
            if parts[2:] == ["contactable_inboxes"]:
                return 200, {"payload": [{"source_id": contact["source_id"], "inbox": {"id": self.inbox_id}}]}, {}
            if parts[2:] == ["contact_inboxes"] and req.method == "POST":
                return 200, {"source_id": contact["source_id"], "inbox": {"id": body.get("inbox_id")}}, {}
        if path == "/conversations" and req.method == "POST":
            if not body.get("source_id") or body.get("inbox_id") != self.inbox_id:
                return 422, {"message": "source_id and a valid inbox_id are required"}, {}
            conversation = {**body, "id": 100 + len(self.conversations) + 1, "status": body.get("status", "open")}
            self.conversations.append(conversation)
            self.notify(f"conversation {conversation['id']} opened for contact {body.get('contact_id')}")
            if (body.get("message") or {}).get("content"):
                self.messages.append(
                    {
                        "conversation_id": conversation["id"],
                        "content": body["message"]["content"],
                        "message_type": "incoming",
                        "private": False,
                    }
                )
            return 200, {"id": conversation["id"], "account_id": self.account_id, "inbox_id": self.inbox_id}, {}
        if parts[0] == "conversations" and len(parts) == 3 and parts[1].isdigit():
            found_conv: dict[str, Any] | None = next((c for c in self.conversations if c["id"] == int(parts[1])), None)
            if found_conv is None:
                return 404, {"error": "not found"}, {}
            conversation = found_conv
            if parts[2] == "messages" and req.method == "POST":
                message = {**body, "conversation_id": conversation["id"], "id": len(self.messages) + 1}
                self.messages.append(message)
                return 200, message, {}
            if parts[2] == "toggle_status" and req.method == "POST":
                conversation["status"] = body.get("status", "open")
                payload = {
                    "success": True,
                    "current_status": conversation["status"],
                    "conversation_id": conversation["id"],
                }
                return 200, {"meta": {}, "payload": payload}, {}
        return 404, {"error": "not found"}, {}


class SmtpSink:
    """A real SMTP server (aiosmtpd) that keeps every message it receives.

    Args:
        port: Port to bind (must be a concrete free port: aiosmtpd's self-test cannot use 0).
    """

    def __init__(self, port: int) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.listener: Callable[[str], None] | None = None
        sink = self

        class Collect:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
                sink.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
                message = email.message_from_bytes(envelope.content, policy=email.policy.default)
                sink.messages.append(message)
                if sink.listener:
                    sink.listener(f"[smtp] to {message['To']}: {message['Subject']}")
                return "250 OK"

        self.port = port
        self._controller = Controller(Collect(), hostname="127.0.0.1", port=port)

    def start(self) -> SmtpSink:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()


class KommoStandIn(StandIn):
    """Kommo's Salesbot continue endpoint: ``POST /api/v4/{salesbot|marketingbot}/{bot}/continue/{id}``.

    Answers 202 to an administrator's Bearer token, 401 without it, 404 to a continue id that
    was already used (the waiting step is gone), 400 ``TooLong`` to a show value over 80
    characters or more than 10 handlers, as the real API does.
    """

    def __init__(self, token: str = "dev-kommo-token", state_file: Path | None = None) -> None:
        self.token = token
        self.continues: list[dict[str, Any]] = []
        super().__init__("kommo", state_file)

    def state(self) -> dict[str, Any]:
        return {"continues": self.continues}

    def restore(self, state: dict[str, Any]) -> None:
        self.continues = list(state.get("continues", []))

    def handle(self, req: Recorded) -> tuple[int, Any, dict[str, str]]:
        parts = req.path.strip("/").split("/")
        if req.method != "POST" or len(parts) != 6 or parts[:2] != ["api", "v4"] or parts[4] != "continue":
            return 404, {"title": "Not found"}, {}
        if req.headers.get("Authorization") != f"Bearer {self.token}":
            return 401, {"title": "Unauthorized", "status": 401}, {}
        if any(c["path"] == req.path for c in self.continues):
            return 404, {"title": "Not found", "detail": "widget record not found"}, {}
        body = req.body if isinstance(req.body, dict) else {}
        handlers = body.get("execute_handlers") or []
        too_long = len(handlers) > 10 or any(
            len(str((h.get("params") or {}).get("value", ""))) > 80 for h in handlers if h.get("handler") == "show"
        )
        if too_long:
            return 400, {"title": "Bad Request", "detail": "TooLong"}, {}
        self.continues.append({"path": req.path, "body": body})
        self.notify(
            f"continue {parts[5]}: {len(handlers)} bubble(s), handoff={(body.get('data') or {}).get('handoff')}"
        )
        return 202, None, {}
