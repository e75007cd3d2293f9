"""Probes and public keys: `/health/live`, `/health/ready`, `/.well-known/jwks.json`."""
from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from litestar import Response, get
from litestar.openapi import ResponseSpec
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE

from adapters.microsoft import DiscoveryCache
from adapters.microsoft.config import discovery_url

Check = Callable[[], Awaitable[None]]
CACHE_SECONDS = 10.0


def discovery_check(discovery: DiscoveryCache, authority: str) -> Check:
    """Whether Microsoft answers an authority's discovery now: through the service's own
    discovery cache and HTTP client (a document fetched in the last `CACHE_SECONDS` counts;
    an older one is fetched again, which also refreshes it for the logins)."""
    url = discovery_url(authority)

    async def check() -> None:
        await discovery.get(url, max_age=timedelta(seconds=CACHE_SECONDS))
    return check


class Readiness:
    """Runs every check concurrently, each bounded by `timeout`, and caches the verdict
    briefly so frequent probes do not hammer Microsoft. `required` checks (the database,
    Redis) decide readiness; `reported` ones (Microsoft's authorities) are only reported:
    an Entra outage must not take every replica out of the load balancer, since `/me`,
    `/auth/verify` and logout need no Microsoft."""

    def __init__(
        self,
        required: dict[str, Check],
        reported: dict[str, Check],
        timeout: float,
        on_reported: Callable[[dict[str, str]], None] | None = None,
    ) -> None:
        """`on_reported` is told the reported verdicts each time they are checked (the
        metrics' `azure_signin_microsoft_up`)."""
        self._required = required
        self._on_reported = on_reported
        self._reported = reported
        self._timeout = timeout
        self._cached: tuple[float, dict[str, str], dict[str, str]] | None = None

    async def __call__(self) -> tuple[dict[str, str], dict[str, str]]:
        """(required verdicts, reported verdicts), each `ok` or `failed: <error type>`."""
        if self._cached and time.monotonic() - self._cached[0] < CACHE_SECONDS:
            return self._cached[1], self._cached[2]
        checks = {**{("required", n): c for n, c in self._required.items()},
                  **{("reported", n): c for n, c in self._reported.items()}}
        results = await asyncio.gather(*(self._run(c) for c in checks.values()))
        verdicts = dict(zip(checks, results, strict=True))
        required = {n: v for (kind, n), v in verdicts.items() if kind == "required"}
        reported = {n: v for (kind, n), v in verdicts.items() if kind == "reported"}
        self._cached = (time.monotonic(), required, reported)
        if self._on_reported is not None:
            self._on_reported(reported)
        return required, reported

    async def _run(self, check: Check) -> str:
        try:
            await asyncio.wait_for(check(), self._timeout)
        except Exception as error:
            return f"failed: {type(error).__name__}"
        return "ok"


@get("/health/live", summary="The process is up")
async def live() -> dict[str, str]:
    return {"status": "ok"}


@get("/health/ready", summary="The database and Redis answer (Microsoft's state reported)",
     responses={503: ResponseSpec(data_container=dict[str, Any], generate_examples=False,
                                  description="`status: unavailable`; `checks` names what failed "
                                              "(the database or Redis)")})
async def ready(readiness: Readiness) -> Response[dict[str, Any]]:
    """200 when the database and Redis answer, else 503. `microsoft` names each authority's
    discovery verdict and `degraded` is true when any of them failed: sign-ins cannot start
    then, but the service stays ready (tokens, `/me`, logout need no Microsoft)."""
    required, microsoft = await readiness()
    healthy = all(v == "ok" for v in required.values())
    status = HTTP_200_OK if healthy else HTTP_503_SERVICE_UNAVAILABLE
    body: dict[str, Any] = {
        "status": "ok" if healthy else "unavailable",
        "checks": required,
        "microsoft": microsoft,
        "degraded": any(v != "ok" for v in microsoft.values()),
    }
    return Response(content=body, status_code=status, headers={"Cache-Control": "no-store"})


@get("/.well-known/jwks.json", summary="Public keys of the service's tokens")
async def jwks(public_jwks: dict[str, Any]) -> Response[dict[str, Any]]:
    return Response(content=public_jwks, headers={"Cache-Control": "public, max-age=300"})
