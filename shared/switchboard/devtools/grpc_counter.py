"""A loopback TCP proxy in front of the Firestore emulator that counts gRPC calls.

Every RPC is one HTTP/2 stream opened by the client with a HEADERS frame on a new odd stream
id, so counting those counts real round trips without touching the code under test. Streams
the server refused before processing them (RST_STREAM REFUSED_STREAM, or above a GOAWAY's last
stream id) are not counted: gRPC retries those by itself, below any code of ours.
"""

from __future__ import annotations

from collections.abc import Callable

from switchboard.devtools.relay import TcpRelay

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


class GrpcCallCounter(TcpRelay):
    def __init__(self, upstream_port: int) -> None:
        self.calls: list[tuple[int, int]] = []  # (connection, stream id) per new stream
        self._refused: set[tuple[int, int]] = set()
        self._goaway: dict[int, int] = {}  # connection -> last stream id the server will process
        self._connections = 0
        self._http2: set[int] = set()
        super().__init__(upstream_port)

    def _accepted(self) -> int:
        return sum(
            1 for call in self.calls if call not in self._refused and call[1] <= self._goaway.get(call[0], 0x7FFFFFFF)
        )

    @property
    def count(self) -> int:
        """Calls the server accepted since the last reset."""
        with self._lock:
            return self._accepted()

    @property
    def refused(self) -> int:
        """Streams the server refused (gRPC retried them by itself) since the last reset."""
        with self._lock:
            return len(self.calls) - self._accepted()

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self._refused.clear()

    def inspectors(self) -> tuple[Callable[[bytes], None], Callable[[bytes], None]]:
        with self._lock:
            self._connections += 1
            connection = self._connections
        return self._client_frames(connection), self._server_frames(connection)

    @staticmethod
    def _frames(buffer: bytes) -> tuple[list[tuple[int, int, bytes]], bytes]:
        """Complete HTTP/2 frames (type, stream id, payload) at the start of ``buffer``, and the rest."""
        frames = []
        while len(buffer) >= 9:
            length = int.from_bytes(buffer[0:3], "big")
            if len(buffer) < 9 + length:
                break
            stream_id = int.from_bytes(buffer[5:9], "big") & 0x7FFFFFFF
            frames.append((buffer[3], stream_id, buffer[9 : 9 + length]))
            buffer = buffer[9 + length :]
        return frames, buffer

    def _client_frames(self, connection: int) -> Callable[[bytes], None]:
        """Record each new client stream (a HEADERS frame on a new odd id); non-HTTP/2 is ignored."""
        buffer, mode = b"", "preface"
        seen: set[int] = set()

        def inspect(data: bytes) -> None:
            nonlocal buffer, mode
            if mode == "plain":
                return
            buffer += data
            if mode == "preface":
                if len(buffer) < len(PREFACE) and PREFACE.startswith(buffer):
                    return
                if not buffer.startswith(PREFACE):  # not HTTP/2 (e.g. REST): nothing to count
                    buffer, mode = b"", "plain"
                    return
                buffer, mode = buffer[len(PREFACE) :], "http2"
                with self._lock:
                    self._http2.add(connection)
            frames, buffer = self._frames(buffer)
            for frame_type, stream_id, _ in frames:
                if frame_type == 0x1 and stream_id % 2 == 1 and stream_id not in seen:
                    seen.add(stream_id)
                    with self._lock:
                        self.calls.append((connection, stream_id))

        return inspect

    def _server_frames(self, connection: int) -> Callable[[bytes], None]:
        """Record the streams the server refused (RST_STREAM REFUSED_STREAM, GOAWAY)."""
        buffer = b""

        def inspect(data: bytes) -> None:
            nonlocal buffer
            if connection not in self._http2:  # a REST exchange
                return
            frames, buffer = self._frames(buffer + data)
            for frame_type, stream_id, payload in frames:
                with self._lock:
                    if frame_type == 0x3 and int.from_bytes(payload[:4], "big") == 0x7:
                        self._refused.add((connection, stream_id))
                    elif frame_type == 0x7:
                        self._goaway[connection] = int.from_bytes(payload[:4], "big") & 0x7FFFFFFF

        return inspect
