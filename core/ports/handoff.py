"""Hand-off of a service token to the frontend through a one-time code."""
from __future__ import annotations

from datetime import timedelta
from typing import Protocol


class TokenHandoff(Protocol):
    """Keeps a token under a key for a short time, for exactly one taker.

    Example::

        await handoff.put("k", "token", timedelta(seconds=60))
        assert await handoff.take("k") == "token"
        assert await handoff.take("k") is None
    """

    async def put(self, key: str, token: str, ttl: timedelta) -> None:
        """Store `token` under `key` for `ttl`. Raises `SignInError(temporarily_unavailable)`
        when the store cannot be reached."""
        ...

    async def take(self, key: str) -> str | None:
        """Remove and return the token, atomically (one of many concurrent takers gets it);
        None when unknown, expired or taken. Raises `SignInError(temporarily_unavailable)`."""
        ...
