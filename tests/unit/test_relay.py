"""The relay the fault suite puts in front of Firestore: it relays, cuts and comes back elsewhere."""

from __future__ import annotations

import socket
import threading

from switchboard.devtools.relay import TcpRelay


class _Echo:
    """A TCP server that echoes what it receives, prefixed with its name."""

    def __init__(self, name: bytes) -> None:
        self.name = name
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._echo, args=(conn,), daemon=True).start()

    def _echo(self, conn: socket.socket) -> None:
        try:
            while data := conn.recv(1024):
                conn.sendall(self.name + data)
        except OSError:
            pass


def _ask(sock: socket.socket, text: bytes) -> bytes:
    sock.sendall(text)
    return sock.recv(1024)


def test_cut_closes_open_connections_refuses_new_ones_and_restore_points_at_the_new_server() -> None:
    old, new = _Echo(b"old:"), _Echo(b"new:")
    relay = TcpRelay(old.port)
    try:
        open_one = socket.create_connection(("127.0.0.1", relay.port), timeout=5)
        assert _ask(open_one, b"hi") == b"old:hi"
        # WHEN the relay is cut: the open connection ends and a new one is closed at once
        relay.cut()
        assert open_one.recv(1024) == b""
        during = socket.create_connection(("127.0.0.1", relay.port), timeout=5)
        assert during.recv(1024) == b""
        # WHEN it is restored towards another server: new connections reach that one
        relay.restore(new.port)
        after = socket.create_connection(("127.0.0.1", relay.port), timeout=5)
        assert _ask(after, b"again") == b"new:again"
    finally:
        relay.close()
