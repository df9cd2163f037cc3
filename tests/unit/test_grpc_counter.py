"""The wire counter behind the round-trip budget: ordering, refusals, pass-through."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

from switchboard.devtools.grpc_counter import PREFACE, GrpcCallCounter


def _frame(frame_type: int, stream_id: int, payload: bytes = b"") -> bytes:
    return len(payload).to_bytes(3, "big") + bytes([frame_type, 0]) + stream_id.to_bytes(4, "big") + payload


class _Upstream:
    """A TCP server that notes the counter's count when bytes arrive, then sends ``reply``."""

    def __init__(self, reply: bytes = b"") -> None:
        self.reply = reply
        self.received = b""
        self.count_on_arrival: list[int] = []
        self.counter: GrpcCallCounter | None = None
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        conn, _ = self.sock.accept()
        while data := conn.recv(65536):
            self.received += data
            assert self.counter is not None
            self.count_on_arrival.append(self.counter.count)
            if self.reply:
                conn.sendall(self.reply)
                self.reply = b""


def _connect(counter: GrpcCallCounter) -> socket.socket:
    return socket.create_connection(("127.0.0.1", counter.port))


def _wait(predicate: Any) -> None:
    deadline = time.monotonic() + 5
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.01)


def test_a_call_is_counted_before_the_server_sees_it() -> None:
    upstream = _Upstream()
    counter = upstream.counter = GrpcCallCounter(upstream.port)
    client = _connect(counter)
    client.sendall(PREFACE + _frame(0x4, 0) + _frame(0x1, 1) + _frame(0x0, 1, b"body"))
    _wait(lambda: upstream.received.endswith(b"body"))
    assert upstream.count_on_arrival and upstream.count_on_arrival[-1] == 1
    client.sendall(_frame(0x1, 3))
    _wait(lambda: len(upstream.count_on_arrival) >= 2)
    assert upstream.count_on_arrival[-1] == 2 and counter.count == 2
    client.close()
    counter.close()


def test_a_stream_the_server_refused_is_not_a_round_trip() -> None:
    refused = _frame(0x3, 1, (7).to_bytes(4, "big"))  # RST_STREAM REFUSED_STREAM on stream 1
    upstream = _Upstream(reply=_frame(0x4, 0) + refused)
    counter = upstream.counter = GrpcCallCounter(upstream.port)
    client = _connect(counter)
    client.sendall(PREFACE + _frame(0x1, 1))
    received = b""
    while len(received) < 9 + 9 + 4:
        received += client.recv(65536)
    assert received == _frame(0x4, 0) + refused  # passed through unchanged
    assert (counter.count, counter.refused) == (0, 1)
    client.close()
    counter.close()


def test_plain_http_passes_through_uncounted() -> None:
    upstream = _Upstream(reply=b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    counter = upstream.counter = GrpcCallCounter(upstream.port)
    client = _connect(counter)
    client.sendall(b"GET /x HTTP/1.1\r\nHost: a\r\n\r\n")
    assert client.recv(65536).startswith(b"HTTP/1.1 200 OK")
    assert upstream.received == b"GET /x HTTP/1.1\r\nHost: a\r\n\r\n" and counter.count == 0
    client.close()
    counter.close()
