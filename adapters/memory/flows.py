"""The in-process flow store: logins between their start and their callback."""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from adapters.memory.expiring import ExpiringMap
from core.identity import LoginFlow
from core.ports.clock import Clock


def _encode(flow: LoginFlow) -> str:
    return json.dumps(
        {
            "state": flow.state,
            "authority": flow.authority,
            "protocol": dict(flow.protocol),
            "binding_hash": flow.binding_hash,
            "created_at": flow.created_at.isoformat(),
            "frontend_origin": flow.frontend_origin,
            "return_path": flow.return_path,
            "password_reset": flow.password_reset,
        },
        allow_nan=False,
    )


def _decode(text: str) -> LoginFlow:
    data: dict[str, Any] = json.loads(text)
    return LoginFlow(
        state=data["state"],
        authority=data["authority"],
        protocol=data["protocol"],
        binding_hash=data["binding_hash"],
        created_at=datetime.fromisoformat(data["created_at"]),
        frontend_origin=data["frontend_origin"],
        return_path=data["return_path"],
        password_reset=data["password_reset"],
    )


class MemoryFlowStore:
    """A `FlowStore` in this process's memory, for the embedded default and tests.

    Flows are kept as JSON text, exactly as a shared store (Redis) keeps them: the stored
    flow can never alias the caller's objects, and a protocol dict that is not
    JSON-serialisable fails here (`TypeError`/`ValueError` at `put`) instead of first in
    production. Expiry follows the injected clock; `take` is a single dictionary pop with no
    `await` in between, so of any number of concurrent takes exactly one wins. Expired flows
    are purged on every call, so memory stays bounded.

    Being in-process, it cannot serve a login that starts on one process and finishes on
    another: use the Redis flow store behind a load balancer.

    Example::

        flows = MemoryFlowStore(SystemClock())
        await flows.put(flow, timedelta(minutes=10))
        assert await flows.take(flow.state) == flow
    """

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._flows: ExpiringMap[str, str] = ExpiringMap()

    async def put(self, flow: LoginFlow, ttl: timedelta) -> None:
        if ttl <= timedelta(0):
            raise ValueError("a flow's ttl must be positive")
        encoded = _encode(flow)
        now = self._clock.now()
        if not self._flows.add(flow.state, encoded, now + ttl, now):
            # States are random; a collision means a caller reused one, never replace a flow.
            raise ValueError("a flow is already stored under this state")

    async def take(self, state: str) -> LoginFlow | None:
        encoded = self._flows.pop(state, self._clock.now())
        return None if encoded is None else _decode(encoded)

    def __len__(self) -> int:
        """Flows alive or expired but not yet purged (an upper bound, for monitoring)."""
        return len(self._flows)
