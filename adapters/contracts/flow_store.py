"""The contract of `core.ports.flows.FlowStore`."""

from __future__ import annotations

import asyncio
import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from adapters.contracts._support import Advance, abstract, elapse
from core.identity import LoginFlow
from core.ports.flows import FlowStore

_PROTOCOL: dict[str, Any] = {
    "state": "will-be-replaced",
    "nonce": "n-0123456789",
    "code_verifier": "v" * 43,
    "scope": ["openid", "profile", "offline_access"],
    "claims_challenge": None,
    "nested": {"depth": 2, "ratio": 0.5, "flag": True, "list": [1, "two", {"three": 3}]},
    "unicode": "Zo\u00eb \u2013 \u6771\u4eac \u2013 \u212a",
}


def make_flow(state: str, **changes: Any) -> LoginFlow:
    values: dict[str, Any] = {
        "state": state,
        "authority": "b2c",
        "protocol": {**copy.deepcopy(_PROTOCOL), "state": state},
        "binding_hash": "sha256:" + "ab" * 32,
        "created_at": datetime(2025, 3, 4, 5, 6, 7, 890123, tzinfo=UTC),
        "frontend_origin": "https://app.example.com",
        "return_path": "/workspace/7/home?tab=1",
        "password_reset": True,
    }
    values.update(changes)
    return LoginFlow(**values)


@pytest.mark.asyncio
class FlowStoreContract:
    """Tests every `FlowStore` must pass.

    Subclass it in a `test_*.py` module and provide two fixtures: `flow_store`, an empty
    store under test, and `advance(seconds)`, which makes that much time pass for it (a
    manual clock's `advance`, or `time.sleep` for a store with a real clock; it may be
    async). Each test uses its own random-looking states, so a shared store also works::

        class TestRedisFlowStore(FlowStoreContract):
            @pytest.fixture
            def flow_store(self, redis_url, redis_prefix):
                return RedisFlowStore(redis_url, prefix=redis_prefix)

            @pytest.fixture
            def advance(self):
                return time.sleep
    """

    @pytest.fixture
    def flow_store(self) -> FlowStore:
        return abstract("flow_store", "FlowStoreContract")  # type: ignore[no-any-return]

    @pytest.fixture
    def advance(self) -> Advance:
        return abstract("advance", "FlowStoreContract")  # type: ignore[no-any-return]

    async def test_take_returns_the_flow_with_every_field(self, flow_store: FlowStore) -> None:
        flow = make_flow("state-round-trip")
        await flow_store.put(flow, timedelta(minutes=10))
        taken = await flow_store.take(flow.state)
        assert taken == flow
        assert taken is not None
        assert dict(taken.protocol) == {**_PROTOCOL, "state": flow.state}
        assert taken.created_at.utcoffset() == timedelta(0)

    async def test_optional_fields_round_trip_as_none(self, flow_store: FlowStore) -> None:
        flow = make_flow("state-minimal", frontend_origin=None, return_path=None, password_reset=False)
        await flow_store.put(flow, timedelta(minutes=10))
        assert await flow_store.take(flow.state) == flow

    async def test_take_is_single_use(self, flow_store: FlowStore) -> None:
        flow = make_flow("state-single-use")
        await flow_store.put(flow, timedelta(minutes=10))
        assert await flow_store.take(flow.state) == flow
        assert await flow_store.take(flow.state) is None
        assert await flow_store.take(flow.state) is None

    async def test_unknown_state_gives_none(self, flow_store: FlowStore) -> None:
        assert await flow_store.take("state-never-stored") is None
        assert await flow_store.take("") is None

    async def test_flows_are_kept_apart_by_state(self, flow_store: FlowStore) -> None:
        first, second = make_flow("state-apart-1"), make_flow("state-apart-2", authority="aad")
        await flow_store.put(first, timedelta(minutes=10))
        await flow_store.put(second, timedelta(minutes=10))
        assert await flow_store.take(second.state) == second
        assert await flow_store.take(first.state) == first

    async def test_flow_is_gone_after_its_ttl(self, flow_store: FlowStore, advance: Advance) -> None:
        flow = make_flow("state-expires")
        await flow_store.put(flow, timedelta(seconds=1))
        await elapse(advance, 1.2)
        assert await flow_store.take(flow.state) is None

    async def test_flow_is_there_before_its_ttl(self, flow_store: FlowStore, advance: Advance) -> None:
        flow = make_flow("state-alive")
        await flow_store.put(flow, timedelta(seconds=30))
        await elapse(advance, 1.2)
        assert await flow_store.take(flow.state) == flow

    async def test_each_flow_keeps_its_own_ttl(self, flow_store: FlowStore, advance: Advance) -> None:
        short, long = make_flow("state-ttl-short"), make_flow("state-ttl-long")
        await flow_store.put(short, timedelta(seconds=1))
        await flow_store.put(long, timedelta(seconds=30))
        await elapse(advance, 1.2)
        assert await flow_store.take(short.state) is None
        assert await flow_store.take(long.state) == long

    async def test_concurrent_takes_have_exactly_one_winner(self, flow_store: FlowStore) -> None:
        flow = make_flow("state-race")
        await flow_store.put(flow, timedelta(minutes=10))
        results = await asyncio.gather(*(flow_store.take(flow.state) for _ in range(16)))
        assert [r for r in results if r is not None] == [flow]

    async def test_stored_flow_is_not_the_callers_object(self, flow_store: FlowStore) -> None:
        protocol = {**copy.deepcopy(_PROTOCOL), "state": "state-alias"}
        flow = make_flow("state-alias", protocol=protocol)
        await flow_store.put(flow, timedelta(minutes=10))
        protocol["nonce"] = "changed by the caller"
        protocol["nested"]["list"].append("added by the caller")
        taken = await flow_store.take(flow.state)
        assert taken is not None
        assert taken.protocol["nonce"] == _PROTOCOL["nonce"]
        assert taken.protocol["nested"] == _PROTOCOL["nested"]
