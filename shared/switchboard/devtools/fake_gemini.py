"""A loopback stand-in for the Gemini API that the real google-genai SDK talks to.

It records every request and answers from a queue of scripted replies (status, body, delay);
when the queue is empty it answers with ``default``. Paths follow the Gemini API:
``/{version}/models/{model}:generateContent``, ``:batchEmbedContents`` and
``GET /{version}/models/{model}``.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    delay: float = 0.0
    raw: bytes | None = None


def answer_body(payload: dict[str, Any] | str, prompt_tokens: int = 120, output_tokens: int = 40) -> dict[str, Any]:
    """A generateContent response whose text is ``payload`` (JSON-encoded when a dict)."""
    text = payload if isinstance(payload, str) else json.dumps(payload)
    return {
        "candidates": [{"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": "STOP", "index": 0}],
        "usageMetadata": {
            "promptTokenCount": prompt_tokens,
            "candidatesTokenCount": output_tokens,
            "totalTokenCount": prompt_tokens + output_tokens,
        },
        "modelVersion": "fake",
        "responseId": "fake-1",
    }


def error_body(code: int, status: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": f"fake {status}", "status": status}}


@dataclass
class FakeGemini:
    """The server state: scripted replies and recorded requests."""

    replies: deque[Reply] = field(default_factory=deque)
    requests: list[dict[str, Any]] = field(default_factory=list)
    default: Reply = field(default_factory=Reply)
    embedding_dim: int = 8
    get_reply: Reply | None = None
    #: Answers generateContent when no scripted reply is left (given the request body), instead of ``default``.
    responder: Callable[[dict[str, Any]], Reply] | None = None
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def script(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    def generate_requests(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["path"].endswith(":generateContent")]

    def _next(self) -> Reply:
        try:
            return self.replies.popleft()
        except IndexError:
            return self.default

    def embed(self, text: str) -> list[float]:
        """A deterministic bag-of-letters embedding: similar texts get similar vectors."""
        vec = [0.0] * self.embedding_dim
        for ch in text.lower():
            if ch.isalpha():
                vec[ord(ch) % self.embedding_dim] += 1.0
        return vec

    def start(self) -> FakeGemini:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, reply: Reply) -> None:
                if reply.delay:
                    time.sleep(reply.delay)
                data = reply.raw if reply.raw is not None else json.dumps(reply.body).encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def do_GET(self) -> None:
                fake.requests.append({"method": "GET", "path": self.path, "headers": dict(self.headers), "body": None})
                self._send(fake.get_reply or Reply(200, {"name": self.path.split("/")[-1]}))

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                fake.requests.append({"method": "POST", "path": self.path, "headers": dict(self.headers), "body": body})
                if self.path.endswith(":batchEmbedContents"):
                    vectors = [{"values": fake.embed(r["content"]["parts"][0]["text"])} for r in body["requests"]]
                    self._send(Reply(200, {"embeddings": vectors}))
                    return
                if not fake.replies and fake.responder is not None:
                    self._send(fake.responder(body))
                    return
                self._send(fake._next())

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()
