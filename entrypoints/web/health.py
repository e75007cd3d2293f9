"""Probes and public keys: `/health/live`, `/health/ready`, `/.well-known/jwks.json`."""
from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from litestar import Response, get
from litestar.openapi import ResponseSpec
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE

from adapters.msal.http import tls_context

Check = Callable[[], Awaitable[None]]
CACHE_SECONDS = 10.0


def discovery_url(authority: str) -> str:
    """The OpenID discovery document of an authority (path or `?p=` B2C form alike)."""
    parts = urlsplit(authority)
    path = parts.path.rstrip("/") + "/v2.0/.well-known/openid-configuration"
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def discovery_check(url: str, ca_bundle: str | None, timeout: float) -> Check:
    async def check() -> None:
        async with httpx.AsyncClient(verify=tls_context(ca_bundle), timeout=timeout) as client:
            answer = await client.get(url)
        if answer.status_code != 200 or "issuer" not in answer.json():
            raise RuntimeError(f"discovery answered {answer.status_code}")
    return check


class Readiness:
    """Runs every named check concurrently, each bounded by `timeout`; caches the verdict
    briefly so frequent probes do not hammer Microsoft's discovery endpoints."""

    def __init__(self, checks: dict[str, Check], timeout: float) -> None:
        self._checks = checks
        self._timeout = timeout
        self._cached: tuple[float, dict[str, str]] | None = None

    async def __call__(self) -> dict[str, str]:
        if self._cached and time.monotonic() - self._cached[0] < CACHE_SECONDS:
            return self._cached[1]
        names = list(self._checks)
        results = await asyncio.gather(*(self._run(self._checks[n]) for n in names))
        verdict = dict(zip(names, results, strict=True))
        self._cached = (time.monotonic(), verdict)
        return verdict

    async def _run(self, check: Check) -> str:
        try:
            await asyncio.wait_for(check(), self._timeout)
        except Exception as error:
            return f"failed: {type(error).__name__}"
        return "ok"


@get("/health/live", summary="The process is up")
async def live() -> dict[str, str]:
    return {"status": "ok"}


@get("/health/ready", summary="Database, Redis and Microsoft are reachable",
     responses={503: ResponseSpec(data_container=dict[str, Any], generate_examples=False,
                                  description="`status: unavailable`; `checks` names what failed")})
async def ready(readiness: Readiness) -> Response[dict[str, Any]]:
    verdict = await readiness()
    healthy = all(v == "ok" for v in verdict.values())
    status = HTTP_200_OK if healthy else HTTP_503_SERVICE_UNAVAILABLE
    body: dict[str, Any] = {"status": "ok" if healthy else "unavailable", "checks": verdict}
    return Response(content=body, status_code=status, headers={"Cache-Control": "no-store"})


@get("/.well-known/jwks.json", summary="Public keys of the service's tokens")
async def jwks(public_jwks: dict[str, Any]) -> Response[dict[str, Any]]:
    return Response(content=public_jwks, headers={"Cache-Control": "public, max-age=300"})
