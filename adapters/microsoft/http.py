"""One `httpx.AsyncClient` per process, created inside the event loop that first uses it.

A client built at import time or on another loop breaks (its connection pool belongs to
that loop), and Litestar's test client runs the app on a loop of its own in a thread; so
the client is made on first use, and made again if it is ever asked for from another loop.
"""
from __future__ import annotations

import asyncio
import ssl

import httpx


def tls_context(ca_bundle: str | None) -> ssl.SSLContext:
    """The system trust store, or only the given CA bundle (the sandbox's own CA)."""
    if ca_bundle:
        return ssl.create_default_context(cafile=ca_bundle)
    return ssl.create_default_context()


class LazyAsyncClient:
    """Hands out the process's `httpx.AsyncClient`, built on first use in the running loop."""

    def __init__(
        self,
        *,
        ca_bundle: str | None,
        timeout: httpx.Timeout,
        max_connections: int = 50,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._ca_bundle = ca_bundle
        self._transport = transport  # tests only: an httpx.MockTransport
        self._timeout = timeout
        self._limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=10)
        self._client: httpx.AsyncClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def get(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop or self._client.is_closed:
            self._client = httpx.AsyncClient(
                verify=tls_context(self._ca_bundle),
                timeout=self._timeout,
                limits=self._limits,
                follow_redirects=False,
                transport=self._transport,
            )
            self._loop = loop
        return self._client

    async def aclose(self) -> None:
        client, self._client = self._client, None
        if client is not None and self._loop is asyncio.get_running_loop():
            await client.aclose()
