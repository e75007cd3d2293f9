"""One `httpx.AsyncClient` per process, created inside the event loop that first uses it.

A client built at import time or on another loop breaks (its connection pool belongs to
that loop), and Litestar's test client runs the app on a loop of its own in a thread; so
the client is made on first use, and made again if it is ever asked for from another loop.
"""
from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Callable

import httpx

# Told of every call to Microsoft: (url, seconds, answered). Metrics, never logs: the URL
# may carry a query, so whoever listens keeps no more of it than its kind.
CallObserver = Callable[[str, float, bool], None]


def tls_context(ca_bundle: str | None) -> ssl.SSLContext:
    """The system trust store, or only the given CA bundle (the sandbox's own CA)."""
    if ca_bundle:
        return ssl.create_default_context(cafile=ca_bundle)
    return ssl.create_default_context()


class TimedTransport(httpx.AsyncBaseTransport):
    """Hands every request to `inner` and tells `observe` how long it took (to the answer's
    headers, or to the failure)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, observe: CallObserver) -> None:
        self._inner = inner
        self._observe = observe

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        started = time.perf_counter()
        answered = False
        try:
            response = await self._inner.handle_async_request(request)
            answered = True
            return response
        finally:
            self._observe(str(request.url), time.perf_counter() - started, answered)

    async def aclose(self) -> None:
        await self._inner.aclose()


class LazyAsyncClient:
    """Hands out the process's `httpx.AsyncClient`, built on first use in the running loop."""

    def __init__(
        self,
        *,
        ca_bundle: str | None,
        timeout: httpx.Timeout,
        max_connections: int = 50,
        transport: httpx.AsyncBaseTransport | None = None,
        observe: CallObserver | None = None,
    ) -> None:
        self._ca_bundle = ca_bundle
        self._observe = observe
        self._transport = transport  # tests only: an httpx.MockTransport
        self._timeout = timeout
        # every connection may be kept: with fewer kept than used at once, each call past
        # them paid a new TLS handshake (CPU here and at Microsoft, and a round trip)
        self._limits = httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections
        )
        self._client: httpx.AsyncClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def get(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop or self._client.is_closed:
            verify = tls_context(self._ca_bundle)
            transport = self._transport
            if self._observe is not None:
                inner = transport or httpx.AsyncHTTPTransport(verify=verify, limits=self._limits)
                transport = TimedTransport(inner, self._observe)
            self._client = httpx.AsyncClient(
                verify=verify,
                timeout=self._timeout,
                limits=self._limits,
                follow_redirects=False,
                transport=transport,
            )
            self._loop = loop
        return self._client

    async def aclose(self) -> None:
        client, self._client = self._client, None
        if client is not None and self._loop is asyncio.get_running_loop():
            await client.aclose()
