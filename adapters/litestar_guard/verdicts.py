"""Asking the service's `/auth/verify` whether a session is still open (and, with a
requirement, whether the user holds a role in a workspace), with a short bounded cache."""
from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote

import httpx

from adapters.litestar_guard.jwks import Unavailable

VERIFY_PATH = "/auth/verify"
MAX_CACHE_SECONDS = 0.5  # the service's own revocation bound is 0.5 s: together under 1 s


@dataclass(frozen=True)
class Verdict:
    """The service's answer: `status` 200 (granted, with the identity), 401 or 403."""

    status: int
    user_id: str | None = None
    session_id: str | None = None
    email: str | None = None
    workspaces: tuple[tuple[int, str], ...] = ()


def _workspaces(header: str) -> tuple[tuple[int, str], ...]:
    pairs = []
    for item in filter(None, header.split(",")):
        workspace, _, role = item.partition(":")
        pairs.append((int(workspace), role))
    return tuple(pairs)


def _verdict(answer: httpx.Response) -> Verdict:
    if answer.status_code in (401, 403):
        return Verdict(answer.status_code)
    if answer.status_code != 200:
        raise Unavailable(f"/auth/verify answered {answer.status_code}")
    headers = answer.headers
    try:
        email = headers.get("x-auth-request-email")
        return Verdict(200, headers["x-auth-request-user"], headers["x-auth-request-session"],
                       unquote(email) if email else None,
                       _workspaces(headers.get("x-auth-request-workspaces", "")))
    except (KeyError, ValueError):
        raise Unavailable("/auth/verify answered without its identity headers") from None


class SessionCheck:
    """`await check(token, workspace, role) -> Verdict`; `Unavailable` when the service
    cannot answer (never a grant then).

    Verdicts (grants and refusals alike, never a failure) are kept for `cache_seconds`
    (at most 0.5 s, and never past the token's expiry), keyed by a SHA-256 of the token and
    the requirement; at most `max_entries` are kept (expired ones dropped first, then all).
    Concurrent checks of the same token and requirement share one request to the service.
    """

    def __init__(self, client: Callable[[], httpx.AsyncClient], url: str, *,
                 cache_seconds: float = 0.25, max_entries: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if not 0 <= cache_seconds <= MAX_CACHE_SECONDS:
            raise ValueError(f"cache_seconds must be between 0 and {MAX_CACHE_SECONDS}")
        self._client, self._url, self._ttl = client, url, cache_seconds
        self._max_entries, self._clock = max_entries, clock
        self._cache: dict[tuple[bytes, int | None, str | None], tuple[float, Verdict]] = {}
        self._in_flight: dict[tuple[bytes, int | None, str | None], asyncio.Future[Verdict]] = {}
        self.requests = 0

    async def check(self, token: str, workspace: int | None = None, role: str | None = None,
                    *, seconds_left: float | None = None) -> Verdict:
        key = (hashlib.sha256(token.encode()).digest(), workspace, role)
        now = self._clock()
        cached = self._cache.get(key)
        if cached is not None and cached[0] > now:
            return cached[1]
        pending = self._in_flight.get(key)
        if pending is not None:
            try:
                return await asyncio.shield(pending)
            except asyncio.CancelledError:
                if not pending.cancelled():
                    raise  # this request itself was cancelled
                # the request that asked was cancelled: ask in its place
        future: asyncio.Future[Verdict] = asyncio.get_running_loop().create_future()
        self._in_flight[key] = future
        try:
            verdict = await self._ask(key, token, workspace, role, seconds_left)
        except asyncio.CancelledError:
            future.cancel()
            raise
        except Exception as error:
            future.set_exception(error)
            future.exception()  # retrieved: no "never retrieved" warning when nobody waits
            raise
        else:
            future.set_result(verdict)
            return verdict
        finally:
            del self._in_flight[key]

    async def _ask(self, key: tuple[bytes, int | None, str | None], token: str,
                   workspace: int | None, role: str | None, seconds_left: float | None) -> Verdict:
        now = self._clock()
        query = {k: v for k, v in (("workspace", workspace), ("role", role)) if v is not None}
        self.requests += 1
        try:
            answer = await self._client().get(
                self._url, params=query, headers={"Authorization": f"Bearer {token}"})
        except httpx.HTTPError as error:
            raise Unavailable(f"/auth/verify unreachable: {type(error).__name__}") from None
        verdict = _verdict(answer)
        ttl = self._ttl if seconds_left is None else min(self._ttl, max(seconds_left, 0))
        if ttl > 0:
            self._remember(key, now + ttl, verdict)
        return verdict

    def _remember(self, key: tuple[bytes, int | None, str | None], until: float, verdict: Verdict) -> None:
        if len(self._cache) >= self._max_entries:
            now = self._clock()
            self._cache = {k: v for k, v in self._cache.items() if v[0] > now}
            if len(self._cache) >= self._max_entries:
                self._cache.clear()
        self._cache[key] = (until, verdict)
