"""The standing-latency hook (the load test's 50–150 ms of Microsoft): every call of the
chosen kinds waits a draw in the range, other kinds do not, and it lasts until cleared."""
from __future__ import annotations

import time

from .helpers import discovery


def timed_discovery(sandbox) -> float:
    started = time.perf_counter()
    discovery(sandbox, sandbox.aad_authority)
    return time.perf_counter() - started


def test_standing_latency_delays_every_call_of_its_kinds_until_cleared(sandbox):
    baseline = min(timed_discovery(sandbox) for _ in range(3))
    answer = sandbox.hook("POST", "latency", {"min_ms": 200, "max_ms": 260, "endpoints": ["discovery"]})
    assert answer == {"latency": {"min_ms": 200, "max_ms": 260, "endpoints": ["discovery"]}}
    try:
        delays = [timed_discovery(sandbox) for _ in range(4)]  # never used up, unlike a fault
        assert all(d >= 0.2 for d in delays), delays
        assert all(d < 0.26 + baseline + 1.0 for d in delays), delays
        assert sandbox.hook("GET", "latency")["latency"]["max_ms"] == 260
        with sandbox.client() as client:  # another kind is not delayed
            started = time.perf_counter()
            client.get("/_sandbox/keys").raise_for_status()
            keys = time.perf_counter() - started
            client.get(f"{sandbox.aad_authority}/discovery/v2.0/keys").raise_for_status()
        assert keys < 0.2
    finally:
        sandbox.hook("DELETE", "latency")
    assert sandbox.hook("GET", "latency") == {"latency": None}
    assert timed_discovery(sandbox) < 0.2


def test_all_kinds_when_no_endpoint_is_named(sandbox):
    sandbox.hook("POST", "latency", {"min_ms": 150})
    try:
        with sandbox.client() as client:
            started = time.perf_counter()
            client.get(f"{sandbox.aad_authority}/discovery/v2.0/keys").raise_for_status()
            assert time.perf_counter() - started >= 0.15
    finally:
        sandbox.hook("DELETE", "latency")


def test_a_bad_latency_is_refused_with_a_message(sandbox):
    with sandbox.client() as client:
        for body in ({"min_ms": 100, "max_ms": 50}, {"min_ms": -1}, {"min_ms": "50"},
                     {"min_ms": 5, "endpoints": ["nowhere"]}, {"min_ms": 5, "jitter": 1},
                     {"min_ms": 10**9}):
            answer = client.post("/_sandbox/latency", json=body)
            assert answer.status_code == 400, body
            assert answer.json()["error"] == "bad_request"
    assert sandbox.hook("GET", "latency") == {"latency": None}
