"""The sandbox's state: directory, keys, grants, faults, request log and clock."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from .directory import Directory
from .faults import FaultBook, Latency
from .grants import GrantStore
from .keys import KeyRing, SigningKey
from .requestlog import RequestLog

Clock = Callable[[], float]


@dataclass
class Sandbox:
    """Everything one sandbox instance holds; handlers receive it explicitly."""

    directory: Directory
    origin: str
    clock: Clock = time.time
    grants: GrantStore = field(default_factory=GrantStore)
    faults: FaultBook = field(default_factory=FaultBook)
    requests: RequestLog = field(default_factory=RequestLog)
    clock_offset: float = 0.0
    latency: Latency | None = None
    # Start from these keys instead of generating new ones (tests reuse them: RSA is slow).
    seed_keys: dict[str, SigningKey] = field(default_factory=dict, repr=False)
    aad_keys: KeyRing = field(init=False)
    b2c_keys: KeyRing = field(init=False)

    def __post_init__(self) -> None:
        self.origin = self.origin.rstrip("/")
        now = self.now()
        self.aad_keys = KeyRing(
            "aad", now, issuer_template=f"{self.origin}/{{tenantid}}/v2.0", initial=self.seed_keys.get("aad")
        )
        self.b2c_keys = KeyRing("b2c", now, initial=self.seed_keys.get("b2c"))

    def initial_keys(self) -> dict[str, SigningKey]:
        """The keys each ring signs with now (to seed another Sandbox)."""
        return {"aad": self.aad_keys.current, "b2c": self.b2c_keys.current}

    def now(self) -> float:
        """The sandbox's time: the injected clock plus any offset set by the clock hook."""
        return self.clock() + self.clock_offset

    def keys_for(self, family: str) -> KeyRing:
        return self.b2c_keys if family == "b2c" else self.aad_keys
