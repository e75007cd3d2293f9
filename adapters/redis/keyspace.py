"""What every Redis store here shares: values of one kind under `{prefix}{kind}:{name}`,
written with their expiry in the same SET, each operation bounded and failing closed, and
JSON read back defensively (a value someone else wrote counts as missing, never as code)."""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from adapters.redis.connection import (
    ClientSource,
    as_source,
    close_source,
    resolve,
    unavailable_on_failure,
)

log = logging.getLogger(__name__)
T = TypeVar("T")


class Keyspace:
    """One kind of value in one Redis. Every failure, or an operation outlasting `deadline`
    seconds, is `SignInError(temporarily_unavailable)`; only exception types are logged,
    since keys carry states and session ids."""

    def __init__(
        self, client: ClientSource, prefix: str, kind: str, what: str, *, deadline: float | None
    ) -> None:
        self._source = as_source(client)
        self._client, self.deadline = resolve(self._source, deadline)
        self._prefix = f"{prefix}{kind}:"
        self._what = what

    def key(self, name: str) -> str:
        return self._prefix + name

    async def put(self, name: str, value: str, ttl: timedelta, *, at_least: timedelta) -> None:
        milliseconds = max(int(at_least.total_seconds() * 1000), int(ttl.total_seconds() * 1000), 1)
        async with unavailable_on_failure(self._what, self.deadline):
            await self._client().set(self.key(name), value, px=milliseconds)

    async def get(self, name: str, *, remove: bool = False) -> Any:
        """The raw value, or None; with `remove`, taken atomically (GETDEL: one taker)."""
        async with unavailable_on_failure(self._what, self.deadline):
            client = self._client()
            return await (client.getdel(self.key(name)) if remove else client.get(self.key(name)))

    async def delete(self, name: str) -> None:
        async with unavailable_on_failure(self._what, self.deadline):
            await self._client().delete(self.key(name))

    async def close(self) -> None:
        """Close the client this keyspace was given (the running loop's, for a connector)."""
        await close_source(self._source)


def to_json(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"))


def from_json(raw: Any, parse: Callable[[Any], T], what: str) -> T | None:
    """`parse(json.loads(raw))`; None for a missing value or one that cannot be read back."""
    if raw is None:
        return None
    try:
        return parse(json.loads(raw))
    except (ValueError, TypeError, KeyError) as exc:
        log.warning("ignored an unreadable %s (%s)", what, type(exc).__name__)
        return None
