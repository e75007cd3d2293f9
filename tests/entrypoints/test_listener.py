"""The socket `serve` binds: accepted connections send at once (TCP_NODELAY), with
asyncio's own loop as well as uvloop, whatever the number of workers."""
from __future__ import annotations

import asyncio
import os
import socket

import pytest
import uvloop

from entrypoints.listener import bind_listener


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
