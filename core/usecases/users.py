"""Use cases about people: who is signed in (`/me`) and disabling a user."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.emails import normalise_email
from core.errors import ErrorCode, SignInError
from core.model import User, UserAccount
from core.ports import Clock, SessionCache, UnitOfWorkFactory
from core.usecases.authenticate import AuthenticatedSession
from core.usecases.sessions import remember


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
    """The user behind an authenticated session, the account it signed in with, and the
    user's roles."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, current: AuthenticatedSession) -> SignedInProfile:
        session = current.session
        async with self._uow() as uow:
            user = await uow.users.get(session.user_id)
            if user is None:
                raise SignInError(ErrorCode.INVALID_TOKEN, "unknown user")
            accounts = await uow.accounts.for_user(user.id)
            memberships = await uow.memberships.for_user(user.id)
            workspaces = {w.id: w for w in await uow.workspaces.list()}
        account = next((a for a in accounts if a.id == session.account_id), None)
        roles = tuple(
            WorkspaceRole(m.workspace_id, workspaces[m.workspace_id].name, m.role)
            for m in memberships
            if m.workspace_id in workspaces
        )
        return SignedInProfile(user, account, roles, session.id, session.expires_at)


@dataclass(frozen=True)
class UserDisabled:
    user_id: str
    sessions_revoked: int


class DisableUser:
    """Disable a user (by verified email or id) and revoke every open session of theirs in
    the same transaction."""

    def __init__(self, uow: UnitOfWorkFactory, cache: SessionCache, clock: Clock) -> None:
        self._uow = uow
        self._cache = cache
        self._clock = clock

    async def __call__(self, email_or_id: str) -> UserDisabled:
        """Raises `SignInError(invalid_request)` when no such user exists."""
        now = self._clock.now()
        async with self._uow() as uow:
            email = normalise_email(email_or_id) if "@" in email_or_id else None
            user = await (uow.users.by_email(email) if email else uow.users.get(email_or_id))
            if user is None:
                raise SignInError(ErrorCode.INVALID_REQUEST, "no such user")
            await uow.users.disable(user.id)
            revoked = [
                await uow.sessions.revoke(session.id, now) or session  # listed just above
                for session in await uow.sessions.open_for_user(user.id, now)
            ]
            await uow.commit()
        for session in revoked:
            if not await remember(self._cache, session, now):
                break  # unreachable: one timeout, not one per session
        return UserDisabled(user.id, len(revoked))
