"""The in-process memory of recently confirmed principals (the hot path's cache)."""
from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, timedelta

from core.access import Principal

REVOCATION_BOUND = timedelta(seconds=1)
DEFAULT_MAX_AGE = timedelta(milliseconds=500)


class LocalPrincipals:
    """`core.ports.RecentPrincipals` in this process's memory: two bounded LRU maps.

    `max_age` must stay under the one-second revocation bound (construction refuses more),
    since a session revoked by another process is noticed here only when the entry ages out.
    Sizes are bounded so that many sessions cannot grow the process without limit; only
    tokens with a valid signature ever reach this cache, so an attacker cannot fill it with
    forged ones.
    """

    def __init__(
        self,
        max_age: timedelta = DEFAULT_MAX_AGE,
        *,
        max_entries: int = 10_000,
        max_closed: int = 50_000,
    ) -> None:
        if not timedelta(0) < max_age < REVOCATION_BOUND:
            raise ValueError("max_age must be positive and under the one-second revocation bound")
        if max_entries < 1 or max_closed < 1:
            raise ValueError("cache sizes must be at least 1")
        self.max_age = max_age
        self._max_entries = max_entries
        self._max_closed = max_closed
        self._open: OrderedDict[str, Principal] = OrderedDict()
        self._closed: OrderedDict[str, datetime] = OrderedDict()

    def get(self, session_id: str, now: datetime) -> Principal | None:
        principal = self._open.get(session_id)
        if principal is None:
            return None
        age = now - principal.confirmed_at
        if age >= self.max_age or age < timedelta(0):
            del self._open[session_id]
            return None
        self._open.move_to_end(session_id)
        return principal

    def put(self, principal: Principal) -> None:
        key = principal.session.id
        self._open[key] = principal
        self._open.move_to_end(key)
        while len(self._open) > self._max_entries:
            self._open.popitem(last=False)
        # An entry is of use for `max_age` only, but it was dropped only when read again or
        # pushed out by size: the sessions of a day stayed, up to `max_entries` of them (a
        # 30-minute soak grew each process by ~80 MB). The least recently used come first, so
        # drop them while they are too old (an older one further on goes when it is read, or
        # when it reaches the front).
        now = principal.confirmed_at
        while self._open:
            oldest = next(iter(self._open.values()))
            if timedelta(0) <= now - oldest.confirmed_at < self.max_age:
                break
            self._open.popitem(last=False)

    def forget(self, session_id: str) -> None:
        self._open.pop(session_id, None)

    def forget_user(self, user_id: str) -> None:
        for key in [k for k, p in self._open.items() if p.user.id == user_id]:
            del self._open[key]

    def closed(self, session_id: str, now: datetime) -> bool:
        until = self._closed.get(session_id)
        if until is None:
            return False
        if now >= until:
            del self._closed[session_id]
            return False
        return True

    def put_closed(self, session_id: str, until: datetime) -> None:
        self._open.pop(session_id, None)
        self._closed[session_id] = until
        self._closed.move_to_end(session_id)
        while len(self._closed) > self._max_closed:
            self._closed.popitem(last=False)

    def __len__(self) -> int:
        return len(self._open)
