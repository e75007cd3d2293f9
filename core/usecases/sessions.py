"""Helpers shared by the use cases that hand out or check the service's session tokens."""
from __future__ import annotations

from datetime import datetime

from core.errors import SignInError
from core.identity import SessionClaims
from core.model import Session
from core.policy import SignInPolicy
from core.ports import CachedSession, IdGenerator, SessionCache, TokenIssuer


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
