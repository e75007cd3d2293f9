"""The flow store on Redis: one JSON value per login, consumed once with GETDEL."""
from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from adapters.redis.connection import (
    ClientSource,
    as_source,
    close_source,
    resolve,
    unavailable_on_failure,
)
from core.identity import LoginFlow

log = logging.getLogger(__name__)

_FORMAT = 1


class RedisFlowStore:
    """`core.ports.FlowStore` on Redis.

    Each flow is stored as JSON (never pickle: a value written by someone else must not be
    able to run code here) under `{prefix}flow:{state}` with its expiry set by the same SET.
    `take` is a single GETDEL, so of any number of concurrent callbacks with one state,
    exactly one gets the flow. A value that cannot be read back is treated as missing.
    """

    def __init__(
        self, client: ClientSource, prefix: str = "signin:", *, deadline: float | None = None
    ) -> None:
        self._source = as_source(client)
        self._client, self._deadline = resolve(self._source, deadline)
        self._prefix = prefix

    def _key(self, state: str) -> str:
        return f"{self._prefix}flow:{state}"

    async def put(self, flow: LoginFlow, ttl: timedelta) -> None:
        value = json.dumps(flow_to_json(flow), separators=(",", ":"))
        milliseconds = max(1, int(ttl.total_seconds() * 1000))
        async with unavailable_on_failure("flow store", self._deadline):
            await self._client().set(self._key(flow.state), value, px=milliseconds)

    async def take(self, state: str) -> LoginFlow | None:
        async with unavailable_on_failure("flow store", self._deadline):
            raw = await self._client().getdel(self._key(state))
        if raw is None:
            return None
        try:
            return flow_from_json(json.loads(raw))
        except (ValueError, TypeError, KeyError) as exc:
            log.warning("discarded an unreadable login flow (%s)", type(exc).__name__)
            return None

    async def close(self) -> None:
        """Close the client this store was given (the running loop's, for a connector)."""
        await close_source(self._source)


def _utc_iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("LoginFlow.created_at must be timezone-aware")
    return moment.astimezone(UTC).isoformat()


def flow_to_json(flow: LoginFlow) -> dict[str, Any]:
    return {
        "v": _FORMAT,
        "state": flow.state,
        "authority": flow.authority,
        "protocol": dict(flow.protocol),
        "binding_hash": flow.binding_hash,
        "created_at": _utc_iso(flow.created_at),
        "frontend_origin": flow.frontend_origin,
        "return_path": flow.return_path,
        "password_reset": flow.password_reset,
    }


def _text(data: Mapping[str, Any], name: str, *, optional: bool = False) -> Any:
    value = data[name]
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise TypeError(name)
    return value


def flow_from_json(data: Any) -> LoginFlow:
    if not isinstance(data, dict) or data.get("v") != _FORMAT:
        raise ValueError("unknown flow format")
    protocol = data["protocol"]
    password_reset = data["password_reset"]
    if not isinstance(protocol, dict) or not isinstance(password_reset, bool):
        raise TypeError("protocol")
    created_at = datetime.fromisoformat(_text(data, "created_at"))
    if created_at.tzinfo is None:
        raise ValueError("naive created_at")
    return LoginFlow(
        state=_text(data, "state"),
        authority=_text(data, "authority"),
        protocol=protocol,
        binding_hash=_text(data, "binding_hash"),
        created_at=created_at,
        frontend_origin=_text(data, "frontend_origin", optional=True),
        return_path=_text(data, "return_path", optional=True),
        password_reset=password_reset,
    )
