"""What every HTTP stand-in shares: a threaded loopback server, a request log, scripted faults.

A ``StandIn`` records each request as a ``Recorded``, answers it with ``handle`` (each service's
module implements it) unless a ``Fault`` is queued (status, body, headers, delay), and persists
its state to a file so a restarted dev stack remembers what it received.
"""

from __future__ import annotations

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
        self._port = 0
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
        """``http://127.0.0.1:<port>`` (kept while stopped: :meth:`start` again serves there)."""
        assert self._port, "not started"
        return f"http://127.0.0.1:{self._port}"

    def start(self, port: int | None = None) -> StandIn:
        """Serve on ``port``; by default a free port the first time and the same one after :meth:`stop`."""
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

        self._server = ThreadingHTTPServer(("127.0.0.1", self._port if port is None else port), Handler)
        self._server.daemon_threads = True
        self._port = self._server.server_address[1]
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name=self.name, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
