"""Use case: check a bearer token on an API call.

The token's signature and claims are checked first; then the session it names must be open.
A cache entry that says *revoked* is believed at once; anything else is confirmed against
the database (the session and its user, by primary key), so a revoked session never comes
back to life and a disabled user's sessions close even when a racing sign-in opened one.
"""
from __future__ import annotations

from dataclasses import dataclass

from core.errors import ErrorCode, SignInError
from core.identity import SessionClaims
from core.model import Session
from core.ports import Clock, SessionCache, TokenVerifier, UnitOfWorkFactory
from core.usecases.sessions import remember


@dataclass(frozen=True)
class AuthenticatedSession:
    claims: SessionClaims
    session: Session
    cache_reachable: bool = True  # False: the cache just failed; callers skip it too


class Authenticate:
    def __init__(
        self, verifier: TokenVerifier, cache: SessionCache, uow: UnitOfWorkFactory, clock: Clock
    ) -> None:
        self._verifier = verifier
        self._cache = cache
        self._uow = uow
        self._clock = clock

    async def __call__(self, token: str) -> AuthenticatedSession:
        """Raises `SignInError(invalid_token)` for a bad token or a session that is revoked,
        expired or unknown; `temporarily_unavailable` when the database cannot answer."""
        claims = self._verifier.verify(token)
        cache_reachable = True
        try:
            cached = await self._cache.get(claims.session_id)
        except SignInError:
            # the database below decides alone; and a cache that just failed is not asked
            # again in this request, so a hung cache costs one timeout, not two
            cached, cache_reachable = None, False
        if cached is not None and cached.revoked:
            raise SignInError(ErrorCode.INVALID_TOKEN, "session revoked")
        async with self._uow(read_only=True) as uow:
            session = await uow.sessions.get(claims.session_id)
            user = await uow.users.get(claims.subject) if session is not None else None
        now = self._clock.now()
        if session is None or session.user_id != claims.subject:
            raise SignInError(ErrorCode.INVALID_TOKEN, "unknown session")
        if user is None or user.disabled:
            # also closes a session a sign-in opened while its user was being disabled
            raise SignInError(ErrorCode.INVALID_TOKEN, "user disabled")
        if not session.open_at(now):
            if session.revoked_at is not None and cache_reachable:
                await remember(self._cache, session, now)
            raise SignInError(ErrorCode.INVALID_TOKEN, "session closed")
        if cached is None and cache_reachable:
            await remember(self._cache, session, now)
        return AuthenticatedSession(claims, session, cache_reachable)
