"""The listening socket of `azure-signin serve`, bound by us rather than by uvicorn.

With several workers uvicorn binds the socket itself (`Config.bind_socket`) as
`socket.socket(family)`: its `proto` is 0, every accepted connection inherits that, and
asyncio only sets `TCP_NODELAY` on a connection whose `proto` is `IPPROTO_TCP`
(`asyncio.base_events._set_nodelay`). Nagle's algorithm then holds each small response
until the client's delayed ACK: about 40 ms per keep-alive request (uvicorn issue #3149).
uvicorn's `fd=` path is no way out: it rebuilds the socket as `AF_UNIX`.

So the socket is created here from `getaddrinfo` (which fills in `IPPROTO_TCP`) with
`TCP_NODELAY` set on the listener too, which Linux copies to accepted connections: both
asyncio and uvloop (which sets it on every TCP transport) then send at once.

With several workers each worker listens on a socket of its own (`SO_REUSEPORT`, see
`entrypoints/workers.py`): on one shared socket, whichever worker woke first accepted
every connection a burst opened (all 32 of wrk's in 3 of 8 runs measured), leaving the
other idle.
"""
from __future__ import annotations

import socket


def bind_listener(host: str, port: int, *, reuse_port: bool = False) -> socket.socket:
    """A TCP socket bound to (host, port), inheritable by worker processes, with `proto`
    set to `IPPROTO_TCP` and `TCP_NODELAY` on. Raises `OSError` when the address is taken
    or not local. uvicorn calls `listen()` on it.

    `reuse_port`: `SO_REUSEPORT` on, so that other sockets of this user with the option
    may bind the same address; the kernel then spreads new connections over the ones
    that listen."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def reserve_shared_port(host: str, port: int) -> socket.socket:
    """The parent's socket for workers that listen on sockets of their own: bound with
    `SO_REUSEPORT` and never listening (so it is given no connection), it holds the
    address and tells the workers the port (0 picks a free one).

    The address is first bound without the option, so that it is refused, as with one
    worker, when anything (another `serve` included) already holds it."""
    probe = bind_listener(host, port)
    try:
        return bind_listener(host, probe.getsockname()[1], reuse_port=True)
    finally:
        probe.close()
