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


class HandoffCipher(Protocol):
    """Encrypts a handed-off token under a key derived from its one-time code, so that the
    store alone (a Redis dump, a memory snapshot) yields nothing usable: the code, which
    only the browser holds, is needed to read the token back.

    Example::

        sealed = cipher.seal("the-code", "eyJ.token")
        assert "eyJ.token" not in sealed
        assert cipher.open("the-code", sealed) == "eyJ.token"
        assert cipher.open("another-code", sealed) is None
    """

    def seal(self, code: str, token: str) -> str:
        """`token` encrypted and authenticated under a key derived from `code`, as ASCII text
        (a fresh random nonce each call). Never raises for any text input."""
        ...

    def open(self, code: str, sealed: str) -> str | None:
        """The token `seal(code, token)` sealed; None when `sealed` was made under another
        code, was altered, or is not a sealed value at all (never raises)."""
        ...
