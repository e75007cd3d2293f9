"""The revocation feed: processes telling each other, at once, that sessions changed.

It only ever makes a process *forget* what it remembered (`core.ports.principals`), so the
next check asks the database. A lost, late or forged message therefore costs at most a
database read and can never let a revoked session through; a process that misses one still
sees the change within `RecentPrincipals.max_age`. The feed is a speed-up of revocation,
not its guarantee.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Revocation:
    """Sessions to forget, and optionally every session of a user (disabled, memberships
    changed)."""

    session_ids: tuple[str, ...] = ()
    user_id: str | None = None


class RevocationFeed(Protocol):
    """Publish/subscribe between the processes of the service.

    Example::

        task = asyncio.create_task(feed.listen(received.append))
        await feed.publish(Revocation(("s1",)))
        # every listening process (this one included) soon gets Revocation(("s1",))
    """

    async def publish(self, revocation: Revocation) -> None:
        """Send `revocation` to every listener. Best effort: raises
        `SignInError(temporarily_unavailable)` when the feed cannot be reached (callers go
        on: the database already holds the change)."""
        ...

    async def listen(self, on_revocation: Callable[[Revocation], None]) -> None:
        """Call `on_revocation` for every revocation published from now on, until cancelled;
        reconnects by itself after a failure (messages sent meanwhile may be lost).
        Malformed messages are ignored."""
        ...
