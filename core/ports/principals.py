"""Recently confirmed principals: the hot path's in-process memory.

The database is the authority on whether a session is open. Asking it on every request is
what made the token check slow, so a process may remember, for a short and bounded time,
what the database said. Two kinds of memory, with different safety arguments:

- *open* (a `Principal`): vouches for a session only while it is younger than `max_age`,
  which is well under the revocation bound (one second). It must live in the process that
  asked the database, never in shared storage: an entry in Redis could be brought back by
  a restored snapshot after the session was revoked, and a process cannot tell.
- *closed*: a session that was revoked, expired or idle-timed-out never opens again, so
  remembering that it is closed can never let a revoked token through; it may be kept
  until the session would have expired anyway.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from core.access import Principal


class RecentPrincipals(Protocol):
    """What the database said about sessions moments ago, in this process only.

    Example::

        recent.put(principal)                   # just read from the database
        assert recent.get(sid, now) is principal   # while now - confirmed_at < max_age
        recent.forget(sid)                      # this process changed the session
        assert recent.get(sid, now) is None
    """

    max_age: timedelta

    def get(self, session_id: str, now: datetime) -> Principal | None:
        """The principal stored for `session_id` when it was confirmed less than `max_age`
        before `now` (and not after `now`: a clock that went back vouches for nothing);
        None otherwise. Never raises."""
        ...

    def put(self, principal: Principal) -> None:
        """Remember `principal` under its session id (replacing an earlier one); may evict
        other entries to stay within a fixed size."""
        ...

    def forget(self, session_id: str) -> None:
        """Drop what is known about an open `session_id`; unknown ids are not an error."""
        ...

    def forget_user(self, user_id: str) -> None:
        """Drop every open principal of `user_id` (disabled, memberships changed)."""
        ...

    def closed(self, session_id: str, now: datetime) -> bool:
        """True when `session_id` was seen closed (and `now` is before `until` given then)."""
        ...

    def put_closed(self, session_id: str, until: datetime) -> None:
        """Remember that `session_id` is closed for good, until `until`; also forgets any
        open principal of it. May evict other closed entries to stay within a fixed size."""
        ...
