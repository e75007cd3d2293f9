"""The flow store on Redis: one JSON value per login, consumed once with GETDEL."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from adapters.redis.connection import ClientSource
from adapters.redis.keyspace import Keyspace, from_json, to_json
from core.identity import LoginFlow

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
        self._flows = Keyspace(client, prefix, "flow", "flow store", deadline=deadline)

    async def put(self, flow: LoginFlow, ttl: timedelta) -> None:
        await self._flows.put(flow.state, to_json(flow_to_json(flow)), ttl, at_least=timedelta(0))

    async def take(self, state: str) -> LoginFlow | None:
        return from_json(await self._flows.get(state, remove=True), flow_from_json, "login flow")

    async def close(self) -> None:
        await self._flows.close()


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
