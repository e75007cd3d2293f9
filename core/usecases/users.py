"""Use cases about people: who is signed in (`/me`), disabling a user and enabling one again."""
from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from core.access import Access, Principal
from core.emails import normalise_email
from core.errors import ErrorCode, SignInError
from core.model import User, UserAccount
from core.ports import (
    Clock,
    RecentPrincipals,
    Revocation,
    RevocationFeed,
    SessionCache,
    UnitOfWork,
    UnitOfWorkFactory,
)
from core.usecases.sessions import announce, remember


@dataclass(frozen=True)
class WorkspaceRole:
    workspace_id: int
    workspace_name: str
    role: str


@dataclass(frozen=True)
class SignedInProfile:
    user: User
    account: UserAccount | None
    memberships: tuple[WorkspaceRole, ...]
    session_id: str
    session_expires_at: datetime


class DescribeSession:
    """The user behind a checked token (`CheckAccess`), the account it signed in with, and
    the user's roles: the principal already holds the user and the grants, so this reads
    only the account and the workspaces' names, in one read-only unit.

    A description is kept for as long as the principal it was made from is the one the
    check answers with (one confirmation, so at most `RecentPrincipals.max_age`): a closed
    session, a disabled user or a membership change reaches `/me` exactly as it reaches
    the check, and the next confirmation reads the account and the names again. At most
    `max_entries` descriptions are kept (least recently used dropped).

    Concurrent descriptions of one principal share one read (single flight, as the check's
    confirmations do): when a confirmation renews the principal, every request in flight
    would otherwise read the account and the workspaces itself. The flight is forgotten
    when it ends, so a failure is shared only by the requests already waiting for it."""

    def __init__(self, uow: UnitOfWorkFactory, *, max_entries: int = 10_000) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self._uow = uow
        self._max_entries = max_entries
        self._described: OrderedDict[str, tuple[Principal, SignedInProfile]] = OrderedDict()
        self._flights: dict[str, tuple[Principal, asyncio.Future[SignedInProfile]]] = {}

    async def __call__(self, current: Access) -> SignedInProfile:
        principal = current.principal
        session_id = principal.session.id
        kept = self._described.get(session_id)
        if kept is not None and kept[0] is principal:
            self._described.move_to_end(session_id)
            return kept[1]
        flight = self._flights.get(session_id)
        if (
            flight is None
            or flight[0] is not principal
            or flight[1].get_loop() is not asyncio.get_running_loop()
        ):
            task = asyncio.ensure_future(self._describe(principal))
            flight = (principal, task)
            self._flights[session_id] = flight
            task.add_done_callback(partial(self._landed, session_id, flight))
        # shielded: a caller that goes away does not cancel the read the others await
        return await asyncio.shield(flight[1])

    def _landed(
        self, session_id: str, flight: tuple[Principal, asyncio.Future[SignedInProfile]],
        _done: object = None,
    ) -> None:
        if self._flights.get(session_id) is flight:
            del self._flights[session_id]
        if not flight[1].cancelled():
            flight[1].exception()  # retrieved: a failure nobody awaits any more is not logged as lost

    async def _describe(self, principal: Principal) -> SignedInProfile:
        session, user = principal.session, principal.user
        async with self._uow(read_only=True) as uow:
            accounts = await uow.accounts.for_user(user.id)
            workspaces = {w.id: w for w in await uow.workspaces.list()}
        account = next((a for a in accounts if a.id == session.account_id), None)
        roles = tuple(
            WorkspaceRole(g.workspace_id, workspaces[g.workspace_id].name, g.role)
            for g in principal.grants
            if g.workspace_id in workspaces
        )
        profile = SignedInProfile(user, account, roles, session.id, session.expires_at)
        self._described[session.id] = (principal, profile)
        self._described.move_to_end(session.id)
        while len(self._described) > self._max_entries:
            self._described.popitem(last=False)
        return profile


@dataclass(frozen=True)
class UserDisabled:
    user_id: str
    sessions_revoked: int


async def _find_user(uow: UnitOfWork, email_or_id: str) -> User:
    email = normalise_email(email_or_id) if "@" in email_or_id else None
    user = await (uow.users.by_email(email) if email else uow.users.get(email_or_id))
    if user is None:
        raise SignInError(ErrorCode.INVALID_REQUEST, "no such user")
    return user


class DisableUser:
    """Disable a user (by verified email or id) and revoke every open session of theirs in
    the same transaction."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        cache: SessionCache,
        clock: Clock,
        recent: RecentPrincipals | None = None,
        feed: RevocationFeed | None = None,
    ) -> None:
        self._uow = uow
        self._cache = cache
        self._clock = clock
        self._recent = recent
        self._feed = feed

    async def __call__(self, email_or_id: str) -> UserDisabled:
        """Raises `SignInError(invalid_request)` when no such user exists."""
        now = self._clock.now()
        async with self._uow() as uow:
            user = await _find_user(uow, email_or_id)
            await uow.users.disable(user.id)
            revoked = [
                await uow.sessions.revoke(session.id, now) or session  # listed just above
                for session in await uow.sessions.open_for_user(user.id, now)
            ]
            await uow.commit()
        if self._recent is not None:  # other processes see it within the recent max_age
            self._recent.forget_user(user.id)
        for session in revoked:
            if not await remember(self._cache, session, now):
                break  # unreachable: one timeout, not one per session
        await announce(self._feed, Revocation(tuple(s.id for s in revoked), user.id))
        return UserDisabled(user.id, len(revoked))


@dataclass(frozen=True)
class UserEnabled:
    user_id: str
    was_disabled: bool


class EnableUser:
    """Undo `DisableUser`: the user (by verified email or id) may sign in again. The
    sessions revoked when they were disabled stay revoked: a new sign-in opens a new one."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, email_or_id: str) -> UserEnabled:
        """Raises `SignInError(invalid_request)` when no such user exists."""
        async with self._uow() as uow:
            user = await _find_user(uow, email_or_id)
            await uow.users.enable(user.id)
            await uow.commit()
        return UserEnabled(user.id, user.disabled)
