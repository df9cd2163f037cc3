"""A loopback TCP relay in front of a local server, for tests and benchmarks.

Subclasses watch the bytes in each direction (:mod:`grpc_counter` counts gRPC calls); the fault
suite cuts the relay, which closes every open connection and turns new ones away, while the
server behind it is stopped and started again, then points it at the new server.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable

Inspect = Callable[[bytes], None]


def _ignore(data: bytes) -> None:
    """Watch nothing."""


class TcpRelay:
    """Relays every connection on ``127.0.0.1:<port>`` to ``127.0.0.1:<upstream_port>``.

    Args:
        upstream_port: The server's port.
    """

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._up = True
        self._closed = False
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(128)
        self.port = self._sock.getsockname()[1]
        threading.Thread(target=self._accept, name="tcp-relay", daemon=True).start()

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def inspectors(self) -> tuple[Inspect, Inspect]:
        """Called once per connection: what sees the client's bytes, and what sees the server's."""
        return _ignore, _ignore

    def cut(self) -> None:
        """The server becomes unreachable: open connections are closed, new ones closed at once."""
        with self._lock:
            self._up = False
            victims, self._open = list(self._open), set()
        for sock in victims:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def restore(self, upstream_port: int | None = None) -> None:
        """Reachable again, at ``upstream_port`` when the server came back on another port."""
        with self._lock:
            if upstream_port is not None:
                self.upstream_port = upstream_port
            self._up = True

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._sock.accept()
            except OSError:
                return
            with self._lock:
                up, port = self._up, self.upstream_port
            try:
                if not up:
                    raise ConnectionRefusedError
                upstream = socket.create_connection(("127.0.0.1", port), timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            for s in (client, upstream):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self._open.update((client, upstream))
            from_client, from_server = self.inspectors()
            threading.Thread(target=self._pipe, args=(client, upstream, from_client), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, from_server), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket, inspect: Inspect) -> None:
        """Forward ``src`` to ``dst``, inspecting each chunk *before* forwarding it, so what the
        server answers has been seen in full first."""
        try:
            while data := src.recv(65536):
                inspect(data)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
            with self._lock:
                self._open.discard(src)
                self._open.discard(dst)
            src.close()

    def close(self) -> None:
        self._closed = True
        self.cut()
        self._sock.close()
