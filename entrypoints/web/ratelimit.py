"""A per-client limit on starting logins (each start writes a flow and sends a browser to
Microsoft), counted in fixed windows of a minute: in Redis when it is configured, so every
process of the service shares one budget per client, else in this process.

The client is the address the edge resolved from `SIGNIN_TRUSTED_PROXIES`
(entrypoints/web/proxies.py); an IPv6 client counts by its /64, since one host commonly
holds a whole /64. Every answer of a counted route carries the draft IETF RateLimit fields
(draft-ietf-httpapi-ratelimit-headers-07: `RateLimit-Limit`, `RateLimit-Remaining`,
`RateLimit-Reset` in delta seconds, and `RateLimit-Policy` naming the quota and window);
a refusal is a 429 with `Retry-After`. A counter that cannot be reached raises
`SignInError(temporarily_unavailable)`: the login fails closed, as its flow store would.
"""
from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass
from typing import Any, Protocol

from litestar import Request, Response
from litestar.status_codes import HTTP_429_TOO_MANY_REQUESTS

WINDOW_SECONDS = 60


class HitCounter(Protocol):
    async def hit(self, key: str, window: float) -> tuple[int, float]:
        """Count one hit of `key`; the window's hits so far (this one included) and the
        seconds until the window of `window` seconds ends."""
        ...


@dataclass(frozen=True)
class Verdict:
    limit: int
    used: int
    reset: int  # whole seconds until the window ends

    @property
    def allowed(self) -> bool:
        return self.used <= self.limit

    def headers(self) -> dict[str, str]:
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(max(0, self.limit - self.used)),
            "RateLimit-Reset": str(self.reset),
            "RateLimit-Policy": f"{self.limit};w={WINDOW_SECONDS}",
        }

    def refusal(self) -> Response[dict[str, str]]:
        return Response(
            content={"error": "too_many_requests",
                     "detail": "too many logins started from this address; retry later"},
            status_code=HTTP_429_TOO_MANY_REQUESTS,
            headers={**self.headers(), "Retry-After": str(self.reset), "Cache-Control": "no-store"},
        )


def seconds_up(remaining: float) -> int:
    """Whole seconds, rounded up, at least 1 (what `Retry-After` and `RateLimit-Reset` say)."""
    return max(1, math.ceil(remaining))


def client_key(address: str) -> str:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


class LoginRateLimiter:
    def __init__(self, per_minute: int, counter: HitCounter) -> None:
        self._limit = per_minute
        self._counter = counter

    async def check(self, request: Request[Any, Any, Any]) -> Verdict:
        """Count this login start of the request's client; the verdict says whether it may
        go on and what the RateLimit fields say."""
        client = request.client.host if request.client else "unknown"
        used, remaining = await self._counter.hit("login:" + client_key(client), WINDOW_SECONDS)
        return Verdict(self._limit, used, seconds_up(remaining))
