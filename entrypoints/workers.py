"""`serve --workers N` (N > 1): uvicorn's supervisor (worker start-up checks, restart of a
worker that dies, SIGHUP/SIGTTIN/SIGTTOU, graceful shutdown), with one change: each worker
listens on a socket of its own rather than on the one the parent bound.

On a single shared listening socket every idle worker is woken by a new connection and
the first to run accepts all that are queued: when a client opens many connections at
once (wrk's 32, a proxy's pool after a restart) one worker took them all in 3 of 8 runs
measured, and the second worker served nothing (docs/performance.md). With `SO_REUSEPORT`
on a socket per worker the kernel spreads new connections over the listening sockets by a
hash of their addresses.

The parent keeps its own socket (`entrypoints.listener.reserve_shared_port`), bound and
never listening: it holds the address and gives each worker the port to bind. Sockets keep
`TCP_NODELAY` (`bind_listener`).
"""
from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

from uvicorn import Config
from uvicorn.supervisors import Multiprocess, multiprocess

from entrypoints.listener import bind_listener


class OwnSocketProcess(multiprocess.Process):
    """A uvicorn worker process that binds a socket of its own (`SO_REUSEPORT`) on the
    address of the parent's socket and serves on that one."""

    def target(self, sockets: list[socket.socket] | None = None) -> None:
        if not sockets:
            raise RuntimeError("a worker needs the parent's socket to learn the address")
        host, port = sockets[0].getsockname()[:2]
        own = bind_listener(host, port, reuse_port=True)
        for inherited in sockets:
            inherited.close()  # this worker's copy of the parent's socket: never listened on
        super().target([own])


@contextmanager
def _own_socket_workers() -> Iterator[None]:
    # uvicorn's supervisor builds its workers from the module's `Process` class, and
    # offers no other way to choose it.
    original = multiprocess.Process
    multiprocess.Process = OwnSocketProcess  # type: ignore[misc]
    try:
        yield
    finally:
        multiprocess.Process = original  # type: ignore[misc]


def run_workers(config: Config, reserved: socket.socket) -> None:
    """Run `config.workers` workers, each on its own socket at `reserved`'s address, under
    uvicorn's supervisor, until SIGINT/SIGTERM."""
    with _own_socket_workers():
        Multiprocess(config, sockets=[reserved]).run()
