"""Use cases of an operator: workspaces, roles, invites, identity providers and users.

Each method is one intention and one unit of work. Bad input raises
`SignInError(invalid_request)` with a message meant for the operator.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime

from core.emails import normalise_domain, normalise_email
from core.errors import DuplicateKey, ErrorCode, SignInError
from core.model import (
    IdentityProvider,
    Invite,
    InviteStatus,
    MappingSource,
    ProviderKind,
    Role,
    RoleMapping,
    User,
    UserDirectory,
    Workspace,
)
from core.navigation import is_valid_origin
from core.policy import SignInPolicy
from core.ports import Clock, IdGenerator, UnitOfWork, UnitOfWorkFactory

_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
MAX_MAPPING_VALUE = 256
STANDARD_ROLES: tuple[tuple[str, int], ...] = (("owner", 30), ("editor", 20), ("viewer", 10))


def _bad(message: str) -> SignInError:
    return SignInError(ErrorCode.INVALID_REQUEST, message)


class Administration:
    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator, policy: SignInPolicy
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._policy = policy

    # Workspaces and roles ---------------------------------------------------------------
    async def add_workspace(self, name: str, frontend_host: str) -> Workspace:
        if not name.strip():
            raise _bad("a workspace needs a name")
        if not is_valid_origin(frontend_host):
            raise _bad("the host must be an origin such as https://app.example.com")
        async with self._uow() as uow:
            workspace = await uow.workspaces.add(name.strip(), frontend_host.rstrip("/"))
            await uow.commit()
        return workspace

    async def workspaces(self) -> Sequence[Workspace]:
        async with self._uow() as uow:
            return await uow.workspaces.list()

    async def remove_workspace(self, workspace_id: int) -> Workspace:
        """Delete a workspace with its memberships (`workspace remove`): its invites are
        never applied after, and nobody lands in it any more; `invalid_request` when there
        is no such workspace."""
        async with self._uow() as uow:
            workspace = await uow.workspaces.get(workspace_id)
            if workspace is None:
                raise _bad("no such workspace")
            await uow.workspaces.remove(workspace_id)
            await uow.commit()
        return workspace

    async def ensure_roles(self, roles: Iterable[tuple[str, int]] = STANDARD_ROLES) -> Sequence[Role]:
        """Create the named roles that do not exist yet (idempotent)."""
        async with self._uow() as uow:
            existing = {r.name for r in await uow.roles.list()}
            next_id = max((r.id for r in await uow.roles.list()), default=0) + 1
            for name, rank in roles:
                if name not in existing:
                    await uow.roles.add(Role(next_id, name, rank))
                    next_id += 1
            await uow.commit()
        return await self.roles()

    async def roles(self) -> Sequence[Role]:
        async with self._uow() as uow:
            return await uow.roles.list()

    # Invites ----------------------------------------------------------------------------
    async def invite(
        self,
        email: str,
        workspace_id: int,
        role: str,
        *,
        accepted: bool = False,
        expires_at: datetime | None = None,
    ) -> Invite:
        address = normalise_email(email)
        if address is None:
            raise _bad("not a valid email address")
        async with self._uow() as uow:
            if await uow.workspaces.get(workspace_id) is None:
                raise _bad(f"no workspace {workspace_id}")
            if await uow.roles.by_name(role) is None:
                raise _bad(f"no role named {role!r}")
            invite = Invite(
                id=self._ids.new_id(),
                email=address,
                workspace_id=workspace_id,
                role=role,
                status=InviteStatus.ACCEPTED if accepted else InviteStatus.PENDING,
                created_at=self._clock.now(),
                expires_at=expires_at,
            )
            await uow.invites.add(invite)
            await uow.commit()
        return invite

    async def invites(self) -> Sequence[Invite]:
        async with self._uow() as uow:
            return await uow.invites.list()

    async def accept_invite(self, invite_id: str) -> Invite:
        return await self._move_invite(invite_id, InviteStatus.ACCEPTED, {InviteStatus.PENDING})

    async def revoke_invite(self, invite_id: str) -> Invite:
        allowed = {InviteStatus.PENDING, InviteStatus.ACCEPTED}
        return await self._move_invite(invite_id, InviteStatus.REVOKED, allowed)

    async def _move_invite(
        self, invite_id: str, to: InviteStatus, allowed_from: set[InviteStatus]
    ) -> Invite:
        async with self._uow() as uow:
            invite = await uow.invites.get(invite_id)
            if invite is None:
                raise _bad(f"no invite {invite_id}")
            if invite.status not in allowed_from:
                raise _bad(f"invite {invite_id} is {invite.status.value}")
            invite = replace(invite, status=to)
            await uow.invites.update(invite)
            await uow.commit()
        return invite

    # Identity providers and users -------------------------------------------------------
    async def add_provider(
        self,
        name: str,
        kind: ProviderKind,
        issuer: str,
        *,
        domains: Sequence[str] = (),
        trusted: bool = False,
    ) -> IdentityProvider:
        """Register a provider. It joins the directory of its first domain (created when
        absent), or the default directory when it has none or a consumer domain."""
        clean: list[str] = []
        for raw in domains:
            domain = normalise_domain(raw)
            if domain is None:
                raise _bad(f"not a domain: {raw!r}")
            clean.append(domain)
        if not issuer.strip():
            raise _bad("a provider needs an issuer")
        own = next((d for d in clean if not self._policy.is_consumer_domain(d)), None)
        now = self._clock.now()
        try:
            async with self._uow() as uow:
                directory = await (uow.directories.by_domain(own) if own else uow.directories.default())
                if directory is None:
                    name_ = own or self._policy.default_directory_name
                    directory = UserDirectory(self._ids.new_id(), name_, own, now)
                    await uow.directories.add(directory)
                provider = IdentityProvider(
                    self._ids.new_id(), name, kind, issuer.strip(), directory.id,
                    tuple(clean), trusted, now,
                )
                await uow.providers.add(provider)
                await uow.commit()
        except DuplicateKey as error:
            raise _bad("a provider with that issuer or domain exists already") from error
        return provider

    async def ensure_provider(
        self, name: str, kind: ProviderKind, issuer: str
    ) -> tuple[IdentityProvider, bool]:
        """The provider registered for `issuer`, registered now (in the default directory)
        when there is none; the flag says whether it was added. Idempotent, also when two
        processes ensure the same issuer at once: the one that loses the race finds the
        winner's. A provider already registered for the issuer is kept as it is."""
        async with self._uow(read_only=True) as uow:
            found = await uow.providers.by_issuer(issuer.strip())
        if found is not None:
            return found, False
        try:
            return await self.add_provider(name, kind, issuer), True
        except SignInError:
            async with self._uow(read_only=True) as uow:
                found = await uow.providers.by_issuer(issuer.strip())
            if found is None:
                raise
            return found, False

    async def providers(self) -> Sequence[IdentityProvider]:
        async with self._uow() as uow:
            return await uow.providers.list()

    # Role mappings (app roles and groups -> workspace roles) ---------------------------------
    async def add_role_mapping(
        self, provider: str, source: MappingSource, value: str, workspace_id: int, role: str
    ) -> RoleMapping:
        """Map the app role or group `value` of the provider named by `provider` (its id,
        issuer or name) to `role` in `workspace_id`; applied at each of its sign-ins."""
        value = value.strip()
        if source is MappingSource.GROUP:
            value = value.lower()
            if not _GUID.match(value):
                raise _bad("a group is named by its object id (a GUID)")
        if not value or len(value) > MAX_MAPPING_VALUE:
            raise _bad(f"an app role value has 1 to {MAX_MAPPING_VALUE} characters")
        try:
            async with self._uow() as uow:
                found = await self._provider(uow, provider)
                if await uow.workspaces.get(workspace_id) is None:
                    raise _bad(f"no workspace {workspace_id}")
                if await uow.roles.by_name(role) is None:
                    raise _bad(f"no role named {role!r}")
                mapping = RoleMapping(self._ids.new_id(), found.id, source, value, workspace_id, role)
                await uow.role_mappings.add(mapping)
                await uow.commit()
        except DuplicateKey as error:
            raise _bad("that provider already maps this value in this workspace") from error
        return mapping

    async def role_mappings(self, provider: str | None = None) -> Sequence[RoleMapping]:
        async with self._uow() as uow:
            if provider is None:
                return await uow.role_mappings.list()
            return await uow.role_mappings.for_provider((await self._provider(uow, provider)).id)

    async def remove_role_mapping(self, mapping_id: str) -> None:
        """Roles the mapping granted are taken back at each person's next sign-in."""
        async with self._uow() as uow:
            if not await uow.role_mappings.remove(mapping_id):
                raise _bad(f"no role mapping {mapping_id}")
            await uow.commit()

    @staticmethod
    async def _provider(uow: UnitOfWork, ref: str) -> IdentityProvider:
        found = await uow.providers.get(ref) or await uow.providers.by_issuer(ref)
        if found is None:
            named = [p for p in await uow.providers.list() if p.name == ref]
            if len(named) > 1:
                raise _bad(f"several providers are named {ref!r}; use the id or issuer")
            found = named[0] if named else None
        if found is None:
            raise _bad(f"no provider {ref!r}")
        return found

    async def users(self) -> Sequence[User]:
        async with self._uow() as uow:
            return await uow.users.list()

    async def find_user(self, email_or_id: str) -> User:
        """The user with this verified email (any spelling) or id; `invalid_request` when
        there is none."""
        email = normalise_email(email_or_id) if "@" in email_or_id else None
        async with self._uow() as uow:
            user = await (uow.users.by_email(email) if email else uow.users.get(email_or_id))
        if user is None:
            raise _bad("no such user")
        return user
