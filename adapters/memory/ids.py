"""Identifier and secret generators."""
from __future__ import annotations

import itertools
import secrets
import threading
import uuid


class RandomIds:
    """UUID4 identifiers and 256-bit URL-safe secrets from the OS's CSPRNG.

    Example::

        ids = RandomIds()
        assert ids.new_id() != ids.new_id()
    """

    def new_id(self) -> str:
        return str(uuid.uuid4())

    def secret(self) -> str:
        return secrets.token_urlsafe(32)


class SequentialIds:
    """Predictable identifiers for tests and reproducible simulations: `{prefix}-1`,
    `{prefix}-2`, ... and secrets `{prefix}-secret-1`, ... (URL-safe, unique, and of course
    not secret at all: never wire this into a running service).

    Example::

        ids = SequentialIds("user")
        assert ids.new_id() == "user-1"
    """

    def __init__(self, prefix: str = "id") -> None:
        self._prefix = prefix
        self._ids = itertools.count(1)
        self._secrets = itertools.count(1)
        self._lock = threading.Lock()

    def new_id(self) -> str:
        with self._lock:
            return f"{self._prefix}-{next(self._ids)}"

    def secret(self) -> str:
        with self._lock:
            return f"{self._prefix}-secret-{next(self._secrets)}"
