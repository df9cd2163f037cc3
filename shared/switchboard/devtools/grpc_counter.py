"""A loopback TCP proxy in front of the Firestore emulator that counts gRPC calls.

Every RPC is one HTTP/2 stream opened by the client with a HEADERS frame on a new odd stream
id, so counting those counts real round trips without touching the code under test.
"""

from __future__ import annotations

import contextlib
import socket
import threading

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


class GrpcCallCounter:
    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.calls: list[int] = []  # one entry per new stream, per connection
        self._lock = threading.Lock()
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self.port = self._sock.getsockname()[1]
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def count(self) -> int:
        with self._lock:
            return len(self.calls)

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._sock.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            for s in (client, upstream):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=self._client_to_server, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def _client_to_server(self, src: socket.socket, dst: socket.socket) -> None:
        buffer = b""
        preface_done = False
        seen: set[int] = set()
        try:
            while data := src.recv(65536):
                dst.sendall(data)
                buffer += data
                if not preface_done:
                    if len(buffer) < len(PREFACE):
                        continue
                    if not buffer.startswith(PREFACE):  # not HTTP/2 (e.g. REST): stop parsing
                        self._pipe(src, dst)
                        return
                    buffer = buffer[len(PREFACE) :]
                    preface_done = True
                while len(buffer) >= 9:
                    length = int.from_bytes(buffer[0:3], "big")
                    if len(buffer) < 9 + length:
                        break
                    frame_type = buffer[3]
                    stream_id = int.from_bytes(buffer[5:9], "big") & 0x7FFFFFFF
                    if frame_type == 0x1 and stream_id % 2 == 1 and stream_id not in seen:
                        seen.add(stream_id)
                        with self._lock:
                            self.calls.append(stream_id)
                    buffer = buffer[9 + length :]
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self._closed = True
        self._sock.close()
