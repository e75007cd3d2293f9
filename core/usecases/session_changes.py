"""Use cases that change an open session: refresh (Microsoft re-validates it, then the idle
timeout slides) and log out."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from core.errors import ErrorCode, SignInError
from core.policy import SignInPolicy
from core.ports import (
    Clock,
    IdentityGateway,
    IdGenerator,
    RecentPrincipals,
    Revocation,
    RevocationFeed,
    SessionCache,
    TokenIssuer,
    UnitOfWorkFactory,
)
from core.rules.revalidation import Verdict
from core.usecases.authenticate import Authenticate
from core.usecases.revalidation import RevalidateSession, Revalidation, SessionClosedByMicrosoft
from core.usecases.sessions import announce, issue_token, remember


@dataclass(frozen=True)
class Refreshed:
    token: str = field(repr=False)
    expires_at: datetime
    revalidation: Revalidation | None = None


class RefreshSession:
    """A new token for an open session that Microsoft still vouches for: the kept refresh
    token is redeemed first (`RevalidateSession`); a refused grant closes the session
    (`SessionClosedByMicrosoft`), silence from Microsoft keeps it within
    `max_unconfirmed`. The idle timeout slides, never past the absolute expiry."""

    def __init__(
        self,
        authenticate: Authenticate,
        revalidate: RevalidateSession,
        uow: UnitOfWorkFactory,
        tokens: TokenIssuer,
        clock: Clock,
        ids: IdGenerator,
        policy: SignInPolicy,
    ) -> None:
        self._authenticate = authenticate
        self._revalidate = revalidate
        self._uow = uow
        self._tokens = tokens
        self._clock = clock
        self._ids = ids
        self._policy = policy

    async def __call__(self, token: str) -> Refreshed:
        current = await self._authenticate(token)
        revalidation = await self._revalidate(current.session)
        if revalidation.verdict is Verdict.CLOSED:
            raise SessionClosedByMicrosoft(revalidation)
        now = self._clock.now()
        until = min(now + self._policy.session_idle, current.session.expires_at)
        async with self._uow() as uow:
            # one guarded write: a logout that lands meanwhile is never undone
            session = await uow.sessions.extend_idle(current.session.id, until, now)
            if session is None:
                raise SignInError(ErrorCode.INVALID_TOKEN, "session closed")
            await uow.commit()
        new_token, claims = issue_token(self._tokens, self._ids, self._policy, session, now)
        return Refreshed(new_token, claims.expires_at, revalidation)


@dataclass(frozen=True)
class LoggedOut:
    session_id: str
    user_id: str
    end_session_url: str | None


class Logout:
    """Close the token's session: revoked in the database (Microsoft's tokens for it deleted)
    and in the cache, so the token fails at once everywhere."""

    def __init__(
        self,
        authenticate: Authenticate,
        uow: UnitOfWorkFactory,
        cache: SessionCache,
        gateway: IdentityGateway,
        clock: Clock,
        recent: RecentPrincipals | None = None,
        feed: RevocationFeed | None = None,
    ) -> None:
        self._authenticate = authenticate
        self._feed = feed
        self._uow = uow
        self._cache = cache
        self._gateway = gateway
        self._clock = clock
        self._recent = recent

    async def __call__(self, token: str, post_logout_redirect_uri: str | None = None) -> LoggedOut:
        current = await self._authenticate(token)
        now = self._clock.now()
        async with self._uow() as uow:
            session = await uow.sessions.revoke(current.session.id, now)
            if session is None:
                raise SignInError(ErrorCode.INVALID_TOKEN, "unknown session")
            await uow.commit()
        if self._recent is not None:  # this process knows at once; the others within max_age
            self._recent.put_closed(session.id, session.expires_at)
        if current.cache_reachable:  # the database is the truth; a hung cache costs one wait
            await remember(self._cache, session, now)
        await announce(self._feed, Revocation((session.id,)))
        url = self._gateway.end_session_url(session.authority, post_logout_redirect_uri)
        return LoggedOut(session.id, session.user_id, url)
