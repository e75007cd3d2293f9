"""The sandbox's state: directory, keys, grants, faults, request log and clock."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from .directory import Directory
from .faults import FaultBook
from .grants import GrantStore
from .keys import KeyRing
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
    aad_keys: KeyRing = field(init=False)
    b2c_keys: KeyRing = field(init=False)

    def __post_init__(self) -> None:
        self.origin = self.origin.rstrip("/")
        now = self.now()
        self.aad_keys = KeyRing("aad", now, issuer_template=f"{self.origin}/{{tenantid}}/v2.0")
        self.b2c_keys = KeyRing("b2c", now)

    def now(self) -> float:
        """The sandbox's time: the injected clock plus any offset set by the clock hook."""
        return self.clock() + self.clock_offset

    def keys_for(self, family: str) -> KeyRing:
        return self.b2c_keys if family == "b2c" else self.aad_keys
