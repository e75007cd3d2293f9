"""The flow store: logins between their start and their callback."""
from __future__ import annotations

from datetime import timedelta
from typing import Protocol

from core.identity import LoginFlow


class FlowStore(Protocol):
    """Keeps each `LoginFlow` under its `state` for a short time.

    Example::

        await flows.put(flow, timedelta(minutes=10))
        assert await flows.take(flow.state) == flow
        assert await flows.take(flow.state) is None   # single use
    """

    async def put(self, flow: LoginFlow, ttl: timedelta) -> None:
        """Store `flow` under `flow.state`, replacing nothing: a state is random and never
        reused. After `ttl` the flow is gone. Raises `SignInError(temporarily_unavailable)`
        when the store cannot be reached."""
        ...

    async def take(self, state: str) -> LoginFlow | None:
        """Remove and return the flow stored under `state`, atomically: of any number of
        concurrent calls with the same state, exactly one gets the flow; the others, and every
        later call, get None. An expired or unknown state gives None. Raises
        `SignInError(temporarily_unavailable)` when the store cannot be reached."""
        ...
