"""Use case: the token check every protected request makes (forward-auth, introspection,
`/me`), designed for the hot path.

1. The token itself: signature, algorithm, key, issuer, audience, times (the verifier), and
   its `exp` strictly, without the verifier's clock-skew leeway: an expired token is refused
   the moment it expires, on every process.
2. The session: a principal this process confirmed against the database less than
   `recent.max_age` ago (well under one second) vouches for it, when the session's own idle
   and absolute expiry are still ahead. Otherwise the shared cache is asked only whether
   the session is *revoked* (believed at once), and then the database decides, in one
   read-only unit: the session, its user, the user's memberships and the roles' order.
   Nothing in the shared cache can make a session open: a Redis restored from an old
   snapshot, flushed or down changes nothing but speed.
3. The requirement: `workspace` and `role` by `core.rules.access.satisfies`.

So a revocation made anywhere (logout on another process, `user disable` from the command
line, a membership change) is seen by every process within `recent.max_age`.

Concurrent checks of one session that all miss the recent memory share one confirmation
(single flight): the first starts it, the others await the same result instead of each
asking the cache and the database (a thundering herd every time an entry ages out). A
request joins a confirmation only if it started less than `recent.max_age` before the
request's own `now` (the result's `confirmed_at` is that start, so nothing older than the
bound ever vouches); a session closed locally meanwhile is refused after the wait; the
flight is forgotten the moment it ends, so a failure is shared only by the requests that
were already waiting for it, never cached.
"""
from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from functools import partial

from core.access import Access, Grant, Principal
from core.errors import ErrorCode, SignInError
from core.identity import SessionClaims
from core.ports import Clock, RecentPrincipals, SessionCache, TokenVerifier, UnitOfWorkFactory
from core.rules.access import satisfies
from core.usecases.sessions import remember


def _refused(reason: str) -> SignInError:
    return SignInError(ErrorCode.INVALID_TOKEN, reason)


class CheckAccess:
    def __init__(
        self,
        verifier: TokenVerifier,
        cache: SessionCache,
        recent: RecentPrincipals,
        uow: UnitOfWorkFactory,
        clock: Clock,
    ) -> None:
        self._verifier = verifier
        self._cache = cache
        self._recent = recent
        self._uow = uow
        self._clock = clock
        self._flights: dict[tuple[str, str], tuple[datetime, asyncio.Future[Principal]]] = {}

    async def __call__(
        self, token: str, workspace_id: int | None = None, role: str | None = None
    ) -> Access:
        """The access a token gives, when it meets the requirement. Raises
        `SignInError` with `invalid_token` (bad, expired or revoked token, closed session,
        disabled user), `access_denied` (requirement not met), `invalid_request` (a role
        asked for without a workspace) or `temporarily_unavailable` (the database cannot
        answer and nothing recent vouches)."""
        if role is not None and workspace_id is None:
            raise SignInError(ErrorCode.INVALID_REQUEST, "a role needs a workspace")
        claims = self._verifier.verify(token)
        now = self._clock.now()
        if claims.expires_at <= now:
            raise _refused("token expired")
        principal = await self._principal(claims, now)
        if not satisfies(principal, workspace_id, role):
            raise SignInError(ErrorCode.ACCESS_DENIED, "workspace role required")
        return Access(claims, principal)

    async def _principal(self, claims: SessionClaims, now: datetime) -> Principal:
        session_id = claims.session_id
        if self._recent.closed(session_id, now):
            raise _refused("session closed")
        recent = self._recent.get(session_id, now)
        if recent is not None and recent.user.id == claims.subject and recent.session.open_at(now):
            return recent
        key = (session_id, claims.subject)
        flight = self._flights.get(key)
        if (
            flight is None
            or flight[1].get_loop() is not asyncio.get_running_loop()
            or not timedelta(0) <= now - flight[0] < self._recent.max_age
        ):
            task = asyncio.ensure_future(self._lookup(claims, now))
            flight = (now, task)
            self._flights[key] = flight
            task.add_done_callback(partial(self._landed, key, flight))
        # shielded: a caller that goes away does not cancel the confirmation the others await
        principal = await asyncio.shield(flight[1])
        if self._recent.closed(session_id, self._clock.now()):
            raise _refused("session closed")
        if not principal.session.open_at(now):
            raise _refused("session closed")
        return principal

    def _landed(
        self, key: tuple[str, str], flight: tuple[datetime, asyncio.Future[Principal]],
        _done: object = None,
    ) -> None:
        if self._flights.get(key) is flight:
            del self._flights[key]
        if not flight[1].cancelled():
            flight[1].exception()  # retrieved: a failure nobody awaits any more is not logged as lost

    async def _lookup(self, claims: SessionClaims, now: datetime) -> Principal:
        session_id = claims.session_id
        try:
            cached, cache_reachable = await self._cache.get(session_id), True
        except SignInError:
            # the database below decides alone, and the cache is not asked again in this
            # request: a hung cache costs one wait, not two
            cached, cache_reachable = None, False
        if cached is not None and cached.revoked:
            self._recent.put_closed(session_id, cached.expires_at)
            raise _refused("session revoked")
        return await self._confirm(claims, now, cache_reachable)

    async def _confirm(self, claims: SessionClaims, now: datetime, cache_reachable: bool) -> Principal:
        async with self._uow(read_only=True) as uow:
            session = await uow.sessions.get(claims.session_id)
            if session is None or session.user_id != claims.subject:
                raise _refused("unknown session")
            user = await uow.users.get(session.user_id)
            if user is None or user.disabled:
                # also closes a session a sign-in opened while its user was being disabled
                self._recent.put_closed(session.id, session.expires_at)
                raise _refused("user disabled")
            is_open = session.open_at(now)
            memberships = await uow.memberships.for_user(user.id) if is_open else ()
            roles = await uow.roles.list() if is_open else ()
        if not is_open:
            self._recent.put_closed(session.id, session.expires_at)
            if session.revoked_at is not None and cache_reachable:  # spare the others the database
                await remember(self._cache, session, now)
            raise _refused("session closed")
        ranks = {r.name: r.rank for r in roles}
        grants = tuple(
            Grant(m.workspace_id, m.role, ranks.get(m.role, -1))
            for m in sorted(memberships, key=lambda m: m.workspace_id)
        )
        principal = Principal(session, user, grants, tuple(ranks.items()), now)
        self._recent.put(principal)
        return principal
