"""Injected faults: for the next N calls of an endpoint kind, misbehave in a chosen way."""

from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass, field
from typing import Any

FAULT_ENDPOINTS = ("discovery", "authorize", "token", "keys", "logout", "graph")
ID_TOKEN_TAMPERING = ("malformed", "bad_signature", "alg_none")
CLAIM_OVERRIDES = (
    "aud",
    "iss",
    "tid",
    "nonce",
    "exp",
    "iat",
    "nbf",
    "sub",
    "oid",
    "email",
    "xms_edov",
    "tfp",
    "acr",
)


class FaultError(ValueError):
    """A fault description the sandbox cannot apply."""


@dataclass
class Fault:
    """One misbehaviour. All parts are optional and combine (latency first)."""

    endpoint: str
    count: int = 1
    latency_ms: int = 0
    status: int | None = None
    retry_after: int | None = None
    malformed_body: bool = False
    id_token: str | None = None
    claims: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def fault_from_json(raw: dict[str, Any]) -> Fault:
    """Validate a fault given to `POST /_sandbox/faults`."""
    known = set(Fault.__dataclass_fields__)
    unknown = set(raw) - known
    if unknown:
        raise FaultError(f"unknown fault field(s): {', '.join(sorted(unknown))}")
    try:
        fault = Fault(**raw)
    except TypeError as exc:
        raise FaultError(str(exc)) from exc
    if fault.endpoint not in FAULT_ENDPOINTS:
        raise FaultError(f"endpoint must be one of {', '.join(FAULT_ENDPOINTS)}")
    if not isinstance(fault.count, int) or fault.count < 1:
        raise FaultError("count must be a positive integer")
    if fault.status is not None and not 100 <= int(fault.status) <= 599:
        raise FaultError("status must be an HTTP status code")
    if fault.id_token is not None and fault.id_token not in ID_TOKEN_TAMPERING:
        raise FaultError(f"id_token must be one of {', '.join(ID_TOKEN_TAMPERING)}")
    if (fault.id_token or fault.claims) and fault.endpoint != "token":
        raise FaultError("id_token and claims faults apply to the token endpoint only")
    if not isinstance(fault.claims, dict):
        raise FaultError("claims must be an object")
    bad = set(fault.claims) - set(CLAIM_OVERRIDES)
    if bad:
        raise FaultError(f"claims may override only {', '.join(CLAIM_OVERRIDES)}")
    return fault


@dataclass(frozen=True)
class Latency:
    """Standing latency: every call of the listed endpoint kinds (all when empty) waits a
    uniformly drawn `min_ms`..`max_ms` before answering, as Microsoft's own round trips do.
    Unlike a fault it is never used up; `DELETE /_sandbox/latency` ends it."""

    min_ms: int
    max_ms: int
    endpoints: tuple[str, ...] = ()

    def applies_to(self, kind: str) -> bool:
        return not self.endpoints or kind in self.endpoints

    def draw_seconds(self) -> float:
        return random.uniform(self.min_ms, self.max_ms) / 1000  # noqa: S311 (a delay, not a secret)

    def to_json(self) -> dict[str, Any]:
        return {"min_ms": self.min_ms, "max_ms": self.max_ms, "endpoints": list(self.endpoints)}


MAX_LATENCY_MS = 60_000


def latency_from_json(raw: dict[str, Any]) -> Latency:
    """Validate a body given to `POST /_sandbox/latency`."""
    unknown = set(raw) - {"min_ms", "max_ms", "endpoints"}
    if unknown:
        raise FaultError(f"unknown latency field(s): {', '.join(sorted(unknown))}")
    low, high = raw.get("min_ms"), raw.get("max_ms", raw.get("min_ms"))
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (low, high)):
        raise FaultError("min_ms and max_ms must be integers (milliseconds)")
    assert isinstance(low, int) and isinstance(high, int)
    if not 0 <= low <= high <= MAX_LATENCY_MS:
        raise FaultError(f"need 0 <= min_ms <= max_ms <= {MAX_LATENCY_MS}")
    endpoints = raw.get("endpoints", [])
    if not isinstance(endpoints, list) or not all(e in FAULT_ENDPOINTS for e in endpoints):
        raise FaultError(f"endpoints must be a list of {', '.join(FAULT_ENDPOINTS)}")
    return Latency(low, high, tuple(endpoints))


class FaultBook:
    """Pending faults, consumed first-in first-out per endpoint kind."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def take(self, endpoint: str) -> Fault | None:
        """The fault for this call of `endpoint`, counting it down; None when there is none."""
        with self._lock:
            for fault in self._faults:
                if fault.endpoint == endpoint:
                    fault.count -= 1
                    if fault.count <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def pending(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
