"""The socket `serve` binds: accepted connections send at once (TCP_NODELAY), with
asyncio's own loop as well as uvloop, whatever the number of workers."""
from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import time

import pytest
import uvloop

from entrypoints.listener import bind_listener, reserve_shared_port


def _nodelay(sock: socket.socket) -> int:
    return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


def test_the_listener_is_tcp_with_nodelay_and_inheritable():
    sock = bind_listener("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP  # what asyncio's _set_nodelay looks for
        assert _nodelay(sock) and sock.get_inheritable()
    finally:
        sock.close()


@pytest.mark.parametrize("loop_factory", [asyncio.new_event_loop, uvloop.new_event_loop],
                         ids=["asyncio", "uvloop"])
def test_connections_accepted_by_an_event_loop_have_nodelay(loop_factory):
    listener = bind_listener("127.0.0.1", 0)
    seen: list[int] = []

    class Probe(asyncio.Protocol):
        def connection_made(self, transport):
            seen.append(_nodelay(transport.get_extra_info("socket")))
            transport.close()

    async def main() -> None:
        server = await asyncio.get_running_loop().create_server(Probe, sock=listener)
        _, writer = await asyncio.open_connection(*listener.getsockname()[:2])
        for _ in range(100):
            if seen:
                break
            await asyncio.sleep(0.01)
        writer.close()
        server.close()
        await server.wait_closed()

    loop = loop_factory()
    try:
        loop.run_until_complete(main())
    finally:
        loop.close()
    assert seen == [1]


def test_the_option_reaches_connections_accepted_by_a_worker_process_socket():
    # A worker gets the listener through multiprocessing (a duplicated descriptor rebuilt
    # with the same family, type and proto); a plain accept() on such a copy still has it.
    listener = bind_listener("127.0.0.1", 0)
    listener.listen()
    copy = socket.socket(listener.family, listener.type, listener.proto, fileno=os.dup(listener.fileno()))
    client = socket.create_connection(listener.getsockname()[:2])
    accepted, _ = copy.accept()
    try:
        assert accepted.proto == socket.IPPROTO_TCP and _nodelay(accepted)
    finally:
        for s in (accepted, client, copy, listener):
            s.close()


def test_an_address_in_use_is_an_os_error():
    first = bind_listener("127.0.0.1", 0)
    first.listen()
    try:
        with pytest.raises(OSError):
            bind_listener("127.0.0.1", first.getsockname()[1])
    finally:
        first.close()


def test_a_reserved_port_is_refused_when_the_address_is_in_use():
    first = bind_listener("127.0.0.1", 0)
    first.listen()
    try:
        with pytest.raises(OSError):
            reserve_shared_port("127.0.0.1", first.getsockname()[1])
    finally:
        first.close()
    # another `serve --workers N`: its parent's socket and a worker's, listening
    other = reserve_shared_port("127.0.0.1", 0)
    worker = bind_listener(*other.getsockname()[:2], reuse_port=True)
    worker.listen()
    try:
        with pytest.raises(OSError):
            reserve_shared_port("127.0.0.1", other.getsockname()[1])
    finally:
        worker.close()
        other.close()


def test_workers_sockets_share_the_reserved_port_and_the_kernel_spreads_connections():
    """What `serve --workers N` relies on: each worker binds the reserved port with
    SO_REUSEPORT and listens; the parent's socket never listens and gets nothing; a burst
    of connections reaches both workers' sockets, each with TCP_NODELAY."""
    reserved = reserve_shared_port("127.0.0.1", 0)
    address = reserved.getsockname()[:2]
    workers = [bind_listener(*address, reuse_port=True) for _ in range(2)]
    for sock in workers:
        sock.listen(128)
        sock.setblocking(False)
    clients = [socket.create_connection(address) for _ in range(64)]
    accepted: list[list[socket.socket]] = [[], []]
    try:
        for _ in range(200):
            for i, sock in enumerate(workers):
                with contextlib.suppress(BlockingIOError):
                    accepted[i].append(sock.accept()[0])
            if sum(map(len, accepted)) == len(clients):
                break
            time.sleep(0.01)
        assert sum(map(len, accepted)) == len(clients)
        assert all(accepted), [len(a) for a in accepted]  # 2**-63 odds of a false failure
        assert all(_nodelay(conn) for conns in accepted for conn in conns)
    finally:
        for s in [*clients, *(c for conns in accepted for c in conns), *workers, reserved]:
            s.close()
