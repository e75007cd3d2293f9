"""Repositories: one per aggregate, all hanging off a unit of work.

Common contract: `get`/`by_*` return None when nothing matches; `add` raises
`core.errors.DuplicateKey` when a unique key is taken (it may be raised at `add` or, for
adapters that defer writes, at `UnitOfWork.commit`); `update` replaces the stored value with
the same id (unknown id: `KeyError`). Values are frozen dataclasses; nothing returned is
shared with the store.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from core.model import (
    AuditEvent,
    IdentityProvider,
    Invite,
    InviteStatus,
    Membership,
    MicrosoftTokens,
    ResourceClient,
    Role,
    RoleMapping,
    Session,
    User,
    UserAccount,
    UserDirectory,
    Workspace,
)


class UserRepository(Protocol):
    async def get(self, user_id: str) -> User | None: ...

    async def by_email(self, email: str) -> User | None:
        """The user whose *verified* normalised email is `email`; users created from an
        untrusted address are never found here."""
        ...

    async def add(self, user: User) -> None:
        """Unique keys: id; `email` among users that have one."""
        ...

    async def set_last_workspace(self, user_id: str, workspace_id: int | None) -> None:
        """Change only the user's most recently used workspace (a targeted write: it never
        undoes a concurrent change of another field, such as `disabled`)."""
        ...

    async def disable(self, user_id: str) -> None:
        """Set only `disabled`; disabling twice is not an error."""
        ...

    async def enable(self, user_id: str) -> None:
        """Clear only `disabled`; enabling a user who is not disabled is not an error."""
        ...

    async def list(self) -> Sequence[User]:
        """All users, by creation time then id."""
        ...


class AccountRepository(Protocol):
    async def by_key(self, issuer: str, object_id: str) -> UserAccount | None: ...

    async def for_user(self, user_id: str) -> Sequence[UserAccount]: ...

    async def add(self, account: UserAccount) -> None:
        """Unique keys: id; (issuer, object_id)."""
        ...

    async def update(self, account: UserAccount) -> None: ...


class DirectoryRepository(Protocol):
    async def by_domain(self, domain: str) -> UserDirectory | None: ...

    async def default(self) -> UserDirectory | None:
        """The directory with no domain (local accounts, consumer domains), if created."""
        ...

    async def add(self, directory: UserDirectory) -> None:
        """Unique keys: id; domain (one directory per domain, and one default)."""
        ...


class ProviderRepository(Protocol):
    async def get(self, provider_id: str) -> IdentityProvider | None: ...

    async def by_issuer(self, issuer: str) -> IdentityProvider | None: ...

    async def by_domain(self, domain: str) -> IdentityProvider | None:
        """The provider registered for email domain `domain` (at most one)."""
        ...

    async def add(self, provider: IdentityProvider) -> None:
        """Unique keys: id; issuer; each of `domains` (one provider per domain)."""
        ...

    async def list(self) -> Sequence[IdentityProvider]: ...


class WorkspaceRepository(Protocol):
    async def get(self, workspace_id: int) -> Workspace | None: ...

    async def add(self, name: str, frontend_host: str, *, editors_invite: bool = False) -> Workspace:
        """Create a workspace with the next free id (1, 2, ...)."""
        ...

    async def lock(self, workspace_id: int) -> Workspace | None:
        """Like `get`, and hold the workspace until the unit of work ends: units that lock
        the same workspace run one after the other (so two owners demoting each other at
        once cannot leave it without an owner)."""
        ...

    async def update(self, workspace: Workspace) -> None:
        """Replace name, frontend host and `editors_invite` (unknown id: `KeyError`)."""
        ...

    async def remove(self, workspace_id: int) -> None:
        """Delete the workspace with its memberships; its invites are never applied after."""
        ...

    async def list(self) -> Sequence[Workspace]:
        """All workspaces by id."""
        ...


class RoleRepository(Protocol):
    async def by_name(self, name: str) -> Role | None: ...

    async def add(self, role: Role) -> None:
        """Unique keys: id; name."""
        ...

    async def list(self) -> Sequence[Role]:
        """All roles by rank, highest first."""
        ...


class MembershipRepository(Protocol):
    async def for_user(self, user_id: str) -> Sequence[Membership]:
        """The user's memberships in existing workspaces, by workspace id."""
        ...

    async def get(self, user_id: str, workspace_id: int) -> Membership | None: ...

    async def for_workspace(self, workspace_id: int) -> Sequence[Membership]:
        """The workspace's memberships, by creation time then user id."""
        ...

    async def add(self, membership: Membership) -> None:
        """Unique key: (user_id, workspace_id)."""
        ...

    async def update(self, membership: Membership) -> None:
        """Replace the role, origin and base role of the membership with the same
        (user_id, workspace_id)."""
        ...

    async def remove(self, user_id: str, workspace_id: int) -> bool:
        """Delete the membership; whether there was one (removing none is not an error)."""
        ...


class RoleMappingRepository(Protocol):
    async def for_provider(self, provider_id: str) -> Sequence[RoleMapping]:
        """The provider's mappings, by workspace id, then source, value and id."""
        ...

    async def add(self, mapping: RoleMapping) -> None:
        """Unique keys: id; (provider_id, source, value, workspace_id)."""
        ...

    async def remove(self, mapping_id: str) -> bool:
        """Delete a mapping; False when there was none with that id."""
        ...

    async def list(self) -> Sequence[RoleMapping]:
        """Every mapping, by provider id, then as `for_provider` orders them."""
        ...


class InviteRepository(Protocol):
    async def get(self, invite_id: str) -> Invite | None: ...

    async def applicable_for(self, email: str, now: datetime) -> Sequence[Invite]:
        """In one lookup, the invites for normalised `email` that are accepted, not applied,
        not revoked, not expired at `now`, and whose workspace exists; by creation time."""
        ...

    async def for_workspace(self, workspace_id: int) -> Sequence[Invite]:
        """Every invite of the workspace (any status), by creation time then id."""
        ...

    async def add(self, invite: Invite) -> None:
        """Unique key: id."""
        ...

    async def update(self, invite: Invite) -> None:
        """Replace a stored invite. An invite already applied is never applied again:
        updating an APPLIED invite to APPLIED raises `DuplicateKey`."""
        ...

    async def update_if(self, invite: Invite, status: InviteStatus) -> bool:
        """Replace the stored invite only if its status is still `status` (a compare and
        set: of two units moving the same invite at once, exactly one gets True; the other
        changes nothing). False too when the id is unknown."""
        ...

    async def list(self) -> Sequence[Invite]: ...


class AuditRepository(Protocol):
    """Audit events: written with the change they record (same unit of work), never
    changed after."""

    async def add(self, event: AuditEvent) -> None:
        """Unique key: id."""
        ...

    async def for_workspace(self, workspace_id: int, limit: int = 100) -> Sequence[AuditEvent]:
        """The workspace's events, newest first (by time, then id descending), at most
        `limit`."""
        ...

    async def list(self, limit: int = 100) -> Sequence[AuditEvent]:
        """Every workspace's events, newest first, at most `limit`."""
        ...


class SessionRepository(Protocol):
    async def get(self, session_id: str) -> Session | None: ...

    async def add(self, session: Session) -> None: ...

    async def revoke(self, session_id: str, at: datetime) -> Session | None:
        """Close the session (an earlier revocation time is kept) and delete the Microsoft
        tokens kept for it, in one targeted write; the closed session, or None when the id is
        unknown. Idempotent."""
        ...

    async def extend_idle(self, session_id: str, until: datetime, now: datetime) -> Session | None:
        """Move the idle expiry of a session that is open at `now` to `until`, in one write
        guarded by the session still being open: a session revoked meanwhile (even by a unit
        of work that committed after this one read it) is never reopened. The session after
        the change, or None when it is not open."""
        ...

    async def open_for_user(self, user_id: str, now: datetime) -> Sequence[Session]:
        """The user's sessions not revoked and not expired at `now`."""
        ...

    async def claim_for_confirmation(
        self, now: datetime, confirmed_before: datetime, lease_until: datetime, limit: int
    ) -> Sequence[Session]:
        """Take the lease on at most `limit` sessions that are open at `now`, were last
        confirmed before `confirmed_before` (`confirmed_at`, else `created_at`) and whose
        lease is free (none, or ending at or before `now`), oldest confirmation first: each
        gets `confirm_lease_until = lease_until`, in writes guarded by the lease still being
        free, so that of two units of work claiming at once (even in two processes) each
        session goes to at most one. The claimed sessions, as written."""
        ...

    async def confirm(
        self, session_id: str, tokens: MicrosoftTokens, at: datetime, now: datetime
    ) -> Session | None:
        """Record that Microsoft confirmed the session at `at`: replace its Microsoft tokens
        with `tokens`, set `confirmed_at = at` and free its lease, in one write guarded by
        the session being open at `now` (a session closed meanwhile keeps no tokens and is
        never reopened). The session after the change, or None when it is not open."""
        ...

    async def revoke_by_microsoft_sid(
        self, issuer: str, microsoft_sid: str, at: datetime
    ) -> Sequence[Session]:
        """Close every session not yet revoked whose `microsoft_issuer` is `issuer` and
        `microsoft_sid` is `microsoft_sid` (exact matches), deleting their Microsoft
        tokens, as `revoke` does; the sessions closed by this call (none when there are
        none left: idempotent), by creation time then id."""
        ...

class ResourceClientRepository(Protocol):
    async def get(self, client_id: str) -> ResourceClient | None: ...

    async def add(self, client: ResourceClient) -> None:
        """Unique key: id."""
        ...

    async def remove(self, client_id: str) -> bool:
        """Delete the client; False when there was none."""
        ...

    async def list(self) -> Sequence[ResourceClient]:
        """All clients by id."""
        ...
