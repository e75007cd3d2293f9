"""Record a verified identity's sign-in: rules 1-6 and a new session, in one transaction.

Shape: load -> decide (pure rules) -> persist -> commit. When a concurrent sign-in of the
same person or organisation takes a unique key first, the whole decision is re-run against
what that one wrote (bounded attempts), so both sign-ins succeed with one user.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from core.emails import email_domain, normalise_email
from core.errors import DuplicateKey, ErrorCode, SignInError
from core.identity import ExternalIdentity
from core.model import Invite, MicrosoftTokens, Session, User, UserAccount, Workspace
from core.policy import SignInPolicy
from core.ports import Clock, IdGenerator, UnitOfWork, UnitOfWorkFactory
from core.rules.identity import KnownRecords, Resolution, resolve_identity
from core.rules.landing import choose_landing
from core.rules.memberships import InviteGrants, grant_invites
from core.rules.role_mappings import MappingGrants, apply_role_mappings, mapped_roles


@dataclass(frozen=True)
class MicrosoftSession:
    """Microsoft's own session a sign-in belongs to: the ID token's `iss` and `sid`."""

    issuer: str
    sid: str = field(repr=False)


@dataclass(frozen=True)
class SignInRecord:
    """The outcome of a recorded sign-in."""

    user: User
    account: UserAccount
    session: Session
    workspace: Workspace | None
    applied_invites: tuple[Invite, ...]
    new_user: bool


class RecordSignIn:
    """Use case: turn a verified external identity into a user, account, roles and session."""

    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator, policy: SignInPolicy
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._policy = policy

    async def __call__(
        self,
        identity: ExternalIdentity,
        authority: str = "aad",
        microsoft_tokens: MicrosoftTokens | None = None,
        microsoft_session: MicrosoftSession | None = None,
    ) -> SignInRecord:
        """`microsoft_session` is the (`iss`, `sid`) of the ID token, kept with the session
        for Microsoft's front-channel logout."""
        for _ in range(self._policy.max_attempts):
            try:
                return await self._attempt(identity, authority, microsoft_tokens, microsoft_session)
            except DuplicateKey:
                continue  # another sign-in won a race; decide again on what it wrote
        raise SignInError(
            ErrorCode.TEMPORARILY_UNAVAILABLE, "sign-in kept colliding with concurrent sign-ins"
        )

    async def _attempt(
        self,
        identity: ExternalIdentity,
        authority: str,
        tokens: MicrosoftTokens | None,
        microsoft: MicrosoftSession | None,
    ) -> SignInRecord:
        now = self._clock.now()
        async with self._uow() as uow:
            known = await _load_known(uow, identity)
            resolution = resolve_identity(identity, known, self._policy, now, self._ids.new_id)
            await _persist_resolution(uow, resolution)
            user = resolution.user
            invites = await uow.invites.applicable_for(user.email, now) if user.email else ()
            held = () if resolution.new_user else await uow.memberships.for_user(user.id)
            roles = {role.name: role for role in await uow.roles.list()}
            grants = grant_invites(user, invites, held, roles, now)
            await _persist_grants(uow, grants)
            mappings = await uow.role_mappings.for_provider(resolution.account.provider_id)
            wanted = mapped_roles(mappings, identity.app_roles, identity.groups, roles)
            mapped = apply_role_mappings(user.id, grants.memberships, wanted, roles, now)
            await _persist_mapped(uow, mapped)
            landing = choose_landing(user, mapped.memberships)
            workspace = await uow.workspaces.get(landing) if landing is not None else None
            if landing != user.last_workspace_id and landing is not None:
                user = replace(user, last_workspace_id=landing)
                # targeted: a stale copy of the user must never undo a concurrent disable
                await uow.users.set_last_workspace(user.id, landing)
            session = Session(
                id=self._ids.new_id(),
                user_id=user.id,
                account_id=resolution.account.id,
                authority=authority,
                created_at=now,
                idle_expires_at=now + min(self._policy.session_idle, self._policy.session_absolute),
                expires_at=now + self._policy.session_absolute,
                microsoft_tokens=tokens,
                microsoft_sid=microsoft.sid if microsoft else None,
                microsoft_issuer=microsoft.issuer if microsoft else None,
                confirmed_at=now,
            )
            await uow.sessions.add(session)
            await uow.commit()
        return SignInRecord(
            user, resolution.account, session, workspace, grants.applied, resolution.new_user
        )


async def _load_known(uow: UnitOfWork, identity: ExternalIdentity) -> KnownRecords:
    """Every record the rules may need, in a fixed number of lookups."""
    account = await uow.accounts.by_key(identity.issuer, identity.object_id)
    if account is not None:
        return KnownRecords(account=account, account_user=await uow.users.get(account.user_id))
    email = normalise_email(identity.email)
    domain = email_domain(email) if email else None
    return KnownRecords(
        provider_by_key=await uow.providers.by_issuer(identity.provider_key),
        provider_by_domain=await uow.providers.by_domain(domain) if domain else None,
        user_by_email=await uow.users.by_email(email) if email else None,
        directory_by_domain=await uow.directories.by_domain(domain) if domain else None,
        default_directory=await uow.directories.default(),
    )


async def _persist_resolution(uow: UnitOfWork, resolution: Resolution) -> None:
    if resolution.new_directory is not None:
        await uow.directories.add(resolution.new_directory)
    if resolution.new_provider is not None:
        await uow.providers.add(resolution.new_provider)
    if resolution.new_user:
        await uow.users.add(resolution.user)
    if resolution.new_account:
        await uow.accounts.add(resolution.account)
    else:
        await uow.accounts.update(resolution.account)


async def _persist_grants(uow: UnitOfWork, grants: InviteGrants) -> None:
    for membership in grants.added:
        await uow.memberships.add(membership)
    for membership in grants.raised:
        await uow.memberships.update(membership)
    for invite in grants.applied:
        await uow.invites.update(invite)


async def _persist_mapped(uow: UnitOfWork, mapped: MappingGrants) -> None:
    for membership in mapped.removed:
        await uow.memberships.remove(membership.user_id, membership.workspace_id)
    for membership in mapped.added:
        await uow.memberships.add(membership)
    for membership in mapped.changed:
        await uow.memberships.update(membership)
