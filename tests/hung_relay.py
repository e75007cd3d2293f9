"""A relay that makes a real server look hung, for tests of timeouts."""
from __future__ import annotations

import socket
import threading


class HangingRelay:
    """A TCP relay to a real server (Redis, PostgreSQL) that can be made to hang: from
    `hang()` on, it keeps every connection open, accepts new ones, and forwards nothing,
    as a server that is stopped (SIGSTOP) or behind a dead network path does."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.hung = threading.Event()
        self.stop = threading.Event()
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(64)
        self.server.settimeout(0.1)
        self.sockets: list[socket.socket] = [self.server]
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.server.getsockname()[1]}"

    def hang(self) -> None:
        self.hung.set()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                client, _ = self.server.accept()
            except OSError:
                continue
            self.sockets.append(client)
            if self.hung.is_set():
                continue  # accepted, never answered
            upstream = socket.create_connection(self.upstream)
            self.sockets.append(upstream)
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                if not self.hung.is_set():
                    target.sendall(data)
        except OSError:
            return

    def close(self) -> None:
        self.stop.set()
        for sock in self.sockets:
            sock.close()
