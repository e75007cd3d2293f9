"""Helpers shared by the use cases that hand out or check the service's session tokens."""
from __future__ import annotations

from datetime import datetime

from core.errors import SignInError
from core.identity import SessionClaims
from core.model import Session
from core.policy import SignInPolicy
from core.ports import (
    CachedSession,
    IdGenerator,
    RecentPrincipals,
    Revocation,
    RevocationFeed,
    SessionCache,
    TokenIssuer,
)


def issue_token(
    tokens: TokenIssuer, ids: IdGenerator, policy: SignInPolicy, session: Session, now: datetime
) -> tuple[str, SessionClaims]:
    """A fresh token for `session`, never outliving the session's absolute expiry."""
    claims = SessionClaims(
        subject=session.user_id,
        session_id=session.id,
        token_id=ids.new_id(),
        issued_at=now,
        expires_at=min(now + policy.token_lifetime, session.expires_at),
    )
    return tokens.issue(claims), claims


async def remember(cache: SessionCache, session: Session, now: datetime) -> bool:
    """Tell the cache about a session (open or revoked) until it would expire anyway. The
    cache is an accelerator, never the truth: a cache that cannot be reached is skipped,
    since every request is confirmed against the database. False when it could not be
    reached (callers then stop asking it: each attempt on a hung cache costs a timeout)."""
    ttl = session.expires_at - now
    if ttl.total_seconds() <= 0:
        return True
    entry = CachedSession(
        session_id=session.id,
        user_id=session.user_id,
        expires_at=session.expires_at,
        revoked=session.revoked_at is not None,
    )
    try:
        await cache.put(entry, ttl)
    except SignInError:  # unreachable cache: the database stays authoritative
        return False
    return True


async def announce(feed: RevocationFeed | None, revocation: Revocation) -> None:
    """Tell the other processes at once (best effort: the database already holds the change,
    and they see it within their memory's bound anyway)."""
    if feed is None:
        return
    try:
        await feed.publish(revocation)
    except SignInError:
        return


async def spread_closure(
    sessions: tuple[Session, ...],
    now: datetime,
    cache: SessionCache,
    recent: RecentPrincipals | None,
    feed: RevocationFeed | None,
) -> None:
    """After closed sessions were committed: this process's memory knows at once, the cache
    is told, and the other processes hear of it through the feed (else within their
    memory's bound)."""
    if not sessions:
        return
    for session in sessions:
        if recent is not None:
            recent.put_closed(session.id, session.expires_at)
        await remember(cache, session, now)
    await announce(feed, Revocation(tuple(s.id for s in sessions)))


def forget_revoked(recent: RecentPrincipals, revocation: Revocation) -> None:
    """What a process does with a revocation it hears of: forget, so its next check asks
    the database (a message never decides anything by itself)."""
    for session_id in revocation.session_ids:
        recent.forget(session_id)
    if revocation.user_id is not None:
        recent.forget_user(revocation.user_id)
