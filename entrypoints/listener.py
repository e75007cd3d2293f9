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
"""
from __future__ import annotations

import socket


def bind_listener(host: str, port: int) -> socket.socket:
    """A TCP socket bound to (host, port), inheritable by worker processes, with `proto`
    set to `IPPROTO_TCP` and `TCP_NODELAY` on. Raises `OSError` when the address is taken
    or not local. uvicorn calls `listen()` on it in each worker."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock
