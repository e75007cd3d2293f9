"""Time and randomness, as ports so tests can control them."""
from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    """The current time."""

    def now(self) -> datetime:
        """A timezone-aware UTC datetime; never goes backwards within one process."""
        ...


class IdGenerator(Protocol):
    """Identifiers and secrets."""

    def new_id(self) -> str:
        """A fresh, unique, non-guessable identifier (e.g. a UUID4 string)."""
        ...

    def secret(self) -> str:
        """A URL-safe random secret with at least 256 bits of entropy (cookies, one-time
        codes)."""
        ...
